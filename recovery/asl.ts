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
 * Retries for transient failures of an idempotent call: throttling, timeouts and 5xx surface as
 * `States.TaskFailed` or `States.Timeout`. 3 attempts after 2, 4 and 8 seconds.
 */
export const TRANSIENT_RETRY = { ErrorEquals: ["States.Timeout", "States.TaskFailed"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 };

/** Retries of the Lambda service itself (Step Functions Developer Guide, "Handling errors in Lambda tasks"). */
export const LAMBDA_RETRY = {
  ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
};

/** The task options every SDK call shares: a per-call timeout (seconds) and the transient retry. */
export function sdkTask(service: string, action: string, parameters: Record<string, unknown>, rest: State): State {
  return { Type: "Task", Resource: sdkResource(service, action), Parameters: parameters, TimeoutSeconds: 60, Retry: [TRANSIENT_RETRY], ...rest };
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
