/**
 * The DR tier policies (issue 19, policy/policies/drTier.ts): the synthesized DR stack passes each
 * one, and a copy of it broken in exactly one way fails with exactly the expected message. The pure
 * helpers (image, target group, matcher, user-data scan) are tested on small values, failure paths
 * included. The primary stack, which has no DR manifest, is never judged.
 */
import { gzipSync } from "node:zlib";
import { expect } from "chai";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { drTierPolicies, imageProblem, matcherAccepts, otherRegionMentions, targetGroupProblems } from "../../policy/policies/drTier";
import { userDataText } from "../../policy/policies/kit";
import { TYPES } from "../../policy/policies/kit";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import { copyOf, synthesizedStacks } from "./fixtures";
import { named } from "../fixtures/plannedResources";

const NAMES = [
  "dr-launch-template-regional-image",
  "dr-asg-attached-to-target-group",
  "dr-load-balancer-internet-facing",
  "dr-listener-health-check-match",
  "dr-app-config-in-region",
];

/** Runs one policy of the pack on a plan; returns the violations' messages. */
async function violations(policyName: string, plan: StackPlan, settings?: Record<string, unknown>): Promise<string[]> {
  const policy = ALL_POLICIES.filter((candidate) => candidate.name === policyName);
  expect(policy, policyName).to.have.length(1);
  const report = await evaluatePolicies(plan, settings ? { [policyName]: settings as never } : {}, policy);
  return report.violations.map((violation) => violation.message);
}

/** A copy of the synthesized DR plan. */
async function drPlan(): Promise<StackPlan> {
  return copyOf((await synthesizedStacks()).dr);
}

/** Sets `key` in a resource's inputs and outputs alike (resource policies read inputs, stack policies outputs). */
function setProp(resource: PlannedResource, key: string, value: unknown): void {
  for (const props of [resource.inputs, resource.outputs]) {
    if (value === undefined) delete props[key];
    else props[key] = copyOf(value);
  }
}

/** The DR app's user data as text. */
function userDataOf(plan: StackPlan): string {
  return Buffer.from(String(named(plan, "dr-app-lt").inputs.userData), "base64").toString("utf8");
}

describe("DR tier policies (issue 19)", function () {
  this.timeout(180_000);

  it("are the DR tier group, mandatory, each described on one line with a source", () => {
    expect(drTierPolicies.map((policy) => policy.name)).to.deep.equal(NAMES);
    for (const policy of drTierPolicies) {
      expect(policy.enforcementLevel, policy.name).to.equal("mandatory");
      expect(policy.description, policy.name).to.not.include("\n");
      expect(policy.description, policy.name).to.match(/\b(WA|DR invariants?|Route 53|design)\b/);
    }
  });

  it("pass both synthesized stacks (the primary has no DR manifest and is not judged)", async () => {
    const { primary, dr } = await synthesizedStacks();
    for (const plan of [primary, dr]) {
      const report = await evaluatePolicies(plan, {}, drTierPolicies);
      expect(report.violations, plan.stack).to.deep.equal([]);
      expect(report.passed, plan.stack).to.deep.equal(NAMES);
    }
  });

  it("judge nothing on a primary stack even when it is broken", async () => {
    const plan = copyOf((await synthesizedStacks()).primary);
    setProp(named(plan, "primary-app-alb"), "internal", true);
    expect(await violations("dr-load-balancer-internet-facing", plan)).to.deep.equal([]);
  });

  describe("dr-launch-template-regional-image", () => {
    const POLICY = "dr-launch-template-regional-image";

    it("fails a launch template without an image", async () => {
      const plan = await drPlan();
      setProp(named(plan, "dr-app-lt"), "imageId", undefined);
      expect(await violations(POLICY, plan)).to.deep.equal([
        "dr-app-lt: has no imageId: every instance the Auto Scaling Group launches from it needs an image of the DR region (RunInstances requires one)",
      ]);
    });

    it("fails an SSM parameter reference of the primary region and passes one by name", async () => {
      const plan = await drPlan();
      const template = named(plan, "dr-app-lt");
      const arn = "arn:aws:ssm:us-east-1:123456789012:parameter/golden/app-ami";
      setProp(template, "imageId", `resolve:ssm:${arn}`);
      expect(await violations(POLICY, plan)).to.deep.equal([
        `dr-app-lt: imageId resolve:ssm:${arn} names an SSM parameter of us-east-1: EC2 resolves images in us-west-2; use the parameter's name so it resolves there`,
      ]);
      setProp(template, "imageId", "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
      expect(await violations(POLICY, plan)).to.deep.equal([]);
    });

    it("fails the source image of a cross-region AMI copy, and passes the copy", async () => {
      const plan = await drPlan();
      const template = named(plan, "dr-app-lt");
      const provider = plan.resources.find((resource) => resource.type === "pulumi:providers:aws" && resource.region === "us-west-2")!;
      const source = "ami-0123456789abcdef0";
      const copyState = { sourceAmiId: source, sourceAmiRegion: "us-east-1", name: "app-ami", id: "ami-0fedcba9876543210" };
      plan.resources.push({
        ...copyOf(template),
        urn: template.urn.replace("aws:ec2/launchTemplate:LaunchTemplate::dr-app-lt", "aws:ec2/amiCopy:AmiCopy::app-ami"),
        type: "aws:ec2/amiCopy:AmiCopy",
        name: "app-ami",
        providerUrn: provider.urn,
        dependencies: [],
        propertyDependencies: {},
        inputs: copyOf(copyState),
        outputs: copyOf(copyState),
      });
      setProp(template, "imageId", source);
      expect(await violations(POLICY, plan)).to.deep.equal([
        `dr-app-lt: imageId ${source} is the source image of the copy app-ami, an image of us-east-1: AMIs are regional, so instances in us-west-2 cannot launch from it; resolve the image in us-west-2 (its SSM parameter through the DR provider) or copy it there`,
      ]);
      setProp(template, "imageId", copyState.id);
      expect(await violations(POLICY, plan)).to.deep.equal([]);
    });

    it("fails an image id that is the value of an SSM parameter declared in the primary region", async () => {
      const plan = await drPlan();
      const template = named(plan, "dr-app-lt");
      const manifest = plan.resources.find((resource) => String(resource.inputs.name ?? "").endsWith("/recovery-manifest"))!;
      const primaryProvider = plan.resources.find((resource) => resource.type === "pulumi:providers:aws" && resource.region === "us-east-1");
      expect(primaryProvider, "the DR stack's provider of the primary region").to.not.equal(undefined);
      const image = "ami-0aaaaaaaaaaaaaaaa";
      const state = { name: "/golden/app-ami", type: "String", insecureValue: image };
      plan.resources.push({
        ...copyOf(manifest),
        urn: manifest.urn.replace(/::[^:]+$/, "::golden-ami"),
        name: "golden-ami",
        providerUrn: primaryProvider!.urn,
        region: "us-east-1",
        dependencies: [],
        propertyDependencies: {},
        inputs: copyOf(state),
        outputs: copyOf(state),
      });
      setProp(template, "imageId", image);
      expect(await violations(POLICY, plan)).to.deep.equal([
        `dr-app-lt: imageId ${image} is the value of the SSM parameter golden-ami, an image of us-east-1: AMIs are regional, so instances in us-west-2 cannot launch from it; resolve the image in us-west-2 (its SSM parameter through the DR provider) or copy it there`,
      ]);
    });

    it("fails an image id built from a resource of the primary region (its property dependency)", async () => {
      const plan = await drPlan();
      const template = named(plan, "dr-app-lt");
      const manifest = plan.resources.find((resource) => String(resource.inputs.name ?? "").endsWith("/recovery-manifest"))!;
      const primaryProvider = plan.resources.find((resource) => resource.type === "pulumi:providers:aws" && resource.region === "us-east-1")!;
      const urn = manifest.urn.replace(/::[^:]+$/, "::build-output");
      const state = { name: "/build/output", type: "String", insecureValue: "build 42" };
      plan.resources.push({
        ...copyOf(manifest),
        urn,
        name: "build-output",
        providerUrn: primaryProvider.urn,
        region: "us-east-1",
        dependencies: [],
        propertyDependencies: {},
        inputs: copyOf(state),
        outputs: copyOf(state),
      });
      template.propertyDependencies.imageId = [urn];
      expect(await violations(POLICY, plan)).to.deep.equal([
        "dr-app-lt: imageId comes from build-output in us-east-1: AMIs are regional; resolve the image in us-west-2",
      ]);
    });

    it("imageProblem: names, ARNs, AMI ids, the foreign list and garbage", () => {
      expect(imageProblem("ami-12345678", "us-west-2")).to.equal(undefined);
      expect(imageProblem("ami-0123456789abcdef0", "us-west-2")).to.equal(undefined);
      expect(imageProblem("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64", "us-west-2")).to.equal(undefined);
      expect(imageProblem("resolve:ssm:arn:aws:ssm:us-west-2:111122223333:parameter/ami:3", "us-west-2")).to.equal(undefined);
      expect(imageProblem("resolve:ssm:arn:aws:ssm:eu-west-1:111122223333:parameter/ami", "us-west-2")).to.include("names an SSM parameter of eu-west-1");
      expect(imageProblem("ubuntu-22.04", "us-west-2")).to.equal(
        'imageId "ubuntu-22.04" is not an AMI id (ami-<8 or 17 hex digits>) or a resolve:ssm: reference',
      );
      expect(imageProblem(42, "us-west-2")).to.equal("imageId 42 is not an AMI id or a resolve:ssm: reference");
      expect(imageProblem("", "us-west-2")).to.include("has no imageId");
      expect(imageProblem("ami-12345678", "us-west-2", [{ imageId: "ami-12345678", what: "the primary's app image", region: "us-east-1" }])).to.include(
        "is the primary's app image, an image of us-east-1",
      );
    });
  });

  describe("dr-asg-attached-to-target-group", () => {
    const POLICY = "dr-asg-attached-to-target-group";

    it("fails an Auto Scaling Group attached to no target group", async () => {
      const plan = await drPlan();
      setProp(named(plan, "dr-app-asg"), "targetGroupArns", []);
      expect(await violations(POLICY, plan)).to.deep.equal([
        "dr-app-asg: is attached to no target group the DR load balancer forwards to (dr-app-tg): its instances would never receive traffic after a failover; list the target group's ARN in targetGroupArns",
        "dr-app-tg: the DR load balancer forwards to it but no Auto Scaling Group of us-west-2 is attached to it: it has no targets and the ALB answers 503",
      ]);
    });

    it("fails a group attached to a target group the load balancer does not forward to", async () => {
      const plan = await drPlan();
      setProp(named(plan, "dr-app-asg"), "targetGroupArns", ["arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/other/0123456789abcdef"]);
      expect(await violations(POLICY, plan)).to.have.length(2);
    });

    it("passes the attachment as a traffic source or a standalone attachment resource", async () => {
      const plan = await drPlan();
      const group = named(plan, "dr-app-asg");
      const arn = String(named(plan, "dr-app-tg").outputs.arn);
      setProp(group, "targetGroupArns", []);
      setProp(group, "trafficSources", [{ identifier: arn, type: "elbv2" }]);
      expect(await violations(POLICY, plan)).to.deep.equal([]);
      setProp(group, "trafficSources", []);
      const state = { autoscalingGroupName: group.outputs.name, lbTargetGroupArn: arn };
      plan.resources.push({
        ...copyOf(group),
        urn: group.urn.replace(/::dr-app-asg$/, "::dr-app-attachment").replace("aws:autoscaling/group:Group", "aws:autoscaling/attachment:Attachment"),
        type: "aws:autoscaling/attachment:Attachment",
        name: "dr-app-attachment",
        dependencies: [],
        propertyDependencies: {},
        inputs: copyOf(state),
        outputs: copyOf(state),
      });
      expect(await violations(POLICY, plan)).to.deep.equal([]);
    });
  });

  describe("dr-load-balancer-internet-facing", () => {
    const POLICY = "dr-load-balancer-internet-facing";

    it("fails an internal DR load balancer, unless allowed by name", async () => {
      const plan = await drPlan();
      setProp(named(plan, "dr-app-alb"), "internal", true);
      expect(await violations(POLICY, plan)).to.deep.equal([
        "dr-app-alb: internal is true: its DNS name resolves to private addresses only, so after a failover no user reaches the DR region; set internal false (components/appTier.ts)",
      ]);
      expect(await violations(POLICY, plan, { allowInternal: ["dr-app-alb"] })).to.deep.equal([]);
    });
  });

  describe("dr-listener-health-check-match", () => {
    const POLICY = "dr-listener-health-check-match";

    it("fails a listener on another port than the primary's", async () => {
      const plan = await drPlan();
      setProp(named(plan, "dr-app-http"), "port", 8080);
      expect(await violations(POLICY, plan)).to.deep.equal([
        "dr-app-alb: no listener forwards HTTP 80 to a target group of this stack, as the primary's does (listeners: HTTP 8080): after a failover users' requests to the app's URL find nothing",
      ]);
    });

    it("fails a listener that redirects instead of forwarding", async () => {
      const plan = await drPlan();
      setProp(named(plan, "dr-app-http"), "defaultActions", [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
      expect(await violations(POLICY, plan)).to.deep.equal([
        "dr-app-alb: no listener forwards HTTP 80 to a target group of this stack, as the primary's does (listeners: HTTP 80): after a failover users' requests to the app's URL find nothing",
      ]);
    });

    it("fails a target group on another port than the app's", async () => {
      const plan = await drPlan();
      setProp(named(plan, "dr-app-tg"), "port", 80);
      expect(await violations(POLICY, plan)).to.deep.equal(["dr-app-tg: port is 80, not the app's port 8080: the instances listen on 8080"]);
    });

    it("fails a health check of another path", async () => {
      const plan = await drPlan();
      const group = named(plan, "dr-app-tg");
      setProp(group, "healthCheck", { ...(group.outputs.healthCheck as object), path: "/" });
      expect(await violations(POLICY, plan)).to.deep.equal([`dr-app-tg: healthCheck.path is "/", not the app's health path /health`]);
    });

    it("fails a health check on another port", async () => {
      const plan = await drPlan();
      const group = named(plan, "dr-app-tg");
      setProp(group, "healthCheck", { ...(group.outputs.healthCheck as object), port: "9464" });
      expect(await violations(POLICY, plan)).to.deep.equal(["dr-app-tg: healthCheck.port is 9464, not traffic-port or the app's port 8080"]);
    });

    it("targetGroupProblems: protocol, defaults and matcher", () => {
      expect(targetGroupProblems({ port: 8080, protocol: "HTTP", healthCheck: { path: "/health" } }, 8080)).to.deep.equal([]);
      expect(targetGroupProblems({ port: 8080 }, 8080)).to.deep.equal([`healthCheck.path is "/", not the app's health path /health`]);
      expect(
        targetGroupProblems({ port: 8080, protocol: "HTTPS", healthCheck: { path: "/health", protocol: "HTTPS", matcher: "301", port: "8080" } }, 8080),
      ).to.deep.equal([
        'protocol is "HTTPS": the app serves plain HTTP on its port',
        'healthCheck.protocol is "HTTPS": the app answers /health over plain HTTP',
        'healthCheck.matcher "301" does not accept 200, what a healthy app answers',
      ]);
      expect(targetGroupProblems({ port: 8080, healthCheck: { path: "/ready" } }, 8080, "/ready")).to.deep.equal([]);
    });

    it("matcherAccepts: single codes, lists, ranges and the default", () => {
      expect(matcherAccepts(undefined, 200)).to.equal(true);
      expect(matcherAccepts("200", 200)).to.equal(true);
      expect(matcherAccepts("202,204", 200)).to.equal(false);
      expect(matcherAccepts("200-299", 200)).to.equal(true);
      expect(matcherAccepts("300-399", 200)).to.equal(false);
      expect(matcherAccepts("204, 200", 200)).to.equal(true);
    });
  });

  describe("dr-app-config-in-region", () => {
    const POLICY = "dr-app-config-in-region";

    /** The DR plan with one replacement made in the app's user data (base64, as the program writes it). */
    async function withUserData(from: string, to: string): Promise<StackPlan> {
      const plan = await drPlan();
      const text = userDataOf(plan);
      expect(text, "the user data holds the text to replace").to.include(from);
      setProp(named(plan, "dr-app-lt"), "userData", Buffer.from(text.replace(from, to), "utf8").toString("base64"));
      return plan;
    }

    const SUFFIX = "the DR app must use us-west-2's endpoints and the stable names, or it fails with the primary region";

    it("fails the primary's region as the app's region", async () => {
      const plan = await withUserData("--region us-west-2", "--region us-east-1");
      expect(await violations(POLICY, plan)).to.deep.equal([`dr-app-lt: user data names the region us-east-1 (--region us-east-1): ${SUFFIX}`]);
    });

    it("fails a database host of the primary region", async () => {
      const host = "primary-db-1a2b3c4d.cabcdef1234.us-east-1.rds.amazonaws.com";
      const plan = await withUserData("--db-host db.app.internal", `--db-host ${host}`);
      expect(await violations(POLICY, plan)).to.deep.equal([`dr-app-lt: user data names ${host}, a host of us-east-1: ${SUFFIX}`]);
    });

    it("fails an ARN of the primary region and the primary's bucket", async () => {
      const arn = "arn:aws:sns:us-east-1:123456789012:alerts";
      const plan = await withUserData("--db-port", `--topic ${arn} --db-port`);
      expect(await violations(POLICY, plan)).to.deep.equal([`dr-app-lt: user data names ${arn}, an ARN of us-east-1: ${SUFFIX}`]);
      const { dr } = await synthesizedStacks();
      const manifest = dr.resources.find((resource) => String(resource.inputs.name ?? "").endsWith("/recovery-manifest"))!;
      const bucket = JSON.parse(String(manifest.inputs.insecureValue ?? manifest.inputs.value)).primary.bucketName as string;
      const withBucket = await withUserData("--db-port", `--bucket ${bucket} --db-port`);
      expect(await violations(POLICY, withBucket)).to.deep.equal([`dr-app-lt: user data names ${bucket}, the primary's bucket: ${SUFFIX}`]);
    });

    it("reads gzip user data", async () => {
      const plan = await drPlan();
      const text = userDataOf(plan).replace("--region us-west-2", "--region eu-west-1");
      setProp(named(plan, "dr-app-lt"), "userData", gzipSync(Buffer.from(text, "utf8")).toString("base64"));
      expect(await violations(POLICY, plan)).to.deep.equal([`dr-app-lt: user data names the region eu-west-1 (--region eu-west-1): ${SUFFIX}`]);
    });

    it("otherRegionMentions: stable names, own region, S3 hosts and ARNs", () => {
      const names = { region: "us-west-2", stableZone: "app.internal", primaryBucketName: "primary-data-1234567" };
      expect(otherRegionMentions("--region us-west-2 --db-host db.app.internal https://s3.us-west-2.amazonaws.com", names)).to.deep.equal([]);
      // The stable zone is exempt even when its name carries a region code.
      expect(otherRegionMentions("--db-host db.us-east-1.corp", { ...names, stableZone: "us-east-1.corp" })).to.deep.equal([]);
      expect(otherRegionMentions("url=https://my-bucket.s3-us-east-1.amazonaws.com/x", names)).to.deep.equal([
        "names my-bucket.s3-us-east-1.amazonaws.com, a host of us-east-1",
      ]);
      expect(otherRegionMentions("src=arn:aws:s3:::primary-data-1234567/prefix", names)).to.deep.equal([
        "names arn:aws:s3:::primary-data-1234567/prefix, the primary's bucket",
      ]);
      expect(otherRegionMentions("AWS_REGION=ap-southeast-2", names)).to.deep.equal(["names the region ap-southeast-2 (AWS_REGION=ap-southeast-2)"]);
      expect(otherRegionMentions("key=arn:aws:kms:us-west-2:123456789012:key/abc", names)).to.deep.equal([]);
    });

    it("userDataText: plain text, base64 and gzip", () => {
      expect(userDataText("#!/bin/bash\necho hi")).to.equal("#!/bin/bash\necho hi");
      expect(userDataText(Buffer.from("echo hi").toString("base64"))).to.equal("echo hi");
      expect(userDataText(gzipSync(Buffer.from("echo hi")).toString("base64"))).to.equal("echo hi");
      expect(userDataText(undefined)).to.equal("");
    });
  });

  it("the synthesized launch template really carries the values the user-data rule reads", async () => {
    const plan = await drPlan();
    expect(userDataOf(plan)).to.include("--region us-west-2").and.include("--db-host db.app.internal");
    expect(named(plan, "dr-app-lt").type).to.equal(TYPES.launchTemplate);
  });
});
