/**
 * Network policies: VPCs across zones with flow logs, the default security group closed, no admin
 * port and nothing but 80/443 open to the internet (and only on a load balancer), load balancers in
 * two or more zones, logged, hardened and protected, HTTPS with a modern policy, target groups that
 * check the app's health path. Sources: @pulumi/awsguard (AG), AWS Security Hub (SH), Checkov (CKV),
 * Well-Architected reliability (WA).
 */
import type { PolicyResource } from "@pulumi/policy";
import { HEALTH_CHECK_PATH } from "../../config/conventions";
import { asList, dependsOn, eachResourcePolicy, ofType, resourcePolicy, schema, stackPolicy, TYPES } from "./kit";
import { declaredHealthPath } from "./manifest";

const INTERNET = new Set(["0.0.0.0/0", "::/0"]);
const ADMIN_PORTS = [22, 3389];
const PUBLIC_PORTS = new Set([80, 443]);

/** One ingress permission, whatever resource declared it. Ports are inclusive; protocol "-1" (or "all") means all; protocols are lower case. */
export interface IngressPermission {
  protocol: string;
  fromPort: number;
  toPort: number;
  cidrs: string[];
}

/** The ingress permissions a security group, group rule or VPC ingress rule declares. */
export function ingressPermissions(type: string, props: Record<string, any>): IngressPermission[] {
  const permission = (protocol: unknown, fromPort: unknown, toPort: unknown, cidrs: unknown[]): IngressPermission => ({
    // The provider accepts protocol names in any case ("TCP", "ALL") and lower-cases them.
    protocol: String(protocol ?? "-1").toLowerCase(),
    fromPort: Number(fromPort ?? 0),
    toPort: Number(toPort ?? fromPort ?? 65535),
    cidrs: cidrs.filter((cidr): cidr is string => typeof cidr === "string"),
  });
  if (type === TYPES.ingressRule) return [permission(props.ipProtocol, props.fromPort, props.toPort, [props.cidrIpv4, props.cidrIpv6])];
  if (type === TYPES.securityGroupRule) {
    return props.type === "ingress"
      ? [permission(props.protocol, props.fromPort, props.toPort, [...asList(props.cidrBlocks), ...asList(props.ipv6CidrBlocks)])]
      : [];
  }
  if (type === TYPES.securityGroup) {
    return asList<Record<string, any>>(props.ingress).map((rule) =>
      permission(rule.protocol, rule.fromPort, rule.toPort, [...asList(rule.cidrBlocks), ...asList(rule.ipv6CidrBlocks)]),
    );
  }
  return [];
}

/** True when the permission opens `port` (any protocol "-1" or "all" opens every port). */
export function opensPort(permission: IngressPermission, port: number): boolean {
  if (permission.protocol === "-1" || permission.protocol === "all") return true;
  return permission.fromPort <= port && port <= permission.toPort;
}

export function fromInternet(permission: IngressPermission): boolean {
  return permission.cidrs.some((cidr) => INTERNET.has(cidr));
}

const SECURITY_GROUP_TYPES = [TYPES.securityGroup, TYPES.securityGroupRule, TYPES.ingressRule] as const;

const noAdminPorts = resourcePolicy({
  name: "no-admin-ports-from-internet",
  description: "No security group opens SSH (22) or RDP (3389) to 0.0.0.0/0 or ::/0 (SH EC2.13, EC2.14)",
  enforcementLevel: "mandatory",
  type: SECURITY_GROUP_TYPES,
  check: (props, _config, report, resource) => {
    for (const permission of ingressPermissions(resource.type, props).filter(fromInternet)) {
      for (const port of ADMIN_PORTS.filter((candidate) => opensPort(permission, candidate))) {
        report(`opens port ${port} to ${permission.cidrs.join(", ")}: remove it and reach instances with SSM Session Manager`);
      }
    }
  },
});

const onlyWebPorts = resourcePolicy({
  name: "only-web-ports-from-internet",
  description: "Only ports 80 and 443 are open to the internet (SH EC2.18, EC2.19)",
  enforcementLevel: "mandatory",
  type: SECURITY_GROUP_TYPES,
  check: (props, _config, report, resource) => {
    for (const permission of ingressPermissions(resource.type, props).filter(fromInternet)) {
      const allPorts = permission.protocol === "-1" || permission.protocol === "all";
      if (allPorts || permission.fromPort !== permission.toPort || !PUBLIC_PORTS.has(permission.fromPort)) {
        report(
          `opens ${allPorts ? "every port" : `ports ${permission.fromPort}-${permission.toPort}`} to ${permission.cidrs.join(", ")}: only 80 and 443 may be open to the internet, one rule per port`,
        );
      }
    }
  },
});

/** The security group a standalone rule belongs to. */
function groupOfRule(rule: PolicyResource, groups: PolicyResource[]): PolicyResource | undefined {
  return groups.find((group) => dependsOn(rule, group, "securityGroupId") || (group.props.id !== undefined && group.props.id === rule.props.securityGroupId));
}

/** True when a load balancer lists the security group id literally (a group the stack does not declare, e.g. imported). */
function listsGroupId(loadBalancer: PolicyResource, groupId: unknown): boolean {
  return typeof groupId === "string" && groupId !== "" && asList(loadBalancer.props.securityGroups).includes(groupId);
}

const internetOnlyToLoadBalancers = stackPolicy({
  name: "internet-ingress-only-on-load-balancers",
  description: "Internet ingress reaches only security groups attached to a load balancer; instances take traffic from the ALB (SH EC2.18, design)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const groups = ofType(resources, TYPES.securityGroup);
    const loadBalancers = ofType(resources, TYPES.loadBalancer);
    const onLoadBalancer = (group: PolicyResource) => loadBalancers.some((loadBalancer) => dependsOn(loadBalancer, group, "securityGroups"));
    for (const resource of resources.filter((candidate) => (SECURITY_GROUP_TYPES as readonly string[]).includes(candidate.type))) {
      if (!ingressPermissions(resource.type, resource.props).some(fromInternet)) continue;
      const group = resource.type === TYPES.securityGroup ? resource : groupOfRule(resource, groups);
      const attached = group ? onLoadBalancer(group) : loadBalancers.some((loadBalancer) => listsGroupId(loadBalancer, resource.props.securityGroupId));
      if (!attached) {
        report(
          `${resource.name}: opens ${group ? `security group ${group.name}` : "a security group"} to the internet, but no load balancer uses it; put internet traffic through the ALB`,
          resource.urn,
        );
      }
    }
  },
});

const defaultGroupClosed = resourcePolicy({
  name: "default-security-group-closed",
  description: "The VPC's default security group has no rules (SH EC2.2)",
  enforcementLevel: "mandatory",
  type: TYPES.defaultSecurityGroup,
  check: (props, _config, report) => {
    if (asList(props.ingress).length > 0 || asList(props.egress).length > 0)
      report("remove every ingress and egress rule: resources must use their own security groups");
  },
});

const vpcMultiAz = resourcePolicy({
  name: "vpc-multi-az",
  description: "VPCs span at least two availability zones (WA REL10-BP01)",
  enforcementLevel: "mandatory",
  type: TYPES.awsxVpc,
  check: (props, _config, report) => {
    const zones = asList(props.availabilityZoneNames).length || Number(props.numberOfAvailabilityZones ?? 3);
    if (zones < 2) report(`spans ${zones} availability zone: set numberOfAvailabilityZones to 2 or more, or one zone's outage takes the region down`);
  },
});

const flowLogs = stackPolicy({
  name: "vpc-flow-logs",
  description: "Every VPC has a flow log of ALL traffic (SH EC2.6, CKV2_AWS_11)",
  enforcementLevel: "advisory",
  check: (resources, _config, report) => {
    const logs = ofType(resources, TYPES.flowLog);
    for (const log of logs) {
      if (log.props.trafficType !== "ALL") report(`${log.name}: trafficType is ${JSON.stringify(log.props.trafficType)}; set ALL`, log.urn);
      if (!log.props.logDestination) report(`${log.name}: has no logDestination`, log.urn);
    }
    const vpcs = resources.filter((resource) => resource.type === TYPES.vpc || resource.type === TYPES.awsxVpc);
    for (const vpc of vpcs) {
      // A VPC built by awsx is one VPC: a flow log on the component or on its aws:ec2/vpc:Vpc child covers both.
      const component = vpc.type === TYPES.awsxVpc ? vpc : vpc.parent?.type === TYPES.awsxVpc ? vpc.parent : undefined;
      const children = component ? vpcs.filter((candidate) => candidate.type === TYPES.vpc && candidate.parent?.urn === component.urn) : [];
      const covering = component ? [component, ...children] : [vpc];
      if (!logs.some((log) => covering.some((target) => dependsOn(log, target, "vpcId"))))
        report(`${vpc.name}: has no flow log; add an aws.ec2.FlowLog for it`, vpc.urn);
    }
  },
});

const albAccessLogs = resourcePolicy({
  name: "alb-access-logs",
  description: "Load balancers write access logs (AG elb-logging-enabled, SH ELB.5)",
  enforcementLevel: "advisory",
  type: TYPES.loadBalancer,
  check: (props, _config, report) => {
    // Gateway Load Balancers have no access logs (they pass traffic through at layer 3).
    if (props.loadBalancerType === "gateway") return;
    if (props.accessLogs?.enabled !== true || !props.accessLogs?.bucket) report("set accessLogs { enabled: true, bucket: <the region's log archive> }");
  },
});

const albDeletionProtection = resourcePolicy({
  name: "alb-deletion-protection",
  description: "Load balancers have deletion protection; they are the failover records' targets (SH ELB.6)",
  enforcementLevel: "mandatory",
  type: TYPES.loadBalancer,
  check: (props, _config, report) => {
    if (props.enableDeletionProtection !== true) report("set enableDeletionProtection to true: a deleted ALB leaves its failover record pointing at nothing");
  },
});

const albHardening = resourcePolicy({
  name: "alb-request-hardening",
  description: "Load balancers drop invalid headers and mitigate HTTP desync (SH ELB.4, ELB.12)",
  enforcementLevel: "advisory",
  type: TYPES.loadBalancer,
  check: (props, _config, report) => {
    if ((props.loadBalancerType ?? "application") !== "application") return;
    if (props.dropInvalidHeaderFields !== true) report("set dropInvalidHeaderFields to true");
    if (!["defensive", "strictest"].includes(String(props.desyncMitigationMode ?? "defensive"))) report("set desyncMitigationMode to defensive or strictest");
  },
});

const albMultiAz = resourcePolicy({
  name: "alb-multi-az",
  description: "Load balancers sit in subnets of at least two zones (SH ELB.13, WA REL10-BP01)",
  enforcementLevel: "mandatory",
  type: TYPES.loadBalancer,
  check: (props, _config, report) => {
    const subnets = asList(props.subnets).length + asList(props.subnetMappings).length;
    if (subnets < 2) report(`has ${subnets} subnet(s): give it public subnets in two or more zones`);
  },
});

/**
 * TLS policies with TLS 1.2 or 1.3 as the floor (Elastic Load Balancing security policies). The name
 * gives the floor: `TLS13-1-2`/`TLS13-1-3` (TLS 1.3 policies; `TLS13-1-0` and `TLS13-1-1` also allow
 * TLS 1.0/1.1), `TLS-1-2`, `FS-1-2`; `ELBSecurityPolicy-2016-08`, the API's default, allows TLS 1.0.
 */
export function modernTlsPolicy(name: unknown): boolean {
  return typeof name === "string" && /-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/.test(name);
}

const listenerTls = resourcePolicy({
  name: "alb-modern-tls-policy",
  description: "HTTPS (ALB) and TLS (NLB) listeners use a TLS 1.2+ or TLS 1.3 security policy (compliance-policies, SH ELB.17)",
  enforcementLevel: "advisory",
  type: TYPES.listener,
  check: (props, _config, report) => {
    if ((props.protocol === "HTTPS" || props.protocol === "TLS") && !modernTlsPolicy(props.sslPolicy)) {
      report(`sslPolicy ${JSON.stringify(props.sslPolicy)} allows TLS below 1.2: use ELBSecurityPolicy-TLS13-1-2-2021-06`);
    }
  },
});

const httpRedirects = stackPolicy({
  name: "alb-http-redirects-to-https",
  description: "A load balancer with an HTTPS listener redirects HTTP to HTTPS (AG alb-http-to-https-redirection, SH ELB.1)",
  enforcementLevel: "advisory",
  check: (resources, _config, report) => {
    const listeners = ofType(resources, TYPES.listener);
    for (const loadBalancer of ofType(resources, TYPES.loadBalancer)) {
      // An Application Load Balancer's listener without a protocol is HTTP (the provider's default).
      const application = (loadBalancer.props.loadBalancerType ?? "application") === "application";
      const protocolOf = (listener: PolicyResource) => listener.props.protocol ?? (application ? "HTTP" : undefined);
      const own = listeners.filter((listener) => dependsOn(listener, loadBalancer, "loadBalancerArn"));
      if (!own.some((listener) => protocolOf(listener) === "HTTPS")) continue;
      for (const listener of own.filter((candidate) => protocolOf(candidate) === "HTTP")) {
        const redirects = asList<Record<string, any>>(listener.props.defaultActions).some(
          (action) => action.type === "redirect" && action.redirect?.protocol === "HTTPS",
        );
        if (!redirects) report(`${listener.name}: HTTP listener of an HTTPS load balancer must redirect to HTTPS`, listener.urn);
      }
    }
  },
});

/**
 * What a Route 53 HTTP(S) health checker accepts: a status of 200-399 within 2 s of connecting (Route
 * 53 Developer Guide, "How Amazon Route 53 determines whether a health check is healthy"). A target
 * check that waits longer, or accepts a status Route 53 does not, can keep targets healthy to the ALB
 * while Route 53 fails the region over.
 */
export const ROUTE53_STATUS_DEADLINE_SECONDS = 2;
export const ROUTE53_HEALTHY_STATUS = { min: 200, max: 399 } as const;

/**
 * The status codes an ALB matcher accepts ("200", "200,202", "200-299"), as [low, high] ranges;
 * undefined when a part is not a code or a range. An unset matcher is the ALB default, 200 (Elastic
 * Load Balancing User Guide, health check settings, `Matcher`).
 */
export function matcherRanges(matcher: unknown): [number, number][] | undefined {
  const ranges = String(matcher ?? "200")
    .split(",")
    .map((part) => /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part))
    .map((m) => (m ? ([Number(m[1]), Number(m[2] ?? m[1])] as [number, number]) : undefined));
  return ranges.every((range) => range !== undefined) ? (ranges as [number, number][]) : undefined;
}

const targetGroupHealth = eachResourcePolicy({
  name: "target-group-health-check",
  description: "Target groups check the app's health path, so the ALB and Route 53 agree on health (CKV_AWS_261, DR invariant 4)",
  enforcementLevel: "mandatory",
  type: TYPES.targetGroup,
  config: {
    schema: { properties: { healthCheckPath: schema.string("Path the app answers health checks on", HEALTH_CHECK_PATH) } },
    defaults: { healthCheckPath: HEALTH_CHECK_PATH },
  },
  check: (props, config, report, resources) => {
    const healthPath = declaredHealthPath(resources, config.healthCheckPath);
    const check = props.healthCheck ?? {};
    if (check.enabled === false) {
      report("healthCheck.enabled is false: unhealthy instances would keep receiving traffic");
      return;
    }
    if (check.path !== healthPath) {
      report(`healthCheck.path is ${JSON.stringify(check.path)}: set ${healthPath}, the path the Route 53 health check probes`);
    }
    // Unset, an HTTP(S) target group waits 5 s (ELB default).
    const timeout = Number(check.timeout ?? 5);
    if (!(timeout <= ROUTE53_STATUS_DEADLINE_SECONDS)) {
      report(
        `healthCheck.timeout is ${timeout} s: set ${ROUTE53_STATUS_DEADLINE_SECONDS}, Route 53's limit for the status, or a target answering in ${ROUTE53_STATUS_DEADLINE_SECONDS}-${timeout} s stays healthy to the ALB while Route 53 fails the region over`,
      );
    }
    const ranges = matcherRanges(check.matcher);
    if (!ranges || ranges.some(([low, high]) => low < ROUTE53_HEALTHY_STATUS.min || high > ROUTE53_HEALTHY_STATUS.max || low > high)) {
      report(
        `healthCheck.matcher is ${JSON.stringify(check.matcher)}: accept only codes Route 53 counts healthy (${ROUTE53_HEALTHY_STATUS.min}-${ROUTE53_HEALTHY_STATUS.max}), e.g. "200"`,
      );
    }
  },
});

export const networkPolicies = [
  noAdminPorts,
  onlyWebPorts,
  internetOnlyToLoadBalancers,
  defaultGroupClosed,
  vpcMultiAz,
  flowLogs,
  albAccessLogs,
  albDeletionProtection,
  albHardening,
  albMultiAz,
  listenerTls,
  httpRedirects,
  targetGroupHealth,
];
