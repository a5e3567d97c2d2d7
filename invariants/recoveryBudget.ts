/**
 * DR invariant 11 (checks.md): the declared RTO and RPO exist, and the configuration's own budget
 * meets them. The budget (budget/recoveryBudget.ts) is computed from the synthesized DR stack: its
 * health check, alarms, automatic failover rule, target group and Auto Scaling Group, and the
 * strategy, targets and decision time of its recovery manifest.
 */
import { parseRecoveryManifest, RECOVERY_MANIFEST_NAME_SUFFIX } from "../config/recoveryManifest";
import { budgetInputsFromResources } from "../budget/fromResources";
import { budgetProblems, recoveryBudget, type RecoveryBudget } from "../budget/recoveryBudget";
import type { StackPlan } from "../synth/recordStack";
import type { InvariantResult, PlanPair } from "./plan";

/**
 * The DR stack's recovery budget as synthesized.
 * @returns the budget, or why it cannot be computed (no manifest, a missing resource, an input out of range).
 */
export function planRecoveryBudget(dr: StackPlan): { budget?: RecoveryBudget; problems: string[] } {
  const parameters = dr.resources.filter(
    (resource) => resource.type === "aws:ssm/parameter:Parameter" && String(resource.inputs.name ?? "").endsWith(RECOVERY_MANIFEST_NAME_SUFFIX),
  );
  if (parameters.length !== 1) return { problems: [`the DR stack has ${parameters.length} recovery manifests; the budget needs exactly one`] };
  const { manifest, problems } = parseRecoveryManifest(String(parameters[0].inputs.insecureValue ?? parameters[0].inputs.value ?? ""));
  if (!manifest) return { problems: problems.map((problem) => `the recovery manifest is invalid: ${problem}`) };
  const read = budgetInputsFromResources(
    dr.resources.map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.inputs })),
    manifest,
  );
  if (!read.inputs) return { problems: read.problems };
  try {
    return { budget: recoveryBudget(read.inputs), problems: [] };
  } catch (error) {
    if (error instanceof RangeError) return { problems: [error.message] };
    throw error;
  }
}

export function checkRecoveryBudget({ dr }: PlanPair): InvariantResult {
  const { budget, problems } = planRecoveryBudget(dr);
  return {
    id: 11,
    title: "Recovery budget: the configuration's RTO and RPO budget, from AWS's figures, meets the declared targets (11)",
    violations: budget ? budgetProblems(budget) : problems,
  };
}
