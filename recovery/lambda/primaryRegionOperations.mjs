/**
 * The primary-region operations function (recovery/primaryRegion.ts): runs in the DR region and
 * performs a fixed list of operations on the PRIMARY region's database, Auto Scaling Group, target
 * group and replica-lag metric, and the switchover of an Aurora global database whose primary
 * cluster runs there, which Step Functions' AWS SDK integrations (same-region only) cannot reach.
 *
 * Its targets come from its environment, set at deploy time; an event only names the operation and
 * its arguments: the sizes for `setCapacity`, an optional `since` time for `replicaLagSeconds`. Any
 * other field of the event (an identifier, a name, an ARN, a region) is ignored.
 *
 * Errors are thrown as they are: the Lambda runtime reports `error.name` as the error type, which
 * Step Functions matches in Retry and Catch (e.g. RDS's `InvalidDBInstanceStateFault`).
 *
 * Runtime: nodejs22.x, with the AWS SDK for JavaScript v3 the runtime provides.
 */
import { Buffer } from "node:buffer";
import process from "node:process";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeDBInstancesCommand, PromoteReadReplicaCommand, RDSClient, SwitchoverGlobalClusterCommand } from "@aws-sdk/client-rds";

/** Environment variable names the targets are read from (PRIMARY_REGION_ENVIRONMENT in recovery/primaryRegion.ts). */
export const ENVIRONMENT = Object.freeze({
  region: "PRIMARY_REGION",
  databaseIdentifier: "PRIMARY_DATABASE_IDENTIFIER",
  autoScalingGroupName: "PRIMARY_AUTO_SCALING_GROUP_NAME",
  targetGroupArn: "PRIMARY_TARGET_GROUP_ARN",
  globalClusterIdentifier: "GLOBAL_CLUSTER_IDENTIFIER",
  drClusterArn: "DR_CLUSTER_ARN",
  heartbeatFunctionArn: "PRIMARY_HEARTBEAT_FUNCTION_ARN",
});

/** How far back `replicaLagSeconds` looks without `since`, and the metric period, seconds. */
const DEFAULT_REPLICA_LAG_WINDOW_SECONDS = 300;
const REPLICA_LAG_PERIOD_SECONDS = 60;

/** An ISO 8601 date and time with a zone, as Step Functions writes `$$.State.EnteredTime` (e.g. `2030-01-01T12:00:00.123Z`). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An Error whose `name` is `name`: the error type Step Functions sees.
 * @param {string} name
 * @param {string} message
 */
function namedError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * The value of one of the function's environment variables; throws `MisconfiguredFunction` when it is unset or empty.
 * @param {keyof typeof ENVIRONMENT} key
 * @returns {string}
 */
function target(key) {
  const value = process.env[ENVIRONMENT[key]];
  if (!value) {
    throw namedError("MisconfiguredFunction", `environment variable ${ENVIRONMENT[key]} is not set`);
  }
  return value;
}

/**
 * The time of argument `name`; throws `InvalidArguments` unless `value` is an ISO 8601 time with a zone.
 * @param {string} name
 * @param {unknown} value
 * @returns {Date}
 */
function isoTime(name, value) {
  const time = typeof value === "string" && ISO_8601.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw namedError("InvalidArguments", `${name} must be an ISO 8601 time with a zone, got ${JSON.stringify(value)}`);
  }
  return time;
}

/** SDK clients, created on first use for the primary region and reused by later invocations of the same container. */
const clients = new Map();

/**
 * The client of class `Client` for the primary region (`PRIMARY_REGION`).
 * @template T
 * @param {new (config: { region: string }) => T} Client
 * @returns {T}
 */
function clientOf(Client) {
  const region = target("region");
  const cached = clients.get(Client);
  if (cached?.region === region) {
    return cached.client;
  }
  const client = new Client({ region });
  clients.set(Client, { region, client });
  return client;
}

/**
 * The operations, by name. Each takes the event and answers a small JSON object, which the state
 * machine reads at `<ResultPath>.answer`.
 */
const OPERATIONS = {
  /**
   * The primary-region database: `{ status, isReplica, sourceArn, address }`. `sourceArn` is its
   * `ReadReplicaSourceDBInstanceIdentifier` (the source's ARN for a cross-region replica), or null.
   */
  async describeDatabase() {
    const identifier = target("databaseIdentifier");
    const { DBInstances = [] } = await clientOf(RDSClient).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    const instance = DBInstances[0];
    if (!instance) {
      throw namedError("DBInstanceNotFoundFault", `database ${identifier} not found`);
    }
    const source = instance.ReadReplicaSourceDBInstanceIdentifier;
    return { status: instance.DBInstanceStatus ?? null, isReplica: Boolean(source), sourceArn: source || null, address: instance.Endpoint?.Address ?? null };
  },

  /**
   * Promotes the primary-region read replica to a standalone instance, keeping its backup retention.
   * RDS errors propagate with their names, e.g. `InvalidDBInstanceStateFault` while it is backing-up. `{ promoted: true }`.
   */
  async promoteDatabase() {
    await clientOf(RDSClient).send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: target("databaseIdentifier") }));
    return { promoted: true };
  },

  /**
   * The newest `AWS/RDS ReplicaLag` (maximum per minute) of the primary-region database since
   * `event.since` (an ISO 8601 time, e.g. when writes stopped; default 5 minutes ago): `{ seconds }`,
   * null when no datapoint was published since then (e.g. it is not a replica). A `since` in the
   * future (clock skew) has no datapoints yet: null, without calling CloudWatch.
   * @param {Record<string, unknown>} event
   */
  async replicaLagSeconds(event) {
    const identifier = target("databaseIdentifier");
    const endTime = new Date();
    const startTime = event.since === undefined ? new Date(endTime.getTime() - DEFAULT_REPLICA_LAG_WINDOW_SECONDS * 1000) : isoTime("since", event.since);
    if (startTime >= endTime) {
      return { seconds: null };
    }
    const { MetricDataResults = [] } = await clientOf(CloudWatchClient).send(
      new GetMetricDataCommand({
        StartTime: startTime,
        EndTime: endTime,
        ScanBy: "TimestampDescending",
        MetricDataQueries: [
          {
            Id: "replicaLag",
            MetricStat: {
              Metric: { Namespace: "AWS/RDS", MetricName: "ReplicaLag", Dimensions: [{ Name: "DBInstanceIdentifier", Value: identifier }] },
              Period: REPLICA_LAG_PERIOD_SECONDS,
              Stat: "Maximum",
            },
            ReturnData: true,
          },
        ],
      }),
    );
    const { Timestamps = [], Values = [] } = MetricDataResults.find((result) => result.Id === "replicaLag") ?? {};
    let newest = -1;
    Timestamps.forEach((timestamp, index) => {
      if (index < Values.length && (newest < 0 || new Date(timestamp) > new Date(Timestamps[newest]))) {
        newest = index;
      }
    });
    return { seconds: newest < 0 ? null : Values[newest] };
  },

  /**
   * Sets min, desired and max of the primary Auto Scaling Group from `event.minSize`,
   * `event.desiredCapacity` and `event.maxSize` (integers, 0 <= min <= desired <= max); answers them.
   * @param {Record<string, unknown>} event
   */
  async setCapacity(event) {
    const sizes = { minSize: event.minSize, desiredCapacity: event.desiredCapacity, maxSize: event.maxSize };
    for (const [name, value] of Object.entries(sizes)) {
      if (!Number.isInteger(value) || value < 0) {
        throw namedError("InvalidArguments", `setCapacity: ${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
      }
    }
    const { minSize, desiredCapacity, maxSize } = /** @type {{ minSize: number, desiredCapacity: number, maxSize: number }} */ (sizes);
    if (!(minSize <= desiredCapacity && desiredCapacity <= maxSize)) {
      throw namedError("InvalidArguments", `setCapacity: expected minSize <= desiredCapacity <= maxSize, got ${minSize}, ${desiredCapacity}, ${maxSize}`);
    }
    await clientOf(AutoScalingClient).send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: target("autoScalingGroupName"),
        MinSize: minSize,
        DesiredCapacity: desiredCapacity,
        MaxSize: maxSize,
      }),
    );
    return { minSize, desiredCapacity, maxSize };
  },

  /** The primary Auto Scaling Group: `{ inService, desiredCapacity }` (instances whose lifecycle state is InService). */
  async describeCapacity() {
    const name = target("autoScalingGroupName");
    const { AutoScalingGroups = [] } = await clientOf(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    const group = AutoScalingGroups[0];
    if (!group) {
      throw namedError("MisconfiguredFunction", `Auto Scaling Group ${name} not found`);
    }
    const instances = group.Instances ?? [];
    const inService = instances.filter((instance) => instance.LifecycleState === "InService").length;
    return { inService, instances: instances.length, desiredCapacity: group.DesiredCapacity ?? null };
  },

  /**
   * Asks the primary region's replication heartbeat function whether the primary-region replica has
   * replayed a heartbeat committed at or after `event.since` (an ISO 8601 time), or in the last
   * `event.withinSeconds` seconds (the readiness check before failback stops the DR writes): its answer
   * `{ caughtUp, beatAt, since }` as is. An error of that function is thrown with its own name
   * (e.g. `NoCredentials`), so Step Functions sees it.
   * @param {Record<string, unknown>} event
   */
  async replayedSince(event) {
    const within = event.withinSeconds;
    if (within !== undefined && (typeof within !== "number" || !Number.isInteger(within) || within < 1 || within > 3600 || event.since !== undefined)) {
      throw namedError("InvalidArguments", `withinSeconds must be a whole number of seconds from 1 to 3600, without since, got ${JSON.stringify(within)}`);
    }
    const request =
      within === undefined
        ? { action: "replayedSince", since: isoTime("since", event.since).toISOString() }
        : { action: "replayedSince", withinSeconds: within };
    const { Payload, FunctionError } = await clientOf(LambdaClient).send(
      new InvokeCommand({ FunctionName: target("heartbeatFunctionArn"), Payload: JSON.stringify(request) }),
    );
    const answer = Payload ? JSON.parse(Buffer.from(Payload).toString("utf8")) : null;
    if (FunctionError) {
      throw namedError(answer?.errorType ?? "HeartbeatFunctionError", answer?.errorMessage ?? `the heartbeat function failed (${FunctionError})`);
    }
    return answer;
  },

  /** The primary ALB's target group: `{ healthyTargets }`, the number of targets whose health state is `healthy`. */
  async describeTargetHealth() {
    const { TargetHealthDescriptions = [] } = await clientOf(ElasticLoadBalancingV2Client).send(
      new DescribeTargetHealthCommand({ TargetGroupArn: target("targetGroupArn") }),
    );
    return { healthyTargets: TargetHealthDescriptions.filter((description) => description.TargetHealth?.State === "healthy").length };
  },

  /**
   * Aurora-global mode: starts the switchover of the global cluster (`GLOBAL_CLUSTER_IDENTIFIER`) to
   * the DR cluster (`DR_CLUSTER_ARN`, an ARN so that Aurora can locate it in its region), in the
   * primary region, where the primary cluster runs (Aurora User Guide, "Using switchover or failover
   * in Amazon Aurora Global Database": `switchover-global-cluster --region region_of_primary`; RDS API
   * Reference, SwitchoverGlobalCluster). RDS errors propagate with their names, e.g.
   * `InvalidGlobalClusterStateFault`. `{ switching: true }`: the switch runs on; the state machine polls it.
   */
  async switchoverGlobalCluster() {
    const globalClusterIdentifier = target("globalClusterIdentifier");
    const drClusterArn = target("drClusterArn");
    await clientOf(RDSClient).send(
      new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, TargetDbClusterIdentifier: drClusterArn }),
    );
    return { switching: true };
  },
};

/** The operation names (PRIMARY_REGION_OPERATIONS in recovery/primaryRegion.ts). */
export const OPERATION_NAMES = Object.freeze(Object.keys(OPERATIONS));

/**
 * Lambda entry point. `event` is `{ operation, ...arguments }` as the state machines send it.
 * Throws `InvalidArguments` for an unknown operation or bad arguments, `MisconfiguredFunction` when
 * an environment variable the operation needs is unset, and AWS SDK errors unchanged.
 * @param {{ operation?: unknown } & Record<string, unknown>} event
 * @returns {Promise<Record<string, unknown>>} the operation's answer
 */
export async function handler(event) {
  const operation = event?.operation;
  if (typeof operation !== "string" || !Object.hasOwn(OPERATIONS, operation)) {
    throw namedError("InvalidArguments", `unknown operation ${JSON.stringify(operation)}; expected one of ${OPERATION_NAMES.join(", ")}`);
  }
  return OPERATIONS[operation](event);
}
