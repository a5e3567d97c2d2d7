/**
 * Route 53's data plane as the offline drill models it: the health checks and failover records of the
 * public zone as synthesized (fromPlan.ts `routingFromPlan`, or `defaultRouting` for targets without a
 * plan), and the status of each check over simulated time. Nothing here is a control-plane call: the
 * health checkers and the DNS answers keep working when Route 53's control plane (us-east-1) is down
 * (Route 53 Developer Guide, "Resilience in Amazon Route 53" and "Control and data plane concepts";
 * AWS Fault Isolation Boundaries, "Global services": Route 53 runs its control plane in us-east-1 and its
 * data plane, health checks included, in points of presence worldwide).
 *
 * Three kinds of check (Route 53 API Reference, HealthCheckConfig `Type`; Developer Guide, "Types of
 * Amazon Route 53 health checks"), each of which may be `Inverted` ("consider a health check unhealthy
 * when it otherwise would be considered healthy", HealthCheckConfig `Inverted`):
 * - an endpoint check (HTTP, HTTPS, their _STR_MATCH forms, TCP) of a load balancer: checkers probe it
 *   every `RequestInterval` seconds; its status changes after `FailureThreshold` consecutive checks that
 *   disagree with it ("The number of consecutive health checks that an endpoint must pass or fail for
 *   Amazon Route 53 to change the current status of the endpoint from unhealthy to healthy or vice
 *   versa", HealthCheckConfig `FailureThreshold`). A check at second c sees the endpoint as it was just
 *   before c, so a failure on the grid is seen `interval x threshold` later (durations.ts `detectionSeconds`);
 * - CLOUDWATCH_METRIC: follows a CloudWatch alarm of a region (ALARM unhealthy, OK healthy), with
 *   `followSeconds` of delay (undocumented: durations.ts `fencePropagationSeconds`); without data
 *   (no datapoint yet, or the alarm's region unreachable) it takes `InsufficientDataHealthStatus`:
 *   Healthy, Unhealthy, or LastKnownStatus ("the status of the health check from the last time that
 *   CloudWatch had sufficient data to determine the alarm state. For new health checks that have no
 *   last known status, the default status for the health check is healthy", HealthCheckConfig);
 * - CALCULATED: healthy while at least `HealthThreshold` children are ("If you specify a number greater
 *   than the number of child health checks, Route 53 always considers this health check to be unhealthy.
 *   If you specify 0, Route 53 always considers this health check to be healthy", HealthCheckConfig).
 */
import { normalizeName } from "./route53";

/** The endpoint-check types Route 53 has (HealthCheckConfig `Type`). */
export const ENDPOINT_CHECK_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"] as const;

/** What Route 53 does with a CLOUDWATCH_METRIC check whose alarm has no data (HealthCheckConfig `InsufficientDataHealthStatus`). */
export type InsufficientDataStatus = "Healthy" | "Unhealthy" | "LastKnownStatus";

/** One Route 53 health check, as the plan declares it. `id` is what a record's `HealthCheckId` names. */
export type HealthCheckSpec =
  | {
      id: string;
      type: (typeof ENDPOINT_CHECK_TYPES)[number];
      /** DNS name of the probed endpoint (a load balancer's). */
      fqdn: string;
      /** RequestInterval, seconds (10 or 30). */
      intervalSeconds: number;
      /** FailureThreshold, 1-10. */
      failureThreshold: number;
      inverted: boolean;
    }
  | { id: string; type: "CLOUDWATCH_METRIC"; alarmName: string; alarmRegion: string; insufficientData: InsufficientDataStatus; inverted: boolean }
  | { id: string; type: "CALCULATED"; children: string[]; threshold: number; inverted: boolean };

/** One failover alias record of the application name, as the plan declares it. */
export interface FailoverRecordSpec {
  role: "PRIMARY" | "SECONDARY";
  setIdentifier: string;
  alias: { dnsName: string; zoneId: string; evaluateTargetHealth: boolean };
  healthCheckId?: string;
}

/** The public zone's failover pair and every health check it uses, and where they were read. */
export interface RoutingSpec {
  healthChecks: HealthCheckSpec[];
  records: FailoverRecordSpec[];
  source: string;
}

/** What the checks observe of the world. */
export interface HealthCheckWorld {
  /** The endpoint named `fqdn` answers the check at `t` (an unknown name throws). */
  endpointServing(fqdn: string, t: number): boolean;
  /** State of the alarm `name` of `region` as Route 53 can read it at `t`: INSUFFICIENT_DATA without data or when the region does not answer. */
  alarmState(name: string, region: string, t: number): "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** The simulated present: statuses up to it are memoized (the past no longer changes). */
  now(): number;
}

/** The earliest simulated second the checks are evaluated from (scenarios start at most an hour before the first run). */
const HISTORY_START = -7200;

/** A problem of the routing as declared: a record naming a check that does not exist, a cycle of calculated checks, a bad threshold. */
export class RoutingError extends Error {
  override name = "RoutingError";
}

/**
 * The status of the health checks of `spec` over simulated time.
 * @throws RoutingError at construction when a record or a calculated check names an unknown check, or
 *   calculated checks form a cycle.
 */
export class HealthChecks {
  private readonly byId = new Map<string, HealthCheckSpec>();
  /** Endpoint checks: the status after each check index up to the present (memo). */
  private readonly endpointMemo = new Map<string, { index: number; healthy: boolean; streak: number }>();

  constructor(
    readonly spec: RoutingSpec,
    private readonly world: HealthCheckWorld,
    /** Seconds Route 53 takes to follow a CloudWatch alarm (durations.ts `fencePropagationSeconds`). */
    private readonly followSeconds: number,
  ) {
    for (const check of spec.healthChecks) this.byId.set(check.id, check);
    for (const record of spec.records) {
      if (record.healthCheckId !== undefined && !this.byId.has(record.healthCheckId)) {
        throw new RoutingError(`the ${record.role} record names health check ${record.healthCheckId}, which ${spec.source} does not declare`);
      }
    }
    const visiting = new Set<string>();
    const visit = (id: string, from: string) => {
      const check = this.byId.get(id);
      if (!check) throw new RoutingError(`calculated health check ${from} names child ${id}, which ${spec.source} does not declare`);
      if (check.type !== "CALCULATED") return;
      if (visiting.has(id)) throw new RoutingError(`calculated health checks form a cycle through ${id}`);
      visiting.add(id);
      for (const child of check.children) visit(child, id);
      visiting.delete(id);
    };
    for (const check of spec.healthChecks) visit(check.id, check.id);
  }

  /** Ids of every declared check (what ChangeResourceRecordSets accepts as a HealthCheckId). */
  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** The check `id` is healthy at `t`. @throws RoutingError for an unknown id */
  healthy(id: string, t: number): boolean {
    const check = this.byId.get(id);
    if (!check) throw new RoutingError(`no health check ${id} in ${this.spec.source}`);
    let status: boolean;
    switch (check.type) {
      case "CALCULATED":
        status = check.children.filter((child) => this.healthy(child, t)).length >= check.threshold;
        break;
      case "CLOUDWATCH_METRIC":
        status = this.alarmHealthy(check, t - this.followSeconds);
        break;
      default:
        status = this.endpointHealthy(check, t);
    }
    return check.inverted ? !status : status;
  }

  private alarmHealthy(check: Extract<HealthCheckSpec, { type: "CLOUDWATCH_METRIC" }>, t: number): boolean {
    const state = this.world.alarmState(check.alarmName, check.alarmRegion, t);
    if (state !== "INSUFFICIENT_DATA") return state === "OK";
    if (check.insufficientData !== "LastKnownStatus") return check.insufficientData === "Healthy";
    // The last state CloudWatch had data for, looking back a minute at a time; healthy if it never had any.
    for (let at = t - 60; at >= HISTORY_START; at -= 60) {
      const earlier = this.world.alarmState(check.alarmName, check.alarmRegion, at);
      if (earlier !== "INSUFFICIENT_DATA") return earlier === "OK";
    }
    return true;
  }

  private endpointHealthy(check: Extract<HealthCheckSpec, { type: (typeof ENDPOINT_CHECK_TYPES)[number] }>, t: number): boolean {
    const interval = check.intervalSeconds;
    const target = Math.floor(t / interval);
    const presentIndex = Math.floor(this.world.now() / interval);
    const memo = this.endpointMemo.get(check.id);
    const first = Math.floor(HISTORY_START / interval);
    let state = memo && memo.index <= target ? { ...memo } : { index: first, healthy: this.world.endpointServing(check.fqdn, first * interval), streak: 0 };
    while (state.index < target) {
      const index = state.index + 1;
      // The check at second c sees the endpoint as it was just before c.
      const seen = this.world.endpointServing(check.fqdn, index * interval - 1e-3);
      if (seen === state.healthy) state = { index, healthy: state.healthy, streak: 0 };
      else if (state.streak + 1 >= check.failureThreshold) state = { index, healthy: seen, streak: 0 };
      else state = { index, healthy: state.healthy, streak: state.streak + 1 };
      if (index <= presentIndex && (!memo || index > memo.index)) this.endpointMemo.set(check.id, { ...state });
    }
    return state.healthy;
  }
}

/** The check of `spec` probing `fqdn`, if any (an endpoint check). */
export function endpointCheckOf(spec: RoutingSpec, fqdn: string): HealthCheckSpec | undefined {
  return spec.healthChecks.find((check) => "fqdn" in check && normalizeName(check.fqdn) === normalizeName(fqdn));
}

/**
 * The routing of `targets` when no plan is at hand (`systemFromTargets`): the failover pair as
 * components/failoverRouting.ts builds it once the SECONDARY is fenced too (`shape: "fenced-secondary"`,
 * the default): the PRIMARY record carries a CALCULATED check over the primary ALB's endpoint check and
 * the fence check (both healthy: threshold 2), its alias does not evaluate target health; the SECONDARY
 * record carries a CALCULATED check (threshold 1) over the DR ALB's endpoint check and the INVERTED fence
 * check, and does not evaluate target health either, so once fenced Route 53 answers the DR region
 * whatever the DR tier's state. `shape: "secondary-by-target-health"` is the earlier form: the SECONDARY
 * has no check and evaluates the DR ALB's target health. Check ids derive from `targets.dns.healthCheckId`
 * (the PRIMARY record's). A plan's own routing replaces this (fromPlan.ts `routingFromPlan`).
 */
export function defaultRouting(
  targets: {
    drRegion: string;
    primaryRegion: string;
    primaryLoadBalancer: { dnsName: string; zoneId: string };
    drLoadBalancer: { dnsName: string; zoneId: string };
    fence: { alarmName: string };
    dns: { healthCheckId: string; primarySetIdentifier: string };
  },
  check: { intervalSeconds: number; failureThreshold: number },
  shape: "fenced-secondary" | "secondary-by-target-health" = "fenced-secondary",
): RoutingSpec {
  const id = targets.dns.healthCheckId;
  const endpoint = (suffix: string, fqdn: string): HealthCheckSpec => ({ id: `${id}-${suffix}`, type: "HTTP", fqdn, ...check, inverted: false });
  const fence = (suffix: string, inverted: boolean): HealthCheckSpec => ({
    id: `${id}-${suffix}`,
    type: "CLOUDWATCH_METRIC",
    alarmName: targets.fence.alarmName,
    alarmRegion: targets.drRegion,
    insufficientData: "LastKnownStatus",
    inverted,
  });
  const healthChecks: HealthCheckSpec[] = [
    endpoint("primary-endpoint", targets.primaryLoadBalancer.dnsName),
    fence("fence", false),
    { id, type: "CALCULATED", children: [`${id}-primary-endpoint`, `${id}-fence`], threshold: 2, inverted: false },
  ];
  const secondary: FailoverRecordSpec = {
    role: "SECONDARY",
    setIdentifier: `secondary-${targets.drRegion}`,
    alias: { dnsName: targets.drLoadBalancer.dnsName, zoneId: targets.drLoadBalancer.zoneId, evaluateTargetHealth: true },
  };
  if (shape === "fenced-secondary") {
    healthChecks.push(endpoint("dr-endpoint", targets.drLoadBalancer.dnsName), fence("fence-inverted", true), {
      id: `${id}-secondary`,
      type: "CALCULATED",
      children: [`${id}-dr-endpoint`, `${id}-fence-inverted`],
      threshold: 1,
      inverted: false,
    });
    secondary.alias.evaluateTargetHealth = false;
    secondary.healthCheckId = `${id}-secondary`;
  }
  return {
    healthChecks,
    records: [
      {
        role: "PRIMARY",
        setIdentifier: targets.dns.primarySetIdentifier,
        alias: { dnsName: targets.primaryLoadBalancer.dnsName, zoneId: targets.primaryLoadBalancer.zoneId, evaluateTargetHealth: false },
        healthCheckId: id,
      },
      secondary,
    ],
    source: `the default routing (${shape}) of the targets`,
  };
}
