/**
 * DNS and failover: Route 53 health checks that AWS accepts and that probe the app's health path,
 * well-formed failover records, alarms on health checks in us-east-1 (the only region with their
 * metrics), and DR invariant 4 over the stack: one PRIMARY and one SECONDARY per name, each aliased
 * to its own region's load balancer, the PRIMARY health-checked on the primary ALB within the RTO
 * and fenced, the SECONDARY healthy while the DR ALB answers or the primary is fenced.
 * With an ARC Region switch plan in the stack, the plan's health checks take the fence's place
 * (invariants/failoverRecords.ts `planGatedProblems`): the PRIMARY is the endpoint AND the plan's check,
 * the SECONDARY the DR endpoint OR the plan's (other) check.
 * Sources: Route 53 Developer Guide, checks.md invariants 4 and 5.
 */
import type { PolicyResource } from "@pulumi/policy";
import { FENCE_METRIC, HEALTH_CHECK_PATH, PROBE_METRIC } from "../../config/conventions";
import { failoverDetectionProblem } from "../../config/rules";
import { drRunsDatabaseInstance } from "../../config/strategies";
import { ENDPOINT_CHECK_TYPES, type FailoverRecordInputs } from "../../invariants/failoverRecords";
import { forwardsHealthPath, type RuleInputs } from "../../invariants/listenerRules";
import { aliasTarget, conflictsWithGroup, dnsName, primaryProbeTarget, probePort, probeProtocol } from "../../invariants/route53";
import { asList, dependsOn, eachResourcePolicy, ofType, regionOf, resourcePolicy, schema, stackPolicy, TYPES } from "./kit";
import { declaredHealthPath, manifestOf } from "./manifest";
import { REGION_SWITCH_PLAN } from "../../invariants/regionSwitch";

/** Route 53 health-check limits: interval 10 or 30 s, failure threshold 1-10 (Route 53 API, CreateHealthCheck). */
export const HEALTH_CHECK_INTERVALS_SECONDS = [10, 30];
export const HEALTH_CHECK_MAX_FAILURE_THRESHOLD = 10;
const HTTP_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH"];

const healthCheckParameters = eachResourcePolicy({
  name: "route53-health-check-parameters",
  description:
    "Route 53 health checks probe the app's health path over HTTP(S) with an interval and threshold AWS accepts (Route 53 CreateHealthCheck, DR invariant 4)",
  enforcementLevel: "mandatory",
  type: TYPES.healthCheck,
  config: {
    schema: { properties: { healthCheckPath: schema.string("Path the app answers health checks on", HEALTH_CHECK_PATH) } },
    defaults: { healthCheckPath: HEALTH_CHECK_PATH },
  },
  check: (props, config, report, resources) => {
    // The fence and the PRIMARY record's calculated check probe nothing: dr-failover-pair judges them.
    if (props.type === "CLOUDWATCH_METRIC" || props.type === "CALCULATED") return;
    if (!HTTP_TYPES.includes(props.type)) report(`type is ${JSON.stringify(props.type)}: use HTTP or HTTPS so the check sees the app, not just the port`);
    const healthPath = declaredHealthPath(resources, config.healthCheckPath);
    if (props.resourcePath !== healthPath) report(`resourcePath is ${JSON.stringify(props.resourcePath)}: probe ${healthPath}`);
    if (!props.fqdn && !props.ipAddress) report("set fqdn to the primary load balancer's DNS name");
    const interval = Number(props.requestInterval ?? 30);
    if (!HEALTH_CHECK_INTERVALS_SECONDS.includes(interval)) report(`requestInterval is ${interval} s: Route 53 accepts 10 or 30`);
    const threshold = Number(props.failureThreshold ?? 3);
    if (!(threshold >= 1 && threshold <= HEALTH_CHECK_MAX_FAILURE_THRESHOLD)) report(`failureThreshold is ${threshold}: Route 53 accepts 1 to 10`);
  },
});

type FailoverRecordProps = FailoverRecordInputs;

/**
 * The PRIMARY record's check must be CALCULATED over the endpoint's check and the fence (a
 * CLOUDWATCH_METRIC check of an alarm in the DR region, LastKnownStatus), every child required
 * (components/failoverRouting.ts; DR invariant 4, invariants/failoverRecords.ts `endpointAndFence`).
 * Reports what is missing; returns the endpoint's check to judge as before, and the fence's alarm
 * when there is exactly one fence (the SECONDARY's inverted fence must follow the same alarm).
 */
function fencedEndpoint(
  recordCheck: PolicyResource,
  healthChecks: PolicyResource[],
  alarms: PolicyResource[],
  drRegion: string | undefined,
  report: (message: string, urn?: string) => void,
): { endpoint?: PolicyResource; fenceAlarm?: PolicyResource } {
  if (recordCheck.props.type !== "CALCULATED") {
    report(
      `${recordCheck.name}: the PRIMARY record's health check has no fence (a CALCULATED check of the endpoint and a CLOUDWATCH_METRIC fence in the DR region): a failover could not hold traffic in the DR region without a Route 53 record change, nor keep the old primary out when its region returns`,
      recordCheck.urn,
    );
    return { endpoint: recordCheck };
  }
  const children = healthChecks.filter((check) => dependsOn(recordCheck, check, "childHealthchecks"));
  const declared = asList(recordCheck.props.childHealthchecks).length;
  if (Number(recordCheck.props.childHealthThreshold) !== declared)
    report(
      `${recordCheck.name}: childHealthThreshold must be ${declared}: every child (the endpoint and the fence) must be healthy for the PRIMARY to answer`,
      recordCheck.urn,
    );
  const fences = children.filter((check) => check.props.type === "CLOUDWATCH_METRIC");
  const endpoints = children.filter((check) => check.props.type !== "CLOUDWATCH_METRIC" && check.props.type !== "CALCULATED");
  if (fences.length !== 1) report(`${recordCheck.name}: needs exactly one fence child (CLOUDWATCH_METRIC), has ${fences.length}`, recordCheck.urn);
  let fenceAlarm: PolicyResource | undefined;
  for (const fence of fences) {
    // The alarm it follows: this stack's alarm on the fence metric the workflows publish (components/failoverRouting.ts FENCE_METRIC).
    const alarm = alarms.find((candidate) => dependsOn(fence, candidate, "cloudwatchAlarmName"));
    if (fences.length === 1) fenceAlarm = alarm;
    if (!alarm) report(`${fence.name}: the fence's alarm is not an alarm of this stack`, fence.urn);
    else if (alarm.props.namespace !== FENCE_METRIC.namespace || alarm.props.metricName !== FENCE_METRIC.metricName)
      report(
        `${fence.name}: its alarm ${alarm.name} watches ${String(alarm.props.namespace)}/${String(alarm.props.metricName)}, not the fence metric ${FENCE_METRIC.namespace}/${FENCE_METRIC.metricName} the workflows publish`,
        fence.urn,
      );
    if (drRegion !== undefined && fence.props.cloudwatchAlarmRegion !== drRegion)
      report(
        `${fence.name}: the fence's alarm is in ${String(fence.props.cloudwatchAlarmRegion)}, not the DR region ${drRegion}: the DR region must flip it alone`,
        fence.urn,
      );
    // One datapoint, then none: the alarm must keep its state (components/failoverRouting.ts). "breaching" would fence a
    // healthy primary as soon as the metric has no data; "notBreaching" would release the fence a minute after a failover.
    if (alarm && alarm.props.treatMissingData !== "ignore")
      report(
        `${fence.name}: its alarm ${alarm.name} treats missing data as ${String(alarm.props.treatMissingData ?? "missing")}; it must be ignore, so the one datapoint of a failover or failback holds (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data")`,
        fence.urn,
      );
    if (fence.props.insufficientDataHealthStatus !== "LastKnownStatus")
      report(`${fence.name}: insufficientDataHealthStatus must be LastKnownStatus: the fence is one datapoint, then no data`, fence.urn);
    // Inverted, the fence would fence the primary until a failover; disabled, Route 53 considers it healthy and it never fences.
    if (fence.props.invertHealthcheck === true)
      report(`${fence.name}: the PRIMARY's fence is inverted: it would keep traffic off the primary until a failover and let it back once fenced`, fence.urn);
    if (fence.props.disabled === true)
      report(`${fence.name}: the PRIMARY's fence is disabled: Route 53 considers it healthy and a failover cannot fence`, fence.urn);
  }
  if (endpoints.length !== 1) {
    report(`${recordCheck.name}: needs exactly one endpoint child (the primary ALB's HTTP(S) check), has ${endpoints.length}`, recordCheck.urn);
    return { fenceAlarm };
  }
  return { endpoint: endpoints[0], fenceAlarm };
}

/**
 * With a Region switch plan (`plan`), a failover record's calculated check (DR invariant 4,
 * invariants/failoverRecords.ts `planGatedProblems`): exactly two children, one endpoint check of this
 * stack and one health check built from the plan (its id comes from the plan: `getRoute53HealthChecks`, not
 * a resource of the stack); the PRIMARY needs both (childHealthThreshold 2), the SECONDARY either (1). A
 * policy cannot read the stack's outputs, so which region's plan check each record carries is the
 * invariant's to judge; here the two records must not share a child (`pairProblems`).
 * @returns the endpoint child, to judge as without a plan.
 */
function planGatedShape(
  recordCheck: PolicyResource,
  healthChecks: PolicyResource[],
  plan: PolicyResource,
  role: "PRIMARY" | "SECONDARY",
  report: (message: string, urn?: string) => void,
): PolicyResource | undefined {
  const threshold = role === "PRIMARY" ? 2 : 1;
  const shape =
    role === "PRIMARY"
      ? "the primary endpoint check AND the plan's primary-region check (childHealthThreshold 2)"
      : "the DR endpoint check OR the plan's DR-region check (childHealthThreshold 1)";
  if (recordCheck.props.type !== "CALCULATED") {
    report(
      `${recordCheck.name}: the ${role} record's health check is ${JSON.stringify(recordCheck.props.type)}, not CALCULATED over ${shape}`,
      recordCheck.urn,
    );
    return undefined;
  }
  const declared = asList(recordCheck.props.childHealthchecks).length;
  const children = healthChecks.filter((check) => dependsOn(recordCheck, check, "childHealthchecks"));
  const endpoints = children.filter((check) => ENDPOINT_CHECK_TYPES.includes(String(check.props.type)));
  const fromPlan = dependsOn(recordCheck, plan, "childHealthchecks");
  if (Number(recordCheck.props.childHealthThreshold) !== threshold)
    report(`${recordCheck.name}: childHealthThreshold must be ${threshold}: ${shape}`, recordCheck.urn);
  if (declared !== 2 || endpoints.length !== 1 || children.length !== 1 || !fromPlan)
    report(
      `${recordCheck.name}: has ${declared} children (${endpoints.length} endpoint of this stack, ${children.length - endpoints.length} other of this stack, ${fromPlan ? "built" : "none built"} from the plan ${plan.name}), expected 2: ${shape}`,
      recordCheck.urn,
    );
  return endpoints.length === 1 ? endpoints[0] : undefined;
}

/** The PRIMARY's and the SECONDARY's calculated checks share no child: with a plan, each follows its own region's plan check. */
function pairProblems(primaryCheck: PolicyResource | undefined, secondaryCheck: PolicyResource | undefined): string[] {
  if (!primaryCheck || !secondaryCheck) return [];
  const primaryChildren = asList<string>(primaryCheck.props.childHealthchecks);
  const shared = asList<string>(secondaryCheck.props.childHealthchecks).filter((id) => typeof id === "string" && primaryChildren.includes(id));
  return shared.length === 0
    ? []
    : [
        `${secondaryCheck.name}: shares ${shared.join(", ")} with ${primaryCheck.name}; the PRIMARY follows the plan's primary-region check and the SECONDARY the plan's DR-region check, which a failover flips the other way`,
      ];
}

/**
 * The SECONDARY record's check must be CALCULATED with childHealthThreshold 1 over exactly two
 * children: the DR ALB's endpoint check (its fqdn from the load balancer the SECONDARY aliases, the
 * protocol and port of one of that ALB's listeners that forwards to the app, neither inverted nor
 * disabled; its path is route53-health-check-parameters' to judge) and the PRIMARY's fence alarm
 * inverted (CLOUDWATCH_METRIC of the same alarm, in the DR region, invertHealthcheck true,
 * LastKnownStatus; without a single PRIMARY fence alarm to compare with, an alarm of this stack on the
 * fence metric, the PRIMARY's own problem being reported there). When the
 * SECONDARY is unhealthy Route 53 answers the PRIMARY whatever its health (Route 53 API Reference,
 * ResourceRecordSet `Failover`); the inverted fence keeps it healthy from the failover until failback
 * (components/failoverRouting.ts; DR invariant 4, invariants/failoverRecords.ts `secondaryCheckProblems`).
 */
function checkSecondaryHealth(
  recordCheck: PolicyResource,
  healthChecks: PolicyResource[],
  primaryFence: { fenceAlarm?: PolicyResource },
  alarms: PolicyResource[],
  drRegion: string | undefined,
  alb: PolicyResource | undefined,
  listeners: PolicyResource[],
  rules: PolicyResource[],
  healthPath: string,
  report: (message: string, urn?: string) => void,
): void {
  if (recordCheck.props.type !== "CALCULATED") {
    report(
      `${recordCheck.name}: the SECONDARY record's health check is ${JSON.stringify(recordCheck.props.type)}, not CALCULATED over the DR ALB's check and the inverted fence: once the primary is fenced it must stay healthy whatever the DR tier's state, or Route 53 answers the old primary`,
      recordCheck.urn,
    );
    return;
  }
  if (Number(recordCheck.props.childHealthThreshold) !== 1)
    report(`${recordCheck.name}: childHealthThreshold must be 1: the SECONDARY is healthy when the DR ALB answers OR the primary is fenced`, recordCheck.urn);
  const children = healthChecks.filter((check) => dependsOn(recordCheck, check, "childHealthchecks"));
  const declared = asList(recordCheck.props.childHealthchecks).length;
  const endpoints = children.filter((check) => ENDPOINT_CHECK_TYPES.includes(String(check.props.type)));
  const fenced = children.filter((check) => check.props.type === "CLOUDWATCH_METRIC");
  if (declared !== 2 || endpoints.length !== 1 || fenced.length !== 1)
    report(
      `${recordCheck.name}: has ${declared} children (${endpoints.length} endpoint, ${fenced.length} CLOUDWATCH_METRIC of this stack), expected 2: the DR ALB's endpoint check and the inverted fence`,
      recordCheck.urn,
    );
  for (const check of fenced) {
    if (check.props.invertHealthcheck !== true)
      report(`${check.name}: the SECONDARY's fence child must have invertHealthcheck true, to be healthy while the primary is fenced`, check.urn);
    const { fenceAlarm } = primaryFence;
    const alarm = alarms.find((candidate) => dependsOn(check, candidate, "cloudwatchAlarmName"));
    if (fenceAlarm) {
      if (alarm !== fenceAlarm)
        report(`${check.name}: does not follow the PRIMARY's fence alarm ${fenceAlarm.name}; both must read the one alarm the workflows flip`, check.urn);
    } else if (!alarm) report(`${check.name}: the fence's alarm is not an alarm of this stack`, check.urn);
    else if (alarm.props.namespace !== FENCE_METRIC.namespace || alarm.props.metricName !== FENCE_METRIC.metricName)
      report(
        `${check.name}: its alarm ${alarm.name} is not on the fence metric ${FENCE_METRIC.namespace}/${FENCE_METRIC.metricName} the workflows publish`,
        check.urn,
      );
    // An alarm is named by name and region (Route 53 API Reference, AlarmIdentifier): the fence's is the DR region's, as for the PRIMARY's fence.
    if (drRegion !== undefined && check.props.cloudwatchAlarmRegion !== drRegion)
      report(
        `${check.name}: the fence's alarm is in ${String(check.props.cloudwatchAlarmRegion)}, not the DR region ${drRegion}: the DR region must flip it alone`,
        check.urn,
      );
    if (check.props.insufficientDataHealthStatus !== "LastKnownStatus")
      report(`${check.name}: insufficientDataHealthStatus must be LastKnownStatus: the fence is one datapoint, then no data`, check.urn);
  }
  for (const endpoint of endpoints) drEndpointShape(endpoint, alb, listeners, rules, healthPath, report);
}

/**
 * The DR ALB's endpoint check: neither disabled nor inverted, its fqdn from the ALB the SECONDARY aliases, the
 * protocol and port of a listener forwarding the health path (by default, or behind the edge by a health-path
 * rule: invariants/listenerRules.ts `forwardsHealthPath`).
 */
function drEndpointShape(
  endpoint: PolicyResource,
  alb: PolicyResource | undefined,
  listeners: PolicyResource[],
  rules: PolicyResource[],
  healthPath: string,
  report: (message: string, urn?: string) => void,
): void {
  // A disabled check is healthy to Route 53, an inverted one healthy when the DR tier is down: either says nothing about the DR tier.
  if (endpoint.props.disabled === true)
    report(`${endpoint.name}: the DR ALB's check is disabled; Route 53 considers it healthy whatever the DR tier`, endpoint.urn);
  if (endpoint.props.invertHealthcheck === true)
    report(`${endpoint.name}: the DR ALB's check is inverted; it would be healthy while the DR tier is down`, endpoint.urn);
  if (!alb) return; // the SECONDARY alias itself is reported
  if (!dependsOn(endpoint, alb, "fqdn"))
    report(`${endpoint.name}: fqdn does not come from the DR load balancer ${alb.name} that the SECONDARY aliases`, endpoint.urn);
  // The listener that forwards to the app: an HTTP listener that redirects to HTTPS answers 301, which Route 53 counts healthy (200-399).
  const forwarding = listeners.filter(
    (listener) =>
      dependsOn(listener, alb, "loadBalancerArn") &&
      (asList<Record<string, any>>(listener.props.defaultActions).some((action) => action.type === "forward") ||
        rules.some((rule) => dependsOn(rule, listener, "listenerArn") && forwardsHealthPath(rule.props as RuleInputs, healthPath))),
  );
  if (!forwarding.some((listener) => listener.props.protocol === probeProtocol(endpoint.props.type) && listener.props.port === probePort(endpoint.props)))
    report(
      `${endpoint.name}: probes ${probeProtocol(endpoint.props.type)} port ${String(probePort(endpoint.props))}, not a listener of ${alb.name} that forwards to the app (${forwarding.map((listener) => `${String(listener.props.protocol)} ${String(listener.props.port)}`).join(", ") || "none"})`,
      endpoint.urn,
    );
}

/** The failover role of a record (PRIMARY or SECONDARY), or undefined for other routing policies. */
export function failoverRole(props: FailoverRecordProps): string | undefined {
  return asList(props.failoverRoutingPolicies)[0]?.type;
}

/**
 * The PRIMARY alias goes by its health check alone (evaluateTargetHealth false): with both, Route 53
 * needs both to pass (Route 53 Developer Guide, "What happens when you associate a health check with
 * an alias record?"), and when every target fails the ALB's check the ALB still routes to them (fails
 * open; ELB User Guide, "Health checks for Application Load Balancer target groups"), so the health
 * check and its failover alarm stay healthy while DNS already answers the unpromoted DR region. The
 * SECONDARY goes by its own health check too (evaluateTargetHealth false, healthCheckId set): with
 * target health as well, a DR tier with no healthy target makes it unhealthy even while the primary is
 * fenced, and Route 53 then answers the PRIMARY whatever its health (API Reference, ResourceRecordSet
 * `Failover`): the old primary, once its region returns.
 */
const failoverRecord = resourcePolicy({
  name: "route53-failover-record",
  description:
    "Failover records have a set identifier and an alias; each has a health check and goes by it alone (evaluateTargetHealth false) (Route 53 failover routing)",
  enforcementLevel: "mandatory",
  type: TYPES.record,
  check: (props, _config, report) => {
    const role = failoverRole(props);
    if (role === undefined) return;
    if (!props.setIdentifier) report("setIdentifier is required on a failover record");
    const alias = asList<Record<string, any>>(props.aliases)[0];
    if (!alias) report("use an alias to the load balancer, not a record with addresses");
    else if (role === "PRIMARY" && alias.evaluateTargetHealth !== false)
      report(
        "the PRIMARY alias must have evaluateTargetHealth false: its health check is the one signal for DNS and the failover alarm; with target health too, a fail-open ALB sends users to the DR region with no failover started",
      );
    else if (role === "SECONDARY" && alias.evaluateTargetHealth !== false)
      report(
        "the SECONDARY alias must have evaluateTargetHealth false: with its health check both must pass, so a DR tier with no healthy target would make Route 53 answer the fenced old primary",
      );
    if (role === "PRIMARY" && !props.healthCheckId) report("the PRIMARY record needs healthCheckId, or Route 53 never fails over");
    if (role === "SECONDARY" && !props.healthCheckId)
      report(
        "the SECONDARY record needs healthCheckId (the DR ALB's check or the inverted fence), or Route 53 answers the old primary whenever the DR tier is unhealthy",
      );
  },
});

/** The only region where Route 53 publishes health-check metrics (Route 53 Developer Guide, monitoring health checks with CloudWatch). */
export const ROUTE53_METRICS_REGION = "us-east-1";

const healthCheckAlarmRegion = resourcePolicy({
  name: "health-check-alarms-in-us-east-1",
  description: "Alarms on Route 53 health-check metrics live in us-east-1, where the metrics are (DR invariant 5)",
  enforcementLevel: "mandatory",
  type: TYPES.metricAlarm,
  check: (props, _config, report, resource) => {
    const namespaces = [props.namespace, ...asList<Record<string, any>>(props.metricQueries).map((query) => query.metric?.namespace)];
    if (namespaces.includes("AWS/Route53") && regionOf(resource) !== ROUTE53_METRICS_REGION) {
      report(`alarms on AWS/Route53 metrics must be created in ${ROUTE53_METRICS_REGION} (found ${regionOf(resource)}); elsewhere they never see data`);
    }
  },
});

function groupRecords(records: PolicyResource[]): Map<string, PolicyResource[]> {
  const groups = new Map<string, PolicyResource[]>();
  for (const record of records) {
    const props = record.props as FailoverRecordProps;
    const key = `${props.zoneId}|${props.name}|${props.type}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return groups;
}

const failoverPair = stackPolicy({
  name: "dr-failover-pair",
  description:
    "DR invariant 4: per name exactly one PRIMARY and one SECONDARY record, the PRIMARY aliased to the primary ALB, health-checked on it within the RTO and fenced, the SECONDARY aliased to this region's ALB and healthy while it answers or the primary is fenced",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    // The manifest's health path, else the default (the health-path rule behind the edge forwards it).
    const healthPath = declaredHealthPath(resources, HEALTH_CHECK_PATH);
    const rules = ofType(resources, TYPES.listenerRule);
    const records = ofType(resources, TYPES.record);
    const failoverRecords = records.filter((record) => failoverRole(record.props) !== undefined);
    if (manifest?.role === "dr" && failoverRecords.length === 0)
      report("the DR stack has no failover records: add the PRIMARY/SECONDARY pair (FailoverRouting)");
    if (failoverRecords.length > 0 && manifest?.role !== "dr")
      report("failover records belong to the DR stack, with its recovery manifest (role dr); none was found");
    const loadBalancers = ofType(resources, TYPES.loadBalancer);
    const healthChecks = ofType(resources, TYPES.healthCheck);
    // recovery.orchestrator region-switch: the plan's health checks in the fence's place (planGatedShape).
    const [plan] = ofType(resources, REGION_SWITCH_PLAN);
    for (const [key, group] of groupRecords(failoverRecords)) {
      const [zoneId, name, type] = key.split("|");
      const ofRole = (role: string) => group.filter((record) => failoverRole(record.props) === role);
      if (ofRole("PRIMARY").length !== 1 || ofRole("SECONDARY").length !== 1) {
        report(`${name} ${type}: has ${ofRole("PRIMARY").length} PRIMARY and ${ofRole("SECONDARY").length} SECONDARY records; exactly one of each is needed`);
      }
      const identifiers = group.map((record) => record.props.setIdentifier);
      if (new Set(identifiers).size !== identifiers.length) report(`${name} ${type}: set identifiers ${JSON.stringify(identifiers)} must be distinct`);
      const mixed = records.filter((record) => !group.includes(record) && conflictsWithGroup(record.props, zoneId, name, type));
      if (mixed.length > 0)
        report(`${name} ${type}: also has ${mixed.map((record) => record.name).join(", ")}; a name cannot mix failover with other routing policies`);
      const primaryFence: { fenceAlarm?: PolicyResource } = {};
      const recordChecks: { PRIMARY?: PolicyResource; SECONDARY?: PolicyResource } = {};
      for (const record of ofRole("PRIMARY")) {
        const alias = asList<Record<string, any>>(record.props.aliases)[0];
        const primary = manifest?.primary;
        if (primary && aliasTarget(alias?.name) !== dnsName(primary.albDnsName))
          report(`${record.name}: the PRIMARY alias ${alias?.name} is not the primary ALB ${primary.albDnsName}`, record.urn);
        const recordCheck = healthChecks.find((check) => dependsOn(record, check, "healthCheckId"));
        if (!recordCheck) {
          report(`${record.name}: the PRIMARY record's health check is not a health check of this stack`, record.urn);
          continue;
        }
        recordChecks.PRIMARY ??= recordCheck;
        const fenced = plan
          ? { endpoint: planGatedShape(recordCheck, healthChecks, plan, "PRIMARY", report) }
          : fencedEndpoint(recordCheck, healthChecks, ofType(resources, TYPES.metricAlarm), manifest?.role === "dr" ? manifest.region : undefined, report);
        primaryFence.fenceAlarm ??= fenced.fenceAlarm;
        const healthCheck = fenced.endpoint;
        if (!healthCheck) continue;
        // Route 53 treats a disabled health check as healthy, and an inverted one as healthy when the endpoint is down: either way no failover.
        if (healthCheck.props.disabled === true)
          report(`${healthCheck.name}: is disabled; Route 53 then considers the PRIMARY always healthy and never fails over`, healthCheck.urn);
        if (healthCheck.props.invertHealthcheck === true)
          report(
            `${healthCheck.name}: invertHealthcheck is true; Route 53 would fail over while the primary is healthy and not when it is down`,
            healthCheck.urn,
          );
        if (primary) {
          // Behind the edge the primary's health listener (HTTP 80), else its app listener (primaryProbeTarget).
          const target = primaryProbeTarget(primary);
          const probed: [string, unknown, unknown][] = [
            ["fqdn", dnsName(healthCheck.props.fqdn), dnsName(primary.albDnsName)],
            ["port", probePort(healthCheck.props), target.port],
            ["type", probeProtocol(healthCheck.props.type), target.protocol],
          ];
          for (const [field, actual, value] of probed) {
            if (actual !== value)
              report(
                `${healthCheck.name}: ${field} is ${JSON.stringify(healthCheck.props[field])}, expected ${JSON.stringify(value)} (the primary ALB's)`,
                healthCheck.urn,
              );
          }
        }
        if (manifest) {
          const problem = failoverDetectionProblem(
            Number(healthCheck.props.requestInterval ?? 30),
            Number(healthCheck.props.failureThreshold ?? 3),
            manifest.rtoSeconds,
          );
          if (problem) report(`${healthCheck.name}: ${problem}`, healthCheck.urn);
        }
      }
      for (const record of ofRole("SECONDARY")) {
        const alias = asList<Record<string, any>>(record.props.aliases)[0];
        const primaryAlb = manifest?.primary?.albDnsName;
        if (primaryAlb && aliasTarget(alias?.name) === dnsName(primaryAlb))
          report(`${record.name}: the SECONDARY alias is the primary ALB ${primaryAlb}; it must be the DR region's ALB`, record.urn);
        const target = loadBalancers.find((loadBalancer) => dependsOn(record, loadBalancer, "aliases"));
        if (!target) report(`${record.name}: the SECONDARY alias is not a load balancer of this stack; point it at the DR region's ALB`, record.urn);
        else if (manifest && regionOf(target) !== manifest.region)
          report(`${record.name}: the SECONDARY alias targets a load balancer in ${regionOf(target)}, not ${manifest.region}`, record.urn);
        const recordCheck = healthChecks.find((check) => dependsOn(record, check, "healthCheckId"));
        if (!recordCheck) {
          report(
            `${record.name}: the SECONDARY record's health check is not a health check of this stack: it needs the DR ALB's check or the inverted fence, or Route 53 answers the old primary when the DR tier is unhealthy`,
            record.urn,
          );
          continue;
        }
        recordChecks.SECONDARY ??= recordCheck;
        if (plan) {
          const endpoint = planGatedShape(recordCheck, healthChecks, plan, "SECONDARY", report);
          if (endpoint) drEndpointShape(endpoint, target, ofType(resources, TYPES.listener), rules, healthPath, report);
          continue;
        }
        checkSecondaryHealth(
          recordCheck,
          healthChecks,
          primaryFence,
          ofType(resources, TYPES.metricAlarm),
          manifest?.role === "dr" ? manifest.region : undefined,
          target,
          ofType(resources, TYPES.listener),
          rules,
          healthPath,
          report,
        );
      }
      if (plan) for (const problem of pairProblems(recordChecks.PRIMARY, recordChecks.SECONDARY)) report(problem, recordChecks.SECONDARY?.urn);
    }
  },
});

/** The DR signals that must raise an alarm (DR invariant 6): namespace and metric. */
export const DR_SIGNALS = [
  { namespace: "AWS/RDS", metric: "ReplicaLag", what: "replica lag", alternatives: ["AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"] },
  { namespace: "AWS/S3", metric: "ReplicationLatency", what: "S3 replication latency" },
  { namespace: "AWS/S3", metric: "OperationsFailedReplication", what: "S3 replication failures" },
  { namespace: "AWS/Route53", metric: "HealthCheckStatus", what: "the primary's health check" },
  { namespace: "AWS/ApplicationELB", metric: "UnHealthyHostCount", what: "unhealthy ALB targets" },
  // The DR region's probe of the primary endpoint (components/primaryEndpointProbe.ts): the page that survives us-east-1.
  { namespace: PROBE_METRIC.namespace, metric: PROBE_METRIC.metricName, what: "the primary endpoint as the DR region's probe sees it" },
];

const drSignalAlarms = stackPolicy({
  name: "dr-signal-alarms",
  description:
    "DR invariant 6: the DR stack alarms, with an action, on replica lag, S3 replication latency and failures, the health check, unhealthy targets and the DR region's probe of the primary (WA REL06, REL13)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (manifest?.role !== "dr") return;
    // backup-restore keeps no database instance in the DR region until a restore: no replica lag to watch. In the outage
    // mode nothing is declared in the failed primary region: S3 publishes replication metrics in the source bucket's
    // region, Route 53 its health-check metrics in us-east-1 only (the probe, in the DR region, still watches the primary).
    const down = manifest.primaryRegionDown === true ? manifest.primary?.region : undefined;
    const signals = DR_SIGNALS.filter(
      (signal) =>
        (signal.metric !== "ReplicaLag" || drRunsDatabaseInstance(manifest.strategy, manifest.databaseRestored === true)) &&
        (down === undefined || (signal.namespace !== "AWS/S3" && !(signal.namespace === "AWS/Route53" && down === "us-east-1"))),
    );
    // An alarm with actionsEnabled false notifies no one, whatever its alarmActions.
    const alarms = ofType(resources, TYPES.metricAlarm).filter((alarm) => alarm.props.actionsEnabled !== false && asList(alarm.props.alarmActions).length > 0);
    for (const signal of signals) {
      const covered = alarms.some((alarm) => {
        const metrics = [
          { namespace: alarm.props.namespace, metricName: alarm.props.metricName },
          ...asList<Record<string, any>>(alarm.props.metricQueries).map((query) => query.metric ?? {}),
        ];
        // An Aurora global database's lag is AuroraGlobalDBReplicationLag (or RPOLag), not ReplicaLag (Aurora User Guide, "Monitoring Aurora global databases").
        const names = [signal.metric, ...(("alternatives" in signal ? signal.alternatives : undefined) ?? [])];
        return metrics.some((metric) => metric.namespace === signal.namespace && names.includes(String(metric.metricName)));
      });
      if (!covered) report(`no alarm with an action watches ${signal.what} (${signal.namespace} ${signal.metric}); add one that notifies the DR topic`);
    }
    // The probe watches the primary from the DR region: a probe function elsewhere goes down with what it watches
    // (components/primaryEndpointProbe.ts; its metric namespace is in its environment, METRIC_NAMESPACE).
    for (const probe of ofType(resources, TYPES.lambdaFunction).filter(
      (candidate) => candidate.props.environment?.variables?.METRIC_NAMESPACE === PROBE_METRIC.namespace,
    )) {
      if (regionOf(probe) !== manifest.region)
        report(`${probe.name}: the probe of the primary runs in ${String(regionOf(probe))}; it must run in the DR region ${manifest.region}`, probe.urn);
    }
  },
});

export const dnsFailoverPolicies = [healthCheckParameters, failoverRecord, healthCheckAlarmRegion, failoverPair, drSignalAlarms];
