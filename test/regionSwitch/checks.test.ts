/**
 * DR invariant 16 and the policies `dr-region-switch-plan` and `dr-region-switch-role-permissions` on a
 * hand-written DR stack with an ARC Region switch plan (test/regionSwitch/planFixtures.ts): the valid
 * stack passes in both engine modes, manual and automatic; each way of breaking it (a missing block, a
 * stop-writes step missing or after its promotion, DR not returned to standby after the failback, a Lambda
 * step without both regions' copies, a capacity block without both groups, a trigger without its guard, a
 * role without a permission a block needs, the wrong primary region, regions not matching, the plan in the
 * primary stack, a trigger on an alarm of the failed region, reports elsewhere, records on other health
 * checks) fails with a message that says what is wrong and how to fix it.
 */
import { expect } from "chai";
import { checkRegionSwitchPlan } from "../../invariants/regionSwitch";
import type { FixtureResource } from "../policy/fixtures";
import { violationsOf } from "../policy/fixtures";
import {
  APPROVER_ARN,
  ASG_ARN,
  DR_REGION,
  editing,
  FUNCTION_ARN,
  GUARD_ALARM_NAME,
  PRIMARY_ASG_ARN,
  type Json,
  pairOf,
  PLAN_ARN,
  PRIMARY_REGION,
  REPLICA_ARN,
  regionSwitchStack,
  TRIGGER_ALARM_ARN,
  workflowTo,
  ZONE_ID,
} from "./planFixtures";

const PLAN = "dr-region-switch-plan";
const POLICY = "dr-region-switch-plan";
const PERMISSIONS = "dr-region-switch-role-permissions";

/** The invariant's violations on the pair around `dr` (and `primary`). */
function invariantOf(dr: FixtureResource[], primary: FixtureResource[] = [], outputs?: Json): string[] {
  return checkRegionSwitchPlan(pairOf(dr, primary, outputs)).violations;
}

/** The invariant's and both policies' violations on the DR stack `dr`. */
async function everything(dr: FixtureResource[]): Promise<string[]> {
  return [...invariantOf(dr), ...(await violationsOf(POLICY, dr, undefined, DR_REGION)), ...(await violationsOf(PERMISSIONS, dr, undefined, DR_REGION))];
}

/** `resources` with the plan's step `name` removed from every workflow (Parallel children included). */
function withoutStep(resources: FixtureResource[], name: string): FixtureResource[] {
  return editing(resources, PLAN, (props) => {
    const strip = (steps: Json[]): Json[] =>
      steps
        .filter((step) => step.name !== name)
        .map((step) => (step.parallelConfigs ? { ...step, parallelConfigs: [{ steps: strip(step.parallelConfigs[0].steps) }] } : step));
    for (const workflow of props.workflows as Json[]) workflow.steps = strip(workflow.steps);
  });
}

/** `resources` with one action removed from every statement of the role policy `policyName`. */
function withoutAction(resources: FixtureResource[], policyName: string, action: string): FixtureResource[] {
  return editing(resources, policyName, (props) => {
    const document = JSON.parse(props.policy) as { Statement: Json[] };
    for (const statement of document.Statement) statement.Action = (statement.Action as string[]).filter((candidate) => candidate !== action);
    document.Statement = document.Statement.filter((statement) => statement.Action.length > 0);
    props.policy = JSON.stringify(document);
  });
}

describe("DR invariant 16 and the Region switch policies", () => {
  describe("a valid plan", () => {
    for (const options of [{}, { automatic: true }, { aurora: true }, { aurora: true, automatic: true }]) {
      it(`passes every check (${JSON.stringify(options)})`, async () => {
        expect(await everything(regionSwitchStack(options))).to.deep.equal([]);
      });
    }

    it("holds with no plan when the DR stack's orchestrator is step-functions, and with no outputs at all", () => {
      const withoutPlan = regionSwitchStack().filter((resource) => resource.name !== PLAN);
      expect(invariantOf(withoutPlan, [], { recoveryOrchestrator: "step-functions" })).to.deep.equal([]);
      expect(invariantOf(withoutPlan, [], {})).to.deep.equal([]);
    });
  });

  describe("placement", () => {
    it("fails a plan in the primary stack, in the invariant and in the policy run on the primary", async () => {
      const plan = regionSwitchStack().filter((resource) => resource.name === PLAN || resource.name === "recovery-parameter");
      const primaryManifest = editing(plan, "recovery-parameter", (props) => {
        const manifest = JSON.parse(props.insecureValue);
        props.insecureValue = JSON.stringify({
          ...manifest,
          role: "primary",
          stack: "primary",
          region: PRIMARY_REGION,
          primary: undefined,
          failoverDecisionSeconds: undefined,
        });
      });
      const violations = invariantOf(regionSwitchStack(), plan);
      expect(violations).to.have.length(1);
      expect(violations[0]).to.match(/^dr-region-switch-plan: a Region switch plan in the primary stack; the DR stack must own it/);
      const policy = await violationsOf(POLICY, primaryManifest, undefined, PRIMARY_REGION);
      expect(policy.join("\n")).to.include("a Region switch plan in the primary stack");
    });

    it("fails a region-switch DR stack without a plan, and a step-functions one with a plan", () => {
      const withoutPlan = regionSwitchStack().filter((resource) => resource.name !== PLAN);
      expect(invariantOf(withoutPlan)).to.deep.equal([
        "the DR stack's recovery.orchestrator is region-switch but it declares 0 Region switch plans; it needs exactly one",
      ]);
      expect(invariantOf(regionSwitchStack(), [], { recoveryOrchestrator: "step-functions" }).join("\n")).to.include(
        "recovery.orchestrator is step-functions but it declares 1 Region switch plan(s): two orchestrators would fail over at once",
      );
    });
  });

  describe("settings", () => {
    it("fails the wrong primary region, in the invariant and the policy", async () => {
      const broken = editing(regionSwitchStack(), PLAN, (props) => (props.primaryRegion = DR_REGION));
      const expected = `dr-region-switch-plan: primaryRegion ${DR_REGION}; it must be the primary stack's region ${PRIMARY_REGION}, or the plan's failover and failback are swapped`;
      expect(invariantOf(broken)).to.deep.equal([expected]);
      expect(await violationsOf(POLICY, broken, undefined, DR_REGION)).to.deep.equal([expected]);
    });

    it("fails regions that are not exactly the pair's", async () => {
      for (const regions of [[PRIMARY_REGION, "eu-west-1"], [PRIMARY_REGION], [PRIMARY_REGION, DR_REGION, "eu-west-1"]]) {
        const broken = editing(regionSwitchStack(), PLAN, (props) => (props.regions = regions));
        const violations = invariantOf(broken);
        expect(violations, JSON.stringify(regions)).to.deep.equal([
          `dr-region-switch-plan: regions ${JSON.stringify(regions)}; they must be exactly the primary's and the DR stack's regions ${JSON.stringify([PRIMARY_REGION, DR_REGION])}`,
        ]);
        expect(await violationsOf(POLICY, broken, undefined, DR_REGION)).to.deep.equal(violations);
      }
    });

    it("fails an active/active approach and an RTO below the declared one (900 s = 15 min)", () => {
      expect(invariantOf(editing(regionSwitchStack(), PLAN, (props) => (props.recoveryApproach = "activeActive")))[0]).to.include("set activePassive");
      expect(invariantOf(editing(regionSwitchStack(), PLAN, (props) => (props.recoveryTimeObjectiveMinutes = 14)))).to.deep.equal([
        "dr-region-switch-plan: recoveryTimeObjectiveMinutes 14; it must be at least the declared RTO (recovery.rtoSeconds 900 s = 15 min, rounded up)",
      ]);
      expect(invariantOf(editing(regionSwitchStack(), PLAN, (props) => (props.recoveryTimeObjectiveMinutes = 16)))).to.deep.equal([]);
    });
  });

  describe("blocks", () => {
    const cases: [string, string, RegExp][] = [
      ["promote-database", "{}", /the DR activation has no RdsPromoteReadReplica step; add one that promotes the DR read replica arn:aws:rds:us-west-2:/],
      ["scale-dr-capacity", "{}", /the DR activation has no EC2AutoScaling step; add one that scales the DR Auto Scaling group/],
      ["shift-traffic", "{}", /the DR activation has no Route53HealthCheck step/],
      [
        "approve-failover",
        "{}",
        /the DR activation has no ManualApproval step; add one that asks the on-call before the failover \(failover.automatic is false\)/,
      ],
      ["approve-failback", "{}", /the failback workflow has no ManualApproval step/],
      ["promote-database", '{"aurora":true}', /the DR activation has no AuroraGlobalDatabase step/],
    ];
    for (const [name, options, message] of cases) {
      it(`fails a plan without "${name}" ${options}`, async () => {
        const broken = withoutStep(regionSwitchStack(JSON.parse(options)), name);
        const violations = invariantOf(broken);
        expect(violations.join("\n")).to.match(message);
        expect((await violationsOf(POLICY, broken, undefined, DR_REGION)).join("\n")).to.match(message);
      });
    }

    it("fails blocks that name another replica, Auto Scaling group or record", () => {
      const promotion = editing(regionSwitchStack(), PLAN, (props) => {
        props.workflows[0].steps[2].parallelConfigs[0].steps[0].rdsPromoteReadReplicaConfigs[0].dbInstanceArnMap = {
          [DR_REGION]: REPLICA_ARN.replace("replica", "other"),
        };
      });
      expect(invariantOf(promotion).join("\n")).to.include(`no RdsPromoteReadReplica step maps ${DR_REGION} to the DR read replica ${REPLICA_ARN}`);
      const scaling = editing(regionSwitchStack(), PLAN, (props) => {
        props.workflows[0].steps[2].parallelConfigs[0].steps[1].ec2AsgCapacityIncreaseConfigs[0].asgs = [
          { arn: PRIMARY_ASG_ARN },
          { arn: ASG_ARN.replace("dr-app", "other") },
        ];
      });
      expect(invariantOf(scaling).join("\n")).to.include(`no EC2AutoScaling step names the DR Auto Scaling group ${ASG_ARN}`);
      const shift = editing(
        regionSwitchStack(),
        PLAN,
        (props) => (workflowTo(props, DR_REGION).steps[3].route53HealthCheckConfigs[0].recordName = "other.example.com"),
      );
      expect(invariantOf(shift).join("\n")).to.include(
        `no Route53HealthCheck step names the application's hosted zone ${ZONE_ID} and record app.dr.example.com`,
      );
    });

    it("fails a function run in the deactivating (failed) region, and re-protection outside post-recovery", () => {
      const lambda = editing(
        regionSwitchStack(),
        PLAN,
        (props) => (workflowTo(props, DR_REGION).steps[1].customActionLambdaConfigs[0].regionToRun = "deactivatingRegion"),
      );
      expect(invariantOf(lambda).join("\n")).to.include(
        'step "stop-primary-writes" runs its function in the deactivatingRegion; in a failover that is the region being left (the failed primary, in a failover): set regionToRun to activatingRegion',
      );
      const reprotect = editing(regionSwitchStack(), PLAN, (props) => (props.workflows[2].workflowTargetAction = "deactivate"));
      expect(invariantOf(reprotect).join("\n")).to.include('step "reprotect-database" (RdsCreateCrossRegionReplica) is in an deactivate workflow');
    });

    it("passes a plan without re-protection (the provider takes no postRecovery workflow yet)", () => {
      expect(invariantOf(withoutStep(regionSwitchStack(), "reprotect-database"))).to.deep.equal([]);
    });

    it("fails an approval on an automatic failover, and a failover workflow that is missing", () => {
      const approved = editing(regionSwitchStack({ automatic: true }), PLAN, (props) => {
        workflowTo(props, DR_REGION).steps.unshift(workflowTo(props, PRIMARY_REGION).steps[0]);
      });
      expect(invariantOf(approved, [], { recoveryOrchestrator: "region-switch", regionSwitchPlan: { approvalRequired: false } }).join("\n")).to.include(
        "waits for a ManualApproval although failover.automatic is true",
      );
      const none = editing(regionSwitchStack(), PLAN, (props) => (props.workflows = props.workflows.slice(1)));
      expect(invariantOf(none)[0]).to.equal(
        `dr-region-switch-plan: no workflow activates the DR region ${DR_REGION}; add one (workflowTargetAction activate, workflowTargetRegion ${DR_REGION})`,
      );
    });
  });

  describe("what the reviewed plan needs (issue 21 review): stop-writes, both copies, both groups, standby, the trigger's guard", () => {
    /** The invariant's and the plan policy's violations, which must be the same. */
    async function both(broken: FixtureResource[]): Promise<string[]> {
      const violations = invariantOf(broken);
      expect(await violationsOf(POLICY, broken, undefined, DR_REGION)).to.deep.equal(violations);
      return violations;
    }
    /** Moves the failback's (or failover's) step `name` to position `to`. */
    const moving = (region: string, name: string, to: number) =>
      editing(regionSwitchStack(), PLAN, (props) => {
        const steps = workflowTo(props, region).steps as Json[];
        const [moved] = steps.splice(
          steps.findIndex((step) => step.name === name),
          1,
        );
        steps.splice(to, 0, moved);
      });

    it("fails a failover without stop-primary-writes, or with it after the promotion (instance mode)", async () => {
      expect(await both(withoutStep(regionSwitchStack(), "stop-primary-writes"))).to.deep.equal([
        `${PLAN}: the failover has no "stop-primary-writes" step (CustomActionLambda) before its promotion; a graceful failover would promote while the primary region ${PRIMARY_REGION} still takes writes and lose what the replica had not replayed: add it before the promotion`,
      ]);
      expect(await both(moving(DR_REGION, "stop-primary-writes", 2))).to.deep.equal([
        `${PLAN}: step "stop-primary-writes" of the failover runs at or after the promotion (step 3, promotion at step 2); writes must stop, and the replica catch up, before the promotion`,
      ]);
      // Aurora-global: the switchover stops the old writer itself; no stop-writes step is asked for.
      expect(await both(regionSwitchStack({ aurora: true }))).to.deep.equal([]);
    });

    it("fails a failback without stop-dr-writes before its promotion, or without a promotion", async () => {
      expect((await both(withoutStep(regionSwitchStack(), "stop-dr-writes"))).join("\n")).to.include(
        `the failback has no "stop-dr-writes" step (CustomActionLambda) before its promotion; a graceful failback would promote while the DR region ${DR_REGION} still takes writes`,
      );
      expect((await both(moving(PRIMARY_REGION, "stop-dr-writes", 3))).join("\n")).to.include(
        'step "stop-dr-writes" of the failback runs at or after the promotion (step 4, promotion at step 3)',
      );
      expect(await both(withoutStep(regionSwitchStack(), "promote-primary-database"))).to.deep.equal([
        `${PLAN}: the failback workflow has no RdsPromoteReadReplica step; the primary region's database would stay a replica: add the promotion`,
      ]);
    });

    it("fails a failback without return-dr-to-standby after its traffic shift", async () => {
      expect(await both(withoutStep(regionSwitchStack(), "return-dr-to-standby"))).to.deep.equal([
        `${PLAN}: the failback workflow has no "return-dr-to-standby" step (CustomActionLambda) after its traffic shift; DR would keep the primary's capacity (and its cost): add it last`,
      ]);
      expect(await both(moving(PRIMARY_REGION, "return-dr-to-standby", 1))).to.deep.equal([
        `${PLAN}: step "return-dr-to-standby" runs before the failback's traffic shift (step 2, shift at step 6); DR would scale in while it still serves: move it after the shift`,
      ]);
      expect((await both(withoutStep(regionSwitchStack({ aurora: true }), "shift-traffic-to-primary"))).join("\n")).to.include(
        "the failback workflow has no Route53HealthCheck step",
      );
    });

    it("fails a Lambda step with one region's copy of its function, or run in the deactivating region on failback", async () => {
      const oneCopy = editing(regionSwitchStack(), PLAN, (props) => {
        workflowTo(props, PRIMARY_REGION).steps[2].customActionLambdaConfigs[0].lambdas = [{ arn: FUNCTION_ARN }];
      });
      expect(await both(oneCopy)).to.deep.equal([
        `${PLAN}: step "stop-dr-writes" lists functions of ["${DR_REGION}"]; it needs exactly two copies, one in each of the plan's regions ["${PRIMARY_REGION}","${DR_REGION}"] (none in ${PRIMARY_REGION}, so the step cannot run when that region is the one activated)`,
      ]);
      const deactivating = editing(regionSwitchStack(), PLAN, (props) => {
        workflowTo(props, PRIMARY_REGION).steps[5].customActionLambdaConfigs[0].regionToRun = "deactivatingRegion";
      });
      expect((await both(deactivating)).join("\n")).to.include(
        'step "return-dr-to-standby" runs its function in the deactivatingRegion; in a failback that is the region being left',
      );
    });

    it("fails an EC2AutoScaling block without exactly two groups, one per region, in the failover and the failback", async () => {
      const oneGroup = editing(regionSwitchStack(), PLAN, (props) => {
        workflowTo(props, PRIMARY_REGION).steps[1].ec2AsgCapacityIncreaseConfigs[0].asgs = [{ arn: ASG_ARN }];
      });
      expect(await both(oneGroup)).to.deep.equal([
        `${PLAN}: step "scale-primary-capacity" (EC2AutoScaling) names 1 Auto Scaling group(s) in ["${DR_REGION}"]; it takes exactly two, one in each of the plan's regions ["${PRIMARY_REGION}","${DR_REGION}"] (AsgList: 2 items), or ARC refuses the plan`,
      ]);
      const sameRegion = editing(regionSwitchStack(), PLAN, (props) => {
        props.workflows[0].steps[2].parallelConfigs[0].steps[1].ec2AsgCapacityIncreaseConfigs[0].asgs = [{ arn: ASG_ARN }, { arn: ASG_ARN }];
      });
      expect((await both(sameRegion)).join("\n")).to.include('step "scale-dr-capacity" (EC2AutoScaling) names 2 Auto Scaling group(s)');
    });

    it("fails an automatic trigger without the DR-standby guard, or waiting for it to be green", async () => {
      const expected = `${PLAN}: the automatic trigger does not wait for the guard alarm "${GUARD_ALARM_NAME}" to be red (the DR database still a replica); the outage alarm stays red after the failover, so the trigger would activate the DR region again: add the condition { associatedAlarmName: "${GUARD_ALARM_NAME}", condition: "red" }`;
      const unguarded = editing(regionSwitchStack({ automatic: true }), PLAN, (props) => {
        props.triggers[0].conditions = props.triggers[0].conditions.slice(0, 1);
      });
      expect(await both(unguarded)).to.deep.equal([expected]);
      const green = editing(regionSwitchStack({ automatic: true, aurora: true }), PLAN, (props) => (props.triggers[0].conditions[1].condition = "green"));
      expect(await both(green)).to.deep.equal([expected]);
    });
  });

  describe("triggers and reports", () => {
    it("fails triggers without failover.automatic, and none with it", () => {
      const automatic = regionSwitchStack({ automatic: true });
      expect(invariantOf(automatic, [], { recoveryOrchestrator: "region-switch", regionSwitchPlan: { approvalRequired: true } }).join("\n")).to.include(
        "1 trigger(s) although failover.automatic is false",
      );
      const manual = regionSwitchStack();
      expect(invariantOf(manual, [], { recoveryOrchestrator: "region-switch", regionSwitchPlan: { approvalRequired: false } }).join("\n")).to.include(
        `failover.automatic is true but no trigger activates the DR region ${DR_REGION}`,
      );
    });

    it("fails a trigger on an alarm of the primary region, and one that activates the primary", async () => {
      const primaryAlarm = TRIGGER_ALARM_ARN.replace(DR_REGION, PRIMARY_REGION);
      const broken = editing(regionSwitchStack({ automatic: true }), PLAN, (props) => (props.associatedAlarms[0].resourceIdentifier = primaryAlarm));
      const message = `dr-region-switch-plan: the trigger alarm "failover-signal" (${primaryAlarm}) is in ${PRIMARY_REGION}; it must live in the DR region ${DR_REGION}, which survives the outage`;
      expect(invariantOf(broken)).to.include(message);
      expect(await violationsOf(POLICY, broken, undefined, DR_REGION)).to.include(message);
      const failback = editing(regionSwitchStack({ automatic: true }), PLAN, (props) =>
        props.triggers.push({ ...props.triggers[0], targetRegion: PRIMARY_REGION }),
      );
      expect(invariantOf(failback).join("\n")).to.include(`a trigger would activate ${PRIMARY_REGION}; only the failover to the DR region may start by itself`);
    });

    it("fails reports to no bucket, to a bucket not of the stack, and to a bucket of the primary region", () => {
      expect(invariantOf(editing(regionSwitchStack(), PLAN, (props) => delete props.reportConfigurations))).to.deep.equal([
        "dr-region-switch-plan: no execution reports (reportConfigurations); send them to a bucket of the DR region",
      ]);
      const elsewhere = invariantOf(
        editing(regionSwitchStack(), PLAN, (props) => (props.reportConfigurations[0].reportOutputs[0].s3Configurations[0].bucketPath = "elsewhere/reports")),
      );
      expect(elsewhere).to.include("dr-region-switch-plan: reports go to bucket elsewhere, which this DR stack does not declare; declare it in the DR region");
      // The role, written for the stack's own bucket, does not allow the other one either.
      expect(elsewhere.join("\n")).to.include("needs s3:PutObject on arn:aws:s3:::elsewhere/reports/report");
      const primaryBucket = regionSwitchStack().map((resource) =>
        resource.name === "dr-region-switch-reports" ? { ...resource, region: PRIMARY_REGION } : resource,
      );
      expect(invariantOf(primaryBucket).join("\n")).to.include(`in ${PRIMARY_REGION}; it must be in the DR region ${DR_REGION}`);
    });
  });

  describe("failover records", () => {
    it("fails records whose health check is not built from the plan, and accepts a calculated check whose children are", () => {
      const other = regionSwitchStack().map((resource) =>
        resource.name === "app-primary-record" ? { ...resource, propertyDependencies: { healthCheckId: ["primary-endpoint-check"] } } : resource,
      );
      expect(invariantOf(other)).to.deep.equal([
        "app-primary-record: its health check is not one of the Region switch plan's (healthCheckId, or a calculated check's childHealthchecks, from getRoute53HealthChecks of dr-region-switch-plan); the plan's Route53HealthCheck step would move no traffic",
      ]);
      const calculated: FixtureResource = {
        type: "aws:route53/healthCheck:HealthCheck",
        name: "primary-calculated",
        props: { type: "CALCULATED", childHealthchecks: ["hc-arc"] },
        propertyDependencies: { childHealthchecks: [PLAN] },
      };
      const through = [...regionSwitchStack(), calculated].map((resource) =>
        resource.name === "app-primary-record" ? { ...resource, propertyDependencies: { healthCheckId: ["primary-calculated"] } } : resource,
      );
      expect(invariantOf(through)).to.deep.equal([]);
    });
  });

  describe("the execution role", () => {
    const removals: [string, string, string, string][] = [
      ["dr-region-switch-execution-database", "rds:PromoteReadReplica", "promote-database", REPLICA_ARN],
      ["dr-region-switch-execution-database", "rds:CreateDBInstanceReadReplica", "reprotect-database", REPLICA_ARN],
      ["dr-region-switch-execution-capacity", "autoscaling:UpdateAutoScalingGroup", "scale-dr-capacity", ASG_ARN],
      ["dr-region-switch-execution-traffic", "route53:ListResourceRecordSets", "shift-traffic", `arn:aws:route53:::hostedzone/${ZONE_ID}`],
      ["dr-region-switch-execution-lambda", "lambda:InvokeFunction", "stop-primary-writes", "arn:aws:lambda:us-east-1:"],
      ["dr-region-switch-execution-reports", "s3:PutObject", "(execution reports)", "arn:aws:s3:::dr-region-switch-reports-8e9f0a/report"],
      ["dr-region-switch-execution-plan", "iam:SimulatePrincipalPolicy", "(plan evaluation)", "arn:aws:iam::123456789012:role/"],
      ["dr-region-switch-approver-approve", "arc-region-switch:ApprovePlanExecutionStep", "approve-failover", PLAN_ARN],
    ];
    for (const [policyName, action, stepName, resource] of removals) {
      it(`fails a role without ${action} (step "${stepName}"), in the invariant and the simulator`, async () => {
        const broken = withoutAction(regionSwitchStack(), policyName, action);
        const pattern = `step "${stepName}" needs ${action} on ${resource}`;
        const invariant = invariantOf(broken);
        expect(invariant.length, invariant.join("\n")).to.be.greaterThan(0);
        for (const message of invariant)
          expect(message)
            .to.include(`needs ${action} on `)
            .and.to.match(/add it to the role's policy \(ARC Developer Guide, "/);
        expect(invariant.join("\n")).to.include(pattern);
        const simulated = await violationsOf(PERMISSIONS, broken, undefined, DR_REGION);
        expect(simulated.join("\n")).to.include(pattern).and.to.include("(ImplicitlyDenied)");
      });
    }

    it("fails the Aurora block without FailoverGlobalCluster, and a trigger alarm the role cannot read", async () => {
      const aurora = withoutAction(regionSwitchStack({ aurora: true }), "dr-region-switch-execution-database", "rds:FailoverGlobalCluster");
      expect((await violationsOf(PERMISSIONS, aurora, undefined, DR_REGION)).join("\n")).to.include(
        'step "promote-database" needs rds:FailoverGlobalCluster on arn:aws:rds::123456789012:global-cluster:app-global-7c8d9e',
      );
      const triggers = withoutAction(regionSwitchStack({ automatic: true }), "dr-region-switch-execution-triggers", "cloudwatch:DescribeAlarms");
      expect((await violationsOf(PERMISSIONS, triggers, undefined, DR_REGION)).join("\n")).to.include(
        `needs cloudwatch:DescribeAlarms on ${TRIGGER_ALARM_ARN}`,
      );
    });

    it("simulates what the pattern match cannot: an explicit Deny", async () => {
      const broken = editing(regionSwitchStack(), "dr-region-switch-execution-capacity", (props) => {
        const document = JSON.parse(props.policy) as { Statement: Json[] };
        document.Statement.push({ Effect: "Deny", Action: ["autoscaling:UpdateAutoScalingGroup"], Resource: ["*"] });
        props.policy = JSON.stringify(document);
      });
      // The invariant matches Allow statements only; the simulator applies the Deny.
      expect(invariantOf(broken)).to.deep.equal([]);
      expect((await violationsOf(PERMISSIONS, broken, undefined, DR_REGION)).join("\n")).to.include(
        `step "scale-dr-capacity" needs autoscaling:UpdateAutoScalingGroup on ${ASG_ARN}, which the role dr-region-switch-execution-1a2b3c does not allow (ExplicitlyDenied)`,
      );
    });

    it("fails a role that does not trust ARC Region switch, and a plan whose role is not in the stack", async () => {
      const untrusted = editing(
        regionSwitchStack(),
        "dr-region-switch-execution",
        (props) => (props.assumeRolePolicy = props.assumeRolePolicy.replace("arc-region-switch", "states")),
      );
      const message = "dr-region-switch-execution: its trust policy does not let arc-region-switch.amazonaws.com assume it";
      expect(invariantOf(untrusted).join("\n")).to.include(message);
      expect((await violationsOf(PERMISSIONS, untrusted, undefined, DR_REGION)).join("\n")).to.include(message);
      const missing = regionSwitchStack().filter((resource) => resource.name !== "dr-region-switch-execution");
      expect(invariantOf(missing)).to.deep.equal([
        "dr-region-switch-plan: its executionRole arn:aws:iam::123456789012:role/dr-region-switch-execution-1a2b3c is not a role of this stack; declare it with the DR stack",
      ]);
    });

    it("does not judge an approval role declared outside the stack", async () => {
      const outside = regionSwitchStack().filter((resource) => !resource.name.startsWith("dr-region-switch-approver"));
      expect(outside.some((resource) => resource.props.arn === APPROVER_ARN)).to.equal(false);
      expect(await everything(outside)).to.deep.equal([]);
    });
  });
});
