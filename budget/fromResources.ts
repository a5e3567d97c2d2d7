/**
 * The recovery budget's inputs read from a synthesized (or previewed) DR stack: the resources that
 * decide how fast the pair recovers (the primary's health check, the DR region's probe of it and its
 * alarm, or the health-check alarm on stacks from before the probe, the automatic
 * failover rule, the DR target group and Auto Scaling Group, the replica-lag and S3 replication
 * alarms) and the recovery manifest (strategy, targets, the on-call's decision time, the primary's
 * capacity, storage and engine mode; in aurora-global mode the lag alarm is on AuroraGlobalDBRPOLag,
 * whose threshold is in milliseconds), and, with ARC Region switch, the plan's DR activation and the
 * alarm its trigger reads (budget/regionSwitch.ts). The offline invariant 11, the policy `dr-recovery-budget` and synthesis
 * read the budget this way, so what is printed is what is judged. Pure: no Pulumi runtime.
 */
import { PROBE_METRIC } from "../config/conventions";
import type { RecoveryManifest } from "../config/recoveryManifest";
import { STRATEGY_PROFILES } from "../config/strategies";
import { AURORA_LAG_METRIC_MILLISECONDS_PER_SECOND, LOAD_BALANCER_ALIAS_TTL_SECONDS } from "./figures";
import { activationOf, associatedAlarmsOf, REGION_SWITCH_PLAN, type PlanStep, triggersOf } from "../invariants/regionSwitch";
import type { RecoveryBudgetInputs } from "./recoveryBudget";
import type { RegionSwitchBudgetStep } from "./regionSwitch";

/** A resource as the budget reads it: its type, its name and its inputs (policy `props` or plan `inputs`). */
export interface BudgetResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export const BUDGET_TYPES = {
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  autoScalingGroup: "aws:autoscaling/group:Group",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  cacheGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  distribution: "aws:cloudfront/distribution:Distribution",
} as const;

/**
 * The DR stack's cache as the budget reads it: a replication group joined to a global datastore (its
 * `globalReplicationGroupId`, components/cache/secondaryCache.ts) is promoted at failover; any other is a
 * regional (or detached) cache, warmed up after health. Undefined without a replication group.
 */
export function cacheModeOf(resources: BudgetResource[]): RecoveryBudgetInputs["cache"] {
  const groups = resources.filter((resource) => resource.type === BUDGET_TYPES.cacheGroup);
  if (groups.length === 0) return undefined;
  return groups.some((group) => group.inputs.globalReplicationGroupId !== undefined) ? "global-datastore" : "regional";
}

/**
 * The metrics of the lag alarm an aurora-global DR stack's failover reads, in milliseconds:
 * AuroraGlobalDBRPOLag (Aurora PostgreSQL, Aurora MySQL 3.04.0+ and 2.12.0+) or AuroraGlobalDBReplicationLag
 * (older Aurora MySQL) (Aurora User Guide, "Using switchover or failover in Amazon Aurora Global Database").
 */
export const AURORA_LAG_METRICS = ["AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag"] as const;

/** The engine mode the DR stack's manifest records for the primary (`primary.dbEngineMode`; absent = instance). */
function engineModeOfManifest(manifest: RecoveryManifest): "instance" | "aurora-global" {
  return (manifest.primary as { dbEngineMode?: unknown } | undefined)?.dbEngineMode === "aurora-global" ? "aurora-global" : "instance";
}

/** Name suffix of the rule that starts the failover on the health-check alarm (recovery/names.ts). */
const AUTOMATIC_FAILOVER_RULE_SUFFIX = "-automatic-failover";

const numberOf = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

function alarmOn(resources: BudgetResource[], metricName: string, namespace?: string): BudgetResource | undefined {
  return resources.find(
    (resource) =>
      resource.type === BUDGET_TYPES.metricAlarm &&
      resource.inputs.metricName === metricName &&
      (namespace === undefined || resource.inputs.namespace === namespace),
  );
}

/** The plan's steps as the budget reads them. */
function budgetStepsOf(steps: PlanStep[]): RegionSwitchBudgetStep[] {
  return steps.map((step) => ({
    name: step.name,
    executionBlockType: step.type,
    ...(step.type === "Parallel" ? { parallel: budgetStepsOf(step.children) } : {}),
  }));
}

/** The metric alarm an alarm ARN names, or the metric alarms a composite alarm's rule names (`ALARM("<name>")`, CloudWatch API Reference, PutCompositeAlarm). */
function metricAlarmsOf(resources: BudgetResource[], alarmArn: string): BudgetResource[] {
  const name = alarmArn.split(":alarm:")[1] ?? alarmArn;
  const named = (type: string, alarmName: string) =>
    resources.filter(
      (resource) =>
        resource.type === type && (resource.inputs.arn === alarmArn || resource.inputs.name === alarmName || resource.inputs.alarmName === alarmName),
    );
  const metric = named(BUDGET_TYPES.metricAlarm, name);
  if (metric.length > 0) return metric;
  const rule = String(named(BUDGET_TYPES.compositeAlarm, name)[0]?.inputs.alarmRule ?? "");
  return [...rule.matchAll(/ALARM\("([^"]+)"\)/g)].flatMap((match) =>
    (
      rule
        .slice(0, match.index)
        .split(/AND|OR|\(/)
        .pop() ?? ""
    ).trim() === "NOT"
      ? []
      : named(BUDGET_TYPES.metricAlarm, match[1]),
  );
}

/**
 * The ARC Region switch plan of the DR stack, as the budget needs it: the DR activation's steps, and
 * whether a trigger starts it with the slowest metric alarm its conditions read (period x evaluation
 * periods). Undefined without a plan.
 */
export function regionSwitchOf(
  resources: BudgetResource[],
  drRegion: string,
): { steps?: RegionSwitchBudgetStep[]; automatic: boolean; triggerAlarm?: BudgetResource } | undefined {
  const plan = resources.find((resource) => resource.type === REGION_SWITCH_PLAN);
  if (!plan) return undefined;
  const view = { type: plan.type, name: plan.name, urn: plan.name, props: plan.inputs, region: drRegion, propertyDependencies: {} };
  const activation = activationOf(view, drRegion);
  const alarms = associatedAlarmsOf(view);
  const triggers = triggersOf(view).filter((trigger) => trigger.action === "activate" && trigger.targetRegion === drRegion);
  const read = triggers
    .flatMap((trigger) => trigger.alarms)
    .flatMap((name) => metricAlarmsOf(resources, alarms.get(name)?.arn ?? ""))
    .filter((alarm) => numberOf(alarm.inputs.period) !== undefined && numberOf(alarm.inputs.evaluationPeriods) !== undefined);
  const slowest = read.sort(
    (a, b) => Number(b.inputs.period) * Number(b.inputs.evaluationPeriods) - Number(a.inputs.period) * Number(a.inputs.evaluationPeriods),
  )[0];
  return { steps: activation ? budgetStepsOf(activation.steps) : undefined, automatic: triggers.length > 0, ...(slowest ? { triggerAlarm: slowest } : {}) };
}

/**
 * @param resources the DR stack's resources.
 * @param manifest the DR stack's recovery manifest (role `dr`, with the primary's outputs).
 * @returns the inputs, or the problems that keep the budget from being computed (each names the
 *   missing resource or setting), never both; neither in the outage mode (`primaryRegionDown`), which
 *   runs after the failover the budget is about.
 */
export function budgetInputsFromResources(resources: BudgetResource[], manifest: RecoveryManifest): { inputs?: RecoveryBudgetInputs; problems: string[] } {
  const problems: string[] = [];
  const primary = manifest.primary;
  if (manifest.role !== "dr" || !primary) return { problems: ["the recovery budget is computed on the DR stack, whose manifest holds the primary's outputs"] };
  // The outage mode runs after the failover the budget is about, with the primary region's signals out of the stack: nothing to budget.
  if (manifest.primaryRegionDown === true) return { problems: [] };
  const healthCheck = resources.find((resource) => resource.type === BUDGET_TYPES.healthCheck);
  // The DR region's probe of the primary endpoint is the signal when the stack has it; stacks from before it used the health-check alarm.
  const probeAlarm = alarmOn(resources, PROBE_METRIC.metricName, PROBE_METRIC.namespace);
  const healthAlarm = probeAlarm ?? alarmOn(resources, "HealthCheckStatus");
  const targetGroup = resources.find((resource) => resource.type === BUDGET_TYPES.targetGroup);
  const group = resources.find((resource) => resource.type === BUDGET_TYPES.autoScalingGroup);
  // AWS/DynamoDB publishes a ReplicationLatency of its own (global tables): the objects' budget reads S3's.
  const latencyAlarm = alarmOn(resources, "ReplicationLatency", "AWS/S3");
  const readReplica = STRATEGY_PROFILES[manifest.strategy].databaseCopy === "read-replica";
  const aurora = engineModeOfManifest(manifest) === "aurora-global";
  const lagAlarm = !readReplica
    ? undefined
    : aurora
      ? AURORA_LAG_METRICS.map((metric) => alarmOn(resources, metric)).find((alarm) => alarm !== undefined)
      : alarmOn(resources, "ReplicaLag");
  const regionSwitch = regionSwitchOf(resources, manifest.region);
  if (regionSwitch && !regionSwitch.steps)
    problems.push(`the Region switch plan has no workflow that activates the DR region ${manifest.region}: the failover's steps are unknown`);
  if (regionSwitch?.automatic && !regionSwitch.triggerAlarm)
    problems.push(
      "the Region switch plan's trigger reads no metric alarm of this stack with a period and evaluation periods: the time to start the failover is unknown",
    );
  const automatic =
    regionSwitch?.automatic ??
    resources.some((resource) => resource.type === BUDGET_TYPES.eventRule && String(resource.inputs.name ?? "").endsWith(AUTOMATIC_FAILOVER_RULE_SUFFIX));

  const interval = numberOf(healthCheck?.inputs.requestInterval);
  const failureThreshold = numberOf(healthCheck?.inputs.failureThreshold);
  if (interval === undefined || failureThreshold === undefined)
    problems.push("no Route 53 health check with requestInterval and failureThreshold on the primary: detection time is unknown");
  const alarmPeriod = numberOf(healthAlarm?.inputs.period);
  const alarmEvaluations = numberOf(healthAlarm?.inputs.evaluationPeriods);
  if (alarmPeriod === undefined || alarmEvaluations === undefined)
    problems.push(
      `no alarm on ${PROBE_METRIC.namespace} ${PROBE_METRIC.metricName} (or AWS/Route53 HealthCheckStatus) with a period and evaluation periods: the time to page the on-call is unknown`,
    );
  const healthSettings = targetGroup?.inputs.healthCheck as Record<string, unknown> | undefined;
  const targetInterval = numberOf(healthSettings?.interval);
  const healthyThreshold = numberOf(healthSettings?.healthyThreshold);
  if (targetInterval === undefined || healthyThreshold === undefined)
    problems.push("no DR target group with healthCheck.interval and healthCheck.healthyThreshold: instance warm-up is unknown");
  const standby = numberOf(group?.inputs.desiredCapacity) ?? numberOf(group?.inputs.minSize);
  if (standby === undefined) problems.push("no DR Auto Scaling Group with a desiredCapacity: the standby capacity is unknown");
  const latency = numberOf(latencyAlarm?.inputs.threshold);
  if (latency === undefined) problems.push("no alarm on AWS/S3 ReplicationLatency with a threshold: the objects' data loss is unbounded");
  // The Aurora lag metrics are in milliseconds, ReplicaLag in seconds.
  const threshold = numberOf(lagAlarm?.inputs.threshold);
  const lag = threshold !== undefined && aurora ? threshold / AURORA_LAG_METRIC_MILLISECONDS_PER_SECOND : threshold;
  if (readReplica && lag === undefined)
    problems.push(
      aurora
        ? `no alarm on AWS/RDS ${AURORA_LAG_METRICS.join(" or ")} with a threshold: the failover has no lag guard, the database's data loss is unbounded`
        : "no alarm on AWS/RDS ReplicaLag with a threshold: the failover has no lag guard, the database's data loss is unbounded",
    );
  const decision = manifest.failoverDecisionSeconds;
  if (!automatic && decision === undefined) problems.push("the manifest declares no failoverDecisionSeconds: the on-call's decision time is unknown");
  if (problems.length > 0) return { problems };

  // An automatic Region switch failover starts on its trigger's alarm, not on the alarm that pages.
  const signalAlarm = regionSwitch?.automatic ? regionSwitch.triggerAlarm! : healthAlarm!;
  const alarm = {
    signal: signalAlarm.inputs.metricName === PROBE_METRIC.metricName ? ("endpoint-probe" as const) : ("health-check-alarm" as const),
    alarmPeriodSeconds: numberOf(signalAlarm.inputs.period)!,
    alarmEvaluationPeriods: numberOf(signalAlarm.inputs.evaluationPeriods)!,
  };
  return {
    problems: [],
    inputs: {
      strategy: manifest.strategy,
      healthCheckIntervalSeconds: interval!,
      healthCheckFailureThreshold: failureThreshold!,
      trigger: automatic ? { kind: "automatic", ...alarm } : { kind: "manual", ...alarm, decisionSeconds: decision! },
      dnsTtlSeconds: LOAD_BALANCER_ALIAS_TTL_SECONDS,
      targetHealthCheckIntervalSeconds: targetInterval!,
      targetHealthyThreshold: healthyThreshold!,
      standbyDesiredCapacity: standby!,
      recoveryCapacity: primary.appDesiredCapacity,
      databaseAllocatedStorageGib: primary.dbAllocatedStorageGib,
      ...(aurora ? { databaseEngineMode: "aurora-global" as const } : {}),
      ...(readReplica ? { replicaLagAlarmThresholdSeconds: lag! } : {}),
      objectReplicationLatencyAlarmSeconds: latency!,
      ...(regionSwitch?.steps ? { regionSwitch: { steps: regionSwitch.steps } } : {}),
      ...(cacheModeOf(resources) ? { cache: cacheModeOf(resources) } : {}),
      ...(resources.some((resource) => resource.type === BUDGET_TYPES.distribution) ? { edge: true } : {}),
      rtoSeconds: manifest.rtoSeconds,
      rpoSeconds: manifest.rpoSeconds,
      objectRpoSeconds: manifest.objectRpoSeconds,
    },
  };
}
