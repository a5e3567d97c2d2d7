/**
 * The end-of-run report: the timeline (each top-level step with its start and duration, and the
 * steps of Parallel branches under it), the total time against the RTO, the final status and, for
 * a failed execution, the error, what it means to an operator and its cause.
 */
import type { Workflow } from "../recovery/names";
import type { StateVisit } from "./history";
import { errorMeaning } from "./meanings";
import { formatDuration, formatElapsed } from "./output";

/** One row of the timeline. Times are milliseconds; `start` is since the execution started. */
export interface TimelineRow {
  /** The state's name, or a poll loop's name for all its states. */
  step: string;
  /** 0 for top-level steps, 1 for steps of a Parallel branch, ... */
  depth: number;
  start: number;
  duration: number;
  /** A visit of the step failed for good (a Fail state, a task whose last attempt failed, a failed Parallel). */
  failed: boolean;
  /** How many states were visited: poll loops count every check. */
  visits: number;
}

function visitEnd(visit: StateVisit, endDate: Date): number {
  if (visit.type === "Fail" || visit.type === "Succeed") return visit.enteredAt.getTime();
  return (visit.exitedAt ?? endDate).getTime();
}

function rows(groups: StateVisit[][], all: readonly StateVisit[], startDate: Date, endDate: Date): TimelineRow[] {
  return groups.flatMap((group) => {
    const start = Math.min(...group.map((visit) => visit.enteredAt.getTime()));
    const end = Math.max(...group.map((visit) => visitEnd(visit, endDate)));
    const row: TimelineRow = {
      step: group[0].step,
      depth: group[0].depth,
      start: start - startDate.getTime(),
      duration: end - start,
      failed: group.some((visit) => visit.failed),
      visits: group.length,
    };
    const parallels = group.filter((visit) => visit.type === "Parallel" || visit.type === "Map");
    const children = parallels.flatMap((parallel) => branchGroups(all, parallel));
    return [row, ...rows(children, all, startDate, endDate)];
  });
}

/** Visits of the branches of `parallel`, branch by branch, grouped by step in the order the steps first started. */
function branchGroups(all: readonly StateVisit[], parallel: StateVisit): StateVisit[][] {
  const byStep = new Map<string, StateVisit[]>();
  for (const visit of all) {
    if (visit.parent !== parallel || visit.type === "Choice") continue;
    const key = `${visit.branch ?? 0}\u0000${visit.step}`;
    byStep.set(key, [...(byStep.get(key) ?? []), visit]);
  }
  return [...byStep.values()].sort((a, b) => (a[0].branch ?? 0) - (b[0].branch ?? 0));
}

/**
 * The timeline of an execution from its visits: consecutive top-level visits of the same step
 * (a poll loop's states) make one row; Choice states are left out (they take no time); a Parallel
 * row is followed by one row per step of its branches. A visit not exited ends at `endDate`.
 */
export function buildTimeline(visits: readonly StateVisit[], startDate: Date, endDate: Date): TimelineRow[] {
  const groups: StateVisit[][] = [];
  for (const visit of visits) {
    if (visit.depth !== 0 || visit.type === "Choice") continue;
    const last = groups.at(-1);
    if (last && last[0].step === visit.step) last.push(visit);
    else groups.push([visit]);
  }
  return rows(groups, visits, startDate, endDate);
}

/** The timeline as a table. */
export function renderTimeline(timeline: readonly TimelineRow[]): string[] {
  const label = (row: TimelineRow) => `${"  ".repeat(row.depth)}${row.step}`;
  const width = Math.max(4, ...timeline.map((row) => label(row).length));
  const lines = [`  ${"Step".padEnd(width)}  ${"Start".padStart(8)}  ${"Duration".padStart(8)}`];
  for (const row of timeline) {
    lines.push(
      `  ${label(row).padEnd(width)}  ${formatElapsed(row.start).padStart(8)}  ${formatDuration(row.duration).padStart(8)}${row.failed ? "  FAILED" : ""}`,
    );
  }
  return lines;
}

/** How an execution ended, as DescribeExecution reports it. */
export interface ExecutionOutcome {
  status: string;
  startDate: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
}

/**
 * The closing lines: status, total time (against the RTO for failover and failback), and for an
 * execution that did not succeed its error, the error's meaning for `workflow`, and the cause.
 * @param rtoSeconds the declared RTO, seconds.
 */
export function renderOutcome(workflow: Workflow, outcome: ExecutionOutcome, rtoSeconds: number, rtoSource: string): string[] {
  const total = (outcome.stopDate ?? outcome.startDate).getTime() - outcome.startDate.getTime();
  const lines = [`Status:      ${outcome.status}`];
  if (workflow === "drill") {
    lines.push(`Total time:  ${formatDuration(total)} (a drill is not measured against the RTO)`);
  } else {
    const rto = rtoSeconds * 1000;
    const verdict =
      outcome.status !== "SUCCEEDED"
        ? "not recovered"
        : total <= rto
          ? `within the RTO, ${formatDuration(rto - total)} to spare`
          : `OVER the RTO by ${formatDuration(total - rto)}`;
    lines.push(`Total time:  ${formatDuration(total)} against an RTO of ${formatDuration(rto)} (${rtoSource}): ${verdict}`);
  }
  if (outcome.status !== "SUCCEEDED") {
    const meaning =
      errorMeaning(workflow, outcome.error) ??
      (outcome.status === "ABORTED"
        ? "the execution was stopped (StopExecution); check what it had changed in the timeline above"
        : outcome.status === "TIMED_OUT"
          ? "the execution ran past the state machine's TimeoutSeconds"
          : undefined);
    lines.push(`Error:       ${outcome.error ?? "(none reported)"}`);
    if (meaning) lines.push(`Meaning:     ${meaning}`);
    if (outcome.cause && outcome.cause !== meaning) lines.push(`Cause:       ${outcome.cause}`);
  }
  return lines;
}
