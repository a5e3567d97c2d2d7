/**
 * What the runbook starts: the execution's input (the shapes `recovery/failover.ts`,
 * `recovery/failback.ts` and `recovery/drill.ts` validate) and its name.
 */
import type { RunbookArguments } from "./arguments";

/** Failover input: `trigger` is always `operator` from the runbook (`alarm` is the automatic trigger's). */
export interface FailoverInput {
  mode: "planned" | "unplanned";
  force: boolean;
  trigger: "operator";
}
/** Failback input. */
export interface FailbackInput {
  force: boolean;
}
/** Drill input: empty (share and duration are deployed settings). */
export type DrillInput = Record<string, never>;

export type ExecutionInput = FailoverInput | FailbackInput | DrillInput;

/** The execution input for the command line. */
export function executionInput(args: Pick<RunbookArguments, "workflow" | "mode" | "force">): ExecutionInput {
  switch (args.workflow) {
    case "failover":
      return { mode: args.mode ?? "unplanned", force: args.force, trigger: "operator" };
    case "failback":
      return { force: args.force };
    case "drill":
      return {};
  }
}

/** Step Functions execution names: 1-80 letters, digits, `-` and `_` (the runbook keeps to the safest subset). */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** The mode part of an execution name: `planned`/`unplanned` (failover), `standard` (failback) or `live` (drill), `-force` when forced. */
export function executionMode(args: Pick<RunbookArguments, "workflow" | "mode" | "force">): string {
  const base = args.workflow === "failover" ? (args.mode ?? "unplanned") : args.workflow === "failback" ? "standard" : "live";
  return args.force ? `${base}-force` : base;
}

/**
 * `<workflow>-<mode>-<UTC timestamp>`, e.g. `failover-unplanned-20260314T091502Z`: unique per second,
 * sortable, and readable in the console and the notifications.
 * @throws Error if the result is not a valid execution name (cannot happen for the three workflows).
 */
export function executionName(args: Pick<RunbookArguments, "workflow" | "mode" | "force">, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  const name = `${args.workflow}-${executionMode(args)}-${stamp}`;
  if (!EXECUTION_NAME.test(name)) throw new Error(`execution name ${name} is not valid for Step Functions`);
  return name;
}
