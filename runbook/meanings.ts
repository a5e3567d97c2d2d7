/**
 * What an execution's error name means to an operator: the workflow's own errors (the `*_ERRORS`
 * maps next to each definition) and the Step Functions built-in ones.
 */
import { DRILL_ERRORS } from "../recovery/drill";
import { AURORA_FAILBACK_ERRORS, FAILBACK_ERRORS } from "../recovery/failback";
import { AURORA_FAILOVER_ERRORS, FAILOVER_ERRORS } from "../recovery/failover";
import type { Workflow } from "../recovery/names";

/**
 * Error name -> meaning, per workflow, both engine modes: the instance mode's errors and the
 * aurora-global mode's (recovery/failover.ts, failback.ts). A name both modes use means the same in
 * both (test/recovery/definitions.test.ts checks it).
 */
export const WORKFLOW_ERRORS: Record<Workflow, Readonly<Record<string, string>>> = {
  failover: { ...FAILOVER_ERRORS, ...AURORA_FAILOVER_ERRORS },
  failback: { ...FAILBACK_ERRORS, ...AURORA_FAILBACK_ERRORS },
  drill: DRILL_ERRORS,
};

/** Step Functions' own errors (States Language appendix A) as an execution can end with them. */
export const STATES_ERRORS: Readonly<Record<string, string>> = {
  "States.Timeout": "the execution, or a task without a catcher, ran past its time limit",
  "States.TaskFailed": "a task failed and no catcher handled it",
  "States.Permissions": "the state machine's role lacks a permission a task needed",
  "States.Runtime": "the definition could not be applied to the data (a path or intrinsic failed)",
  "States.BranchFailed": "a branch of a Parallel state failed",
  "States.NoChoiceMatched": "a Choice state found no matching rule and has no Default",
  "States.DataLimitExceeded": "a state's input or output exceeded the 256 KiB payload quota",
};

/** The meaning of `error` for `workflow`, or undefined when the name is unknown. */
export function errorMeaning(workflow: Workflow, error: string | undefined): string | undefined {
  if (!error) return undefined;
  return WORKFLOW_ERRORS[workflow][error] ?? STATES_ERRORS[error];
}
