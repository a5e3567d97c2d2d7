/**
 * DR invariant 17 (this program's, issue 22): CloudFront in front of the pair, when the primary's
 * `edge.cloudFront` is on (docs/edge.md):
 * - the DR stack owns one distribution (it knows both load balancers and is the stack deployed during an
 *   outage) whose origin group is the failover name then the DR ALB, failing over on 500, 502, 503 and 504
 *   for GET, HEAD and OPTIONS only, and whose write behaviors go to the failover name alone
 *   (policy/policies/edge.ts `originGroupProblems`; CloudFront Developer Guide, "Optimize high availability
 *   with CloudFront origin failover", "Request and response behavior for origin groups");
 * - the primary origin is the Route 53 failover pair's name (so writes follow the failover), the second the DR ALB;
 * - its certificate is in us-east-1 (CloudFront Developer Guide, "Requirements for using SSL/TLS certificates with CloudFront");
 * - each region's ALB takes its app listener from CloudFront only: 443 open to CloudFront's origin-facing prefix
 *   list and to no address range, its HTTPS listener answering nothing by default and forwarding only on the
 *   origin-verify header (CloudFront Developer Guide, "Restrict access to Application Load Balancers").
 */
import { CLOUDFRONT_CERTIFICATE_REGION, ORIGIN_VERIFY_HEADER } from "../config/edge";
import { ORIGIN_IDS } from "../components/edge/distribution";
import { certificateArnRegion, originGroupProblems } from "../policy/policies/edge";
import { type InvariantResult, LOAD_BALANCER, type PlanPair, resourcesOfType, ROUTE53_RECORD } from "./plan";
import type { PlannedResource, StackPlan } from "../synth/recordStack";

export const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const LISTENER = "aws:lb/listener:Listener";
const LISTENER_RULE = "aws:lb/listenerRule:ListenerRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const dnsName = (value: unknown) =>
  String(value ?? "")
    .replace(/\.$/, "")
    .toLowerCase();

/** What is wrong with how `plan`'s ALBs take traffic: only CloudFront on 443, only with the secret header. */
function albProblems(plan: StackPlan): string[] {
  const problems: string[] = [];
  const ingress = resourcesOfType(plan, INGRESS_RULE);
  const on443 = (rule: PlannedResource) => Number(rule.inputs.fromPort) <= 443 && Number(rule.inputs.toPort) >= 443;
  for (const rule of ingress.filter((candidate) => on443(candidate) && (candidate.inputs.cidrIpv4 !== undefined || candidate.inputs.cidrIpv6 !== undefined)))
    problems.push(
      `${plan.stack}/${rule.name}: opens 443 to ${String(rule.inputs.cidrIpv4 ?? rule.inputs.cidrIpv6)}; behind the edge only CloudFront's prefix list may reach it`,
    );
  if (!ingress.some((rule) => on443(rule) && typeof rule.inputs.prefixListId === "string" && rule.inputs.prefixListId !== ""))
    problems.push(`${plan.stack}: no rule lets CloudFront's origin-facing prefix list reach 443`);
  const rules = resourcesOfType(plan, LISTENER_RULE);
  for (const alb of resourcesOfType(plan, LOAD_BALANCER)) {
    const https = resourcesOfType(plan, LISTENER).filter(
      (listener) => listener.inputs.loadBalancerArn === alb.outputs.arn && listener.inputs.protocol === "HTTPS",
    );
    if (https.length === 0) problems.push(`${plan.stack}/${alb.name}: no HTTPS listener for CloudFront to reach`);
    for (const listener of https) {
      const defaults = (listener.inputs.defaultActions as { type?: string }[] | undefined) ?? [];
      if (defaults.some((action) => action.type === "forward"))
        problems.push(`${plan.stack}/${listener.name}: forwards by default; behind the edge it must forward only requests with ${ORIGIN_VERIFY_HEADER}`);
      const verified = rules.some(
        (rule) =>
          rule.inputs.listenerArn === listener.outputs.arn &&
          ((rule.inputs.conditions as { httpHeader?: { httpHeaderName?: string } }[] | undefined) ?? []).some(
            (condition) => condition.httpHeader?.httpHeaderName?.toLowerCase() === ORIGIN_VERIFY_HEADER.toLowerCase(),
          ),
      );
      if (!verified) problems.push(`${plan.stack}/${listener.name}: no listener rule forwards on the ${ORIGIN_VERIFY_HEADER} header`);
    }
  }
  return problems;
}

export function edgeProblems({ primary, dr }: PlanPair): string[] {
  const on = (primary.outputs.edge as { enabled?: boolean } | undefined)?.enabled === true;
  const distributions = resourcesOfType(dr, DISTRIBUTION);
  if (!on) return distributions.length > 0 ? [`${dr.stack}: has a distribution while the primary's edge.cloudFront is off`] : [];
  const problems: string[] = [];
  if (resourcesOfType(primary, DISTRIBUTION).length > 0) problems.push(`${primary.stack}: has a distribution; the DR stack owns the edge (docs/edge.md)`);
  if (distributions.length !== 1) problems.push(`${dr.stack}: has ${distributions.length} CloudFront distributions; the edge is one, owned by the DR stack`);
  const failoverNames = new Set(
    resourcesOfType(dr, ROUTE53_RECORD)
      .filter((record) => Array.isArray(record.inputs.failoverRoutingPolicies) && (record.inputs.failoverRoutingPolicies as unknown[]).length > 0)
      .map((record) => dnsName(record.inputs.name)),
  );
  const drAlbs = new Set(resourcesOfType(dr, LOAD_BALANCER).map((alb) => dnsName(alb.outputs.dnsName)));
  for (const distribution of distributions) {
    const props = distribution.inputs as Record<string, unknown>;
    problems.push(...originGroupProblems(props).map((problem) => `${dr.stack}/${distribution.name}: ${problem}`));
    const origins = (props.origins as { originId?: string; domainName?: string }[] | undefined) ?? [];
    const origin = (id: string) => dnsName(origins.find((candidate) => candidate.originId === id)?.domainName);
    if (!failoverNames.has(origin(ORIGIN_IDS.primary)))
      problems.push(
        `${dr.stack}/${distribution.name}: the primary origin ${origin(ORIGIN_IDS.primary) || "(none)"} is not the Route 53 failover pair's name: writes would not follow the failover`,
      );
    if (!drAlbs.has(origin(ORIGIN_IDS.dr)))
      problems.push(`${dr.stack}/${distribution.name}: the second origin ${origin(ORIGIN_IDS.dr) || "(none)"} is not the DR stack's ALB`);
    const region = certificateArnRegion((props.viewerCertificate as { acmCertificateArn?: unknown } | undefined)?.acmCertificateArn);
    if (region !== CLOUDFRONT_CERTIFICATE_REGION)
      problems.push(
        `${dr.stack}/${distribution.name}: its certificate is in ${region ?? "no region (no ACM ARN)"}; CloudFront reads certificates from ${CLOUDFRONT_CERTIFICATE_REGION} only`,
      );
  }
  return [...problems, ...albProblems(primary), ...albProblems(dr)];
}

export function checkEdge(pair: PlanPair): InvariantResult {
  return {
    id: 17,
    title:
      "Edge: one DR-owned distribution, reads through an origin group failing over on 5xx, writes to the failover name, a us-east-1 certificate, both ALBs reachable from CloudFront only (17)",
    violations: edgeProblems(pair),
  };
}
