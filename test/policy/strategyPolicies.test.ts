/**
 * The strategy-dependent recovery policies (dr-recovery-budget, dr-replica-wiring,
 * dr-recovery-workflows, dr-recovery-objectives-declared, dr-signal-alarms) on the DR stack as
 * synthesized for each `recovery.strategy` (`synthesize({ strategy })`, one run per strategy, through the shared cache of
 * test/fixtures/synthesis.ts).
 * Each synthesized stack passes as it is; each test then breaks a copy of it in exactly one way and
 * expects exactly the violations that one change causes, by count and message.
 */
import * as path from "node:path";
import { expect } from "chai";
import { FENCE_PROPAGATION_SECONDS } from "../../recovery/fence";
import {
  EVENTBRIDGE_DELIVERY_SECONDS,
  FAILOVER_WORKFLOW_CHECKS_SECONDS,
  LOAD_BALANCER_ALIAS_TTL_SECONDS,
  NAT_GATEWAY_CREATION_SECONDS,
  PULUMI_RESTORE_START_SECONDS,
  RDS_PROMOTION_SECONDS,
  RDS_RESTORE_CREATION_SECONDS,
  RDS_RESTORE_SECONDS_PER_GIB,
  REPLICATED_BACKUP_RESTORE_LAG_SECONDS,
  FENCE_ALARM_EVALUATION_SECONDS,
} from "../../budget/figures";
import { BUDGET_TYPES } from "../../budget/fromResources";
import type { RecoveryManifest } from "../../config/recoveryManifest";
import type { Strategy } from "../../config/strategies";
import { TYPES } from "../../policy/policies/kit";
import type { SynthesisResult } from "../../synth/synthesize";
import { synthesizedOnce } from "../fixtures/synthesis";
import { copyOf, type FixtureResource, fixturesOf, violationsOf } from "./fixtures";

const projectDirectory = path.join(__dirname, "..", "..");

/** Fixture properties as the engine hands them over: untyped JSON, edited deep inside by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const runs = new Map<Strategy, Promise<SynthesisResult>>();
/** The last synthesis started: runs share Pulumi's global mock runtime, so each waits for the one before. */
let previous: Promise<unknown> = Promise.resolve();
/** Both stacks synthesized from the repository's stack files with `recovery.strategy` set, once per strategy. */
function synthesized(strategy: Strategy): Promise<SynthesisResult> {
  if (!runs.has(strategy)) {
    const run = previous.catch(() => undefined).then(() => synthesizedOnce({ projectDirectory, strategy }));
    runs.set(strategy, run);
    previous = run;
  }
  return runs.get(strategy)!;
}

/** The synthesized DR stack of `strategy`, as fresh fixtures (each test may edit its own copy). */
async function drOf(strategy: Strategy): Promise<FixtureResource[]> {
  return fixturesOf((await synthesized(strategy)).dr);
}

/** The one fixture named `name`. */
function named(resources: FixtureResource[], name: string): FixtureResource & { props: Json } {
  const found = resources.filter((resource) => resource.name === name);
  expect(found, `exactly one fixture named ${name}`).to.have.length(1);
  return found[0] as FixtureResource & { props: Json };
}

/** The one fixture of `type` whose props match `predicate`. */
function onlyOf(resources: FixtureResource[], type: string, predicate: (props: Json) => boolean = () => true): FixtureResource & { props: Json } {
  const found = resources.filter((resource) => resource.type === type && predicate(resource.props));
  expect(found, `exactly one ${type}`).to.have.length(1);
  return found[0] as FixtureResource & { props: Json };
}

/** A copy of the fixtures with the one named `name` changed by `edit`. */
function editing(resources: FixtureResource[], name: string, edit: (props: Json) => void): FixtureResource[] {
  const copies = copyOf(resources);
  edit(named(copies, name).props);
  return copies;
}

/** The fixtures without those named, each of which must exist (so the removal is real). */
function without(resources: FixtureResource[], ...names: string[]): FixtureResource[] {
  for (const name of names) named(resources, name);
  return resources.filter((resource) => !names.includes(resource.name));
}

const MANIFEST = "recovery-parameter";
const manifestOf = (resources: FixtureResource[]): RecoveryManifest => JSON.parse(String(named(resources, MANIFEST).props.insecureValue)) as RecoveryManifest;

/** A copy of the fixtures with the recovery manifest's JSON changed by `edit`. */
function withManifest(resources: FixtureResource[], edit: (manifest: Json) => void): FixtureResource[] {
  return editing(resources, MANIFEST, (props) => {
    const manifest = JSON.parse(String(props.insecureValue)) as Json;
    edit(manifest);
    props.insecureValue = JSON.stringify(manifest);
  });
}

/** Targets backup-restore can meet, in the DR manifest and its copy of the primary's (the pair shares one objective). */
const FITTING_TARGETS = { rtoSeconds: 2400, rpoSeconds: 1800 };
const withTargets = (resources: FixtureResource[], targets: { rtoSeconds: number; rpoSeconds: number }) =>
  withManifest(resources, (manifest) => {
    Object.assign(manifest, targets);
    Object.assign(manifest.primary, targets);
  });

/** Expects exactly `fragments.length` violations, each fragment in its own one (in any order). */
function expectViolations(messages: string[], ...fragments: string[]): void {
  expect(messages, JSON.stringify(messages, null, 1)).to.have.length(fragments.length);
  const unmatched = [...messages];
  for (const fragment of fragments) {
    const index = unmatched.findIndex((message) => message.includes(fragment));
    expect(index, `no (other) violation contains ${JSON.stringify(fragment)}: ${JSON.stringify(messages, null, 1)}`).to.not.equal(-1);
    unmatched.splice(index, 1);
  }
}

const READ_REPLICA_STRATEGIES = ["pilot-light", "warm-standby", "hot-standby"] as const;
const POLICIES = ["dr-recovery-budget", "dr-replica-wiring", "dr-recovery-workflows", "dr-recovery-objectives-declared", "dr-signal-alarms"];

// Resource names of the synthesized DR stack.
/** The DR region's probe alarm (components/primaryEndpointProbe.ts): the failover's signal, whose periods the budget reads. */
const PROBE_ALARM = "dr-primary-probe-alarm";
const REPLICA_LAG_ALARM = "dr-alarms-replica-lag";
const REPLICATION_LATENCY_ALARM = "dr-alarms-replication-latency";
const BACKUP_REPLICATION = "dr-db-backups-replication";
const REPLICA = "dr-db-instance";
const FAILOVER_MACHINE = "dr-recovery-failover";
/** The rule recovery/names.ts names for an automatic failover (`<prefix>-automatic-failover`). */
const AUTOMATIC_FAILOVER_RULE_NAME = "multi-region-dr-dr-dr-automatic-failover";

/** An EventBridge rule named `name`, as components/recoveryWorkflows.ts declares the automatic failover's (DR region) and its forwarder (the alarm's region). */
function eventRule(name: string, resourceName = "dr-recovery-automatic-failover", region = "us-west-2"): FixtureResource {
  return {
    type: BUDGET_TYPES.eventRule,
    name: resourceName,
    region,
    props: {
      name,
      description: "Primary health-check alarm -> unplanned failover (automatic failover is on)",
      eventPattern: JSON.stringify({ source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] }),
    },
  };
}

// The RTO budget of the stack files' configuration, by hand from budget/figures.ts: the DR region's probe, one 30 s
// period that may still hold a healthy attempt, then its alarm 30 s x 1 (from the 10 s x 3 health check), decision
// 300 s, target checks 2 x 10 s, primary desired 2, 50 GiB.
const DETECT = 30;
const ALARM = 30 * 1;
const DECISION = 300;
const WARM_UP = 60 + 45 + 2 * 10; // EC2 launch + app boot + healthy threshold x interval
/** Read-replica strategies: promotion (360 s) outlasts any warm-up and the TTL. */
const READ_REPLICA_RTO =
  DETECT +
  ALARM +
  DECISION +
  FAILOVER_WORKFLOW_CHECKS_SECONDS +
  Math.max(RDS_PROMOTION_SECONDS, WARM_UP, LOAD_BALANCER_ALIAS_TTL_SECONDS) +
  // The switch is the fence: its alarm's evaluation, then Route 53 following it (recovery/fence.ts).
  FENCE_ALARM_EVALUATION_SECONDS +
  FENCE_PROPAGATION_SECONDS;
/** backup-restore: the point-in-time restore of 50 GiB outlasts the NAT gateway and the warm-up; no switch. */
const BACKUP_RESTORE_RTO =
  DETECT +
  ALARM +
  DECISION +
  PULUMI_RESTORE_START_SECONDS +
  Math.max(RDS_RESTORE_CREATION_SECONDS + 50 * RDS_RESTORE_SECONDS_PER_GIB, NAT_GATEWAY_CREATION_SECONDS + WARM_UP, LOAD_BALANCER_ALIAS_TTL_SECONDS);

describe("the strategy-dependent recovery policies on the synthesized DR stacks", function () {
  this.timeout(120000);

  before(async () => {
    // Four synthesized pairs, one per strategy, one after the other.
    await Promise.all((["backup-restore", ...READ_REPLICA_STRATEGIES] as const).map((strategy) => synthesized(strategy)));
  });

  it("the hand-worked budgets are the ones the figures give (850 s and 1880 s)", () => {
    expect([READ_REPLICA_RTO, BACKUP_RESTORE_RTO]).to.deep.equal([850, 1880]);
  });

  describe("each strategy's DR stack as synthesized", () => {
    for (const strategy of READ_REPLICA_STRATEGIES) {
      it(`${strategy}: declares its strategy and passes every strategy-dependent policy, dr-recovery-budget included`, async () => {
        const resources = await drOf(strategy);
        expect(manifestOf(resources)).to.deep.include({ strategy, rtoSeconds: 900, rpoSeconds: 60, objectRpoSeconds: 900, failoverDecisionSeconds: 300 });
        for (const policy of POLICIES) expect(await violationsOf(policy, resources), policy).to.deep.equal([]);
      });
    }

    it("backup-restore with the stack files' targets (RTO 900 s, RPO 60 s) fails dr-recovery-budget on exactly the RTO and the database RPO", async () => {
      const resources = await drOf("backup-restore");
      expect(manifestOf(resources)).to.deep.include({ strategy: "backup-restore", rtoSeconds: 900, rpoSeconds: 60 });
      expectViolations(
        await violationsOf("dr-recovery-budget", resources),
        `RTO budget of backup-restore is ${BACKUP_RESTORE_RTO} s, over the 900 s target (recovery.rtoSeconds) by ${BACKUP_RESTORE_RTO - 900} s`,
        `RPO budget of the database is ${REPLICATED_BACKUP_RESTORE_LAG_SECONDS} s, over the 60 s target (recovery.rpoSeconds) by ${REPLICATED_BACKUP_RESTORE_LAG_SECONDS - 60} s`,
      );
    });

    it("backup-restore with the DR manifest's (and its primary copy's) RTO 2400 s and RPO 1800 s passes every strategy-dependent policy", async () => {
      const resources = withTargets(await drOf("backup-restore"), FITTING_TARGETS);
      for (const policy of POLICIES) expect(await violationsOf(policy, resources), policy).to.deep.equal([]);
    });

    it("backup-restore one second under the replicated backups' lag fails on the database RPO only", async () => {
      const resources = withTargets(await drOf("backup-restore"), { rtoSeconds: 2400, rpoSeconds: REPLICATED_BACKUP_RESTORE_LAG_SECONDS - 1 });
      expectViolations(
        await violationsOf("dr-recovery-budget", resources),
        `RPO budget of the database is ${REPLICATED_BACKUP_RESTORE_LAG_SECONDS} s, over the ${REPLICATED_BACKUP_RESTORE_LAG_SECONDS - 1} s target`,
      );
    });

    it("backup-restore with only the DR manifest's targets raised (not its primary copy's) fails dr-recovery-objectives-declared", async () => {
      const resources = withManifest(await drOf("backup-restore"), (manifest) => Object.assign(manifest, FITTING_TARGETS));
      expectViolations(
        await violationsOf("dr-recovery-objectives-declared", resources),
        "declares RTO 2400 s / RPO 1800 s but its primary declares 900 s / 60 s; the pair must share one objective",
      );
    });
  });

  describe("dr-recovery-budget on a broken warm-standby", () => {
    it("a probe alarm of 10 periods of 30 s: the decision window alone takes 300 s, the RTO is over", async () => {
      const resources = editing(await drOf("warm-standby"), PROBE_ALARM, (props) => {
        expect(props).to.include({ period: 30, evaluationPeriods: 1 });
        props.evaluationPeriods = 10;
      });
      const total = READ_REPLICA_RTO - ALARM + 300;
      expectViolations(
        await violationsOf("dr-recovery-budget", resources),
        `RTO budget of warm-standby is ${total} s, over the 900 s target (recovery.rtoSeconds) by ${total - 900} s`,
      );
    });

    it("a probe alarm of 2 periods still fits (880 s of 900 s)", async () => {
      const resources = editing(await drOf("warm-standby"), PROBE_ALARM, (props) => (props.evaluationPeriods = 2));
      expect(READ_REPLICA_RTO - ALARM + 60).to.equal(880);
      expect(await violationsOf("dr-recovery-budget", resources)).to.deep.equal([]);
    });

    it("a ReplicaLag alarm threshold over the 60 s RPO", async () => {
      const resources = editing(await drOf("warm-standby"), REPLICA_LAG_ALARM, (props) => {
        expect(props.metricName).to.equal("ReplicaLag");
        expect(props.threshold).to.equal(60);
        props.threshold = 61;
      });
      expectViolations(
        await violationsOf("dr-recovery-budget", resources),
        "RPO budget of the database is 61 s, over the 60 s target (recovery.rpoSeconds) by 1 s",
      );
    });

    it("a ReplicationLatency alarm threshold over the 900 s objectRpoSeconds", async () => {
      const resources = editing(await drOf("warm-standby"), REPLICATION_LATENCY_ALARM, (props) => {
        expect(props.metricName).to.equal("ReplicationLatency");
        expect(props.threshold).to.equal(900);
        props.threshold = 1200;
      });
      expectViolations(
        await violationsOf("dr-recovery-budget", resources),
        "RPO budget of the objects is 1200 s, over the 900 s target (recovery.objectRpoSeconds) by 300 s",
      );
    });

    it("no health check: the budget cannot be computed", async () => {
      // Every health check: the endpoints' (primary and DR), the fence's and its inverse, and the records' calculated ones.
      const base = await drOf("warm-standby");
      const resources = without(base, ...base.filter((resource) => resource.type === TYPES.healthCheck).map((resource) => resource.name));
      expect(resources.filter((resource) => resource.type === TYPES.healthCheck)).to.have.length(0);
      expectViolations(
        await violationsOf("dr-recovery-budget", resources),
        "the recovery budget cannot be computed: no Route 53 health check with requestInterval and failureThreshold on the primary",
      );
    });

    it("no ReplicaLag alarm: the budget cannot be computed (the failover has no lag guard)", async () => {
      const resources = without(await drOf("warm-standby"), REPLICA_LAG_ALARM);
      expectViolations(
        await violationsOf("dr-recovery-budget", resources),
        "the recovery budget cannot be computed: no alarm on AWS/RDS ReplicaLag with a threshold",
      );
    });

    for (const strategy of ["pilot-light", "hot-standby"] as const) {
      it(`${strategy} without its ReplicaLag alarm: the budget cannot be computed either`, async () => {
        expectViolations(
          await violationsOf("dr-recovery-budget", without(await drOf(strategy), REPLICA_LAG_ALARM)),
          "the recovery budget cannot be computed: no alarm on AWS/RDS ReplicaLag",
        );
      });
    }
  });

  describe("dr-recovery-budget and the automatic-failover rule", () => {
    // A 600 s decision: the manual budget is 300 s longer than the stack files' and misses the 900 s RTO.
    const SLOW_DECISION = 600;
    const slowDecision = async () => withManifest(await drOf("warm-standby"), (manifest) => (manifest.failoverDecisionSeconds = SLOW_DECISION));
    const manualTotal = READ_REPLICA_RTO - DECISION + SLOW_DECISION;
    const automaticTotal = READ_REPLICA_RTO - DECISION + EVENTBRIDGE_DELIVERY_SECONDS;

    it(`with a ${SLOW_DECISION} s decision and no automatic failover, the RTO is over`, async () => {
      expect(manualTotal).to.be.above(900);
      expectViolations(
        await violationsOf("dr-recovery-budget", await slowDecision()),
        `RTO budget of warm-standby is ${manualTotal} s, over the 900 s target (recovery.rtoSeconds) by ${manualTotal - 900} s`,
      );
    });

    it("the same with a rule named *-automatic-failover fits: EventBridge replaces the on-call's decision", async () => {
      expect(automaticTotal).to.be.at.most(900);
      const resources = [...(await slowDecision()), eventRule(AUTOMATIC_FAILOVER_RULE_NAME)];
      expect(await violationsOf("dr-recovery-budget", resources)).to.deep.equal([]);
    });
  });

  describe("dr-replica-wiring on backup-restore", () => {
    it("passes as synthesized: one replication of the primary's backups, under the DR key, kept 7 days, no replica", async () => {
      const resources = await drOf("backup-restore");
      const replication = onlyOf(resources, TYPES.backupReplication);
      expect(replication.name).to.equal(BACKUP_REPLICATION);
      expect(replication.props).to.deep.include({ sourceDbInstanceArn: manifestOf(resources).primary!.dbArn, retentionPeriod: 7 });
      expect(String(replication.props.kmsKeyId)).to.match(/^arn:aws:kms:us-west-2:/);
      expect(resources.filter((resource) => resource.type === TYPES.rdsInstance)).to.have.length(0);
      expect(await violationsOf("dr-replica-wiring", resources)).to.deep.equal([]);
    });

    it("fails with no backup replication", async () => {
      const resources = await drOf("backup-restore");
      const primaryDbArn = manifestOf(resources).primary!.dbArn;
      expectViolations(
        await violationsOf("dr-replica-wiring", without(resources, BACKUP_REPLICATION)),
        `the primary database ${primaryDbArn} has 0 replications of its automated backups in this DR stack; backup-restore needs exactly one`,
      );
    });

    it("fails with two backup replications", async () => {
      const resources = await drOf("backup-restore");
      const second = { ...copyOf(named(resources, BACKUP_REPLICATION)), name: `${BACKUP_REPLICATION}-2` };
      expectViolations(await violationsOf("dr-replica-wiring", [...resources, second]), "has 2 replications of its automated backups");
    });

    it("fails with a primary-region kmsKeyId", async () => {
      const base = await drOf("backup-restore");
      const primaryKey = manifestOf(base).primary!.kmsKeyArn;
      expect(primaryKey).to.match(/^arn:aws:kms:us-east-1:/);
      const resources = editing(base, BACKUP_REPLICATION, (props) => (props.kmsKeyId = primaryKey));
      expectViolations(
        await violationsOf("dr-replica-wiring", resources),
        `${BACKUP_REPLICATION}: kmsKeyId is a key of us-east-1; replicated backups need a key of their own region us-west-2`,
      );
    });

    it("fails with retentionPeriod 3", async () => {
      const resources = editing(await drOf("backup-restore"), BACKUP_REPLICATION, (props) => (props.retentionPeriod = 3));
      expectViolations(await violationsOf("dr-replica-wiring", resources), `${BACKUP_REPLICATION}: retentionPeriod 3 days is below this program's 5-day floor`);
    });

    it("passes with retentionPeriod 5, the floor", async () => {
      const resources = editing(await drOf("backup-restore"), BACKUP_REPLICATION, (props) => (props.retentionPeriod = 5));
      expect(await violationsOf("dr-replica-wiring", resources)).to.deep.equal([]);
    });

    it("fails with a read replica added (the warm-standby's, otherwise well wired)", async () => {
      const replica = named(await drOf("warm-standby"), REPLICA);
      expect(replica.type).to.equal(TYPES.rdsInstance);
      const resources = [...(await drOf("backup-restore")), replica];
      expectViolations(
        await violationsOf("dr-replica-wiring", resources),
        `${REPLICA}: backup-restore keeps no read replica; set recovery.strategy: pilot-light to keep one`,
      );
    });
  });

  describe("dr-recovery-workflows", () => {
    it("backup-restore passes with no state machine (it recovers by a restore)", async () => {
      const resources = await drOf("backup-restore");
      expect(resources.filter((resource) => resource.type === TYPES.stateMachine)).to.have.length(0);
      expect(await violationsOf("dr-recovery-workflows", resources)).to.deep.equal([]);
    });

    it("warm-standby without its failover state machine fails", async () => {
      const base = await drOf("warm-standby");
      expect(base.filter((resource) => resource.type === TYPES.stateMachine)).to.have.length(3);
      expectViolations(
        await violationsOf("dr-recovery-workflows", without(base, FAILOVER_MACHINE)),
        "the DR stack needs exactly one state machine named *-failover; found 0",
      );
    });
  });

  describe("dr-signal-alarms", () => {
    it("backup-restore passes with no ReplicaLag alarm (no database instance to lag)", async () => {
      const resources = await drOf("backup-restore");
      expect(resources.filter((resource) => resource.type === TYPES.metricAlarm && resource.props.metricName === "ReplicaLag")).to.have.length(0);
      expect(await violationsOf("dr-signal-alarms", resources)).to.deep.equal([]);
    });

    it("warm-standby without its ReplicaLag alarm fails", async () => {
      const base = await drOf("warm-standby");
      expect(onlyOf(base, TYPES.metricAlarm, (props) => props.metricName === "ReplicaLag").name).to.equal(REPLICA_LAG_ALARM);
      expectViolations(
        await violationsOf("dr-signal-alarms", without(base, REPLICA_LAG_ALARM)),
        "no alarm with an action watches replica lag (AWS/RDS ReplicaLag)",
      );
    });
  });
});
