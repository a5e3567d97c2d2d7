/**
 * The four DR strategies as synthesized from the repository's stack files with `recovery.strategy`
 * set (`npm run synth -- --strategy`): what the DR region runs (capacity, NAT, database copy,
 * monitoring, workflows), that each strategy passes every DR invariant and the pack when its targets
 * fit its budget, the budget's totals against hand-worked arithmetic, and the backup-restore restore
 * (`database.restoreToTime`) building the database, the capacity and the workflows.
 */
import { expect } from "chai";
import * as path from "node:path";
import { ConfigError } from "../config/errors";
import { STRATEGIES, type Strategy } from "../config/strategies";
import { planRecoveryBudget } from "../invariants/recoveryBudget";
import { policyCounts } from "../synth/report";
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import { renderStrategiesMarkdown, strategyRow } from "../synth/strategies";
import { synthesize, type SynthesisResult } from "../synth/synthesize";
import { editedStackFiles, type StackEdit as SharedStackEdit } from "./fixtures/stackFiles";
import { synthesizedOnce } from "./fixtures/synthesis";

const projectDirectory = path.resolve(__dirname, "..");
const NS = "multi-region-dr";
const TYPES = {
  group: "aws:autoscaling/group:Group",
  vpc: "awsx:ec2:Vpc",
  database: "aws:rds/instance:Instance",
  cluster: "eks:index:Cluster",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  backupReplication: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  record: "aws:route53/record:Record",
};

const ofType = (plan: StackPlan, type: string) => plan.resources.filter((resource) => resource.type === type);
function only(plan: StackPlan, type: string): PlannedResource {
  const found = ofType(plan, type);
  expect(found, `${plan.stack}: exactly one ${type}`).to.have.length(1);
  return found[0];
}

type StackConfig = Record<string, Record<string, unknown>>;
type StackEdit = SharedStackEdit<StackConfig>;
const stackFiles = (editPrimary: StackEdit, editDr: StackEdit) => editedStackFiles<StackConfig>(editPrimary, editDr);

/** Sets recovery keys in both stacks (they must agree) and any DR-only keys. */
function pair(recovery: Record<string, unknown>, drOnly: StackEdit = () => {}) {
  const setRecovery: StackEdit = (config) => (config[`${NS}:recovery`] = { ...config[`${NS}:recovery`], ...recovery });
  return stackFiles(setRecovery, (config) => {
    setRecovery(config);
    drOnly(config);
  });
}

const runs = new Map<string, Promise<SynthesisResult>>();
/**
 * The synthesis named `key` (its stack files are written afresh on each call, so the key, not their
 * paths, says two calls are the same), run once; inputs other files also synthesize are shared with
 * them through synthesizedOnce.
 */
function synthesized(key: string, args: Omit<Parameters<typeof synthesize>[0], "projectDirectory">): Promise<SynthesisResult> {
  if (!runs.has(key)) runs.set(key, synthesizedOnce({ projectDirectory, ...args }));
  return runs.get(key)!;
}
const byStrategy = (strategy: Strategy) => synthesized(strategy, { strategy });
/** backup-restore with targets its budget can meet: RTO 40 minutes, database RPO 30 minutes. */
const backupRestoreFitting = () => synthesized("backup-restore-fitting", pair({ strategy: "backup-restore", rtoSeconds: 2400, rpoSeconds: 1800 }));
const restored = (restoreToTime: string) =>
  synthesized(
    `restored-${restoreToTime}`,
    pair({ strategy: "backup-restore", rtoSeconds: 2400, rpoSeconds: 1800 }, (config) => {
      config[`${NS}:database`] = { ...config[`${NS}:database`], restoreToTime };
    }),
  );

/** Failed invariants and mandatory violations, for a readable assertion. */
function failures(result: SynthesisResult): string[] {
  return [
    ...result.invariants.flatMap((invariant) => invariant.violations.map((violation) => `invariant ${invariant.id}: ${violation}`)),
    ...[result.policies.primary, result.policies.dr].flatMap((report) =>
      report.violations.filter((violation) => violation.enforcementLevel === "mandatory").map((violation) => `${violation.policy}: ${violation.message}`),
    ),
  ];
}

describe("DR strategies, synthesized", function () {
  this.timeout(180000);

  describe("what the DR region runs", () => {
    // The table of config/strategies.ts, against the primary's defaults (2 of 2 instances, 6 at most).
    const expected: Record<
      Strategy,
      { minSize: number; desiredCapacity: number; nat: string; replicaMultiAz?: boolean; cluster: boolean; machines: number; backups: number }
    > = {
      "backup-restore": { minSize: 0, desiredCapacity: 0, nat: "None", cluster: false, machines: 0, backups: 1 },
      "pilot-light": { minSize: 0, desiredCapacity: 0, nat: "Single", replicaMultiAz: false, cluster: true, machines: 3, backups: 0 },
      "warm-standby": { minSize: 1, desiredCapacity: 1, nat: "Single", replicaMultiAz: true, cluster: true, machines: 3, backups: 0 },
      "hot-standby": { minSize: 2, desiredCapacity: 2, nat: "OnePerAz", replicaMultiAz: true, cluster: true, machines: 3, backups: 0 },
    };
    for (const strategy of STRATEGIES) {
      it(`${strategy}: ${JSON.stringify(expected[strategy])}, and always the primary's maximum`, async () => {
        const { dr, primary } = await byStrategy(strategy);
        const want = expected[strategy];
        const group = only(dr, TYPES.group).inputs;
        expect({ minSize: group.minSize, desiredCapacity: group.desiredCapacity }).to.deep.equal({
          minSize: want.minSize,
          desiredCapacity: want.desiredCapacity,
        });
        expect(group.maxSize).to.be.at.least(Number(only(primary, TYPES.group).inputs.maxSize));
        expect((only(dr, TYPES.vpc).inputs.natGateways as { strategy: string }).strategy).to.equal(want.nat);
        expect(ofType(dr, TYPES.cluster)).to.have.length(want.cluster ? 1 : 0);
        expect(ofType(dr, TYPES.stateMachine)).to.have.length(want.machines);
        expect(ofType(dr, TYPES.backupReplication)).to.have.length(want.backups);
        const databases = ofType(dr, TYPES.database);
        if (want.replicaMultiAz === undefined) {
          expect(databases, "backup-restore keeps no database instance before a restore").to.deep.equal([]);
        } else {
          expect(databases).to.have.length(1);
          expect(databases[0].inputs.replicateSourceDb).to.equal(primary.outputs.dbArn);
          expect(databases[0].inputs.multiAz).to.equal(want.replicaMultiAz);
        }
        // The primary is the same whatever the strategy: full capacity, one NAT per zone.
        expect(only(primary, TYPES.group).inputs).to.deep.include({ minSize: 2, desiredCapacity: 2 });
        expect((only(primary, TYPES.vpc).inputs.natGateways as { strategy: string }).strategy).to.equal("OnePerAz");
      });
    }

    it("backup-restore replicates the primary's automated backups under the DR key, kept as long as the DR backups", async () => {
      const { dr, primary } = await byStrategy("backup-restore");
      const replication = only(dr, TYPES.backupReplication);
      expect(replication.region).to.equal("us-west-2");
      expect(replication.inputs.sourceDbInstanceArn).to.equal(primary.outputs.dbArn);
      expect(String(replication.inputs.kmsKeyId)).to.match(/^arn:aws:kms:us-west-2:/);
      expect(replication.inputs.retentionPeriod).to.equal(7);
      expect(replication.protect).to.equal(true);
      expect(ofType(dr, TYPES.alarm).map((alarm) => alarm.inputs.metricName)).not.to.include("ReplicaLag");
    });
  });

  describe("budgets, by hand from budget/figures.ts", () => {
    // detect: the DR region's probe, up to one 30 s period that still holds a healthy attempt = 30; decide: the probe's
    // alarm pages (30 s x 1, from the 10 s x 3 health check) + the on-call's 300 s = 330; start: 10 s of workflow checks;
    // recover: max(promotion 360, warm-up 60 + 45 + 2 x 10 = 125 when instances launch, TTL 60); switch: the fence's
    // alarm 60 and Route 53 following it 60.
    const readReplica = 30 + (30 + 300) + 10 + Math.max(360, 125, 60) + 120;
    // backup-restore: start is a pulumi up (120); data a restore of 50 GiB (900 + 50 x 10 = 1400) against NAT
    // creation then warm-up (180 + 125); no switch: the SECONDARY record already answers.
    const backupRestore = 30 + (30 + 300) + 120 + Math.max(900 + 50 * 10, 180 + 125, 60) + 0;
    const totals: Record<Strategy, number> = {
      "backup-restore": backupRestore,
      "pilot-light": readReplica,
      "warm-standby": readReplica,
      "hot-standby": readReplica,
    };
    for (const strategy of STRATEGIES) {
      it(`${strategy}: RTO ${totals[strategy]} s`, async () => {
        const { budget, problems } = planRecoveryBudget((await byStrategy(strategy)).dr);
        expect(problems).to.deep.equal([]);
        expect(budget!.rto.totalSeconds).to.equal(totals[strategy]);
        const database = budget!.rpo.stores.find((store) => store.store === "database")!;
        // A replica's data loss is bounded by the lag alarm (threshold = the 60 s RPO); replicated backups by AWS's 5-30 minutes.
        expect(database.seconds).to.equal(strategy === "backup-restore" ? 1800 : 60);
        expect(budget!.rpo.stores.find((store) => store.store === "objects")!.seconds).to.equal(900);
      });
    }
  });

  describe("each strategy deploys", () => {
    for (const strategy of ["pilot-light", "warm-standby", "hot-standby"] as const) {
      it(`${strategy} passes every DR invariant and the pack with the stack files' targets`, async () => {
        expect(failures(await byStrategy(strategy))).to.deep.equal([]);
      });
    }

    it("backup-restore with the stack files' 900 s RTO and 60 s RPO fails invariant 11 and dr-recovery-budget, and nothing else", async () => {
      const result = await byStrategy("backup-restore");
      const failed = failures(result);
      expect(failed.filter((failure) => !failure.startsWith("invariant 11:") && !failure.startsWith("dr-recovery-budget:"))).to.deep.equal([]);
      expect(failed.filter((failure) => failure.startsWith("dr-recovery-budget:"))).to.have.length(2);
      expect(failed.join("\n")).to.contain(`RTO budget of backup-restore is ${30 + 330 + 120 + 1400} s, over the 900 s target`);
      expect(failed.join("\n")).to.contain("RPO budget of the database is 1800 s, over the 60 s target");
      expect(policyCounts(result.policies.dr).mandatory).to.equal(2);
    });

    it("backup-restore with targets its budget meets passes everything", async () => {
      expect(failures(await backupRestoreFitting())).to.deep.equal([]);
    });
  });

  describe("the backup-restore restore (database.restoreToTime)", () => {
    it("restores the database from the replicated backups to the latest restorable time, under the DR key", async () => {
      const { dr } = await restored("latest");
      const database = only(dr, TYPES.database);
      const replication = only(dr, TYPES.backupReplication);
      expect(database.inputs.restoreToPointInTime).to.deep.equal({ sourceDbInstanceAutomatedBackupsArn: replication.id, useLatestRestorableTime: true });
      expect(database.inputs.replicateSourceDb).to.equal(undefined);
      expect(String(database.inputs.kmsKeyId)).to.match(/^arn:aws:kms:us-west-2:/);
      expect(database.inputs).to.deep.include({ multiAz: true, deletionProtection: true, instanceClass: "db.t4g.medium", allocatedStorage: 50 });
      expect(database.protect).to.equal(true);
    });

    it("restores to a given UTC time", async () => {
      const { dr } = await restored("2026-11-21T08:30:00Z");
      expect((only(dr, TYPES.database).inputs.restoreToPointInTime as Record<string, unknown>).restoreTime).to.equal("2026-11-21T08:30:00Z");
    });

    it("brings the primary's capacity, a NAT gateway, the stable database name and the recovery workflows, and passes everything", async () => {
      const result = await restored("latest");
      const { dr } = result;
      expect(only(dr, TYPES.group).inputs).to.deep.include({ minSize: 2, desiredCapacity: 2 });
      expect((only(dr, TYPES.vpc).inputs.natGateways as { strategy: string }).strategy).to.equal("Single");
      expect(ofType(dr, TYPES.stateMachine)).to.have.length(3);
      const stableName = ofType(dr, TYPES.record).find((record) => String(record.inputs.name).startsWith("db."));
      expect(stableName?.inputs.records).to.deep.equal([only(dr, TYPES.database).outputs.address]);
      expect(dr.outputs.databaseRestored).to.equal(true);
      expect(failures(result)).to.deep.equal([]);
    });
  });

  it("synthesizes two strategies started at once, each with its own config (the mock runtime is shared, so calls queue)", async () => {
    const [pilot, hot] = await Promise.all([
      synthesize({ projectDirectory, strategy: "pilot-light" }),
      synthesize({ projectDirectory, strategy: "hot-standby" }),
    ]);
    expect([pilot.dr.outputs.strategy, hot.dr.outputs.strategy]).to.deep.equal(["pilot-light", "hot-standby"]);
    expect(only(hot.dr, TYPES.group).inputs.desiredCapacity).to.equal(2);
  });

  describe("the comparison of npm run synth:strategies", () => {
    let warmRow: SynthesisResult;
    before(async () => {
      warmRow = await byStrategy("warm-standby");
    });

    it("reads each strategy's footprint, budget, cost and verdict from its synthesis", async () => {
      const backup = strategyRow("backup-restore", await byStrategy("backup-restore"));
      const warm = strategyRow("warm-standby", await byStrategy("warm-standby"));
      expect(backup).to.deep.include({
        drCapacity: "0 / 0 / 6",
        drNatGateways: "None",
        drDatabase: "replicated backups",
        rtoBudgetSeconds: 1880,
        databaseRpoBudgetSeconds: 1800,
      });
      // Invariant 11's two violations and dr-recovery-budget's two.
      expect(backup.failures).to.equal(4);
      expect(warm).to.deep.include({
        drCapacity: "1 / 1 / 6",
        drNatGateways: "Single",
        drDatabase: "read replica, Multi-AZ",
        rtoBudgetSeconds: 850,
        failures: 0,
      });
      expect(warm.drShare).to.be.closeTo(warm.drMonthlyUsd / warm.primaryMonthlyUsd, 1e-9);
      // A standby with nothing running costs a fraction of one with a replica, instances and a cluster.
      expect(backup.drMonthlyUsd).to.be.below(warm.drMonthlyUsd / 5);
      // The same primary, but for the DR region's dead man's switch, which the primary builds in its region only
      // where the DR runs a monitoring cluster (stacks/monitoring.ts): a KMS key ($1) and a standard alarm ($0.10).
      expect(warm.primaryMonthlyUsd - backup.primaryMonthlyUsd).to.be.closeTo(1.1, 1e-6);
      const markdown = renderStrategiesMarkdown([backup, warm]);
      expect(markdown).to.contain("| backup-restore | 0 / 0 / 6 | None | replicated backups | 1880 s (900 s) | 1800 s, 900 s (60 s) |");
      expect(markdown).to.contain("| fails (4) |").and.contain("| passes |");
      expect(warm).to.include({ primaryUnpriced: 0, drUnpriced: 0 });
      expect(markdown).to.not.contain("≥ $");
    });

    it("marks totals that leave out unpriced charges with ≥, and gives no share when the primary's total is partial", () => {
      const row = { ...strategyRow("warm-standby", warmRow), primaryMonthlyUsd: 100, drMonthlyUsd: 40, drShare: 0.4 };
      expect(renderStrategiesMarkdown([{ ...row, primaryUnpriced: 0, drUnpriced: 3 }])).to.contain("| $100.00 | ≥ $40.00 | ≥ 40.0% |");
      expect(renderStrategiesMarkdown([{ ...row, primaryUnpriced: 2, drUnpriced: 0, drShare: undefined }])).to.contain("| ≥ $100.00 | $40.00 | ? |");
    });
  });

  describe("configuration errors", () => {
    it("refuses a DR strategy that differs from the primary's, before any resource", async () => {
      const files = stackFiles(
        () => {},
        (config) => (config[`${NS}:recovery`] = { ...config[`${NS}:recovery`], strategy: "pilot-light" }),
      );
      const error = await synthesize({ projectDirectory, ...files }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).message)
        .to.contain(`${NS}:recovery.strategy`)
        .and.contain("differs from the primary's warm-standby");
    });

    it("refuses a restore outside backup-restore", async () => {
      const files = pair({}, (config) => (config[`${NS}:database`] = { ...config[`${NS}:database`], restoreToTime: "latest" }));
      const error = await synthesize({ projectDirectory, ...files }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).message)
        .to.contain(`${NS}:database.restoreToTime`)
        .and.contain("only backup-restore keeps");
    });
  });
});
