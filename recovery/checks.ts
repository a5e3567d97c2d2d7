/**
 * The read-only checks the workflows share: a database's description, an alarm's state and the
 * health of a target group's targets. Each is an AWS SDK integration Task with its result shaped
 * for Choice rules.
 */
import { catchAll, LAMBDA_INVOKE, LAMBDA_RETRY, poll, sdkTask, type State, TRANSIENT_RETRY } from "./asl";
import { type AuroraGlobalDatabaseTargets } from "./targets";
import { POLLING } from "./timing";

/**
 * `rds:describeDBInstances` of one instance; the instance lands at `<ResultPath>.instance`. The
 * result's field names are those of the AWS SDK integration: the RDS API's member names as the AWS
 * SDK for Java 2.x spells them, first letter upper case, so `DBInstances` is `DbInstances`,
 * `DBInstanceStatus` is `DbInstanceStatus`, while `ReadReplicaSourceDBInstanceIdentifier` keeps its
 * spelling (the SDK lower-cases a leading `DB` only: its getters are `dbInstanceStatus()` and
 * `readReplicaSourceDBInstanceIdentifier()`). Only a real account proves the casing; the
 * definitions test and the simulator pin this reading.
 */
export function describeDatabase(identifier: string, rest: State = {}): State {
  return sdkTask("rds", "describeDBInstances", { DbInstanceIdentifier: identifier }, { ResultSelector: { "instance.$": "$.DbInstances[0]" }, ...rest });
}

/**
 * Choice rule: the instance read by `describeDatabase` into `resultPath` is a read replica: it lists
 * its source (`ReadReplicaSourceDBInstanceIdentifier`, "the identifier of the source DB instance if
 * this DB instance is a read replica", RDS API Reference, DBInstance; a cross-Region replica's source
 * is named by its ARN, RDS User Guide, "Creating a read replica in a different AWS Region"). A
 * promoted instance has none: this, not the status, tells whether it was promoted.
 */
export function listsSource(resultPath: string): Record<string, unknown> {
  return { Variable: `${resultPath}.instance.ReadReplicaSourceDBInstanceIdentifier`, IsPresent: true };
}

/** Statuses a promotion passes through, and any other modification too: ambiguous while the source is listed. */
export const BUSY_STATUSES = ["modifying", "rebooting"] as const;
/** Statuses from which RDS does not bring the instance back by itself (RDS User Guide, "DB instance status"). */
export const BROKEN_STATUSES = ["failed", "incompatible-parameters", "incompatible-restore", "inaccessible-encryption-credentials", "storage-full"] as const;

/** Choice rule: the status (`DbInstanceStatus`) of the instance at `resultPath` is one of `statuses`. */
export function statusIn(resultPath: string, statuses: readonly string[]): Record<string, unknown> {
  const rules = statuses.map((status) => ({ Variable: `${resultPath}.instance.DbInstanceStatus`, StringEquals: status }));
  return rules.length === 1 ? rules[0] : { Or: rules };
}

/**
 * `cloudwatch:describeAlarms` of one alarm; its states (`OK`, `ALARM`, `INSUFFICIENT_DATA`) land at
 * `<ResultPath>.states`: an empty list when the alarm does not exist, which `alarmIsOk` reads as not OK.
 */
export function alarmState(alarmName: string, rest: State = {}): State {
  return sdkTask("cloudwatch", "describeAlarms", { AlarmNames: [alarmName] }, { ResultSelector: { "states.$": "$.MetricAlarms[*].StateValue" }, ...rest });
}

/** Choice rule: the alarm read by `alarmState` into `resultPath` exists and is OK (a missing alarm is not OK). */
export function alarmIsOk(resultPath: string): Record<string, unknown> {
  return {
    And: [
      { Variable: `${resultPath}.states[0]`, IsPresent: true },
      { Variable: `${resultPath}.states[0]`, StringEquals: "OK" },
    ],
  };
}

/**
 * Target health of a target group, in two states: the call keeps every target's state
 * (`healthy`, `initial`, `unhealthy`, `unused`, `draining`, `unavailable`); the measure counts them.
 * ASL paths cannot filter on nested fields portably (asl-validator rejects `@.TargetHealth.State`),
 * so "enough healthy targets" is read as: at least `minimum` targets, all of them `healthy`.
 */
export function targetHealth(
  targetGroupArn: string,
  resultPath: string,
): { check: State; measure: State; healthy: (minimum: number) => Record<string, unknown> } {
  return {
    check: sdkTask(
      "elasticloadbalancingv2",
      "describeTargetHealth",
      { TargetGroupArn: targetGroupArn },
      {
        ResultSelector: { "states.$": "$.TargetHealthDescriptions[*].TargetHealth.State" },
      },
    ),
    measure: {
      Type: "Pass",
      Parameters: {
        "states.$": `${resultPath}.states`,
        "targets.$": `States.ArrayLength(${resultPath}.states)`,
        "distinctStates.$": `States.ArrayLength(States.ArrayUnique(${resultPath}.states))`,
        "anyHealthy.$": `States.ArrayContains(${resultPath}.states, 'healthy')`,
      },
      ResultPath: resultPath,
    },
    healthy: (minimum) => ({
      And: [
        { Variable: `${resultPath}.targets`, NumericGreaterThanEquals: minimum },
        { Variable: `${resultPath}.distinctStates`, NumericEquals: 1 },
        { Variable: `${resultPath}.anyHealthy`, BooleanEquals: true },
      ],
    }),
  };
}

/**
 * The catch-up proof of a planned switchover or failback: asks a replication heartbeat function
 * (components/replicationHeartbeat.ts) in the replica's region whether the replica has replayed a
 * heartbeat committed at or after `sincePath` (a JSONPath to an ISO 8601 time: the moment the last
 * app instance of the old writer's region was gone). Replication replays commits in commit order
 * (PostgreSQL WAL; MySQL with replica_preserve_commit_order, on by default since 8.0.27), so a
 * replayed heartbeat from after the stop means every write made before it is on the replica. The
 * answer lands at `<ResultPath>.answer`: `{ caughtUp, beatAt, since }`. Not ReplicaLag: on
 * PostgreSQL the lag of an idle source reads up to five minutes and never 0 (RDS User Guide,
 * "Working with read replicas for Amazon RDS for PostgreSQL"), and on MySQL 0 only says the replica
 * has applied what it has received. The function's refusals (`InvalidArguments`, `NoCredentials`)
 * are not retried.
 */
export function heartbeatReplayedSince(functionArn: string, sincePath: string, rest: State = {}): State {
  return heartbeatTask(functionArn, { "since.$": sincePath }, rest);
}

/**
 * The readiness check of a planned switchover or failback, before it stops any writes: has the
 * replica replayed a heartbeat of the last `seconds` seconds (`withinSeconds`)? Answer as
 * `heartbeatReplayedSince`.
 */
export function heartbeatReplayedWithin(functionArn: string, seconds: number, rest: State = {}): State {
  return heartbeatTask(functionArn, { withinSeconds: seconds }, rest);
}

/**
 * The Retry of a heartbeat read: the function's refusals are final; the Lambda service's errors as
 * always; any other failure (a database, NAT or endpoint blip) retried for about two minutes, since
 * the writes are stopped and giving up restores them.
 */
export const HEARTBEAT_RETRY = [
  { ErrorEquals: ["InvalidArguments", "NoCredentials", "MisconfiguredFunction"], MaxAttempts: 0 },
  LAMBDA_RETRY,
  { ...TRANSIENT_RETRY, IntervalSeconds: 15, MaxAttempts: 8, BackoffRate: 1 },
];

function heartbeatTask(functionArn: string, arguments_: Record<string, unknown>, rest: State): State {
  return {
    Type: "Task",
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: functionArn, Payload: { action: "replayedSince", ...arguments_ } },
    ResultSelector: { "answer.$": "$.Payload" },
    TimeoutSeconds: 60,
    Retry: HEARTBEAT_RETRY,
    ...rest,
  };
}

/** Choice rule: the heartbeat answer at `<resultPath>.answer` says the replica has caught up. */
export function heartbeatCaughtUp(resultPath: string): Record<string, unknown> {
  return {
    And: [
      { Variable: `${resultPath}.answer.caughtUp`, IsPresent: true },
      { Variable: `${resultPath}.answer.caughtUp`, BooleanEquals: true },
    ],
  };
}

/**
 * Choice rule: the Auto Scaling Group answer at `countPath` (a number of instances in any lifecycle
 * state) is 0. Writes have stopped only when the last instance is gone: a scale-in first drains the
 * instance from its target group (the deregistration delay) and terminates it afterwards, and it can
 * write until then (EC2 Auto Scaling User Guide, "Use Elastic Load Balancing to distribute incoming
 * application traffic in your Auto Scaling group").
 */
export function groupEmpty(countPath: string): Record<string, unknown> {
  return {
    And: [
      { Variable: countPath, IsPresent: true },
      { Variable: countPath, NumericEquals: 0 },
    ],
  };
}

/**
 * The concurrency guard every workflow starts with: `List running executions` counts the running
 * executions of this state machine (`$$.StateMachine.Id`); more than this one ends the execution
 * with `ExecutionAlreadyRunning` (`cause`) before anything changes; otherwise it goes to `next`.
 * Errors of the call go to `failurePathStart`.
 */
export function concurrencyGuard(next: string, cause: string, failurePathStart: string): Record<string, State> {
  return {
    "List running executions": sdkTask(
      "sfn",
      "listExecutions",
      { "StateMachineArn.$": "$$.StateMachine.Id", StatusFilter: "RUNNING", MaxResults: 10 },
      {
        ResultSelector: { "count.$": "States.ArrayLength($.Executions)" },
        ResultPath: "$.running",
        Catch: catchAll(failurePathStart),
        Next: "Another execution running?",
      },
    ),
    "Another execution running?": {
      Type: "Choice",
      Choices: [{ Variable: "$.running.count", NumericGreaterThan: 1, Next: "Already running" }],
      Default: next,
    },
    // Not through the failure path: the execution that runs is the one that notifies.
    "Already running": { Type: "Fail", Error: "ExecutionAlreadyRunning", Cause: cause },
  };
}

/** Waits for a Route 53 change (its id at `$.dnsChange.id`) to be INSYNC: the loop `<name>: ...` (bound in POLLING.dnsChange). */
export function dnsChangeWait(name: string, next: string, onTimeout: string, onError: string): Record<string, State> {
  return poll({
    name,
    check: sdkTask("route53", "getChange", { "Id.$": "$.dnsChange.id" }, { ResultSelector: { "status.$": "$.ChangeInfo.Status" } }),
    resultPath: "$.dnsStatus",
    done: [{ Variable: "$.dnsStatus.status", StringEquals: "INSYNC" }],
    ...POLLING.dnsChange,
    next,
    onTimeout,
    onError,
  });
}

/**
 * `rds:describeGlobalClusters` of the Aurora global database (RDS API Reference, DescribeGlobalClusters;
 * GlobalClusterMember: DBClusterArn, IsWriter, SynchronizationStatus `connected | pending-resync`;
 * GlobalCluster.FailoverState: Status `pending | failing-over | cancelling`, present only while a
 * switchover or failover runs). Lands at `<ResultPath>`: `status` (the global cluster's), `dr` and
 * `primary` (lists holding the member entry of each cluster, empty when it is not a member: a filter
 * is an indefinite path, so a missing member is an empty list rather than a States.Runtime error),
 * `switching` (the FailoverState status, in a list, empty when none runs).
 */
export function describeGlobalCluster(database: AuroraGlobalDatabaseTargets, rest: State = {}): State {
  return sdkTask(
    "rds",
    "describeGlobalClusters",
    { GlobalClusterIdentifier: database.globalClusterIdentifier },
    {
      ResultSelector: {
        "status.$": "$.GlobalClusters[0].Status",
        "dr.$": `$.GlobalClusters[0].GlobalClusterMembers[?(@.DbClusterArn == '${database.drClusterArn}')]`,
        "primary.$": `$.GlobalClusters[0].GlobalClusterMembers[?(@.DbClusterArn == '${database.primaryClusterArn}')]`,
        "switching.$": "$.GlobalClusters[*].FailoverState.Status",
      },
      ...rest,
    },
  );
}

/** Choice rule: the member list at `memberPath` (from `describeGlobalCluster`) holds a member whose IsWriter is true. */
export function isWriter(memberPath: string): Record<string, unknown> {
  return {
    And: [
      { Variable: `${memberPath}[0].IsWriter`, IsPresent: true },
      { Variable: `${memberPath}[0].IsWriter`, BooleanEquals: true },
    ],
  };
}

/**
 * `rds:describeDBClusters` of one cluster (RDS API Reference, DescribeDBClusters): lands at
 * `<ResultPath>` as `status` (DBCluster.Status, e.g. `available`), `endpoint` and `readerEndpoint`
 * (lists holding the writer and reader endpoint addresses, empty while the cluster has none).
 */
export function describeCluster(identifier: string, rest: State = {}): State {
  return sdkTask(
    "rds",
    "describeDBClusters",
    { DbClusterIdentifier: identifier },
    {
      ResultSelector: {
        "status.$": "$.DbClusters[0].Status",
        "endpoint.$": "$.DbClusters[*].Endpoint",
        "readerEndpoint.$": "$.DbClusters[*].ReaderEndpoint",
      },
      ...rest,
    },
  );
}
