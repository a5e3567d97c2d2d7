/**
 * FailoverRouting: the Route 53 failover pair for the application name. A health check probes the
 * primary ALB's `/health`; the PRIMARY alias record points at the primary ALB and carries that
 * health check; the SECONDARY alias record points at the DR ALB and has none.
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
import { EVALUATE_TARGET_HEALTH } from "../config/conventions";

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
}

export class FailoverRouting extends pulumi.ComponentResource {
  readonly healthCheckId: pulumi.Output<string>;
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
    const primary = record("PRIMARY", args.primary, healthCheck.id);
    const secondary = record("SECONDARY", args.secondary);

    this.healthCheckId = healthCheck.id;
    this.primaryRecordFqdn = primary.fqdn;
    this.secondaryRecordFqdn = secondary.fqdn;
    this.applicationName = args.applicationName;
    this.primarySetIdentifier = setIdentifier("PRIMARY", args.primary);
    this.registerOutputs({
      healthCheckId: this.healthCheckId,
      primaryRecordFqdn: this.primaryRecordFqdn,
      secondaryRecordFqdn: this.secondaryRecordFqdn,
    });
  }
}
