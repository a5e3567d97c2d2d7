/**
 * The ARC Region switch data-plane operations the runbook uses, typed as the botocore model
 * `arc-region-switch` 2022-07-26 gives them (members the runbook reads only), and the translation
 * of their errors into what an operator should do.
 */
import { EXIT, explainAwsError, RunbookError } from "../errors";
import { type ArcRegionSwitchClient, RegionUnreachableError, timestampOf } from "./client";

/** ExecutionState (model enum). */
export type ExecutionState =
  | "inProgress"
  | "pausedByFailedStep"
  | "pausedByOperator"
  | "completed"
  | "completedWithExceptions"
  | "canceled"
  | "planExecutionTimedOut"
  | "pendingManualApproval"
  | "failed"
  | "pending"
  | "completedMonitoringApplicationHealth";

/** States after which nothing more happens. */
export const FINAL_STATES: ReadonlySet<string> = new Set([
  "completed",
  "completedWithExceptions",
  "canceled",
  "planExecutionTimedOut",
  "failed",
  "completedMonitoringApplicationHealth",
]);
/** Final states of an execution that did what it was started for (completedMonitoringApplicationHealth: every step completed; ARC now watches the application's health alarms). */
export const SUCCEEDED_STATES: ReadonlySet<string> = new Set(["completed", "completedMonitoringApplicationHealth"]);
/** States of an execution that still holds the plan (not final). */
export const ACTIVE_STATES: ReadonlySet<string> = new Set(["inProgress", "pending", "pendingManualApproval", "pausedByFailedStep", "pausedByOperator"]);

/** StepState (model): one step's status in GetPlanExecution. */
export interface StepState {
  name: string;
  status: string;
  startTime?: Date;
  endTime?: Date;
}

/** GetPlanExecution's answer, merged over its pages of step states. */
export interface PlanExecution {
  executionId: string;
  executionState: string;
  executionAction: string;
  executionRegion: string;
  mode: string;
  startTime: Date;
  endTime?: Date;
  stepStates: StepState[];
  /** ISO 8601 duration ARC computed, e.g. `PT12M30S`. */
  actualRecoveryTime?: string;
  /** S3 object keys of the execution reports, or the report failure. */
  reports: string[];
}

/** ExecutionEvent (model). */
export interface ExecutionEvent {
  eventId: string;
  timestamp?: Date;
  type: string;
  stepName?: string;
  executionBlockType?: string;
  error?: string;
  description?: string;
}

/** AbbreviatedExecution (model). */
export interface ExecutionSummary {
  executionId: string;
  executionState: string;
  executionAction: string;
  executionRegion: string;
  mode: string;
  startTime?: Date;
  actualRecoveryTime?: string;
}

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);

/** Pages of an operation whose answer has `nextToken`: every item of `key`, all pages. */
async function allPages(
  client: ArcRegionSwitchClient,
  operation: "GetPlanExecution" | "ListPlanExecutionEvents" | "GetPlanEvaluationStatus" | "ListRoute53HealthChecksInRegion",
  input: Record<string, unknown>,
  key: string,
): Promise<{ first: Record<string, unknown>; items: Record<string, unknown>[] }> {
  let first: Record<string, unknown> | undefined;
  const items: Record<string, unknown>[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(operation, { ...input, ...(nextToken ? { nextToken } : {}) });
    first ??= page;
    items.push(...list(page[key]));
    nextToken = str(page.nextToken);
  } while (nextToken);
  return { first: first ?? {}, items };
}

/** StartPlanExecution. @returns the execution's id (`<region>/<16 hex digits>`). */
export async function startPlanExecution(
  client: ArcRegionSwitchClient,
  request: { planArn: string; targetRegion: string; action: "activate"; mode: "graceful" | "ungraceful"; comment: string },
): Promise<string> {
  const answer = await client.send("StartPlanExecution", { ...request });
  const executionId = str(answer.executionId);
  if (!executionId) throw new RunbookError(`StartPlanExecution of ${request.planArn} in ${client.region} returned no executionId`);
  return executionId;
}

/** GetPlanExecution, every page of its step states (100 a page, the model's maximum). */
export async function getPlanExecution(client: ArcRegionSwitchClient, planArn: string, executionId: string): Promise<PlanExecution> {
  const { first, items } = await allPages(client, "GetPlanExecution", { planArn, executionId, maxResults: 100 }, "stepStates");
  const state = str(first.executionState);
  if (!state) throw new Error("GetPlanExecution returned no executionState");
  const reports = list(first.generatedReportDetails).flatMap((report) => {
    const output = (report.reportOutput ?? {}) as {
      s3ReportOutput?: { s3ObjectKey?: string };
      failedReportOutput?: { errorCode?: string; errorMessage?: string };
    };
    if (output.s3ReportOutput?.s3ObjectKey) return [output.s3ReportOutput.s3ObjectKey];
    if (output.failedReportOutput)
      return [`report failed: ${output.failedReportOutput.errorCode ?? ""} ${output.failedReportOutput.errorMessage ?? ""}`.trim()];
    return [];
  });
  const endTime = timestampOf(first.endTime);
  const actualRecoveryTime = str(first.actualRecoveryTime);
  return {
    executionId,
    executionState: state,
    executionAction: str(first.executionAction) ?? "",
    executionRegion: str(first.executionRegion) ?? client.region,
    mode: str(first.mode) ?? "",
    startTime: timestampOf(first.startTime) ?? new Date(0),
    ...(endTime ? { endTime } : {}),
    stepStates: items.map((step) => {
      const start = timestampOf(step.startTime);
      const end = timestampOf(step.endTime);
      return { name: str(step.name) ?? "", status: str(step.status) ?? "", ...(start ? { startTime: start } : {}), ...(end ? { endTime: end } : {}) };
    }),
    ...(actualRecoveryTime ? { actualRecoveryTime } : {}),
    reports,
  };
}

/** ListPlanExecutionEvents, every page (100 a page). */
export async function listPlanExecutionEvents(client: ArcRegionSwitchClient, planArn: string, executionId: string): Promise<ExecutionEvent[]> {
  const { items } = await allPages(client, "ListPlanExecutionEvents", { planArn, executionId, maxResults: 100 }, "items");
  return items.map((item) => {
    const timestamp = timestampOf(item.timestamp);
    const optional = (field: string) => (str(item[field]) ? { [field]: str(item[field]) } : {});
    return {
      eventId: str(item.eventId) ?? "",
      type: str(item.type) ?? "unknown",
      ...(timestamp ? { timestamp } : {}),
      ...optional("stepName"),
      ...optional("executionBlockType"),
      ...optional("error"),
      ...optional("description"),
    };
  });
}

/** ListPlanExecutions, the newest page only (up to `maxResults`). */
export async function listPlanExecutions(client: ArcRegionSwitchClient, planArn: string, maxResults = 20): Promise<ExecutionSummary[]> {
  const answer = await client.send("ListPlanExecutions", { planArn, maxResults });
  return executionSummaries(answer.items);
}

/** Pages a ListPlanExecutions request may take before the runbook gives up (the API's default page holds many executions). */
export const MAX_EXECUTION_PAGES = 50;

/**
 * Every execution of the plan in one of `ACTIVE_STATES`: one ListPlanExecutions per state with the API's `state` filter,
 * each followed through `nextToken` (botocore arc-region-switch 2022-07-26, ListPlanExecutionsRequest `state` and
 * `nextToken`: "Valid only if you received a nextToken response in the previous request"), so no running execution is
 * missed behind a page of finished ones.
 * @throws Error when a state's listing goes past `MAX_EXECUTION_PAGES` pages (a token that never ends).
 */
export async function listActiveExecutions(client: ArcRegionSwitchClient, planArn: string): Promise<ExecutionSummary[]> {
  const found: ExecutionSummary[] = [];
  for (const state of ACTIVE_STATES) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      if (++pages > MAX_EXECUTION_PAGES) throw new Error(`ListPlanExecutions (state ${state}) returned more than ${MAX_EXECUTION_PAGES} pages`);
      const answer = await client.send("ListPlanExecutions", { planArn, state, ...(nextToken ? { nextToken } : {}) });
      found.push(...executionSummaries(answer.items).filter((execution) => execution.executionState === state));
      nextToken = str(answer.nextToken);
    } while (nextToken);
  }
  return found;
}

function executionSummaries(items: unknown): ExecutionSummary[] {
  return list(items).map((item) => {
    const startTime = timestampOf(item.startTime);
    const actualRecoveryTime = str(item.actualRecoveryTime);
    return {
      executionId: str(item.executionId) ?? "",
      executionState: str(item.executionState) ?? "",
      executionAction: str(item.executionAction) ?? "",
      executionRegion: str(item.executionRegion) ?? "",
      mode: str(item.mode) ?? "",
      ...(startTime ? { startTime } : {}),
      ...(actualRecoveryTime ? { actualRecoveryTime } : {}),
    };
  });
}

/** ApprovePlanExecutionStep. */
export async function approvePlanExecutionStep(
  client: ArcRegionSwitchClient,
  request: { planArn: string; executionId: string; stepName: string; approval: "approve" | "decline"; comment: string },
): Promise<void> {
  await client.send("ApprovePlanExecutionStep", { ...request });
}

/** GetPlanInRegion: the plan as the region's own data plane holds it. */
export async function getPlanInRegion(
  client: ArcRegionSwitchClient,
  arn: string,
): Promise<{ version?: string; regions: string[]; primaryRegion?: string; workflows: { targetAction: string; targetRegion: string; steps: string[] }[] }> {
  const answer = await client.send("GetPlanInRegion", { arn });
  const plan = (answer.plan ?? {}) as Record<string, unknown>;
  return {
    ...(str(plan.version) ? { version: str(plan.version) } : {}),
    regions: Array.isArray(plan.regions) ? plan.regions.filter((region): region is string => typeof region === "string") : [],
    ...(str(plan.primaryRegion) ? { primaryRegion: str(plan.primaryRegion) } : {}),
    workflows: list(plan.workflows).map((workflow) => ({
      targetAction: str(workflow.workflowTargetAction) ?? "",
      targetRegion: str(workflow.workflowTargetRegion) ?? "",
      steps: list(workflow.steps).map((step) => str(step.name) ?? ""),
    })),
  };
}

/** GetPlanEvaluationStatus: ARC's own evaluation of the plan (IAM, resources, capacity), every page of warnings. */
export async function getPlanEvaluationStatus(
  client: ArcRegionSwitchClient,
  planArn: string,
): Promise<{ evaluationState: string; lastEvaluationTime?: Date; warnings: { stepName?: string; resourceArn?: string; status: string; message: string }[] }> {
  const { first, items } = await allPages(client, "GetPlanEvaluationStatus", { planArn }, "warnings");
  const lastEvaluationTime = timestampOf(first.lastEvaluationTime);
  return {
    evaluationState: str(first.evaluationState) ?? "unknown",
    ...(lastEvaluationTime ? { lastEvaluationTime } : {}),
    warnings: items.map((warning) => ({
      ...(str(warning.stepName) ? { stepName: str(warning.stepName) } : {}),
      ...(str(warning.resourceArn) ? { resourceArn: str(warning.resourceArn) } : {}),
      status: str(warning.warningStatus) ?? "active",
      message: str(warning.warningMessage) ?? "",
    })),
  };
}

/** ListRoute53HealthChecksInRegion: the health checks the plan's Route53HealthCheck blocks created, every page. */
export async function listRoute53HealthChecksInRegion(
  client: ArcRegionSwitchClient,
  arn: string,
): Promise<{ healthCheckId: string; recordName: string; status: string; region: string }[]> {
  const { items } = await allPages(client, "ListRoute53HealthChecksInRegion", { arn }, "healthChecks");
  return items.map((check) => ({
    healthCheckId: str(check.healthCheckId) ?? "",
    recordName: str(check.recordName) ?? "",
    status: str(check.status) ?? "unknown",
    region: str(check.region) ?? "",
  }));
}

/**
 * Turns an error of an ARC Region switch call into the operator's next step:
 * - the region does not answer -> say so, and what it means for this command; exit 1;
 * - ResourceNotFoundException -> the plan (or execution) is not in that region; exit 1;
 * - IllegalStateException on a start -> the plan refuses a new execution (another one holds it); exit 3;
 * - credentials, AccessDeniedException and the rest -> `explainAwsError`, naming `arc-region-switch:<Operation>`.
 */
export function explainRegionSwitchError(error: unknown, context: { operation: string; resource: string; region: string; regionRole?: string }): RunbookError {
  if (error instanceof RunbookError) return error;
  const role = context.regionRole ? ` (${context.regionRole})` : "";
  if (error instanceof RegionUnreachableError) {
    return new RunbookError(
      `ARC Region switch in ${context.region}${role} did not answer ${context.operation}: ${error.reason}. ` +
        "Check your network and the AWS Health Dashboard for the region; the call is regional by design (the plan runs from the region being activated).",
    );
  }
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "ResourceNotFoundException") {
    return new RunbookError(
      `${context.resource} was not found by ARC Region switch in ${context.region}${role} (${message}): the DR stack may not be deployed with ` +
        "recovery.orchestrator region-switch, or the outputs are stale (pulumi up -s <dr stack>, or save fresh outputs for --outputs-file).",
    );
  }
  if (name === "IllegalStateException" && context.operation === "StartPlanExecution") {
    return new RunbookError(
      `ARC Region switch refused to start ${context.resource} in ${context.region}: ${message}. Another execution of the plan is most likely ` +
        "in progress or paused; follow it or cancel it in the ARC console (Region switch, Executions) before starting another. Nothing was started.",
      EXIT.alreadyRunning,
    );
  }
  return explainAwsError(error, { action: `arc-region-switch:${context.operation}`, resource: context.resource, region: context.region });
}
