/**
 * Small builders for Amazon States Language (https://states-language.net/spec.html), so that the
 * failover, failback and drill definitions read as the runbook they automate. Pure data: no
 * Pulumi, no AWS SDK. Every Task uses a Step Functions AWS SDK service integration
 * (`arn:aws:states:::aws-sdk:<service>:<action>`, Step Functions Developer Guide, "AWS SDK service
 * integrations") except the calls into the primary region, which no integration can make (SDK
 * integrations call their own region) and which go through one Lambda function.
 */

/** One ASL state, as JSON. */
export type State = Record<string, unknown>;

/** A complete state machine definition (JSONPath query language). */
export interface Definition {
  Comment: string;
  StartAt: string;
  /** Upper bound of one execution, seconds; Step Functions fails the execution with States.Timeout after it. */
  TimeoutSeconds: number;
  States: Record<string, State>;
}

/** `arn:aws:states:::aws-sdk:<service>:<action>`; `action` is the API name in camelCase, e.g. `promoteReadReplica`. */
export function sdkResource(service: string, action: string): string {
  return `arn:aws:states:::aws-sdk:${service}:${action}`;
}

/** The optimized Lambda integration (`arn:aws:states:::lambda:invoke`). */
export const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";

/**
 * Retries for transient failures of an idempotent call: timeouts, and any other error the call
 * reports. `States.TaskFailed` "acts as a wildcard that matches any known error name except for
 * States.Timeout" (Step Functions Developer Guide, "Handling errors in Step Functions workflows").
 * 3 attempts after 2, 4 and 8 seconds. Throttling has its own, longer retrier (`throttlingRetry`),
 * listed first: once the first retrier matching an error has used its attempts, Step Functions
 * applies no other one (same page, "Retrying after an error").
 */
export const TRANSIENT_RETRY = { ErrorEquals: ["States.Timeout", "States.TaskFailed"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 };

/**
 * The errors a throttled call reports through the AWS SDK integration of each service the workflows
 * call. Step Functions names an SDK integration's error `<ServiceName>.<ErrorName>`, both in Pascal
 * case, and adds the `Exception` suffix even where the service's own error code has none ("AWS SDK
 * service integrations", error names: `S3.BucketAlreadyExistsException` for S3's
 * `BucketAlreadyExists`). The service error codes:
 * - RDS, Auto Scaling, CloudWatch, Elastic Load Balancing, Step Functions: `ThrottlingException`
 *   ("The request was denied due to request throttling", HTTP 400; each API Reference, "Common Errors");
 *   RDS also answers with the code `Throttling` ("Rate exceeded"; aws-cloudformation-resource-providers-rds#205
 *   handles both), which the suffix rule also makes `Rds.ThrottlingException`;
 * - Auto Scaling `UpdateAutoScalingGroup` also `ResourceContention` ("You already have a pending
 *   update to an Amazon EC2 Auto Scaling resource", HTTP 500; Amazon EC2 Auto Scaling API Reference);
 * - Route 53: `Throttling` ("Rate exceeded", HTTP 400; Route 53 Developer Guide, "Throttling for
 *   Amazon Route 53 API requests") and, for a change to a zone whose previous change Route 53 is
 *   still processing, `PriorRequestNotComplete` ("If Route 53 returns this error repeatedly for the
 *   same request, we recommend that you wait, in intervals of increasing duration, before you try the
 *   request again"; Route 53 API Reference, ChangeResourceRecordSets);
 * - SNS: `Throttled` (HTTP 429; Amazon SNS API Reference, Publish);
 * - ElastiCache: `Throttling` / `ThrottlingException` (ElastiCache API Reference, "Common Errors"), the
 *   global datastore calls of the cache step (recovery/cacheSteps.ts).
 * The names these definitions already catch (`Rds.DbInstanceNotFoundException`) are the exception
 * classes of the AWS SDK for Java 2.x; an error code that a service's API model does not list (RDS's
 * throttling is in its "Common Errors" page only) surfaces there as the service's base exception
 * (`RdsException: Rate exceeded (Service: Rds, Status Code: 400)`, aws/aws-advanced-jdbc-wrapper#2089).
 * Which of the two names Step Functions reports for such a code is not documented, so each entry
 * lists both; only a real account settles it. `TRANSIENT_RETRY`, which matches every name, stays
 * behind this retrier.
 */
export const THROTTLING_ERRORS: Record<string, readonly string[]> = {
  rds: ["Rds.ThrottlingException", "Rds.RdsException"],
  autoscaling: ["AutoScaling.ThrottlingException", "AutoScaling.ResourceContentionException", "AutoScaling.AutoScalingException"],
  route53: ["Route53.ThrottlingException", "Route53.PriorRequestNotCompleteException", "Route53.Route53Exception"],
  elasticloadbalancingv2: ["ElasticLoadBalancingV2.ThrottlingException", "ElasticLoadBalancingV2.ElasticLoadBalancingV2Exception"],
  cloudwatch: ["CloudWatch.ThrottlingException", "CloudWatch.CloudWatchException"],
  sns: ["Sns.ThrottledException", "Sns.SnsException"],
  sfn: ["Sfn.ThrottlingException", "Sfn.SfnException"],
  elasticache: ["ElastiCache.ThrottlingException", "ElastiCache.ElastiCacheException"],
};

/**
 * The retrier for a throttled call to `service`: exponential back-off capped at 30 s between
 * attempts (`MaxDelaySeconds`), 6 attempts after 2, 4, 8, 16, 30 and 30 s, so that a throttling
 * burst of about a minute and a half is ridden out ("Handling errors in Step Functions workflows",
 * retrier fields; the Route 53 and EC2 guides recommend retries with exponential back-off).
 * @throws Error for a service without a throttling entry in `THROTTLING_ERRORS`.
 */
export function throttlingRetry(service: string): Record<string, unknown> {
  const errors = THROTTLING_ERRORS[service];
  if (!errors) throw new Error(`throttlingRetry: no throttling errors known for ${service} (recovery/asl.ts THROTTLING_ERRORS)`);
  return { ErrorEquals: [...errors], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30 };
}

/** The Retry of an SDK Task of `service`: throttling first, then `specific` retriers, then the transient catch-all. */
export function sdkRetry(service: string, ...specific: Record<string, unknown>[]): Record<string, unknown>[] {
  return [throttlingRetry(service), ...specific, TRANSIENT_RETRY];
}

/** Retries of the Lambda service itself (Step Functions Developer Guide, "Handling errors in Lambda tasks"). */
export const LAMBDA_RETRY = {
  ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
};

/** Seconds an SDK Task waits for its answer before failing with States.Timeout. */
export const SDK_TASK_TIMEOUT_SECONDS = 60;

/** The task options every SDK call shares: a per-call timeout (seconds) and the throttling and transient retries (`sdkRetry`). */
export function sdkTask(service: string, action: string, parameters: Record<string, unknown>, rest: State): State {
  return {
    Type: "Task",
    Resource: sdkResource(service, action),
    Parameters: parameters,
    TimeoutSeconds: SDK_TASK_TIMEOUT_SECONDS,
    Retry: sdkRetry(service),
    ...rest,
  };
}

/**
 * Publishes on the notification topic. `messageExpression` is a JSONPath or intrinsic expression,
 * e.g. `States.Format('Failover finished at {}', $.timeline.done.at)`. The topic is never allowed to
 * fail the workflow: a failed publish is retried, then ignored.
 */
export function notify(topicArn: string, subject: string, messageExpression: string, next: State): State {
  return sdkTask(
    "sns",
    "publish",
    { TopicArn: topicArn, Subject: subject, "Message.$": messageExpression },
    { ResultPath: null, Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.notificationError", ...next }], ...next },
  );
}

/** A Fail state with a documented error name and cause. */
export function fail(error: string, cause: string): State {
  return { Type: "Fail", Error: error, Cause: cause };
}

/** A Pass state that records `$$.State.EnteredTime` under `$.timeline.<key>` (ISO 8601). */
export function milestone(key: string, next: string): State {
  return { Type: "Pass", Parameters: { "at.$": "$$.State.EnteredTime" }, ResultPath: `$.timeline.${key}`, Next: next };
}

/** Every Task state of a definition, including those inside Parallel branches and Map processors, with its name. */
export function taskStates(definition: Pick<Definition, "States">): { name: string; state: State }[] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested = [
      ...((state.Branches as Pick<Definition, "States">[] | undefined) ?? []),
      ...(state.ItemProcessor ? [state.ItemProcessor as Pick<Definition, "States">] : []),
    ].flatMap(taskStates);
    return state.Type === "Task" ? [{ name, state }, ...nested] : nested;
  });
}

/** Every state of a definition (nested ones too), by name. */
export function allStates(definition: Pick<Definition, "States">): { name: string; state: State }[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    { name, state },
    ...((state.Branches as Pick<Definition, "States">[] | undefined) ?? []).flatMap(allStates),
  ]);
}

/** How a bounded polling loop behaves. */
export interface PollOptions {
  /** Prefix of the loop's state names, e.g. `Promotion`. */
  name: string;
  /** The Task that reads the current status; it must write its result to `resultPath`. */
  check: State;
  resultPath: string;
  /** An optional Pass that turns the check's result into what `done` compares (e.g. counts an array). */
  measure?: State;
  /** Choice rules (without `Next`) that mean done. */
  done: Record<string, unknown>[];
  /** Rules (without `Next`) that mean failed for good: stop polling at once. */
  failed?: Record<string, unknown>[];
  /** Seconds between checks and the number of checks: the loop gives up after intervalSeconds x maxAttempts. */
  intervalSeconds: number;
  maxAttempts: number;
  /** Where to go when done, when failed and when the bound is reached. */
  next: string;
  onFailed?: string;
  onTimeout: string;
  /** Where an error of the check goes (after its retries), with `{ Error, Cause }` at `$.failure`; unset lets it fail the execution or branch. */
  onError?: string;
}

/**
 * A bounded polling loop: `<name>: check`, `<name>: done?`, `<name>: wait`, `<name>: count`. The
 * attempt counter lives at `$.attempts.<name>` and starts at 0 when the loop is entered.
 */
export function poll(options: PollOptions): Record<string, State> {
  const key = options.name.replace(/[^A-Za-z0-9]/g, "");
  const counter = `$.attempts.${key}`;
  const names = {
    start: `${options.name}: start`,
    check: `${options.name}: check`,
    measure: `${options.name}: measure`,
    decide: `${options.name}: done?`,
    wait: `${options.name}: wait`,
    count: `${options.name}: count`,
  };
  return {
    [names.start]: { Type: "Pass", Result: { count: 0 }, ResultPath: counter, Next: names.check },
    [names.check]: {
      ...options.check,
      ResultPath: options.resultPath,
      ...(options.onError ? { Catch: catchAll(options.onError) } : {}),
      Next: options.measure ? names.measure : names.decide,
    },
    ...(options.measure ? { [names.measure]: { ...options.measure, Next: names.decide } } : {}),
    [names.decide]: {
      Type: "Choice",
      Choices: [
        ...options.done.map((rule) => ({ ...rule, Next: options.next })),
        ...(options.failed ?? []).map((rule) => ({ ...rule, Next: options.onFailed ?? options.onTimeout })),
        { Variable: `${counter}.count`, NumericGreaterThanEquals: options.maxAttempts - 1, Next: options.onTimeout },
      ],
      Default: names.wait,
    },
    [names.wait]: { Type: "Wait", Seconds: options.intervalSeconds, Next: names.count },
    [names.count]: { Type: "Pass", Parameters: { "count.$": `States.MathAdd(${counter}.count, 1)` }, ResultPath: counter, Next: names.check },
  };
}

/** The first state of a poll loop built with `poll({ name })`. */
export function pollStart(name: string): string {
  return `${name}: start`;
}

/**
 * The shared failure path of a workflow: notify with `$.failure` (`{ Error, Cause }`), then end the
 * execution failed with that error. `failure(error, cause)` states jump into it.
 */
export function failurePath(topicArn: string, subject: string, names: { notify: string; end: string }): Record<string, State> {
  return {
    [names.notify]: notify(
      topicArn,
      subject,
      "States.Format('{} failed: {} ({}). Execution {}. Timeline so far: {}', $$.StateMachine.Name, $.failure.Error, $.failure.Cause, $$.Execution.Id, States.JsonToString($.timeline))",
      { Next: names.end },
    ),
    [names.end]: { Type: "Fail", ErrorPath: "$.failure.Error", CausePath: "$.failure.Cause" },
  };
}

/** A Pass state that records a failure (`{ Error, Cause }` at `$.failure`) and enters the failure path. */
export function failure(error: string, cause: string, failurePathStart: string): State {
  return { Type: "Pass", Result: { Error: error, Cause: cause }, ResultPath: "$.failure", Next: failurePathStart };
}

/** A catcher sending every error to the failure path, keeping `{ Error, Cause }` at `$.failure`. */
export function catchAll(failurePathStart: string): Record<string, unknown>[] {
  return [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: failurePathStart }];
}
