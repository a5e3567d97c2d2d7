/**
 * The failback workflow: return service to the primary region after a failover. Never automatic:
 * no trigger starts it, only an operator (DR invariant 9: no flapping).
 *
 * Precondition (re-protect): the primary stack has been rebuilt as the new standby, so that the
 * primary-region database is a read replica of the promoted DR database (docs/runbook.md, "Failback").
 * Input: `{ "force": boolean }`.
 *
 * Steps: refuse to run beside another execution; check that the DR database is standalone (a
 * failover happened), that the primary-region database replicates from it and is `available`, and
 * that its lag is within the RPO (unless `force`); notify; scale the primary Auto Scaling Group to
 * the primary's capacity and wait for it; stop writes in the DR region (its group to 0, and wait until
 * its last instance is gone); wait until the primary-region replica has replayed a replication
 * heartbeat committed after that (recovery/checks.ts `heartbeatReplayedSince`, asked through the
 * primary-region operations function), or restore the DR capacity and stop;
 * promote the primary-region replica and wait until it is standalone (a refused or failed call is
 * never retried blindly: as in the failover's "Promotion retry" loop, recovery/failover.ts, it waits,
 * looks, follows a promotion that runs and asks again only a replica that still lists its source
 * after a wait) (the primary region's stable database name already points at it: the primary stack
 * points it at its replica, and promotion keeps the endpoint); make the PRIMARY record alias the primary load balancer again; wait for
 * Route 53 INSYNC and for the primary targets to pass `/health`; return the DR group to its standby
 * capacity; notify with the timeline. Primary-region calls go through the primary-region operations function.
 *
 * Aurora-global mode (`auroraFailbackDefinition`): a managed switchover of the global database back to
 * the primary-region cluster, called in the DR region, where the writer now runs (Aurora User Guide,
 * "Using switchover or failover in Amazon Aurora Global Database": switchover is "a zero-data-loss method
 * to fail back to the original primary Region after a failover"; it waits until the target is fully
 * synchronized, then makes the DR cluster read-only). Precondition: the primary-region cluster is a
 * member of the global cluster again. After a managed failover (`FailoverGlobalCluster`, what the
 * unplanned failover runs) Aurora "automatically adds [the old primary Region] back to the global
 * cluster as a secondary Region" once that region is healthy, rebuilding its storage volume (minutes to
 * hours); after a manual detach-and-promote it does not, and the operator must add the primary region
 * back (the primary stack's cluster joined to the global cluster) before failback. Steps: refuse beside
 * another execution; the DR cluster is the writer, the primary cluster a synchronized member and the
 * global cluster `available` (else `PrimaryClusterNotMember`, nothing changed); notify; scale the
 * primary group and wait; switch over (no stop of the DR writes first: Aurora fences them); poll until
 * the primary cluster is the writer (each region's stable database name points at its own cluster's
 * writer endpoint, which Aurora activates on the writer: no name changes); PRIMARY record, INSYNC, primary health, DR standby, notify. No lag check:
 * a switchover loses nothing, the lag only lengthens it; `force` is accepted and has no effect. A re-run
 * after the switch finds the primary cluster already the writer (or the switch running), does not
 * switch again, and finishes the DNS and capacity steps.
 *
 * A cache with an ElastiCache global datastore (`targets.cache`, both modes; recovery/cacheSteps.ts):
 * before the fence is released, the global datastore's primary is switched back to the primary
 * region's group (FailoverGlobalReplicationGroup from the DR region); a DR cache that the failover
 * detached cannot re-join, and the operator is told to flush the primary region's cache and rebuild
 * the DR secondary. Never fatal.
 */
import { catchAll, type Definition, failure, failurePath, LAMBDA_RETRY, milestone, notify, poll, pollStart, sdkTask, type State, TRANSIENT_RETRY } from "./asl";
import {
  BROKEN_STATUSES,
  BUSY_STATUSES,
  concurrencyGuard,
  describeGlobalCluster,
  dnsChangeWait,
  groupEmpty,
  HEARTBEAT_RETRY,
  heartbeatCaughtUp,
  isWriter,
} from "./checks";
import { cacheFailbackStates } from "./cacheSteps";
import { fenceStates } from "./fence";
import { HEARTBEAT_READY_SECONDS } from "./heartbeat";
import { changeRecords, primaryRecordChange } from "./dnsChanges";
import { IS_FORCED, promotionRetryWait } from "./failoverParts";
import { type PrimaryRegionOperation, primaryRegionTask } from "./primaryRegion";
import { assertDatabaseTargets, type AuroraGlobalDatabaseTargets, auroraGlobalOf, type Capacity, globalClusterArn, type RecoveryTargets } from "./targets";
import { POLLING } from "./timing";

/** Error names a failback execution can end with, and what each means to an operator. */
export const FAILBACK_ERRORS = {
  InvalidInput: "the input is not { force: boolean }",
  ExecutionAlreadyRunning: "another failback execution is running; nothing was changed",
  NotFailedOver: "the DR database is still a read replica: there is nothing to fail back; nothing was changed",
  PrimaryNotReprotected:
    "the primary-region database is not an available read replica of the DR database: rebuild the primary stack as the new standby first (docs/runbook.md, Failback); nothing was changed",
  ReplicaLagOverRpo: "the primary-region replica's lag is over the RPO or unknown; nothing was changed (force to accept the data loss)",
  CapacityNotReady: "the primary Auto Scaling Group did not reach its capacity in time; DR still serves, nothing else changed",
  HeartbeatNotReady:
    "the primary-region replica has replayed no replication heartbeat of the last two minutes (the DR heartbeat function cannot write, e.g. the promoted DR database was not adopted yet, or the primary's heartbeat function failed, or the primary stack exports none), so its catch-up could not be proven; nothing was changed",
  ReplicaCatchUpTimeout:
    "the DR instances were not all gone, or the primary-region replica did not replay a heartbeat from after they were (or has no heartbeat function), in time; DR capacity was restored, DR still serves",
  PromotionFailed: "the primary-region replica could not be promoted; DR capacity was restored and DR still serves",
  PromotionTimedOut:
    "the primary-region promotion did not finish in time; DR capacity is at 0: once the primary-region instance is available, finish the switch by hand (docs/runbook.md, Failback) or run failover to serve from DR",
  DnsChangeNotInSync: "Route 53 did not report the DNS change INSYNC in time; check the hosted zone",
  FenceNotReleased:
    "the fence alarm did not return to OK in time after its datapoint, so the PRIMARY record may still send traffic to the DR region; check the alarm in the DR region, then re-run",
  HealthNotRecovered: "the primary targets did not pass /health in time; DNS already serves the primary region",
} as const;

const FAILURE = "Failure: notify";

/**
 * The failback definition for `targets`: instance mode promotes the primary-region replica;
 * aurora-global mode switches the global database back (`auroraFailbackDefinition`).
 * @throws Error when the database part of `targets` is inconsistent (`databaseTargetsProblems`).
 */
export function failbackDefinition(targets: RecoveryTargets): Definition {
  assertDatabaseTargets(targets, "failbackDefinition");
  const aurora = auroraGlobalOf(targets);
  return aurora ? auroraFailbackDefinition(targets, aurora) : instanceFailbackDefinition(targets);
}

/** A Task invoking operation `name` of the primary-region operations function. */
function primaryOperation(targets: RecoveryTargets, name: PrimaryRegionOperation, arguments_: Record<string, unknown> = {}, rest: State = {}): State {
  return primaryRegionTask(targets.primaryRegionFunctionArn, name, arguments_, rest);
}

/** The DR group set to `capacity`; errors go to the failure path. */
function setDrCapacity(targets: RecoveryTargets, capacity: Capacity, next: string): State {
  return sdkTask(
    "autoscaling",
    "updateAutoScalingGroup",
    {
      AutoScalingGroupName: targets.drAutoScalingGroup.name,
      MinSize: capacity.minSize,
      DesiredCapacity: capacity.desiredCapacity,
      MaxSize: capacity.maxSize,
    },
    { ResultPath: null, Catch: catchAll(FAILURE), Next: next },
  );
}

/**
 * The end of a failback, both modes: release the fence (recovery/fence.ts: the PRIMARY record's health
 * check follows the primary's endpoint again), the PRIMARY record aliases the primary load balancer
 * (it already does unless a failover made before the fence existed repointed it; the UPSERT is the
 * same either way), Route 53 INSYNC, the primary targets healthy, the DR group back to standby, the
 * success notification.
 */
function failbackEnd(
  targets: RecoveryTargets,
  fail: (error: "DnsChangeNotInSync" | "FenceNotReleased" | "HealthNotRecovered") => State,
  successMessage: string,
): Record<string, State> {
  return {
    ...cacheBack(targets).states,
    ...fenceStates(targets, { value: 0, start: "Release the fence", next: "Serve DNS from primary", onTimeout: "Fence not released", onError: FAILURE }),
    "Fence not released": fail("FenceNotReleased"),
    "Serve DNS from primary": changeRecords(
      targets.dns.hostedZoneId,
      "Failback: the PRIMARY record serves the primary region again",
      [primaryRecordChange(targets, targets.primaryLoadBalancer)],
      { next: pollStart("DNS change"), onError: FAILURE, track: true },
    ),
    ...dnsChangeWait("DNS change", "DNS serves primary", "DNS change not in sync", FAILURE),
    "DNS change not in sync": fail("DnsChangeNotInSync"),
    "DNS serves primary": milestone("dnsServesPrimary", pollStart("Primary health")),
    ...poll({
      name: "Primary health",
      check: primaryOperation(targets, "describeTargetHealth"),
      resultPath: "$.health",
      done: [{ Variable: "$.health.answer.healthyTargets", NumericGreaterThanEquals: targets.primary.capacity.desiredCapacity }],
      ...POLLING.health,
      next: "Return DR to standby",
      onTimeout: "Health not recovered",
      onError: FAILURE,
    }),
    "Health not recovered": fail("HealthNotRecovered"),
    "Return DR to standby": setDrCapacity(targets, targets.drAutoScalingGroup.standby, "Failed back"),
    "Failed back": milestone("done", "Notify success"),
    "Notify success": notify(targets.topicArn, "Failback complete", successMessage, { Next: "Succeeded" }),
    Succeeded: { Type: "Succeed" },
  };
}

/**
 * The cache's failback states (recovery/cacheSteps.ts), between the database's return and the fence's
 * release: the global datastore's primary switched back to the primary region; none without one.
 */
function cacheBack(targets: RecoveryTargets): { start: string; states: Record<string, State> } {
  return cacheFailbackStates(targets, "Release the fence");
}

/** The "Validate input" Choice of the failback: `{ force: boolean }`. */
function validateFailbackInput(next: string): State {
  return {
    Type: "Choice",
    Choices: [
      {
        And: [
          { Variable: "$.force", IsPresent: true },
          { Variable: "$.force", IsBoolean: true },
        ],
        Next: next,
      },
    ],
    Default: "Invalid input",
  };
}

/** The instance-mode failback (module comment). */
function instanceFailbackDefinition(targets: RecoveryTargets): Definition {
  const fail = (error: keyof typeof FAILBACK_ERRORS) => failure(error, FAILBACK_ERRORS[error], FAILURE);
  const primary = targets.primary.capacity;
  const operation = (name: PrimaryRegionOperation, arguments_: Record<string, unknown> = {}, rest: State = {}) =>
    primaryOperation(targets, name, arguments_, rest);
  const isForced = IS_FORCED;
  const retry = POLLING.promotionRetry;
  /** Choice rule: the status of the function's describeDatabase answer is one of `statuses`. */
  const answerStatusIn = (statuses: readonly string[]): Record<string, unknown> => {
    const rules = statuses.map((status) => ({ Variable: "$.primaryDatabase.answer.status", StringEquals: status }));
    return rules.length === 1 ? rules[0] : { Or: rules };
  };

  const states: Record<string, State> = {
    Start: { Type: "Pass", Parameters: { "started.$": "$$.Execution.StartTime" }, ResultPath: "$.timeline", Next: "Validate input" },
    "Validate input": validateFailbackInput("List running executions"),
    "Invalid input": fail("InvalidInput"),
    ...concurrencyGuard("Describe DR database", FAILBACK_ERRORS.ExecutionAlreadyRunning, FAILURE),
    "Describe DR database": sdkTask(
      "rds",
      "describeDBInstances",
      { DbInstanceIdentifier: targets.replica.identifier },
      { ResultSelector: { "instance.$": "$.DbInstances[0]" }, ResultPath: "$.drDatabase", Catch: catchAll(FAILURE), Next: "Failed over?" },
    ),
    "Failed over?": {
      Type: "Choice",
      Choices: [{ Variable: "$.drDatabase.instance.ReadReplicaSourceDBInstanceIdentifier", IsPresent: true, Next: "Not failed over" }],
      Default: "Describe primary database",
    },
    "Not failed over": fail("NotFailedOver"),
    "Describe primary database": operation(
      "describeDatabase",
      {},
      { ResultPath: "$.primaryDatabase", Catch: catchAll(FAILURE), Next: "Primary re-protected?" },
    ),
    "Primary re-protected?": {
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: "$.primaryDatabase.answer.isReplica", BooleanEquals: true },
            { Variable: "$.primaryDatabase.answer.sourceArn", StringEquals: targets.replica.arn },
            { Variable: "$.primaryDatabase.answer.status", StringEquals: "available" },
          ],
          Next: "Primary replica lag",
        },
      ],
      Default: "Primary not re-protected",
    },
    "Primary not re-protected": fail("PrimaryNotReprotected"),
    "Primary replica lag": operation("replicaLagSeconds", {}, { ResultPath: "$.lag", Catch: catchAll(FAILURE), Next: "Lag within RPO?" }),
    "Lag within RPO?": {
      Type: "Choice",
      Choices: [
        {
          // RDS reports -1 when replication is not active (MySQL): that is not "within the RPO".
          And: [
            { Variable: "$.lag.answer.seconds", IsNumeric: true },
            { Variable: "$.lag.answer.seconds", NumericGreaterThanEquals: 0 },
            { Variable: "$.lag.answer.seconds", NumericLessThanEquals: targets.rpoSeconds },
          ],
          Next: "Heartbeat ready",
        },
        { ...isForced, Next: "Heartbeat ready" },
      ],
      Default: "Replica lag over RPO",
    },
    "Replica lag over RPO": fail("ReplicaLagOverRpo"),
    // Before anything changes: the catch-up proof needs a heartbeat the primary-region replica replays now.
    "Heartbeat ready": targets.heartbeat
      ? operation(
          "replayedSince",
          { withinSeconds: HEARTBEAT_READY_SECONDS },
          {
            ResultPath: "$.heartbeatReady",
            Retry: HEARTBEAT_RETRY,
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.heartbeatError", Next: "Heartbeat not ready" }],
            Next: "Heartbeat replayed?",
          },
        )
      : // No heartbeat function (the primary exports none): nothing can prove catch-up, so the answer is "not caught up".
        { Type: "Pass", Result: { answer: { caughtUp: false, beatAt: null } }, ResultPath: "$.heartbeatReady", Next: "Heartbeat replayed?" },
    "Heartbeat replayed?": { Type: "Choice", Choices: [{ ...heartbeatCaughtUp("$.heartbeatReady"), Next: "Notify start" }], Default: "Heartbeat not ready" },
    "Heartbeat not ready": fail("HeartbeatNotReady"),
    "Notify start": notify(
      targets.topicArn,
      "Failback started",
      `States.Format('Failback of ${targets.dns.applicationName} to ${targets.primaryRegion} started at {}: execution {}', $$.Execution.StartTime, $$.Execution.Id)`,
      { Next: "Scale primary capacity" },
    ),
    "Scale primary capacity": operation(
      "setCapacity",
      { minSize: primary.minSize, desiredCapacity: primary.desiredCapacity, maxSize: primary.maxSize },
      { ResultPath: null, Catch: catchAll(FAILURE), Next: pollStart("Primary capacity") },
    ),
    ...poll({
      name: "Primary capacity",
      check: operation("describeCapacity"),
      resultPath: "$.primaryCapacity",
      done: [{ Variable: "$.primaryCapacity.answer.inService", NumericGreaterThanEquals: primary.desiredCapacity }],
      ...POLLING.capacity,
      next: "Stop writes in DR",
      onTimeout: "Capacity not ready",
      onError: FAILURE,
    }),
    "Capacity not ready": fail("CapacityNotReady"),
    "Stop writes in DR": {
      ...setDrCapacity(targets, { minSize: 0, desiredCapacity: 0, maxSize: 0 }, "DR drain: start"),
      // The call may have failed after scaling in: give DR its capacity back either way.
      Catch: catchAll("Restore DR writes"),
    },
    // Writes stop when the last DR instance is gone, not when the group is told to scale in.
    ...poll({
      name: "DR drain",
      check: sdkTask(
        "autoscaling",
        "describeAutoScalingGroups",
        { AutoScalingGroupNames: [targets.drAutoScalingGroup.name] },
        { ResultSelector: { "instances.$": "States.ArrayLength($.AutoScalingGroups[0].Instances)" } },
      ),
      resultPath: "$.drDrain",
      done: [groupEmpty("$.drDrain.instances")],
      ...POLLING.drain,
      next: "Writes stopped",
      onTimeout: "Restore DR writes",
      onError: "Restore DR writes",
    }),
    "Writes stopped": milestone("writesStopped", pollStart("Primary catch-up")),
    ...poll({
      name: "Primary catch-up",
      // The primary region's heartbeat function reads the replica there: has it replayed a heartbeat from after the stop?
      check: operation("replayedSince", { "since.$": "$.timeline.writesStopped.at" }, { Retry: HEARTBEAT_RETRY }),
      resultPath: "$.catchUp",
      done: [heartbeatCaughtUp("$.catchUp")],
      ...POLLING.catchUp,
      next: "Promotion retries",
      onTimeout: "Restore DR writes",
      // Writes are stopped in DR: whatever goes wrong before the promotion, DR gets its capacity back.
      onError: "Restore DR writes",
    }),
    "Restore DR writes": setDrCapacity(targets, targets.drAutoScalingGroup.recovery, "DR writes restored"),
    // An error that led here is kept at $.failure; otherwise the replica simply did not catch up.
    "DR writes restored": { Type: "Choice", Choices: [{ Variable: "$.failure", IsPresent: true, Next: FAILURE }], Default: "Catch-up timed out" },
    "Catch-up timed out": fail("ReplicaCatchUpTimeout"),
    // The attempt counter of the "Promotion retry" loop (a refused or failed promoteDatabase, a look, maybe another call).
    "Promotion retries": { Type: "Pass", Result: { count: 0 }, ResultPath: "$.attempts.Promotionretry", Next: "Promote primary database" },
    "Promote primary database": operation(
      "promoteDatabase",
      {},
      {
        ResultPath: null,
        // The function rethrows RDS's InvalidDBInstanceStateFault: a replica backing-up, or one already being promoted (RDS
        // API Reference, PromoteReadReplica). A refusal is never retried blindly; the function's own refusals are final.
        Retry: [
          { ErrorEquals: ["InvalidDBInstanceStateFault"], MaxAttempts: 0 },
          { ErrorEquals: ["InvalidArguments", "MisconfiguredFunction"], MaxAttempts: 0 },
          LAMBDA_RETRY,
          TRANSIENT_RETRY,
        ],
        Catch: [
          { ErrorEquals: ["InvalidDBInstanceStateFault"], ResultPath: "$.promotionError", Next: "Promotion retry: wait" },
          { ErrorEquals: ["InvalidArguments", "MisconfiguredFunction"], ResultPath: "$.promotionError", Next: "Promotion failed" },
          // Any other failure (a timeout) may hide an accepted promotion: look before reporting.
          { ErrorEquals: ["States.ALL"], ResultPath: "$.promotionError", Next: "Promotion retry: check" },
        ],
        Next: pollStart("Primary promotion"),
      },
    ),
    // The same loop as the failover's (recovery/failover.ts, "Promotion retry"), on the function's describeDatabase answer.
    ...promotionRetryWait(retry.IntervalSeconds),
    "Promotion retry: check": operation(
      "describeDatabase",
      {},
      {
        ResultPath: "$.primaryDatabase",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.describeError", Next: "Promotion failed" }],
        Next: "Promotion retry: done?",
      },
    ),
    "Promotion retry: done?": {
      Type: "Choice",
      Choices: [
        // Not a replica any more: a promotion runs (past the point where RDS drops the link) or ran. Follow it.
        { Variable: "$.primaryDatabase.answer.isReplica", BooleanEquals: false, Next: pollStart("Primary promotion") },
        { ...answerStatusIn(BROKEN_STATUSES), Next: "Promotion failed" },
        { Variable: "$.attempts.Promotionretry.count", NumericGreaterThanEquals: retry.MaxAttempts - 1, Next: "Promotion not started" },
        // Something runs on the replica, maybe the promotion a call started: wait and look again, without calling.
        { ...answerStatusIn(BUSY_STATUSES), Next: "Promotion retry: wait" },
        // Still a replica, not busy, a wait after the failed call (a refusal always waits first): ask again. Safe even if the
        // failed call was accepted and Describe still lags: RDS refuses a replica being promoted (InvalidDBInstanceState,
        // RDS API Reference, PromoteReadReplica), and that refusal is followed like any other.
        { Variable: "$.promotionError.waited", IsPresent: true, Next: "Promote primary database" },
      ],
      // The look right after a call that failed otherwise than by a refusal: RDS may have accepted it, and DescribeDBInstances
      // may not show it yet (Amazon EC2 Developer Guide, "Eventual consistency in the Amazon EC2 API"; RDS documents no
      // bound). Wait and look again, within the attempt bound.
      Default: "Promotion retry: wait",
    },
    "Promotion not started": {
      Type: "Choice",
      // Still busy at the bound: a promotion may be running; DR capacity stays at 0 and the operator finishes it (PromotionTimedOut).
      Choices: [{ And: [{ Variable: "$.primaryDatabase.answer.status", IsPresent: true }, answerStatusIn(BUSY_STATUSES)], Next: "Promotion timed out" }],
      Default: "Promotion failed",
    },
    // The DR database is still the writer: give DR its capacity back, then report.
    "Promotion failed": { ...fail("PromotionFailed"), Next: "Restore DR writes" },
    ...poll({
      name: "Primary promotion",
      check: operation("describeDatabase"),
      resultPath: "$.primaryDatabase",
      done: [
        {
          And: [
            { Variable: "$.primaryDatabase.answer.status", StringEquals: "available" },
            { Variable: "$.primaryDatabase.answer.isReplica", BooleanEquals: false },
          ],
        },
      ],
      ...POLLING.promotion,
      next: "Primary promoted",
      onTimeout: "Promotion timed out",
      onError: FAILURE,
    }),
    "Promotion timed out": fail("PromotionTimedOut"),
    // No database-name change: the primary region's name already points at this replica (the primary stack deploys it
    // so once the replica exists, stacks/primary.ts), and promotion keeps the instance's endpoint.
    "Primary promoted": milestone("promoted", cacheBack(targets).start),
    ...failbackEnd(
      targets,
      fail,
      `States.Format('Failback complete: ${targets.dns.applicationName} is served from ${targets.primaryRegion} again. Timeline: {}. Rebuild the DR stack as the standby (docs/runbook.md, Failback) to restore protection.', States.JsonToString($.timeline))`,
    ),
    ...failurePath(targets.topicArn, "Failback FAILED", { notify: FAILURE, end: "Failed" }),
  };
  return {
    Comment: `Failback of ${targets.dns.applicationName} from ${targets.drRegion} to ${targets.primaryRegion}: manual only`,
    StartAt: "Start",
    TimeoutSeconds: 4 * 3600,
    States: states,
  };
}

/** Error names an aurora-global failback execution can end with (shared names keep the instance meaning). */
export const AURORA_FAILBACK_ERRORS = {
  InvalidInput: FAILBACK_ERRORS.InvalidInput,
  ExecutionAlreadyRunning: FAILBACK_ERRORS.ExecutionAlreadyRunning,
  GlobalClusterMissing: "the Aurora global cluster does not exist; nothing was changed",
  DrClusterNotWriter: "the DR cluster is not the writer of the global cluster: there is nothing to fail back; nothing was changed",
  PrimaryClusterNotMember:
    "the primary-region cluster is not an available, synchronized member of the global cluster. After an unplanned (managed) failover Aurora re-adds it as a secondary once its region is healthy and its volume is rebuilt: wait, then re-run. After a manual detach-and-promote, add the primary region back to the global cluster first (docs/outage-runbook.md, Aurora global database). Nothing was changed",
  CapacityNotReady: FAILBACK_ERRORS.CapacityNotReady,
  SwitchoverFailed: "Aurora refused the switchover back to the primary-region cluster; the DR cluster is still the writer and DR still serves",
  SwitchCancelled: "Aurora cancelled the switchover; the DR cluster is still the writer and DR still serves (check the global cluster's RDS events)",
  SwitchTimedOut:
    "the primary-region cluster did not become the writer in time; DR still serves but its cluster may be read-only: re-run to continue (a running switchover is waited for, not repeated)",
  DnsChangeNotInSync: FAILBACK_ERRORS.DnsChangeNotInSync,
  FenceNotReleased: FAILBACK_ERRORS.FenceNotReleased,
  HealthNotRecovered: FAILBACK_ERRORS.HealthNotRecovered,
} as const;

/** The aurora-global failback (module comment). */
export function auroraFailbackDefinition(targets: RecoveryTargets, database: AuroraGlobalDatabaseTargets): Definition {
  const fail = (error: keyof typeof AURORA_FAILBACK_ERRORS) => failure(error, AURORA_FAILBACK_ERRORS[error], FAILURE);
  const primary = targets.primary.capacity;
  const states: Record<string, State> = {
    Start: { Type: "Pass", Parameters: { "started.$": "$$.Execution.StartTime" }, ResultPath: "$.timeline", Next: "Validate input" },
    "Validate input": validateFailbackInput("List running executions"),
    "Invalid input": fail("InvalidInput"),
    ...concurrencyGuard("Describe global cluster", AURORA_FAILBACK_ERRORS.ExecutionAlreadyRunning, FAILURE),
    "Describe global cluster": describeGlobalCluster(database, {
      ResultPath: "$.global",
      Catch: [{ ErrorEquals: ["Rds.GlobalClusterNotFoundException"], ResultPath: null, Next: "Global cluster missing" }, ...catchAll(FAILURE)],
      Next: "Failed over?",
    }),
    "Global cluster missing": fail("GlobalClusterMissing"),
    "Failed over?": {
      Type: "Choice",
      Choices: [
        // A re-run after the switch, or while it runs: finish without switching again.
        { ...isWriter("$.global.primary"), Next: "Already switched back" },
        { Variable: "$.global.switching[0]", IsPresent: true, Next: "Already switched back" },
        { ...isWriter("$.global.dr"), Next: "Primary re-protected?" },
      ],
      Default: "DR cluster not the writer",
    },
    "DR cluster not the writer": fail("DrClusterNotWriter"),
    "Already switched back": { Type: "Pass", Result: true, ResultPath: "$.alreadySwitched", Next: "Notify start" },
    "Primary re-protected?": {
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: "$.global.primary[0]", IsPresent: true },
            // SynchronizationStatus `pending-resync` while Aurora rebuilds the re-added cluster (RDS API Reference, GlobalClusterMember).
            {
              Not: {
                And: [
                  { Variable: "$.global.primary[0].SynchronizationStatus", IsPresent: true },
                  { Variable: "$.global.primary[0].SynchronizationStatus", StringEquals: "pending-resync" },
                ],
              },
            },
            { Variable: "$.global.status", StringEquals: "available" },
          ],
          Next: "Notify start",
        },
      ],
      Default: "Primary cluster not a member",
    },
    "Primary cluster not a member": fail("PrimaryClusterNotMember"),
    "Notify start": notify(
      targets.topicArn,
      "Failback started",
      `States.Format('Failback of ${targets.dns.applicationName} to ${targets.primaryRegion} (switchover of the global database ${database.globalClusterIdentifier} to the primary-region cluster) started at {}: execution {}', $$.Execution.StartTime, $$.Execution.Id)`,
      { Next: "Scale primary capacity" },
    ),
    "Scale primary capacity": primaryOperation(
      targets,
      "setCapacity",
      { minSize: primary.minSize, desiredCapacity: primary.desiredCapacity, maxSize: primary.maxSize },
      { ResultPath: null, Catch: catchAll(FAILURE), Next: pollStart("Primary capacity") },
    ),
    ...poll({
      name: "Primary capacity",
      check: primaryOperation(targets, "describeCapacity"),
      resultPath: "$.primaryCapacity",
      done: [{ Variable: "$.primaryCapacity.answer.inService", NumericGreaterThanEquals: primary.desiredCapacity }],
      ...POLLING.capacity,
      next: "Switch back needed?",
      onTimeout: "Capacity not ready",
      onError: FAILURE,
    }),
    "Capacity not ready": fail("CapacityNotReady"),
    "Switch back needed?": {
      Type: "Choice",
      Choices: [{ Variable: "$.alreadySwitched", IsPresent: true, Next: pollStart("Global switch back") }],
      Default: "Switch over to primary",
    },
    // Called in the DR region: the global database's primary cluster runs there now (switchovers run in the primary's region).
    "Switch over to primary": sdkTask(
      "rds",
      "switchoverGlobalCluster",
      { GlobalClusterIdentifier: database.globalClusterIdentifier, TargetDbClusterIdentifier: database.primaryClusterArn },
      {
        ResultPath: null,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.switchError", Next: "Switch back started anyway?" }],
        Next: pollStart("Global switch back"),
      },
    ),
    // A call that failed may still have started the switchover (a timeout, or a retry refused because the first attempt was accepted).
    "Switch back started anyway?": describeGlobalCluster(database, {
      ResultPath: "$.afterError",
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.describeError", Next: "Switchover failed" }],
      Next: "Switch back running?",
    }),
    "Switch back running?": {
      Type: "Choice",
      Choices: [
        { ...isWriter("$.afterError.primary"), Next: pollStart("Global switch back") },
        { Variable: "$.afterError.switching[0]", IsPresent: true, Next: pollStart("Global switch back") },
      ],
      Default: "Switchover failed",
    },
    "Switchover failed": fail("SwitchoverFailed"),
    ...poll({
      name: "Global switch back",
      check: describeGlobalCluster(database),
      resultPath: "$.switch",
      done: [
        {
          And: [
            isWriter("$.switch.primary"),
            { Variable: "$.switch.status", StringEquals: "available" },
            { Not: { Variable: "$.switch.switching[0]", IsPresent: true } },
          ],
        },
      ],
      failed: [{ Variable: "$.switch.switching[0]", StringEquals: "cancelling" }],
      ...POLLING.globalSwitch,
      next: "Switched back",
      onFailed: "Switch cancelled",
      onTimeout: "Switch timed out",
      onError: FAILURE,
    }),
    "Switch cancelled": fail("SwitchCancelled"),
    "Switch timed out": fail("SwitchTimedOut"),
    // No database-name change: each region's stable name points at its own cluster's writer endpoint, which Aurora
    // activates on the writer cluster and deactivates on a secondary (stacks/dr.ts).
    "Switched back": milestone("switchedBack", cacheBack(targets).start),
    ...failbackEnd(
      targets,
      fail,
      `States.Format('Failback complete: ${targets.dns.applicationName} is served from ${targets.primaryRegion} again and the primary-region cluster is the writer of the global database ${database.globalClusterIdentifier}; the DR cluster is its secondary again (no stack change needed). Timeline: {}', States.JsonToString($.timeline))`,
    ),
    ...failurePath(targets.topicArn, "Failback FAILED", { notify: FAILURE, end: "Failed" }),
  };
  return {
    Comment: `Failback of ${targets.dns.applicationName} from ${targets.drRegion} to ${targets.primaryRegion}: switchover of the Aurora global database ${globalClusterArn(targets, database)}, manual only`,
    StartAt: "Start",
    TimeoutSeconds: 4 * 3600,
    States: states,
  };
}
