/**
 * The failover workflow: make the DR region serve the application, with the database promoted.
 *
 * Input: `{ "mode": "planned" | "unplanned", "force": boolean, "trigger": "operator" | "alarm" }`.
 * - `unplanned`: the primary region is gone or impaired; nothing is asked of it.
 * - `planned` (switchover): the primary is healthy. Writes stop first (the primary Auto Scaling
 *   Group goes to 0 through the primary-region operations function), the replica catches up (a
 *   ReplicaLag datapoint of 0 published after the stop), then the switch happens with no data loss. If the replica
 *   does not catch up in time, the primary's capacity is restored and nothing else changes.
 *
 * Steps: refuse to run beside another execution; pre-checks (the replica exists, is `available`
 * or `backing-up`, and its ReplicaLag is within the RPO, unless `force`); notify; then in parallel
 * scale the DR Auto Scaling Group to the primary's capacity and promote the replica (retried while
 * it is `backing-up`, polled until `available` and standalone); repoint the stable database name at
 * the promoted instance; make the PRIMARY failover record alias the DR load balancer (so traffic
 * stays in the DR region even when the primary's health check recovers: no flapping); wait until
 * Route 53 reports the change INSYNC; wait until the DR target group has the recovery capacity of
 * targets passing `/health`; notify with the timeline.
 *
 * Re-running after a partial failure is safe: an already promoted database, or one still being
 * promoted (`modifying` or `rebooting`), is detected and not promoted again, and every other change is
 * an idempotent set (capacity, UPSERT).
 * Started by an alarm, a finished execution holds its slot for `cooldownSeconds`, and every
 * execution refuses to start while another one runs: that is the minimum delay between automatic
 * executions.
 */
import { catchAll, type Definition, failure, failurePath, milestone, notify, poll, pollStart, sdkTask, type State, TRANSIENT_RETRY } from "./asl";
import { alarmIsOk, alarmState, caughtUp, concurrencyGuard, describeDatabase, dnsChangeWait, replicaLagSince, targetHealth } from "./checks";
import { changeRecords, databaseNameChange, primaryRecordChange } from "./dnsChanges";
import { primaryRegionTask } from "./primaryRegion";
import { type RecoveryTargets } from "./targets";
import { POLLING } from "./timing";

/** Error names a failover execution can end with, and what each means to an operator. */
export const FAILOVER_ERRORS = {
  InvalidInput: "the input is not { mode: planned|unplanned, force: boolean, trigger: operator|alarm }",
  ExecutionAlreadyRunning: "another failover execution is running (or cooling down after an automatic one); nothing was changed",
  ReplicaMissing: "the DR read replica does not exist; nothing was changed",
  ReplicaNotReady: "the replica is not available or backing-up; nothing was changed (force to try anyway)",
  ReplicaLagOverRpo: "replica lag is over the RPO or unknown; nothing was changed (force to accept the data loss)",
  ReplicaCatchUpTimeout: "planned switchover: the replica did not catch up; primary capacity was restored, nothing else changed",
  StopWritesFailed: "planned switchover: the primary Auto Scaling Group could not be scaled to 0; its capacity was restored, nothing else changed",
  PromotionFailed: "the replica could not be promoted; DNS still serves the primary (re-run, or restore from a snapshot)",
  PromotionTimedOut: "the promotion did not finish in time; re-run to continue",
  CapacityNotReady: "the DR Auto Scaling Group did not reach the recovery capacity in time; re-run to continue",
  DnsChangeNotInSync: "Route 53 did not report the DNS change INSYNC in time; check the hosted zone, then re-run",
  HealthNotRecovered: "the DR targets did not pass /health in time; DNS already serves the DR region",
} as const;

const FAILURE = "Failure: notify";
const FAILED = "Failed";

/** The failover definition for `targets`; `cooldownSeconds` is the minimum delay between automatic executions. */
export function failoverDefinition(targets: RecoveryTargets, cooldownSeconds: number): Definition {
  const recovery = targets.drAutoScalingGroup.recovery;
  const fail = (error: keyof typeof FAILOVER_ERRORS) => failure(error, FAILOVER_ERRORS[error], FAILURE);
  const describeReplica = describeDatabase(targets.replica.identifier);
  const drHealth = targetHealth(targets.drTargetGroupArn, "$.health");
  const isForced = {
    And: [
      { Variable: "$.force", IsPresent: true },
      { Variable: "$.force", BooleanEquals: true },
    ],
  };

  const scaleBranch: Pick<Definition, "StartAt" | "States"> = {
    StartAt: "Scale DR capacity",
    States: {
      "Scale DR capacity": sdkTask(
        "autoscaling",
        "updateAutoScalingGroup",
        {
          AutoScalingGroupName: targets.drAutoScalingGroup.name,
          MinSize: recovery.minSize,
          DesiredCapacity: recovery.desiredCapacity,
          MaxSize: recovery.maxSize,
        },
        { ResultPath: null, Next: pollStart("DR capacity") },
      ),
      ...poll({
        name: "DR capacity",
        check: sdkTask(
          "autoscaling",
          "describeAutoScalingGroups",
          { AutoScalingGroupNames: [targets.drAutoScalingGroup.name] },
          {
            ResultSelector: { "instances.$": "$.AutoScalingGroups[0].Instances[?(@.LifecycleState == 'InService')].InstanceId" },
          },
        ),
        resultPath: "$.capacity",
        measure: { Type: "Pass", Parameters: { "inService.$": "States.ArrayLength($.capacity.instances)" }, ResultPath: "$.capacity" },
        done: [{ Variable: "$.capacity.inService", NumericGreaterThanEquals: recovery.desiredCapacity }],
        ...POLLING.capacity,
        next: "DR capacity ready",
        onTimeout: "Capacity not ready",
      }),
      "DR capacity ready": { Type: "Pass", Parameters: { "inService.$": "$.capacity.inService" }, End: true },
      "Capacity not ready": { Type: "Fail", Error: "CapacityNotReady", Cause: FAILOVER_ERRORS.CapacityNotReady },
    },
  };

  const promoteBranch: Pick<Definition, "StartAt" | "States"> = {
    StartAt: "Promotion needed?",
    States: {
      "Promotion needed?": {
        Type: "Choice",
        Choices: [{ Variable: "$.alreadyPromoted", IsPresent: true, Next: pollStart("Promotion") }],
        Default: "Promote replica",
      },
      "Promote replica": sdkTask(
        "rds",
        "promoteReadReplica",
        { DbInstanceIdentifier: targets.replica.identifier, BackupRetentionPeriod: targets.replica.backupRetentionDays },
        {
          ResultPath: null,
          // RDS refuses to promote while the replica is backing-up (RDS User Guide, "Promoting a read replica").
          Retry: [{ ErrorEquals: ["Rds.InvalidDbInstanceStateException"], ...POLLING.promotionStart, BackoffRate: 1 }, TRANSIENT_RETRY],
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.promotionError", Next: "Promotion failed" }],
          Next: pollStart("Promotion"),
        },
      ),
      ...poll({
        name: "Promotion",
        check: describeReplica,
        resultPath: "$.promotion",
        done: [
          {
            And: [
              { Variable: "$.promotion.instance.DbInstanceStatus", StringEquals: "available" },
              { Not: { Variable: "$.promotion.instance.ReadReplicaSourceDBInstanceIdentifier", IsPresent: true } },
            ],
          },
        ],
        failed: ["failed", "incompatible-parameters", "incompatible-restore", "inaccessible-encryption-credentials", "storage-full"].map((status) => ({
          Variable: "$.promotion.instance.DbInstanceStatus",
          StringEquals: status,
        })),
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
    "Validate input": {
      Type: "Choice",
      Choices: [
        {
          // Each field is checked for presence first: a comparison on a missing path is a States.Runtime error.
          And: [
            { Variable: "$.mode", IsPresent: true },
            {
              Or: [
                { Variable: "$.mode", StringEquals: "planned" },
                { Variable: "$.mode", StringEquals: "unplanned" },
              ],
            },
            { Variable: "$.force", IsPresent: true },
            { Variable: "$.force", IsBoolean: true },
            { Variable: "$.trigger", IsPresent: true },
            {
              Or: [
                { Variable: "$.trigger", StringEquals: "operator" },
                { Variable: "$.trigger", StringEquals: "alarm" },
              ],
            },
          ],
          Next: "List running executions",
        },
      ],
      Default: "Invalid input",
    },
    "Invalid input": fail("InvalidInput"),
    ...concurrencyGuard("Describe replica", FAILOVER_ERRORS.ExecutionAlreadyRunning, FAILURE),
    "Describe replica": {
      ...describeReplica,
      ResultPath: "$.replica",
      Catch: [{ ErrorEquals: ["Rds.DbInstanceNotFoundException"], ResultPath: null, Next: "Replica missing" }, ...catchAll(FAILURE)],
      Next: "Replica state?",
    },
    "Replica missing": fail("ReplicaMissing"),
    "Replica state?": {
      Type: "Choice",
      Choices: [
        { Not: { Variable: "$.replica.instance.ReadReplicaSourceDBInstanceIdentifier", IsPresent: true }, Next: "Already promoted" },
        // A re-run while an earlier promotion is still running: wait for it instead of promoting again.
        {
          Or: [
            { Variable: "$.replica.instance.DbInstanceStatus", StringEquals: "modifying" },
            { Variable: "$.replica.instance.DbInstanceStatus", StringEquals: "rebooting" },
          ],
          Next: "Already promoted",
        },
        {
          Or: [
            { Variable: "$.replica.instance.DbInstanceStatus", StringEquals: "available" },
            { Variable: "$.replica.instance.DbInstanceStatus", StringEquals: "backing-up" },
            isForced,
          ],
          Next: "Check replica lag",
        },
      ],
      Default: "Replica not ready",
    },
    "Replica not ready": fail("ReplicaNotReady"),
    "Already promoted": { Type: "Pass", Result: true, ResultPath: "$.alreadyPromoted", Next: "Notify start" },
    "Check replica lag": {
      ...alarmState(targets.alarms.replicaLagOverRpo),
      ResultPath: "$.replicaLag",
      Catch: catchAll(FAILURE),
      Next: "Replica lag within RPO?",
    },
    "Replica lag within RPO?": {
      Type: "Choice",
      Choices: [
        { ...alarmIsOk("$.replicaLag"), Next: "Notify start" },
        { ...isForced, Next: "Notify start" },
      ],
      Default: "Replica lag over RPO",
    },
    "Replica lag over RPO": fail("ReplicaLagOverRpo"),
    "Notify start": notify(
      targets.topicArn,
      "Failover started",
      `States.Format('Failover ({}, trigger {}, force {}) to ${targets.drRegion} started at {}: execution {}', $.mode, $.trigger, $.force, $$.Execution.StartTime, $$.Execution.Id)`,
      { Next: "Planned?" },
    ),
    "Planned?": {
      Type: "Choice",
      Choices: [
        { And: [{ Variable: "$.mode", StringEquals: "planned" }, { Not: { Variable: "$.alreadyPromoted", IsPresent: true } }], Next: "Stop writes in primary" },
      ],
      Default: "Recover",
    },
    "Stop writes in primary": primaryRegionTask(
      targets.primaryRegionFunctionArn,
      "setCapacity",
      { minSize: 0, desiredCapacity: 0, maxSize: 0 },
      { ResultPath: null, Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.stopWritesError", Next: "Stop writes failed" }], Next: "Writes stopped" },
    ),
    // The call may have failed after scaling in: give the primary its capacity back either way.
    "Stop writes failed": { ...fail("StopWritesFailed"), Next: "Restore primary writes" },
    "Writes stopped": milestone("writesStopped", pollStart("Replica catch-up")),
    ...poll({
      name: "Replica catch-up",
      check: replicaLagSince(targets.replica.identifier, "$.timeline.writesStopped.at"),
      resultPath: "$.catchUp",
      done: [caughtUp("$.catchUp")],
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
    Recover: {
      Type: "Parallel",
      Branches: [scaleBranch, promoteBranch],
      ResultSelector: { "inService.$": "$[0].inService", "databaseAddress.$": "$[1].databaseAddress" },
      ResultPath: "$.recovery",
      Catch: catchAll(FAILURE),
      Next: "Database promoted and capacity ready",
    },
    "Database promoted and capacity ready": milestone("recovered", "Repoint database name"),
    "Repoint database name": changeRecords(
      targets.databaseName.drZoneId,
      "Failover: the stable database name points at the promoted database",
      [databaseNameChange(targets, "$.recovery.databaseAddress")],
      { next: "Serve DNS from DR", onError: FAILURE, track: false },
    ),
    "Serve DNS from DR": changeRecords(
      targets.dns.hostedZoneId,
      "Failover: the PRIMARY record serves the DR region",
      [primaryRecordChange(targets, targets.drLoadBalancer)],
      { next: pollStart("DNS change"), onError: FAILURE, track: true },
    ),
    ...dnsChangeWait("DNS change", "DNS serves DR", "DNS change not in sync", FAILURE),
    "DNS change not in sync": fail("DnsChangeNotInSync"),
    "DNS serves DR": milestone("dnsServesDr", pollStart("DR health")),
    ...poll({
      name: "DR health",
      check: drHealth.check,
      resultPath: "$.health",
      measure: drHealth.measure,
      done: [drHealth.healthy(recovery.desiredCapacity)],
      ...POLLING.health,
      next: "Healthy in DR",
      onTimeout: "Health not recovered",
      onError: FAILURE,
    }),
    "Health not recovered": fail("HealthNotRecovered"),
    "Healthy in DR": milestone("healthy", "Notify success"),
    "Notify success": notify(
      targets.topicArn,
      "Failover complete",
      `States.Format('Failover ({}) complete: ${targets.dns.applicationName} is served from ${targets.drRegion}, database {} promoted, {} healthy targets. Timeline: {}. Set database.promoted: true in the DR stack before its next deploy.', $.mode, $.recovery.databaseAddress, $.health.targets, States.JsonToString($.timeline))`,
      { Next: "Cool down?" },
    ),
    "Cool down?": { Type: "Choice", Choices: [{ Variable: "$.trigger", StringEquals: "alarm", Next: "Cool down" }], Default: "Failed over" },
    "Cool down": { Type: "Wait", Seconds: cooldownSeconds, Next: "Failed over" },
    "Failed over": { Type: "Succeed" },
    ...failurePath(targets.topicArn, "Failover FAILED", { notify: FAILURE, end: FAILED }),
  };
  return {
    Comment: `Failover of ${targets.dns.applicationName} from ${targets.primaryRegion} to ${targets.drRegion} (planned switchover or unplanned failover)`,
    StartAt: "Start",
    TimeoutSeconds: FAILOVER_TIMEOUT_SECONDS + cooldownSeconds,
    States: states,
  };
}

/** Upper bound of a failover execution before its cool-down, seconds: above the sum of every poll and retry bound (about 2.3 hours). */
export const FAILOVER_TIMEOUT_SECONDS = 4 * 3600;
