/**
 * PrimaryEndpointProbe: the automatic failover's signal, built entirely in the DR region (issue 18,
 * item 2). The primary's Route 53 health check publishes HealthCheckStatus in us-east-1 only (Route 53
 * Developer Guide, "Monitoring health checks using CloudWatch"), so an alarm on it, and the EventBridge
 * rule behind it, go down with us-east-1 when that is the primary region. This component probes the
 * primary's endpoint from the DR region instead and keeps the signal, its alarm and (in the caller's
 * wiring) the rule that starts the failover there.
 *
 * What it builds, all through the component's provider (the DR region):
 * - a Lambda function (nodejs22.x, recovery/lambda/primaryEndpointProbe.mjs run as is, 128 MB), NOT in
 *   a VPC: it must reach the primary ALB's public address, and a function without a VPC configuration
 *   has internet access (Lambda Developer Guide, "Networking and VPC configurations": "By default, Lambda
 *   functions have access to the public internet. This is not the case after they have been configured
 *   with access to one of your VPCs"); so it needs no NAT gateway, no security group, no subnet;
 * - its own role: PutMetricData only in the probe's namespace (`cloudwatch:namespace`, CloudWatch User
 *   Guide, "Using condition keys to limit access to CloudWatch namespaces"), its log streams, and with
 *   `tracing` the X-Ray writes; its KMS-encrypted log group;
 * - an EventBridge schedule invoking it every minute; each run makes five attempts, 10 s apart
 *   (PROBE_ATTEMPT_OFFSETS_SECONDS), and publishes each one's result as a high-resolution datapoint;
 *   no asynchronous retries (the next minute's run replaces a failed one);
 * - the probe alarm: ALARM when every attempt of `evaluationPeriods` consecutive 30 s periods failed
 *   (Maximum of the 0/1 datapoints below 1), actions to the topic; it is what starts the automatic
 *   failover (RecoveryWorkflows `automaticFailover.alarmArn`, no other region involved);
 * - the errors alarm: the function failing (AWS/Lambda Errors), so a blind probe is seen.
 *
 * What one attempt judges (the function's module comment): the Route 53 checker's rule
 * (`ROUTE53_HTTP_CHECK`: TCP within 4 s, a 200-399 status within 2 s of connecting) against the
 * primary ALB's DNS name, with the application's name as Host, TLS server name and certificate name.
 * So the probe and the PRIMARY record's health check move on the same failures (see
 * components/failoverRouting.ts, "What moves the region"), seen from one place, the DR region, instead
 * of Route 53's checkers spread over several regions: a network problem between the two regions alone
 * reads as an unhealthy primary. The window of `evaluationPeriods` x 30 s, every attempt failing, is
 * the guard against that and against blips.
 *
 * Why 30 s periods: the alarm reads whole periods, so the period an outage starts in may still hold a
 * healthy attempt, and ALARM comes up to one period + N periods after the outage begins. Over 60 s
 * periods that was 60 s + N x 60 s: 120 s for the default 10 s x 3 health check (N = 1), slower than
 * the Route 53 health check it replaces as the signal (10 s x 3 = 30 s, then a 60 s alarm: 90 s). Over
 * 30 s periods it is 30 s + N x 30 s: 60 s for the default; a 30 s x 3 check's 90 s becomes 3 periods,
 * ALARM within 120 s (was 180 s). A period under 60 s needs high-resolution datapoints
 * (`StorageResolution: 1`) and makes the alarm a high-resolution alarm, which costs more
 * (PROBE_ALARM_PERIOD_SECONDS).
 *
 * Cost (DR region, x86 prices as in us-east-1, before free tiers). From the AWS Lambda pricing page
 * (not in cost/prices): $0.0000166667 per GB-s, $0.20 per million requests. From the CloudWatch pricing
 * page (not in cost/prices): $0.01 per 1,000 PutMetricData requests, $0.50 per GB of logs ingested.
 * From cost/prices (`cloudwatchMetricMonth`, `cloudwatchAlarmMetricMonth`; verified for us-east-1):
 * $0.30 per custom metric (the CloudWatch pricing page charges a high-resolution metric the same),
 * $0.10 per standard-resolution alarm, $0.30 per high-resolution alarm.
 * - Lambda: 43,800 runs a month (730 h x 60), each about 41 s billed at 128 MB while the primary
 *   answers (the last attempt starts at 40 s, as before: five attempts instead of three change the
 *   spacing, not the run's length), so 43,800 x 41 s x 0.125 GB = 224,475 GB-s = $3.74, plus $0.01 of
 *   requests;
 * - PutMetricData: 43,800 runs x 5 = 219,000 requests x $0.01/1,000 = $2.19 (was 131,400, $1.31);
 * - the custom metric $0.30; the probe alarm, high-resolution, $0.30 (was $0.10 over 60 s periods);
 *   the errors alarm, standard, $0.10;
 * - logs: one JSON line per attempt plus Lambda's own lines, about 85 MB a month x $0.50/GB = $0.04;
 * - the schedule's events are free (events from AWS services).
 * About $6.68 a month (was $5.60). While the primary is unreachable every attempt runs to its limits
 * (4 s + 2 s), so a run lasts up to about 47 s: 43,800 x 47 s x 0.125 GB = 257,325 GB-s = $4.29,
 * about $7.23 for a month of it.
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PROBE_METRIC } from "../config/conventions";
import { ROUTE53_HTTP_CHECK } from "./failoverRouting";
import { policyDocument, type PolicyDocument, type PolicyStatement, serviceTrustPolicy } from "./policyDocuments";

/**
 * The probe's metric: 1 healthy, 0 not, one datapoint per attempt, dimension `Application=<name>`.
 *
 * Its namespace is NOT the fence's (`FENCE_METRIC.namespace`, `MultiRegionDR`), on purpose: IAM can
 * limit PutMetricData by namespace only (`cloudwatch:namespace` is the action's one condition key;
 * Service Authorization Reference, Amazon CloudWatch, PutMetricData), not by metric name, so a role
 * allowed the fence's namespace can publish the fence metric and release the fence (traffic back to
 * the old primary) or set it. A namespace of its own keeps the probe's role away from the fence.
 */
export { PROBE_METRIC };

/** A CloudWatch metric the probe publishes: namespace and name. */
export interface ProbeMetric {
  /** Custom namespace (not `AWS/...`, reserved for AWS services: CloudWatch API Reference, PutMetricData `Namespace`). */
  namespace: string;
  metricName: string;
}

/** The function's source: one ES module, run as is (Node's standard library and the runtime's AWS SDK v3). */
export const PROBE_FUNCTION_SOURCE = path.join(__dirname, "..", "recovery", "lambda", "primaryEndpointProbe.mjs");
/** Lambda runtime identifier (Lambda Developer Guide, "Building Lambda functions with Node.js"). */
export const PROBE_FUNCTION_RUNTIME = "nodejs22.x";
/** Memory, MB: the smallest Lambda size class that is common (128 MB, Lambda's minimum); the probe is I/O-bound. */
export const PROBE_FUNCTION_MEMORY_MB = 128;
/**
 * Seconds after the run starts at which the attempts start: five a minute, 10 s apart, like a 10 s
 * Route 53 health-check interval. The largest gap between two attempts is 20 s, from the last one (40 s)
 * to the next run's first (60 s), under the alarm's 30 s period, so every period holds at least one
 * attempt (PROBE_ALARM_PERIOD_SECONDS), in fact two: one datapoint lost (a refused PutMetricData) never
 * leaves a period empty, which would count as good and break a streak of failed periods (20 s apart,
 * as [0, 20, 40] were, a period can hold one). An attempt takes at most 6 s (4 s + 2 s), so it ends
 * before the next one is due.
 */
export const PROBE_ATTEMPT_OFFSETS_SECONDS = [0, 10, 20, 30, 40] as const;
/**
 * The function's timeout, seconds: the last attempt (40 s + 4 s + 2 s = 46 s at most) and its
 * PutMetricData end well within it (9 s left for the publish and the SDK's retries of it), and a run
 * ends before the next minute's starts. Five attempts instead of three do not lengthen a run: the last
 * still starts at 40 s, and each earlier one ends (6 s at most) before the next is due (10 s later)
 * unless its PutMetricData takes over 4 s, which only delays the next attempt. A run that times out
 * counts in AWS/Lambda Errors (Lambda Developer Guide, "Types of metrics for Lambda functions").
 */
export const PROBE_FUNCTION_TIMEOUT_SECONDS = 55;
/** Every minute: EventBridge's finest schedule (EventBridge User Guide, "Creating a rule that runs on a schedule": rate expressions in minutes). */
export const PROBE_SCHEDULE = "rate(1 minute)";
/** The schedule's period, seconds (PROBE_SCHEDULE): a run's attempts wrap to the next run's after it. */
export const PROBE_SCHEDULE_PERIOD_SECONDS = 60;
/**
 * The probe alarm's period, seconds: 30, a high-resolution alarm. CloudWatch API Reference,
 * PutMetricAlarm `Period`: "Valid values are 10, 20, 30, and any multiple of 60 ... Be sure to specify
 * 10, 20, or 30 only for metrics that are stored by a PutMetricData call with a StorageResolution of 1
 * ... Specifying 10, 20, or 30 also sets this alarm as a high-resolution alarm, which has a higher
 * charge than other alarms" ($0.30 a month instead of $0.10: AWS CloudWatch pricing, and
 * cost/prices `cloudwatchAlarmMetricMonth`). The function publishes with `StorageResolution: 1`
 * (PROBE_STORAGE_RESOLUTION_SECONDS in recovery/lambda/primaryEndpointProbe.mjs).
 *
 * Every 30 s period holds at least one attempt: the attempts are at most 20 s apart
 * (PROBE_ATTEMPT_OFFSETS_SECONDS: 10 s within a run, 20 s from its last attempt at 40 s to the next
 * run's first), and the 10 s left absorb a run that starts a few seconds late (EventBridge schedules a
 * rule to the minute, not the second). That matters because a period with no datapoint counts as good
 * (`notBreaching`) and breaks a streak of failed periods: with 30 s periods it happens only when the
 * probe does not run, never by the attempts' spacing.
 */
export const PROBE_ALARM_PERIOD_SECONDS = 30;
/**
 * The range of `evaluationPeriods`, in 30 s periods: at least one period of failures, at most ten
 * (5 minutes; Route 53's slowest detection is 30 s x 10 = 300 s, and a longer window is an RTO no one
 * asked for).
 */
export const PROBE_EVALUATION_PERIODS = { min: 1, max: 10 } as const;
/**
 * The errors alarm: ALARM on one or more failed runs in a five-minute period. A failed run means lost
 * datapoints (PutMetricData refused after the SDK's own retries, a timeout, a bad environment), that
 * is, a trigger partly or wholly blind; the SDK already retries transient API errors, so one left over
 * is worth a notification. OK again after a five-minute period without errors.
 */
export const PROBE_ERRORS_ALARM = { periodSeconds: 300, evaluationPeriods: 1, threshold: 1 } as const;

/** Environment variable names the function reads (PROBE_ENVIRONMENT in recovery/lambda/primaryEndpointProbe.mjs; a test keeps them equal). */
export const PROBE_ENVIRONMENT_NAMES = {
  applicationName: "APPLICATION_NAME",
  albDnsName: "PRIMARY_ALB_DNS_NAME",
  protocol: "PRIMARY_PROTOCOL",
  port: "PRIMARY_PORT",
  healthPath: "HEALTH_PATH",
  namespace: "METRIC_NAMESPACE",
  metricName: "METRIC_NAME",
  attemptOffsetsSeconds: "ATTEMPT_OFFSETS_SECONDS",
  connectSeconds: "CONNECT_TIMEOUT_SECONDS",
  statusSeconds: "STATUS_TIMEOUT_SECONDS",
  healthyStatusMin: "HEALTHY_STATUS_MIN",
  healthyStatusMax: "HEALTHY_STATUS_MAX",
} as const;

/** The primary's endpoint as its Route 53 health check sees it. */
export interface ProbedEndpoint {
  /** The primary ALB's DNS name, e.g. `primary-alb-123.us-east-1.elb.amazonaws.com`: where the probe connects. */
  albDnsName: pulumi.Input<string>;
  /** The ALB listener's protocol: HTTPS verifies the certificate against the application name. */
  protocol: "HTTP" | "HTTPS";
  /** The listener's port, 1-65535 (e.g. 443). */
  port: number;
  /** Path of the app's health endpoint, starting with `/` (e.g. `/health`, HEALTH_CHECK_PATH). */
  healthPath: string;
}

export interface PrimaryEndpointProbeArgs {
  /** Fully qualified application name, e.g. `app.dr.example.com`: Host header, TLS server name, certificate name, and the metric's `Application` dimension. */
  applicationName: string;
  primary: ProbedEndpoint;
  /**
   * 30 s periods of failures before ALARM (the decision window), whole, 1-10 (30 s to 5 minutes): the
   * alarm's EvaluationPeriods and DatapointsToAlarm over PROBE_ALARM_PERIOD_SECONDS periods. No default
   * here; `probeEvaluationPeriods` derives one from the Route 53 health check's detection time.
   */
  evaluationPeriods: number;
  /** SNS topic of the DR region (an alarm's actions must be in its region) for both alarms, ALARM and OK. */
  topicArn: pulumi.Input<string>;
  /** KMS key of the DR region encrypting the function's log group (its policy must let CloudWatch Logs use it). */
  kmsKeyArn: pulumi.Input<string>;
  /** Days of function logs kept: a CloudWatch Logs retention value (e.g. 30). */
  logRetentionDays: number;
  /** Function name: 1-64 letters, digits, hyphens and underscores (Lambda API Reference, CreateFunction `FunctionName`). */
  functionName: string;
  /** Name of the probe alarm; default `<functionName>-unhealthy`. At most 255 characters. */
  alarmName?: string;
  /** Name of the errors alarm; default `<functionName>-errors`. At most 255 characters. */
  errorsAlarmName?: string;
  /** Active X-Ray tracing of the function (and the role's X-Ray writes); default false (PassThrough). */
  tracing?: boolean;
  /** The metric published and alarmed on; default PROBE_METRIC. */
  metric?: ProbeMetric;
}

/**
 * A default decision window, in 30 s periods, for a Route 53 health check of `intervalSeconds` and
 * `failureThreshold`: its detection time (interval x threshold: Route 53 Developer Guide, "How Amazon
 * Route 53 determines whether a health check is healthy") rounded up to whole 30 s periods
 * (PROBE_ALARM_PERIOD_SECONDS), within 1-10. The probe then starts a failover no sooner than Route 53
 * would have declared the primary unhealthy.
 * E.g. 10 s x 3 = 30 s -> 1 period; 30 s x 3 = 90 s -> 3; 10 s x 10 = 100 s -> 4; 30 s x 10 = 300 s -> 10.
 * @returns a whole number of periods from 1 to 10.
 * @throws RangeError when either is not a positive whole number.
 */
export function probeEvaluationPeriods(intervalSeconds: number, failureThreshold: number): number {
  for (const [key, value] of [
    ["intervalSeconds", intervalSeconds],
    ["failureThreshold", failureThreshold],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`probeEvaluationPeriods: ${key} must be a positive whole number, got ${value}`);
  }
  const periods = Math.ceil((intervalSeconds * failureThreshold) / PROBE_ALARM_PERIOD_SECONDS);
  return Math.min(PROBE_EVALUATION_PERIODS.max, Math.max(PROBE_EVALUATION_PERIODS.min, periods));
}

/**
 * The largest gap, seconds, between two consecutive attempts, the wrap from a run's last attempt to the
 * next run's first (`schedulePeriodSeconds` after the run's start) included. While the probe runs, every
 * alarm period longer than this gap holds at least one attempt. E.g. [0, 10, 20, 30, 40] -> 20 (40 s to
 * the next run's 0 s); [0, 20, 40] -> 20; [0] -> 60.
 * @param offsetsSeconds attempt offsets of one run, seconds, ascending, each from 0 to under `schedulePeriodSeconds`
 * @param schedulePeriodSeconds seconds from one run's start to the next's; default PROBE_SCHEDULE_PERIOD_SECONDS (60)
 * @throws RangeError when the offsets are empty, not ascending, or outside the run
 */
export function largestAttemptGapSeconds(offsetsSeconds: readonly number[], schedulePeriodSeconds: number = PROBE_SCHEDULE_PERIOD_SECONDS): number {
  const ascending = offsetsSeconds.every((offset, index) => index === 0 || offset > offsetsSeconds[index - 1]);
  const within = offsetsSeconds.every((offset) => Number.isFinite(offset) && offset >= 0 && offset < schedulePeriodSeconds);
  if (offsetsSeconds.length === 0 || !ascending || !within)
    throw new RangeError(
      `largestAttemptGapSeconds: offsets must be ascending seconds from 0 to under ${schedulePeriodSeconds}, at least one, got [${offsetsSeconds.join(", ")}]`,
    );
  const wrap = offsetsSeconds[0] + schedulePeriodSeconds - offsetsSeconds[offsetsSeconds.length - 1];
  return Math.max(wrap, ...offsetsSeconds.slice(1).map((offset, index) => offset - offsetsSeconds[index]));
}

/**
 * The function's environment: where to connect, what to name, how to judge (ROUTE53_HTTP_CHECK), when
 * to attempt, what to publish. Values are strings (Lambda environment variables).
 */
export function probeEnvironment(
  applicationName: string,
  primary: Omit<ProbedEndpoint, "albDnsName"> & { albDnsName: string },
  metric: ProbeMetric,
): Record<string, string> {
  const names = PROBE_ENVIRONMENT_NAMES;
  return {
    [names.applicationName]: applicationName,
    [names.albDnsName]: primary.albDnsName,
    [names.protocol]: primary.protocol,
    [names.port]: String(primary.port),
    [names.healthPath]: primary.healthPath,
    [names.namespace]: metric.namespace,
    [names.metricName]: metric.metricName,
    [names.attemptOffsetsSeconds]: PROBE_ATTEMPT_OFFSETS_SECONDS.join(","),
    [names.connectSeconds]: String(ROUTE53_HTTP_CHECK.connectSeconds),
    [names.statusSeconds]: String(ROUTE53_HTTP_CHECK.statusWithinSeconds),
    [names.healthyStatusMin]: String(ROUTE53_HTTP_CHECK.healthyStatus.min),
    [names.healthyStatusMax]: String(ROUTE53_HTTP_CHECK.healthyStatus.max),
  };
}

/**
 * The probe function's identity policy:
 * - `cloudwatch:PutMetricData` with `cloudwatch:namespace` = the probe's namespace (the action has no
 *   resource-level permission, hence `*`);
 * - `logs:CreateLogStream` and `logs:PutLogEvents` on its own log group's streams, `<group ARN>:*` (both
 *   act on the `log-stream` resource type, `arn:...:log-group:<name>:log-stream:<stream>`: Service
 *   Authorization Reference, Amazon CloudWatch Logs); no `logs:CreateLogGroup`, the stack creates it;
 * - with `tracing`, `xray:PutTraceSegments` and `xray:PutTelemetryRecords`, which have no resource-level
 *   permissions (the content of the AWSXRayDaemonWriteAccess managed policy's write actions).
 */
export function probeFunctionPolicy(namespace: string, logGroupArn: string, tracing: boolean): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "PublishTheProbeMetricOnly",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": namespace } },
    },
    { Sid: "WriteItsOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
  ];
  if (tracing) {
    statements.push({
      Sid: "XRayHasNoResourceLevelPermissions",
      Effect: "Allow",
      Action: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
      Resource: "*",
    });
  }
  return policyDocument(statements);
}

/** Lambda function names: 1-64 letters, digits, hyphens, underscores (Lambda API Reference, CreateFunction `FunctionName`). */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** CloudWatch alarm names: 1-255 characters (CloudWatch API Reference, PutMetricAlarm `AlarmName`). */
const ALARM_NAME_MAX = 255;
/** EventBridge rule names: at most 64 characters (EventBridge API Reference, PutRule `Name`). */
const RULE_NAME_MAX = 64;

/** The args' problems, each naming its argument; empty when valid. */
function argumentProblems(args: PrimaryEndpointProbeArgs, alarmName: string, errorsAlarmName: string, metric: ProbeMetric): string[] {
  const problems: string[] = [];
  const { min, max } = PROBE_EVALUATION_PERIODS;
  if (!Number.isInteger(args.evaluationPeriods) || args.evaluationPeriods < min || args.evaluationPeriods > max)
    problems.push(`evaluationPeriods must be a whole number of ${PROBE_ALARM_PERIOD_SECONDS} s periods from ${min} to ${max}, got ${args.evaluationPeriods}`);
  if (!FUNCTION_NAME.test(args.functionName))
    problems.push(
      `functionName must be 1 to 64 letters, digits, hyphens or underscores (Lambda's rule), got "${args.functionName}" (${args.functionName.length} characters)`,
    );
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(args.applicationName))
    problems.push(`applicationName must be a DNS name (letters, digits, dots, hyphens), got "${args.applicationName}"`);
  if (args.primary.protocol !== "HTTP" && args.primary.protocol !== "HTTPS")
    problems.push(`primary.protocol must be HTTP or HTTPS, got "${String(args.primary.protocol)}"`);
  if (!Number.isInteger(args.primary.port) || args.primary.port < 1 || args.primary.port > 65535)
    problems.push(`primary.port must be a whole number from 1 to 65535, got ${args.primary.port}`);
  if (!args.primary.healthPath.startsWith("/")) problems.push(`primary.healthPath must start with "/", got "${args.primary.healthPath}"`);
  if (!Number.isInteger(args.logRetentionDays) || args.logRetentionDays < 1)
    problems.push(`logRetentionDays must be a positive whole number of days, got ${args.logRetentionDays}`);
  for (const [key, value] of [
    ["alarmName", alarmName],
    ["errorsAlarmName", errorsAlarmName],
  ] as const) {
    if (value.length < 1 || value.length > ALARM_NAME_MAX) problems.push(`${key} must be 1 to ${ALARM_NAME_MAX} characters, got ${value.length}`);
  }
  if (alarmName === errorsAlarmName) problems.push(`alarmName and errorsAlarmName are both "${alarmName}"; they name two alarms`);
  if (metric.namespace.trim() === "" || metric.namespace.startsWith("AWS/"))
    problems.push(`metric.namespace must be a custom namespace, not empty or under AWS/, got "${metric.namespace}"`);
  if (metric.metricName.trim() === "") problems.push("metric.metricName must not be empty");
  return problems;
}

export class PrimaryEndpointProbe extends pulumi.ComponentResource {
  /** ARN of the probe alarm: the automatic failover's trigger (RecoveryWorkflows `automaticFailover.alarmArn`). */
  readonly alarmArn: pulumi.Output<string>;
  readonly alarmName: pulumi.Output<string>;
  readonly errorsAlarmArn: pulumi.Output<string>;
  readonly errorsAlarmName: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly functionArn: pulumi.Output<string>;
  /** The metric alarmed on and its dimensions. */
  readonly metric: ProbeMetric & { dimensions: Record<string, string> };

  /**
   * @throws RangeError naming the argument when evaluationPeriods is not a whole number of 30 s periods from 1 to 10,
   * functionName breaks Lambda's naming rule, the port, path, protocol, application name, retention,
   * alarm names or metric are invalid. Raised before any resource exists.
   */
  constructor(name: string, args: PrimaryEndpointProbeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:PrimaryEndpointProbe", name, {}, opts);
    const alarmName = args.alarmName ?? `${args.functionName}-unhealthy`;
    const errorsAlarmName = args.errorsAlarmName ?? `${args.functionName}-errors`;
    const metric = args.metric ?? PROBE_METRIC;
    const tracing = args.tracing ?? false;
    const problems = argumentProblems(args, alarmName, errorsAlarmName, metric);
    if (problems.length > 0) throw new RangeError(`PrimaryEndpointProbe ${name}: ${problems.join("; ")}`);
    const child = { parent: this };
    const dimensions = { Application: args.applicationName };

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")) }, child);
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.id, policy: logGroup.arn.apply((arn) => JSON.stringify(probeFunctionPolicy(metric.namespace, arn, tracing))) },
      child,
    );
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        description: "Probes the primary's health endpoint from the DR region, every 10 s; publishes 1 healthy / 0 not (high resolution)",
        runtime: PROBE_FUNCTION_RUNTIME,
        handler: "primaryEndpointProbe.handler",
        code: new pulumi.asset.AssetArchive({ "primaryEndpointProbe.mjs": new pulumi.asset.FileAsset(PROBE_FUNCTION_SOURCE) }),
        role: role.arn,
        timeout: PROBE_FUNCTION_TIMEOUT_SECONDS,
        memorySize: PROBE_FUNCTION_MEMORY_MB,
        // No vpcConfig: outside a VPC the function reaches the primary ALB's public address directly.
        environment: {
          variables: pulumi
            .output(args.primary.albDnsName)
            .apply((albDnsName) => probeEnvironment(args.applicationName, { ...args.primary, albDnsName }, metric)),
        },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        tracingConfig: { mode: tracing ? "Active" : "PassThrough" },
      },
      { parent: this, dependsOn: [policy, logGroup] },
    );
    // A failed run is not retried (Lambda retries an asynchronous invocation twice by default: Lambda Developer Guide,
    // "Configuring error handling for asynchronous invocation"), and an event queued over a minute is dropped: the next run replaces both.
    new aws.lambda.FunctionEventInvokeConfig(`${name}-no-retries`, { functionName: fn.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 }, child);
    const schedule = new aws.cloudwatch.EventRule(
      `${name}-schedule`,
      {
        name: `${args.functionName.slice(0, RULE_NAME_MAX - "-schedule".length)}-schedule`,
        description: "Primary endpoint probe, every minute",
        scheduleExpression: PROBE_SCHEDULE,
      },
      child,
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: schedule.arn },
      child,
    );
    new aws.cloudwatch.EventTarget(`${name}-target`, { rule: schedule.name, arn: fn.arn }, { parent: this, dependsOn: [permission] });

    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-alarm`,
      {
        name: alarmName,
        alarmDescription: `Every probe of the primary (${args.applicationName}) from the DR region failed for ${args.evaluationPeriods} x ${PROBE_ALARM_PERIOD_SECONDS} s: no TCP connection within ${ROUTE53_HTTP_CHECK.connectSeconds} s or no ${ROUTE53_HTTP_CHECK.healthyStatus.min}-${ROUTE53_HTTP_CHECK.healthyStatus.max} status within ${ROUTE53_HTTP_CHECK.statusWithinSeconds} s; with failover.automatic this starts the unplanned failover`,
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions,
        // 1 healthy / 0 not, one high-resolution datapoint every 10 s: the Maximum is below 1 only when every attempt of
        // the 30 s period failed. A 30 s period reads only high-resolution datapoints and makes a high-resolution alarm
        // (CloudWatch API Reference, PutMetricAlarm `Period`; see PROBE_ALARM_PERIOD_SECONDS), and every period holds an
        // attempt while the probe runs (attempts at most 20 s apart).
        statistic: "Maximum",
        period: PROBE_ALARM_PERIOD_SECONDS,
        evaluationPeriods: args.evaluationPeriods,
        datapointsToAlarm: args.evaluationPeriods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // A probe that does not run (a Lambda or EventBridge problem in the DR region, the function failing before it
        // publishes) leaves no datapoint, and no datapoint must never start a failover: missing data counts as good,
        // "within the threshold" (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data":
        // notBreaching). The errors alarm below reports the silence instead.
        treatMissingData: "notBreaching",
        actionsEnabled: true,
        alarmActions: [args.topicArn],
        okActions: [args.topicArn],
      },
      child,
    );
    const errorsAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-errors`,
      {
        name: errorsAlarmName,
        alarmDescription:
          "The primary endpoint probe fails (AWS/Lambda Errors: a refused PutMetricData, a timeout, a bad environment): the automatic failover's signal has gaps, which never start a failover; see the function's logs",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn.name },
        statistic: "Sum",
        period: PROBE_ERRORS_ALARM.periodSeconds,
        evaluationPeriods: PROBE_ERRORS_ALARM.evaluationPeriods,
        threshold: PROBE_ERRORS_ALARM.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // Lambda publishes Errors for invocations only: no run, no datapoint, not an error.
        treatMissingData: "notBreaching",
        actionsEnabled: true,
        alarmActions: [args.topicArn],
        okActions: [args.topicArn],
      },
      child,
    );

    this.alarmArn = alarm.arn;
    this.alarmName = alarm.name;
    this.errorsAlarmArn = errorsAlarm.arn;
    this.errorsAlarmName = errorsAlarm.name;
    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.metric = { ...metric, dimensions };
    this.registerOutputs({
      alarmArn: this.alarmArn,
      alarmName: this.alarmName,
      errorsAlarmArn: this.errorsAlarmArn,
      errorsAlarmName: this.errorsAlarmName,
      functionName: this.functionName,
      functionArn: this.functionArn,
    });
  }
}
