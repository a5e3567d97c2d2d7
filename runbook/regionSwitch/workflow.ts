/**
 * What each runbook command asks of the Region switch plan, and the plan's steps as text.
 *
 * - failover: `activate` the DR region. `--unplanned` starts it `ungraceful`, `--planned` `graceful`
 *   (StartPlanExecution `mode`; API Reference: "Specifying ungraceful mode either changes the behavior
 *   of the execution blocks in a workflow or skips specific execution blocks").
 * - failback: `activate` the primary region, always `graceful`: the DR region serves and is healthy.
 * - drill: starts nothing (runbook/regionSwitch/drill.ts); its dry run shows the failover workflow it
 *   proves ready.
 */
import type { RunbookArguments } from "../arguments";
import { RunbookError } from "../errors";
import type { PlanStepSummary, PlanWorkflowSummary, RegionSwitchPlanSummary } from "./outputs";

/** An execution the runbook would start. */
export interface PlannedExecution {
  action: "activate";
  targetRegion: string;
  /** The other region: the one traffic leaves. */
  fromRegion: string;
  mode: "graceful" | "ungraceful";
  workflow: PlanWorkflowSummary;
}

/**
 * The workflow of the plan that activates `region`: the one whose targetRegion is `region`, else one
 * with no target region (ARC lets one activation workflow serve either region).
 * @throws RunbookError (exit 1) when the plan has none.
 */
export function activationWorkflow(plan: RegionSwitchPlanSummary, region: string, source: string): PlanWorkflowSummary {
  const activations = plan.workflows.filter((workflow) => workflow.targetAction === "activate");
  const found = activations.find((workflow) => workflow.targetRegion === region) ?? activations.find((workflow) => workflow.targetRegion === "");
  if (!found)
    throw new RunbookError(`The Region switch plan of ${source} has no workflow that activates ${region}: run pulumi up -s <dr stack>, or save fresh outputs.`);
  return found;
}

/** The execution a failover, failback or drill (the failover it proves) would start. */
export function plannedExecution(plan: RegionSwitchPlanSummary, args: Pick<RunbookArguments, "workflow" | "mode">, source: string): PlannedExecution {
  const failback = args.workflow === "failback";
  const targetRegion = failback ? plan.primaryRegion : plan.drRegion;
  return {
    action: "activate",
    targetRegion,
    fromRegion: failback ? plan.drRegion : plan.primaryRegion,
    mode: args.workflow === "failover" && args.mode === "unplanned" ? "ungraceful" : "graceful",
    workflow: activationWorkflow(plan, targetRegion, source),
  };
}

/** Workflows of other actions (the re-protection, `postRecovery`), for the notes of a dry run. */
export function otherWorkflows(plan: RegionSwitchPlanSummary): PlanWorkflowSummary[] {
  return plan.workflows.filter((workflow) => workflow.targetAction !== "activate");
}

function stepLine(label: string, step: PlanStepSummary): string {
  return `${label.padEnd(5)}${step.name.padEnd(28)} ${step.executionBlockType.padEnd(22)} ${step.description}`.trimEnd();
}

/** The steps as numbered lines, a Parallel step's children lettered under it (`2a.`, `2b.`). */
export function renderSteps(steps: readonly PlanStepSummary[]): string[] {
  return steps.flatMap((step, index) => [
    stepLine(`${index + 1}.`, step),
    ...(step.parallel ?? []).map((child, childIndex) => `  ${stepLine(`${index + 1}${String.fromCharCode(97 + childIndex)}.`, child)}`),
  ]);
}

/** Every step name in order, Parallel children after their parent, with their depth (0 top, 1 child). */
export function stepOrder(steps: readonly PlanStepSummary[]): { name: string; depth: number; executionBlockType: string }[] {
  return steps.flatMap((step) => [
    { name: step.name, depth: 0, executionBlockType: step.executionBlockType },
    ...(step.parallel ?? []).map((child) => ({ name: child.name, depth: 1, executionBlockType: child.executionBlockType })),
  ]);
}
