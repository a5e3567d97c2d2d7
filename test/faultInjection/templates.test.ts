/**
 * The DR drill's FIS templates as the DR stack declares them (stacks/faultInjection.ts through
 * components/faultInjection.ts), synthesized under the project's mock cloud, and the pack's check of
 * them (policy/policies/faultInjection.ts): the synthesized templates pass, and each broken case fails
 * (a stop condition of `none` only, an alarm of another region, a role without a permission, a target
 * in another region, no logs, an unbounded duration, a fault that isolates its own region).
 */
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { resolveDrStrategy } from "../../config/drStrategy";
import { evaluatePolicies } from "../../policy/offline";
import { faultInjectionPolicies, FIS_TEMPLATE_TYPE } from "../../policy/policies/faultInjection";
import { FAULT_TAG, FAULTS, S3_FAULT_TARGET_TAG } from "../../recovery/faults/catalogue";
import { recoveryResourceNames } from "../../recovery/names";
import { buildFaultInjection, faultsFor, type FaultInjectionInputs } from "../../stacks/faultInjection";
import { RetainedInRegion } from "../../stacks/regionalProvider";
import { MOCK_ACCOUNT_ID } from "../../synth/mockCloud";
import { recordStack, type StackPlan } from "../../synth/recordStack";
import { parseDr } from "../config/fixtures";
import { primaryOutputsFixture } from "../fixtures/primaryOutputs";
import { copyOf, type FixtureResource, fixturesOf, planOf } from "../policy/fixtures";

const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${MOCK_ACCOUNT_ID}:table/app`;
const PREFIX = "multi-region-dr-dr-dr";

async function synthesize(overrides: Partial<Pick<FaultInjectionInputs, "unreachableRegion" | "primaryKeyArn">> = {}, globalTable = true): Promise<StackPlan> {
  const primary = primaryOutputsFixture(globalTable ? { globalTableArn: TABLE_ARN, globalTableName: "app" } : {});
  const resolved = resolveDrStrategy(parseDr(), primary).config!;
  return recordStack({
    project: "multi-region-dr",
    stack: "dr",
    role: "dr",
    region: resolved.region,
    program: () => {
      const drProvider = new aws.Provider("dr", { region: resolved.region });
      // The source bucket's replication configuration in the primary region, as BucketReplication declares it.
      new aws.s3.BucketReplicationConfig(
        "replication",
        {
          bucket: primary.bucketName,
          role: "arn:aws:iam::123456789012:role/replication",
          rules: [{ status: "Enabled", destination: { bucket: "arn:aws:s3:::dr-data" } }],
        },
        { provider: new aws.Provider("primary", { region: primary.region }) },
      );
      const faults = buildFaultInjection({
        config: { ...resolved, faultInjection: { enabled: true, durationMinutes: 20, logRetentionDays: 30 } },
        stackName: "dr",
        drProvider,
        primary: { ...primary, stack: "primary" },
        drKeyArn: `arn:aws:kms:${resolved.region}:${MOCK_ACCOUNT_ID}:key/dr`,
        primaryKeyArn: `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/primary`,
        drPrivateSubnetIds: ["subnet-0a", "subnet-0b"],
        drBucketName: "dr-data",
        retained: new RetainedInRegion(primary.region),
        ...overrides,
      });
      return { faultTemplates: faults.templateIds };
    },
  });
}

let plan: Promise<StackPlan> | undefined;
const synthesized = () => (plan ??= synthesize());

const templates = (stack: StackPlan) => stack.resources.filter((resource) => resource.type === FIS_TEMPLATE_TYPE);
const templateOf = (stack: StackPlan, fault: string) => templates(stack).find((resource) => resource.name === `dr-fault-${fault}-template`)!;

async function problems(fixtures: FixtureResource[]): Promise<string[]> {
  const report = await evaluatePolicies(planOf(fixtures, "dr", "us-west-2"), {}, faultInjectionPolicies);
  return report.violations.map((violation) => violation.message);
}

/** The synthesized fixtures with `change` applied to the template of `fault`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a template's props are untyped JSON, as the policy pack reads them, reached into by the edits
async function broken(fault: string, change: (props: Record<string, any>) => void): Promise<string[]> {
  const fixtures = copyOf(fixturesOf(await synthesized()));
  const template = fixtures.find((fixture) => fixture.name === `dr-fault-${fault}-template`)!;
  change(template.props);
  return problems(fixtures);
}

describe("FIS templates, synthesized", () => {
  it("declares the three faults, each in its region with its own role, policy and encrypted log group", async () => {
    const stack = await synthesized();
    expect(templates(stack).map((template) => [template.name, template.region])).to.have.deep.members([
      ["dr-fault-cross-region-connectivity-template", "us-west-2"],
      ["dr-fault-s3-replication-pause-template", "us-east-1"],
      ["dr-fault-dynamodb-replication-pause-template", "us-east-1"],
    ]);
    for (const fault of FAULTS) {
      const template = templateOf(stack, fault);
      expect(template.inputs.tags).to.deep.include({ [FAULT_TAG]: fault });
      const role = stack.resources.find((resource) => resource.name === `dr-fault-${fault}-role`)!;
      expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal).to.deep.equal({ Service: "fis.amazonaws.com" });
      const logs = stack.resources.find((resource) => resource.name === `dr-fault-${fault}-logs`)!;
      expect(logs.inputs).to.deep.include({ name: `/aws/fis/${PREFIX}-${fault}`, retentionInDays: 30 });
      expect(String(logs.inputs.kmsKeyId)).to.match(new RegExp(`^arn:aws:kms:${template.region}:`));
      expect(template.inputs.experimentOptions).to.deep.equal({ accountTargeting: "single-account", emptyTargetResolutionMode: "fail" });
      expect(template.dependencies).to.include(stack.resources.find((resource) => resource.name === `dr-fault-${fault}-policy`)!.urn);
    }
  });

  it("stops on the DR alarms of the template's region and logs to its own region's group", async () => {
    const stack = await synthesized();
    const names = recoveryResourceNames(PREFIX);
    expect(templateOf(stack, "cross-region-connectivity").inputs.stopConditions).to.deep.equal([
      { source: "aws:cloudwatch:alarm", value: `arn:aws:cloudwatch:us-west-2:${MOCK_ACCOUNT_ID}:alarm:${names.unhealthyTargetsAlarm}` },
      { source: "aws:cloudwatch:alarm", value: `arn:aws:cloudwatch:us-west-2:${MOCK_ACCOUNT_ID}:alarm:${names.targetErrorsAlarm}` },
    ]);
    const s3 = templateOf(stack, "s3-replication-pause");
    expect(s3.inputs.targets).to.deep.equal([
      {
        name: "s3-replication-pause-targets",
        resourceType: "aws:s3:bucket",
        selectionMode: "ALL",
        resourceTags: [
          { key: "Stack", value: "primary" },
          { key: S3_FAULT_TARGET_TAG.key, value: S3_FAULT_TARGET_TAG.value },
        ],
      },
    ]);
    expect((s3.inputs.logConfiguration as { cloudwatchLogsConfiguration: { logGroupArn: string } }).cloudwatchLogsConfiguration.logGroupArn).to.match(
      /^arn:aws:logs:us-east-1:.*:\*$/,
    );
  });

  it("marks the primary region's templates retainOnDelete, not the DR region's", async () => {
    const stack = await synthesized();
    expect(templateOf(stack, "s3-replication-pause").retainOnDelete).to.equal(true);
    expect(templateOf(stack, "dynamodb-replication-pause").retainOnDelete).to.equal(true);
    expect(templateOf(stack, "cross-region-connectivity").retainOnDelete).to.equal(false);
  });

  it("declares no template in the primary region while it is down, and no DynamoDB fault without a global table", async () => {
    const primary = { region: "us-east-1", bucketName: "b", stack: "primary" };
    expect(faultsFor({ primary: { ...primary, globalTableArn: TABLE_ARN }, primaryKeyArn: "k", unreachableRegion: "us-east-1" })).to.deep.equal([
      "cross-region-connectivity",
    ]);
    expect(faultsFor({ primary, primaryKeyArn: "k" })).to.deep.equal(["cross-region-connectivity", "s3-replication-pause"]);
    const outage = await synthesize({ unreachableRegion: "us-east-1" });
    expect(
      outage.resources.filter((resource) => resource.region === "us-east-1" && resource.custom && !resource.type.startsWith("pulumi:providers:")),
    ).to.deep.equal(outage.resources.filter((resource) => resource.name === "replication"));
  });
});

describe("FIS templates: the pack's check (dr-fault-templates-safe)", () => {
  it("passes the synthesized templates", async () => {
    expect(await problems(fixturesOf(await synthesized()))).to.deep.equal([]);
  });

  it("fails a template that stops on nothing", async () => {
    const found = await broken("cross-region-connectivity", (props) => (props.stopConditions = [{ source: "none" }]));
    expect(found.join("\n")).to.match(/cross-region-connectivity-template: has no CloudWatch alarm among its stop conditions/);
  });

  it("fails a stop condition on an alarm of another region", async () => {
    const found = await broken(
      "s3-replication-pause",
      (props) => (props.stopConditions[0].value = String(props.stopConditions[0].value).replace("us-east-1", "us-west-2")),
    );
    expect(found.join("\n")).to.match(/is an alarm of us-west-2, not of the template's region us-east-1/);
  });

  it("fails a role without a permission its action needs", async () => {
    const fixtures = copyOf(fixturesOf(await synthesized()));
    const policy = fixtures.find((fixture) => fixture.name === "dr-fault-s3-replication-pause-policy")!;
    const document = JSON.parse(String(policy.props.policy));
    document.Statement = document.Statement.filter((statement: { Sid: string }) => statement.Sid !== "PauseReplicationToDrRegion");
    policy.props.policy = JSON.stringify(document);
    expect((await problems(fixtures)).join("\n")).to.match(/aws:s3:bucket-pause-replication calls s3:PauseReplication on arn:aws:s3:::.* \(ImplicitlyDenied\)/);
  });

  it("fails a target in another region and a fault isolating its own region", async () => {
    const found = await broken("cross-region-connectivity", (props) => {
      props.targets[0].resourceArns[0] = String(props.targets[0].resourceArns[0]).replace("us-west-2", "eu-west-1");
      props.actions[0].parameters.find((parameter: { key: string }) => parameter.key === "region").value = "us-west-2";
    });
    expect(found.join("\n")).to.match(/in eu-west-1: an experiment acts on its own region's resources \(us-west-2\)/);
    expect(found.join("\n")).to.match(/isolates or replicates to its own region us-west-2/);
  });

  it("fails a template without logs, and logs in another region", async () => {
    expect((await broken("dynamodb-replication-pause", (props) => delete props.logConfiguration)).join("\n")).to.match(/has no experiment logs/);
    const elsewhere = await broken("dynamodb-replication-pause", (props) => {
      props.logConfiguration.cloudwatchLogsConfiguration.logGroupArn = `arn:aws:logs:us-west-2:${MOCK_ACCOUNT_ID}:log-group:x:*`;
    });
    expect(elsewhere.join("\n")).to.match(/not a log group of the template's region us-east-1/);
  });

  it("fails a duration beyond the drill's bound or not in ISO 8601", async () => {
    for (const duration of ["PT13H", "20 minutes"]) {
      const found = await broken("dynamodb-replication-pause", (props) => (props.actions[0].parameters[0].value = duration));
      expect(found.join("\n"), duration).to.match(/lasts .*; a drill's fault lasts 1 to 120 minutes/);
    }
  });

  it("fails an action that is not one of the drill's faults", async () => {
    const found = await broken("dynamodb-replication-pause", (props) => (props.actions[0].actionId = "aws:ec2:terminate-instances"));
    expect(found.join("\n")).to.match(/runs aws:ec2:terminate-instances, which is not one of the drill's faults/);
  });
});
