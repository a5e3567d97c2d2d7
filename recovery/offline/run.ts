/**
 * Runs one execution of a definition on the simulated cloud, in simulated time, with
 * aws-local-stepfunctions: every Task goes to `SimulatedCloud.invoke`, Wait states and Retry
 * intervals take their declared durations on the VirtualClock, and `$$.State.EnteredTime`,
 * `$$.Execution.StartTime` and the event timestamps are simulated times.
 *
 * The definition is run as written, except for one fidelity fix: a Task whose ResultSelector holds
 * an indefinite JSONPath has it applied by jsonPath.ts (Step Functions' list semantics) instead of by
 * the library (see jsonPath.ts); the Task's other fields are untouched.
 */
import "promise.withresolvers/auto";
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { type Definition, type State } from "../asl";
import type { Workflow } from "../names";
import type { SimulatedCloud } from "./cloud";
import { applySelector, needsAwsSelector } from "./jsonPath";

/** The library's event type (not exported by name). */
type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** One event of an execution, at a simulated second. */
export interface ExecutionEvent {
  at: number;
  type: EventLog["type"];
  state?: string;
  stateType?: string;
  error?: string;
  cause?: string;
  retryAttempt?: number;
}

export interface ExecutionRecord {
  workflow: Workflow;
  input: Record<string, unknown>;
  name: string;
  arn: string;
  startedAt: number;
  endedAt: number;
  /** `ABORTED`: stopped by the operator (StopExecution), see `runExecution`'s `stopAfterSeconds`. */
  status: "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
  /** The error name of a failed execution (`States.Timeout` when it timed out). */
  error?: string;
  cause?: string;
  output?: unknown;
  events: ExecutionEvent[];
}

/** `SUCCEEDED`, or the error name of a failed execution. */
export function outcomeOf(record: ExecutionRecord): string {
  return record.status === "SUCCEEDED" ? "SUCCEEDED" : (record.error ?? record.status);
}

interface Prepared {
  definition: Definition;
  /** ResultSelectors applied by jsonPath.ts, by Task name. */
  selectors: Map<string, unknown>;
  tasks: Map<string, State>;
}

/** Clones the definition, moving indefinite ResultSelectors out of it; checks that Task names are unique (handlers are by name). */
function prepare(definition: Definition): Prepared {
  const copy = structuredClone(definition);
  const selectors = new Map<string, unknown>();
  const tasks = new Map<string, State>();
  const visit = (states: Record<string, State>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === "Task") {
        if (tasks.has(name)) throw new Error(`definition: two Task states are named "${name}"; the simulator needs unique Task names`);
        if (state.ResultSelector !== undefined && needsAwsSelector(state.ResultSelector)) {
          selectors.set(name, state.ResultSelector);
          delete state.ResultSelector;
        }
        tasks.set(name, state);
      }
      for (const branch of (state.Branches as { States: Record<string, State> }[] | undefined) ?? []) visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, State> } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(copy.States);
  return { definition: copy, selectors, tasks };
}

/** Definitions (as JSON) already validated: asl-validator takes most of a second per definition, and the same ones run many times. */
const validated = new Set<string>();

/** `new StateMachine`, validating a definition (asl-validator, ARNs and paths checked) only the first time it is seen. @throws Error when invalid */
function validatedStateMachine(definition: Definition): StateMachine {
  const key = JSON.stringify(definition);
  const machine = new StateMachine(
    definition as unknown as StateMachineDefinition,
    validated.has(key) ? { validationOptions: { noValidate: true } } : undefined,
  );
  validated.add(key);
  return machine;
}

let executionCounter = 0;

/**
 * Runs `definition` as `workflow` with `input`, starting at the clock's current simulated second.
 * With `stopAfterSeconds`, the operator stops the execution that long after its start, as
 * StopExecution does (Step Functions API Reference, StopExecution: the execution ends `ABORTED`; a
 * call already made is not undone).
 * @throws Error when the definition is invalid (asl-validator) or the simulation itself breaks (SimulationError).
 */
export async function runExecution(
  cloud: SimulatedCloud,
  workflow: Workflow,
  definition: Definition,
  input: Record<string, unknown>,
  name = `offline-${workflow}-${++executionCounter}`,
  options: { stopAfterSeconds?: number } = {},
): Promise<ExecutionRecord> {
  const clock = cloud.clock;
  const prepared = prepare(definition);
  const stateMachine = validatedStateMachine(prepared.definition);
  const handlers: Record<string, (input: unknown) => Promise<never>> = {};
  for (const [taskName, state] of prepared.tasks) {
    const selector = prepared.selectors.get(taskName);
    handlers[taskName] = async (parameters: unknown) => {
      const result = await cloud.invoke(
        taskName,
        String(state.Resource),
        parameters,
        typeof state.TimeoutSeconds === "number" ? state.TimeoutSeconds : undefined,
      );
      return (selector !== undefined ? applySelector(selector, result) : result) as never;
    };
  }
  const entry = cloud.beginExecution(workflow, name);
  const stateMachineArn = cloud.stateMachineArns[workflow];
  const context = {
    Execution: { Id: entry.arn, Name: name },
    StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(":").pop() },
    State: {
      Name: "",
      RetryCount: 0,
      get EnteredTime(): string {
        return clock.iso();
      },
    },
  };
  const startedAt = clock.seconds;
  const logs: EventLog[] = [];
  const limit = startedAt + (definition.TimeoutSeconds ?? 365 * 86400) + 3600;
  const outcome = await clock.drive(async () => {
    const execution = stateMachine.run(input as never, { overrides: { taskResourceLocalHandlers: handlers as never }, context });
    // The virtual setTimeout (clock.ts): the stop happens at that simulated second, unless the execution ended before.
    if (options.stopAfterSeconds !== undefined) setTimeout(() => execution.abort(), options.stopAfterSeconds * 1000);
    const collecting = (async () => {
      for await (const event of execution.eventLogs) logs.push(event);
    })();
    const result = await execution.result.then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await collecting;
    return result;
  }, limit);
  const endedAt = clock.seconds;
  let record: ExecutionRecord;
  const base = { workflow, input, name, arn: entry.arn, startedAt, endedAt, events: toEvents(logs, (timestamp) => clock.secondsOf(timestamp)) };
  if (outcome.ok) record = { ...base, status: "SUCCEEDED", output: outcome.output };
  else if (outcome.error instanceof ExecutionAbortedError) record = { ...base, status: "ABORTED", cause: "stopped by the operator (StopExecution)" };
  else if (outcome.error instanceof ExecutionTimeoutError)
    record = { ...base, status: "TIMED_OUT", error: "States.Timeout", cause: "the execution ran past its TimeoutSeconds" };
  else if (outcome.error instanceof ExecutionError) {
    const cause = outcome.error.cause as Error | undefined;
    record = { ...base, status: "FAILED", error: cause?.name ?? "Error", cause: cause?.message ?? outcome.error.message };
  } else throw outcome.error;
  cloud.endExecution(entry, record.status);
  return record;
}

function toEvents(logs: EventLog[], secondsOf: (timestamp: number) => number): ExecutionEvent[] {
  const events = logs.map((event, index): ExecutionEvent & { index: number } => {
    const record: ExecutionEvent & { index: number } = { index, at: secondsOf(event.timestamp), type: event.type };
    if ("state" in event && event.state) {
      record.state = event.state.name;
      record.stateType = event.state.type;
    }
    if ("Error" in event) {
      record.error = String(event.Error);
      record.cause = typeof event.Cause === "string" ? event.Cause : JSON.stringify(event.Cause);
    }
    if (event.type === "StateRetried") record.retryAttempt = event.retry.attempt;
    return record;
  });
  // Events of Parallel branches are forwarded asynchronously: order by simulated time, then as logged.
  events.sort((a, b) => a.at - b.at || a.index - b.index);
  return events.map(({ index: _index, ...event }) => event);
}
