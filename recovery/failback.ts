/**
 * The failback workflow: return service to the primary region after a failover. Never automatic:
 * no trigger starts it, only an operator (DR invariant 9: no flapping).
 *
 * Precondition (re-protect): the primary stack has been rebuilt as the new standby, so that the
 * primary-region database is a read replica of the promoted DR database (README, "Failback").
 * Input: `{ "force": boolean }`.
 *
 * Steps: refuse to run beside another execution; check that the DR database is standalone (a
 * failover happened), that the primary-region database replicates from it and is `available`, and
 * that its lag is within the RPO (unless `force`); notify; scale the primary Auto Scaling Group to
 * the primary's capacity and wait for it; stop writes in the DR region (its group to 0); wait until
 * the primary-region replica has caught up (ReplicaLag 0), or restore the DR capacity and stop;
 * promote the primary-region replica and wait until it is standalone; repoint the primary region's
 * stable database name; make the PRIMARY record alias the primary load balancer again; wait for
 * Route 53 INSYNC and for the primary targets to pass `/health`; return the DR group to its standby
 * capacity; notify with the timeline. Primary-region calls go through the primary-region operations function.
 */
import { catchAll, type Definition, failure, failurePath, LAMBDA_RETRY, milestone, notify, poll, pollStart, sdkTask, type State, TRANSIENT_RETRY } from "./asl";
import { concurrencyGuard, dnsChangeWait } from "./checks";
import { changeRecords, databaseNameChange, primaryRecordChange } from "./dnsChanges";
import { primaryRegionTask } from "./primaryRegion";
import { type RecoveryTargets } from "./targets";
import { POLLING } from "./timing";

/** Error names a failback execution can end with, and what each means to an operator. */
export const FAILBACK_ERRORS = {
  InvalidInput: "the input is not { force: boolean }",
  ExecutionAlreadyRunning: "another failback execution is running; nothing was changed",
  NotFailedOver: "the DR database is still a read replica: there is nothing to fail back; nothing was changed",
  PrimaryNotReprotected:
    "the primary-region database is not an available read replica of the DR database: rebuild the primary stack as the new standby first (README, Failback); nothing was changed",
  ReplicaLagOverRpo: "the primary-region replica's lag is over the RPO or unknown; nothing was changed (force to accept the data loss)",
  CapacityNotReady: "the primary Auto Scaling Group did not reach its capacity in time; DR still serves, nothing else changed",
  ReplicaCatchUpTimeout: "the primary-region replica did not catch up; DR capacity was restored, DR still serves",
  PromotionFailed: "the primary-region replica could not be promoted; DR capacity was restored and DR still serves",
  PromotionTimedOut:
    "the primary-region promotion did not finish in time; DR capacity is at 0: once the primary-region instance is available, finish the switch by hand (README, Failback) or run failover to serve from DR",
  DnsChangeNotInSync: "Route 53 did not report the DNS change INSYNC in time; check the hosted zone",
  HealthNotRecovered: "the primary targets did not pass /health in time; DNS already serves the primary region",
} as const;

const FAILURE = "Failure: notify";

/** The failback definition for `targets`. */
export function failbackDefinition(targets: RecoveryTargets): Definition {
  const fail = (error: keyof typeof FAILBACK_ERRORS) => failure(error, FAILBACK_ERRORS[error], FAILURE);
  const primary = targets.primary.capacity;
  const operation = (name: Parameters<typeof primaryRegionTask>[1], arguments_: Record<string, unknown> = {}, rest: State = {}) =>
    primaryRegionTask(targets.primaryRegionFunctionArn, name, arguments_, rest);
  const isForced = {
    And: [
      { Variable: "$.force", IsPresent: true },
      { Variable: "$.force", BooleanEquals: true },
    ],
  };
  const setDrCapacity = (capacity: { minSize: number; desiredCapacity: number; maxSize: number }, next: string) =>
    sdkTask(
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

  const states: Record<string, State> = {
    Start: { Type: "Pass", Parameters: { "started.$": "$$.Execution.StartTime" }, ResultPath: "$.timeline", Next: "Validate input" },
    "Validate input": {
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: "$.force", IsPresent: true },
            { Variable: "$.force", IsBoolean: true },
          ],
          Next: "List running executions",
        },
      ],
      Default: "Invalid input",
    },
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
          Next: "Notify start",
        },
        { ...isForced, Next: "Notify start" },
      ],
      Default: "Replica lag over RPO",
    },
    "Replica lag over RPO": fail("ReplicaLagOverRpo"),
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
      ...setDrCapacity({ minSize: 0, desiredCapacity: 0, maxSize: 0 }, "Writes stopped"),
      // The call may have failed after scaling in: give DR its capacity back either way.
      Catch: catchAll("Restore DR writes"),
    },
    "Writes stopped": milestone("writesStopped", pollStart("Primary catch-up")),
    ...poll({
      name: "Primary catch-up",
      // Only datapoints published after writes stopped prove the replica has caught up.
      check: operation("replicaLagSeconds", { "since.$": "$.timeline.writesStopped.at" }),
      resultPath: "$.lag",
      done: [
        {
          And: [
            { Variable: "$.lag.answer.seconds", IsNumeric: true },
            { Variable: "$.lag.answer.seconds", NumericEquals: 0 },
          ],
        },
      ],
      ...POLLING.catchUp,
      next: "Promote primary database",
      onTimeout: "Restore DR writes",
      // Writes are stopped in DR: whatever goes wrong before the promotion, DR gets its capacity back.
      onError: "Restore DR writes",
    }),
    "Restore DR writes": setDrCapacity(targets.drAutoScalingGroup.recovery, "DR writes restored"),
    // An error that led here is kept at $.failure; otherwise the replica simply did not catch up.
    "DR writes restored": { Type: "Choice", Choices: [{ Variable: "$.failure", IsPresent: true, Next: FAILURE }], Default: "Catch-up timed out" },
    "Catch-up timed out": fail("ReplicaCatchUpTimeout"),
    "Promote primary database": operation(
      "promoteDatabase",
      {},
      {
        ResultPath: null,
        // The function rethrows RDS's InvalidDBInstanceStateFault (a replica that is backing-up).
        Retry: [{ ErrorEquals: ["InvalidDBInstanceStateFault"], ...POLLING.promotionStart, BackoffRate: 1 }, LAMBDA_RETRY, TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.promotionError", Next: "Promotion failed" }],
        Next: pollStart("Primary promotion"),
      },
    ),
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
    "Primary promoted": milestone("promoted", "Repoint primary database name"),
    "Repoint primary database name": changeRecords(
      targets.databaseName.primaryZoneId,
      "Failback: the primary region's stable database name points at the promoted primary-region database",
      [databaseNameChange(targets, "$.primaryDatabase.answer.address")],
      { next: "Serve DNS from primary", onError: FAILURE, track: false },
    ),
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
      check: operation("describeTargetHealth"),
      resultPath: "$.health",
      done: [{ Variable: "$.health.answer.healthyTargets", NumericGreaterThanEquals: primary.desiredCapacity }],
      ...POLLING.health,
      next: "Return DR to standby",
      onTimeout: "Health not recovered",
      onError: FAILURE,
    }),
    "Health not recovered": fail("HealthNotRecovered"),
    "Return DR to standby": setDrCapacity(targets.drAutoScalingGroup.standby, "Failed back"),
    "Failed back": milestone("done", "Notify success"),
    "Notify success": notify(
      targets.topicArn,
      "Failback complete",
      `States.Format('Failback complete: ${targets.dns.applicationName} is served from ${targets.primaryRegion} again. Timeline: {}. Rebuild the DR stack as the standby (README, Failback) to restore protection.', States.JsonToString($.timeline))`,
      { Next: "Succeeded" },
    ),
    Succeeded: { Type: "Succeed" },
    ...failurePath(targets.topicArn, "Failback FAILED", { notify: FAILURE, end: "Failed" }),
  };
  return {
    Comment: `Failback of ${targets.dns.applicationName} from ${targets.drRegion} to ${targets.primaryRegion}: manual only`,
    StartAt: "Start",
    TimeoutSeconds: 4 * 3600,
    States: states,
  };
}
