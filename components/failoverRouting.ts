/**
 * FailoverRouting: the Route 53 failover pair for the application name. A health check probes the
 * primary ALB's `/health`; a second one follows the fence, a CloudWatch alarm in the DR region on a
 * metric the recovery workflows publish; the PRIMARY alias record points at the primary ALB and
 * carries a calculated health check healthy only while both are (the endpoint answers and the primary
 * is not fenced); the SECONDARY alias record points at the DR ALB and has none. A failover fences the
 * primary, so traffic moves and stays in the DR region with no Route 53 record change (Route 53's
 * control plane lives in us-east-1; its health checks and DNS answers are its data plane: Route 53
 * Developer Guide, "Resilience in Amazon Route 53"), and the old primary takes no traffic when its
 * region returns; failback releases the fence.
 *
 * One signal moves the region: the PRIMARY's health check. Its alias does not evaluate target health
 * (`evaluateTargetHealth: false`). With a health check AND evaluateTargetHealth on an alias, Route 53
 * answers with the record only while both pass (Route 53 Developer Guide, "How health checks work in
 * complex Amazon Route 53 configurations", "What happens when you associate a health check with an
 * alias record?": a health check can be associated "instead of or in addition to" Evaluate Target
 * Health; with both, "both of the following must be true"). The two disagree exactly when every
 * target fails the ALB's own check: the ALB then routes to all of them anyway (it "fails open",
 * Elastic Load Balancing User Guide, "Health checks for Application Load Balancer target groups"),
 * so `/health` through the ALB and the alarm on it (`failover.automatic`) can stay healthy while
 * target health (Route 53 API Reference, AliasTarget `EvaluateTargetHealth`: an ALB is healthy when
 * "every target group that contains targets must contain at least one healthy target", and "a target
 * group that has no registered targets is considered unhealthy") already sent users to the DR ALB:
 * to the unpromoted, read-only replica, no failover started, and back when the group replaced the
 * instances. The SECONDARY keeps `evaluateTargetHealth: true`: it has no health check, and when the
 * DR ALB has no healthy target Route 53 answers the PRIMARY instead. (The API Reference's
 * ResourceRecordSet `Failover` still says failover alias records must set EvaluateTargetHealth to
 * true; the Developer Guide page above documents a health check instead of it.)
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

/** The fence's metric (config/conventions.ts). */
export { FENCE_METRIC };

export interface FailoverRoutingArgs {
  /** Public hosted zone holding the application name. */
  hostedZoneId: pulumi.Input<string>;
  /** Fully qualified application name, e.g. `app.dr.example.com`. */
  applicationName: string;
  primary: FailoverTarget & {
    /** Protocol and port the primary ALB listens on; the health check uses the same. */
    protocol: "HTTP" | "HTTPS";
    port: number;
  };
  secondary: FailoverTarget;
  /** Path of the app's health endpoint, e.g. `/health`. */
  healthCheckPath: string;
  /** 10 or 30 seconds. */
  healthCheckIntervalSeconds: number;
  /** Consecutive failures before unhealthy: 1-10. */
  healthCheckFailureThreshold: number;
  /** Name of the fence alarm, in the secondary's (DR) region, where the component's provider deploys. */
  fenceAlarmName: string;
  /** Topic of the DR region the fence alarm notifies when the primary is fenced and released. */
  fenceAlarmTopicArn?: pulumi.Input<string>;
}

export class FailoverRouting extends pulumi.ComponentResource {
  /** The HTTP(S) health check of the primary ALB's `/health` (its endpoint): the automatic failover's signal. */
  readonly healthCheckId: pulumi.Output<string>;
  /** The PRIMARY record's health check: healthy only while the endpoint check passes and the fence is off. */
  readonly recordHealthCheckId: pulumi.Output<string>;
  /** The fence: its metric's dimensions (with FENCE_METRIC) and its alarm's name, in the DR region. */
  readonly fence: { dimensions: Record<string, string>; alarmName: string };
  readonly primaryRecordFqdn: pulumi.Output<string>;
  readonly secondaryRecordFqdn: pulumi.Output<string>;
  readonly applicationName: string;
  /** Set identifier of the PRIMARY record, e.g. `primary-us-east-1`; the recovery workflows UPSERT that record. */
  readonly primarySetIdentifier: string;

  /** @throws RangeError when the interval is not 10 or 30 s or the threshold is outside 1-10 (Route 53 limits). */
  constructor(name: string, args: FailoverRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:dns:FailoverRouting", name, {}, opts);
    if (!(HEALTH_CHECK_INTERVALS_SECONDS as readonly number[]).includes(args.healthCheckIntervalSeconds)) {
      throw new RangeError(`FailoverRouting ${name}: healthCheckIntervalSeconds must be 10 or 30, got ${args.healthCheckIntervalSeconds}`);
    }
    if (!Number.isInteger(args.healthCheckFailureThreshold) || args.healthCheckFailureThreshold < 1 || args.healthCheckFailureThreshold > 10) {
      throw new RangeError(`FailoverRouting ${name}: healthCheckFailureThreshold must be 1 to 10, got ${args.healthCheckFailureThreshold}`);
    }
    if (args.primary.region === args.secondary.region) {
      throw new Error(`FailoverRouting ${name}: primary and secondary are both in ${args.primary.region}; they must be in different regions`);
    }
    const healthCheck = new aws.route53.HealthCheck(
      `${name}-primary-health`,
      {
        type: args.primary.protocol,
        fqdn: args.primary.albDnsName,
        port: args.primary.port,
        resourcePath: args.healthCheckPath,
        requestInterval: args.healthCheckIntervalSeconds,
        failureThreshold: args.healthCheckFailureThreshold,
        measureLatency: true,
        enableSni: args.primary.protocol === "HTTPS",
        tags: { Name: `${args.applicationName} primary (${args.primary.region})` },
      },
      { parent: this },
    );
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
    const fenceCheck = new aws.route53.HealthCheck(
      `${name}-fence-health`,
      {
        type: "CLOUDWATCH_METRIC",
        cloudwatchAlarmName: fenceAlarm.name,
        cloudwatchAlarmRegion: args.secondary.region,
        insufficientDataHealthStatus: "LastKnownStatus",
        // Route 53 copies the alarm's settings when the check is created and does not follow later changes (Route 53
        // Developer Guide, "Updating health checks when you change CloudWatch alarm settings"): replace the check's
        // settings with the alarm's.
        triggers: pulumi
          .all([fenceAlarm.name, fenceAlarm.threshold, fenceAlarm.period, fenceAlarm.statistic, fenceAlarm.comparisonOperator])
          .apply(([alarmName, threshold, period, statistic, operator]) => ({
            alarm: alarmName,
            threshold: String(threshold),
            period: String(period),
            statistic: String(statistic),
            comparisonOperator: String(operator),
          })),
        // Healthy = not fenced: the alarm in ALARM (fenced) makes this check unhealthy.
        tags: { Name: `${args.applicationName} fence (${args.secondary.region})` },
      },
      { parent: this },
    );
    const recordCheck = new aws.route53.HealthCheck(
      `${name}-primary-record-health`,
      {
        type: "CALCULATED",
        childHealthchecks: [healthCheck.id, fenceCheck.id],
        // Both: the endpoint answers and the fence is off (API Reference, HealthCheckConfig `HealthThreshold`).
        childHealthThreshold: 2,
        tags: { Name: `${args.applicationName} primary record (${args.primary.region})` },
      },
      { parent: this },
    );
    const setIdentifier = (role: "PRIMARY" | "SECONDARY", target: FailoverTarget) => `${role.toLowerCase()}-${target.region}`;
    const record = (role: "PRIMARY" | "SECONDARY", target: FailoverTarget, healthCheckId?: pulumi.Input<string>) =>
      new aws.route53.Record(
        `${name}-${role.toLowerCase()}`,
        {
          zoneId: args.hostedZoneId,
          name: args.applicationName,
          type: "A",
          setIdentifier: setIdentifier(role, target),
          failoverRoutingPolicies: [{ type: role }],
          aliases: [{ name: target.albDnsName, zoneId: target.albZoneId, evaluateTargetHealth: EVALUATE_TARGET_HEALTH[role] }],
          ...(healthCheckId ? { healthCheckId } : {}),
        },
        // The failover, failback and drill workflows repoint the PRIMARY alias at run time
        // (recovery/); a deploy must not undo a failover. This also keeps a deploy from changing an
        // existing PRIMARY's evaluateTargetHealth: the workflows' UPSERT must write the same value.
        { parent: this, ...(role === "PRIMARY" ? { ignoreChanges: ["aliases"] } : {}) },
      );
    const primary = record("PRIMARY", args.primary, recordCheck.id);
    const secondary = record("SECONDARY", args.secondary);

    this.healthCheckId = healthCheck.id;
    this.recordHealthCheckId = recordCheck.id;
    this.fence = { dimensions, alarmName: args.fenceAlarmName };
    this.primaryRecordFqdn = primary.fqdn;
    this.secondaryRecordFqdn = secondary.fqdn;
    this.applicationName = args.applicationName;
    this.primarySetIdentifier = setIdentifier("PRIMARY", args.primary);
    this.registerOutputs({
      healthCheckId: this.healthCheckId,
      recordHealthCheckId: this.recordHealthCheckId,
      primaryRecordFqdn: this.primaryRecordFqdn,
      secondaryRecordFqdn: this.secondaryRecordFqdn,
    });
  }
}
