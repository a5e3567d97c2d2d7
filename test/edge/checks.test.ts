/* eslint-disable @typescript-eslint/no-explicit-any -- plan inputs are nested untyped JSON read back from the synthesis */
// The checks the edge and the cache change (issue 22, last mile), on the synthesized edge-and-cache example: the
// Route 53 checks probe the ALBs' health listener (HTTP 80) and its health-path rule forwards (DR invariant 4,
// dr-failover-pair); the DR app listener serves by its origin-verify rule (dr-listener-health-check-match); the
// distribution is global (dr-region-isolation); the cache and edge components are role-specific or recovery-layer
// kinds (DR invariant 7) while invariant 18 compares the cache groups' engine, node type and shards; the fence
// checks follow the alarm's dimensions (FailoverRouting's triggers). Each with plans changed so that it fails.
import { expect } from "chai";
import { cacheParityProblems, checkCache, GLOBAL_DATASTORE } from "../../invariants/cache";
import { checkFailoverRecords } from "../../invariants/failoverRecords";
import { isGlobalType } from "../../invariants/globalTypes";
import { forwardsHealthPath, forwardsOriginVerified } from "../../invariants/listenerRules";
import { checkRegionalParity } from "../../invariants/regionalParity";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import type { StackPlan } from "../../synth/recordStack";
import type { SynthesisResult } from "../../synth/synthesize";
import { onlyOf } from "../fixtures/plannedResources";
import { exampleSynthesis } from "../fixtures/synthesis";

const RULE = "aws:lb/listenerRule:ListenerRule";
const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";

const only = onlyOf;
const without = (plan: StackPlan, name: string): StackPlan => ({ ...plan, resources: plan.resources.filter((resource) => resource.name !== name) });

describe("edge and cache: the checks they change", () => {
  let result: SynthesisResult;
  before(async () => {
    result = await exampleSynthesis("edge-and-cache");
  });
  const pair = () => ({ primary: structuredClone(result.primary), dr: structuredClone(result.dr) });
  const policyMessages = async (plan: StackPlan, name: string) =>
    (
      await evaluatePolicies(
        plan,
        {},
        ALL_POLICIES.filter((policy) => policy.name === name),
      )
    ).violations.map((violation) => violation.message);

  describe("listener rules (invariants/listenerRules.ts)", () => {
    it("counts the origin-verify rule and the health-path rule as forwarding, and nothing broader or narrower", () => {
      const forward = [{ type: "forward" }];
      expect(forwardsOriginVerified({ conditions: [{ httpHeader: { httpHeaderName: "x-origin-verify", values: ["s"] } }], actions: forward })).to.equal(true);
      expect(forwardsOriginVerified({ conditions: [{ httpHeader: { httpHeaderName: "X-Other", values: ["s"] } }], actions: forward })).to.equal(false);
      expect(
        forwardsOriginVerified({
          conditions: [{ httpHeader: { httpHeaderName: "X-Origin-Verify", values: ["s"] } }, { pathPattern: { values: ["/api/*"] } }],
          actions: forward,
        }),
        "only part of the app",
      ).to.equal(false);
      expect(forwardsOriginVerified({ conditions: [{ httpHeader: { httpHeaderName: "X-Origin-Verify" } }], actions: [{ type: "fixed-response" }] })).to.equal(
        false,
      );
      const health = [{ pathPattern: { values: ["/health"] } }, { httpRequestMethod: { values: ["GET", "HEAD"] } }];
      expect(forwardsHealthPath({ conditions: health, actions: forward }, "/health")).to.equal(true);
      expect(forwardsHealthPath({ conditions: health, actions: forward }, "/ready"), "another path").to.equal(false);
      expect(forwardsHealthPath({ conditions: [health[0], { httpRequestMethod: { values: ["POST"] } }], actions: forward }, "/health"), "no GET").to.equal(
        false,
      );
    });
  });

  describe("DR invariant 4 and dr-failover-pair behind the edge", () => {
    it("expect the primary's health listener (HTTP 80) and find the DR health listener forwarding by its rule", async () => {
      expect(checkFailoverRecords(pair()).violations).to.deep.equal([]);
      expect(await policyMessages(result.dr, "dr-failover-pair")).to.deep.equal([]);
    });

    it("fall back to the app listener for a primary without healthCheckProtocol/Port (deployed before the edge)", () => {
      const changed = pair();
      delete changed.primary.outputs.healthCheckProtocol;
      delete changed.primary.outputs.healthCheckPort;
      expect(checkFailoverRecords(changed).violations).to.include.members([
        'failover-primary-health: type is "HTTP", expected "HTTPS" (the primary ALB\'s)',
        "failover-primary-health: port is 80, expected 443 (the primary ALB's)",
      ]);
    });

    it("fail when the DR health listener's health-path rule is gone (its default answers 404)", async () => {
      const changed = pair();
      changed.dr = without(changed.dr, "dr-app-health-path");
      expect(checkFailoverRecords(changed).violations).to.deep.equal([
        "failover-secondary-health: probes HTTP port 80, not a listener of the DR ALB that forwards to the app (none)",
      ]);
      expect(await policyMessages(changed.dr, "dr-failover-pair")).to.deep.equal([
        "failover-secondary-health: probes HTTP port 80, not a listener of dr-app-alb that forwards to the app (none)",
      ]);
    });
  });

  describe("dr-listener-health-check-match behind the edge", () => {
    it("passes the HTTPS listener that forwards by its origin-verify rule, and fails without the rule", async () => {
      expect(only(result.dr, RULE, "dr-app-origin-verify").inputs.conditions).to.have.length(1);
      expect(await policyMessages(result.dr, "dr-listener-health-check-match")).to.deep.equal([]);
      expect(await policyMessages(without(result.dr, "dr-app-origin-verify"), "dr-listener-health-check-match")).to.deep.equal([
        "dr-app-alb: no listener forwards HTTPS 443 to a target group of this stack, as the primary's does (listeners: HTTP 80, HTTPS 443): after a failover users' requests to the app's URL find nothing",
      ]);
    });

    it("no longer lets dr-asg-attached-to-target-group skip a DR tier whose listeners forward by rules alone", async () => {
      const changed = structuredClone(result.dr);
      const group = only(changed, "aws:autoscaling/group:Group", "dr-app-asg");
      group.inputs.targetGroupArns = [];
      group.outputs.targetGroupArns = [];
      const messages = await policyMessages(changed, "dr-asg-attached-to-target-group");
      expect(messages.join("\n")).to.match(/dr-app-asg: is attached to no target group the DR load balancer forwards to/);
    });
  });

  describe("dr-region-isolation and DR invariant 8: one list of global types", () => {
    it("skips the distribution, whose certificate and web ACL are in us-east-1 by design", async () => {
      expect(isGlobalType("aws:cloudfront/distribution:Distribution")).to.equal(true);
      expect(isGlobalType("aws:acm/certificate:Certificate")).to.equal(false);
      expect(only(result.dr, "aws:cloudfront/distribution:Distribution").region).to.equal("global");
      expect(await policyMessages(result.dr, "dr-region-isolation")).to.deep.equal([]);
    });

    it("still reports a regional resource of the DR region naming a us-east-1 resource", async () => {
      const changed = structuredClone(result.dr);
      const listener = only(changed, "aws:lb/listener:Listener", "dr-app-https");
      listener.inputs.certificateArn = listener.outputs.certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
      expect((await policyMessages(changed, "dr-region-isolation")).join("\n")).to.match(/dr-app-https: certificateArn uses arn:aws:acm:us-east-1/);
    });
  });

  describe("DR invariant 7 and 18: the cache's parity", () => {
    it("passes regional parity with the edge and the global datastore", () => {
      expect(checkRegionalParity(pair()).violations).to.deep.equal([]);
    });

    it("still compares the groups: a DR group of another kind fails invariant 7", () => {
      const changed = pair();
      changed.dr = { ...changed.dr, resources: changed.dr.resources.filter((resource) => resource.type !== GROUP) };
      expect(checkRegionalParity(changed).violations.join("\n")).to.include(GROUP);
    });

    it("invariant 18 fails a DR member that sets another node type or engine than the primary's", () => {
      const changed = pair();
      Object.assign(only(changed.dr, GROUP).inputs, { nodeType: "cache.t4g.small", engine: "redis" });
      expect(checkCache(changed).violations).to.deep.equal([
        `dr/dr-cache-group: engine is "redis", the primary's primary-cache-group "valkey": after a failover the DR cache must serve the primary's load`,
        `dr/dr-cache-group: nodeType is "cache.t4g.small", the primary's primary-cache-group "cache.m7g.large": after a failover the DR cache must serve the primary's load`,
      ]);
    });

    it("invariant 18 compares a regional DR cache (no global datastore) on engine, node type and shards", () => {
      const changed = pair();
      changed.primary = { ...changed.primary, resources: changed.primary.resources.filter((resource) => resource.type !== GLOBAL_DATASTORE) };
      const drGroup = only(changed.dr, GROUP);
      delete drGroup.inputs.globalReplicationGroupId;
      // A regional group of its own: its encryption is its own too.
      Object.assign(drGroup.inputs, {
        engine: "valkey",
        nodeType: "cache.m7g.large",
        numNodeGroups: 2,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
      });
      expect(checkCache(changed).violations).to.deep.equal([
        `dr/dr-cache-group: shards is 2, the primary's primary-cache-group 1: after a failover the DR cache must serve the primary's load`,
      ]);
      drGroup.inputs.numNodeGroups = undefined;
      expect(checkCache(changed).violations).to.deep.equal([]);
      expect(
        cacheParityProblems("dr", only(changed.primary, GROUP), { ...drGroup, inputs: { ...drGroup.inputs, nodeType: undefined } } as any, false),
      ).to.have.length(1);
    });
  });

  describe("FailoverRouting's fence checks follow the alarm's dimensions", () => {
    it("puts the fence alarm's namespace, metric and dimensions (Application origin.<app> behind the edge) in both fence checks' triggers", () => {
      const fence = only(result.dr, HEALTH_CHECK, "failover-fence-health");
      const fenced = only(result.dr, HEALTH_CHECK, "failover-fenced-health");
      const alarm = result.dr.resources.find((resource) => resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && resource.name === "failover-fence");
      expect(alarm?.inputs.dimensions).to.deep.equal({ Application: "origin.app.dr.example.com" });
      expect(fence.inputs.triggers).to.deep.include({
        namespace: alarm?.inputs.namespace,
        metricName: alarm?.inputs.metricName,
        dimensions: JSON.stringify([["Application", "origin.app.dr.example.com"]]),
      });
      expect(fenced.inputs.triggers).to.deep.equal(fence.inputs.triggers);
    });
  });
});
