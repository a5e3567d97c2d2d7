/**
 * An operator's timeline of a scenario: world events (the primary fails, Route 53 notices), each
 * execution's steps at simulated times (a polling loop is one line with its number of checks, a
 * Task shows its retries and caught errors), the SNS messages, and the recovery.
 */
import { allStates, type Definition } from "../asl";
import type { ExecutionRecord } from "./run";

export interface TimelineEntry {
  /** Simulated seconds (0 = the first execution's start). */
  at: number;
  /** End of a step that takes time. */
  until?: number;
  kind: "world" | "action" | "run" | "step" | "poll" | "notification" | "recovery";
  label: string;
}

/** `mm:ss`, or `h:mm:ss` from an hour, with a minus sign before 0. */
export function clockTime(seconds: number): string {
  const sign = seconds < 0 ? "-" : " ";
  const total = Math.round(Math.abs(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const mm = String(minutes).padStart(2, "0");
  const ss = String(rest).padStart(2, "0");
  return hours > 0 ? `${sign}${hours}:${mm}:${ss}` : `${sign}${mm}:${ss}`;
}

/** A duration as `5 m 02 s` or `42 s`. */
export function duration(seconds: number): string {
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours} h ${String(minutes).padStart(2, "0")} m ${rest} s` : `${minutes} m ${rest} s`;
}

const LOOP_SUFFIX = /^(.*): (start|check|measure|done\?|wait|count|mark)$/;

/** The steps of one execution. */
export function executionTimeline(record: ExecutionRecord, definition: Definition, runNumber: number): TimelineEntry[] {
  const states = new Map(allStates(definition).map(({ name, state }) => [name, state]));
  // Every bounded loop waits between rounds (`<name>: wait`); a poll also has `<name>: start`, a retry loop starts elsewhere.
  const loops = new Set([...states.keys()].flatMap((name) => (name.endsWith(": wait") ? [name.slice(0, -": wait".length)] : [])));
  const loopOf = (name: string): string | undefined => {
    const match = LOOP_SUFFIX.exec(name);
    return match && loops.has(match[1]) ? match[1] : undefined;
  };
  type Step = TimelineEntry & { retries: number; retryErrors: Set<string>; caught?: string; failedWith?: string; checks?: number };
  const entries: Step[] = [];
  const current = new Map<string, Step>();
  let lastError: string | undefined;
  for (const event of record.events) {
    const name = event.state;
    if (!name) continue;
    const loop = loopOf(name);
    const key = loop ?? name;
    switch (event.type) {
      case "StateEntered": {
        if (loop) {
          if (name === `${loop}: start` || !current.has(key)) {
            const step: Step = { at: event.at, kind: "poll", label: loop, retries: 0, retryErrors: new Set(), checks: 0 };
            entries.push(step);
            current.set(key, step);
          }
          if (name === `${loop}: check`) current.get(key)!.checks! += 1;
          break;
        }
        if (event.stateType === "Choice") break;
        const state = states.get(name);
        const milestone = typeof state?.ResultPath === "string" && state.ResultPath.startsWith("$.timeline.");
        const step: Step = { at: event.at, kind: "step", label: milestone ? `${name} (milestone)` : name, retries: 0, retryErrors: new Set() };
        if (event.stateType === "Fail") step.label = `✗ ${name}`;
        if (event.stateType === "Succeed") step.label = `✓ ${name}`;
        entries.push(step);
        current.set(key, step);
        break;
      }
      case "StateExited": {
        const step = current.get(key);
        if (step && event.at > step.at) step.until = event.at;
        // A retried Task that finally succeeded did not fail.
        if (step && !step.caught) step.failedWith = undefined;
        break;
      }
      case "StateFailed": {
        const step = current.get(key);
        lastError = event.error;
        if (step) {
          step.failedWith = event.error;
          if (event.at > step.at) step.until = event.at;
        }
        break;
      }
      case "StateRetried": {
        const step = current.get(key);
        if (step) {
          step.retries += 1;
          if (lastError) step.retryErrors.add(lastError);
        }
        break;
      }
      case "StateCaught": {
        const step = current.get(key);
        if (step) step.caught = lastError;
        break;
      }
      default:
        break;
    }
  }
  const steps = entries.map(({ retries, retryErrors, caught, failedWith, checks, ...entry }): TimelineEntry => {
    let label = entry.label;
    if (checks !== undefined) label += `: ${checks} check${checks === 1 ? "" : "s"}`;
    if (retries > 0) label += ` (retried ${retries}x after ${[...retryErrors].join(", ")})`;
    if (caught) label += ` (caught ${caught})`;
    else if (failedWith && entry.kind === "step" && !entry.label.startsWith("✗")) label += ` (failed: ${failedWith})`;
    return { ...entry, label };
  });
  const outcome =
    record.status === "SUCCEEDED" ? "SUCCEEDED" : [record.status, record.error, record.cause ? `(${record.cause})` : undefined].filter(Boolean).join(" ");
  return [
    { at: record.startedAt, kind: "run", label: `▶ run ${runNumber}: ${record.workflow} ${JSON.stringify(record.input)}` },
    ...steps,
    { at: record.endedAt, kind: "run", label: `■ run ${runNumber} ended: ${outcome}` },
  ];
}

/** Entries in time order; at equal times world events first, then the given order. */
export function sortTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  const rank = (entry: TimelineEntry) => (entry.kind === "world" || entry.kind === "action" ? 0 : 1);
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || rank(a.entry) - rank(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}
