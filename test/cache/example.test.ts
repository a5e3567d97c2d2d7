/* eslint-disable @typescript-eslint/no-explicit-any -- plan inputs are nested untyped JSON read back from the synthesis */
// The edge-and-cache example (examples/edge-and-cache/, issue 22's "Done when"): a non-default pair (us-east-2 ->
// us-west-2) with CloudFront and WAF in front and a Valkey global datastore, synthesized as CI does; the edge's and
// the cache's invariants on it, each with plans changed so that it fails; its cost; and the drill's pair selection.
import { expect } from "chai";
import { checkCache } from "../../invariants/cache";
import { checkEdge } from "../../invariants/edge";
import { estimateMonthlyCost } from "../../cost/estimate";
import { policyCounts } from "../../synth/report";
import type { PlannedResource } from "../../synth/recordStack";
import type { SynthesisResult } from "../../synth/synthesize";
import { onlyOf } from "../fixtures/plannedResources";
import { exampleSynthesis } from "../fixtures/synthesis";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

const only = onlyOf;

describe("examples/edge-and-cache", () => {
  let result: SynthesisResult;
  before(async () => {
    result = await exampleSynthesis("edge-and-cache");
  });
  const pair = () => ({ primary: structuredClone(result.primary), dr: structuredClone(result.dr) });

  it("puts the distribution, its us-east-1 certificate and web ACL in the DR stack, and the Valkey global datastore across us-east-2 and us-west-2", () => {
    expect(result.primary.region).to.equal("us-east-2");
    expect(result.dr.region).to.equal("us-west-2");
    expect(result.primary.resources.filter((resource) => resource.type === DISTRIBUTION)).to.deep.equal([]);
    expect(only(result.dr, DISTRIBUTION).inputs.webAclId).to.match(/^arn:aws:wafv2:us-east-1:/);
    expect(only(result.primary, GROUP).inputs).to.deep.include({ engine: "valkey", nodeType: "cache.m7g.large" });
    expect(only(result.dr, GROUP).inputs.globalReplicationGroupId).to.equal(
      only(result.primary, "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup").outputs.globalReplicationGroupId,
    );
  });

  it("holds the edge's and the cache's invariants", () => {
    expect(checkEdge(pair()).violations).to.deep.equal([]);
    expect(checkCache(pair()).violations).to.deep.equal([]);
  });

  it("passes every DR invariant and every mandatory policy (issue 22's Done when)", () => {
    expect(
      result.invariants.filter((invariant) => invariant.violations.length > 0).map((invariant) => `${invariant.title}: ${invariant.violations.join("; ")}`),
    ).to.deep.equal([]);
    expect(policyCounts(result.policies.primary).mandatory, "primary").to.equal(0);
    expect(
      result.policies.dr.violations
        .filter((violation) => violation.enforcementLevel === "mandatory")
        .map((violation) => `${violation.policy}: ${violation.message}`),
    ).to.deep.equal([]);
  });

  it("fails the cache invariant on a primary group without encryption, a key of another region, no lag alarm, or no DR member", () => {
    const plain = pair();
    // The DR member inherits both encryptions from the primary group (the provider refuses the flags beside globalReplicationGroupId).
    expect(only(plain.dr, GROUP).inputs).not.to.have.property("transitEncryptionEnabled");
    only(plain.primary, GROUP).inputs.transitEncryptionEnabled = false;
    only(plain.primary, GROUP).inputs.kmsKeyId = "arn:aws:kms:us-west-2:123456789012:key/other";
    const violations = checkCache(plain).violations.join("\n");
    expect(violations).to.match(/primary-cache-group: encryption in transit is off/);
    expect(violations).not.to.match(/dr-cache-group: encryption/);
    expect(violations).to.match(/primary-cache-group: kmsKeyId .* must be a KMS key of the group's own region us-east-2/);
    const silent = pair();
    silent.dr.resources = silent.dr.resources.filter((resource) => !resource.name.includes("cache-replication-lag"));
    expect(checkCache(silent).violations.join("\n")).to.match(/no alarm on AWS\/ElastiCache GlobalDatastoreReplicationLag in us-west-2/);
    const alone = pair();
    alone.dr.resources = alone.dr.resources.filter((resource) => resource.type !== GROUP);
    expect(checkCache(alone).violations.join("\n")).to.match(/the DR region none: a failover finds no cache/);
    expect(checkCache(alone).violations.join("\n")).to.match(/0 replication groups join the global datastore/);
  });

  it("fails the edge invariant on 4xx failover, writes on the DR origin, a certificate of another region, and 443 open to the internet", () => {
    const changed = pair();
    const props = only(changed.dr, DISTRIBUTION).inputs as any;
    props.originGroups[0].failoverCriteria.statusCodes = [403, 500, 502, 503];
    props.orderedCacheBehaviors[0].targetOriginId = "dr";
    props.viewerCertificate.acmCertificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/abc";
    props.origins[0].domainName = "app.dr.example.com";
    const rule = changed.primary.resources.find((resource) => resource.name === "primary-app-alb-edge-in-443") as PlannedResource;
    rule.inputs = { ...rule.inputs, prefixListId: undefined, cidrIpv4: "0.0.0.0/0" };
    const violations = checkEdge(changed).violations.join("\n");
    expect(violations).to.match(/fails over on \[403,500,502,503\]/);
    expect(violations).to.match(/sends writes to dr, not the primary origin/);
    expect(violations).to.match(/certificate is in us-west-2/);
    expect(violations).to.match(/primary origin app\.dr\.example\.com is not the Route 53 failover pair's name/);
    expect(violations).to.match(/primary-app-alb-edge-in-443: opens 443 to 0\.0\.0\.0\/0/);
    expect(violations).to.match(/no rule lets CloudFront's origin-facing prefix list reach 443/);
  });

  it("prices both caches per node-hour (2 Valkey cache.m7g.large nodes a side) and the web ACL, leaving nothing fixed unpriced", () => {
    const primary = estimateMonthlyCost(result.primary);
    const dr = estimateMonthlyCost(result.dr);
    expect(primary.unpriced).to.deep.equal([]);
    expect(dr.unpriced).to.deep.equal([]);
    const cacheLine = (estimate: typeof primary, name: string) => estimate.lines.filter((line) => line.resourceName === name);
    expect(cacheLine(primary, "primary-cache-group").map((line) => line.quantity)).to.deep.equal([2 * 730]);
    expect(cacheLine(dr, "dr-cache-group").map((line) => line.quantity)).to.deep.equal([2 * 730]);
    expect(dr.lines.some((line) => line.resourceName === "edge-waf")).to.equal(true);
  });
});
