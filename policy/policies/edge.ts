/**
 * Edge policies (issue 22, item 1; docs/edge.md): a CloudFront distribution in front of the pair fails
 * reads over per request and lets writes follow Route 53, takes its certificate from us-east-1, and the
 * load balancers behind it take the app's traffic from CloudFront only. Sources: CloudFront Developer
 * Guide ("Optimize high availability with CloudFront origin failover", "Request and response behavior for
 * origin groups", "Requirements for using SSL/TLS certificates with CloudFront", "Restrict access to
 * Application Load Balancers"); AWS Security Hub CloudFront.1-CloudFront.10 for the hardening the program
 * also applies (HTTPS to viewers and origins).
 */
import type { PolicyResource } from "@pulumi/policy";
import { FAILOVER_STATUS_CODES, READ_METHODS } from "../../components/edge/distribution";
import { CLOUDFRONT_CERTIFICATE_REGION, ORIGIN_VERIFY_HEADER } from "../../config/edge";
import { asList, ofType, regionOf, stackPolicy, TYPES } from "./kit";
import { fromInternet, ingressPermissions, opensPort } from "./network";

export const EDGE_TYPES = {
  distribution: "aws:cloudfront/distribution:Distribution",
  certificate: "aws:acm/certificate:Certificate",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
} as const;

/** The failover codes as a sorted list, for comparison. */
const EXPECTED_CODES = [...FAILOVER_STATUS_CODES].sort((a, b) => a - b).join(",");

/** What is wrong with one distribution's origin group and behaviors (empty when fine). */
export function originGroupProblems(props: Record<string, any>): string[] {
  const problems: string[] = [];
  const groups = asList<Record<string, any>>(props.originGroups);
  const group = groups.find((candidate) => candidate.originId === props.defaultCacheBehavior?.targetOriginId);
  if (groups.length === 0 || group === undefined) {
    problems.push("has no origin group behind its default behavior: add one of the primary and the DR origins so reads fail over per request");
    return problems;
  }
  const members = asList<Record<string, any>>(group.members).map((member) => member.originId);
  if (members.length !== 2) problems.push(`origin group ${group.originId} has ${members.length} members: it needs the primary origin then the DR origin`);
  const codes = asList<number>(group.failoverCriteria?.statusCodes)
    .map(Number)
    .sort((a, b) => a - b)
    .join(",");
  if (codes !== EXPECTED_CODES)
    problems.push(`origin group ${group.originId} fails over on [${codes}]: set exactly ${EXPECTED_CODES} (a 4xx is the app's answer, not a region down)`);
  const methods = asList<string>(props.defaultCacheBehavior?.allowedMethods);
  const writes = methods.filter((method) => !(READ_METHODS as readonly string[]).includes(method));
  if (writes.length > 0)
    problems.push(`the default behavior on the origin group allows ${writes.join(", ")}: origin groups fail over GET, HEAD and OPTIONS only`);
  for (const behavior of asList<Record<string, any>>(props.orderedCacheBehaviors)) {
    const allowsWrites = asList<string>(behavior.allowedMethods).some((method) => !(READ_METHODS as readonly string[]).includes(method));
    if (!allowsWrites) continue;
    if (groups.some((candidate) => candidate.originId === behavior.targetOriginId))
      problems.push(
        `behavior ${behavior.pathPattern} sends writes to origin group ${behavior.targetOriginId}: send them to the failover-routed primary origin`,
      );
    else if (behavior.targetOriginId !== members[0])
      problems.push(
        `behavior ${behavior.pathPattern} sends writes to ${behavior.targetOriginId}, not the primary origin ${members[0]} that follows the Route 53 failover`,
      );
  }
  return problems;
}

const originFailover = stackPolicy({
  name: "edge-origin-failover",
  description:
    "A distribution in front of the pair fails reads over on 500/502/503/504 through an origin group and sends writes to the failover-routed origin (CloudFront origin failover, DR invariant 17)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    for (const distribution of ofType(resources, EDGE_TYPES.distribution)) {
      for (const problem of originGroupProblems(distribution.props)) report(`${distribution.name}: ${problem}`, distribution.urn);
    }
  },
});

/** The region of an ACM certificate ARN, or undefined when the value is no ARN (an unknown at preview). */
export function certificateArnRegion(arn: unknown): string | undefined {
  return typeof arn === "string" ? /^arn:aws[a-z-]*:acm:([a-z0-9-]+):/.exec(arn)?.[1] : undefined;
}

const certificateInUsEast1 = stackPolicy({
  name: "edge-certificate-us-east-1",
  description:
    "A distribution's ACM certificate is in us-east-1, the only region CloudFront reads certificates from (CloudFront SSL/TLS certificate requirements, DR invariant 17)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const certificates = ofType(resources, EDGE_TYPES.certificate);
    for (const distribution of ofType(resources, EDGE_TYPES.distribution)) {
      const arn = distribution.props.viewerCertificate?.acmCertificateArn;
      const literal = certificateArnRegion(arn);
      if (literal !== undefined && literal !== CLOUDFRONT_CERTIFICATE_REGION)
        report(`${distribution.name}: its certificate is in ${literal}; request it in us-east-1`, distribution.urn);
      const aliases = asList<string>(distribution.props.aliases);
      for (const certificate of certificates.filter((candidate) => aliases.includes(String(candidate.props.domainName)))) {
        const region = regionOf(certificate);
        if (region !== CLOUDFRONT_CERTIFICATE_REGION)
          report(
            `${certificate.name}: the certificate for ${String(certificate.props.domainName)} is in ${region}; CloudFront takes certificates from us-east-1 only`,
            certificate.urn,
          );
      }
    }
  },
});

/** True when the stack puts the edge in front of its ALB: a distribution, or a listener rule on the origin-verify header. */
export function edgeIsOn(resources: PolicyResource[]): boolean {
  const verifies = (rule: PolicyResource) =>
    asList<Record<string, any>>(rule.props.conditions).some(
      (condition) => String(condition.httpHeader?.httpHeaderName ?? "").toLowerCase() === ORIGIN_VERIFY_HEADER.toLowerCase(),
    );
  return ofType(resources, EDGE_TYPES.distribution).length > 0 || ofType(resources, EDGE_TYPES.listenerRule).some(verifies);
}

const albCloudFrontOnly = stackPolicy({
  name: "edge-alb-cloudfront-only",
  description:
    "Behind the edge, no load balancer port but the health listener's (80) is open to the internet, and 443 takes CloudFront's prefix list (CloudFront restrict access to ALBs, DR invariant 17)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    if (!edgeIsOn(resources)) return;
    const rules = resources.filter((resource) => [TYPES.securityGroup, TYPES.securityGroupRule, TYPES.ingressRule].includes(resource.type as never));
    for (const rule of rules) {
      for (const permission of ingressPermissions(rule.type, rule.props).filter(fromInternet)) {
        if (permission.protocol === "-1" || permission.protocol === "all" || permission.fromPort !== 80 || permission.toPort !== 80)
          report(
            `${rule.name}: opens ${permission.fromPort}-${permission.toPort} to ${permission.cidrs.join(", ")} while CloudFront is in front: only 80 (the health path) may be`,
            rule.urn,
          );
      }
    }
    const fromCloudFront = ofType(resources, TYPES.ingressRule).some(
      (rule) => typeof rule.props.prefixListId === "string" && rule.props.prefixListId !== "" && opensPort(ingressPermissions(rule.type, rule.props)[0], 443),
    );
    if (!fromCloudFront && ofType(resources, TYPES.loadBalancer).length > 0)
      report("no security group rule lets CloudFront's origin-facing prefix list reach 443: the load balancer is unreachable through the edge");
  },
});

export const edgePolicies = [originFailover, certificateInUsEast1, albCloudFrontOnly];
