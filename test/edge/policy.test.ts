/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are untyped JSON, as the policy pack reads them */
// The edge policies: a compliant edge (as the components build it) passes; each broken edge fails with
// its own message: no origin group, failover on the wrong codes, writes through the group, a certificate
// outside us-east-1, an ALB open to the internet on 443 while CloudFront is in front.
import { expect } from "chai";
import { distributionArgs } from "../../components/edge/distribution";
import { edgeSchema, ORIGIN_VERIFY_HEADER } from "../../config/edge";
import { TYPES } from "../../policy/policies/kit";
import { certificateArnRegion, EDGE_TYPES, edgePolicies } from "../../policy/policies/edge";
import { evaluatePolicies } from "../../policy/offline";
import { copyOf, planOf, type FixtureResource } from "../policy/fixtures";

/**
 * One edge policy's messages on the fixtures, through the offline evaluator (test/policy/fixtures.ts's
 * violationsOf finds only the registered pack; the lead registers these in policy/policies/index.ts).
 */
async function violationsOf(policyName: string, resources: FixtureResource[]): Promise<string[]> {
  const policy = edgePolicies.filter((candidate) => candidate.name === policyName);
  if (policy.length !== 1) throw new Error(`no edge policy named ${policyName}`);
  return (await evaluatePolicies(planOf(resources, "dr", "eu-west-1"), {}, policy)).violations.map((violation) => violation.message);
}

const US_EAST_1_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d";
const cloudFront = edgeSchema.parse({ cloudFront: { enabled: true, writePaths: ["/write"] } }).cloudFront;

/** The distribution as the program builds it, as a fixture. */
const distribution = (): FixtureResource => ({
  type: EDGE_TYPES.distribution,
  name: "edge-distribution",
  props: copyOf(
    distributionArgs({
      applicationName: "app.example.net",
      failoverOriginName: "origin.app.example.net",
      drAlbDnsName: "dr-alb.eu-west-1.elb.amazonaws.com",
      originVerifySecret: "secret",
      certificateArn: US_EAST_1_CERTIFICATE,
      cloudFront,
    }) as unknown as Record<string, unknown>,
  ),
  region: "eu-west-1",
});
const certificate = (region: string): FixtureResource => ({
  type: EDGE_TYPES.certificate,
  name: "edge-certificate",
  props: { domainName: "app.example.net", validationMethod: "DNS", region },
  region,
});
/** The ALB behind the edge: its groups, its header rule, 80 open, 443 from the prefix list. */
const lockedAlb = (): FixtureResource[] => [
  { type: TYPES.securityGroup, name: "dr-app-alb-sg", props: { vpcId: "vpc-1" } },
  { type: TYPES.securityGroup, name: "dr-app-alb-edge-sg", props: { vpcId: "vpc-1" } },
  {
    type: TYPES.loadBalancer,
    name: "dr-app-alb",
    props: { securityGroups: ["sg-1", "sg-2"] },
    propertyDependencies: { securityGroups: ["dr-app-alb-sg", "dr-app-alb-edge-sg"] },
  },
  {
    type: TYPES.ingressRule,
    name: "dr-app-alb-in-80",
    props: { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0" },
    propertyDependencies: { securityGroupId: ["dr-app-alb-sg"] },
  },
  {
    type: TYPES.ingressRule,
    name: "dr-app-alb-edge-in-443",
    props: { ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId: "pl-4fa04526" },
    propertyDependencies: { securityGroupId: ["dr-app-alb-edge-sg"] },
  },
  {
    type: EDGE_TYPES.listenerRule,
    name: "dr-app-origin-verify",
    props: { conditions: [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: ["secret"] } }] },
  },
];

describe("edge policies", () => {
  describe("edge-origin-failover", () => {
    it("passes the program's distribution", async () => {
      expect(await violationsOf("edge-origin-failover", [distribution()])).to.deep.equal([]);
    });

    it("fails a distribution without an origin group", async () => {
      const broken = distribution();
      broken.props.originGroups = [];
      broken.props.defaultCacheBehavior = { ...(broken.props.defaultCacheBehavior as any), targetOriginId: "primary" };
      const violations = await violationsOf("edge-origin-failover", [broken]);
      expect(violations).to.have.length(1);
      expect(violations[0]).to.match(/no origin group/);
    });

    it("fails failover on the wrong codes (403 and 404 added, 504 missing)", async () => {
      const broken = distribution();
      (broken.props.originGroups as any)[0].failoverCriteria.statusCodes = [403, 404, 500, 502, 503];
      const violations = await violationsOf("edge-origin-failover", [broken]);
      expect(violations).to.have.length(1);
      expect(violations[0]).to.match(/fails over on \[403,404,500,502,503\]: set exactly 500,502,503,504/);
    });

    it("fails writes through the origin group or to the DR origin", async () => {
      const viaGroup = distribution();
      (viaGroup.props.orderedCacheBehaviors as any)[0].targetOriginId = "pair";
      expect(await violationsOf("edge-origin-failover", [viaGroup])).to.satisfy((list: string[]) =>
        list.some((message) => /writes to origin group pair/.test(message)),
      );
      const toDr = distribution();
      (toDr.props.orderedCacheBehaviors as any)[0].targetOriginId = "dr";
      expect(await violationsOf("edge-origin-failover", [toDr])).to.satisfy((list: string[]) =>
        list.some((message) => /not the primary origin primary/.test(message)),
      );
      const postOnGroup = distribution();
      (postOnGroup.props.defaultCacheBehavior as any).allowedMethods = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];
      expect(await violationsOf("edge-origin-failover", [postOnGroup])).to.satisfy((list: string[]) =>
        list.some((message) => /allows PUT, PATCH, POST, DELETE/.test(message)),
      );
    });
  });

  describe("edge-certificate-us-east-1", () => {
    it("passes a us-east-1 certificate", async () => {
      expect(await violationsOf("edge-certificate-us-east-1", [distribution(), certificate("us-east-1")])).to.deep.equal([]);
    });

    it("fails a certificate requested in the stack's region", async () => {
      const violations = await violationsOf("edge-certificate-us-east-1", [distribution(), certificate("eu-west-1")]);
      expect(violations).to.have.length(1);
      expect(violations[0]).to.match(/is in eu-west-1; CloudFront takes certificates from us-east-1 only/);
    });

    it("fails a literal certificate ARN of another region", async () => {
      const broken = distribution();
      (broken.props.viewerCertificate as any).acmCertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/x";
      expect(await violationsOf("edge-certificate-us-east-1", [broken])).to.deep.equal([
        "edge-distribution: its certificate is in eu-west-1; request it in us-east-1",
      ]);
      expect(certificateArnRegion(undefined)).to.equal(undefined);
    });
  });

  describe("edge-alb-cloudfront-only", () => {
    it("passes the locked ALB, and an ALB open on 443 when no edge is on", async () => {
      expect(await violationsOf("edge-alb-cloudfront-only", lockedAlb())).to.deep.equal([]);
      const open: FixtureResource = {
        type: TYPES.ingressRule,
        name: "alb-in-443",
        props: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
      };
      expect(await violationsOf("edge-alb-cloudfront-only", [open])).to.deep.equal([]);
    });

    it("fails 443 open to 0.0.0.0/0 while the edge is on (the origin-verify rule in this stack)", async () => {
      const open: FixtureResource = {
        type: TYPES.ingressRule,
        name: "dr-app-alb-in-443",
        props: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
        propertyDependencies: { securityGroupId: ["dr-app-alb-sg"] },
      };
      const violations = await violationsOf("edge-alb-cloudfront-only", [...lockedAlb(), open]);
      expect(violations).to.deep.equal(["dr-app-alb-in-443: opens 443-443 to 0.0.0.0/0 while CloudFront is in front: only 80 (the health path) may be"]);
    });

    it("fails an ALB the prefix list cannot reach, in a stack with a distribution", async () => {
      const withoutPrefixList = lockedAlb().filter((resource) => resource.name !== "dr-app-alb-edge-in-443");
      const violations = await violationsOf("edge-alb-cloudfront-only", [distribution(), ...withoutPrefixList]);
      expect(violations).to.have.length(1);
      expect(violations[0]).to.match(/prefix list reach 443/);
    });
  });
});
