/**
 * The failover workflow: make the DR region serve the application, with the database promoted.
 *
 * Input: `{ "mode": "planned" | "unplanned", "force": boolean, "trigger": "operator" | "alarm" }`.
 * - `unplanned`: the primary region is gone or impaired; nothing is asked of it.
 * - `planned` (switchover): the primary is healthy. Writes stop first (the primary Auto Scaling
 *   Group goes to 0 through the primary-region operations function, and the writes have stopped once
 *   its last instance is gone), the replica catches up (it has replayed a replication heartbeat
 *   committed after the stop: recovery/checks.ts `heartbeatReplayedSince`), then the switch happens
 *   with no data loss. If the replica does not catch up in time, the primary's capacity is restored
 *   and nothing else changes.
 *
 * Steps: refuse to run beside another execution; pre-checks (the replica exists, is `available`,
 * `backing-up` or `storage-optimization`, and its ReplicaLag is within the RPO, unless `force`);
 * notify; then in parallel scale the DR Auto Scaling Group to the primary's capacity and promote the
 * replica (polled until `available` and standalone); fence the primary through Route 53's data
 * plane (recovery/fence.ts: one datapoint in the DR region; the PRIMARY record turns unhealthy and
 * stays so when the primary's region returns: no flapping, no write to the old primary), with no
 * Route 53 record change and no database-name change (a promoted replica keeps its endpoint); wait
 * until the DR target group has the recovery capacity of targets
 * passing `/health`; notify with the timeline.
 *
 * Promoted or not is read from the source link, never from the status. A promoted instance no longer
 * lists `ReadReplicaSourceDBInstanceIdentifier`. `modifying` and `rebooting` say nothing by
 * themselves: a promotion passes through them ("replication is stopped and the read replica is
 * rebooted. When the reboot is complete, the read replica is available as a new DB instance", RDS
 * User Guide, "Promoting a read replica to be a standalone DB instance"), and so does any other
 * change of a replica: storage autoscaling ("Amazon RDS starts a storage modification", RDS User
 * Guide, "Managing capacity automatically with Amazon RDS storage autoscaling"), a deploy, a
 * parameter change. A replica that lists its source while `modifying` or `rebooting` is waited for
 * ("Replica settles", before anything changes) until it either stops listing its source (a promotion
 * was running: it is followed, not repeated) or leaves those statuses still a replica (it is then
 * promoted as usual; the lag verdict is the one read when the execution started, before the wait, so
 * that the wait does not count against the RPO).
 *
 * PromoteReadReplica is called once per attempt and never blindly repeated. RDS refuses it
 * (`InvalidDBInstanceState`, "The DB instance isn't in a valid state", RDS API Reference,
 * PromoteReadReplica) while the replica is `backing-up` (same page) or already being promoted;
 * after a refusal, or after a call that failed in a way that may hide an accepted promotion (a
 * timeout), the workflow looks again before deciding: no source means a promotion runs or ran (it is
 * polled), `modifying`/`rebooting` means something runs (wait and look again, no call), a broken
 * instance ends PromotionFailed. A replica that still lists its source is never taken as failed on the
 * look right after a failed call (RDS may have accepted it, and DescribeDBInstances may lag behind): it
 * is looked at again a minute later and only then, still a replica and not busy, asked again (RDS
 * refuses a replica already being promoted, and the refusal is followed); at the attempt bound
 * (`POLLING.promotionRetry`) the run ends PromotionTimedOut if the replica is busy, else PromotionFailed.
 *
 * Re-running after a partial failure is safe: an already promoted database, or one still being
 * promoted, is detected and not promoted again, and every other change is an idempotent set
 * (capacity, UPSERT). Throttled calls are retried with back-off (recovery/asl.ts `throttlingRetry`).
 * Started by an alarm, a finished execution holds its slot for `cooldownSeconds`, and every
 * execution refuses to start while another one runs: that is the minimum delay between automatic
 * executions.
 *
 * Aurora-global mode (`targets.database.engineMode`, see `auroraFailoverDefinition`): the same input,
 * guard, capacity, DNS and health steps; the database part is an Aurora global database switch
 * instead of a promotion (Aurora User Guide, "Using switchover or failover in Amazon Aurora Global
 * Database"):
 * - `planned` = managed switchover (`SwitchoverGlobalCluster`): Aurora waits until the DR cluster is
 *   fully synchronized, makes the primary cluster read-only, then promotes the DR cluster; no data is
 *   lost (RPO 0) and the old primary becomes a secondary. Aurora itself stops and drains the writes,
 *   so the workflow does not scale the primary group to 0 first. The call is made in the primary
 *   region ("--region: the AWS Region where the primary DB cluster ... is running"), through the
 *   primary-region operations function (`switchoverGlobalCluster`), so a planned failover needs the
 *   primary region to answer; in an outage use `unplanned`.
 * - `unplanned` = managed failover (`FailoverGlobalCluster` with `AllowDataLoss: true`), called in the
 *   DR region ("--region: the AWS Region where the secondary DB cluster ... is running"): it does not
 *   wait for synchronization, so writes not yet replicated are lost (the lag, typically under a
 *   second; Aurora keeps them in the `rds:unplanned-global-failover-...` snapshot of the old primary),
 *   and Aurora re-adds the old primary cluster as a secondary once its region is available again.
 * Pre-checks: the global cluster exists and lists the DR cluster as a member, the DR cluster is
 * `available` (unless `force`) and the lag alarm (AuroraGlobalDBRPOLag in this mode) is OK (unless
 * `force`). Then, in parallel with the capacity: switch, poll DescribeGlobalClusters until the DR
 * cluster is the writer and the global cluster `available`, poll DescribeDBClusters until the DR
 * cluster is `available`. The DR region's stable database name already points at the DR cluster's
 * writer endpoint, inactive while the cluster is a secondary and activated by Aurora when it is
 * promoted, so the name needs no change (stacks/dr.ts).
 * Re-running is safe: a DR cluster that is already the writer, or a switch still running, is not
 * switched again.
 *
 * A cache (`targets.cache`, both engine modes; recovery/cacheSteps.ts): with an ElastiCache global
 * datastore, a third branch of `Recover` promotes the DR member (FailoverGlobalReplicationGroup from the
 * DR region) or, in `unplanned` mode when that is refused or stalls, detaches it
 * (DisassociateGlobalReplicationGroup); it never fails the failover, and a detached or unpromoted cache
 * is notified after health. A regional DR cache is warmed up after health instead.
 */
import { catchAll, type Definition, failure, failurePath, milestone, notify, poll, pollStart, sdkRetry, sdkTask, type State } from "./asl";
import {
  alarmIsOk,
  alarmState,
  BROKEN_STATUSES,
  BUSY_STATUSES,
  concurrencyGuard,
  describeCluster,
  describeDatabase,
  describeGlobalCluster,
  groupEmpty,
  heartbeatCaughtUp,
  heartbeatReplayedSince,
  heartbeatReplayedWithin,
  isWriter,
  listsSource,
  statusIn,
} from "./checks";
import { cacheFailoverBranches, cacheResultSelector } from "./cacheSteps";
import { drCapacityBranch, failoverEnd, IS_FORCED, promotionRetryWait, validateFailoverInput } from "./failoverParts";
import { primaryRegionTask } from "./primaryRegion";
import { assertDatabaseTargets, type AuroraGlobalDatabaseTargets, auroraGlobalOf, globalClusterArn, type RecoveryTargets } from "./targets";
import { HEARTBEAT_READY_SECONDS } from "./heartbeat";
import { POLLING } from "./timing";

/** Error names a failover execution can end with, and what each means to an operator. */
export const FAILOVER_ERRORS = {
  InvalidInput: "the input is not { mode: planned|unplanned, force: boolean, trigger: operator|alarm }",
  ExecutionAlreadyRunning: "another failover execution is running (or cooling down after an automatic one); nothing was changed",
  ReplicaMissing: "the DR read replica does not exist; nothing was changed",
  ReplicaNotReady:
    "the replica is not available, backing-up or storage-optimization, or it stayed modifying or rebooting while listing its source (a change, or a promotion, still running) past the bound; nothing was changed (force to try a replica in another status; re-run once a running change ends)",
  ReplicaLagOverRpo: "replica lag is over the RPO or unknown; nothing was changed (force to accept the data loss)",
  ReplicaCatchUpTimeout:
    "planned switchover: the primary's instances were not all gone, or the replica did not replay a heartbeat from after they were (or has no heartbeat function), in time; primary capacity was restored, nothing else changed",
  ReplicationStopped:
    "the MySQL replica's replication-stopped alarm is in ALARM (ReplicaLag -1 for 5 minutes): its data may be far behind; nothing was changed (check the alarm's history and SHOW REPLICA STATUS; force to accept the data loss)",
  HeartbeatNotReady:
    "planned switchover: the replica has replayed no replication heartbeat of the last two minutes (the heartbeat function failed, its schedule is off, or none is deployed), so its catch-up could not be proven; nothing was changed: see the heartbeat function's logs, or in an outage run unplanned",
  StopWritesFailed: "planned switchover: the primary Auto Scaling Group could not be scaled to 0; its capacity was restored, nothing else changed",
  PromotionFailed: "the replica could not be promoted; DNS still serves the primary (re-run, or restore from a snapshot)",
  PromotionTimedOut: "the promotion did not finish in time; re-run to continue",
  CapacityNotReady: "the DR Auto Scaling Group did not reach the recovery capacity in time; re-run to continue",
  FenceNotInEffect:
    "the fence alarm did not reach ALARM in time after its datapoint, so the PRIMARY record may still answer; check the alarm and the CloudWatch metric in the DR region, then re-run",
  HealthNotRecovered: "the DR targets did not pass /health in time; DNS already serves the DR region",
} as const;

const FAILURE = "Failure: notify";
const FAILED = "Failed";

/**
 * The failover definition for `targets`; `cooldownSeconds` is the minimum delay between automatic
 * executions. Instance mode promotes the read replica; aurora-global mode switches the global
 * database (`auroraFailoverDefinition`).
 * @throws Error when the database part of `targets` is inconsistent (`databaseTargetsProblems`).
 */
export function failoverDefinition(targets: RecoveryTargets, cooldownSeconds: number): Definition {
  assertDatabaseTargets(targets, "failoverDefinition");
  const aurora = auroraGlobalOf(targets);
  return aurora ? auroraFailoverDefinition(targets, aurora, cooldownSeconds) : instanceFailoverDefinition(targets, cooldownSeconds);
}

/**
 * Statuses in which a replica may be promoted (RDS refuses it while `backing-up`, and the workflow asks
 * again until it accepts) or in which it serves as a replica: `storage-optimization` "is fully
 * operational" (RDS User Guide, "DB instance status").
 */
const PROMOTABLE = ["available", "backing-up", "storage-optimization"] as const;
const BUSY = BUSY_STATUSES;
const BROKEN = BROKEN_STATUSES;

/** The instance-mode failover: promotion of the DR read replica (module comment). */
function instanceFailoverDefinition(targets: RecoveryTargets, cooldownSeconds: number): Definition {
  const fail = (error: keyof typeof FAILOVER_ERRORS) => failure(error, FAILOVER_ERRORS[error], FAILURE);
  const describeReplica = describeDatabase(targets.replica.identifier);
  const retry = POLLING.promotionRetry;

  const promoteBranch: Pick<Definition, "StartAt" | "States"> = {
    StartAt: "Promotion needed?",
    States: {
      "Promotion needed?": {
        Type: "Choice",
        Choices: [{ Variable: "$.alreadyPromoted", IsPresent: true, Next: pollStart("Promotion") }],
        Default: "Promotion retries",
      },
      // The attempt counter of the "Promotion retry" loop (a refused or failed PromoteReadReplica, a look, maybe another call).
      "Promotion retries": { Type: "Pass", Result: { count: 0 }, ResultPath: "$.attempts.Promotionretry", Next: "Promote replica" },
      "Promote replica": sdkTask(
        "rds",
        "promoteReadReplica",
        { DbInstanceIdentifier: targets.replica.identifier, BackupRetentionPeriod: targets.replica.backupRetentionDays },
        {
          ResultPath: null,
          // A refusal is never retried blindly: RDS also refuses a replica already being promoted, and a promoted instance.
          Retry: sdkRetry("rds", { ErrorEquals: ["Rds.InvalidDbInstanceStateException"], MaxAttempts: 0 }),
          Catch: [
            { ErrorEquals: ["Rds.InvalidDbInstanceStateException"], ResultPath: "$.promotionError", Next: "Promotion retry: wait" },
            // Any other failure may hide an accepted promotion (a timeout after RDS accepted it): look before reporting.
            { ErrorEquals: ["States.ALL"], ResultPath: "$.promotionError", Next: "Promotion retry: check" },
          ],
          Next: pollStart("Promotion"),
        },
      ),
      ...promotionRetryWait(retry.IntervalSeconds),
      "Promotion retry: check": {
        ...describeReplica,
        ResultPath: "$.promotion",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.describeError", Next: "Promotion failed" }],
        Next: "Promotion retry: done?",
      },
      "Promotion retry: done?": {
        Type: "Choice",
        Choices: [
          // No source: a promotion runs (past the point where RDS drops the link) or ran. Follow it.
          { Not: listsSource("$.promotion"), Next: pollStart("Promotion") },
          { ...statusIn("$.promotion", BROKEN), Next: "Promotion failed" },
          { Variable: "$.attempts.Promotionretry.count", NumericGreaterThanEquals: retry.MaxAttempts - 1, Next: "Promotion not started" },
          // Something runs on the replica, maybe the promotion this call started: wait and look again, without calling.
          { ...statusIn("$.promotion", BUSY), Next: "Promotion retry: wait" },
          // Still a replica, not busy, a wait after the failed call (a refusal always waits first): ask again. Safe even if
          // the failed call was accepted and Describe still lags: RDS refuses a replica being promoted (InvalidDBInstanceState,
          // RDS API Reference, PromoteReadReplica), and that refusal is followed like any other.
          { Variable: "$.promotionError.waited", IsPresent: true, Next: "Promote replica" },
        ],
        // The look right after a call that failed otherwise than by a refusal (a timeout, an error after the transient
        // retries): RDS may have accepted it, and DescribeDBInstances may not show it yet (Describe calls lag behind a change:
        // Amazon EC2 Developer Guide, "Eventual consistency in the Amazon EC2 API"; RDS documents no bound). Wait and look
        // again, within the attempt bound, instead of reporting a failure on one look (States.Timeout: "A Task state ran
        // longer than the TimeoutSeconds value", Step Functions Developer Guide, "Handling errors in Step Functions workflows").
        Default: "Promotion retry: wait",
      },
      "Promotion not started": {
        Type: "Choice",
        // Still busy at the bound: a promotion may be running; re-running continues it.
        Choices: [
          { And: [{ Variable: "$.promotion.instance.DbInstanceStatus", IsPresent: true }, statusIn("$.promotion", BUSY)], Next: "Promotion timed out" },
        ],
        Default: "Promotion failed",
      },
      ...poll({
        name: "Promotion",
        check: describeReplica,
        resultPath: "$.promotion",
        done: [{ And: [statusIn("$.promotion", ["available"]), { Not: listsSource("$.promotion") }] }],
        failed: [statusIn("$.promotion", BROKEN)],
        ...POLLING.promotion,
        next: "Promoted",
        onFailed: "Promotion failed",
        onTimeout: "Promotion timed out",
      }),
      Promoted: { Type: "Pass", Parameters: { "databaseAddress.$": "$.promotion.instance.Endpoint.Address" }, End: true },
      "Promotion failed": { Type: "Fail", Error: "PromotionFailed", Cause: FAILOVER_ERRORS.PromotionFailed },
      "Promotion timed out": { Type: "Fail", Error: "PromotionTimedOut", Cause: FAILOVER_ERRORS.PromotionTimedOut },
    },
  };

  const states: Record<string, State> = {
    Start: { Type: "Pass", Parameters: { "started.$": "$$.Execution.StartTime" }, ResultPath: "$.timeline", Next: "Validate input" },
    "Validate input": validateFailoverInput("List running executions", "Invalid input"),
    "Invalid input": fail("InvalidInput"),
    ...concurrencyGuard("Describe replica", FAILOVER_ERRORS.ExecutionAlreadyRunning, FAILURE),
    "Describe replica": {
      ...describeReplica,
      ResultPath: "$.replica",
      Catch: [{ ErrorEquals: ["Rds.DbInstanceNotFoundException"], ResultPath: null, Next: "Replica missing" }, ...catchAll(FAILURE)],
      Next: "Check replica lag",
    },
    "Replica missing": fail("ReplicaMissing"),
    // The lag is read now, before any wait: its verdict is the one of the moment the failover started.
    ...lagGuard(
      targets,
      targets.alarms.replicationStopped ? "Check replication" : "Notify start",
      () => fail("ReplicaLagOverRpo"),
      pollStart("Replica settles"),
    ),
    ...(targets.alarms.replicationStopped ? replicationGuard(targets.alarms.replicationStopped, "Notify start", () => fail("ReplicationStopped")) : {}),
    // Busy while listing its source: a promotion started by an earlier execution, or another change (storage autoscaling, a
    // deploy, a parameter change). Wait until it tells: no source (promoted, or past the point where the promotion drops the
    // link) or no longer busy (still a replica). Not busy: done at the first check.
    ...poll({
      name: "Replica settles",
      check: describeReplica,
      resultPath: "$.replica",
      done: [{ Not: { And: [listsSource("$.replica"), statusIn("$.replica", BUSY)] } }],
      ...POLLING.replicaBusy,
      next: "Replica state?",
      onTimeout: "Replica not ready",
      onError: FAILURE,
    }),
    "Replica state?": {
      Type: "Choice",
      Choices: [
        { And: [listsSource("$.replica"), { Or: [statusIn("$.replica", PROMOTABLE), IS_FORCED] }], Next: "Replica lag within RPO?" },
        // Promoted: it no longer lists its source, whatever its status (a re-run follows the promotion).
        { Not: listsSource("$.replica"), Next: "Already promoted" },
      ],
      Default: "Replica not ready",
    },
    "Replica not ready": fail("ReplicaNotReady"),
    "Already promoted": { Type: "Pass", Result: true, ResultPath: "$.alreadyPromoted", Next: "Notify start" },
    "Notify start": notifyStart(targets, "Planned?"),
    "Planned?": {
      Type: "Choice",
      Choices: [
        { And: [{ Variable: "$.mode", StringEquals: "planned" }, { Not: { Variable: "$.alreadyPromoted", IsPresent: true } }], Next: "Heartbeat ready" },
      ],
      Default: "Recover",
    },
    // Before any write stops: the catch-up proof needs a heartbeat the replica replays now (recovery/heartbeat.ts HEARTBEAT_READY_SECONDS).
    // Without a heartbeat function nothing can prove catch-up: a planned switchover refuses before any write stops.
    ...(targets.heartbeat
      ? switchoverStates(targets, targets.heartbeat.drFunctionArn, fail)
      : { "Heartbeat ready": { Type: "Pass", Next: "Heartbeat not ready" } }),
    "Heartbeat not ready": fail("HeartbeatNotReady"),
    Recover: {
      Type: "Parallel",
      Branches: [drCapacityBranch(targets, FAILOVER_ERRORS.CapacityNotReady), promoteBranch, ...cacheFailoverBranches(targets)],
      ResultSelector: { "inService.$": "$[0].inService", "databaseAddress.$": "$[1].databaseAddress", ...cacheResultSelector(targets) },
      ResultPath: "$.recovery",
      Catch: catchAll(FAILURE),
      Next: "Database promoted and capacity ready",
    },
    ...failoverEnd(targets, {
      start: "Database promoted and capacity ready",
      successMessage: `States.Format('Failover ({}) complete: ${targets.dns.applicationName} is served from ${targets.drRegion}, database {} promoted, {} healthy targets. Timeline: {}. Set database.promoted: true in the DR stack before its next deploy.', $.mode, $.recovery.databaseAddress, $.health.targets, States.JsonToString($.timeline))`,
      cooldownSeconds,
      failurePathStart: FAILURE,
      fail,
    }),
    ...failurePath(targets.topicArn, "Failover FAILED", { notify: FAILURE, end: FAILED }),
  };
  return {
    Comment: `Failover of ${targets.dns.applicationName} from ${targets.primaryRegion} to ${targets.drRegion} (planned switchover or unplanned failover)`,
    StartAt: "Start",
    TimeoutSeconds: FAILOVER_TIMEOUT_SECONDS + cooldownSeconds,
    States: states,
  };
}

/**
 * The planned switchover's own states, between "Planned?" and `Recover`: the heartbeat readiness
 * check (`Heartbeat ready`, refusing with HeartbeatNotReady before any change), stop the primary's
 * writes and wait until its last instance is gone, then wait until the DR replica has replayed a
 * heartbeat committed after that; on a timeout or an error the primary gets its capacity back.
 */
function switchoverStates(targets: RecoveryTargets, heartbeatFunctionArn: string, fail: (error: keyof typeof FAILOVER_ERRORS) => State): Record<string, State> {
  return {
    "Heartbeat ready": heartbeatReplayedWithin(heartbeatFunctionArn, HEARTBEAT_READY_SECONDS, {
      ResultPath: "$.heartbeatReady",
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.heartbeatError", Next: "Heartbeat not ready" }],
      Next: "Heartbeat replayed?",
    }),
    "Heartbeat replayed?": {
      Type: "Choice",
      Choices: [{ ...heartbeatCaughtUp("$.heartbeatReady"), Next: "Stop writes in primary" }],
      Default: "Heartbeat not ready",
    },
    "Stop writes in primary": primaryRegionTask(
      targets.primaryRegionFunctionArn,
      "setCapacity",
      { minSize: 0, desiredCapacity: 0, maxSize: 0 },
      { ResultPath: null, Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.stopWritesError", Next: "Stop writes failed" }], Next: "Primary drain: start" },
    ),
    // The call may have failed after scaling in: give the primary its capacity back either way.
    "Stop writes failed": { ...fail("StopWritesFailed"), Next: "Restore primary writes" },
    // Writes stop when the last primary instance is gone, not when the group is told to scale in.
    ...poll({
      name: "Primary drain",
      check: primaryRegionTask(targets.primaryRegionFunctionArn, "describeCapacity", {}, {}),
      resultPath: "$.primaryDrain",
      done: [groupEmpty("$.primaryDrain.answer.instances")],
      ...POLLING.drain,
      next: "Writes stopped",
      onTimeout: "Restore primary writes",
      onError: "Restore primary writes",
    }),
    "Writes stopped": milestone("writesStopped", pollStart("Replica catch-up")),
    ...poll({
      name: "Replica catch-up",
      check: heartbeatReplayedSince(heartbeatFunctionArn, "$.timeline.writesStopped.at"),
      resultPath: "$.catchUp",
      done: [heartbeatCaughtUp("$.catchUp")],
      ...POLLING.catchUp,
      next: "Recover",
      onTimeout: "Restore primary writes",
      // Writes are stopped: whatever goes wrong before the switch, the primary gets its capacity back.
      onError: "Restore primary writes",
    }),
    "Restore primary writes": primaryRegionTask(
      targets.primaryRegionFunctionArn,
      "setCapacity",
      { minSize: targets.primary.capacity.minSize, desiredCapacity: targets.primary.capacity.desiredCapacity, maxSize: targets.primary.capacity.maxSize },
      { ResultPath: null, Catch: catchAll(FAILURE), Next: "Primary writes restored" },
    ),
    // An error that led here is kept at $.failure; otherwise the replica simply did not catch up.
    "Primary writes restored": { Type: "Choice", Choices: [{ Variable: "$.failure", IsPresent: true, Next: FAILURE }], Default: "Catch-up timed out" },
    "Catch-up timed out": fail("ReplicaCatchUpTimeout"),
  };
}

/**
 * The lag pre-check shared by both modes: the lag alarm must be OK unless forced; `Check replica lag`
 * (then `afterCheck`, by default straight to the verdict) -> `Replica lag within RPO?`.
 */
function lagGuard(targets: RecoveryTargets, next: string, overRpo: () => State, afterCheck = "Replica lag within RPO?"): Record<string, State> {
  return {
    "Check replica lag": {
      ...alarmState(targets.alarms.replicaLagOverRpo),
      ResultPath: "$.replicaLag",
      Catch: catchAll(FAILURE),
      Next: afterCheck,
    },
    "Replica lag within RPO?": {
      Type: "Choice",
      Choices: [
        { ...alarmIsOk("$.replicaLag"), Next: next },
        { ...IS_FORCED, Next: next },
      ],
      Default: "Replica lag over RPO",
    },
    "Replica lag over RPO": overRpo(),
  };
}

/**
 * MySQL only: a replica that is not replicating reads ReplicaLag -1, which the lag alarm takes for
 * OK, so the replication-stopped alarm (ReplicaLag below 0 for 5 minutes, components/recoveryAlarms.ts)
 * must be OK too (or INSUFFICIENT_DATA: no datapoint), unless forced. `Check replication` ->
 * `Replicating?` -> `next`. Like PostgreSQL's growing lag, it also reads ALARM once the source has
 * been gone 5 minutes (docs/runbook.md, "The offline drill").
 */
function replicationGuard(alarmName: string, next: string, stopped: () => State): Record<string, State> {
  return {
    "Check replication": { ...alarmState(alarmName), ResultPath: "$.replication", Catch: catchAll(FAILURE), Next: "Replicating?" },
    "Replicating?": {
      Type: "Choice",
      Choices: [
        {
          And: [{ Variable: "$.replication.states[0]", IsPresent: true }, { Not: { Variable: "$.replication.states[0]", StringEquals: "ALARM" } }],
          Next: next,
        },
        { ...IS_FORCED, Next: next },
      ],
      Default: "Replication stopped",
    },
    "Replication stopped": stopped(),
  };
}

function notifyStart(targets: RecoveryTargets, next: string): State {
  return notify(
    targets.topicArn,
    "Failover started",
    `States.Format('Failover ({}, trigger {}, force {}) to ${targets.drRegion} started at {}: execution {}', $.mode, $.trigger, $.force, $$.Execution.StartTime, $$.Execution.Id)`,
    { Next: next },
  );
}

/** Error names an aurora-global failover execution can end with (the errors it shares with instance mode have the same meaning). */
export const AURORA_FAILOVER_ERRORS = {
  InvalidInput: FAILOVER_ERRORS.InvalidInput,
  ExecutionAlreadyRunning: FAILOVER_ERRORS.ExecutionAlreadyRunning,
  GlobalClusterMissing: "the Aurora global cluster does not exist; nothing was changed",
  DrClusterNotMember:
    "the DR cluster is not a member of the global cluster (detached, or never joined); nothing was changed: promote it by hand (RDS RemoveFromGlobalCluster) or re-add it (docs/outage-runbook.md, Aurora global database)",
  DrClusterMissing: "the DR cluster does not exist; nothing was changed",
  DrClusterNotReady: "the DR cluster is not available; nothing was changed (force to try anyway)",
  ReplicaLagOverRpo: FAILOVER_ERRORS.ReplicaLagOverRpo,
  SwitchoverFailed:
    "planned: Aurora refused the switchover, or the primary region did not answer; nothing was switched, DNS still serves the primary (in an outage run mode unplanned)",
  GlobalFailoverFailed:
    "unplanned: Aurora refused the global database failover; nothing was switched, DNS still serves the primary (check the global cluster's RDS events, then re-run)",
  SwitchCancelled: "Aurora cancelled the switchover or failover; DNS still serves the primary (check the global cluster's RDS events, then re-run)",
  SwitchTimedOut: "the DR cluster did not become the available writer in time; re-run to continue (a running switch is waited for, not repeated)",
  CapacityNotReady: FAILOVER_ERRORS.CapacityNotReady,
  FenceNotInEffect: FAILOVER_ERRORS.FenceNotInEffect,
  HealthNotRecovered: FAILOVER_ERRORS.HealthNotRecovered,
} as const;

/**
 * The aurora-global failover (module comment): pre-checks on the global cluster and the DR cluster,
 * then in parallel the capacity and the switch (planned: switchover through the primary-region
 * function; unplanned: FailoverGlobalCluster with AllowDataLoss), then the shared end.
 */
export function auroraFailoverDefinition(targets: RecoveryTargets, database: AuroraGlobalDatabaseTargets, cooldownSeconds: number): Definition {
  const fail = (error: keyof typeof AURORA_FAILOVER_ERRORS) => failure(error, AURORA_FAILOVER_ERRORS[error], FAILURE);
  const failState = (error: keyof typeof AURORA_FAILOVER_ERRORS): State => ({ Type: "Fail", Error: error, Cause: AURORA_FAILOVER_ERRORS[error] });

  const switchBranch: Pick<Definition, "StartAt" | "States"> = {
    StartAt: "Switch needed?",
    States: {
      "Switch needed?": {
        Type: "Choice",
        Choices: [
          // Re-run: the DR cluster is already the writer, or a switch is running; wait for it instead of switching again.
          { Variable: "$.alreadySwitched", IsPresent: true, Next: pollStart("Global switch") },
          { Variable: "$.mode", StringEquals: "planned", Next: "Switch over" },
        ],
        Default: "Fail over global cluster",
      },
      // SwitchoverGlobalCluster runs in the primary cluster's region (Aurora User Guide, switchovers: --region of the primary).
      "Switch over": primaryRegionTask(
        targets.primaryRegionFunctionArn,
        "switchoverGlobalCluster",
        {},
        {
          ResultPath: null,
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.switchError", Next: "Switch started anyway?" }],
          Next: pollStart("Global switch"),
        },
      ),
      // FailoverGlobalCluster runs in the target's region (same guide, managed failovers: --region of the secondary); its ARN locates it.
      "Fail over global cluster": sdkTask(
        "rds",
        "failoverGlobalCluster",
        { GlobalClusterIdentifier: database.globalClusterIdentifier, TargetDbClusterIdentifier: database.drClusterArn, AllowDataLoss: true },
        {
          ResultPath: null,
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.switchError", Next: "Switch started anyway?" }],
          Next: pollStart("Global switch"),
        },
      ),
      // A call that failed may still have started the switch (a timeout, or a retry refused because the first attempt
      // was accepted): look before reporting a failure, and follow the switch if it runs.
      "Switch started anyway?": describeGlobalCluster(database, {
        ResultPath: "$.afterError",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.describeError", Next: "Which switch failed?" }],
        Next: "Switch running?",
      }),
      "Switch running?": {
        Type: "Choice",
        Choices: [
          { ...isWriter("$.afterError.dr"), Next: pollStart("Global switch") },
          { Variable: "$.afterError.switching[0]", IsPresent: true, Next: pollStart("Global switch") },
        ],
        Default: "Which switch failed?",
      },
      "Which switch failed?": {
        Type: "Choice",
        Choices: [{ Variable: "$.mode", StringEquals: "planned", Next: "Switchover failed" }],
        Default: "Global failover failed",
      },
      ...poll({
        name: "Global switch",
        check: describeGlobalCluster(database),
        resultPath: "$.switch",
        done: [
          {
            And: [
              isWriter("$.switch.dr"),
              { Variable: "$.switch.status", StringEquals: "available" },
              { Not: { Variable: "$.switch.switching[0]", IsPresent: true } },
            ],
          },
        ],
        failed: [{ Variable: "$.switch.switching[0]", StringEquals: "cancelling" }],
        ...POLLING.globalSwitch,
        next: pollStart("Writer cluster"),
        onFailed: "Switch cancelled",
        onTimeout: "Switch timed out",
      }),
      ...poll({
        name: "Writer cluster",
        check: describeCluster(database.drClusterIdentifier),
        resultPath: "$.writer",
        done: [
          {
            And: [
              { Variable: "$.writer.status", StringEquals: "available" },
              { Variable: "$.writer.endpoint[0]", IsPresent: true },
            ],
          },
        ],
        ...POLLING.writerCluster,
        next: "Switched",
        onTimeout: "Switch timed out",
      }),
      Switched: { Type: "Pass", Parameters: { "databaseAddress.$": "$.writer.endpoint[0]" }, End: true },
      "Switchover failed": failState("SwitchoverFailed"),
      "Global failover failed": failState("GlobalFailoverFailed"),
      "Switch cancelled": failState("SwitchCancelled"),
      "Switch timed out": failState("SwitchTimedOut"),
    },
  };

  const states: Record<string, State> = {
    Start: { Type: "Pass", Parameters: { "started.$": "$$.Execution.StartTime" }, ResultPath: "$.timeline", Next: "Validate input" },
    "Validate input": validateFailoverInput("List running executions", "Invalid input"),
    "Invalid input": fail("InvalidInput"),
    ...concurrencyGuard("Describe global cluster", AURORA_FAILOVER_ERRORS.ExecutionAlreadyRunning, FAILURE),
    "Describe global cluster": describeGlobalCluster(database, {
      ResultPath: "$.global",
      Catch: [{ ErrorEquals: ["Rds.GlobalClusterNotFoundException"], ResultPath: null, Next: "Global cluster missing" }, ...catchAll(FAILURE)],
      Next: "DR cluster role?",
    }),
    "Global cluster missing": fail("GlobalClusterMissing"),
    "DR cluster role?": {
      Type: "Choice",
      Choices: [
        { Not: { Variable: "$.global.dr[0]", IsPresent: true }, Next: "DR cluster not a member" },
        { ...isWriter("$.global.dr"), Next: "Already switched" },
        // A re-run while an earlier switch is still running: wait for it instead of switching again.
        { Variable: "$.global.switching[0]", IsPresent: true, Next: "Already switched" },
      ],
      Default: "Describe DR cluster",
    },
    "DR cluster not a member": fail("DrClusterNotMember"),
    "Already switched": { Type: "Pass", Result: true, ResultPath: "$.alreadySwitched", Next: "Notify start" },
    "Describe DR cluster": describeCluster(database.drClusterIdentifier, {
      ResultPath: "$.drCluster",
      Catch: [{ ErrorEquals: ["Rds.DbClusterNotFoundException"], ResultPath: null, Next: "DR cluster missing" }, ...catchAll(FAILURE)],
      Next: "DR cluster ready?",
    }),
    "DR cluster missing": fail("DrClusterMissing"),
    "DR cluster ready?": {
      Type: "Choice",
      Choices: [
        { Variable: "$.drCluster.status", StringEquals: "available", Next: "Check replica lag" },
        { ...IS_FORCED, Next: "Check replica lag" },
      ],
      Default: "DR cluster not ready",
    },
    "DR cluster not ready": fail("DrClusterNotReady"),
    ...lagGuard(targets, "Notify start", () => fail("ReplicaLagOverRpo")),
    "Notify start": notifyStart(targets, "Recover"),
    Recover: {
      Type: "Parallel",
      Branches: [drCapacityBranch(targets, AURORA_FAILOVER_ERRORS.CapacityNotReady), switchBranch, ...cacheFailoverBranches(targets)],
      ResultSelector: { "inService.$": "$[0].inService", "databaseAddress.$": "$[1].databaseAddress", ...cacheResultSelector(targets) },
      ResultPath: "$.recovery",
      Catch: catchAll(FAILURE),
      Next: "Database switched and capacity ready",
    },
    ...failoverEnd(targets, {
      start: "Database switched and capacity ready",
      successMessage: `States.Format('Failover ({}) complete: ${targets.dns.applicationName} is served from ${targets.drRegion}; the DR cluster ${database.drClusterIdentifier} ({}) is the writer of the global database ${database.globalClusterIdentifier}; {} healthy targets. Timeline: {}. After an unplanned failover Aurora re-adds the primary-region cluster as a secondary once ${targets.primaryRegion} recovers: copy its rds:unplanned-global-failover snapshot to a manual snapshot to keep the writes that were not replicated.', $.mode, $.recovery.databaseAddress, $.health.targets, States.JsonToString($.timeline))`,
      cooldownSeconds,
      failurePathStart: FAILURE,
      fail,
    }),
    ...failurePath(targets.topicArn, "Failover FAILED", { notify: FAILURE, end: FAILED }),
  };
  return {
    Comment: `Failover of ${targets.dns.applicationName} from ${targets.primaryRegion} to ${targets.drRegion}: Aurora global database ${globalClusterArn(targets, database)} (planned switchover or unplanned failover)`,
    StartAt: "Start",
    TimeoutSeconds: FAILOVER_TIMEOUT_SECONDS + cooldownSeconds,
    States: states,
  };
}

/** Upper bound of a failover execution before its cool-down, seconds: above its longest path of waits, poll and retry bounds (about 2.1 hours; test/recovery/definitions.test.ts checks it). */
export const FAILOVER_TIMEOUT_SECONDS = 4 * 3600;
