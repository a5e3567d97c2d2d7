/**
 * examples/region-switch (Ireland -> Frankfurt, recovery.orchestrator region-switch) synthesized: every DR
 * invariant holds and no mandatory policy is violated; the plan has its shape; the failover records follow
 * the plan's health checks. Then the synthesized DR stack broken one way at a time, for each check that
 * judges the plan where it used to assume the Step Functions path: invariant 4 and `dr-failover-pair` (the
 * records on the plan's checks), invariant 7 (what is DR-only by design), invariant 8 and
 * `dr-region-isolation` (exactly the plan's per-region targets exempt), `dr-recovery-workflows` (one
 * orchestrator), and `dr-region-switch-role-permissions` (the simulator with the request context and the
 * KMS key policy).
 */
import * as path from "node:path";
import { expect } from "chai";
import { checkFailoverRecords } from "../../invariants/failoverRecords";
import { checkRegionalParity } from "../../invariants/regionalParity";
import { checkRegionIsolation, regionSwitchPerRegionTarget } from "../../invariants/regionIsolation";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { STEP_NAMES } from "../../recovery/regionSwitch/workflows";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import type { SynthesisResult } from "../../synth/synthesize";
import { editedStackFile } from "../fixtures/stackFiles";
import { named } from "../fixtures/plannedResources";
import { exampleSynthesis, synthesizedOnce } from "../fixtures/synthesis";
import type { Json } from "./planFixtures";

const ROOT = path.join(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "examples", "region-switch");
const PLAN = "aws:arcregionswitch/plan:Plan";

const example = (): Promise<SynthesisResult> => exampleSynthesis("region-switch");

/** Changes a resource's inputs and outputs alike (the invariants read inputs, the stack policies outputs). */
function edit(stack: StackPlan, name: string, change: (props: Json) => void): void {
  const resource = named(stack, name);
  change(resource.inputs);
  change(resource.outputs);
}

/** The messages of one policy of the pack on `stack`. */
async function violations(stack: StackPlan, policy: string): Promise<string[]> {
  const report = await evaluatePolicies(
    stack,
    {},
    ALL_POLICIES.filter((candidate) => candidate.name === policy),
  );
  return report.violations.map((violation) => violation.message);
}

describe("examples/region-switch synthesized", () => {
  it("holds every DR invariant and violates no mandatory policy in either stack", async () => {
    const result = await example();
    expect(result.invariants.filter((invariant) => invariant.violations.length > 0)).to.deep.equal([]);
    expect(result.invariants.map((invariant) => invariant.id)).to.include(16);
    for (const stack of ["primary", "dr"] as const)
      expect(result.policies[stack].violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
    expect(result.dr.resources.filter((resource) => resource.type === "aws:sfn/stateMachine:StateMachine")).to.deep.equal([]);
  });

  it("with failover.automatic: triggers on the probe and the DR-standby guard (paging the DR topic), and still passes every check", async () => {
    const drStackFile = editedStackFile("examples/region-switch/Pulumi.dr.yaml", (config: Record<string, unknown>) => {
      config["multi-region-dr:failover"] = { automatic: true };
    });
    const result = await synthesizedOnce({ projectDirectory: ROOT, primaryStackFile: path.join(EXAMPLE, "Pulumi.primary.yaml"), drStackFile });
    expect(result.invariants.filter((invariant) => invariant.violations.length > 0)).to.deep.equal([]);
    expect(result.policies.dr.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
    const plan = result.dr.resources.find((resource) => resource.type === PLAN) as PlannedResource;
    const guard = named(result.dr, "dr-region-switch-dr-standby");
    expect(guard.inputs.alarmActions).to.have.length(1);
    const [trigger] = plan.inputs.triggers as { conditions: { associatedAlarmName: string }[] }[];
    expect(trigger.conditions.map((condition) => condition.associatedAlarmName)).to.include(guard.inputs.name);
    expect(JSON.stringify(plan.inputs.associatedAlarms)).to.include(`:alarm:${String(guard.inputs.name)}`);
    expect(JSON.stringify(plan.inputs.workflows)).not.to.include(STEP_NAMES.approveFailover);
  });

  it("declares one plan in the DR stack: both regions, Ireland primary, approval, the primary's writes stopped, promotion beside the scale-out, the records", async () => {
    const { primary, dr } = await example();
    expect(primary.resources.filter((resource) => resource.type === PLAN)).to.deep.equal([]);
    const plans = dr.resources.filter((resource) => resource.type === PLAN);
    expect(plans).to.have.length(1);
    const plan = plans[0].inputs as Json;
    expect(plan).to.include({ primaryRegion: "eu-west-1", recoveryApproach: "activePassive", recoveryTimeObjectiveMinutes: 30 });
    expect(plan.regions).to.deep.equal(["eu-west-1", "eu-central-1"]);
    const failover = (plan.workflows as Json[]).find((workflow) => workflow.workflowTargetRegion === "eu-central-1")!;
    expect(failover.steps.map((step: Json) => step.name)).to.deep.equal([
      STEP_NAMES.approveFailover,
      STEP_NAMES.stopPrimaryWrites,
      STEP_NAMES.recoverDataAndCapacity,
      STEP_NAMES.shiftTraffic,
    ]);
    // The actions function of both regions, the activating region's run; the primary-region copy is declared (not the outage mode).
    expect(failover.steps[1].customActionLambdaConfigs[0].lambdas.map((lambda: Json) => lambda.arn.split(":")[3])).to.deep.equal(["eu-west-1", "eu-central-1"]);
    expect(
      dr.resources
        .filter((resource) => resource.type === "aws:lambda/function:Function" && String(resource.name).startsWith("dr-region-switch-actions"))
        .map((fn) => fn.region),
    ).to.have.members(["eu-central-1", "eu-west-1"]);
    const [promote, scale] = failover.steps[2].parallelConfigs[0].steps;
    expect(Object.keys(promote.rdsPromoteReadReplicaConfigs[0].dbInstanceArnMap)).to.have.members(["eu-west-1", "eu-central-1"]);
    expect(scale.ec2AsgCapacityIncreaseConfigs[0].asgs.map((asg: Json) => asg.arn.split(":")[3])).to.deep.equal(["eu-west-1", "eu-central-1"]);
  });

  it("puts the failover records on the plan's checks: PRIMARY endpoint AND primary-region check, SECONDARY DR endpoint OR DR-region check", async () => {
    const { dr } = await example();
    const ids = (dr.outputs.regionSwitchPlan as { healthCheckIds: { primary: string; secondary: string } }).healthCheckIds;
    const primaryCheck = named(dr, "failover-primary-record-health").inputs;
    const secondaryCheck = named(dr, "failover-secondary-record-health").inputs;
    expect(primaryCheck).to.deep.include({ type: "CALCULATED", childHealthThreshold: 2 });
    expect(primaryCheck.childHealthchecks).to.deep.equal([named(dr, "failover-primary-health").id, ids.primary]);
    expect(secondaryCheck).to.deep.include({ type: "CALCULATED", childHealthThreshold: 1 });
    expect(secondaryCheck.childHealthchecks).to.deep.equal([named(dr, "failover-secondary-health").id, ids.secondary]);
    // The fence's checks are not declared: the plan's checks replace them.
    expect(dr.resources.filter((resource) => resource.name === "failover-fence-health" || resource.name === "failover-fenced-health")).to.deep.equal([]);
  });

  it("fails over on an endpoint failure and on a plan execution, holds while the old primary returns, and fails back", async () => {
    const { dr } = await example();
    const ids = (dr.outputs.regionSwitchPlan as { healthCheckIds: { primary: string; secondary: string } }).healthCheckIds;
    const primaryEndpoint = named(dr, "failover-primary-health").id;
    const drEndpoint = named(dr, "failover-secondary-health").id;
    // A calculated check is healthy while at least childHealthThreshold children are (Route 53 API Reference, HealthCheckConfig
    // `HealthThreshold`); Route 53 answers the PRIMARY while healthy, else the SECONDARY while healthy, else the PRIMARY
    // (ResourceRecordSet `Failover`).
    const answer = (healthy: Record<string, boolean>) => {
      const calculated = (name: string) => {
        const check = named(dr, name).inputs as { childHealthchecks: string[]; childHealthThreshold: number };
        return check.childHealthchecks.filter((id) => healthy[id]).length >= check.childHealthThreshold;
      };
      if (calculated("failover-primary-record-health")) return "PRIMARY";
      return calculated("failover-secondary-record-health") ? "SECONDARY" : "PRIMARY";
    };
    // Active/passive: the primary region's plan check starts healthy, the DR region's unhealthy; an execution flips them (ARC
    // Developer Guide, "Amazon Route 53 health check execution block").
    const before = { [ids.primary]: true, [ids.secondary]: false };
    const failedOver = { [ids.primary]: false, [ids.secondary]: true };
    expect(answer({ [primaryEndpoint]: true, [drEndpoint]: true, ...before })).to.equal("PRIMARY");
    expect(answer({ [primaryEndpoint]: false, [drEndpoint]: true, ...before })).to.equal("SECONDARY");
    expect(answer({ [primaryEndpoint]: true, [drEndpoint]: true, ...failedOver })).to.equal("SECONDARY");
    // The old primary back and healthy, the DR tier briefly down: still the DR region, never the old writable primary.
    expect(answer({ [primaryEndpoint]: true, [drEndpoint]: false, ...failedOver })).to.equal("SECONDARY");
    expect(answer({ [primaryEndpoint]: true, [drEndpoint]: true, ...before })).to.equal("PRIMARY");
  });

  describe("broken one way at a time", () => {
    it("fails invariant 4 and dr-failover-pair when the records swap the plan's checks", async () => {
      const { primary, dr } = await example();
      const ids = (dr.outputs.regionSwitchPlan as { healthCheckIds: { primary: string; secondary: string } }).healthCheckIds;
      edit(dr, "failover-primary-record-health", (props) => (props.childHealthchecks = [props.childHealthchecks[0], ids.secondary]));
      edit(dr, "failover-secondary-record-health", (props) => (props.childHealthchecks = [props.childHealthchecks[0], ids.primary]));
      const messages = checkFailoverRecords({ primary, dr }).violations.join("\n");
      expect(messages).to.match(/failover-primary-record-health: has the plan's check of the other region/);
      expect(messages).to.match(/failover-secondary-record-health: has the plan's check of the other region/);
      // The policy cannot tell the regions apart (no outputs), but sees both records on one check after a copy.
      edit(dr, "failover-secondary-record-health", (props) => (props.childHealthchecks = [props.childHealthchecks[0], ids.secondary]));
      expect((await violations(dr, "dr-failover-pair")).join("\n")).to.match(/shares .* with failover-primary-record-health/);
    });

    it("fails invariant 4 and dr-failover-pair when the PRIMARY goes by its endpoint alone or either of the two", async () => {
      const { primary, dr } = await example();
      const endpointOnly = structuredClone(dr);
      edit(endpointOnly, "failover-primary-record-health", (props) => (props.childHealthchecks = [props.childHealthchecks[0]]));
      expect(checkFailoverRecords({ primary, dr: endpointOnly }).violations.join("\n")).to.match(/has 1 children .* expected 2/);
      expect((await violations(endpointOnly, "dr-failover-pair")).join("\n")).to.match(/has 1 children/);
      edit(dr, "failover-primary-record-health", (props) => (props.childHealthThreshold = 1));
      expect(checkFailoverRecords({ primary, dr }).violations.join("\n")).to.match(/childHealthThreshold is 1, expected 2/);
      expect((await violations(dr, "dr-failover-pair")).join("\n")).to.match(/childHealthThreshold must be 2/);
    });

    it("fails invariant 4 when the DR stack does not name the plan's checks", async () => {
      const { primary, dr } = await example();
      delete (dr.outputs.regionSwitchPlan as Record<string, unknown>).healthCheckIds;
      expect(checkFailoverRecords({ primary, dr }).violations.join("\n")).to.match(/names no plan health check of the primary region/);
    });

    it("fails invariant 8 and dr-region-isolation on a primary-region ARN under another region's key, or a function outside the plan's regions", async () => {
      const { primary, dr } = await example();
      const primaryDb = (named(dr, "dr-region-switch-plan").inputs as Json).workflows[0].steps[2].parallelConfigs[0].steps[0].rdsPromoteReadReplicaConfigs[0]
        .dbInstanceArnMap["eu-west-1"] as string;
      expect(checkRegionIsolation({ primary, dr }).violations).to.deep.equal([]);
      edit(dr, "dr-region-switch-plan", (props) => {
        const [promote] = props.workflows[0].steps[2].parallelConfigs[0].steps;
        promote.rdsPromoteReadReplicaConfigs[0].dbInstanceArnMap["eu-central-1"] = primaryDb;
        props.workflows[0].steps[1].customActionLambdaConfigs[0].lambdas[0].arn = "arn:aws:lambda:us-east-2:123456789012:function:outside-the-plan";
      });
      const messages = checkRegionIsolation({ primary, dr }).violations.join("\n");
      expect(messages).to.match(/dbInstanceArnMap\.eu-central-1 uses arn:aws:rds:eu-west-1/);
      expect(messages).to.match(/customActionLambdaConfigs\[0\]\.lambdas\[0\]\.arn uses arn:aws:lambda:us-east-2/);
      expect(await violations(dr, "dr-region-isolation")).to.have.length(2);
    });

    it("exempts an Aurora member cluster or group of the plan's regions, nothing of another region or another resource type", () => {
      const inputs = { regions: ["eu-west-1", "eu-central-1"] };
      const cluster = (region: string) => `arn:aws:rds:${region}:123456789012:cluster:app`;
      const path = "workflows[0].steps[1].parallelConfigs[0].steps[0].globalAuroraConfigs[0].databaseClusterArns[0]";
      expect(regionSwitchPerRegionTarget(PLAN, path, inputs, cluster("eu-west-1"))).to.equal(true);
      expect(regionSwitchPerRegionTarget(PLAN, path, inputs, cluster("us-east-1"))).to.equal(false);
      expect(regionSwitchPerRegionTarget("aws:sfn/stateMachine:StateMachine", path, inputs, cluster("eu-west-1"))).to.equal(false);
      expect(regionSwitchPerRegionTarget(PLAN, "workflows[0].steps[0].executionApprovalConfigs[0].approvalRole", inputs, cluster("eu-west-1"))).to.equal(false);
      const asg = "workflows[1].steps[1].parallelConfigs[0].steps[1].ec2AsgCapacityIncreaseConfigs[0].asgs[0].arn";
      expect(regionSwitchPerRegionTarget(PLAN, asg, inputs, "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/a")).to.equal(
        true,
      );
    });

    it("fails invariant 7 when the plan is declared outside its component (only the DR stack's recovery layer is exempt)", async () => {
      const { primary, dr } = await example();
      expect(checkRegionalParity({ primary, dr }).violations).to.deep.equal([]);
      const plan = named(dr, "dr-region-switch-plan");
      plan.parentUrn = undefined;
      expect(checkRegionalParity({ primary, dr }).violations.join("\n")).to.match(
        /the primary region lacks resource kinds the DR region has: aws:arcregionswitch\/plan:Plan/,
      );
    });

    it("fails dr-recovery-workflows with a second orchestrator beside the plan, or a second plan", async () => {
      const { dr } = await example();
      expect(await violations(dr, "dr-recovery-workflows")).to.deep.equal([]);
      const plan = named(dr, "dr-region-switch-plan");
      dr.resources.push(
        { ...structuredClone(plan), urn: `${plan.urn}-2`, name: "second-plan" },
        {
          ...structuredClone(plan),
          urn: plan.urn.replace(PLAN, "aws:sfn/stateMachine:StateMachine").replace("dr-region-switch-plan", "dr-failover"),
          type: "aws:sfn/stateMachine:StateMachine",
          name: "dr-failover",
          inputs: { name: "multi-region-dr-dr-dr-failover" },
          outputs: { name: "multi-region-dr-dr-dr-failover" },
        },
      );
      const messages = (await violations(dr, "dr-recovery-workflows")).join("\n");
      expect(messages).to.match(/declares 2 ARC Region switch plans/);
      expect(messages).to.match(/dr-failover: a multi-region-dr-dr-dr-failover state machine beside the Region switch plan/);
    });

    it("fails dr-region-switch-role-permissions on the guide's StringEquals namespace condition, which IAM never matches for GetMetricStatistics", async () => {
      const { dr } = await example();
      edit(dr, "dr-region-switch-execution-autoscaling", (props) => {
        props.policy = props.policy.replace("StringEqualsIfExists", "StringEquals");
      });
      const messages = await violations(dr, "dr-region-switch-role-permissions");
      expect(messages).to.have.length(2);
      for (const message of messages)
        expect(message).to.match(/needs cloudwatch:GetMetricStatistics on \*, which the role .* does not allow \(ImplicitlyDenied\)/);
    });

    it("fails dr-region-switch-role-permissions when the reports key's policy does not let IAM grant it", async () => {
      const { dr } = await example();
      edit(dr, "dr-key-key", (props) => {
        const document = JSON.parse(props.policy);
        document.Statement = document.Statement.filter((statement: { Sid?: string }) => statement.Sid !== "AccountAdministersKeyThroughIam");
        props.policy = JSON.stringify(document);
      });
      const messages = (await violations(dr, "dr-region-switch-role-permissions")).join("\n");
      expect(messages).to.match(
        /step "\(execution reports\)" needs kms:GenerateDataKey on arn:aws:kms:eu-central-1:.* with .*kms:ViaService.*s3\.eu-central-1\.amazonaws\.com/,
      );
      expect(messages).to.match(/needs kms:Encrypt on arn:aws:kms:eu-central-1/);
    });
  });
});
