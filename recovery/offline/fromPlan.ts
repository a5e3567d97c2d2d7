/**
 * Reads what the offline drill needs from a synthesized DR plan (synth/recordStack.ts `StackPlan`,
 * `result.dr` of `synthesize()` or `out/synth/dr.plan.json`):
 * - `outputs.recoveryTargets`: the RecoveryTargets the DR stack resolved;
 * - the three `aws:sfn/stateMachine:StateMachine` resources named `stateMachineName(prefix, workflow)`,
 *   whose input `definition` is the JSON of the definition as deployed;
 * - physical parameters where the plan has them: the DR target group's health check (interval,
 *   healthy and unhealthy thresholds), the PRIMARY record's Route 53 health check (request interval,
 *   failure threshold), the SECONDARY record's set identifier and the replica's address;
 * - the public zone's failover records and every Route 53 health check they use, as synthesized
 *   (`routingFromPlan`): the drill answers DNS from them, whatever their shape.
 */
import type { Definition } from "../asl";
import { WORKFLOWS, type Workflow } from "../names";
import { auroraGlobalOf, cacheTargetsProblems, databaseTargetsProblems, engineModeOf, type RecoveryTargets } from "../targets";
import type { StackPlan } from "../../synth/recordStack";
import type { PlanFacts } from "./cloud";
import { DEFAULT_DURATIONS, type Durations } from "./durations";
import { ENDPOINT_CHECK_TYPES, type FailoverRecordSpec, type HealthCheckSpec, type InsufficientDataStatus, type RoutingSpec } from "./healthChecks";
import { normalizeName } from "./route53";
import { stateMachineArnsFor, type RecoverySystem } from "./system";

export const STATE_MACHINE_TYPE = "aws:sfn/stateMachine:StateMachine";
const TARGET_GROUP_TYPE = "aws:lb/targetGroup:TargetGroup";
const HEALTH_CHECK_TYPE = "aws:route53/healthCheck:HealthCheck";
const RECORD_TYPE = "aws:route53/record:Record";
const RDS_INSTANCE_TYPE = "aws:rds/instance:Instance";
const RDS_CLUSTER_TYPE = "aws:rds/cluster:Cluster";
const LAMBDA_FUNCTION_TYPE = "aws:lambda/function:Function";

/** The plan lacks something the drill needs, or has it in an unexpected shape. */
export class PlanError extends Error {
  override name = "PlanError";
}

/** Minimal structural view of a plan, so a hand-built object or a parsed JSON file will do. */
export type PlanLike = Pick<StackPlan, "stack" | "outputs"> & {
  resources: Pick<StackPlan["resources"][number], "type" | "name" | "inputs" | "outputs" | "id">[];
};

/** Paths RecoveryTargets must have, with their JSON type. */
const REQUIRED: [string, "string" | "number" | "object" | "array"][] = [
  ["partition", "string"],
  ["accountId", "string"],
  ["drRegion", "string"],
  ["primaryRegion", "string"],
  ["rtoSeconds", "number"],
  ["rpoSeconds", "number"],
  ["replica.identifier", "string"],
  ["replica.arn", "string"],
  ["replica.backupRetentionDays", "number"],
  ["drAutoScalingGroup.name", "string"],
  ["drAutoScalingGroup.standby.desiredCapacity", "number"],
  ["drAutoScalingGroup.recovery.desiredCapacity", "number"],
  ["drTargetGroupArn", "string"],
  ["drLoadBalancer.dnsName", "string"],
  ["drLoadBalancer.zoneId", "string"],
  ["primaryLoadBalancer.dnsName", "string"],
  ["primaryLoadBalancer.zoneId", "string"],
  ["dns.hostedZoneId", "string"],
  ["dns.applicationName", "string"],
  ["dns.primarySetIdentifier", "string"],
  ["dns.healthCheckId", "string"],
  ["dns.drillPoolName", "string"],
  ["databaseName.fqdn", "string"],
  ["databaseName.drZoneId", "string"],
  ["databaseName.primaryZoneId", "string"],
  ["databaseNameTtlSeconds", "number"],
  ["primary.databaseIdentifier", "string"],
  ["primary.databaseArn", "string"],
  ["primary.autoScalingGroupName", "string"],
  ["primary.targetGroupArn", "string"],
  ["primary.capacity.desiredCapacity", "number"],
  ["primaryRegionFunctionArn", "string"],
  ["topicArn", "string"],
  ["alarms.replicaLagOverRpo", "string"],
  ["alarms.drillAbort", "array"],
  ["drill.trafficPercent", "number"],
  ["drill.durationSeconds", "number"],
];

function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), value);
}

function jsonType(value: unknown): string {
  return Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
}

/** @throws PlanError naming every missing or mistyped field. */
export function checkRecoveryTargets(value: unknown, where: string): RecoveryTargets {
  if (!value || typeof value !== "object") throw new PlanError(`${where}: not an object`);
  const problems = REQUIRED.flatMap(([path, type]) => {
    const found = jsonType(at(value, path));
    return found === type ? [] : [`${path} (${type}, got ${found})`];
  });
  if (problems.length > 0) throw new PlanError(`${where}: missing or invalid ${problems.join(", ")}`);
  const database = databaseTargetsProblems(value as RecoveryTargets);
  if (database.length > 0) throw new PlanError(`${where}: ${database.join("; ")}`);
  // A cache the workflows act on (recovery/cacheSteps.ts): its ids and warm-up as the targets' checks want them.
  const cache = cacheTargetsProblems(value as RecoveryTargets);
  if (cache.length > 0) throw new PlanError(`${where}: ${cache.join("; ")}`);
  return value as RecoveryTargets;
}

/** The DR resource prefix: the one whose `<prefix>-<workflow>` names all three state machines; the topic's name breaks ties. */
function findStateMachines(plan: PlanLike, targets: RecoveryTargets): { prefix: string; byWorkflow: Record<Workflow, PlanLike["resources"][number]> } {
  const machines = plan.resources.filter((resource) => resource.type === STATE_MACHINE_TYPE);
  if (machines.length === 0) {
    throw new PlanError(`the DR plan (stack ${plan.stack}) has no ${STATE_MACHINE_TYPE} resource: the DR stack does not deploy the recovery workflows yet`);
  }
  const nameOf = (resource: PlanLike["resources"][number]) => resource.inputs?.name;
  const prefixes = new Set(
    machines.flatMap((resource) => {
      const name = nameOf(resource);
      return typeof name === "string" && name.endsWith("-failover") ? [name.slice(0, -"-failover".length)] : [];
    }),
  );
  const complete = [...prefixes].filter((prefix) => WORKFLOWS.every((workflow) => machines.some((resource) => nameOf(resource) === `${prefix}-${workflow}`)));
  const topicName = targets.topicArn.split(":").pop() ?? "";
  const prefix = complete.length === 1 ? complete[0] : complete.find((candidate) => topicName === `${candidate}-recovery`);
  if (!prefix) {
    const names = machines.map((resource) => JSON.stringify(nameOf(resource))).join(", ");
    throw new PlanError(
      complete.length === 0
        ? `the DR plan has state machines named ${names}, not <prefix>-failover, <prefix>-failback and <prefix>-drill`
        : `the DR plan has several sets of recovery state machines (${complete.join(", ")}) and the topic ${topicName} matches none`,
    );
  }
  const byWorkflow = Object.fromEntries(
    WORKFLOWS.map((workflow) => [workflow, machines.find((resource) => nameOf(resource) === `${prefix}-${workflow}`)!]),
  ) as Record<Workflow, PlanLike["resources"][number]>;
  return { prefix, byWorkflow };
}

function parseDefinition(resource: PlanLike["resources"][number], workflow: Workflow): Definition {
  const raw = resource.inputs?.definition;
  let definition: unknown = raw;
  if (typeof raw === "string") {
    try {
      definition = JSON.parse(raw);
    } catch (error) {
      throw new PlanError(`state machine ${String(resource.inputs?.name)} (${workflow}): its definition is not JSON (${(error as Error).message})`);
    }
  }
  const candidate = definition as Partial<Definition> | undefined;
  if (!candidate || typeof candidate !== "object" || typeof candidate.StartAt !== "string" || !candidate.States || typeof candidate.States !== "object") {
    throw new PlanError(
      `state machine ${String(resource.inputs?.name)} (${workflow}): input definition is missing or has no StartAt/States (got ${jsonType(raw)})`,
    );
  }
  return candidate as Definition;
}

/**
 * The recovery targets and the three definitions of a synthesized DR plan.
 * @throws PlanError when the plan has no `outputs.recoveryTargets`, no or incomplete state machines, or an unreadable definition.
 */
export function recoveryFromPlan(drPlan: PlanLike): {
  targets: RecoveryTargets;
  definitions: Record<Workflow, Definition>;
  stateMachineNames: Record<Workflow, string>;
} {
  if (!drPlan || !Array.isArray(drPlan.resources) || !drPlan.outputs) throw new PlanError("not a stack plan: it needs resources and outputs");
  if (drPlan.outputs.recoveryTargets === undefined) {
    throw new PlanError(`the DR plan (stack ${drPlan.stack}) has no outputs.recoveryTargets: the DR stack does not export its recovery targets yet`);
  }
  const targets = checkRecoveryTargets(drPlan.outputs.recoveryTargets, "outputs.recoveryTargets");
  const { byWorkflow } = findStateMachines(drPlan, targets);
  const definitions = Object.fromEntries(WORKFLOWS.map((workflow) => [workflow, parseDefinition(byWorkflow[workflow], workflow)])) as Record<
    Workflow,
    Definition
  >;
  const stateMachineNames = Object.fromEntries(WORKFLOWS.map((workflow) => [workflow, String(byWorkflow[workflow].inputs.name)])) as Record<Workflow, string>;
  return { targets, definitions, stateMachineNames };
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Physical parameters of the plan: durations that replace the defaults, facts for the simulated
 * world, and a note per parameter saying where it came from.
 */
export function physicsFromPlan(drPlan: PlanLike, targets: RecoveryTargets): { durations: Partial<Durations>; facts: PlanFacts; notes: string[] } {
  const durations: Partial<Durations> = {};
  const facts: PlanFacts = {};
  const notes: string[] = [];
  const ofType = (type: string) => drPlan.resources.filter((resource) => resource.type === type);

  const targetGroups = ofType(TARGET_GROUP_TYPE);
  const targetGroup =
    targetGroups.find((resource) => resource.outputs?.arn === targets.drTargetGroupArn) ?? (targetGroups.length === 1 ? targetGroups[0] : undefined);
  const check = targetGroup?.inputs?.healthCheck as Record<string, unknown> | undefined;
  if (targetGroup) {
    // ELB's defaults for an HTTP target group when the plan sets none (ELB User Guide, "Health checks for your target groups").
    durations.targetHealthCheckIntervalSeconds = positive(check?.interval) ?? 30;
    durations.targetHealthyThreshold = positive(check?.healthyThreshold) ?? 5;
    durations.targetUnhealthyThreshold = positive(check?.unhealthyThreshold) ?? 2;
    // ELB's default deregistration delay is 300 s (ELB User Guide, "Target groups for your Application Load Balancers").
    durations.deregistrationDelaySeconds = typeof targetGroup.inputs?.deregistrationDelay === "number" ? targetGroup.inputs.deregistrationDelay : 300;
    notes.push(
      `DR target group health check from ${targetGroup.name}: ${durations.targetHealthyThreshold} x ${durations.targetHealthCheckIntervalSeconds} s to healthy, ${durations.targetUnhealthyThreshold} to unhealthy; deregistration delay ${durations.deregistrationDelaySeconds} s`,
    );
  } else {
    notes.push(
      `no DR target group in the plan: health check ${DEFAULT_DURATIONS.targetHealthyThreshold} x ${DEFAULT_DURATIONS.targetHealthCheckIntervalSeconds} s (this program's default)`,
    );
  }

  const healthChecks = ofType(HEALTH_CHECK_TYPE);
  const recordCheck = healthChecks.find((resource) => resource.id === targets.dns.healthCheckId) ?? (healthChecks.length === 1 ? healthChecks[0] : undefined);
  // The record's check combines the endpoint's with the fence (components/failoverRouting.ts): detection is the endpoint's.
  const children = (recordCheck?.inputs?.childHealthchecks as string[] | undefined) ?? [];
  const healthCheck =
    recordCheck?.inputs?.type === "CALCULATED"
      ? healthChecks.find((resource) => children.includes(String(resource.id)) && resource.inputs?.type !== "CLOUDWATCH_METRIC")
      : recordCheck;
  if (healthCheck) {
    // Route 53's defaults: RequestInterval 30 s, FailureThreshold 3 (Route 53 API Reference, HealthCheckConfig).
    durations.route53HealthCheckIntervalSeconds = positive(healthCheck.inputs?.requestInterval) ?? 30;
    durations.route53FailureThreshold = positive(healthCheck.inputs?.failureThreshold) ?? 3;
    notes.push(
      `Route 53 health check from ${healthCheck.name}: ${durations.route53FailureThreshold} failures x ${durations.route53HealthCheckIntervalSeconds} s to unhealthy`,
    );
  } else {
    notes.push(
      `no Route 53 health check in the plan: ${DEFAULT_DURATIONS.route53FailureThreshold} x ${DEFAULT_DURATIONS.route53HealthCheckIntervalSeconds} s (this program's default)`,
    );
  }

  const secondary = ofType(RECORD_TYPE).find((resource) => {
    const policies = resource.inputs?.failoverRoutingPolicies as { type?: string }[] | undefined;
    return resource.inputs?.zoneId === targets.dns.hostedZoneId && policies?.some((policy) => policy.type === "SECONDARY");
  });
  if (typeof secondary?.inputs?.setIdentifier === "string") facts.secondarySetIdentifier = secondary.inputs.setIdentifier;

  const routing = routingFromPlan(drPlan, targets);
  if (routing) {
    facts.routing = routing;
    notes.push(`Route 53 failover records and health checks from the plan: ${describeRouting(routing)}`);
  } else {
    notes.push("no failover records in the plan: the default routing (healthChecks.ts defaultRouting)");
  }
  const drName = ofType(RECORD_TYPE).find(
    (resource) =>
      resource.inputs?.zoneId === targets.databaseName.drZoneId &&
      normalizeName(String(resource.inputs?.name ?? "")) === normalizeName(targets.databaseName.fqdn),
  );
  const drNameValue = (drName?.inputs?.records as unknown[] | undefined)?.[0];
  if (typeof drNameValue === "string") facts.drDatabaseName = drNameValue;

  const replica = ofType(RDS_INSTANCE_TYPE).find(
    (resource) => resource.outputs?.arn === targets.replica.arn || resource.outputs?.identifier === targets.replica.identifier,
  );
  if (typeof replica?.outputs?.address === "string") facts.replicaAddress = replica.outputs.address;

  // The engine and heartbeat period, from the DR replication heartbeat function's environment (components/replicationHeartbeat.ts).
  const heartbeat = ofType(LAMBDA_FUNCTION_TYPE).find((resource) => resource.outputs?.arn === targets.heartbeat?.drFunctionArn);
  const environment = (heartbeat?.inputs?.environment as { variables?: Record<string, string> } | undefined)?.variables;
  if (environment?.DATABASE_ENGINE === "postgres" || environment?.DATABASE_ENGINE === "mysql") {
    facts.engine = environment.DATABASE_ENGINE;
    durations.heartbeatIntervalSeconds = positive(Number(environment.HEARTBEAT_INTERVAL_SECONDS)) ?? DEFAULT_DURATIONS.heartbeatIntervalSeconds;
    notes.push(`replication heartbeat from ${heartbeat?.name}: ${facts.engine}, every ${durations.heartbeatIntervalSeconds} s`);
  } else if (engineModeOf(targets) === "instance") {
    notes.push(
      `no replication heartbeat function in the plan: ${targets.heartbeat ? "its engine is unknown, modeled as postgres" : "planned switchover and failback cannot prove catch-up"}`,
    );
  }

  // Aurora-global mode: the clusters' endpoints (aws:rds/cluster:Cluster outputs endpoint and readerEndpoint).
  const aurora = auroraGlobalOf(targets);
  if (aurora) {
    const clusterOf = (arn: string, identifier: string) =>
      ofType(RDS_CLUSTER_TYPE).find((resource) => resource.outputs?.arn === arn || resource.outputs?.clusterIdentifier === identifier);
    const dr = clusterOf(aurora.drClusterArn, aurora.drClusterIdentifier);
    if (typeof dr?.outputs?.endpoint === "string") facts.drClusterEndpoint = dr.outputs.endpoint;
    if (typeof dr?.outputs?.readerEndpoint === "string") facts.drClusterReaderEndpoint = dr.outputs.readerEndpoint;
  }
  return { durations, facts, notes };
}

/** The whole system of a synthesized DR plan. @throws PlanError */
export function systemFromPlan(drPlan: PlanLike, source: string): RecoverySystem {
  const { targets, definitions, stateMachineNames } = recoveryFromPlan(drPlan);
  const physics = physicsFromPlan(drPlan, targets);
  return {
    targets,
    definitions,
    stateMachineArns: stateMachineArnsFor(targets, stateMachineNames),
    durations: { ...DEFAULT_DURATIONS, ...physics.durations },
    facts: physics.facts,
    source,
    notes: physics.notes,
  };
}

/** One line per record: `PRIMARY -> <check> (evaluateTargetHealth false)`, checks in words. */
function describeRouting(routing: RoutingSpec): string {
  const byId = new Map(routing.healthChecks.map((check) => [check.id, check]));
  const words = (id: string | undefined): string => {
    const check = id === undefined ? undefined : byId.get(id);
    if (!check) return "no health check";
    const not = check.inverted ? "NOT " : "";
    if (check.type === "CALCULATED") return `${not}${check.threshold} of [${check.children.map(words).join(", ")}]`;
    if (check.type === "CLOUDWATCH_METRIC") return `${not}alarm ${check.alarmName} (${check.alarmRegion}, no data: ${check.insufficientData})`;
    return `${not}${check.type} ${check.fqdn} (${check.failureThreshold} x ${check.intervalSeconds} s)`;
  };
  return routing.records
    .map((record) => `${record.role} -> ${words(record.healthCheckId)}, evaluateTargetHealth ${record.alias.evaluateTargetHealth}`)
    .join("; ");
}

/**
 * The public zone's failover records of the application name and the Route 53 health checks they use,
 * read from a plan's `aws:route53/record:Record` (zoneId, name, failoverRoutingPolicies, setIdentifier,
 * aliases, healthCheckId) and `aws:route53/healthCheck:HealthCheck` resources (the record's
 * healthCheckId is the check's resource id; inputs type, fqdn, requestInterval, failureThreshold,
 * invertHealthcheck, cloudwatchAlarmName, cloudwatchAlarmRegion, insufficientDataHealthStatus,
 * childHealthchecks, childHealthThreshold). Route 53's defaults where the plan sets none:
 * RequestInterval 30, FailureThreshold 3 (Route 53 API Reference, HealthCheckConfig).
 * @returns undefined when the plan has no failover record of the application name.
 * @throws PlanError for a check the drill cannot model: an endpoint given by IP address, an unknown
 *   type, a CLOUDWATCH_METRIC check without its alarm, a CALCULATED check without its children or
 *   threshold, a record without an alias, or a record naming a check the plan does not have.
 */
export function routingFromPlan(drPlan: PlanLike, targets: RecoveryTargets): RoutingSpec | undefined {
  const records = drPlan.resources.filter((resource) => {
    const policies = resource.inputs?.failoverRoutingPolicies as { type?: string }[] | undefined;
    return (
      resource.type === RECORD_TYPE &&
      resource.inputs?.zoneId === targets.dns.hostedZoneId &&
      normalizeName(String(resource.inputs?.name ?? "")) === normalizeName(targets.dns.applicationName) &&
      Array.isArray(policies) &&
      policies.length > 0
    );
  });
  if (records.length === 0) return undefined;
  const checks = new Map<string, HealthCheckSpec>();
  const resources = drPlan.resources.filter((resource) => resource.type === HEALTH_CHECK_TYPE);
  const checkOf = (id: string, usedBy: string): void => {
    if (checks.has(id)) return;
    const resource = resources.find((candidate) => candidate.id === id);
    if (!resource) throw new PlanError(`${usedBy} names health check ${id}, which the plan does not have`);
    const inputs = resource.inputs ?? {};
    const type = String(inputs.type);
    const inverted = inputs.invertHealthcheck === true;
    const where = `health check ${resource.name} (${id})`;
    if ((ENDPOINT_CHECK_TYPES as readonly string[]).includes(type)) {
      if (typeof inputs.fqdn !== "string") throw new PlanError(`${where}: an endpoint check without fqdn (by IP address) is not modelled`);
      checks.set(id, {
        id,
        type: type as (typeof ENDPOINT_CHECK_TYPES)[number],
        fqdn: inputs.fqdn,
        intervalSeconds: positive(inputs.requestInterval) ?? 30,
        failureThreshold: positive(inputs.failureThreshold) ?? 3,
        inverted,
      });
    } else if (type === "CLOUDWATCH_METRIC") {
      if (typeof inputs.cloudwatchAlarmName !== "string" || typeof inputs.cloudwatchAlarmRegion !== "string") {
        throw new PlanError(`${where}: CLOUDWATCH_METRIC needs cloudwatchAlarmName and cloudwatchAlarmRegion`);
      }
      const status = inputs.insufficientDataHealthStatus ?? "LastKnownStatus";
      if (status !== "Healthy" && status !== "Unhealthy" && status !== "LastKnownStatus") {
        throw new PlanError(`${where}: insufficientDataHealthStatus must be Healthy, Unhealthy or LastKnownStatus, got ${JSON.stringify(status)}`);
      }
      checks.set(id, {
        id,
        type: "CLOUDWATCH_METRIC",
        alarmName: inputs.cloudwatchAlarmName,
        alarmRegion: inputs.cloudwatchAlarmRegion,
        insufficientData: status as InsufficientDataStatus,
        inverted,
      });
    } else if (type === "CALCULATED") {
      const children = inputs.childHealthchecks;
      const threshold = inputs.childHealthThreshold;
      if (!Array.isArray(children) || !children.every((child) => typeof child === "string") || typeof threshold !== "number") {
        throw new PlanError(`${where}: CALCULATED needs childHealthchecks (ids) and childHealthThreshold`);
      }
      checks.set(id, { id, type: "CALCULATED", children: children as string[], threshold, inverted });
      for (const child of children as string[]) checkOf(child, where);
    } else {
      throw new PlanError(`${where}: type ${JSON.stringify(inputs.type)} is not modelled (HTTP, HTTPS, *_STR_MATCH, TCP, CLOUDWATCH_METRIC, CALCULATED)`);
    }
  };
  const specs: FailoverRecordSpec[] = records.map((resource) => {
    const role = (resource.inputs.failoverRoutingPolicies as { type?: string }[])[0].type;
    if (role !== "PRIMARY" && role !== "SECONDARY")
      throw new PlanError(`record ${resource.name}: failover type ${JSON.stringify(role)} is not PRIMARY or SECONDARY`);
    const alias = (resource.inputs.aliases as { name?: unknown; zoneId?: unknown; evaluateTargetHealth?: unknown }[] | undefined)?.[0];
    if (!alias || typeof alias.name !== "string" || typeof alias.zoneId !== "string") {
      throw new PlanError(`record ${resource.name}: a failover record of the application name without an alias is not modelled`);
    }
    const healthCheckId = resource.inputs.healthCheckId;
    if (healthCheckId !== undefined) checkOf(String(healthCheckId), `record ${resource.name}`);
    return {
      role,
      setIdentifier: String(resource.inputs.setIdentifier ?? role.toLowerCase()),
      alias: { dnsName: alias.name, zoneId: alias.zoneId, evaluateTargetHealth: alias.evaluateTargetHealth === true },
      ...(healthCheckId !== undefined ? { healthCheckId: String(healthCheckId) } : {}),
    };
  });
  return { healthChecks: [...checks.values()], records: specs, source: `the plan of stack ${drPlan.stack}` };
}
