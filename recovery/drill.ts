/**
 * The drill workflow: prove the DR region can serve, without a failover. Non-disruptive: the
 * database is not promoted and the primary keeps serving most traffic.
 *
 * Input: `{}` (the share and the duration are deployed settings, so that a drill's blast radius is
 * reviewed in a pull request).
 *
 * Steps: refuse to run beside another execution; readiness checks (the replica is an `available`
 * read replica, or in aurora-global mode the DR cluster an `available` secondary of an `available`
 * global cluster; the lag alarm is OK; the DR target group has healthy targets); notify; shift
 * `trafficPercent` of live traffic to the DR region; watch the abort alarms every 30 s for
 * `durationSeconds`; roll back (at the end, on an abort alarm, or on any error after the shift);
 * notify with the report.
 *
 * The Route 53 construct: one name cannot mix routing policies (Route 53 Developer Guide, "Choosing
 * a routing policy"), so the shift creates a weighted pool under its own name (`drillPoolName`: a
 * weighted alias to the primary ALB, weight 100 - p, and one to the DR ALB, weight p) and points the
 * PRIMARY failover record at that pool, all in one atomic change batch ("Configuring DNS failover in
 * a private hosted zone / complex configurations": failover over weighted records). The SECONDARY
 * record and the health check stay as they are, so a real primary failure during a drill still fails
 * over. The rollback is the reverse batch.
 */
import { catchAll, type Definition, failure, failurePath, milestone, notify, poll, pollStart, sdkTask, type State } from "./asl";
import {
  alarmIsOk,
  alarmState,
  concurrencyGuard,
  describeCluster,
  describeDatabase,
  describeGlobalCluster,
  dnsChangeWait,
  isWriter,
  targetHealth,
} from "./checks";
import { changeRecords, primaryRecordChange } from "./dnsChanges";
import { assertDatabaseTargets, type AuroraGlobalDatabaseTargets, auroraGlobalOf, type RecoveryTargets } from "./targets";

/** Seconds between two looks at the abort alarms during a drill. */
export const DRILL_OBSERVATION_INTERVAL_SECONDS = 30;

/** Error names a drill execution can end with. */
export const DRILL_ERRORS = {
  ExecutionAlreadyRunning: "another drill is running; nothing was changed",
  NotReady: "a readiness check failed (replica or DR cluster, replica lag or DR health); no traffic was shifted",
  DrillAborted: "an abort alarm fired during the drill; traffic was rolled back to the primary",
  DnsChangeNotInSync: "Route 53 did not report a drill DNS change INSYNC in time; check the hosted zone",
} as const;

const FAILURE = "Failure: notify";

/** Set identifiers of the drill's weighted pool records. */
export const DRILL_SET_IDENTIFIERS = { primary: "drill-primary", dr: "drill-dr" } as const;

/** The weighted pool records: `action` is UPSERT to create them, DELETE to remove them (DELETE must match exactly). */
export function drillPoolChanges(targets: RecoveryTargets, action: "UPSERT" | "DELETE"): Record<string, unknown>[] {
  const record = (setIdentifier: string, weight: number, target: { dnsName: string; zoneId: string }) => ({
    Action: action,
    ResourceRecordSet: {
      Name: targets.dns.drillPoolName,
      Type: "A",
      SetIdentifier: setIdentifier,
      Weight: weight,
      AliasTarget: { HostedZoneId: target.zoneId, DnsName: target.dnsName, EvaluateTargetHealth: true },
    },
  });
  return [
    record(DRILL_SET_IDENTIFIERS.primary, 100 - targets.drill.trafficPercent, targets.primaryLoadBalancer),
    record(DRILL_SET_IDENTIFIERS.dr, targets.drill.trafficPercent, targets.drLoadBalancer),
  ];
}

/** Instance mode: the replica is an `available` read replica. */
function instanceReadiness(targets: RecoveryTargets, next: string): Record<string, State> {
  return {
    "Readiness: replica": describeDatabase(targets.replica.identifier, { ResultPath: "$.replica", Catch: catchAll(FAILURE), Next: "Replica ready?" }),
    "Replica ready?": {
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: "$.replica.instance.ReadReplicaSourceDBInstanceIdentifier", IsPresent: true },
            { Variable: "$.replica.instance.DbInstanceStatus", StringEquals: "available" },
          ],
          Next: next,
        },
      ],
      Default: "Not ready",
    },
  };
}

/**
 * Aurora-global mode: the DR cluster is a secondary (a member, not the writer) of an `available`
 * global cluster with no switch running, and the DR cluster itself is `available`. Read-only calls;
 * the drill never switches the database.
 */
function auroraReadiness(database: AuroraGlobalDatabaseTargets, next: string): Record<string, State> {
  return {
    "Readiness: global cluster": describeGlobalCluster(database, { ResultPath: "$.global", Catch: catchAll(FAILURE), Next: "DR cluster a secondary?" }),
    "DR cluster a secondary?": {
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: "$.global.dr[0]", IsPresent: true },
            { Not: isWriter("$.global.dr") },
            { Variable: "$.global.status", StringEquals: "available" },
            { Not: { Variable: "$.global.switching[0]", IsPresent: true } },
          ],
          Next: "Readiness: DR cluster",
        },
      ],
      Default: "Not ready",
    },
    "Readiness: DR cluster": describeCluster(database.drClusterIdentifier, { ResultPath: "$.drCluster", Catch: catchAll(FAILURE), Next: "DR cluster ready?" }),
    "DR cluster ready?": { Type: "Choice", Choices: [{ Variable: "$.drCluster.status", StringEquals: "available", Next: next }], Default: "Not ready" },
  };
}

/**
 * The drill definition for `targets`. In aurora-global mode the readiness checks read the global
 * cluster and the DR cluster instead of the read replica; nothing else changes (the drill moves
 * traffic, never the database).
 * @throws Error when the database part of `targets` is inconsistent (`databaseTargetsProblems`).
 */
export function drillDefinition(targets: RecoveryTargets): Definition {
  assertDatabaseTargets(targets, "drillDefinition");
  const aurora = auroraGlobalOf(targets);
  const fail = (error: keyof typeof DRILL_ERRORS) => failure(error, DRILL_ERRORS[error], FAILURE);
  // One look at the start and one after each 30 s wait: the shift lasts at least durationSeconds.
  const observations = Math.ceil(targets.drill.durationSeconds / DRILL_OBSERVATION_INTERVAL_SECONDS) + 1;
  const drHealth = targetHealth(targets.drTargetGroupArn, "$.health");
  const pool = { dnsName: targets.dns.drillPoolName, zoneId: targets.dns.hostedZoneId };
  const rollBack = (name: string, next: string): State =>
    changeRecords(
      targets.dns.hostedZoneId,
      "Drill rollback: the PRIMARY record aliases the primary ALB again; the weighted pool is removed",
      [primaryRecordChange(targets, targets.primaryLoadBalancer), ...drillPoolChanges(targets, "DELETE")],
      { next, onError: FAILURE, track: true, stateComment: name },
    );

  const states: Record<string, State> = {
    Start: { Type: "Pass", Parameters: { "started.$": "$$.Execution.StartTime" }, ResultPath: "$.timeline", Next: "List running executions" },
    ...concurrencyGuard(aurora ? "Readiness: global cluster" : "Readiness: replica", DRILL_ERRORS.ExecutionAlreadyRunning, FAILURE),
    ...(aurora ? auroraReadiness(aurora, "Readiness: replica lag") : instanceReadiness(targets, "Readiness: replica lag")),
    "Readiness: replica lag": alarmState(targets.alarms.replicaLagOverRpo, { ResultPath: "$.replicaLag", Catch: catchAll(FAILURE), Next: "Lag ready?" }),
    "Lag ready?": { Type: "Choice", Choices: [{ ...alarmIsOk("$.replicaLag"), Next: "Readiness: DR health" }], Default: "Not ready" },
    "Readiness: DR health": { ...drHealth.check, ResultPath: "$.health", Catch: catchAll(FAILURE), Next: "Count healthy targets" },
    "Count healthy targets": { ...drHealth.measure, Next: "DR healthy?" },
    "DR healthy?": { Type: "Choice", Choices: [{ ...drHealth.healthy(1), Next: "Notify start" }], Default: "Not ready" },
    "Not ready": fail("NotReady"),
    "Notify start": notify(
      targets.topicArn,
      "DR drill started",
      `States.Format('DR drill: sending ${targets.drill.trafficPercent}% of ${targets.dns.applicationName} to ${targets.drRegion} for ${targets.drill.durationSeconds} s; execution {}', $$.Execution.Id)`,
      { Next: "Shift traffic" },
    ),
    "Shift traffic": changeRecords(
      targets.dns.hostedZoneId,
      `Drill: ${targets.drill.trafficPercent}% of traffic to ${targets.drRegion} through a weighted pool under the PRIMARY record`,
      // One batch, applied atomically: the pool first, then the PRIMARY record aliasing it.
      [...drillPoolChanges(targets, "UPSERT"), primaryRecordChange(targets, pool)],
      // A failed call may still have applied the batch: roll back (a rollback of nothing fails and is reported).
      { next: pollStart("Shift DNS change"), onError: "Roll back on error", track: true },
    ),
    ...dnsChangeWait("Shift DNS change", "Traffic shifted", "Shift not in sync", "Roll back on error"),
    "Shift not in sync": {
      Type: "Pass",
      Result: { Error: "DnsChangeNotInSync", Cause: DRILL_ERRORS.DnsChangeNotInSync },
      ResultPath: "$.failure",
      Next: "Roll back on error",
    },
    "Traffic shifted": milestone("shifted", pollStart("Observe")),
    ...poll({
      name: "Observe",
      check: sdkTask(
        "cloudwatch",
        "describeAlarms",
        { AlarmNames: targets.alarms.drillAbort, StateValue: "ALARM" },
        { ResultSelector: { "firing.$": "$.MetricAlarms[*].AlarmName" } },
      ),
      resultPath: "$.observation",
      measure: {
        Type: "Pass",
        Parameters: { "firing.$": "$.observation.firing", "count.$": "States.ArrayLength($.observation.firing)" },
        ResultPath: "$.observation",
      },
      done: [],
      failed: [{ Variable: "$.observation.count", NumericGreaterThan: 0 }],
      intervalSeconds: DRILL_OBSERVATION_INTERVAL_SECONDS,
      maxAttempts: observations,
      next: "Roll back",
      onFailed: "Roll back on alarm",
      onTimeout: "Roll back",
      onError: "Roll back on error",
    }),
    "Roll back": rollBack("end of the drill", pollStart("Rollback DNS change")),
    "Roll back on alarm": rollBack("abort alarm", pollStart("Abort DNS change")),
    // The failure that caused it stays at $.failure; the execution then fails with it.
    "Roll back on error": rollBack("error after the shift", pollStart("Error rollback DNS change")),
    ...dnsChangeWait("Rollback DNS change", "Rolled back", "DNS change not in sync", FAILURE),
    ...dnsChangeWait("Abort DNS change", "Aborted", "DNS change not in sync", FAILURE),
    ...dnsChangeWait("Error rollback DNS change", FAILURE, FAILURE, FAILURE),
    "DNS change not in sync": fail("DnsChangeNotInSync"),
    "Rolled back": milestone("rolledBack", "Report"),
    Report: notify(
      targets.topicArn,
      "DR drill passed",
      `States.Format('DR drill passed: ${targets.drill.trafficPercent}% of traffic served from ${targets.drRegion} for ${targets.drill.durationSeconds} s with no abort alarm ({}), replica lag alarm {}, {} healthy DR targets before the shift. Timeline: {}', States.JsonToString($.observation.firing), States.JsonToString($.replicaLag.states), $.health.targets, States.JsonToString($.timeline))`,
      { Next: "Drill passed" },
    ),
    "Drill passed": { Type: "Succeed" },
    Aborted: { Type: "Pass", Result: { Error: "DrillAborted", Cause: DRILL_ERRORS.DrillAborted }, ResultPath: "$.failure", Next: FAILURE },
    ...failurePath(targets.topicArn, "DR drill FAILED", { notify: FAILURE, end: "Failed" }),
  };
  return {
    Comment: `Non-disruptive DR drill of ${targets.dns.applicationName}: ${targets.drill.trafficPercent}% of traffic to ${targets.drRegion} for ${targets.drill.durationSeconds} s`,
    StartAt: "Start",
    TimeoutSeconds: targets.drill.durationSeconds + 3600,
    States: states,
  };
}
