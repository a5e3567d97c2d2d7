/* eslint-disable @typescript-eslint/no-explicit-any -- distribution arguments and plan inputs are nested untyped JSON read back from the synthesis */
// The edge distribution: origin group and behaviours (pure), the component under mocks in a non-default
// region pair (primary eu-central-1, DR eu-west-1: the certificate and web ACL still in us-east-1), and
// the DR stack's wiring in and out of the outage mode.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { edgeSchema } from "../../config/edge";
import {
  ALL_METHODS,
  distributionArgs,
  FAILOVER_STATUS_CODES,
  failoverOriginNameOf,
  MANAGED_POLICY_IDS,
  ORIGIN_IDS,
  READ_METHODS,
} from "../../components/edge/distribution";
import { ORIGIN_VERIFY_HEADER } from "../../components/edge/originAccess";
import { CLOUDFRONT_HOSTED_ZONE_ID } from "../../components/edge/records";
import { originVerifySecret, ORIGIN_SECRET_LENGTH } from "../../components/edge/originSecret";
import * as aws from "@pulumi/aws";
import { buildEdge, buildEdgeAliases, failoverRecordOptions, primaryEdge, type PrimaryEdgeOutputs } from "../../stacks/edge";
import { RetainedInRegion } from "../../stacks/regionalProvider";
import { type StackPlan } from "../../synth/recordStack";
import { oneOf, ofType, planEdge, TYPES } from "./planEdge";

const cloudFront = (overrides: Record<string, unknown> = {}) => edgeSchema.parse({ cloudFront: { enabled: true, ...overrides } }).cloudFront;
const inputs = {
  applicationName: "app.example.net",
  failoverOriginName: "origin.app.example.net",
  drAlbDnsName: "dr-alb-123.eu-west-1.elb.amazonaws.com",
  originVerifySecret: "secret",
  certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
};

describe("distributionArgs", () => {
  const args = distributionArgs({ ...inputs, cloudFront: cloudFront({ writePaths: ["/write", "/api/*"] }) }) as Record<string, any>;

  it("groups the failover name and the DR ALB, failing over on 500, 502, 503, 504", () => {
    expect(args.origins.map((origin: any) => [origin.originId, origin.domainName])).to.deep.equal([
      [ORIGIN_IDS.primary, "origin.app.example.net"],
      [ORIGIN_IDS.dr, "dr-alb-123.eu-west-1.elb.amazonaws.com"],
    ]);
    expect(args.originGroups).to.deep.equal([
      { originId: ORIGIN_IDS.group, failoverCriteria: { statusCodes: [500, 502, 503, 504] }, members: [{ originId: "primary" }, { originId: "dr" }] },
    ]);
    expect([...FAILOVER_STATUS_CODES]).to.deep.equal([500, 502, 503, 504]);
  });

  it("reaches both origins over HTTPS only with TLS 1.2 and the secret header", () => {
    for (const origin of args.origins) {
      expect(origin.customOriginConfig).to.deep.include({ originProtocolPolicy: "https-only", httpsPort: 443, originSslProtocols: ["TLSv1.2"] });
      expect(origin.customHeaders).to.deep.equal([{ name: ORIGIN_VERIFY_HEADER, value: "secret" }]);
      expect(origin.connectionAttempts * origin.connectionTimeout).to.be.at.most(10);
    }
  });

  it("sends reads (GET, HEAD, OPTIONS) to the origin group and every write path, all methods, to the failover name alone", () => {
    expect(args.defaultCacheBehavior).to.deep.include({ targetOriginId: ORIGIN_IDS.group, allowedMethods: [...READ_METHODS] });
    expect(args.orderedCacheBehaviors.map((behavior: any) => [behavior.pathPattern, behavior.targetOriginId, behavior.allowedMethods])).to.deep.equal([
      ["/write", ORIGIN_IDS.primary, [...ALL_METHODS]],
      ["/api/*", ORIGIN_IDS.primary, [...ALL_METHODS]],
    ]);
    for (const behavior of [args.defaultCacheBehavior, ...args.orderedCacheBehaviors]) {
      expect(behavior).to.deep.include({
        cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
        originRequestPolicyId: MANAGED_POLICY_IDS.allViewer,
        viewerProtocolPolicy: "redirect-to-https",
      });
    }
  });

  it("aliases the application name with the us-east-1 certificate over SNI and TLS 1.2", () => {
    expect(args.aliases).to.deep.equal(["app.example.net"]);
    expect(args.viewerCertificate).to.deep.equal({
      acmCertificateArn: inputs.certificateArn,
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    });
    expect(args.priceClass).to.equal("PriceClass_100");
    expect(args).to.not.have.property("webAclId");
    expect(distributionArgs({ ...inputs, webAclArn: "arn:waf", cloudFront: cloudFront() }).webAclId).to.equal("arn:waf");
  });

  it("names the failover origin under the application name", () => {
    expect(failoverOriginNameOf("app.example.net")).to.equal("origin.app.example.net");
  });
});

describe("originVerifySecret", () => {
  it("is 64 lower-case letters and digits, versioned by keepers, marked secret", async () => {
    const plan = await planEdge("eu-central-1", () => ({ secret: originVerifySecret("edge-origin-secret", 2) }));
    const password = oneOf(plan, TYPES.password);
    expect(password.inputs).to.deep.include({
      length: ORIGIN_SECRET_LENGTH,
      upper: false,
      special: false,
      lower: true,
      numeric: true,
      keepers: { version: "2" },
    });
  });

  it("refuses a version below 1", () => {
    expect(() => originVerifySecret("s", 0)).to.throw(RangeError, /at least 1/);
  });
});

/** The primary's edge outputs as the DR stack reads them. */
const primaryOutputs = (overrides: Record<string, unknown> = {}): PrimaryEdgeOutputs => ({
  edge: cloudFront(overrides),
  edgeOriginVerifySecret: pulumi.secret("secret-from-the-primary"),
});

describe("EdgeDistribution (DR eu-west-1, primary eu-central-1)", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planEdge("eu-west-1", (opts) => {
      const edge = buildEdge({
        primary: primaryOutputs({ waf: { enabled: true } }),
        applicationName: "app.example.net",
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        drAlbDnsName: "dr-alb-123.eu-west-1.elb.amazonaws.com",
        primaryRegion: "eu-central-1",
        outage: false,
        namePrefix: "multi-region-dr-dr-edge",
        opts,
      });
      // A stand-in for the failover pair (components/failoverRouting.ts) with the options the DR stack gives it.
      const pair = new pulumi.ComponentResource("test:dns:FailoverPair", "failover", {}, { ...opts, ...failoverRecordOptions(edge) });
      new aws.route53.Record(
        "failover-primary",
        {
          zoneId: "Z0123456789ABCDEFGHIJ",
          name: "origin.app.example.net",
          type: "A",
          setIdentifier: "primary-eu-central-1",
          failoverRoutingPolicies: [{ type: "PRIMARY" }],
        },
        { parent: pair },
      );
      buildEdgeAliases(edge, pair);
      return { failoverOriginName: edge?.failoverOriginName };
    });
  });

  it("puts the certificate, its validation and the web ACL in us-east-1, whatever the stack's region", () => {
    expect(oneOf(plan, TYPES.certificate).inputs).to.deep.include({ domainName: "app.example.net", validationMethod: "DNS", region: "us-east-1" });
    expect(oneOf(plan, TYPES.certificateValidation).inputs.region).to.equal("us-east-1");
    expect(oneOf(plan, TYPES.webAcl).inputs).to.deep.include({ scope: "CLOUDFRONT", region: "us-east-1", name: "multi-region-dr-dr-edge" });
  });

  it("runs the AWS managed rule groups and a per-IP rate limit", () => {
    const rules = oneOf(plan, TYPES.webAcl).inputs.rules as any[];
    expect(rules.map((rule) => rule.statement.managedRuleGroupStatement?.name ?? "rate")).to.deep.equal([
      "AWSManagedRulesAmazonIpReputationList",
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
      "rate",
    ]);
    expect(rules[3].statement.rateBasedStatement).to.deep.include({ limit: 2000, aggregateKeyType: "IP" });
  });

  it("builds the distribution on the validated certificate and the web ACL, with the primary's secret", () => {
    const distribution = oneOf(plan, TYPES.distribution);
    const certificateArn = oneOf(plan, TYPES.certificateValidation).outputs.certificateArn;
    expect(certificateArn).to.match(/^arn:aws:acm:us-east-1:/);
    expect(oneOf(plan, TYPES.webAcl).outputs.arn).to.match(/^arn:aws:wafv2:us-east-1:/);
    expect((distribution.inputs.viewerCertificate as any).acmCertificateArn).to.equal(certificateArn);
    expect(distribution.inputs.webAclId).to.equal(oneOf(plan, TYPES.webAcl).outputs.arn);
    expect((distribution.inputs.origins as any[]).map((origin) => origin.customHeaders[0].value)).to.deep.equal([
      "secret-from-the-primary",
      "secret-from-the-primary",
    ]);
    expect(plan.outputs.failoverOriginName).to.equal("origin.app.example.net");
  });

  it("aliases the application name (A and AAAA) to CloudFront's zone, without target health", () => {
    const aliases = ofType(plan, TYPES.record).filter((record) => record.name.startsWith("edge-alias"));
    expect(aliases.map((record) => record.inputs.type).sort()).to.deep.equal(["A", "AAAA"]);
    for (const record of aliases) {
      expect(record.inputs).to.deep.include({ name: "app.example.net", zoneId: "Z0123456789ABCDEFGHIJ" });
      expect((record.inputs.aliases as any[])[0]).to.deep.include({ zoneId: CLOUDFRONT_HOSTED_ZONE_ID, evaluateTargetHealth: false });
    }
  });

  it("orders the switch: the failover pair after the distribution, the aliases after the pair (Route 53 refuses them side by side)", () => {
    const distribution = oneOf(plan, TYPES.distribution);
    const pairRecord = oneOf(plan, TYPES.record, "failover-primary");
    expect(pairRecord.dependencies).to.include(distribution.urn);
    for (const alias of ofType(plan, TYPES.record).filter((record) => record.name.startsWith("edge-alias"))) {
      expect(alias.dependencies, alias.name).to.include(pairRecord.urn);
      expect(alias.parentUrn, alias.name).to.match(/EdgeDistribution::edge$/);
    }
  });
});

describe("buildEdge and the outage model", () => {
  const args = (primaryRegion: string, outage: boolean, retained?: RetainedInRegion) => ({
    primary: primaryOutputs(),
    applicationName: "app.example.net",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
    drAlbDnsName: "dr-alb.us-west-2.elb.amazonaws.com",
    primaryRegion,
    outage,
    namePrefix: "edge",
    ...(retained ? { retained } : {}),
  });

  it("builds nothing while the edge is off", async () => {
    const plan = await planEdge("us-west-2", (opts) => {
      buildEdge({ ...args("us-east-1", false), primary: { edge: edgeSchema.parse({}).cloudFront }, opts });
    });
    expect(ofType(plan, TYPES.distribution)).to.deep.equal([]);
  });

  it("retains every edge resource when the primary is us-east-1 (its control plane), so the outage mode can drop them", async () => {
    const retained = new RetainedInRegion("us-east-1");
    const plan = await planEdge("us-west-2", (opts) => {
      buildEdge({ ...args("us-east-1", false, retained), opts });
    });
    for (const type of [TYPES.distribution, TYPES.certificate, TYPES.record]) {
      for (const resource of ofType(plan, type)) expect(resource.retainOnDelete, resource.name).to.equal(true);
    }
    expect(retained.resources.map((resource) => resource.type)).to.include("aws:cloudfront/distribution:Distribution");
  });

  it("declares no edge resource in the outage mode when the primary is us-east-1, and keeps it otherwise", async () => {
    const down = await planEdge("us-west-2", (opts) => {
      buildEdge({ ...args("us-east-1", true, new RetainedInRegion("us-east-1")), opts });
    });
    expect(down.resources.filter((resource) => resource.type.startsWith("aws:") && resource.type !== "pulumi:providers:aws")).to.deep.equal([]);
    const elsewhere = await planEdge("us-west-2", (opts) => {
      buildEdge({ ...args("eu-central-1", true, new RetainedInRegion("eu-central-1")), opts });
    });
    expect(ofType(elsewhere, TYPES.distribution)).to.have.length(1);
    expect(oneOf(elsewhere, TYPES.distribution).retainOnDelete).to.equal(false);
  });

  it("gives the primary's ALB the secret and the prefix list only when the edge is on", () => {
    expect(primaryEdge(edgeSchema.parse({}), undefined as never)).to.deep.equal({ outputs: { edge: edgeSchema.parse({}).cloudFront } });
  });
});
