/**
 * Following a Region switch plan execution to its end: every `pollSeconds`, GetPlanExecution (state
 * and step states) and ListPlanExecutionEvents (one line per new event: a step started, succeeded,
 * failed, waits for approval ...), in the region that runs it. A step waiting for approval is put to
 * the operator (`decide`) and answered with ApprovePlanExecutionStep, signed as the plan's approver role.
 *
 * Following stops at a final state, and also when the execution is paused by a failed step (ARC waits
 * for a person to retry, skip or switch the step to ungraceful, or to cancel: ARC Developer Guide,
 * "Execute a Region switch plan"; API UpdatePlanExecutionStep) or when an approval is left pending:
 * the execution goes on without the runbook, and the result says what to do.
 */
import { awsErrorName, isAccessDenied, isCredentialsError, RunbookError } from "../errors";
import { formatDuration, formatElapsed, type Output } from "../output";
import type { TimelineRow } from "../timeline";
import type { ArcRegionSwitchClient } from "./client";
import {
  approvePlanExecutionStep,
  type ExecutionEvent,
  explainRegionSwitchError,
  FINAL_STATES,
  getPlanExecution,
  listPlanExecutionEvents,
  type PlanExecution,
} from "./operations";
import type { PlanStepSummary } from "./outputs";
import { stepOrder } from "./workflow";

/** The operator's answer to a step waiting for approval; `leave` stops following, the step still waiting. */
export type ApprovalDecision = "approve" | "decline" | "leave";

export interface FollowPlanOptions {
  client: ArcRegionSwitchClient;
  /**
   * The client that answers approvals: the same region, signed with the approver role's credentials
   * (runbook/regionSwitch/approver.ts; only that role may approve: ARC Developer Guide, "Manual approval execution block").
   */
  approver: ArcRegionSwitchClient;
  /** The approver role's ARN, for messages. */
  approverRoleArn: string;
  planArn: string;
  executionId: string;
  steps: readonly PlanStepSummary[];
  pollSeconds: number;
  sleep: (milliseconds: number) => Promise<void>;
  now: () => Date;
  output: Output;
  /** Asked once per step waiting for approval. */
  decide: (stepName: string) => Promise<ApprovalDecision>;
  /** Comment sent with an approval or a decline. */
  approvalComment: string;
  /** Polls in a row that may fail (throttling, network) before following gives up (default 5). */
  maxFailedPolls?: number;
}

/** Why following stopped. */
export type FollowEnd = "final" | "pausedByFailedStep" | "approvalLeftPending";

export interface FollowPlanResult {
  execution: PlanExecution;
  end: FollowEnd;
  /** The step left waiting for approval (end `approvalLeftPending`). */
  pendingStep?: string;
  /** Failed steps with their last error, from the events. */
  failures: { stepName: string; error: string }[];
  timeline: TimelineRow[];
}

const VERBS: Record<string, string> = {
  executionPending: "execution pending",
  executionStarted: "execution started",
  executionSucceeded: "execution succeeded",
  executionFailed: "execution FAILED",
  executionPausing: "execution pausing",
  executionPaused: "execution paused",
  executionCanceling: "execution canceling",
  executionCanceled: "execution canceled",
  executionPendingApproval: "execution waits for approval",
  executionBehaviorChangedToUngraceful: "execution switched to ungraceful",
  executionBehaviorChangedToGraceful: "execution switched to graceful",
  executionSuccessMonitoringApplicationHealth: "execution succeeded; monitoring the application's health",
  stepStarted: "started",
  stepUpdate: "update",
  stepSucceeded: "succeeded",
  stepFailed: "FAILED",
  stepSkipped: "skipped",
  stepPausedByError: "PAUSED by an error",
  stepPausedByOperator: "paused by an operator",
  stepCanceled: "canceled",
  stepPendingApproval: "waits for approval",
  stepExecutionBehaviorChangedToUngraceful: "switched to ungraceful",
  stepPendingApplicationHealthMonitor: "waits for the application health alarms",
  planEvaluationWarning: "plan evaluation warning",
};

/** One progress line: `+01:05  promote-database (RdsPromoteReadReplica) started: <description>`. */
export function eventLine(event: ExecutionEvent, startTime: Date): string {
  const when = event.timestamp ? formatElapsed(event.timestamp.getTime() - startTime.getTime()) : "+??:??";
  const subject = event.stepName ? `${event.stepName}${event.executionBlockType ? ` (${event.executionBlockType})` : ""} ` : "";
  const detail = [event.error, event.description].filter((part) => part && part !== "").join("; ");
  return `${when}  ${subject}${VERBS[event.type] ?? event.type}${detail ? `: ${detail}` : ""}`;
}

/**
 * The timeline from the step states, in the workflow's order (Parallel children at depth 1 under
 * their parent); steps the workflow does not list follow by start time. Steps never started are left out.
 */
export function planTimeline(execution: PlanExecution, steps: readonly PlanStepSummary[], endDate: Date): TimelineRow[] {
  const order = stepOrder(steps);
  const known = new Map(order.map((step, index) => [step.name, index]));
  const started = execution.stepStates.filter((state) => state.startTime);
  started.sort((a, b) => (known.get(a.name) ?? order.length) - (known.get(b.name) ?? order.length) || a.startTime!.getTime() - b.startTime!.getTime());
  return started.map((state) => {
    const start = state.startTime!.getTime();
    const end = (state.endTime ?? execution.endTime ?? endDate).getTime();
    const label = state.status === "completed" || state.status === "failed" || state.status === "running" ? state.name : `${state.name} (${state.status})`;
    return {
      step: label,
      depth: order[known.get(state.name) ?? -1]?.depth ?? 0,
      start: start - execution.startTime.getTime(),
      duration: Math.max(0, end - start),
      failed: state.status === "failed",
      visits: 1,
    };
  });
}

/** The indicator: `[inProgress +05:12] step 3 of 5: shift-traffic`. */
export function planProgressText(execution: PlanExecution, steps: readonly PlanStepSummary[], now: Date): string {
  const running = execution.stepStates.filter((state) => state.status === "running" || state.status === "pendingApproval");
  const top = steps.findIndex((step) => running.some((state) => state.name === step.name || (step.parallel ?? []).some((child) => child.name === state.name)));
  const position = top >= 0 ? `step ${top + 1} of ${steps.length}: ${running.map((state) => state.name).join(", ")}` : "between steps";
  return `[${execution.executionState} ${formatElapsed(now.getTime() - execution.startTime.getTime())}] ${position}`;
}

/**
 * Polls the execution until it ends, pauses on a failed step, or an approval is left pending.
 * @throws RunbookError (exit 1) for missing or rejected credentials, AccessDenied (naming the
 *   operation), or `maxFailedPolls` failed polls in a row (the region stopped answering); the
 *   execution goes on in every case, and the message says so.
 */
export async function followPlanExecution(options: FollowPlanOptions): Promise<FollowPlanResult> {
  const { client, planArn, executionId, output } = options;
  const maxFailedPolls = options.maxFailedPolls ?? 5;
  const seen = new Set<string>();
  const asked = new Set<string>();
  const failures = new Map<string, string>();
  let failedPolls = 0;
  const keepsRunning = `The execution keeps running: ${executionId} (plan ${planArn}, ${client.region}).`;
  for (;;) {
    let execution: PlanExecution;
    let fresh: ExecutionEvent[];
    let operation = "GetPlanExecution";
    try {
      execution = await getPlanExecution(client, planArn, executionId);
      operation = "ListPlanExecutionEvents";
      const events = await listPlanExecutionEvents(client, planArn, executionId);
      fresh = events.filter((event) => !seen.has(event.eventId));
      failedPolls = 0;
    } catch (error) {
      if (isCredentialsError(error) || isAccessDenied(error)) {
        const explained = explainRegionSwitchError(error, { operation, resource: planArn, region: client.region });
        throw new RunbookError(`${explained.message}\n${keepsRunning}`);
      }
      failedPolls += 1;
      const reason = `${awsErrorName(error) ?? "Error"}: ${(error as Error).message}`;
      if (failedPolls >= maxFailedPolls) throw new RunbookError(`Lost track of the execution after ${failedPolls} failed polls (${reason}). ${keepsRunning}`);
      output.error(`Poll ${failedPolls} of ${maxFailedPolls} failed (${reason}); retrying in ${options.pollSeconds} s`);
      await options.sleep(options.pollSeconds * 1000);
      continue;
    }
    fresh.sort((a, b) => (a.timestamp?.getTime() ?? 0) - (b.timestamp?.getTime() ?? 0));
    for (const event of fresh) {
      seen.add(event.eventId);
      if (event.type === "stepFailed" || event.type === "stepPausedByError")
        failures.set(event.stepName ?? "execution", event.error ?? event.description ?? "");
      output.line(eventLine(event, execution.startTime));
    }
    const result = (end: FollowEnd, pendingStep?: string): FollowPlanResult => ({
      execution,
      end,
      ...(pendingStep ? { pendingStep } : {}),
      failures: [...failures].map(([stepName, error]) => ({ stepName, error })),
      timeline: planTimeline(execution, options.steps, options.now()),
    });
    if (FINAL_STATES.has(execution.executionState)) return result("final");
    if (execution.executionState === "pausedByFailedStep") return result("pausedByFailedStep");

    for (const step of execution.stepStates.filter((state) => state.status === "pendingApproval" && !asked.has(state.name))) {
      asked.add(step.name);
      const decision = await options.decide(step.name);
      if (decision === "leave") return result("approvalLeftPending", step.name);
      try {
        await approvePlanExecutionStep(options.approver, { planArn, executionId, stepName: step.name, approval: decision, comment: options.approvalComment });
      } catch (error) {
        const explained = explainRegionSwitchError(error, {
          operation: "ApprovePlanExecutionStep",
          resource: `step ${step.name} of ${executionId} (as the approver role ${options.approverRoleArn})`,
          region: client.region,
        });
        throw new RunbookError(`${explained.message}\nThe step still waits for approval. ${keepsRunning}`);
      }
      output.line(
        `${formatElapsed(options.now().getTime() - execution.startTime.getTime())}  ${step.name} ${decision === "approve" ? "APPROVED" : "DECLINED"} by the runbook`,
      );
    }
    output.progress(planProgressText(execution, options.steps, options.now()));
    await options.sleep(options.pollSeconds * 1000);
  }
}

/** `PT12M30S` as `12:30`; other text as it is. */
export function formatIsoDuration(duration: string): string {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match) return duration;
  const [, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  return formatDuration((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
}
