/**
 * FailoverRouting: the Route 53 failover pair for the application name. A health check probes the
 * primary ALB's `/health`; a second one follows the fence, a CloudWatch alarm in the DR region on a
 * metric the recovery workflows publish; the PRIMARY alias record points at the primary ALB and
 * carries a calculated health check healthy only while both are (the endpoint answers and the primary
 * is not fenced); the SECONDARY alias record points at the DR ALB and carries a calculated health
 * check healthy while the DR ALB answers its `/health` or the primary is fenced. A failover fences the
 * primary, so traffic moves and stays in the DR region with no Route 53 record change (Route 53's
 * control plane lives in us-east-1; its health checks and DNS answers are its data plane: Route 53
 * Developer Guide, "Resilience in Amazon Route 53"), and the old primary takes no traffic when its
 * region returns; failback releases the fence.
 *
 * Neither alias evaluates target health (`evaluateTargetHealth: false`): each record goes by its own
 * health check. With a health check AND evaluateTargetHealth on an alias, Route 53 answers with the
 * record only while both pass (Route 53 Developer Guide, "How health checks work in complex Amazon
 * Route 53 configurations", "What happens when you associate a health check with an alias record?": a
 * health check can be associated "instead of or in addition to" Evaluate Target Health; with both,
 * "both of the following must be true"). For the PRIMARY the two disagree exactly when every target
 * fails the ALB's own check: the ALB then routes to all of them anyway (it "fails open", Elastic Load
 * Balancing User Guide, "Health checks for Application Load Balancer target groups"), so `/health`
 * through the ALB and the alarm on it (`failover.automatic`) can stay healthy while target health
 * (Route 53 API Reference, AliasTarget `EvaluateTargetHealth`: an ALB is healthy when "every target
 * group that contains targets must contain at least one healthy target", and "a target group that has
 * no registered targets is considered unhealthy") already sent users to the DR ALB: to the
 * unpromoted, read-only replica, no failover started, and back when the group replaced the instances.
 * (The API Reference's ResourceRecordSet `Failover` still says failover alias records must set
 * EvaluateTargetHealth to true; the Developer Guide page above documents a health check instead of it.)
 *
 * The SECONDARY must stay the answer once the primary is fenced. When the SECONDARY is unhealthy,
 * Route 53 answers the PRIMARY "regardless of the health of the primary" (API Reference,
 * ResourceRecordSet `Failover`): with the DR tier down after a failover (no healthy target, a
 * redeploy, a scale-in), users would reach the old primary's region as soon as it returns, its ALB
 * healthy, its old database diverged and writable. So the SECONDARY's calculated check is healthy
 * when at least one child is (`childHealthThreshold: 1`; API Reference, HealthCheckConfig
 * `HealthThreshold`): the DR ALB's `/health` (an HTTP(S) check with the primary's rules), or the
 * fence INVERTED (`invertHealthcheck: true`: "Route 53 considers the health check to be unhealthy when
 * the status is healthy and vice versa", Developer Guide, "Inverting health checks"), a
 * CLOUDWATCH_METRIC check of the same alarm, healthy while fenced. Before any failover the SECONDARY
 * is healthy iff the DR tier answers (what target health said, through the same fail-open ALB as the
 * PRIMARY's check); once fenced it is always healthy, so Route 53 answers it whatever the DR tier's
 * state and never the old primary. Everything stays in Route 53's data plane and the DR region's
 * CloudWatch: no record change at failover or failback.
 *
 * What moves the region, and what does not. The PRIMARY answers while its health check of the
 * primary ALB's `/health` passes. `/health` answers at once and is 200 while the app process serves;
 * the database is checked in the background and only reported (app/server.py). So:
 * - moves: the region or its ALB unreachable (no TCP connection within 4 s, no status within 2 s);
 *   the app down or slower than 2 s on every instance (the fail-open ALB forwards the check to them
 *   and answers 5xx or late); the group at 0 (the ALB answers 503). These fire the health check's
 *   alarm too: DNS and the automatic failover act on the same failure;
 * - does not move: a slow or failing database inside the region (a Multi-AZ failover, 60-120 s),
 *   one instance down (the ALB routes around it, the group replaces it), every target failing the
 *   ALB's check while the app still answers `/health` through the fail-open ALB (the instances are
 *   replaced; users stay on the writable primary). None fires the health check's alarm, so none
 *   starts an automatic failover, which would promote the replica. A database lost for good while
 *   the region serves is an operator's failover (`npm run failover`).
 * The ALB's target check and Route 53's agree on unhealthy: same path, a status Route 53 accepts
 * (`ROUTE53_HTTP_CHECK`), and a target timeout no longer than Route 53's 2 s (`AppTier`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EVALUATE_TARGET_HEALTH, FENCE_METRIC } from "../config/conventions";

/** Route 53 accepts only these request intervals, seconds. */
export const HEALTH_CHECK_INTERVALS_SECONDS = [10, 30] as const;

/**
 * How one Route 53 health checker judges an HTTP(S) endpoint: a TCP connection within 4 s, then an
 * HTTP status of 200-399 within 2 s of connecting; else that check fails (Route 53 Developer Guide,
 * "How Amazon Route 53 determines whether a health check is healthy"; API Reference,
 * HealthCheckConfig `Type`). The endpoint is healthy while more than 18% of the checkers say so.
 */
export const ROUTE53_HTTP_CHECK = { connectSeconds: 4, statusWithinSeconds: 2, healthyStatus: { min: 200, max: 399 } } as const;

/** Whether each record's alias evaluates the ALB's target health (config/conventions.ts). */
export { EVALUATE_TARGET_HEALTH };

/** One side of the pair: where its alias points. */
export interface FailoverTarget {
  /** Region of the ALB, used in the record's set identifier. */
  region: string;
  albDnsName: pulumi.Input<string>;
  /** The ALB's canonical hosted zone id. */
  albZoneId: pulumi.Input<string>;
}

/** A side whose ALB Route 53 probes: the listener that forwards to the app (not an HTTP-to-HTTPS redirect, whose 301 Route 53 counts healthy). */
export interface ProbedFailoverTarget extends FailoverTarget {
  /** Protocol of the ALB's forwarding listener (`AppTier.listenerProtocol`); the health check uses the same, with SNI for HTTPS. */
  protocol: "HTTP" | "HTTPS";
  /** Port of that listener (`AppTier.listenerPort`), 1-65535. */
  port: number;
}

/** The fence's metric (config/conventions.ts). */
export { FENCE_METRIC };

export interface FailoverRoutingArgs {
  /** Public hosted zone holding the application name. */
  hostedZoneId: pulumi.Input<string>;
  /** Fully qualified application name, e.g. `app.dr.example.com`. */
  applicationName: string;
  /** The primary region's ALB: the PRIMARY record's alias and endpoint check. */
  primary: ProbedFailoverTarget;
  /** The DR region's ALB (where the component's provider deploys): the SECONDARY record's alias and endpoint check. */
  secondary: ProbedFailoverTarget;
  /** Path of the app's health endpoint, e.g. `/health`; both endpoint checks probe it. */
  healthCheckPath: string;
  /** 10 or 30 seconds, both endpoint checks. */
  healthCheckIntervalSeconds: number;
  /** Consecutive failures before unhealthy: 1-10, both endpoint checks. */
  healthCheckFailureThreshold: number;
  /** Name of the fence alarm, in the secondary's (DR) region, where the component's provider deploys. */
  fenceAlarmName: string;
  /** Topic of the DR region the fence alarm notifies when the primary is fenced and released. */
  fenceAlarmTopicArn?: pulumi.Input<string>;
  /**
   * `recovery.orchestrator: region-switch`: the health checks the Region switch plan's Route53HealthCheck
   * block created for each region (components/regionSwitchPlan.ts). They replace the fence's two
   * CLOUDWATCH_METRIC checks as the second child of each record's calculated check: the plan, not the
   * fence, then says which region serves. Region switch "creates Amazon Route 53 health checks, which you
   * then attach to Route 53 DNS records", and an execution updates their state "and traffic is redirected
   * based on your DNS configuration" (ARC Developer Guide, "Amazon Route 53 health check execution block");
   * activating the DR region makes the primary's check unhealthy and the DR region's healthy, as the fence
   * does, and through the same data plane. The endpoint checks stay, so an endpoint failure still moves
   * traffic the way Route 53 does it today, before any plan execution.
   */
  planHealthChecks?: pulumi.Input<{ primary: string; secondary: string }>;
}

/** Set identifier of one record of the pair, e.g. `primary-us-east-1` (the Region switch plan names the records by it). */
export function failoverSetIdentifier(role: "PRIMARY" | "SECONDARY", region: string): string {
  return `${role.toLowerCase()}-${region}`;
}

export class FailoverRouting extends pulumi.ComponentResource {
  /** The HTTP(S) health check of the primary ALB's `/health` (its endpoint): the automatic failover's signal. */
  readonly healthCheckId: pulumi.Output<string>;
  /** The PRIMARY record's health check: healthy only while the endpoint check passes and the fence is off. */
  readonly recordHealthCheckId: pulumi.Output<string>;
  /** The HTTP(S) health check of the DR ALB's `/health`: one child of the SECONDARY record's check. */
  readonly drHealthCheckId: pulumi.Output<string>;
  /** The SECONDARY record's health check: healthy while the DR ALB answers `/health` or the primary is fenced. */
  readonly secondaryRecordHealthCheckId: pulumi.Output<string>;
  /** The fence: its metric's dimensions (with FENCE_METRIC) and its alarm's name, in the DR region. */
  readonly fence: { dimensions: Record<string, string>; alarmName: string };
  readonly primaryRecordFqdn: pulumi.Output<string>;
  readonly secondaryRecordFqdn: pulumi.Output<string>;
  readonly applicationName: string;
  /** Set identifier of the PRIMARY record, e.g. `primary-us-east-1`. */
  readonly primarySetIdentifier: string;

  /**
   * @throws RangeError when the interval is not 10 or 30 s, the threshold is outside 1-10 (Route 53 limits),
   *   or a side's protocol is not HTTP or HTTPS or its port not a whole number 1-65535 (the key is named, e.g. `secondary.port`).
   * @throws Error when both sides are in the same region.
   */
  constructor(name: string, args: FailoverRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:dns:FailoverRouting", name, {}, opts);
    if (!(HEALTH_CHECK_INTERVALS_SECONDS as readonly number[]).includes(args.healthCheckIntervalSeconds)) {
      throw new RangeError(`FailoverRouting ${name}: healthCheckIntervalSeconds must be 10 or 30, got ${args.healthCheckIntervalSeconds}`);
    }
    if (!Number.isInteger(args.healthCheckFailureThreshold) || args.healthCheckFailureThreshold < 1 || args.healthCheckFailureThreshold > 10) {
      throw new RangeError(`FailoverRouting ${name}: healthCheckFailureThreshold must be 1 to 10, got ${args.healthCheckFailureThreshold}`);
    }
    for (const side of ["primary", "secondary"] as const) {
      const { protocol, port } = args[side] as Partial<ProbedFailoverTarget>;
      if (protocol !== "HTTP" && protocol !== "HTTPS")
        throw new RangeError(`FailoverRouting ${name}: ${side}.protocol must be HTTP or HTTPS (the ALB listener's), got ${JSON.stringify(protocol)}`);
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
        throw new RangeError(`FailoverRouting ${name}: ${side}.port must be a whole number 1-65535 (the ALB listener's), got ${JSON.stringify(port)}`);
    }
    if (args.primary.region === args.secondary.region) {
      throw new Error(`FailoverRouting ${name}: primary and secondary are both in ${args.primary.region}; they must be in different regions`);
    }
    // The same rules for both ALBs: the forwarding listener's protocol and port, SNI over HTTPS, one path, interval and threshold.
    const endpointCheck = (resourceName: string, target: ProbedFailoverTarget, label: string, measureLatency: boolean) =>
      new aws.route53.HealthCheck(
        resourceName,
        {
          type: target.protocol,
          fqdn: target.albDnsName,
          port: target.port,
          resourcePath: args.healthCheckPath,
          requestInterval: args.healthCheckIntervalSeconds,
          failureThreshold: args.healthCheckFailureThreshold,
          measureLatency,
          enableSni: target.protocol === "HTTPS",
          tags: { Name: `${args.applicationName} ${label} (${target.region})` },
        },
        { parent: this },
      );
    const healthCheck = endpointCheck(`${name}-primary-health`, args.primary, "primary", true);
    // The fence (Route 53 Developer Guide, "How Amazon Route 53 determines the status of health checks that
    // monitor CloudWatch alarms"; API Reference, HealthCheckConfig `InsufficientDataHealthStatus`): the DR region
    // publishes one datapoint (1 fences, 0 releases); the alarm's data stream then has no more data, and
    // `LastKnownStatus` keeps the last verdict, healthy before any (a new health check). Route 53 reads the
    // CloudWatch data of the DR region: flipping it needs neither the primary region nor Route 53's control plane.
    const dimensions = { Application: args.applicationName };
    const fenceAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-fence`,
      {
        name: args.fenceAlarmName,
        alarmDescription: `The primary (${args.primary.region}) is fenced: Route 53 answers the DR region for ${args.applicationName} until failback releases it`,
        namespace: FENCE_METRIC.namespace,
        metricName: FENCE_METRIC.metricName,
        dimensions,
        // Route 53 supports alarms on standard-resolution metrics with Average, Minimum, Maximum, Sum or SampleCount (API Reference, AlarmIdentifier).
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // One datapoint, then none: the alarm keeps its state (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data").
        treatMissingData: "ignore",
        ...(args.fenceAlarmTopicArn ? { alarmActions: [args.fenceAlarmTopicArn], okActions: [args.fenceAlarmTopicArn] } : {}),
      },
      { parent: this },
    );
    // Route 53 copies the alarm's settings (its metric, namespace, dimensions, statistic, period, threshold and
    // comparison: API Reference, CloudWatchAlarmConfiguration) when a check is created and does not follow later
    // changes (Route 53 Developer Guide, "Updating health checks when you change CloudWatch alarm settings"). The
    // provider sends the check's AlarmIdentifier again (UpdateHealthCheck) when `triggers` change ("when changed, will
    // trigger an in-place update of the CloudWatch alarm arguments", Pulumi aws.route53.HealthCheck `triggers`), so
    // every copied setting is a trigger. The dimensions change when the edge turns on or off: the pair's name, and so
    // the fence's `Application`, becomes `origin.<app>` (docs/edge.md); without them the fence checks would keep
    // reading the old metric, and a failover's datapoint would never fence.
    const fenceTriggers = pulumi
      .all([
        fenceAlarm.name,
        fenceAlarm.namespace,
        fenceAlarm.metricName,
        fenceAlarm.dimensions,
        fenceAlarm.threshold,
        fenceAlarm.period,
        fenceAlarm.statistic,
        fenceAlarm.comparisonOperator,
      ])
      .apply(([alarmName, namespace, metricName, alarmDimensions, threshold, period, statistic, operator]) => ({
        alarm: alarmName,
        namespace: String(namespace),
        metricName: String(metricName),
        dimensions: JSON.stringify(Object.entries(alarmDimensions ?? {}).sort(([a], [b]) => a.localeCompare(b))),
        threshold: String(threshold),
        period: String(period),
        statistic: String(statistic),
        comparisonOperator: String(operator),
      }));
    const fenceCheckOf = (resourceName: string, inverted: boolean, label: string) =>
      new aws.route53.HealthCheck(
        resourceName,
        {
          type: "CLOUDWATCH_METRIC",
          cloudwatchAlarmName: fenceAlarm.name,
          cloudwatchAlarmRegion: args.secondary.region,
          insufficientDataHealthStatus: "LastKnownStatus",
          triggers: fenceTriggers,
          ...(inverted ? { invertHealthcheck: true } : {}),
          tags: { Name: `${args.applicationName} ${label} (${args.secondary.region})` },
        },
        { parent: this },
      );
    const plan = args.planHealthChecks === undefined ? undefined : pulumi.output(args.planHealthChecks);
    // Healthy = not fenced: the alarm in ALARM (fenced) makes this check unhealthy. With a Region switch plan, the plan's primary-region check instead.
    const fenceCheckId = plan ? plan.primary : fenceCheckOf(`${name}-fence-health`, false, "fence").id;
    // Healthy = fenced: the same alarm, inverted (Route 53 Developer Guide, "Inverting health checks": "unhealthy
    // when the status is healthy and vice versa"). Once the fence's datapoint puts the alarm in ALARM, the check is
    // healthy, and LastKnownStatus keeps that while no more data comes (the check's last status, inverted or not,
    // is healthy then: both readings agree). Before any datapoint Route 53 documents only that a new LastKnownStatus
    // check "is healthy" (API Reference, HealthCheckConfig `InsufficientDataHealthStatus`), not whether inversion
    // applies to that default. Inversion "consider[s] a health check unhealthy when it otherwise would be considered
    // healthy" (API Reference, HealthCheckConfig `Inverted`), so the expected start is unhealthy (not fenced); if it
    // started healthy instead, the SECONDARY would be healthy before any failover, which changes an answer only when
    // the PRIMARY is unhealthy too (a healthy PRIMARY is answered "regardless of the health of the secondary", API
    // Reference, ResourceRecordSet `Failover`): then it picks the DR ALB over a primary that fails its own check.
    // Never the old primary once fenced, never a healthy unfenced primary left: safe either way.
    const fencedCheckId = plan ? plan.secondary : fenceCheckOf(`${name}-fenced-health`, true, "fenced, inverted").id;
    const recordCheck = new aws.route53.HealthCheck(
      `${name}-primary-record-health`,
      {
        type: "CALCULATED",
        childHealthchecks: [healthCheck.id, fenceCheckId],
        // Both: the endpoint answers and the fence is off (API Reference, HealthCheckConfig `HealthThreshold`).
        childHealthThreshold: 2,
        tags: { Name: `${args.applicationName} primary record (${args.primary.region})` },
      },
      { parent: this },
    );
    // No latency measurement on the DR ALB: it is billed per month (Route 53 pricing, optional features) and
    // nothing reads it; the primary's graphs are the ones an operator compares regions by.
    const drHealthCheck = endpointCheck(`${name}-secondary-health`, args.secondary, "secondary", false);
    const secondaryRecordCheck = new aws.route53.HealthCheck(
      `${name}-secondary-record-health`,
      {
        type: "CALCULATED",
        childHealthchecks: [drHealthCheck.id, fencedCheckId],
        // Either: the DR ALB answers `/health`, or the primary is fenced (API Reference, HealthCheckConfig `HealthThreshold`).
        childHealthThreshold: 1,
        tags: { Name: `${args.applicationName} secondary record (${args.secondary.region})` },
      },
      { parent: this },
    );
    const setIdentifier = (role: "PRIMARY" | "SECONDARY", target: FailoverTarget) => failoverSetIdentifier(role, target.region);
    const record = (role: "PRIMARY" | "SECONDARY", target: FailoverTarget, healthCheckId: pulumi.Input<string>) =>
      new aws.route53.Record(
        `${name}-${role.toLowerCase()}`,
        {
          zoneId: args.hostedZoneId,
          name: args.applicationName,
          type: "A",
          setIdentifier: setIdentifier(role, target),
          failoverRoutingPolicies: [{ type: role }],
          aliases: [{ name: target.albDnsName, zoneId: target.albZoneId, evaluateTargetHealth: EVALUATE_TARGET_HEALTH[role] }],
          healthCheckId,
        },
        // The failover, failback and drill workflows repoint the PRIMARY alias at run time
        // (recovery/); a deploy must not undo a failover. This also keeps a deploy from changing an
        // existing PRIMARY's evaluateTargetHealth: the workflows' UPSERT must write the same value.
        { parent: this, ...(role === "PRIMARY" ? { ignoreChanges: ["aliases"] } : {}) },
      );
    const primary = record("PRIMARY", args.primary, recordCheck.id);
    const secondary = record("SECONDARY", args.secondary, secondaryRecordCheck.id);

    this.healthCheckId = healthCheck.id;
    this.recordHealthCheckId = recordCheck.id;
    this.drHealthCheckId = drHealthCheck.id;
    this.secondaryRecordHealthCheckId = secondaryRecordCheck.id;
    this.fence = { dimensions, alarmName: args.fenceAlarmName };
    this.primaryRecordFqdn = primary.fqdn;
    this.secondaryRecordFqdn = secondary.fqdn;
    this.applicationName = args.applicationName;
    this.primarySetIdentifier = setIdentifier("PRIMARY", args.primary);
    this.registerOutputs({
      healthCheckId: this.healthCheckId,
      recordHealthCheckId: this.recordHealthCheckId,
      drHealthCheckId: this.drHealthCheckId,
      secondaryRecordHealthCheckId: this.secondaryRecordHealthCheckId,
      primaryRecordFqdn: this.primaryRecordFqdn,
      secondaryRecordFqdn: this.secondaryRecordFqdn,
    });
  }
}
