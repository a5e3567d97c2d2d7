/**
 * Which ALB listener rules forward the traffic a check cares about, as pure rules shared by DR
 * invariants 4 and 17 and the pack's `dr-failover-pair` and `dr-listener-health-check-match` policies.
 * Behind the edge (components/appTier/loadBalancer.ts) neither listener forwards by default: the HTTPS
 * listener answers 403 and forwards on a rule whose one condition is the origin-verify header, which
 * CloudFront adds to every request it sends the origin (CloudFront Developer Guide, "Restrict access to
 * Application Load Balancers": "configure CloudFront to add a custom HTTP header to requests that it
 * sends to the Application Load Balancer"); the health listener (HTTP 80) answers 404 and forwards on a
 * rule for the health path and the methods GET and HEAD. Rule conditions are ANDed; a condition's
 * values are ORed (Elastic Load Balancing User Guide, "Listener rules for your Application Load
 * Balancer", condition types). Pure.
 */
import { ORIGIN_VERIFY_HEADER } from "../config/edge";

/** A listener rule's conditions as the provider takes them (`aws.lb.ListenerRule` `conditions`). */
export interface RuleCondition {
  httpHeader?: { httpHeaderName?: string; values?: unknown[] };
  pathPattern?: { values?: unknown[] };
  httpRequestMethod?: { values?: unknown[] };
  [other: string]: unknown;
}

/** The provider's rule inputs that matter here: `conditions` and `actions`. */
export interface RuleInputs {
  conditions?: RuleCondition[];
  actions?: { type?: string }[];
}

const forwards = (rule: RuleInputs) => (rule.actions ?? []).some((action) => action?.type === "forward");
/** The condition kinds a condition sets (`httpHeader`, `pathPattern`, ...), ignoring unset ones. */
const kindsOf = (condition: RuleCondition) => Object.keys(condition).filter((key) => condition[key] !== undefined && condition[key] !== null);

/**
 * True when the rule forwards every request CloudFront sends: a forward action whose only condition is
 * the origin-verify header (ORIGIN_VERIFY_HEADER, compared case-insensitively as HTTP header names are).
 */
export function forwardsOriginVerified(rule: RuleInputs): boolean {
  const conditions = rule.conditions ?? [];
  return (
    forwards(rule) &&
    conditions.length > 0 &&
    conditions.every(
      (condition) =>
        kindsOf(condition).every((kind) => kind === "httpHeader") &&
        String(condition.httpHeader?.httpHeaderName ?? "").toLowerCase() === ORIGIN_VERIFY_HEADER.toLowerCase(),
    )
  );
}

/**
 * True when the rule forwards a Route 53 health checker's request for `healthPath`: a forward action, a
 * path-pattern condition listing `healthPath` itself, and no other condition but request methods that
 * include GET (Route 53 "submits an HTTP request" for the resource path: API Reference, HealthCheckConfig
 * `Type`; the probe and the checkers ask with GET).
 */
export function forwardsHealthPath(rule: RuleInputs, healthPath: string): boolean {
  const conditions = rule.conditions ?? [];
  const onPath = conditions.some((condition) => (condition.pathPattern?.values ?? []).map(String).includes(healthPath));
  const othersAllowGet = conditions.every((condition) =>
    kindsOf(condition).every(
      (kind) => kind === "pathPattern" || (kind === "httpRequestMethod" && (condition.httpRequestMethod?.values ?? []).map(String).includes("GET")),
    ),
  );
  return forwards(rule) && onPath && othersAllowGet;
}
