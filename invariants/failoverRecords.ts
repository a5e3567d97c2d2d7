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
 * unpromoted DR region. The SECONDARY, with no health check, evaluates the DR ALB's target health.
 */
import { failoverDetectionProblem } from "../config/rules";
import { HEALTH_CHECK_PATH } from "../config/conventions";
import { aliasTarget, conflictsWithGroup, dnsName, probePort, probeProtocol } from "./route53";
import { type InvariantResult, LOAD_BALANCER, type PlanPair, resourcesOfType, ROUTE53_HEALTH_CHECK, ROUTE53_RECORD } from "./plan";
import type { PlannedResource } from "../synth/recordStack";

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
      else if (role === "SECONDARY" && alias.evaluateTargetHealth !== true)
        violations.push(`${record.name}: the SECONDARY alias must evaluate target health (evaluateTargetHealth true); it has no health check`);
      if (role === "PRIMARY" && aliasTarget(alias?.name) !== dnsName(primaryAlb))
        violations.push(`${record.name}: PRIMARY alias ${alias?.name} is not the primary ALB ${primaryAlb}`);
      if (role === "SECONDARY" && !drAlbs.map(dnsName).includes(aliasTarget(alias?.name)))
        violations.push(`${record.name}: SECONDARY alias ${alias?.name} is not the DR ALB (${drAlbs.join(", ")})`);
    }
    for (const record of primaries) {
      const healthCheckId = (record.inputs as FailoverRecordInputs).healthCheckId;
      const recordCheck = healthChecks.find((check) => check.id === healthCheckId);
      if (!recordCheck) {
        violations.push(`${record.name}: the PRIMARY record has no health check of the DR stack (healthCheckId ${healthCheckId ?? "unset"})`);
        continue;
      }
      const { endpoint: healthCheck, problems: fenceProblems } = endpointAndFence(recordCheck, healthChecks, String(dr.region));
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
      const probed: [string, unknown, unknown][] = [
        ["type", probeProtocol(check.type), primary.outputs.listenerProtocol],
        ["fqdn", dnsName(check.fqdn), dnsName(primaryAlb)],
        ["port", probePort(check), primary.outputs.listenerPort],
        ["resourcePath", check.resourcePath, HEALTH_CHECK_PATH],
      ];
      for (const [field, actual, value] of probed) {
        if (actual !== value) {
          violations.push(`${healthCheck.name}: ${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)} (the primary ALB's)`);
        }
      }
      const detectionProblem = failoverDetectionProblem(Number(check.requestInterval), Number(check.failureThreshold), rtoSeconds);
      if (detectionProblem) violations.push(`${healthCheck.name}: ${detectionProblem}`);
    }
  }
  return {
    id: 4,
    title:
      "Route 53 failover pair: one PRIMARY going by its matching health check alone, one SECONDARY evaluating target health, own-region ALBs, detection within the RTO (4)",
    violations,
  };
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
): { endpoint?: PlannedResource; problems: string[] } {
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
  const endpoints = found.filter((child) => ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"].includes(String(child.inputs.type)));
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
  }
  return { ...(endpoints.length === 1 ? { endpoint: endpoints[0] } : {}), problems };
}
