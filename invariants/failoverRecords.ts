/**
 * DR invariant 4 (checks.md): per name and type exactly one PRIMARY and one SECONDARY failover
 * record in the same zone with distinct set identifiers; the PRIMARY has a health check; each alias
 * points at its own region's ALB; the health check probes the primary ALB's protocol, port and
 * `/health`; interval x failure threshold (plus the alias TTL) fits the RTO.
 *
 * The PRIMARY alias does not evaluate target health: its health check is the one signal for DNS and
 * for the failover alarm. With both, Route 53 needs both to pass (Route 53 Developer Guide, "What
 * happens when you associate a health check with an alias record?"), and a fail-open ALB (every
 * target unhealthy, still routed to) leaves the check and its alarm healthy while DNS answers the
 * unpromoted DR region.
 *
 * The SECONDARY does not evaluate target health either: it carries a CALCULATED check healthy when
 * one child is (threshold 1), the DR ALB's `/health` through its forwarding listener, or the PRIMARY's
 * fence alarm inverted (healthy while fenced; components/failoverRouting.ts). When the SECONDARY is
 * unhealthy Route 53 answers the PRIMARY whatever its health (API Reference, ResourceRecordSet
 * `Failover`): without this, a DR tier with no healthy target after a failover sends users to the old
 * primary as soon as its region returns.
 *
 * With an ARC Region switch plan (`recovery.orchestrator: region-switch`) the plan's Route 53 health
 * checks take the fence's place (components/failoverRouting.ts `planHealthChecks`): the PRIMARY's
 * calculated check is the primary endpoint check AND the plan's primary-region check (threshold 2), the
 * SECONDARY's the DR endpoint check OR the plan's DR-region check (threshold 1). The plan's checks are not
 * resources of the stack (Region switch creates them: ListRoute53HealthChecks, the provider's
 * `getRoute53HealthChecks`); the DR stack's `regionSwitchPlan` output names them per region
 * (`healthCheckIds`). For an active/passive plan "the primary Region's health check starts healthy; the
 * passive Region starts unhealthy. When you use the Route53 health check execution block to failover, these
 * states flip" (ARC Developer Guide, "Amazon Route 53 health check execution block", "How the Route 53
 * health check execution block works"), and a failback flips them back. So: before any execution the
 * PRIMARY goes by its endpoint and the SECONDARY by the DR ALB (an endpoint failure fails over as without
 * a plan); an executed failover makes the PRIMARY unhealthy and the SECONDARY healthy whatever either
 * endpoint says (the old primary stays out when its region returns); a failback restores the start.
 * State changes are Route 53 data-plane operations driven from the activated region (same page: "There is
 * no control plane dependency to Route53 health check state changes").
 */
import { failoverDetectionProblem } from "../config/rules";
import { DEFAULT_HEALTH_PATH, healthPathOf } from "../config/appDefinition";
import { aliasTarget, conflictsWithGroup, dnsName, primaryProbeTarget, probePort, probeProtocol } from "./route53";
import { forwardsHealthPath, type RuleInputs } from "./listenerRules";
import { type InvariantResult, LOAD_BALANCER, type PlanPair, resourcesOfType, ROUTE53_HEALTH_CHECK, ROUTE53_RECORD } from "./plan";

/** Pulumi type of an ALB listener: the DR endpoint check must probe one that forwards to the app. */
export const LOAD_BALANCER_LISTENER = "aws:lb/listener:Listener";
/** Pulumi type of an ALB listener rule: behind the edge the health listener forwards the health path by one (invariants/listenerRules.ts). */
export const LOAD_BALANCER_LISTENER_RULE = "aws:lb/listenerRule:ListenerRule";
/** Health-check types that probe an endpoint (Route 53 API Reference, HealthCheckConfig `Type`). */
export const ENDPOINT_CHECK_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import { REGION_SWITCH_PLAN } from "./regionSwitch";

/**
 * The ARC Region switch plan's health check ids (module comment), when the DR stack declares a plan:
 * `primary` the primary region's, `secondary` the DR region's, from the `regionSwitchPlan` output's
 * `healthCheckIds` (each undefined when the output does not name it). Undefined without a plan.
 */
export interface PlanHealthCheckIds {
  primary?: string;
  secondary?: string;
}

/** The plan's health checks of the DR stack `dr` (`PlanHealthCheckIds`), or undefined when it declares no Region switch plan. */
export function planHealthCheckIdsOf(dr: StackPlan): PlanHealthCheckIds | undefined {
  if (!dr.resources.some((resource) => resource.type === REGION_SWITCH_PLAN)) return undefined;
  const ids = (dr.outputs.regionSwitchPlan as { healthCheckIds?: Record<string, unknown> } | undefined)?.healthCheckIds;
  const idOf = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return { primary: idOf(ids?.primary), secondary: idOf(ids?.secondary) };
}

/** The inputs of a Route 53 failover record that the invariant and the policy pack read. */
export interface FailoverRecordInputs {
  zoneId?: string;
  name?: string;
  type?: string;
  setIdentifier?: string;
  healthCheckId?: string;
  failoverRoutingPolicies?: { type?: string }[];
  aliases?: { name?: string; zoneId?: string; evaluateTargetHealth?: boolean }[];
}

export function checkFailoverRecords({ primary, dr }: PlanPair): InvariantResult {
  const violations: string[] = [];
  const records = [...primary.resources, ...dr.resources].filter((resource) => resource.type === ROUTE53_RECORD);
  const failoverRecords = records.filter((record) => ((record.inputs as FailoverRecordInputs).failoverRoutingPolicies ?? []).length > 0);
  const groups = new Map<string, typeof failoverRecords>();
  for (const record of failoverRecords) {
    const inputs = record.inputs as FailoverRecordInputs;
    const key = `${inputs.zoneId}|${inputs.name}|${inputs.type}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  if (groups.size === 0) violations.push("no failover records: the application name has no PRIMARY/SECONDARY pair");
  const primaryAlb = String(primary.outputs.albDnsName);
  const drAlbs = resourcesOfType(dr, LOAD_BALANCER).map((alb) => String(alb.outputs.dnsName));
  const healthChecks = resourcesOfType(dr, ROUTE53_HEALTH_CHECK);
  const rtoSeconds = Number(dr.outputs.rtoSeconds);
  const planChecks = planHealthCheckIdsOf(dr);

  for (const [key, group] of groups) {
    const [zoneId, name, type] = key.split("|");
    const ofRole = (role: string) => group.filter((record) => (record.inputs as FailoverRecordInputs).failoverRoutingPolicies?.[0]?.type === role);
    const primaries = ofRole("PRIMARY");
    const secondaries = ofRole("SECONDARY");
    if (primaries.length !== 1 || secondaries.length !== 1) {
      violations.push(
        `${name} ${type} in ${zoneId}: has ${primaries.length} PRIMARY and ${secondaries.length} SECONDARY records; exactly one of each is needed`,
      );
    }
    const identifiers = group.map((record) => (record.inputs as FailoverRecordInputs).setIdentifier);
    if (identifiers.some((id) => !id) || new Set(identifiers).size !== identifiers.length) {
      violations.push(`${name} ${type}: set identifiers must be present and distinct, got ${JSON.stringify(identifiers)}`);
    }
    const otherPolicies = records.filter((record) => !group.includes(record) && conflictsWithGroup(record.inputs as FailoverRecordInputs, zoneId, name, type));
    if (otherPolicies.length > 0)
      violations.push(`${name}: also has non-failover records (${otherPolicies.map((record) => record.name).join(", ")}); a name cannot mix routing policies`);
    for (const record of group) {
      const inputs = record.inputs as FailoverRecordInputs;
      const alias = inputs.aliases?.[0];
      const role = inputs.failoverRoutingPolicies?.[0]?.type;
      if (!alias) violations.push(`${record.name}: must be an alias to the load balancer`);
      else if (role === "PRIMARY" && alias.evaluateTargetHealth !== false)
        violations.push(`${record.name}: the PRIMARY alias must not evaluate target health (evaluateTargetHealth false); its health check is the one signal`);
      else if (role === "SECONDARY" && alias.evaluateTargetHealth !== false)
        violations.push(
          `${record.name}: the SECONDARY alias must not evaluate target health (evaluateTargetHealth false): with its health check both must pass, so a DR tier with no healthy target would make Route 53 answer the fenced old primary`,
        );
      if (role === "PRIMARY" && aliasTarget(alias?.name) !== dnsName(primaryAlb))
        violations.push(`${record.name}: PRIMARY alias ${alias?.name} is not the primary ALB ${primaryAlb}`);
      if (role === "SECONDARY" && !drAlbs.map(dnsName).includes(aliasTarget(alias?.name)))
        violations.push(`${record.name}: SECONDARY alias ${alias?.name} is not the DR ALB (${drAlbs.join(", ")})`);
    }
    let primaryFence: PlannedResource | undefined;
    for (const record of primaries) {
      const healthCheckId = (record.inputs as FailoverRecordInputs).healthCheckId;
      const recordCheck = healthChecks.find((check) => check.id === healthCheckId);
      if (!recordCheck) {
        violations.push(`${record.name}: the PRIMARY record has no health check of the DR stack (healthCheckId ${healthCheckId ?? "unset"})`);
        continue;
      }
      const {
        endpoint: healthCheck,
        fence,
        problems: fenceProblems,
      } = planChecks ? planGatedProblems(recordCheck, healthChecks, "PRIMARY", planChecks) : endpointAndFence(recordCheck, healthChecks, String(dr.region));
      primaryFence ??= fence;
      violations.push(...fenceProblems);
      if (!healthCheck) continue;
      const check = healthCheck.inputs as {
        type?: string;
        fqdn?: string;
        port?: number;
        resourcePath?: string;
        requestInterval?: number;
        failureThreshold?: number;
        disabled?: boolean;
        invertHealthcheck?: boolean;
      };
      // Route 53 treats a disabled check as healthy and an inverted one as healthy when the endpoint is down: no failover either way.
      if (check.disabled === true) violations.push(`${healthCheck.name}: is disabled; the PRIMARY would never fail over`);
      if (check.invertHealthcheck === true)
        violations.push(`${healthCheck.name}: invertHealthcheck is true; failover would happen only while the primary is healthy`);
      // Behind the edge the health listener (HTTP 80), else the app listener (primaryProbeTarget).
      const target = primaryProbeTarget(primary.outputs);
      const probed: [string, unknown, unknown][] = [
        ["type", probeProtocol(check.type), target.protocol],
        ["fqdn", dnsName(check.fqdn), dnsName(primaryAlb)],
        ["port", probePort(check), target.port],
        ["resourcePath", check.resourcePath, healthPathOf(primary.outputs as { app?: { definition: { healthPath: string } } })],
      ];
      for (const [field, actual, value] of probed) {
        if (actual !== value) {
          violations.push(`${healthCheck.name}: ${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)} (the primary ALB's)`);
        }
      }
      const detectionProblem = failoverDetectionProblem(Number(check.requestInterval), Number(check.failureThreshold), rtoSeconds);
      if (detectionProblem) violations.push(`${healthCheck.name}: ${detectionProblem}`);
    }
    for (const record of secondaries) {
      const healthCheckId = (record.inputs as FailoverRecordInputs).healthCheckId;
      const recordCheck = healthChecks.find((check) => check.id === healthCheckId);
      if (!recordCheck) {
        violations.push(
          `${record.name}: the SECONDARY record has no health check of the DR stack (healthCheckId ${healthCheckId ?? "unset"}): it needs the DR ALB's check or the inverted fence, or Route 53 answers the old primary when the DR tier is unhealthy`,
        );
        continue;
      }
      const alb = resourcesOfType(dr, LOAD_BALANCER).find(
        (candidate) => dnsName(candidate.outputs.dnsName) === aliasTarget((record.inputs as FailoverRecordInputs).aliases?.[0]?.name),
      );
      if (planChecks) {
        const { endpoint, problems } = planGatedProblems(recordCheck, healthChecks, "SECONDARY", planChecks);
        violations.push(
          ...problems,
          ...(endpoint
            ? drEndpointProblems(
                endpoint,
                alb,
                resourcesOfType(dr, LOAD_BALANCER_LISTENER),
                resourcesOfType(dr, LOAD_BALANCER_LISTENER_RULE),
                healthPathOf(primary.outputs as { app?: { definition: { healthPath: string } } }),
              )
            : []),
        );
        continue;
      }
      violations.push(
        ...secondaryCheckProblems(
          recordCheck,
          healthChecks,
          String(dr.region),
          primaryFence,
          alb,
          resourcesOfType(dr, LOAD_BALANCER_LISTENER),
          healthPathOf(primary.outputs as { app?: { definition: { healthPath: string } } }),
          resourcesOfType(dr, LOAD_BALANCER_LISTENER_RULE),
        ),
      );
    }
  }
  return {
    id: 4,
    title:
      "Route 53 failover pair: one PRIMARY going by its matching, fenced health check alone, one SECONDARY healthy while the DR ALB answers or the primary is fenced, own-region ALBs, detection within the RTO (4)",
    violations,
  };
}

/**
 * With a Region switch plan (module comment), a failover record's calculated check: exactly two children,
 * one endpoint check of the stack and the plan's check of the record's region (not a resource of the
 * stack); the PRIMARY needs both (childHealthThreshold 2: the endpoint AND the plan's primary-region
 * check), the SECONDARY either (childHealthThreshold 1: the DR endpoint OR the plan's DR-region check).
 * The other region's plan check in its place is reported: on the PRIMARY it would keep traffic off the
 * primary until a failover and let it back once failed over; on the SECONDARY it would make the DR region
 * healthy before any failover and unhealthy after one.
 * @returns the endpoint child (to judge as without a plan) and one message per problem.
 */
export function planGatedProblems(
  recordCheck: PlannedResource,
  healthChecks: PlannedResource[],
  role: "PRIMARY" | "SECONDARY",
  planChecks: PlanHealthCheckIds,
): { endpoint?: PlannedResource; fence?: undefined; problems: string[] } {
  const inputs = recordCheck.inputs as { type?: string; childHealthchecks?: string[]; childHealthThreshold?: number };
  const [own, other, threshold, verb] =
    role === "PRIMARY"
      ? [planChecks.primary, planChecks.secondary, 2, "AND the plan's primary-region check"]
      : [planChecks.secondary, planChecks.primary, 1, "OR the plan's DR-region check"];
  const shape = `the ${role === "PRIMARY" ? "primary" : "DR"} endpoint check ${verb} (childHealthThreshold ${threshold})`;
  if (inputs.type !== "CALCULATED")
    return { problems: [`${recordCheck.name}: the ${role} record's health check is ${JSON.stringify(inputs.type)}, not CALCULATED over ${shape}`] };
  const problems: string[] = [];
  if (own === undefined)
    problems.push(
      `${recordCheck.name}: the DR stack's regionSwitchPlan output names no plan health check of the ${role === "PRIMARY" ? "primary" : "DR"} region (healthCheckIds), so the ${role} record cannot be shown to follow the plan`,
    );
  const declared = inputs.childHealthchecks ?? [];
  const ofStack = declared.map((id) => healthChecks.find((check) => check.id === id));
  const endpoints = ofStack.filter((child): child is PlannedResource => child !== undefined && ENDPOINT_CHECK_TYPES.includes(String(child.inputs.type)));
  const planChildren = declared.filter((_, index) => ofStack[index] === undefined);
  if (inputs.childHealthThreshold !== threshold)
    problems.push(`${recordCheck.name}: childHealthThreshold is ${JSON.stringify(inputs.childHealthThreshold)}, expected ${threshold}: ${shape}`);
  if (declared.length !== 2 || endpoints.length !== 1 || (own !== undefined && (planChildren.length !== 1 || planChildren[0] !== own)))
    problems.push(
      `${recordCheck.name}: has ${declared.length} children (${endpoints.length} endpoint of the stack, ${planChildren.length} not of the stack: ${JSON.stringify(planChildren)}), expected 2: ${shape}${own ? ` (${own})` : ""}`,
    );
  if (other !== undefined && declared.includes(other))
    problems.push(
      `${recordCheck.name}: has the plan's check of the other region (${other}); the ${role} record must follow its own region's check, or the plan's failover moves traffic the wrong way`,
    );
  return { ...(endpoints.length === 1 ? { endpoint: endpoints[0] } : {}), problems };
}

/**
 * The PRIMARY record's health check must be CALCULATED, healthy only while all its children are: the
 * endpoint's HTTP(S) check of the primary ALB, and the fence, a CLOUDWATCH_METRIC check of an alarm in
 * the DR region with InsufficientDataHealthStatus LastKnownStatus (components/failoverRouting.ts). Without
 * the fence a failover cannot hold traffic in the DR region without a Route 53 record change (a control
 * plane homed in us-east-1), nor keep the old primary out when its region returns.
 */
export function endpointAndFence(
  recordCheck: PlannedResource,
  healthChecks: PlannedResource[],
  drRegion: string,
): { endpoint?: PlannedResource; fence?: PlannedResource; problems: string[] } {
  const inputs = recordCheck.inputs as { type?: string; childHealthchecks?: string[]; childHealthThreshold?: number };
  if (inputs.type !== "CALCULATED") {
    return {
      endpoint: recordCheck,
      problems: [
        `${recordCheck.name}: the PRIMARY record's health check has no fence (a CALCULATED check of the endpoint and a CLOUDWATCH_METRIC fence in ${drRegion}): a failover could not hold traffic in the DR region without a Route 53 record change, nor keep the old primary out when its region returns`,
      ],
    };
  }
  const children = (inputs.childHealthchecks ?? []).map((id) => healthChecks.find((check) => check.id === id));
  const problems: string[] = [];
  if (children.some((child) => child === undefined)) problems.push(`${recordCheck.name}: a child health check is not a health check of the DR stack`);
  const found = children.filter((child): child is PlannedResource => child !== undefined);
  if (inputs.childHealthThreshold !== (inputs.childHealthchecks ?? []).length) {
    problems.push(
      `${recordCheck.name}: childHealthThreshold is ${JSON.stringify(inputs.childHealthThreshold)}, expected ${(inputs.childHealthchecks ?? []).length}: every child (the endpoint and the fence) must be healthy for the PRIMARY to answer`,
    );
  }
  const endpoints = found.filter((child) => ENDPOINT_CHECK_TYPES.includes(String(child.inputs.type)));
  const fences = found.filter((child) => child.inputs.type === "CLOUDWATCH_METRIC");
  if (endpoints.length !== 1) problems.push(`${recordCheck.name}: has ${endpoints.length} endpoint checks among its children, expected 1 (the primary ALB's)`);
  if (fences.length !== 1) problems.push(`${recordCheck.name}: has ${fences.length} fence checks (CLOUDWATCH_METRIC) among its children, expected 1`);
  for (const fence of fences) {
    if (fence.inputs.cloudwatchAlarmRegion !== drRegion)
      problems.push(
        `${fence.name}: the fence's alarm is in ${String(fence.inputs.cloudwatchAlarmRegion)}, not the DR region ${drRegion}: the DR region must flip it alone`,
      );
    if (fence.inputs.insufficientDataHealthStatus !== "LastKnownStatus")
      problems.push(
        `${fence.name}: insufficientDataHealthStatus is ${JSON.stringify(fence.inputs.insufficientDataHealthStatus)}, expected LastKnownStatus: the fence is one datapoint, then no data`,
      );
    // Inverted, the fence would fence the primary until a failover; disabled, Route 53 considers it healthy and it never fences.
    if (fence.inputs.invertHealthcheck === true)
      problems.push(`${fence.name}: the PRIMARY's fence is inverted: it would keep traffic off the primary until a failover and let it back once fenced`);
    if (fence.inputs.disabled === true)
      problems.push(`${fence.name}: the PRIMARY's fence is disabled: Route 53 considers it healthy and a failover cannot fence`);
  }
  return { ...(endpoints.length === 1 ? { endpoint: endpoints[0] } : {}), ...(fences.length === 1 ? { fence: fences[0] } : {}), problems };
}

/**
 * The SECONDARY record's health check (components/failoverRouting.ts) must be CALCULATED with
 * childHealthThreshold 1 over exactly two children: the DR ALB's endpoint check (fqdn the ALB the
 * SECONDARY aliases, the protocol and port of one of its listeners that forwards, `/health`, neither
 * inverted nor disabled), and the PRIMARY's fence alarm inverted (a CLOUDWATCH_METRIC check of the
 * same alarm name and region as `primaryFence`, `invertHealthcheck` true, LastKnownStatus). Route 53
 * answers the PRIMARY whenever the SECONDARY is unhealthy (API Reference, ResourceRecordSet
 * `Failover`); the inverted fence keeps the SECONDARY healthy from the failover until failback.
 *
 * @param primaryFence the PRIMARY record's fence check, when the PRIMARY's check has exactly one.
 * @param alb the DR load balancer the SECONDARY aliases, when it is one of the DR stack's.
 * @param listeners the DR stack's ALB listeners.
 * @param healthPath the app's health path, which the DR ALB's check asks (default `/health`).
 * @param rules the DR stack's listener rules: behind the edge the health listener forwards the health path by a rule alone.
 * @returns one message per problem; empty when the shape holds.
 */
export function secondaryCheckProblems(
  recordCheck: PlannedResource,
  healthChecks: PlannedResource[],
  drRegion: string,
  primaryFence: PlannedResource | undefined,
  alb: PlannedResource | undefined,
  listeners: PlannedResource[],
  healthPath: string = DEFAULT_HEALTH_PATH,
  rules: PlannedResource[] = [],
): string[] {
  const inputs = recordCheck.inputs as { type?: string; childHealthchecks?: string[]; childHealthThreshold?: number };
  if (inputs.type !== "CALCULATED")
    return [
      `${recordCheck.name}: the SECONDARY record's health check is ${JSON.stringify(inputs.type)}, not CALCULATED over the DR ALB's check and the inverted fence: once the primary is fenced it must stay healthy whatever the DR tier's state, or Route 53 answers the old primary`,
    ];
  const problems: string[] = [];
  const declared = inputs.childHealthchecks ?? [];
  const children = declared.map((id) => healthChecks.find((check) => check.id === id));
  if (children.some((child) => child === undefined)) problems.push(`${recordCheck.name}: a child health check is not a health check of the DR stack`);
  if (inputs.childHealthThreshold !== 1)
    problems.push(
      `${recordCheck.name}: childHealthThreshold is ${JSON.stringify(inputs.childHealthThreshold)}, expected 1: the SECONDARY is healthy when the DR ALB answers OR the primary is fenced`,
    );
  const found = children.filter((child): child is PlannedResource => child !== undefined);
  const endpoints = found.filter((child) => ENDPOINT_CHECK_TYPES.includes(String(child.inputs.type)));
  const fenced = found.filter((child) => child.inputs.type === "CLOUDWATCH_METRIC");
  if (declared.length !== 2 || endpoints.length !== 1 || fenced.length !== 1)
    problems.push(
      `${recordCheck.name}: has ${declared.length} children (${endpoints.length} endpoint, ${fenced.length} CLOUDWATCH_METRIC), expected 2: the DR ALB's endpoint check and the inverted fence`,
    );
  for (const check of fenced) {
    if (check.inputs.invertHealthcheck !== true)
      problems.push(
        `${check.name}: invertHealthcheck is ${JSON.stringify(check.inputs.invertHealthcheck)}, expected true: the SECONDARY's fence child must be healthy while the primary is fenced`,
      );
    if (!primaryFence) problems.push(`${check.name}: the PRIMARY has no single fence check to follow`);
    else if (
      check.inputs.cloudwatchAlarmName !== primaryFence.inputs.cloudwatchAlarmName ||
      check.inputs.cloudwatchAlarmRegion !== primaryFence.inputs.cloudwatchAlarmRegion
    )
      problems.push(
        `${check.name}: follows alarm ${String(check.inputs.cloudwatchAlarmName)} in ${String(check.inputs.cloudwatchAlarmRegion)}, not the PRIMARY's fence alarm ${String(primaryFence.inputs.cloudwatchAlarmName)} in ${String(primaryFence.inputs.cloudwatchAlarmRegion)}`,
      );
    if (check.inputs.cloudwatchAlarmRegion !== drRegion)
      problems.push(
        `${check.name}: the fence's alarm is in ${String(check.inputs.cloudwatchAlarmRegion)}, not the DR region ${drRegion}: the DR region must flip it alone`,
      );
    if (check.inputs.insufficientDataHealthStatus !== "LastKnownStatus")
      problems.push(
        `${check.name}: insufficientDataHealthStatus is ${JSON.stringify(check.inputs.insufficientDataHealthStatus)}, expected LastKnownStatus: the fence is one datapoint, then no data`,
      );
  }
  for (const endpoint of endpoints) problems.push(...drEndpointProblems(endpoint, alb, listeners, rules, healthPath));
  return problems;
}

/**
 * What is wrong with the DR ALB's endpoint check: its host, path, protocol and port (a listener of that ALB
 * forwarding the health path: by default, or behind the edge by a health-path rule, `forwardsHealthPath`),
 * inverted or disabled.
 */
function drEndpointProblems(
  endpoint: PlannedResource,
  alb: PlannedResource | undefined,
  listeners: PlannedResource[],
  rules: PlannedResource[],
  healthPath: string,
): string[] {
  const check = endpoint.inputs as { type?: string; fqdn?: string; port?: number; resourcePath?: string; disabled?: boolean; invertHealthcheck?: boolean };
  const problems: string[] = [];
  // A disabled check is healthy to Route 53, an inverted one healthy when the DR tier is down: either says nothing about the DR tier.
  if (check.disabled === true) problems.push(`${endpoint.name}: the DR ALB's check is disabled; Route 53 considers it healthy whatever the DR tier`);
  if (check.invertHealthcheck === true) problems.push(`${endpoint.name}: the DR ALB's check is inverted; it would be healthy while the DR tier is down`);
  if (check.resourcePath !== healthPath)
    problems.push(`${endpoint.name}: resourcePath is ${JSON.stringify(check.resourcePath)}, expected ${JSON.stringify(healthPath)} (the DR ALB's)`);
  if (!alb) return [...problems, `${endpoint.name}: the SECONDARY alias is not a load balancer of the DR stack, so its check cannot be matched to it`];
  if (dnsName(check.fqdn) !== dnsName(alb.outputs.dnsName))
    problems.push(`${endpoint.name}: fqdn is ${JSON.stringify(check.fqdn)}, expected the DR ALB ${String(alb.outputs.dnsName)} that the SECONDARY aliases`);
  // The listener that forwards to the app: an HTTP listener that redirects to HTTPS answers 301, which Route 53 counts healthy (200-399).
  const forwarding = listeners.filter(
    (listener) =>
      listener.inputs.loadBalancerArn === alb.outputs.arn &&
      (((listener.inputs.defaultActions as { type?: string }[] | undefined) ?? []).some((action) => action.type === "forward") ||
        rules.some((rule) => rule.inputs.listenerArn === listener.outputs.arn && forwardsHealthPath(rule.inputs as RuleInputs, healthPath))),
  );
  if (!forwarding.some((listener) => listener.inputs.protocol === probeProtocol(check.type) && listener.inputs.port === probePort(check)))
    problems.push(
      `${endpoint.name}: probes ${probeProtocol(check.type)} port ${String(probePort(check))}, not a listener of the DR ALB that forwards to the app (${forwarding.map((listener) => `${String(listener.inputs.protocol)} ${String(listener.inputs.port)}`).join(", ") || "none"})`,
    );
  return problems;
}
