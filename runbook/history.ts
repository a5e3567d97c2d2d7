/**
 * Reading a Step Functions execution history (GetExecutionHistory events, oldest first) as it
 * grows: which state each event belongs to, how deep it sits in Parallel branches, and the
 * operator's progress lines:
 *
 *   +00:03  entered  Recover
 *   +00:03  entered    Promote replica
 *   +00:05  failed     Promote replica: Rds.InvalidDbInstanceStateException: ...
 *   +01:05  retried    Promote replica (attempt 2)
 *   +01:37  polling    Promotion (check 2)
 *
 * One line per state entered and exited, per task failure and per retry, and one when the
 * execution ends (`ended    SUCCEEDED`); states inside Parallel branches are indented. Two kinds
 * of states are condensed: Choice states print nothing (the next state entered shows the
 * decision), and a poll loop (`<name>: start|check|measure|done?|wait|count`, `recovery/asl.ts`
 * `poll`) prints `entered <name> (polling)`, one `polling <name> (check n)` per further check and
 * `exited <name> (n checks)`, instead of about eight lines per check.
 */
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { formatElapsed } from "./output";
import { POLL_STATE, stepOf } from "./plan";

/** One visit of one state: entered at a time, exited (or not yet). */
export interface StateVisit {
  name: string;
  /** The step it belongs to: the poll loop's name for loop states, else `name`. */
  step: string;
  /** `Task`, `Choice`, `Pass`, `Wait`, `Parallel`, `Map`, `Succeed`, `Fail`. */
  type: string;
  /** 0 for top-level states, 1 inside a Parallel branch, ... */
  depth: number;
  /** The Parallel visit whose branch this visit is in, and which branch (0, 1, ... in the order the branches started). */
  parent?: StateVisit;
  branch?: number;
  enteredAt: Date;
  exitedAt?: Date;
  /** Task attempts scheduled, and failures of them. */
  attempts: number;
  failures: number;
  /** The task's last attempt succeeded. */
  succeeded: boolean;
  /** A Fail state, a Parallel that failed, or a task whose last attempt failed. */
  failed: boolean;
  /** The error of the last failure, `Error: cause`. */
  lastError?: string;
}

/** How a history event type reads: the state type it enters or exits. */
const ENTERED = /^(Task|Choice|Pass|Wait|Parallel|Map|Succeed|Fail)StateEntered$/;
const EXITED = /^(Task|Choice|Pass|Wait|Parallel|Map|Succeed)StateExited$/;
const SCHEDULED = new Set(["TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"]);
const SUCCEEDED = new Set(["TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"]);
const TASK_FAILED = new Set([
  "TaskFailed",
  "TaskTimedOut",
  "TaskStartFailed",
  "TaskSubmitFailed",
  "LambdaFunctionFailed",
  "LambdaFunctionTimedOut",
  "LambdaFunctionStartFailed",
  "LambdaFunctionScheduleFailed",
  "ActivityFailed",
  "ActivityTimedOut",
  "ActivityScheduleFailed",
]);
const EXECUTION_ENDED: Record<string, string> = {
  ExecutionSucceeded: "SUCCEEDED",
  ExecutionFailed: "FAILED",
  ExecutionTimedOut: "TIMED_OUT",
  ExecutionAborted: "ABORTED",
};
const BRANCHES_STARTED = new Set(["ParallelStateStarted", "MapStateStarted"]);
const BRANCHES_ENDED = new Set([
  "ParallelStateSucceeded",
  "ParallelStateFailed",
  "ParallelStateAborted",
  "MapStateSucceeded",
  "MapStateFailed",
  "MapStateAborted",
]);

/** The error and cause of a failure event, whichever details field carries them. */
function failureOf(event: HistoryEvent): { error?: string; cause?: string } {
  const details =
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.taskStartFailedEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.activityFailedEventDetails ??
    event.activityTimedOutEventDetails ??
    event.activityScheduleFailedEventDetails ??
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails;
  return { error: details?.error, cause: details?.cause };
}

/** A cause shortened to one line for the progress output. */
export function shortCause(cause: string | undefined, limit = 160): string {
  if (!cause) return "";
  const line = cause.replace(/\s+/g, " ").trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}

/**
 * The history of one execution, fed page by page with `add`. Keeps every visit (for the timeline)
 * and the id of the newest event seen (to skip events already read).
 */
export class ExecutionHistory {
  /** Every state visit, in the order the states were entered. */
  readonly visits: StateVisit[] = [];
  /** Id of the newest event added; events with ids up to it are ignored by `add`. */
  lastEventId = 0;
  private readonly visitOfEvent = new Map<number, StateVisit>();
  private readonly typeOfEvent = new Map<number, string>();
  private readonly loopChecks = new Map<StateVisit | undefined, Map<string, number>>();

  /** @param startDate the execution's start: progress lines show the time since it. */
  constructor(readonly startDate: Date) {}

  /** Adds events (oldest first; duplicates and already seen ids are skipped) and returns their progress lines. */
  add(events: readonly HistoryEvent[]): string[] {
    const lines: string[] = [];
    for (const event of events) {
      if (event.id === undefined || event.id <= this.lastEventId) continue;
      this.lastEventId = event.id;
      lines.push(...this.apply(event));
    }
    return lines;
  }

  /** The innermost visit not yet exited, and the top-level one, for the progress indicator. */
  current(): { top?: StateVisit; inner?: StateVisit } {
    const open = this.visits.filter((visit) => !visit.exitedAt && visit.type !== "Fail" && visit.type !== "Succeed");
    const inner = open.at(-1) ?? this.visits.at(-1);
    let top = inner;
    while (top?.parent) top = top.parent;
    return { top, inner };
  }

  /** Checks made so far by the poll loop `step` in the branch of `parent` (top level when undefined). */
  checks(step: string, parent?: StateVisit): number {
    return this.loopChecks.get(parent)?.get(step) ?? 0;
  }

  private line(at: Date | undefined, verb: string, visit: StateVisit | undefined, text: string): string {
    const elapsed = formatElapsed((at?.getTime() ?? this.startDate.getTime()) - this.startDate.getTime());
    const indent = "  ".repeat(visit?.depth ?? 0);
    return `${elapsed}  ${verb.padEnd(7)}  ${indent}${text}`;
  }

  private apply(event: HistoryEvent): string[] {
    const id = event.id!;
    const type = event.type ?? "";
    const at = event.timestamp;
    this.typeOfEvent.set(id, type);
    const previous = event.previousEventId ? this.visitOfEvent.get(event.previousEventId) : undefined;
    const previousType = event.previousEventId ? this.typeOfEvent.get(event.previousEventId) : undefined;

    const entered = ENTERED.exec(type);
    if (entered) {
      const name = event.stateEnteredEventDetails?.name ?? "?";
      // The first state of a branch follows ParallelStateStarted; any other state is a sibling of the previous one.
      const firstOfBranch = Boolean(previous && previousType && BRANCHES_STARTED.has(previousType));
      const parent = firstOfBranch ? previous : previous?.parent;
      const branch = firstOfBranch ? this.branchesStarted(previous!) : previous?.branch;
      const visit: StateVisit = {
        name,
        step: stepOf(name),
        type: entered[1],
        depth: parent ? parent.depth + 1 : 0,
        ...(parent ? { parent, ...(branch !== undefined ? { branch } : {}) } : {}),
        enteredAt: at ?? this.startDate,
        attempts: 0,
        failures: 0,
        succeeded: false,
        failed: entered[1] === "Fail",
      };
      this.visits.push(visit);
      this.visitOfEvent.set(id, visit);
      const lines: string[] = [];
      // Leaving a poll loop: the previous state was one of its states and this one is not.
      if (previous && previous.step !== previous.name && previous.step !== visit.step) {
        lines.push(this.line(at, "exited", previous, `${previous.step} (${this.checks(previous.step, previous.parent)} checks)`));
      }
      lines.push(...this.enteredLines(visit, at));
      return lines;
    }

    const exited = EXITED.exec(type);
    if (exited) {
      const name = event.stateExitedEventDetails?.name;
      const visit = previous?.name === name ? previous : this.openVisit((candidate) => candidate.name === name);
      if (visit) {
        visit.exitedAt = at;
        this.visitOfEvent.set(id, visit);
        if (visit.type !== "Choice" && visit.step === visit.name) return [this.line(at, "exited", visit, visit.name)];
      }
      return [];
    }

    if (BRANCHES_ENDED.has(type)) {
      // Follows the last event of a branch: belongs to the innermost Parallel still open.
      const parallel = this.openVisit((candidate) => candidate.type === "Parallel" || candidate.type === "Map");
      if (parallel) this.visitOfEvent.set(id, parallel);
      if (parallel && type.endsWith("Failed")) {
        parallel.failed = true;
        return [this.line(at, "failed", parallel, `${parallel.name}: a branch failed`)];
      }
      return [];
    }

    const ended = EXECUTION_ENDED[type];
    if (ended) {
      const { error } = failureOf(event);
      return [this.line(at, "ended", undefined, `${ended}${error ? ` ${error}` : ""}`)];
    }

    const visit = previous;
    if (visit) this.visitOfEvent.set(id, visit);
    if (!visit) return [];
    if (SCHEDULED.has(type)) {
      visit.attempts += 1;
      if (visit.attempts > 1) return [this.line(at, "retried", visit, `${visit.name} (attempt ${visit.attempts})`)];
      return [];
    }
    if (SUCCEEDED.has(type)) {
      visit.succeeded = true;
      visit.failed = false;
      return [];
    }
    if (TASK_FAILED.has(type)) {
      const { error, cause } = failureOf(event);
      visit.failures += 1;
      visit.succeeded = false;
      visit.failed = true;
      visit.lastError = `${error ?? type}${cause ? `: ${shortCause(cause)}` : ""}`;
      return [this.line(at, "failed", visit, `${visit.name}: ${visit.lastError}`)];
    }
    return [];
  }

  private enteredLines(visit: StateVisit, at: Date | undefined): string[] {
    if (visit.type === "Choice") return [];
    if (visit.type === "Fail") return [this.line(at, "failed", visit, visit.name)];
    const loop = POLL_STATE.exec(visit.name);
    if (!loop) return [this.line(at, "entered", visit, visit.name)];
    const [, step, part] = loop;
    let counts = this.loopChecks.get(visit.parent);
    if (!counts) this.loopChecks.set(visit.parent, (counts = new Map()));
    if (part === "start") {
      counts.set(step, 0);
      return [this.line(at, "entered", visit, `${step} (polling)`)];
    }
    if (part === "check") {
      const checks = (counts.get(step) ?? 0) + 1;
      counts.set(step, checks);
      if (checks > 1) return [this.line(at, "polling", visit, `${step} (check ${checks})`)];
    }
    return [];
  }

  /** The index of a new branch of `parallel`: how many of its branches have started before. */
  private branchesStarted(parallel: StateVisit): number {
    const started = new Set(this.visits.filter((visit) => visit.parent === parallel).map((visit) => visit.branch));
    return started.size;
  }

  private openVisit(match: (visit: StateVisit) => boolean): StateVisit | undefined {
    for (let index = this.visits.length - 1; index >= 0; index -= 1) {
      const visit = this.visits[index];
      if (!visit.exitedAt && match(visit)) return visit;
    }
    return undefined;
  }
}
