/**
 * The recovery budget when the orchestrator is ARC Region switch: computed from the plan's DR activation
 * (budget/regionSwitch.ts), block by block, Parallel at its longest child, the approval as the on-call's
 * decision, the trigger's alarm as the signal when automatic; read from the DR stack's resources
 * (budget/fromResources.ts) as invariant 11 and the policy `dr-recovery-budget` read it.
 */
import { expect } from "chai";
import { budgetInputsFromResources, type BudgetResource } from "../../budget/fromResources";
import { recoveryBudget, type RecoveryBudgetInputs } from "../../budget/recoveryBudget";
import { plannedStopWritesStep, regionSwitchPlanSteps } from "../../budget/regionSwitch";
import { FENCE_METRIC, PROBE_METRIC } from "../../config/conventions";
import { parseRecoveryManifest } from "../../config/recoveryManifest";
import { POLL_SECONDS, STOP_WRITES_DEADLINE_SECONDS } from "../../recovery/lambda/regionSwitchActions.mjs";
import { DR_REGION, editing, regionSwitchStack, TRIGGER_ALARM_ARN } from "./planFixtures";
import { budgetInputs } from "../fixtures/budgetInputs";

/** A warm-standby configuration: probe alarm 30 s x 1, decision 300 s, standby 1 of 2 instances, target checks 2 x 10 s. */
const BASE: RecoveryBudgetInputs = budgetInputs({
  trigger: { kind: "manual", signal: "endpoint-probe", alarmPeriodSeconds: 30, alarmEvaluationPeriods: 1, decisionSeconds: 300 },
});

const PLAN_STEPS = [
  { name: "approve-failover", executionBlockType: "ManualApproval" },
  { name: "stop-primary-writes", executionBlockType: "CustomActionLambda" },
  {
    name: "recover-data-and-capacity",
    executionBlockType: "Parallel",
    parallel: [
      { name: "promote-database", executionBlockType: "RdsPromoteReadReplica" },
      { name: "scale-dr-capacity", executionBlockType: "EC2AutoScaling" },
    ],
  },
  { name: "shift-traffic", executionBlockType: "Route53HealthCheck" },
];

/** The DR stack's resources as the budget reads them, with the alarms and groups the budget needs besides the plan. */
function budgetResources(automatic: boolean): BudgetResource[] {
  const stack = regionSwitchStack({ automatic }).map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.props }));
  const alarm = (name: string, inputs: Record<string, unknown>): BudgetResource => ({ type: "aws:cloudwatch/metricAlarm:MetricAlarm", name, inputs });
  return [
    ...stack,
    { type: "aws:route53/healthCheck:HealthCheck", name: "primary-check", inputs: { requestInterval: 10, failureThreshold: 3 } },
    alarm("probe-page", { ...PROBE_METRIC, period: 30, evaluationPeriods: 1 }),
    alarm("probe-automatic", { name: "dr-probe-automatic", ...PROBE_METRIC, period: 30, evaluationPeriods: 3 }),
    {
      type: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
      name: "failover-signal",
      inputs: { arn: TRIGGER_ALARM_ARN, alarmRule: 'ALARM("dr-probe-automatic") AND NOT ALARM("dr-fence")' },
    },
    alarm("fence", { name: "dr-fence", ...FENCE_METRIC, period: 600, evaluationPeriods: 1 }),
    { type: "aws:lb/targetGroup:TargetGroup", name: "dr-tg", inputs: { healthCheck: { interval: 10, healthyThreshold: 2 } } },
    alarm("lag", { metricName: "ReplicaLag", threshold: 60, period: 60, evaluationPeriods: 1 }),
    alarm("objects", { metricName: "ReplicationLatency", namespace: "AWS/S3", threshold: 900, period: 60, evaluationPeriods: 1 }),
  ];
}

function manifestOf(resources: BudgetResource[]) {
  const parameter = resources.find((resource) => resource.name === "recovery-parameter")!;
  return parseRecoveryManifest(String(parameter.inputs.insecureValue)).manifest!;
}

describe("the recovery budget of an ARC Region switch plan", () => {
  it("costs each block, the Parallel step at its longest child, the approval as the decision", () => {
    const budget = recoveryBudget({ ...BASE, regionSwitch: { steps: PLAN_STEPS } });
    expect(budget.rto.steps.map((step) => [step.step.split(",")[0], step.seconds, step.parallelGroup])).to.deep.equal([
      ["detect: the DR region's probe of the primary endpoint", 30, undefined],
      ["decide: probe alarm pages the on-call (30 s x 1)", 330, undefined],
      ["start: ARC Region switch starts the plan execution in the DR region", 10, undefined],
      ["stop-primary-writes: stop-primary-writes (CustomActionLambda)", 0, undefined],
      ["data: promote-database (RdsPromoteReadReplica)", 360, "recover-data-and-capacity"],
      ["capacity: scale-dr-capacity (EC2AutoScaling)", 125, "recover-data-and-capacity"],
      ["clients: shift-traffic (Route53HealthCheck)", 120, undefined],
    ]);
    expect(budget.rto.steps[1].step).to.include("approving the plan's ManualApproval step (failover.decisionSeconds, 300 s)");
    // 30 + 330 + 10 + 0 + max(360, 125) + 120
    expect(budget.rto.totalSeconds).to.equal(850);
    expect(budget.rto.met).to.equal(true);
  });

  it("costs a Lambda step 0 s: the unplanned failover is ungraceful, and ARC skips Lambda steps then", () => {
    const [lambda] = regionSwitchPlanSteps([{ name: "stop-primary-writes", executionBlockType: "CustomActionLambda" }], {
      data: { step: "data: x", seconds: 1, source: "" },
      capacity: { step: "capacity: x", seconds: 1, source: "" },
      dnsTtlSeconds: 60,
    });
    expect(lambda.seconds).to.equal(0);
    expect(lambda.step).to.equal("stop-primary-writes: stop-primary-writes (CustomActionLambda), skipped: an unplanned failover is an ungraceful execution");
    expect(lambda.source).to.include('"In ungraceful execution mode, Region switch skips the Lambda execution block step"');
  });

  it("costs a planned switchover's stop-writes step: the drain (deregistration delay, one look) and the heartbeat catch-up", () => {
    const timings = { stepName: "stop-primary-writes", pollSeconds: POLL_SECONDS, deadlineSeconds: STOP_WRITES_DEADLINE_SECONDS };
    // The program's target group (30 s): 30 + 10 drain, then a 10 s beat gap + 1 s skew + 10 s look.
    const step = plannedStopWritesStep({ ...timings, deregistrationDelaySeconds: 30 });
    expect(step.seconds).to.equal(61);
    expect(step.step).to.equal(
      "stop-primary-writes: stop-primary-writes (CustomActionLambda), planned only: drain 40 s (deregistration delay 30 s + one 10 s look), catch-up 21 s",
    );
    // ELB's default delay (300 s) still fits the function's 780 s deadline; one at the deadline never would.
    expect(plannedStopWritesStep({ ...timings, stepName: "stop-dr-writes", deregistrationDelaySeconds: 300 }).seconds).to.equal(331);
    expect(() => plannedStopWritesStep({ ...timings, deregistrationDelaySeconds: 760 })).to.throw(
      RangeError,
      "stop-primary-writes needs 791 s (deregistration delay 760 s + the heartbeat catch-up), at or beyond its 780 s deadline",
    );
  });

  it("costs the Aurora failover, and fails a block without a figure or an empty Parallel", () => {
    const aurora = recoveryBudget({
      ...BASE,
      databaseEngineMode: "aurora-global",
      regionSwitch: { steps: [{ name: "promote-database", executionBlockType: "AuroraGlobalDatabase" }] },
    });
    expect(aurora.rto.steps.find((step) => step.step.startsWith("data:"))?.seconds).to.equal(120);
    expect(() => recoveryBudget({ ...BASE, regionSwitch: { steps: [{ name: "scale-eks", executionBlockType: "EKSResourceScaling" }] } })).to.throw(
      RangeError,
      'regionSwitch step "scale-eks" has block type "EKSResourceScaling", for which the budget has no figure',
    );
    expect(() =>
      regionSwitchPlanSteps([{ name: "both", executionBlockType: "Parallel", parallel: [] }], {
        data: aurora.rto.steps[3],
        capacity: aurora.rto.steps[4],
        dnsTtlSeconds: 60,
      }),
    ).to.throw(RangeError, 'regionSwitch step "both" is a Parallel step without children');
    expect(() =>
      recoveryBudget({ ...BASE, strategy: "backup-restore", replicaLagAlarmThresholdSeconds: undefined, regionSwitch: { steps: PLAN_STEPS } }),
    ).to.throw(RangeError, "regionSwitch needs a read-replica strategy");
  });

  it("reads the plan from the DR stack: manual, the probe's page and the approval", () => {
    const resources = budgetResources(false);
    const { inputs, problems } = budgetInputsFromResources(resources, manifestOf(resources));
    expect(problems).to.deep.equal([]);
    expect(inputs?.trigger).to.deep.equal({
      kind: "manual",
      signal: "endpoint-probe",
      alarmPeriodSeconds: 30,
      alarmEvaluationPeriods: 1,
      decisionSeconds: 300,
    });
    expect(inputs?.regionSwitch?.steps.map((step) => step.name)).to.deep.equal([
      "approve-failover",
      "stop-primary-writes",
      "recover-data-and-capacity",
      "shift-traffic",
    ]);
    expect(recoveryBudget(inputs!).rto.totalSeconds).to.equal(850);
  });

  it("reads the plan's trigger: the composite alarm's probe (30 s x 3, not the fence it negates) and Region switch's trigger", () => {
    const resources = budgetResources(true);
    const { inputs, problems } = budgetInputsFromResources(resources, manifestOf(resources));
    expect(problems).to.deep.equal([]);
    expect(inputs?.trigger).to.deep.equal({ kind: "automatic", signal: "endpoint-probe", alarmPeriodSeconds: 30, alarmEvaluationPeriods: 3 });
    const budget = recoveryBudget(inputs!);
    expect(budget.rto.steps[1]).to.include({ seconds: 90 + 60 });
    expect(budget.rto.steps[1].step).to.include("then the plan's trigger starts the plan");
    // 30 + 150 + 10 + 0 + 360 + 120
    expect(budget.rto.totalSeconds).to.equal(670);
  });

  it("says what it cannot read: no DR activation, a trigger on no alarm of the stack", () => {
    const noActivation = editing(regionSwitchStack(), "dr-region-switch-plan", (props) => (props.workflows = props.workflows.slice(1)));
    const resources = [
      ...budgetResources(false).filter((resource) => resource.name !== "dr-region-switch-plan"),
      ...noActivation
        .filter((resource) => resource.name === "dr-region-switch-plan")
        .map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.props })),
    ];
    expect(budgetInputsFromResources(resources, manifestOf(resources)).problems).to.deep.equal([
      `the Region switch plan has no workflow that activates the DR region ${DR_REGION}: the failover's steps are unknown`,
    ]);
    const automatic = budgetResources(true).filter((resource) => resource.name !== "failover-signal");
    expect(budgetInputsFromResources(automatic, manifestOf(automatic)).problems).to.deep.equal([
      "the Region switch plan's trigger reads no metric alarm of this stack with a period and evaluation periods: the time to start the failover is unknown",
    ]);
  });
});
