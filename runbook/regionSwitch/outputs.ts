/**
 * Which orchestrator the DR stack deployed, and the Region switch plan it exported.
 *
 * The DR stack exports `recoveryOrchestrator` (`step-functions` | `region-switch`) and, with
 * `region-switch`, `regionSwitchPlan` (shape `RegionSwitchPlanSummary`, the contract of issue 21):
 * plain data, so the runbook needs no Pulumi program to know the plan's ARN, regions and steps.
 *
 * The outputs come from `--outputs-file` (the JSON of `pulumi stack output --json --stack <dr>`,
 * saved while the state backend answered) or from the Pulumi CLI. The CLI is asked only when the stack
 * file declares `recovery.orchestrator: region-switch`: a Step Functions failover keeps working with
 * no state backend at all, as before.
 */
import * as path from "node:path";
import type { RegionSwitchPlanSummary as DeployedPlanSummary, StepSummary } from "../../recovery/regionSwitch/summary";
import { PROJECT_NAME } from "../../config/conventions";
import { readStackConfigFile } from "../../synth/stackFile";
import { RunbookError } from "../errors";
import { ROLE_ARN } from "./approver";

/** DR stack output naming the orchestrator. */
export const ORCHESTRATOR_OUTPUT = "recoveryOrchestrator";
/** DR stack output describing the Region switch plan. */
export const PLAN_OUTPUT = "regionSwitchPlan";

export type Orchestrator = "step-functions" | "region-switch";

/** One step of a workflow as the DR stack exports it (recovery/regionSwitch/summary.ts); `parallel` lists a Parallel step's children. */
export type PlanStepSummary = StepSummary;

/** One workflow of the plan, as read back: the action as any string the runbook then checks; `targetRegion` may be empty for a workflow that activates either region. */
export type PlanWorkflowSummary = Omit<DeployedPlanSummary["workflows"][number], "targetAction"> & { targetAction: string };

/**
 * The `regionSwitchPlan` output as the runbook reads it (the summary the DR stack writes,
 * recovery/regionSwitch/summary.ts): all but the health-check ids, which only the outage mode's config needs.
 * `approverRoleArn` is required when a workflow has a ManualApproval step; "" otherwise.
 */
export type RegionSwitchPlanSummary = Omit<DeployedPlanSummary, "healthCheckIds" | "workflows"> & { workflows: PlanWorkflowSummary[] };

/** Plan ARN pattern of the botocore model (`PlanArn`). */
export const PLAN_ARN = /^arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan\/([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?):([a-z0-9]{6})$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Where the outputs are read from, and how. */
export interface OutputsSource {
  stack: string;
  outputsFile?: string;
}

/** Reading the outputs: the Pulumi CLI and the file system, injected. */
export interface OutputsReaders {
  /** `pulumi stack output --json --stack <stack>`, parsed. */
  stackOutputs: (stack: string) => Promise<Record<string, unknown>>;
  readFile: (file: string) => string;
}

/** `--outputs-file <path>` or `stack <name>`, for messages. */
export function describeSource(source: OutputsSource): string {
  return source.outputsFile ?? `stack ${source.stack}`;
}

/**
 * `recovery.orchestrator` of `Pulumi.<stack>.yaml`, when the file exists and declares it.
 * @returns undefined when the file, the key or a readable value is missing.
 */
export function declaredOrchestrator(projectDirectory: string, stack: string): Orchestrator | undefined {
  let config: Record<string, string>;
  try {
    config = readStackConfigFile(path.join(projectDirectory, `Pulumi.${stack}.yaml`));
  } catch {
    return undefined;
  }
  try {
    const recovery = JSON.parse(config[`${PROJECT_NAME}:recovery`] ?? "null") as { orchestrator?: unknown } | null;
    const value = recovery?.orchestrator;
    return value === "region-switch" || value === "step-functions" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The DR stack's outputs from `--outputs-file` or the Pulumi CLI.
 * @throws RunbookError (exit 1) when they cannot be read or are not a JSON object, with the fix.
 */
export async function readDrOutputs(source: OutputsSource, readers: OutputsReaders): Promise<Record<string, unknown>> {
  const where = describeSource(source);
  const hint = source.outputsFile
    ? "Pass the JSON printed by pulumi stack output --json --stack <dr stack>."
    : `Log in to the state backend (pulumi login), or pass --outputs-file with the JSON of pulumi stack output --json --stack ${source.stack} saved earlier.`;
  let outputs: unknown;
  try {
    outputs = source.outputsFile ? JSON.parse(readers.readFile(source.outputsFile)) : await readers.stackOutputs(source.stack);
  } catch (error) {
    throw new RunbookError(`Cannot read the outputs of ${where} (${(error as Error).message}). ${hint}`);
  }
  if (!outputs || typeof outputs !== "object" || Array.isArray(outputs))
    throw new RunbookError(`Cannot read the outputs of ${where} (not a JSON object). ${hint}`);
  return outputs as Record<string, unknown>;
}

function text(value: unknown): value is string {
  return typeof value === "string";
}

function parseStep(value: unknown, where: string, problems: string[]): PlanStepSummary | undefined {
  const step = value as Partial<PlanStepSummary> | undefined;
  if (!step || typeof step !== "object" || !text(step.name) || step.name === "" || !text(step.executionBlockType)) {
    problems.push(`${where} needs a name and an executionBlockType`);
    return undefined;
  }
  const children = step.parallel === undefined ? undefined : Array.isArray(step.parallel) ? step.parallel : null;
  if (children === null) problems.push(`${where}.parallel must be a list`);
  const parallel = (children ?? []).map((child, index) => parseStep(child, `${where}.parallel[${index}]`, problems)).filter((child) => child !== undefined);
  return {
    name: step.name,
    executionBlockType: step.executionBlockType,
    description: text(step.description) ? step.description : "",
    ...(children ? { parallel } : {}),
  };
}

/**
 * Checks the `regionSwitchPlan` output.
 * @throws RunbookError (exit 1) naming every missing or malformed field.
 */
export function parseRegionSwitchPlan(value: unknown, source: string): RegionSwitchPlanSummary {
  const plan = value as Partial<RegionSwitchPlanSummary> | undefined;
  const problems: string[] = [];
  if (!plan || typeof plan !== "object") {
    throw new RunbookError(
      `The outputs of ${source} have no ${PLAN_OUTPUT}: deploy the DR stack (pulumi up -s <dr stack>) with recovery.orchestrator region-switch.`,
    );
  }
  if (!text(plan.arn) || !PLAN_ARN.test(plan.arn)) problems.push(`arn ${JSON.stringify(plan.arn)} is not a Region switch plan ARN`);
  for (const field of ["primaryRegion", "drRegion"] as const) if (!text(plan[field]) || !REGION.test(plan[field])) problems.push(`${field} is not a region`);
  if (plan.primaryRegion !== undefined && plan.primaryRegion === plan.drRegion) problems.push("primaryRegion and drRegion are the same region");
  if (typeof plan.approvalRequired !== "boolean") problems.push("approvalRequired is not a boolean");
  const workflows = Array.isArray(plan.workflows) ? plan.workflows : [];
  if (workflows.length === 0) problems.push("workflows is missing or empty");
  const parsed = workflows.map((workflow, index) => {
    const where = `workflows[${index}]`;
    if (!text(workflow?.targetAction) || (workflow.targetRegion !== undefined && !text(workflow.targetRegion)) || !Array.isArray(workflow.steps)) {
      problems.push(`${where} needs a targetAction, a targetRegion and steps`);
      return undefined;
    }
    const steps = workflow.steps.map((step, stepIndex) => parseStep(step, `${where}.steps[${stepIndex}]`, problems)).filter((step) => step !== undefined);
    return {
      targetAction: workflow.targetAction,
      targetRegion: workflow.targetRegion ?? "",
      description: text(workflow.description) ? workflow.description : "",
      steps,
    };
  });
  const approvals = parsed.some((workflow) =>
    (workflow?.steps ?? []).some((step) => [step, ...(step.parallel ?? [])].some((candidate) => candidate.executionBlockType === "ManualApproval")),
  );
  const role = plan.approverRoleArn;
  const roleGiven = text(role) && role !== "";
  if (roleGiven ? !ROLE_ARN.test(role) : approvals || (role !== undefined && !text(role)))
    problems.push(
      `approverRoleArn ${JSON.stringify(plan.approverRoleArn)} is not an IAM role ARN (the ManualApproval steps are approved with that role: redeploy the DR stack, which exports it)`,
    );
  if (problems.length > 0)
    throw new RunbookError(`Output ${PLAN_OUTPUT} of ${source} is not usable: ${problems.join("; ")}. Run pulumi up -s <dr stack>, or save fresh outputs.`);
  return {
    arn: plan.arn as string,
    name: text(plan.name) ? plan.name : "",
    primaryRegion: plan.primaryRegion as string,
    drRegion: plan.drRegion as string,
    approvalRequired: plan.approvalRequired as boolean,
    reportBucketName: text(plan.reportBucketName) ? plan.reportBucketName : "",
    approverRoleArn: text(plan.approverRoleArn) ? plan.approverRoleArn : "",
    workflows: parsed.filter((workflow) => workflow !== undefined),
  };
}

/** The orchestrator to drive, and for region-switch the plan and where it came from. */
export type OrchestratorChoice =
  { kind: "step-functions"; note?: string } | { kind: "region-switch"; plan: RegionSwitchPlanSummary; source: string; note?: string };

/**
 * Decides the orchestrator: the outputs' `recoveryOrchestrator` when they are read (always with
 * `--outputs-file`; through the Pulumi CLI when the stack file declares region-switch), else Step
 * Functions. A stack file that disagrees with the deployed outputs is reported in `note` (the deployed
 * stack is what runs).
 * @throws RunbookError (exit 1) for unreadable outputs, an unknown orchestrator, or an unusable plan.
 */
export async function chooseOrchestrator(source: OutputsSource, declared: Orchestrator | undefined, readers: OutputsReaders): Promise<OrchestratorChoice> {
  if (!source.outputsFile && declared !== "region-switch") return { kind: "step-functions" };
  const where = describeSource(source);
  const outputs = await readDrOutputs(source, readers);
  const deployed = outputs[ORCHESTRATOR_OUTPUT] ?? "step-functions";
  if (deployed !== "step-functions" && deployed !== "region-switch") {
    throw new RunbookError(`Output ${ORCHESTRATOR_OUTPUT} of ${where} is ${JSON.stringify(deployed)}: expected "step-functions" or "region-switch".`);
  }
  const note =
    declared !== undefined && declared !== deployed
      ? `the stack file declares recovery.orchestrator ${declared} but ${where} was deployed with ${deployed}: driving what is deployed (pulumi up -s ${source.stack} to change it)`
      : undefined;
  if (deployed === "step-functions") return { kind: "step-functions", ...(note ? { note } : {}) };
  return { kind: "region-switch", plan: parseRegionSwitchPlan(outputs[PLAN_OUTPUT], where), source: where, ...(note ? { note } : {}) };
}
