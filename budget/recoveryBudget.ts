/**
 * The recovery budget of a DR configuration: the recovery time (RTO) of an unplanned failover,
 * step by step, and the data a failover can lose (RPO) per data store, each compared with its
 * declared target. Every figure comes from `budget/figures.ts` (AWS-published where AWS publishes
 * one, otherwise a typical figure, said so) or from the configuration itself. Pure: no Pulumi, no
 * AWS SDK. Synthesis prints the budget (`budget/render.ts`); a mandatory policy and an offline
 * invariant fail the stack when `budgetProblems` reports a missed target.
 *
 * RTO, seconds from the primary's failure until the DR region serves reads and writes at recovery capacity:
 *
 *     detect + decide + start + max(data, capacity, clients) + switch
 *
 * - detect: Route 53 marks the primary unhealthy after FailureThreshold failed checks RequestInterval apart;
 * - decide: the CloudWatch alarm on the primary's Route 53 HealthCheckStatus goes to ALARM after
 *   period x evaluation periods, then either EventBridge starts the failover (automatic: alarm + EventBridge
 *   delivery) or the alarm pages the on-call, who decides (manual: alarm + `failover.decisionSeconds`);
 * - start: the failover workflow's guard and pre-checks (read-replica strategies), or a `pulumi up`
 *   of the DR stack with the restore switch set (backup-restore);
 * - recover, in parallel (the group costs its longest step): data (read-replica promotion, or a
 *   point-in-time restore), capacity (from the standby's instances to the recovery capacity),
 *   clients (resolvers follow the SECONDARY record within the TTL);
 * - switch: the workflow's fence of the primary (recovery/fence.ts: a datapoint, its alarm, Route 53
 *   following it; read-replica strategies only), with no Route 53 record change.
 *
 * RPO, seconds, per store: the database (the ReplicaLag alarm threshold the failover refuses
 * above, or the lag of the replicated backups' latest restorable time) and the replicated objects
 * (the S3 ReplicationLatency alarm threshold).
 *
 * Orchestrators (`regionSwitch`): with ARC Region switch (`recovery.orchestrator: region-switch`) the
 * steps after detect and decide are the plan's DR activation, block by block (budget/regionSwitch.ts):
 * start (the execution), then each step, a Parallel step's children as one parallel group; the
 * Route53HealthCheck block is the switch of traffic (its health checks, then the TTL), so there is no
 * fence step. Decide waits for the trigger alarm and Region switch's trigger (automatic), or the
 * on-call approving the plan's ManualApproval step (manual, `failover.decisionSeconds`).
 *
 * Engine modes (`databaseEngineMode`): `instance` (default) promotes a cross-region read replica;
 * `aurora-global` fails the Aurora global database over (FailoverGlobalCluster), so the data step is
 * Aurora's switch time (AURORA_GLOBAL_SWITCH_SECONDS, typical 120 s) instead of the promotion (360 s),
 * and the database's RPO is the threshold of the AuroraGlobalDBRPOLag alarm the failover refuses
 * above, with Aurora's typical lag of under a second (AURORA_GLOBAL_REPLICATION_LAG_SECONDS) shown
 * beside it. An Aurora global database always keeps a secondary cluster, so it needs a read-replica strategy.
 */
import { STRATEGIES, STRATEGY_PROFILES, type Strategy } from "../config/strategies";
import { ENGINE_MODES, type EngineMode } from "../recovery/targets";
import {
  CLOUDFRONT_ORIGIN_FAILOVER_SECONDS,
  ELASTICACHE_GLOBAL_FAILOVER_SECONDS,
  APP_BOOT_SECONDS,
  AURORA_GLOBAL_REPLICATION_LAG_SECONDS,
  AURORA_GLOBAL_SWITCH_SECONDS,
  CLOUDWATCH_ALARM_PERIOD_MULTIPLE_SECONDS,
  CLOUDWATCH_EVALUATION_RANGE_LIMIT_SECONDS,
  CLOUDWATCH_HIGH_RESOLUTION_ALARM_PERIODS_SECONDS,
  EC2_LAUNCH_SECONDS,
  EVENTBRIDGE_DELIVERY_SECONDS,
  FAILOVER_WORKFLOW_CHECKS_SECONDS,
  NAT_GATEWAY_CREATION_SECONDS,
  PULUMI_RESTORE_START_SECONDS,
  RDS_ALLOCATED_STORAGE_RANGE_GIB,
  RDS_PROMOTION_SECONDS,
  RDS_RESTORE_CREATION_SECONDS,
  RDS_RESTORE_SECONDS_PER_GIB,
  REPLICATED_BACKUP_RESTORE_LAG_SECONDS,
  ROUTE53_FAILURE_THRESHOLD_RANGE,
  ROUTE53_HEALTH_CHECK_INTERVALS_SECONDS,
  FENCE_ALARM_EVALUATION_SECONDS,
  REGION_SWITCH_TRIGGER_SECONDS,
  S3_REPLICATION_TIME_CONTROL_SECONDS,
  TARGET_HEALTH_CHECK_INTERVAL_RANGE_SECONDS,
  TARGET_HEALTHY_THRESHOLD_RANGE,
} from "./figures";
import { FENCE_PROPAGATION_SECONDS } from "../recovery/fence";
import { type RegionSwitchBudgetStep, regionSwitchPlanSteps, regionSwitchStartStep } from "./regionSwitch";

/**
 * The signal whose alarm starts (automatic) or pages (manual) a failover:
 * - `endpoint-probe`: the DR region's probe of the primary endpoint (components/primaryEndpointProbe.ts),
 *   five attempts a minute (every 10 s), its alarm on each 30 s period's Maximum in the DR region. It survives an
 *   outage of the primary region and of us-east-1;
 * - `health-check-alarm`: the alarm on the primary's Route 53 HealthCheckStatus, which Route 53
 *   publishes in us-east-1 only (stacks deployed before the probe, and the budget's own fixtures).
 */
export type TriggerSignal = "endpoint-probe" | "health-check-alarm";

/**
 * How a failover starts. Either way an alarm on the primary (`signal`) goes to ALARM first; then
 * EventBridge starts the failover workflow (automatic), or the alarm pages the on-call, who decides (manual).
 */
export type FailoverTrigger = { signal?: TriggerSignal } & (
  | {
      kind: "automatic";
      /** Period of the primary's health-check alarm, seconds: 10, 20, 30 or a multiple of 60 (CloudWatch PutMetricAlarm). */
      alarmPeriodSeconds: number;
      /** Evaluation periods of that alarm, a whole number from 1; period x periods at most one day (seven days for periods of an hour or more). */
      alarmEvaluationPeriods: number;
    }
  | {
      kind: "manual";
      /** Period of the primary's health-check alarm that pages the on-call, seconds: 10, 20, 30 or a multiple of 60 (CloudWatch PutMetricAlarm). */
      alarmPeriodSeconds: number;
      /** Evaluation periods of that alarm, a whole number from 1; period x periods at most one day (seven days for periods of an hour or more). */
      alarmEvaluationPeriods: number;
      /** The on-call's declared time from the page to the start of the failover (or restore), seconds, 0 or more (`failover.decisionSeconds`). */
      decisionSeconds: number;
    }
);

/** What the budget needs of a DR configuration. Every duration is in seconds, every size in GiB. */
export interface RecoveryBudgetInputs {
  /** The DR strategy (`recovery.strategy`); see config/strategies.ts. */
  strategy: Strategy;
  /** Route 53 health check of the primary: RequestInterval (10 or 30 s) and FailureThreshold (1-10). */
  healthCheckIntervalSeconds: number;
  healthCheckFailureThreshold: number;
  /** How a failover starts. `automatic` needs a failover workflow, so a read-replica strategy. */
  trigger: FailoverTrigger;
  /** TTL resolvers keep the previous answer of the failover record (alias to an ALB: 60 s), 0 or more. */
  dnsTtlSeconds: number;
  /** DR target group's health check: interval (5-300 s) and healthy threshold (2-10 checks). */
  targetHealthCheckIntervalSeconds: number;
  targetHealthyThreshold: number;
  /** DR Auto Scaling desired capacity before a failover (0 or more), and the capacity a failover must reach (the primary's desired, 1 or more). */
  standbyDesiredCapacity: number;
  recoveryCapacity: number;
  /** Allocated storage of the primary database, GiB, 20 to 65,536 (restore time grows with it). Not checked in aurora-global mode (Aurora storage grows by itself; no restore in the budget). */
  databaseAllocatedStorageGib: number;
  /**
   * The primary's `database.engineMode`: `instance` (default; a cross-region read replica is promoted)
   * or `aurora-global` (an Aurora global database fails over; needs a read-replica strategy).
   */
  databaseEngineMode?: EngineMode;
  /**
   * Threshold of the DR lag alarm the failover refuses above, seconds: ReplicaLag (instance), or
   * AuroraGlobalDBRPOLag converted from its milliseconds (aurora-global). Read-replica strategies only; undefined for backup-restore.
   */
  replicaLagAlarmThresholdSeconds?: number;
  /** Threshold of the S3 ReplicationLatency alarm, seconds (900 = Replication Time Control's 15 minutes). */
  objectReplicationLatencyAlarmSeconds: number;
  /**
   * The ARC Region switch plan's DR activation, when the orchestrator is `region-switch` (read-replica
   * strategies only): its steps in order, a Parallel step's children in `parallel`. Absent: the Step Functions failover.
   */
  regionSwitch?: { steps: RegionSwitchBudgetStep[] };
  /**
   * The pair's cache (`cache.engine` not none): `global-datastore`, whose DR member the failover promotes beside the
   * database (ELASTICACHE_GLOBAL_FAILOVER_SECONDS, in the recover group), or `regional`, warmed up after the DR targets are
   * healthy, outside the RTO (a cold read-through cache serves). Absent: no cache.
   */
  cache?: "global-datastore" | "regional";
  /**
   * CloudFront in front of the pair (`edge.cloudFront.enabled`): reads move per request within
   * CLOUDFRONT_ORIGIN_FAILOVER_SECONDS; writes, and so the RTO, still follow the Route 53 failover of the failover
   * name, which CloudFront resolves within the same TTL as viewers' resolvers did.
   */
  edge?: boolean;
  /** Declared targets, seconds, above 0: RTO, RPO of the database, RPO of the replicated objects. */
  rtoSeconds: number;
  rpoSeconds: number;
  objectRpoSeconds: number;
}

/** One step of the RTO budget. `step` reads `<name>: <detail>`, the name one of `RTO_STEP_NAMES`. */
export interface BudgetStep {
  /** `<name>: <detail>`, e.g. `detect: Route 53 health check, 10 s x 3 failures`. */
  step: string;
  /** Duration of the step, seconds, 0 or more. */
  seconds: number;
  /** Where the figure comes from: the AWS document and section, or "typical" and why. */
  source: string;
  /** Steps of one parallel group run at the same time; the group costs its longest step. */
  parallelGroup?: string;
}

/** The RPO budget of one data store. */
export interface StoreBudget {
  /** The data store: the database, or the objects of the replicated bucket. */
  store: "database" | "objects";
  /** Data a failover can lose, seconds of writes. */
  seconds: number;
  /** The declared RPO of the store, seconds (`recovery.rpoSeconds`, `recovery.objectRpoSeconds`). */
  targetSeconds: number;
  /** Where the figure comes from: the alarm it rests on, or the AWS document and section. */
  source: string;
  /** seconds <= targetSeconds. */
  met: boolean;
  /** What the store typically loses, seconds, where AWS publishes a typical figure (Aurora global database: under 1 s). */
  typicalSeconds?: number;
}

/** The budget of one configuration: the RTO steps and total against the RTO, and the RPO per store. */
export interface RecoveryBudget {
  strategy: Strategy;
  /** Set (to `aurora-global`) only when the database is an Aurora global database; absent for the instance mode. */
  databaseEngineMode?: "aurora-global";
  rto: { steps: BudgetStep[]; totalSeconds: number; targetSeconds: number; met: boolean };
  rpo: { stores: StoreBudget[]; met: boolean };
}

/** The names of the RTO steps, in order; `data`, `capacity` and `clients` form the parallel group `recover`. */
export const RTO_STEP_NAMES = ["detect", "decide", "start", "data", "capacity", "clients", "switch"] as const;
export type RtoStepName = (typeof RTO_STEP_NAMES)[number];

/** The parallel group of the RTO: data, capacity and clients recover at the same time. */
export const RECOVER_GROUP = "recover";

/** The start of the detect step when the DR region's probe is the signal. */
const PROBE_DETECT_STEP = "detect: the DR region's probe of the primary endpoint";

/** The config key that declares the on-call's decision time; the manual decide step names it. */
const DECISION_KEY = "failover.decisionSeconds";

/**
 * The recovery budget of `inputs`: RTO steps, total and verdict, RPO per store and verdict.
 * @throws RangeError naming the field when an input is not a finite number, is negative or out of
 *   AWS's range (health-check interval not 10 or 30, failure threshold outside 1-10, alarm period
 *   CloudWatch refuses, target group check outside ELB's ranges, storage outside 20-65,536 GiB,
 *   targets not above 0), when the trigger is automatic for backup-restore (no workflow to start),
 *   when replicaLagAlarmThresholdSeconds is missing for a read-replica strategy or set for backup-restore,
 *   or when databaseEngineMode is not instance or aurora-global, or aurora-global with backup-restore.
 */
export function recoveryBudget(inputs: RecoveryBudgetInputs): RecoveryBudget {
  checkInputs(inputs);
  const steps = rtoSteps(inputs);
  const totalSeconds = rtoTotalSeconds(steps);
  const stores = rpoStores(inputs);
  return {
    strategy: inputs.strategy,
    ...(isAuroraGlobal(inputs) ? { databaseEngineMode: "aurora-global" as const } : {}),
    rto: { steps, totalSeconds, targetSeconds: inputs.rtoSeconds, met: totalSeconds <= inputs.rtoSeconds },
    rpo: { stores, met: stores.every((store) => store.met) },
  };
}

/** Whether the database of `inputs` is an Aurora global database. */
export function isAuroraGlobal(inputs: Pick<RecoveryBudgetInputs, "databaseEngineMode">): boolean {
  return inputs.databaseEngineMode === "aurora-global";
}

/** Whether `strategy` keeps a read replica in the DR region (and so runs the failover workflow). */
export function hasReadReplica(strategy: Strategy): boolean {
  return STRATEGY_PROFILES[strategy].databaseCopy === "read-replica";
}

/** The name of a step: the part of `step.step` before the first colon (`detect`, `data`, ...). */
export function stepName(step: BudgetStep): string {
  const colon = step.step.indexOf(":");
  return colon < 0 ? step.step : step.step.slice(0, colon);
}

/** Seconds of `steps`: serial steps add up; each parallel group costs its longest step. */
export function rtoTotalSeconds(steps: BudgetStep[]): number {
  let serialSeconds = 0;
  const groupSeconds = new Map<string, number>();
  for (const step of steps) {
    if (step.parallelGroup === undefined) serialSeconds += step.seconds;
    else groupSeconds.set(step.parallelGroup, Math.max(groupSeconds.get(step.parallelGroup) ?? 0, step.seconds));
  }
  return serialSeconds + [...groupSeconds.values()].reduce((sum, seconds) => sum + seconds, 0);
}

/**
 * Seconds from an instance's launch until its target is healthy: EC2 launch (typical 60 s), app
 * boot (typical 45 s), then `healthyThreshold` successful checks `intervalSeconds` apart (Elastic
 * Load Balancing User Guide for ALBs, "Health checks for your target groups"). Instances launch in
 * parallel, so this is also the time to any capacity.
 */
export function instanceWarmUpSeconds(healthyThreshold: number, intervalSeconds: number): number {
  return EC2_LAUNCH_SECONDS + APP_BOOT_SECONDS + healthyThreshold * intervalSeconds;
}

/**
 * Typical seconds of a point-in-time restore of a database of `allocatedStorageGib` GiB from the
 * replicated automated backups: instance creation (900 s) + 10 s per GiB of transaction-log replay
 * and volume loading. AWS publishes no duration; see `RDS_RESTORE_CREATION_SECONDS` and
 * `RDS_RESTORE_SECONDS_PER_GIB` in budget/figures.ts for the reasoning.
 */
export function pointInTimeRestoreSeconds(allocatedStorageGib: number): number {
  return RDS_RESTORE_CREATION_SECONDS + allocatedStorageGib * RDS_RESTORE_SECONDS_PER_GIB;
}

// --- RTO steps ------------------------------------------------------------------------------------

/** The RTO steps of `inputs`, in order: detect, decide, start, the recover group (data, capacity, clients), switch. */
function rtoSteps(inputs: RecoveryBudgetInputs): BudgetStep[] {
  if (inputs.regionSwitch) {
    const figures = { data: dataStep(inputs), capacity: capacityStep(inputs), dnsTtlSeconds: inputs.dnsTtlSeconds };
    return [detectStep(inputs), decideStep(inputs), regionSwitchStartStep(), ...regionSwitchPlanSteps(inputs.regionSwitch.steps, figures)];
  }
  return [
    detectStep(inputs),
    decideStep(inputs),
    startStep(inputs),
    dataStep(inputs),
    ...cacheSteps(inputs),
    capacityStep(inputs),
    clientsStep(inputs),
    switchStep(inputs),
  ];
}

/**
 * The cache's step of the Step Functions failover: the global datastore's promotion, in the recover group beside the
 * database's (it counts only when it is the longest branch). A regional cache's warm-up runs after the DR targets are
 * healthy and is not waited for, so it adds no step. The Region switch plan does not promote the cache (docs/cache.md).
 */
function cacheSteps(inputs: RecoveryBudgetInputs): BudgetStep[] {
  if (inputs.cache !== "global-datastore" || !hasReadReplica(inputs.strategy)) return [];
  return [
    {
      step: "data: promotion of the cache's DR member (FailoverGlobalReplicationGroup from the DR region)",
      seconds: ELASTICACHE_GLOBAL_FAILOVER_SECONDS,
      source:
        'AWS What\'s New, "Amazon ElastiCache for Redis announces Global Datastore" (2020-03-16): "Once initiated, the promotion typically completes in less than a minute"; ' +
        `typical ${ELASTICACHE_GLOBAL_FAILOVER_SECONDS} s; the branch runs beside the database's (recovery/cacheSteps.ts)`,
      parallelGroup: RECOVER_GROUP,
    },
  ];
}

function detectStep(inputs: RecoveryBudgetInputs): BudgetStep {
  if (inputs.trigger.signal === "endpoint-probe") {
    const period = inputs.trigger.alarmPeriodSeconds;
    return {
      step: `${PROBE_DETECT_STEP}, up to one ${period} s period that still holds a healthy attempt`,
      seconds: period,
      source:
        'components/primaryEndpointProbe.ts: an attempt every 10 s; its alarm reads each period\'s Maximum, so the period the outage starts in may still hold a healthy attempt and only the next ones count (CloudWatch User Guide, "Using Amazon CloudWatch alarms": an alarm evaluates whole periods)',
    };
  }
  return {
    step: `detect: Route 53 health check, ${inputs.healthCheckIntervalSeconds} s x ${inputs.healthCheckFailureThreshold} failures`,
    seconds: inputs.healthCheckIntervalSeconds * inputs.healthCheckFailureThreshold,
    source:
      'Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is healthy": unhealthy after FailureThreshold consecutive failed checks RequestInterval apart',
  };
}

/**
 * decide: the primary's health-check alarm goes to ALARM after period x evaluation periods, then
 * EventBridge starts the failover (automatic), or the alarm pages the on-call, who takes the declared
 * decision time (manual).
 */
function decideStep(inputs: RecoveryBudgetInputs): BudgetStep {
  const trigger = inputs.trigger;
  const alarmSeconds = trigger.alarmPeriodSeconds * trigger.alarmEvaluationPeriods;
  const alarmSource =
    trigger.signal === "endpoint-probe"
      ? "CloudWatch alarm on the probe's PrimaryEndpointHealthy in the DR region: ALARM after EvaluationPeriods periods of Period seconds (CloudWatch API Reference, PutMetricAlarm)"
      : "CloudWatch alarm on AWS/Route53 HealthCheckStatus: ALARM after EvaluationPeriods periods of Period seconds (CloudWatch API Reference, PutMetricAlarm)";
  const alarmName = trigger.signal === "endpoint-probe" ? "probe alarm" : "health-check alarm";
  const plan = inputs.regionSwitch !== undefined;
  if (trigger.kind === "manual") {
    return {
      step:
        `decide: ${alarmName} pages the on-call (${trigger.alarmPeriodSeconds} s x ${trigger.alarmEvaluationPeriods}), ` +
        `then the on-call's decision${plan ? ", approving the plan's ManualApproval step" : ""} (${DECISION_KEY}, ${formatSeconds(trigger.decisionSeconds)} s)`,
      seconds: alarmSeconds + trigger.decisionSeconds,
      source:
        `${alarmSource}, whose ALARM action pages the on-call; ` +
        `then the on-call's declared time from the page to the start of the ${hasReadReplica(inputs.strategy) ? "failover" : "restore"} (${DECISION_KEY})`,
    };
  }
  if (plan) {
    return {
      step: `decide: ${alarmName}, ${trigger.alarmPeriodSeconds} s x ${trigger.alarmEvaluationPeriods} periods, then the plan's trigger starts the plan`,
      seconds: alarmSeconds + REGION_SWITCH_TRIGGER_SECONDS,
      source: `${alarmSource}, the alarm of the plan's trigger; Region switch's trigger ${REGION_SWITCH_TRIGGER_SECONDS} s, typical (AWS publishes no latency; see budget/figures.ts)`,
    };
  }
  return {
    step: `decide: ${alarmName}, ${trigger.alarmPeriodSeconds} s x ${trigger.alarmEvaluationPeriods} periods, then EventBridge starts the failover`,
    seconds: alarmSeconds + EVENTBRIDGE_DELIVERY_SECONDS,
    source:
      `${alarmSource}; ` +
      `EventBridge delivery ${EVENTBRIDGE_DELIVERY_SECONDS} s, typical (AWS publishes no latency; CloudWatch User Guide, "Alarm events and EventBridge")`,
  };
}

function startStep(inputs: RecoveryBudgetInputs): BudgetStep {
  if (hasReadReplica(inputs.strategy)) {
    return {
      step: "start: failover workflow guard and pre-checks",
      seconds: FAILOVER_WORKFLOW_CHECKS_SECONDS,
      source: "typical: the concurrency guard and pre-checks of recovery/failover.ts, about ten API calls and state transitions (AWS publishes no figure)",
    };
  }
  return {
    step: "start: pulumi up of the DR stack with database.restoreToTime set",
    seconds: PULUMI_RESTORE_START_SECONDS,
    source: "typical: the operator sets the key, Pulumi loads the program, previews and starts the update (Pulumi publishes no figure)",
  };
}

function dataStep(inputs: RecoveryBudgetInputs): BudgetStep {
  if (isAuroraGlobal(inputs)) {
    return {
      step: "data: Aurora global database failover (FailoverGlobalCluster): the DR cluster becomes the writer",
      seconds: AURORA_GLOBAL_SWITCH_SECONDS,
      source:
        'Aurora User Guide, "Using switchover or failover in Amazon Aurora Global Database": "Typically, the chosen secondary cluster assumes the primary role within a few minutes"; ' +
        `"Working with Amazon Aurora Global Database": promotion "in under a minute"; typical ${AURORA_GLOBAL_SWITCH_SECONDS} s`,
      parallelGroup: RECOVER_GROUP,
    };
  }
  if (hasReadReplica(inputs.strategy)) {
    return {
      step: "data: promotion of the read replica",
      seconds: RDS_PROMOTION_SECONDS,
      source:
        'RDS User Guide, "Promoting a read replica to be a standalone DB instance": "a few minutes, depending on the size of the read replica"; typical 360 s',
      parallelGroup: RECOVER_GROUP,
    };
  }
  const gib = inputs.databaseAllocatedStorageGib;
  return {
    step: `data: point-in-time restore of ${gib} GiB from the replicated automated backups`,
    seconds: pointInTimeRestoreSeconds(gib),
    source:
      `typical: ${RDS_RESTORE_CREATION_SECONDS} s to create the instance + ${RDS_RESTORE_SECONDS_PER_GIB} s/GiB x ${gib} GiB of log replay and volume loading; ` +
      'AWS publishes no duration ("can take up to a few hours": AWS Prescriptive Guidance, "Amazon RDS PITR snapshot replication")',
    parallelGroup: RECOVER_GROUP,
  };
}

function capacityStep(inputs: RecoveryBudgetInputs): BudgetStep {
  const { standbyDesiredCapacity: standby, recoveryCapacity: recovery } = inputs;
  const warmUpSeconds = standby >= recovery ? 0 : instanceWarmUpSeconds(inputs.targetHealthyThreshold, inputs.targetHealthCheckIntervalSeconds);
  const warmUpSource =
    standby >= recovery
      ? `the DR Auto Scaling group already runs ${standby} of the ${recovery} instances needed`
      : `EC2 launch ${EC2_LAUNCH_SECONDS} s and app boot ${APP_BOOT_SECONDS} s (typical), then HealthyThresholdCount x HealthCheckIntervalSeconds ` +
        `(Elastic Load Balancing User Guide for ALBs, "Health checks for your target groups"); instances launch in parallel`;
  const checks = `${inputs.targetHealthyThreshold} x ${inputs.targetHealthCheckIntervalSeconds} s target checks`;
  if (!hasReadReplica(inputs.strategy)) {
    return {
      step: `capacity: NAT gateway, then ${standby} -> ${recovery} instances${standby >= recovery ? "" : `: launch, boot, ${checks}`}`,
      seconds: NAT_GATEWAY_CREATION_SECONDS + warmUpSeconds,
      source: `NAT gateway creation ${NAT_GATEWAY_CREATION_SECONDS} s, typical (AWS publishes no duration; the strategy runs no NAT until the restore); ${warmUpSource}`,
      parallelGroup: RECOVER_GROUP,
    };
  }
  return {
    step:
      standby >= recovery
        ? `capacity: already at recovery capacity (${standby} of ${recovery} instances)`
        : `capacity: ${standby} -> ${recovery} instances: launch, boot, ${checks}`,
    seconds: warmUpSeconds,
    source: warmUpSource,
    parallelGroup: RECOVER_GROUP,
  };
}

function clientsStep(inputs: RecoveryBudgetInputs): BudgetStep {
  if (inputs.edge) {
    return {
      step: `clients: CloudFront follows the failover name's SECONDARY record within the ${inputs.dnsTtlSeconds} s TTL (reads moved per request within ${CLOUDFRONT_ORIGIN_FAILOVER_SECONDS} s)`,
      seconds: inputs.dnsTtlSeconds,
      source:
        "Writes reach the origin that resolves the failover name (components/edge/distribution.ts), which Route 53 answers with the SECONDARY once the primary's check fails, " +
        'cached for the alias\'s 60 s TTL (Route 53 Developer Guide, "Choosing between alias and non-alias records"); reads fail over in the origin group per request ' +
        '(CloudFront Developer Guide, "Optimize high availability with CloudFront origin failover"), so the RTO is the writes\'',
      parallelGroup: RECOVER_GROUP,
    };
  }
  return {
    step: `clients: resolvers follow the SECONDARY record within the ${inputs.dnsTtlSeconds} s TTL`,
    seconds: inputs.dnsTtlSeconds,
    source:
      'Route 53 answers the SECONDARY record once the primary\'s health check fails; resolvers keep the previous answer for the TTL (Route 53 Developer Guide, "Choosing between alias and non-alias records": an alias to a load balancer has its 60 s TTL)',
    parallelGroup: RECOVER_GROUP,
  };
}

function switchStep(inputs: RecoveryBudgetInputs): BudgetStep {
  if (hasReadReplica(inputs.strategy)) {
    return {
      step: "switch: fence the primary (one datapoint in the DR region), its alarm, Route 53 following it",
      seconds: FENCE_ALARM_EVALUATION_SECONDS + FENCE_PROPAGATION_SECONDS,
      source:
        'recovery/fence.ts: the fence alarm evaluates 60 s periods about once a minute (CloudWatch User Guide, "Evaluating an alarm"), then the workflow allows 60 s for Route 53\'s health checkers to follow it (undocumented: Route 53 Developer Guide, "How Amazon Route 53 determines the status of health checks that monitor CloudWatch alarms"); no Route 53 record change, so nothing waits on its control plane (us-east-1)',
    };
  }
  return {
    step: "switch: none (the SECONDARY record already answers the DR region)",
    seconds: 0,
    source: "backup-restore runs no failover workflow; the failover record's SECONDARY answer already aliases the DR load balancer",
  };
}

// --- RPO stores -----------------------------------------------------------------------------------

function rpoStores(inputs: RecoveryBudgetInputs): StoreBudget[] {
  const databaseSeconds = hasReadReplica(inputs.strategy) ? (inputs.replicaLagAlarmThresholdSeconds as number) : REPLICATED_BACKUP_RESTORE_LAG_SECONDS;
  const databaseSource = isAuroraGlobal(inputs)
    ? "AuroraGlobalDBRPOLag alarm threshold: the failover refuses while the alarm is in ALARM, so an unplanned failover loses at most that much; " +
      `Aurora replicates "with typical latency of under a second" (Aurora User Guide, "Working with Amazon Aurora Global Database"), typically ${AURORA_GLOBAL_REPLICATION_LAG_SECONDS} s lost; ` +
      'a planned switchover loses nothing (RPO 0: Aurora User Guide, "Using switchover or failover in Amazon Aurora Global Database")'
    : hasReadReplica(inputs.strategy)
      ? 'ReplicaLag alarm threshold: the failover refuses to promote while the alarm is in ALARM (RDS User Guide, "Amazon CloudWatch metrics for Amazon RDS": ReplicaLag)'
      : `latest restorable time of the replicated automated backups: RPO "ranging 5–30 minutes" cross-Region, the budget counts 30 minutes ` +
        '(AWS Prescriptive Guidance, "Amazon RDS PITR snapshot replication"; RDS User Guide, "Replicating automated backups to another AWS Region")';
  const database = storeBudget("database", databaseSeconds, inputs.rpoSeconds, databaseSource);
  return [
    isAuroraGlobal(inputs) ? { ...database, typicalSeconds: AURORA_GLOBAL_REPLICATION_LAG_SECONDS } : database,
    storeBudget(
      "objects",
      inputs.objectReplicationLatencyAlarmSeconds,
      inputs.objectRpoSeconds,
      `S3 ReplicationLatency alarm threshold; Replication Time Control replicates 99.99% of objects within ${S3_REPLICATION_TIME_CONTROL_SECONDS} s ` +
        '(S3 User Guide, "Meeting compliance requirements with S3 Replication Time Control")',
    ),
  ];
}

function storeBudget(store: StoreBudget["store"], seconds: number, targetSeconds: number, source: string): StoreBudget {
  return { store, seconds, targetSeconds, source, met: seconds <= targetSeconds };
}

// --- Problems -------------------------------------------------------------------------------------

/**
 * One message per missed target of `budget`: which target and its config key, budget against
 * target, the largest step (RTO), and how to fix it. Empty when every target is met.
 */
export function budgetProblems(budget: RecoveryBudget): string[] {
  const problems: string[] = [];
  if (!budget.rto.met) problems.push(rtoProblem(budget));
  for (const store of budget.rpo.stores) if (!store.met) problems.push(storeProblem(budget.strategy, store, budget.databaseEngineMode === "aurora-global"));
  return problems;
}

function rtoProblem(budget: RecoveryBudget): string {
  const { totalSeconds, targetSeconds, steps } = budget.rto;
  const largest = largestStep(steps);
  const probe = steps.some((step) => step.step.startsWith(PROBE_DETECT_STEP));
  const adjustable = [...steps].sort((a, b) => b.seconds - a.seconds).find((step) => step.seconds > 0 && stepFix(budget.strategy, step, probe) !== undefined);
  const fix = adjustable ? `${stepFix(budget.strategy, adjustable, probe)}; or ` : "";
  const fixedNote = largest && adjustable !== largest ? " (set by AWS or by the strategy, no setting shortens it)" : "";
  return (
    `RTO budget of ${budget.strategy} is ${formatSeconds(totalSeconds)} s, over the ${formatSeconds(targetSeconds)} s target (recovery.rtoSeconds) ` +
    `by ${formatSeconds(totalSeconds - targetSeconds)} s; the largest step is ${largest ? `${largest.step} (${formatSeconds(largest.seconds)} s)` : "none"}${fixedNote}. ` +
    `To fix: ${fix}raise recovery.rtoSeconds to at least ${Math.ceil(totalSeconds)}`
  );
}

/** The step that costs the most (a parallel group's longest step counts; the others are never larger). */
function largestStep(steps: BudgetStep[]): BudgetStep | undefined {
  return steps.reduce<BudgetStep | undefined>((largest, step) => (largest === undefined || step.seconds > largest.seconds ? step : largest), undefined);
}

/** How to shorten `step` under `strategy`, or undefined when no setting shortens it; `probe` when the DR region's probe is the signal. */
function stepFix(strategy: Strategy, step: BudgetStep, probe = false): string | undefined {
  const faster = fasterStrategies(strategy);
  const readReplica = hasReadReplica(strategy);
  switch (stepName(step) as RtoStepName) {
    case "detect":
      // The probe's first period is fixed (30 s); a health-check detection follows its two settings.
      return probe ? undefined : "lower dns.healthCheckIntervalSeconds (10 or 30) or dns.healthCheckFailureThreshold";
    case "decide":
      if (step.step.includes(DECISION_KEY)) {
        return readReplica
          ? `lower ${DECISION_KEY}, or set failover.automatic to true so the ${probe ? "DR region's probe" : "health-check alarm"} starts the failover`
          : `lower ${DECISION_KEY} (the on-call's response time), or choose ${faster}, whose failover can start automatically`;
      }
      return probe
        ? "lower dns.healthCheckIntervalSeconds x dns.healthCheckFailureThreshold, from which the probe's 30 s periods derive (an automatic failover waits at least 3 of them, stacks/recovery.ts)"
        : "lower the period or evaluation periods of the primary's health-check alarm";
    case "start":
    case "data":
      return readReplica
        ? undefined
        : `choose ${faster}: promoting a read replica (about ${RDS_PROMOTION_SECONDS} s) replaces the stack update and the restore`;
    case "capacity":
      if (!readReplica) return `choose ${faster}: a NAT gateway already runs there`;
      return strategy === "hot-standby"
        ? "set the DR stack's app.desiredCapacity to the primary's"
        : `raise the DR stack's app.desiredCapacity toward the primary's, or choose ${faster}`;
    default:
      return undefined;
  }
}

/** The strategies faster than `strategy`, as prose: "pilot-light or a faster strategy", "hot-standby". */
function fasterStrategies(strategy: Strategy): string {
  const next = STRATEGIES.slice(STRATEGIES.indexOf(strategy) + 1);
  if (next.length === 0) return strategy;
  return next.length === 1 ? next[0] : `${next[0]} or a faster strategy`;
}

function storeProblem(strategy: Strategy, store: StoreBudget, aurora: boolean): string {
  const key = store.store === "database" ? "recovery.rpoSeconds" : "recovery.objectRpoSeconds";
  const head =
    `RPO budget of the ${store.store} is ${formatSeconds(store.seconds)} s, over the ${formatSeconds(store.targetSeconds)} s target (${key}) ` +
    `by ${formatSeconds(store.seconds - store.targetSeconds)} s. To fix: `;
  const raise = `raise ${key} to at least ${Math.ceil(store.seconds)}`;
  if (store.store === "objects") {
    return `${head}lower the S3 ReplicationLatency alarm threshold to ${formatSeconds(store.targetSeconds)} s (Replication Time Control bounds 99.99% of objects at ${S3_REPLICATION_TIME_CONTROL_SECONDS} s), or ${raise}`;
  }
  if (!hasReadReplica(strategy)) {
    return `${head}choose ${fasterStrategies(strategy)} (a read replica lags seconds, not the replicated backups' minutes), or ${raise}`;
  }
  if (aurora) {
    return `${head}lower the AuroraGlobalDBRPOLag alarm threshold to ${formatSeconds(store.targetSeconds)} s (${formatSeconds(store.targetSeconds * 1000)} ms; the failover refuses above it; Aurora typically lags under ${AURORA_GLOBAL_REPLICATION_LAG_SECONDS} s), or ${raise}`;
  }
  return `${head}lower the ReplicaLag alarm threshold to ${formatSeconds(store.targetSeconds)} s (the failover refuses above it), or ${raise}`;
}

/** Seconds as text: whole numbers as is, others to one decimal. */
export function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}

// --- Input checks ---------------------------------------------------------------------------------

function checkInputs(inputs: RecoveryBudgetInputs): void {
  if (!(STRATEGIES as readonly string[]).includes(inputs.strategy)) fail("strategy", `must be one of ${STRATEGIES.join(", ")}`, inputs.strategy);
  if (!ROUTE53_HEALTH_CHECK_INTERVALS_SECONDS.includes(inputs.healthCheckIntervalSeconds)) {
    fail("healthCheckIntervalSeconds", "must be 10 or 30 (the intervals Route 53 accepts)", inputs.healthCheckIntervalSeconds);
  }
  requireWholeNumber("healthCheckFailureThreshold", inputs.healthCheckFailureThreshold, ROUTE53_FAILURE_THRESHOLD_RANGE, "Route 53");
  checkTrigger(inputs);
  requireAtLeast("dnsTtlSeconds", inputs.dnsTtlSeconds, 0);
  requireWholeNumber(
    "targetHealthCheckIntervalSeconds",
    inputs.targetHealthCheckIntervalSeconds,
    TARGET_HEALTH_CHECK_INTERVAL_RANGE_SECONDS,
    "Elastic Load Balancing",
  );
  requireWholeNumber("targetHealthyThreshold", inputs.targetHealthyThreshold, TARGET_HEALTHY_THRESHOLD_RANGE, "Elastic Load Balancing");
  requireWholeNumber("standbyDesiredCapacity", inputs.standbyDesiredCapacity, { minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
  requireWholeNumber("recoveryCapacity", inputs.recoveryCapacity, { minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
  const mode: unknown = inputs.databaseEngineMode;
  if (mode !== undefined && !(ENGINE_MODES as readonly unknown[]).includes(mode)) fail("databaseEngineMode", `must be one of ${ENGINE_MODES.join(", ")}`, mode);
  if (isAuroraGlobal(inputs) && !hasReadReplica(inputs.strategy)) {
    fail("databaseEngineMode", `aurora-global keeps a secondary cluster in the DR region: choose a read-replica strategy, not ${inputs.strategy}`, mode);
  }
  // Aurora storage grows by itself and the budget restores nothing in aurora-global mode: the allocated storage is not used.
  if (!isAuroraGlobal(inputs)) requireWholeNumber("databaseAllocatedStorageGib", inputs.databaseAllocatedStorageGib, RDS_ALLOCATED_STORAGE_RANGE_GIB, "RDS");
  checkReplicaLagThreshold(inputs);
  if (inputs.regionSwitch !== undefined && !hasReadReplica(inputs.strategy))
    fail("regionSwitch", `needs a read-replica strategy (the plan promotes the DR database), not ${inputs.strategy}`, "region-switch");
  requireAbove("objectReplicationLatencyAlarmSeconds", inputs.objectReplicationLatencyAlarmSeconds, 0);
  requireAbove("rtoSeconds", inputs.rtoSeconds, 0);
  requireAbove("rpoSeconds", inputs.rpoSeconds, 0);
  requireAbove("objectRpoSeconds", inputs.objectRpoSeconds, 0);
}

/**
 * Both kinds: the health-check alarm's period and evaluation periods within CloudWatch's limits.
 * Automatic: a read-replica strategy (backup-restore has no workflow to start). Manual: a decision time of 0 or more.
 */
function checkTrigger(inputs: RecoveryBudgetInputs): void {
  const trigger = inputs.trigger as FailoverTrigger | undefined;
  const kind: unknown = (trigger as { kind?: unknown } | undefined)?.kind;
  if (trigger?.kind !== "automatic" && trigger?.kind !== "manual") fail("trigger.kind", "must be automatic or manual", kind);
  if (trigger.signal !== undefined && trigger.signal !== "endpoint-probe" && trigger.signal !== "health-check-alarm")
    fail("trigger.signal", "must be endpoint-probe or health-check-alarm", trigger.signal);
  if (trigger.kind === "automatic" && !hasReadReplica(inputs.strategy)) {
    fail("trigger.kind", "must be manual for backup-restore: a restore is a `pulumi up` a person runs, no workflow can start it", "automatic");
  }
  const period = trigger.alarmPeriodSeconds;
  requireAbove("trigger.alarmPeriodSeconds", period, 0);
  if (!CLOUDWATCH_HIGH_RESOLUTION_ALARM_PERIODS_SECONDS.includes(period) && period % CLOUDWATCH_ALARM_PERIOD_MULTIPLE_SECONDS !== 0) {
    fail("trigger.alarmPeriodSeconds", "must be 10, 20, 30 or a multiple of 60 (the periods CloudWatch accepts)", period);
  }
  requireWholeNumber("trigger.alarmEvaluationPeriods", trigger.alarmEvaluationPeriods, { minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
  const limit = period < 3600 ? CLOUDWATCH_EVALUATION_RANGE_LIMIT_SECONDS.periodUnderOneHour : CLOUDWATCH_EVALUATION_RANGE_LIMIT_SECONDS.otherwise;
  if (period * trigger.alarmEvaluationPeriods > limit) {
    fail(
      "trigger.alarmEvaluationPeriods",
      `must keep period x evaluation periods within ${limit} s (CloudWatch's limit for a ${period} s period)`,
      trigger.alarmEvaluationPeriods,
    );
  }
  if (trigger.kind === "manual") requireAtLeast("trigger.decisionSeconds", trigger.decisionSeconds, 0);
}

function checkReplicaLagThreshold(inputs: RecoveryBudgetInputs): void {
  const threshold = inputs.replicaLagAlarmThresholdSeconds;
  if (hasReadReplica(inputs.strategy)) {
    if (threshold === undefined) fail("replicaLagAlarmThresholdSeconds", `is required for ${inputs.strategy} (the failover refuses above it)`, threshold);
    requireAtLeast("replicaLagAlarmThresholdSeconds", threshold, 0);
  } else if (threshold !== undefined) {
    fail("replicaLagAlarmThresholdSeconds", "must be undefined for backup-restore (no read replica, no ReplicaLag alarm)", threshold);
  }
}

function requireFinite(field: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(field, "must be a finite number", value);
}

function requireAtLeast(field: string, value: unknown, minimum: number): void {
  requireFinite(field, value);
  if (value < minimum) fail(field, `must be ${minimum} or more`, value);
}

function requireAbove(field: string, value: unknown, minimum: number): void {
  requireFinite(field, value);
  if (value <= minimum) fail(field, `must be above ${minimum}`, value);
}

function requireWholeNumber(field: string, value: unknown, range: { minimum: number; maximum: number }, limitsOf?: string): void {
  requireFinite(field, value);
  const bounds = range.maximum === Number.MAX_SAFE_INTEGER ? `${range.minimum} or more` : `${range.minimum} to ${range.maximum}`;
  if (!Number.isInteger(value) || value < range.minimum || value > range.maximum) {
    fail(field, `must be a whole number, ${bounds}${limitsOf ? ` (${limitsOf} limits)` : ""}`, value);
  }
}

function fail(field: string, message: string, value: unknown): never {
  throw new RangeError(`recoveryBudget: ${field} ${message}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
}
