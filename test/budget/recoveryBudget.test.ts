// Unit tests for the recovery budget (budget/recoveryBudget.ts) and its rendering (budget/render.ts).
// Every expected figure is worked by hand in the test from the published and typical figures of
// budget/figures.ts: Route 53 propagation 60 s, RDS promotion 360 s, EC2 launch 60 s, app boot 45 s,
// failover pre-checks 10 s, EventBridge 5 s, `pulumi up` start 120 s, point-in-time restore 900 s +
// 10 s/GiB, NAT gateway 180 s, replicated backups' restore lag 1800 s; and from the configuration:
// the health-check alarm, 60 s x 1 unless a test says otherwise, which precedes both triggers.
import { expect } from "chai";
import {
  budgetProblems,
  type BudgetStep,
  type FailoverTrigger,
  recoveryBudget,
  type RecoveryBudget,
  type RecoveryBudgetInputs,
} from "../../budget/recoveryBudget";
import {
  AURORA_GLOBAL_REPLICATION_LAG_SECONDS,
  AURORA_GLOBAL_SWITCH_SECONDS,
  CLOUDFRONT_ORIGIN_FAILOVER_SECONDS,
  ELASTICACHE_GLOBAL_FAILOVER_SECONDS,
  FENCE_ALARM_EVALUATION_SECONDS,
} from "../../budget/figures";
import { FENCE_PROPAGATION_SECONDS } from "../../recovery/fence";
import { BUDGET_TYPES, type BudgetResource, budgetInputsFromResources, cacheModeOf } from "../../budget/fromResources";
import { renderBudget, renderBudgetMarkdown } from "../../budget/render";
import type { RecoveryManifest } from "../../config/recoveryManifest";
import { DEFAULT_DURATIONS } from "../../recovery/offline/durations";
import { budgetInputs } from "../fixtures/budgetInputs";

/**
 * The default DR configuration: warm-standby, manual failover (health-check alarm 60 s x 1 pages the
 * on-call, who decides in 300 s), health check 10 s x 3, TTL 60, target group 10 s x 2, 1 -> 2 instances, 50 GiB.
 */
const inputs = budgetInputs;

/** A manual trigger: the health-check alarm (`periodSeconds` x `evaluationPeriods`) pages the on-call, who decides in `decisionSeconds`. */
function manual(decisionSeconds: number, periodSeconds = 60, evaluationPeriods = 1): FailoverTrigger {
  return { kind: "manual", alarmPeriodSeconds: periodSeconds, alarmEvaluationPeriods: evaluationPeriods, decisionSeconds };
}

/** backup-restore has no read replica, so no ReplicaLag threshold. */
function backupRestore(overrides: Partial<RecoveryBudgetInputs> = {}): RecoveryBudgetInputs {
  return inputs({ strategy: "backup-restore", standbyDesiredCapacity: 0, replicaLagAlarmThresholdSeconds: undefined, ...overrides });
}

/** Seconds of the step named `name` (`detect`, `data`, ...). */
function seconds(budget: RecoveryBudget, name: string): number {
  return stepNamed(budget, name).seconds;
}

function stepNamed(budget: RecoveryBudget, name: string): BudgetStep {
  const step = budget.rto.steps.find((candidate) => candidate.step.startsWith(`${name}:`));
  if (!step) throw new Error(`no step ${name} in ${budget.rto.steps.map((s) => s.step).join("; ")}`);
  return step;
}

function store(budget: RecoveryBudget, name: "database" | "objects") {
  const found = budget.rpo.stores.find((candidate) => candidate.store === name);
  if (!found) throw new Error(`no store ${name}`);
  return found;
}

describe("recoveryBudget: RTO", () => {
  it("warm-standby, manual: 30 + (60 + 300) + 10 + max(360, 125, 60) + 120 = 880 s, met against 900 s", () => {
    const budget = recoveryBudget(inputs());
    // decide: the health-check alarm pages the on-call after 60 s x 1 period, then the on-call decides in 300 s
    // capacity: 1 -> 2 instances = EC2 launch 60 + app boot 45 + 2 checks x 10 s = 125
    expect(seconds(budget, "detect")).to.equal(10 * 3);
    expect(seconds(budget, "decide")).to.equal(60 * 1 + 300);
    expect(seconds(budget, "start")).to.equal(10);
    expect(seconds(budget, "data")).to.equal(360);
    expect(seconds(budget, "capacity")).to.equal(60 + 45 + 2 * 10);
    expect(seconds(budget, "clients")).to.equal(60);
    // switch: the fence's alarm (60 s) and Route 53 following it (60 s)
    expect(seconds(budget, "switch")).to.equal(60 + 60);
    expect(budget.rto.totalSeconds).to.equal(30 + (60 + 300) + 10 + Math.max(360, 125, 60) + 120);
    expect(budget.rto.totalSeconds).to.equal(880);
    expect(budget.rto.targetSeconds).to.equal(900);
    expect(budget.rto.met).to.equal(true);
    expect(budget.strategy).to.equal("warm-standby");
  });

  it("lists the steps in order, the recover group marked parallel, each with a source", () => {
    const budget = recoveryBudget(inputs());
    expect(budget.rto.steps.map((step) => step.step.split(":")[0])).to.deep.equal(["detect", "decide", "start", "data", "capacity", "clients", "switch"]);
    expect(budget.rto.steps.map((step) => step.parallelGroup)).to.deep.equal([undefined, undefined, undefined, "recover", "recover", "recover", undefined]);
    for (const step of budget.rto.steps) expect(step.source, step.step).to.have.length.above(20);
    expect(stepNamed(budget, "detect").source).to.contain("How Amazon Route 53 determines whether a health check is healthy");
    expect(stepNamed(budget, "switch").source).to.contain("Evaluating an alarm");
  });

  it("automatic trigger: decide is the alarm's 60 s x 1 period + 5 s of EventBridge: 30 + 65 + 10 + 360 + 120 = 585 s", () => {
    const budget = recoveryBudget(inputs({ trigger: { kind: "automatic", alarmPeriodSeconds: 60, alarmEvaluationPeriods: 1 } }));
    expect(seconds(budget, "decide")).to.equal(60 * 1 + 5);
    expect(budget.rto.totalSeconds).to.equal(30 + 65 + 10 + 360 + 120);
  });

  it("automatic trigger with 3 evaluation periods of 60 s: decide 185 s, total 705 s", () => {
    const budget = recoveryBudget(inputs({ trigger: { kind: "automatic", alarmPeriodSeconds: 60, alarmEvaluationPeriods: 3 } }));
    expect(seconds(budget, "decide")).to.equal(60 * 3 + 5);
    expect(budget.rto.totalSeconds).to.equal(30 + 185 + 10 + 360 + 120);
  });

  it("manual trigger: decide is the alarm that pages the on-call, 60 s x 1, then the on-call's 300 s, each cited", () => {
    const decide = stepNamed(recoveryBudget(inputs()), "decide");
    expect(decide.step).to.equal("decide: health-check alarm pages the on-call (60 s x 1), then the on-call's decision (failover.decisionSeconds, 300 s)");
    expect(decide.seconds).to.equal(60 * 1 + 300);
    expect(decide.source).to.contain("AWS/Route53 HealthCheckStatus");
    expect(decide.source).to.contain("PutMetricAlarm");
    expect(decide.source).to.contain("pages the on-call");
    expect(decide.source).to.contain("start of the failover (failover.decisionSeconds)");
    expect(decide.source).not.to.contain("EventBridge");
  });

  it("manual trigger: the alarm's period and evaluation periods change decide, as for automatic", () => {
    // 30 s x 3 periods + 300 s = 390 s; total 30 + 390 + 10 + 360 + 120 = 910 s
    const faster = recoveryBudget(inputs({ trigger: manual(300, 30, 3) }));
    expect(seconds(faster, "decide")).to.equal(30 * 3 + 300);
    expect(stepNamed(faster, "decide").step).to.contain("(30 s x 3)");
    expect(faster.rto.totalSeconds).to.equal(30 + 390 + 10 + 360 + 120);
    // 60 s x 5 periods + 300 s = 600 s; total 30 + 600 + 10 + 360 + 120 = 1120 s, missed against 900 s
    const slower = recoveryBudget(inputs({ trigger: manual(300, 60, 5) }));
    expect(seconds(slower, "decide")).to.equal(60 * 5 + 300);
    expect(slower.rto.totalSeconds).to.equal(1120);
    expect(slower.rto.met).to.equal(false);
    // a 10 s alarm and no decision time: decide is the alarm alone, 10 s
    expect(seconds(recoveryBudget(inputs({ trigger: manual(0, 10, 1) })), "decide")).to.equal(10);
  });

  it("manual decision of the on-call counts as declared: 900 s makes 30 + (60 + 900) + 10 + 360 + 120 = 1480 s, missed", () => {
    const budget = recoveryBudget(inputs({ trigger: manual(900) }));
    expect(seconds(budget, "decide")).to.equal(60 + 900);
    expect(stepNamed(budget, "decide").step).to.contain("failover.decisionSeconds, 900 s");
    expect(budget.rto.totalSeconds).to.equal(1480);
    expect(budget.rto.met).to.equal(false);
  });

  it("a health check of 30 s x 3 detects in 90 s: 90 + (60 + 300) + 10 + 360 + 120 = 940 s", () => {
    const budget = recoveryBudget(inputs({ healthCheckIntervalSeconds: 30 }));
    expect(seconds(budget, "detect")).to.equal(30 * 3);
    expect(stepNamed(budget, "detect").step).to.contain("30 s x 3 failures");
    expect(budget.rto.totalSeconds).to.equal(940);
  });

  it("a failure threshold of 1 at 10 s detects in 10 s: 10 + (60 + 300) + 10 + 360 + 120 = 860 s", () => {
    expect(recoveryBudget(inputs({ healthCheckFailureThreshold: 1 })).rto.totalSeconds).to.equal(860);
  });

  it("pilot-light warms its capacity up from zero instances: 0 -> 2 = 60 + 45 + 2 x 10 = 125 s, hidden behind the promotion", () => {
    const budget = recoveryBudget(inputs({ strategy: "pilot-light", standbyDesiredCapacity: 0 }));
    expect(seconds(budget, "capacity")).to.equal(125);
    expect(stepNamed(budget, "capacity").step).to.contain("0 -> 2 instances");
    expect(budget.rto.totalSeconds).to.equal(30 + (60 + 300) + 10 + Math.max(360, 125, 60) + 120);
  });

  it("pilot-light with a slow target group (30 s x 5) warms up in 60 + 45 + 150 = 255 s", () => {
    const budget = recoveryBudget(
      inputs({ strategy: "pilot-light", standbyDesiredCapacity: 0, targetHealthCheckIntervalSeconds: 30, targetHealthyThreshold: 5 }),
    );
    expect(seconds(budget, "capacity")).to.equal(255);
  });

  it("warm-standby already at recovery capacity needs no capacity step: 0 s", () => {
    const budget = recoveryBudget(inputs({ standbyDesiredCapacity: 2, recoveryCapacity: 2 }));
    expect(seconds(budget, "capacity")).to.equal(0);
    expect(stepNamed(budget, "capacity").step).to.contain("already at recovery capacity");
    expect(budget.rto.totalSeconds).to.equal(880);
  });

  it("hot-standby runs the primary's capacity: capacity 0, 30 + (60 + 300) + 10 + 360 + 120 = 880 s", () => {
    const budget = recoveryBudget(inputs({ strategy: "hot-standby", standbyDesiredCapacity: 2, recoveryCapacity: 2 }));
    expect(seconds(budget, "capacity")).to.equal(0);
    expect(budget.rto.totalSeconds).to.equal(880);
  });

  it("backup-restore, manual, 50 GiB: 30 + (60 + 300) + 120 + max(900 + 50 x 10, 180 + 125, 60) + 0 = 1910 s, missed against 900 s", () => {
    const budget = recoveryBudget(backupRestore());
    expect(seconds(budget, "decide")).to.equal(60 * 1 + 300);
    expect(stepNamed(budget, "decide").source).to.contain("start of the restore (failover.decisionSeconds)");
    expect(seconds(budget, "start")).to.equal(120);
    expect(stepNamed(budget, "start").step).to.contain("pulumi up");
    expect(seconds(budget, "data")).to.equal(900 + 50 * 10);
    // capacity: NAT gateway 180, then 0 -> 2 instances: 60 + 45 + 2 x 10
    expect(seconds(budget, "capacity")).to.equal(180 + 125);
    expect(seconds(budget, "switch")).to.equal(0);
    expect(budget.rto.totalSeconds).to.equal(30 + 360 + 120 + Math.max(1400, 305, 60) + 0);
    expect(budget.rto.totalSeconds).to.equal(1910);
    expect(budget.rto.met).to.equal(false);
  });

  it("backup-restore's restore grows with the storage: 20 GiB 1100 s, 200 GiB 2900 s, 1000 GiB 10900 s", () => {
    const restore = (gib: number) => seconds(recoveryBudget(backupRestore({ databaseAllocatedStorageGib: gib })), "data");
    expect(restore(20)).to.equal(900 + 20 * 10);
    expect(restore(200)).to.equal(900 + 200 * 10);
    expect(restore(1000)).to.equal(900 + 1000 * 10);
    expect(restore(200)).to.be.above(restore(20));
    expect(recoveryBudget(backupRestore({ databaseAllocatedStorageGib: 1000 })).rto.totalSeconds).to.equal(30 + 360 + 120 + 10900);
  });

  it("read-replica strategies do not depend on the storage (promotion is 360 s)", () => {
    expect(seconds(recoveryBudget(inputs({ databaseAllocatedStorageGib: 20 })), "data")).to.equal(360);
    expect(seconds(recoveryBudget(inputs({ databaseAllocatedStorageGib: 5000 })), "data")).to.equal(360);
  });

  it("the parallel group costs its longest step: capacity 60 + 45 + 10 x 300 = 3105 s beats the promotion", () => {
    const budget = recoveryBudget(
      inputs({ strategy: "pilot-light", standbyDesiredCapacity: 0, targetHealthCheckIntervalSeconds: 300, targetHealthyThreshold: 10 }),
    );
    expect(seconds(budget, "capacity")).to.equal(3105);
    expect(budget.rto.totalSeconds).to.equal(30 + 360 + 10 + Math.max(360, 3105, 60) + 120);
    // not the sum of the group: 360 + 3105 + 60 would be 3525 more
    expect(budget.rto.totalSeconds).to.equal(3625);
  });

  it("the parallel group costs its longest step: a 600 s TTL beats the promotion", () => {
    const budget = recoveryBudget(inputs({ dnsTtlSeconds: 600 }));
    expect(seconds(budget, "clients")).to.equal(600);
    expect(budget.rto.totalSeconds).to.equal(30 + 360 + 10 + Math.max(360, 125, 600) + 120);
  });

  it("meets a target equal to the total, misses one a second below", () => {
    expect(recoveryBudget(inputs({ rtoSeconds: 880 })).rto.met).to.equal(true);
    expect(recoveryBudget(inputs({ rtoSeconds: 879 })).rto.met).to.equal(false);
  });
});

describe("recoveryBudget: RPO", () => {
  it("read-replica strategies: the database loses at most the ReplicaLag alarm threshold; objects the ReplicationLatency threshold", () => {
    const budget = recoveryBudget(inputs());
    expect(store(budget, "database")).to.include({ seconds: 60, targetSeconds: 60, met: true });
    expect(store(budget, "objects")).to.include({ seconds: 900, targetSeconds: 900, met: true });
    expect(store(budget, "database").source).to.contain("ReplicaLag");
    expect(store(budget, "objects").source).to.contain("Replication Time Control");
    expect(budget.rpo.met).to.equal(true);
  });

  it("a lag threshold above the RPO misses the database's target only", () => {
    const budget = recoveryBudget(inputs({ replicaLagAlarmThresholdSeconds: 120 }));
    expect(store(budget, "database")).to.include({ seconds: 120, targetSeconds: 60, met: false });
    expect(store(budget, "objects").met).to.equal(true);
    expect(budget.rpo.met).to.equal(false);
  });

  it("an object RPO under S3 RTC's 900 s misses the objects' target only", () => {
    const budget = recoveryBudget(inputs({ objectRpoSeconds: 600 }));
    expect(store(budget, "objects")).to.include({ seconds: 900, targetSeconds: 600, met: false });
    expect(store(budget, "database").met).to.equal(true);
    expect(budget.rpo.met).to.equal(false);
  });

  it("backup-restore: the database loses up to the replicated backups' 30 minutes (1800 s)", () => {
    const budget = recoveryBudget(backupRestore());
    expect(store(budget, "database")).to.include({ seconds: 1800, targetSeconds: 60, met: false });
    expect(store(budget, "database").source).to.contain("5–30 minutes");
    expect(recoveryBudget(backupRestore({ rpoSeconds: 1800 })).rpo.met).to.equal(true);
  });
});

describe("budgetProblems", () => {
  it("is empty when every target is met", () => {
    expect(budgetProblems(recoveryBudget(inputs()))).to.deep.equal([]);
  });

  it("a missed RTO names the target, budget against target, the largest step and the fix", () => {
    // 30 + (60 + 900) + 10 + 360 + 120 = 1480 s against 900 s
    const problems = budgetProblems(recoveryBudget(inputs({ trigger: manual(900) })));
    expect(problems).to.have.length(1);
    const [problem] = problems;
    expect(problem).to.contain("RTO budget of warm-standby is 1480 s, over the 900 s target (recovery.rtoSeconds) by 580 s");
    expect(problem).to.contain(
      "largest step is decide: health-check alarm pages the on-call (60 s x 1), then the on-call's decision (failover.decisionSeconds, 900 s) (960 s)",
    );
    expect(problem).not.to.contain("set by AWS or by the strategy");
    expect(problem).to.contain("lower failover.decisionSeconds, or set failover.automatic to true");
    expect(problem).to.contain("raise recovery.rtoSeconds to at least 1480");
  });

  it("backup-restore's slow manual decision names failover.decisionSeconds, not failover.automatic (no workflow to start)", () => {
    // 30 + (60 + 3000) + 120 + max(1400, 305, 60) + 0 = 4610 s against 900 s: decide (3060 s) is the largest step
    const budget = recoveryBudget(backupRestore({ trigger: manual(3000) }));
    expect(budget.rto.totalSeconds).to.equal(4610);
    const [problem] = budgetProblems(budget);
    expect(problem).to.contain("the largest step is decide: health-check alarm pages the on-call (60 s x 1)");
    expect(problem).to.contain("(3060 s)");
    expect(problem).to.contain("lower failover.decisionSeconds (the on-call's response time), or choose pilot-light or a faster strategy");
    expect(problem).not.to.contain("failover.automatic");
  });

  it("a slow health check points at the health-check settings", () => {
    // 30 s x 10 = 300 s detect; automatic 60 s x 1 + 5 s; total 300 + 65 + 10 + 360 + 120 = 855 s against 600 s
    const budget = recoveryBudget(
      inputs({
        healthCheckIntervalSeconds: 30,
        healthCheckFailureThreshold: 10,
        trigger: { kind: "automatic", alarmPeriodSeconds: 60, alarmEvaluationPeriods: 1 },
        rtoSeconds: 600,
      }),
    );
    expect(budget.rto.totalSeconds).to.equal(855);
    const [problem] = budgetProblems(budget);
    expect(problem).to.contain("the largest step is data: promotion of the read replica (360 s) (set by AWS or by the strategy");
    expect(problem).to.contain("lower dns.healthCheckIntervalSeconds (10 or 30) or dns.healthCheckFailureThreshold");
  });

  it("backup-restore's missed RTO and RPO suggest a faster strategy", () => {
    const problems = budgetProblems(recoveryBudget(backupRestore()));
    expect(problems).to.have.length(2);
    expect(problems[0]).to.contain("RTO budget of backup-restore is 1910 s, over the 900 s target (recovery.rtoSeconds) by 1010 s");
    expect(problems[0]).to.contain("largest step is data: point-in-time restore of 50 GiB");
    expect(problems[0]).to.contain("choose pilot-light or a faster strategy");
    expect(problems[0]).to.contain("raise recovery.rtoSeconds to at least 1910");
    expect(problems[1]).to.contain("RPO budget of the database is 1800 s, over the 60 s target (recovery.rpoSeconds) by 1740 s");
    expect(problems[1]).to.contain("choose pilot-light or a faster strategy");
    expect(problems[1]).to.contain("raise recovery.rpoSeconds to at least 1800");
  });

  it("a slow capacity of warm-standby suggests raising the DR desired capacity or hot-standby", () => {
    const budget = recoveryBudget(inputs({ standbyDesiredCapacity: 0, targetHealthCheckIntervalSeconds: 300, targetHealthyThreshold: 10 }));
    const [problem] = budgetProblems(budget);
    expect(problem).to.contain("largest step is capacity");
    expect(problem).to.contain("raise the DR stack's app.desiredCapacity toward the primary's, or choose hot-standby");
  });

  it("missed RPOs name their target and fix: lag threshold, object RPO", () => {
    const problems = budgetProblems(recoveryBudget(inputs({ replicaLagAlarmThresholdSeconds: 120, objectRpoSeconds: 600 })));
    expect(problems).to.have.length(2);
    expect(problems[0]).to.contain("RPO budget of the database is 120 s, over the 60 s target (recovery.rpoSeconds) by 60 s");
    expect(problems[0]).to.contain("lower the ReplicaLag alarm threshold to 60 s");
    expect(problems[1]).to.contain("RPO budget of the objects is 900 s, over the 600 s target (recovery.objectRpoSeconds) by 300 s");
    expect(problems[1]).to.contain("raise recovery.objectRpoSeconds to at least 900");
  });
});

describe("recoveryBudget: inputs out of range throw a RangeError naming the field", () => {
  const cases: [string, RecoveryBudgetInputs, RegExp][] = [
    ["unknown strategy", inputs({ strategy: "active-active" as never }), /strategy must be one of/],
    ["health-check interval 15", inputs({ healthCheckIntervalSeconds: 15 }), /healthCheckIntervalSeconds must be 10 or 30/],
    ["failure threshold 0", inputs({ healthCheckFailureThreshold: 0 }), /healthCheckFailureThreshold must be a whole number, 1 to 10/],
    ["failure threshold 11", inputs({ healthCheckFailureThreshold: 11 }), /healthCheckFailureThreshold/],
    ["failure threshold 2.5", inputs({ healthCheckFailureThreshold: 2.5 }), /healthCheckFailureThreshold/],
    ["unknown trigger", inputs({ trigger: { kind: "scheduled" } as never }), /trigger\.kind must be automatic or manual/],
    ["negative decision", inputs({ trigger: manual(-1) }), /trigger\.decisionSeconds must be 0 or more, got -1/],
    ["NaN decision", inputs({ trigger: manual(Number.NaN) }), /trigger\.decisionSeconds must be a finite number, got NaN/],
    ["manual alarm period 45", inputs({ trigger: manual(300, 45, 1) }), /trigger\.alarmPeriodSeconds must be 10, 20, 30/],
    [
      "manual alarm period missing",
      inputs({ trigger: { kind: "manual", decisionSeconds: 300 } as never }),
      /trigger\.alarmPeriodSeconds must be a finite number/,
    ],
    ["manual evaluation periods 1.5", inputs({ trigger: manual(300, 60, 1.5) }), /trigger\.alarmEvaluationPeriods must be a whole number, 1 or more/],
    [
      "manual evaluation over a day",
      backupRestore({ trigger: manual(300, 60, 1441) }),
      /trigger\.alarmEvaluationPeriods must keep period x evaluation periods within 86400 s/,
    ],
    [
      "automatic backup-restore",
      backupRestore({ trigger: { kind: "automatic", alarmPeriodSeconds: 60, alarmEvaluationPeriods: 1 } }),
      /trigger\.kind must be manual for backup-restore/,
    ],
    [
      "alarm period 45",
      inputs({ trigger: { kind: "automatic", alarmPeriodSeconds: 45, alarmEvaluationPeriods: 1 } }),
      /trigger\.alarmPeriodSeconds must be 10, 20, 30/,
    ],
    [
      "alarm period 0",
      inputs({ trigger: { kind: "automatic", alarmPeriodSeconds: 0, alarmEvaluationPeriods: 1 } }),
      /trigger\.alarmPeriodSeconds must be above 0/,
    ],
    ["evaluation periods 0", inputs({ trigger: { kind: "automatic", alarmPeriodSeconds: 60, alarmEvaluationPeriods: 0 } }), /trigger\.alarmEvaluationPeriods/],
    [
      "evaluation over a day",
      inputs({ trigger: { kind: "automatic", alarmPeriodSeconds: 60, alarmEvaluationPeriods: 1441 } }),
      /trigger\.alarmEvaluationPeriods must keep period x evaluation periods within 86400 s/,
    ],
    ["negative TTL", inputs({ dnsTtlSeconds: -60 }), /dnsTtlSeconds must be 0 or more/],
    ["infinite TTL", inputs({ dnsTtlSeconds: Number.POSITIVE_INFINITY }), /dnsTtlSeconds must be a finite number/],
    ["target interval 4", inputs({ targetHealthCheckIntervalSeconds: 4 }), /targetHealthCheckIntervalSeconds must be a whole number, 5 to 300/],
    ["target interval 301", inputs({ targetHealthCheckIntervalSeconds: 301 }), /targetHealthCheckIntervalSeconds/],
    ["healthy threshold 1", inputs({ targetHealthyThreshold: 1 }), /targetHealthyThreshold must be a whole number, 2 to 10/],
    ["negative standby", inputs({ standbyDesiredCapacity: -1 }), /standbyDesiredCapacity must be a whole number, 0 or more/],
    ["recovery capacity 0", inputs({ recoveryCapacity: 0 }), /recoveryCapacity must be a whole number, 1 or more/],
    ["storage 10 GiB", inputs({ databaseAllocatedStorageGib: 10 }), /databaseAllocatedStorageGib must be a whole number, 20 to 65536/],
    ["storage NaN", inputs({ databaseAllocatedStorageGib: Number.NaN }), /databaseAllocatedStorageGib must be a finite number/],
    ["lag threshold missing", inputs({ replicaLagAlarmThresholdSeconds: undefined }), /replicaLagAlarmThresholdSeconds is required for warm-standby/],
    ["lag threshold negative", inputs({ replicaLagAlarmThresholdSeconds: -5 }), /replicaLagAlarmThresholdSeconds must be 0 or more/],
    [
      "lag threshold with backup-restore",
      backupRestore({ replicaLagAlarmThresholdSeconds: 60 }),
      /replicaLagAlarmThresholdSeconds must be undefined for backup-restore/,
    ],
    ["object latency 0", inputs({ objectReplicationLatencyAlarmSeconds: 0 }), /objectReplicationLatencyAlarmSeconds must be above 0/],
    ["RTO 0", inputs({ rtoSeconds: 0 }), /rtoSeconds must be above 0/],
    ["RPO negative", inputs({ rpoSeconds: -1 }), /rpoSeconds must be above 0/],
    ["object RPO infinite", inputs({ objectRpoSeconds: Number.POSITIVE_INFINITY }), /objectRpoSeconds must be a finite number/],
  ];
  for (const [name, bad, message] of cases) {
    it(name, () => {
      expect(() => recoveryBudget(bad)).to.throw(RangeError, message);
    });
  }

  it("accepts the edges of the ranges", () => {
    expect(() =>
      recoveryBudget(inputs({ healthCheckFailureThreshold: 1, targetHealthCheckIntervalSeconds: 5, targetHealthyThreshold: 10, dnsTtlSeconds: 0 })),
    ).not.to.throw();
    expect(() => recoveryBudget(inputs({ trigger: { kind: "automatic", alarmPeriodSeconds: 10, alarmEvaluationPeriods: 8640 } }))).not.to.throw();
    expect(() => recoveryBudget(inputs({ trigger: manual(0, 10, 8640), databaseAllocatedStorageGib: 65536 }))).not.to.throw();
    // periods of an hour or more may evaluate over seven days: 3600 s x 168 = 604800 s
    expect(() => recoveryBudget(backupRestore({ trigger: manual(300, 3600, 168) }))).not.to.throw();
  });
});

describe("renderBudget", () => {
  it("prints the RTO header, one line per step, the recover group on one line, and the RPO line", () => {
    expect(renderBudget(recoveryBudget(inputs()))).to.deep.equal([
      "RTO budget (warm-standby): 880 s of 900 s target - met",
      "     30 s  detect: Route 53 health check, 10 s x 3 failures",
      "    360 s  decide: health-check alarm pages the on-call (60 s x 1), then the on-call's decision (failover.decisionSeconds, 300 s)",
      "     10 s  start: failover workflow guard and pre-checks",
      "    360 s  recover (parallel, longest counts): data 360 s | capacity 125 s | clients 60 s",
      "    120 s  switch: fence the primary (one datapoint in the DR region), its alarm, Route 53 following it",
      "RPO budget: database 60 s of 60 s - met; objects 900 s of 900 s - met",
    ]);
  });

  it("says by how much a target is missed", () => {
    const lines = renderBudget(recoveryBudget(backupRestore()));
    expect(lines[0]).to.equal("RTO budget (backup-restore): 1910 s of 900 s target - missed by 1010 s");
    expect(lines).to.include("   1400 s  recover (parallel, longest counts): data 1400 s | capacity 305 s | clients 60 s");
    expect(lines.at(-1)).to.equal("RPO budget: database 1800 s of 60 s - missed by 1740 s; objects 900 s of 900 s - met");
  });

  it("renders a markdown table of steps with sources, the group's members indented, and the stores", () => {
    const markdown = renderBudgetMarkdown(recoveryBudget(inputs()));
    expect(markdown).to.contain("**RTO budget (warm-standby): 880 s of 900 s target - met**");
    expect(markdown).to.contain("| Step | Seconds | Source |");
    expect(markdown).to.contain("| detect: Route 53 health check, 10 s x 3 failures | 30 | Route 53 Developer Guide");
    expect(markdown).to.contain("| recover (parallel, longest counts) | 360 | |");
    expect(markdown).to.contain("| &nbsp;&nbsp;&nbsp;&nbsp;capacity: 1 -> 2 instances: launch, boot, 2 x 10 s target checks | 125 |");
    expect(markdown).to.contain("| **total** | **880** | target 900 s |");
    expect(markdown).to.contain("| database | 60 | 60 | met |");
    expect(markdown).to.contain("| objects | 900 | 900 | met |");
    // every table row has the same number of unescaped cell separators as its header
    for (const line of markdown.split("\n").filter((row) => row.startsWith("|"))) {
      const separators = line.replace(/\\\|/g, "").split("|").length - 1;
      expect(separators, line).to.be.oneOf([4, 6]);
    }
  });
});

describe("figures shared with the offline failover simulator", () => {
  it("keep the simulator's defaults unchanged", () => {
    expect(DEFAULT_DURATIONS).to.deep.equal({
      rdsPromotionSeconds: 360,
      rdsPromotionRebootSeconds: 60,
      rdsBackupRemainingSeconds: 300,
      ec2LaunchSeconds: 60,
      appBootSeconds: 45,
      targetHealthCheckIntervalSeconds: 10,
      targetHealthyThreshold: 2,
      targetUnhealthyThreshold: 3,
      route53PropagationSeconds: 60,
      route53HealthCheckIntervalSeconds: 10,
      route53FailureThreshold: 3,
      aliasTtlSeconds: 60,
      metricPeriodSeconds: 60,
      apiCallSeconds: 0.2,
      lambdaInvokeSeconds: 0.8,
      lambdaTimeoutSeconds: 50,
      auroraFailoverSeconds: 120,
      auroraSwitchoverSeconds: 120,
      auroraRejoinSeconds: 1800,
      deregistrationDelaySeconds: 30,
      instanceTerminationSeconds: 30,
      heartbeatIntervalSeconds: 5,
      fencePropagationSeconds: 60,
      cacheFailoverSeconds: 60,
      cacheDetachSeconds: 60,
    });
    // The simulator switches an Aurora global database, and promotes a global datastore's member, in the times the budget counts.
    expect(DEFAULT_DURATIONS.auroraFailoverSeconds).to.equal(AURORA_GLOBAL_SWITCH_SECONDS);
    expect(DEFAULT_DURATIONS.cacheFailoverSeconds).to.equal(ELASTICACHE_GLOBAL_FAILOVER_SECONDS);
  });
});

describe("recoveryBudget: the unplanned path counts the data plane only (issue 18)", () => {
  it("counts the fence's alarm evaluation and Route 53 following it, and no record change, INSYNC wait or call to the primary region", () => {
    for (const mode of ["instance", "aurora-global"] as const) {
      const budget = recoveryBudget(inputs({ databaseEngineMode: mode }));
      const switchStep = stepNamed(budget, "switch");
      expect(switchStep.seconds, mode).to.equal(FENCE_ALARM_EVALUATION_SECONDS + FENCE_PROPAGATION_SECONDS);
      expect(switchStep.step).to.match(/fence the primary/);
      for (const step of budget.rto.steps) {
        expect(`${step.step} ${step.source}`, step.step).to.not.match(/INSYNC|GetChange|UPSERT|ChangeResourceRecordSets/);
      }
    }
  });

  it("says so in the console rendering", () => {
    const lines = renderBudget(recoveryBudget(inputs()));
    expect(lines.join("\n")).to.not.match(/INSYNC|UPSERT/);
    expect(lines.join("\n")).to.match(/switch: fence the primary/);
  });
});

describe("recoveryBudget: aurora-global engine mode", () => {
  const aurora = (overrides: Partial<RecoveryBudgetInputs> = {}) => inputs({ databaseEngineMode: "aurora-global", ...overrides });

  it("counts the Aurora global failover (120 s) instead of the replica promotion (360 s) as the data step", () => {
    const budget = recoveryBudget(aurora());
    const data = stepNamed(budget, "data");
    expect(data.seconds).to.equal(120);
    expect(data.step).to.match(/FailoverGlobalCluster/);
    expect(data.source).to.match(/Using switchover or failover in Amazon Aurora Global Database/);
    expect(budget.databaseEngineMode).to.equal("aurora-global");
    // detect 30 + decide 60 + 300 + start 10 + recover max(data 120, capacity 60 + 45 + 2 x 10 = 125, clients 60) + switch 120 = 645.
    expect(budget.rto.totalSeconds).to.equal(645);
    // The instance mode of the same configuration: recover 360 -> 820.
    expect(recoveryBudget(inputs()).rto.totalSeconds).to.equal(880);
    expect(recoveryBudget(inputs())).to.not.have.property("databaseEngineMode");
    expect(seconds(recoveryBudget(inputs({ databaseEngineMode: "instance" })), "data")).to.equal(360);
  });

  it("makes the capacity the longest recovery step once the database switches in 120 s", () => {
    const budget = recoveryBudget(aurora({ standbyDesiredCapacity: 2, recoveryCapacity: 2 }));
    expect(budget.rto.totalSeconds).to.equal(30 + 360 + 10 + 120 + 120);
  });

  it("bounds the database RPO by the lag alarm threshold and shows Aurora's typical lag of 1 s", () => {
    const budget = recoveryBudget(aurora({ replicaLagAlarmThresholdSeconds: 5, rpoSeconds: 5 }));
    const database = store(budget, "database");
    expect(database).to.include({ seconds: 5, targetSeconds: 5, met: true, typicalSeconds: AURORA_GLOBAL_REPLICATION_LAG_SECONDS });
    expect(database.source)
      .to.match(/AuroraGlobalDBRPOLag/)
      .and.match(/under a second/);
    expect(store(recoveryBudget(inputs()), "database")).to.not.have.property("typicalSeconds");
  });

  it("reports a missed RPO with the Aurora alarm to lower, in seconds and milliseconds", () => {
    const problems = budgetProblems(recoveryBudget(aurora({ replicaLagAlarmThresholdSeconds: 10, rpoSeconds: 5 })));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/lower the AuroraGlobalDBRPOLag alarm threshold to 5 s \(5000 ms/);
  });

  it("does not check the allocated storage (Aurora storage grows by itself), and refuses backup-restore and unknown modes", () => {
    expect(() => recoveryBudget(aurora({ databaseAllocatedStorageGib: 0 }))).to.not.throw();
    expect(() => recoveryBudget(inputs({ databaseAllocatedStorageGib: 0 }))).to.throw(RangeError, /databaseAllocatedStorageGib/);
    expect(() => recoveryBudget(backupRestore({ databaseEngineMode: "aurora-global" }))).to.throw(
      RangeError,
      /databaseEngineMode aurora-global keeps a secondary cluster/,
    );
    expect(() => recoveryBudget(inputs({ databaseEngineMode: "aurora" as never }))).to.throw(
      RangeError,
      /databaseEngineMode must be one of instance, aurora-global/,
    );
  });

  it("renders the engine mode and the typical loss", () => {
    const budget = recoveryBudget(aurora());
    const lines = renderBudget(budget);
    expect(lines[0]).to.match(/^RTO budget \(warm-standby, aurora-global\): 645 s of 900 s target - met$/);
    expect(lines.at(-1)).to.include("database 60 s of 60 s - met (typically 1 s)");
    expect(renderBudgetMarkdown(budget)).to.include("| database | 60 (typically 1 s) | 60 |");
    expect(renderBudget(recoveryBudget(inputs()))[0]).to.match(/^RTO budget \(warm-standby\):/);
  });
});

describe("budgetInputsFromResources: engine mode", () => {
  /** The DR stack's budget resources with the lag alarm on `metricName` at `threshold`. */
  function resources(metricName: string, threshold: number): BudgetResource[] {
    return [
      { type: BUDGET_TYPES.healthCheck, name: "hc", inputs: { requestInterval: 10, failureThreshold: 3 } },
      { type: BUDGET_TYPES.metricAlarm, name: "hc-alarm", inputs: { metricName: "HealthCheckStatus", period: 60, evaluationPeriods: 1 } },
      { type: BUDGET_TYPES.targetGroup, name: "tg", inputs: { healthCheck: { interval: 10, healthyThreshold: 2 } } },
      { type: BUDGET_TYPES.autoScalingGroup, name: "asg", inputs: { desiredCapacity: 1 } },
      { type: BUDGET_TYPES.metricAlarm, name: "s3", inputs: { namespace: "AWS/S3", metricName: "ReplicationLatency", threshold: 900 } },
      { type: BUDGET_TYPES.metricAlarm, name: "lag", inputs: { metricName, threshold } },
    ];
  }
  const manifest = (dbEngineMode?: string): RecoveryManifest =>
    ({
      role: "dr",
      strategy: "warm-standby",
      rtoSeconds: 900,
      rpoSeconds: 60,
      objectRpoSeconds: 900,
      failoverDecisionSeconds: 300,
      primary: { appDesiredCapacity: 2, dbAllocatedStorageGib: 50, ...(dbEngineMode ? { dbEngineMode } : {}) },
    }) as unknown as RecoveryManifest;

  it("reads the AuroraGlobalDBRPOLag alarm (milliseconds) in aurora-global mode", () => {
    const read = budgetInputsFromResources(resources("AuroraGlobalDBRPOLag", 5000), manifest("aurora-global"));
    expect(read.problems).to.deep.equal([]);
    expect(read.inputs).to.include({ databaseEngineMode: "aurora-global", replicaLagAlarmThresholdSeconds: 5 });
    expect(
      budgetInputsFromResources(resources("AuroraGlobalDBReplicationLag", 1000), manifest("aurora-global")).inputs?.replicaLagAlarmThresholdSeconds,
    ).to.equal(1);
  });

  it("keeps the instance mode on ReplicaLag (seconds), and names the Aurora metrics when their alarm is missing", () => {
    const instance = budgetInputsFromResources(resources("ReplicaLag", 60), manifest());
    expect(instance.inputs).to.include({ replicaLagAlarmThresholdSeconds: 60 });
    expect(instance.inputs).to.not.have.property("databaseEngineMode");
    // A ReplicaLag alarm does not guard an Aurora global database, nor an Aurora alarm a read replica.
    expect(budgetInputsFromResources(resources("ReplicaLag", 60), manifest("aurora-global")).problems.join()).to.match(
      /AuroraGlobalDBRPOLag or AuroraGlobalDBReplicationLag/,
    );
    expect(budgetInputsFromResources(resources("AuroraGlobalDBRPOLag", 5000), manifest()).problems.join()).to.match(/AWS\/RDS ReplicaLag/);
  });
});

describe("recoveryBudget: the DR region's probe as the failover's signal (issue 18, item 2)", () => {
  const probe = (kind: "automatic" | "manual", evaluationPeriods = 2): FailoverTrigger =>
    kind === "automatic"
      ? { kind, signal: "endpoint-probe", alarmPeriodSeconds: 60, alarmEvaluationPeriods: evaluationPeriods }
      : { kind, signal: "endpoint-probe", alarmPeriodSeconds: 60, alarmEvaluationPeriods: evaluationPeriods, decisionSeconds: 300 };

  it("detects within one probe period, then waits the alarm's periods and EventBridge (automatic)", () => {
    const budget = recoveryBudget(inputs({ trigger: probe("automatic") }));
    // detect: the minute the outage starts in may still hold a healthy attempt (60 s); decide: 2 x 60 s, then EventBridge 5 s.
    expect(seconds(budget, "detect")).to.equal(60);
    expect(stepNamed(budget, "detect").step).to.match(/^detect: the DR region's probe of the primary endpoint/);
    expect(seconds(budget, "decide")).to.equal(2 * 60 + 5);
    expect(stepNamed(budget, "decide").step).to.equal("decide: probe alarm, 60 s x 2 periods, then EventBridge starts the failover");
  });

  it("pages the on-call from the probe alarm (manual), and keeps the health-check model without a signal", () => {
    expect(seconds(recoveryBudget(inputs({ trigger: probe("manual", 3) })), "decide")).to.equal(3 * 60 + 300);
    expect(stepNamed(recoveryBudget(inputs({ trigger: probe("manual", 3) })), "decide").step).to.match(/^decide: probe alarm pages the on-call/);
    const healthCheck = recoveryBudget(inputs());
    expect(seconds(healthCheck, "detect")).to.equal(10 * 3);
    expect(stepNamed(healthCheck, "decide").step).to.match(/^decide: health-check alarm pages the on-call/);
  });

  it("refuses an unknown signal", () => {
    const trigger = { ...probe("automatic"), signal: "ping" } as unknown as FailoverTrigger;
    expect(() => recoveryBudget(inputs({ trigger }))).to.throw(RangeError, /trigger\.signal.*endpoint-probe or health-check-alarm/);
  });

  it("budgetInputsFromResources reads the probe's alarm before the health-check alarm", () => {
    const base: BudgetResource[] = [
      { type: BUDGET_TYPES.healthCheck, name: "hc", inputs: { requestInterval: 10, failureThreshold: 3 } },
      { type: BUDGET_TYPES.metricAlarm, name: "hc-alarm", inputs: { metricName: "HealthCheckStatus", period: 60, evaluationPeriods: 1 } },
      { type: BUDGET_TYPES.targetGroup, name: "tg", inputs: { healthCheck: { interval: 10, healthyThreshold: 2 } } },
      { type: BUDGET_TYPES.autoScalingGroup, name: "asg", inputs: { desiredCapacity: 1 } },
      { type: BUDGET_TYPES.metricAlarm, name: "s3", inputs: { namespace: "AWS/S3", metricName: "ReplicationLatency", threshold: 900 } },
      { type: BUDGET_TYPES.metricAlarm, name: "lag", inputs: { metricName: "ReplicaLag", threshold: 60 } },
    ];
    const manifest = {
      role: "dr",
      strategy: "warm-standby",
      rtoSeconds: 900,
      rpoSeconds: 60,
      objectRpoSeconds: 900,
      failoverDecisionSeconds: 300,
      primary: { appDesiredCapacity: 2, dbAllocatedStorageGib: 50 },
    } as unknown as RecoveryManifest;
    expect(budgetInputsFromResources(base, manifest).inputs?.trigger).to.deep.include({ signal: "health-check-alarm", alarmEvaluationPeriods: 1 });
    const probeAlarm: BudgetResource = {
      type: BUDGET_TYPES.metricAlarm,
      name: "probe",
      inputs: { namespace: "MultiRegionDR/PrimaryProbe", metricName: "PrimaryEndpointHealthy", period: 60, evaluationPeriods: 2 },
    };
    expect(budgetInputsFromResources([...base, probeAlarm], manifest).inputs?.trigger).to.deep.include({ signal: "endpoint-probe", alarmEvaluationPeriods: 2 });
    // A probe metric in another namespace is not the probe's.
    const stranger = { ...probeAlarm, inputs: { ...probeAlarm.inputs, namespace: "Other" } };
    expect(budgetInputsFromResources([...base, stranger], manifest).inputs?.trigger).to.deep.include({ signal: "health-check-alarm" });
  });
});

describe("recoveryBudget: the cache and the edge (issue 22)", () => {
  const recover = (budget: RecoveryBudget) => budget.rto.steps.filter((step) => step.parallelGroup === "recover");

  it("promotes a global datastore's DR member beside the database: 60 s in the recover group, the total unchanged while the promotion is longer", () => {
    const plain = recoveryBudget(inputs());
    const cached = recoveryBudget(inputs({ cache: "global-datastore" }));
    const cache = recover(cached).find((step) => step.step.includes("FailoverGlobalReplicationGroup"));
    expect(cache?.seconds).to.equal(ELASTICACHE_GLOBAL_FAILOVER_SECONDS);
    expect(cache?.source).to.match(/typically completes in less than a minute/);
    expect(cached.rto.totalSeconds).to.equal(plain.rto.totalSeconds);
  });

  it("counts the cache when it is the longest branch (an Aurora switch of 120 s beats it; nothing else shorter than 60 s does)", () => {
    const fast = inputs({ cache: "global-datastore", standbyDesiredCapacity: 2, recoveryCapacity: 2, dnsTtlSeconds: 0 });
    const budget = recoveryBudget(fast);
    expect(Math.max(...recover(budget).map((step) => step.seconds))).to.equal(360);
    expect(recover(recoveryBudget({ ...fast, databaseEngineMode: "aurora-global" })).map((step) => step.seconds)).to.include(60);
  });

  it("adds nothing for a regional cache (warmed up after health, not waited for) nor in backup-restore (no workflow)", () => {
    expect(recoveryBudget(inputs({ cache: "regional" })).rto.steps).to.deep.equal(recoveryBudget(inputs()).rto.steps);
    const restore = backupRestore();
    expect(recoveryBudget({ ...restore, cache: "global-datastore" }).rto.steps).to.deep.equal(recoveryBudget(restore).rto.steps);
  });

  it("with the edge, the clients step is CloudFront following the failover name (writes), reads moving per request within 10 s", () => {
    const budget = recoveryBudget(inputs({ edge: true }));
    const clients = stepNamed(budget, "clients");
    expect(clients.seconds).to.equal(60);
    expect(clients.step).to.match(/CloudFront follows the failover name/);
    expect(clients.step).to.include(`${CLOUDFRONT_ORIGIN_FAILOVER_SECONDS} s`);
    expect(budget.rto.totalSeconds).to.equal(recoveryBudget(inputs()).rto.totalSeconds);
  });

  it("reads the cache's mode and the edge from the DR stack's resources", () => {
    const group = (inputs: Record<string, unknown>): BudgetResource => ({ type: BUDGET_TYPES.cacheGroup, name: "dr-cache-group", inputs });
    expect(cacheModeOf([])).to.equal(undefined);
    expect(cacheModeOf([group({ globalReplicationGroupId: "ldgnf-x" })])).to.equal("global-datastore");
    expect(cacheModeOf([group({ engine: "valkey", nodeType: "cache.t4g.small" })])).to.equal("regional");
  });
});
