/**
 * `npm run failover|failback|drill` when the DR stack's orchestrator is ARC Region switch: starts an
 * execution of the plan in the region being activated and follows it to the end (failover and
 * failback), or runs the read-only readiness drill (drill.ts), or prints what it would do (`--dry-run`,
 * no AWS call: the plan's steps come from the `regionSwitchPlan` output).
 *
 * A start: GetPlanInRegion (the plan is there), ListPlanExecutions (none in progress: exit 3), the
 * typed confirmation, StartPlanExecution (`activate`, the target region, `ungraceful` for an unplanned
 * failover, `graceful` otherwise), then follow.ts. Every call goes to the target region's data plane
 * (endpoint.ts): none needs the primary region or us-east-1's control plane.
 *
 * Approvals: a ManualApproval step is put to the operator, who types "approve" or "decline"; with
 * `--yes` (the start confirmed on the command line) the runbook approves the execution it started. The
 * answer is sent as the plan's approver role (`approverRoleArn`, assumed through STS in the activating
 * region: approver.ts), which the runbook assumes once BEFORE the start: an operator who cannot assume it is
 * refused with nothing started, rather than leaving an execution waiting at an approval nobody at hand can give.
 *
 * Exit codes as runbook/errors.ts: 0 completed (or dry run, or drill ready); 1 refused, nothing started;
 * 2 failed, canceled, timed out, completed with exceptions, paused at a failed step, an approval left
 * pending (or drill not ready); 3 another execution is in progress.
 */
import type { STSClient } from "@aws-sdk/client-sts";
import { ArgumentError, type RunbookArguments } from "../arguments";
import { askForPhrase, confirmationPhrase, needsConfirmation, requireConfirmationPossible } from "../confirm";
import { startCommand } from "../dryRun";
import { EXIT, isAccessDenied, RunbookError } from "../errors";
import { formatDuration, type Output } from "../output";
import type { StackSettings } from "../stack";
import { renderTimeline } from "../timeline";
import { approverCredentials, approverSessionName } from "./approver";
import type { ArcRegionSwitchClient } from "./client";
import { readinessDrill } from "./drill";
import { dataPlaneEndpoint } from "./endpoint";
import { type ApprovalDecision, followPlanExecution, type FollowPlanResult, formatIsoDuration } from "./follow";
import { explainRegionSwitchError, getPlanInRegion, listActiveExecutions, startPlanExecution, SUCCEEDED_STATES } from "./operations";
import type { OutputsReaders, PlanStepSummary, RegionSwitchPlanSummary } from "./outputs";
import { otherWorkflows, type PlannedExecution, plannedExecution, renderSteps, stepOrder } from "./workflow";

/** What the Region switch path needs besides the runbook's own dependencies. */
export interface RegionSwitchServices extends OutputsReaders {
  /** A client of the region's ARC Region switch data plane. */
  client: (region: string) => ArcRegionSwitchClient;
}

/** The runbook's dependencies the Region switch path uses. */
export interface RegionSwitchContext {
  plan: RegionSwitchPlanSummary;
  /** Where the plan came from (`--outputs-file` path or `stack <name>`). */
  source: string;
  settings: StackSettings;
  services: RegionSwitchServices;
  output: Output;
  interactive: boolean;
  prompt: (question: string) => Promise<string>;
  now: () => Date;
  sleep: (milliseconds: number) => Promise<void>;
  /** The runbook's SDK clients of a region (runbook/cli.ts `RunbookDependencies.clients`): its STS client assumes the approver role. */
  clients: (region: string) => { sts: STSClient };
}

/**
 * Refuses options that have no meaning with Region switch.
 * @throws ArgumentError (exit 1).
 */
export function checkRegionSwitchArguments(args: RunbookArguments, plan: RegionSwitchPlanSummary): void {
  if (args.force) {
    throw new ArgumentError(
      "--force applies to the Step Functions workflows (it skips their replica checks); this DR stack runs ARC Region switch, whose plan has no such check to skip. " +
        "For an impaired primary use failover --unplanned (an ungraceful execution).",
    );
  }
  if (args.stateMachineArn)
    throw new ArgumentError(
      "--state-machine-arn applies to the Step Functions workflows; this DR stack runs ARC Region switch (its plan comes from the stack outputs)",
    );
  if (args.region && args.region !== plan.drRegion) {
    throw new ArgumentError(
      `--region ${args.region} contradicts the Region switch plan, whose DR region is ${plan.drRegion}: drop --region or point --stack/--outputs-file at the right DR stack`,
    );
  }
}

function approvalSteps(steps: readonly PlanStepSummary[]): string[] {
  return stepOrder(steps)
    .filter((step) => step.executionBlockType === "ManualApproval")
    .map((step) => step.name);
}

function commandWithOutputs(args: RunbookArguments): string {
  return `${startCommand(args)}${args.outputsFile ? ` --outputs-file ${args.outputsFile}` : ""}`;
}

/** The dry run: no AWS call; the plan and steps from the outputs. @returns 0. */
export function regionSwitchDryRun(args: RunbookArguments, planned: PlannedExecution, context: RegionSwitchContext): number {
  const { output, plan } = context;
  const row = (label: string, value: string) => output.line(`  ${label.padEnd(15)} ${value}`);
  output.line("DRY RUN: nothing will be started, and no AWS call is made.");
  row("workflow", `${args.workflow}${args.mode ? `, ${args.mode}` : ""}`);
  row("orchestrator", `ARC Region switch (output recoveryOrchestrator of ${context.source})`);
  row("plan", `${plan.name} ${plan.arn}`);
  row("regions", `primary ${plan.primaryRegion}, DR ${plan.drRegion}`);
  if (args.workflow === "drill") {
    row("calls", `GetPlanInRegion, GetPlanEvaluationStatus, ListRoute53HealthChecksInRegion, ListPlanExecutions: read-only, in ${plan.drRegion}`);
    row("sent to", `${dataPlaneEndpoint(plan.drRegion)} (the DR region's data plane)`);
    row("traffic", "none moves: the drill only proves the failover below can start from the DR region now");
  } else {
    row("execution", `StartPlanExecution action ${planned.action}, targetRegion ${planned.targetRegion}, mode ${planned.mode}`);
    row("sent to", `${dataPlaneEndpoint(planned.targetRegion)} (the data plane of ${planned.targetRegion}, the region being activated)`);
    const approvals = approvalSteps(planned.workflow.steps);
    row(
      "approval",
      approvals.length > 0 ? `the execution waits at ${approvals.join(", ")}: type "approve" when asked (--yes approves)` : "none in this workflow",
    );
    row("confirmation", args.yes ? "--yes given" : `type "${confirmationPhrase(args)}" at the prompt, or pass --yes`);
    row(
      "RTO",
      `${formatDuration(context.settings.rtoSeconds * 1000)} (${context.settings.rtoSource}); the plan's objective: ${Math.ceil(context.settings.rtoSeconds / 60)} minutes`,
    );
    if (plan.reportBucketName) row("report", `execution reports to s3://${plan.reportBucketName}`);
    if (args.workflow === "failback")
      row("before", `${planned.targetRegion} must hold a replica of the DR database again (npm run reprotect), or its promotion step fails`);
  }
  output.line("");
  const workflow = planned.workflow;
  output.line(
    `Steps of the workflow "${workflow.targetAction} ${planned.targetRegion}"${workflow.description ? ` (${workflow.description})` : ""}${args.workflow === "drill" ? ", which the drill proves ready" : ""}:`,
  );
  for (const line of renderSteps(workflow.steps)) output.line(`  ${line}`);
  if (planned.mode === "ungraceful") {
    // "In ungraceful execution mode, Region switch skips the Lambda execution block step" (ARC Developer Guide, "Custom action Lambda execution block").
    const skipped = stepOrder(workflow.steps)
      .filter((step) => step.executionBlockType === "CustomActionLambda")
      .map((step) => step.name);
    output.line("  Ungraceful: ARC changes or skips the steps whose blocks have an ungraceful behaviour (the plan's configuration).");
    if (skipped.length > 0)
      output.line(
        `  Skipped when ungraceful: ${skipped.join(", ")} (Lambda steps): the promotion does not wait for the old writer to stop; writes it took that the replica had not replayed are lost.`,
      );
  }
  for (const other of otherWorkflows(plan)) {
    output.line("");
    output.line(
      `Also in the plan: "${other.targetAction}${other.targetRegion ? ` ${other.targetRegion}` : ""}"${other.description ? ` (${other.description})` : ""}:`,
    );
    for (const line of renderSteps(other.steps)) output.line(`  ${line}`);
  }
  output.line("");
  output.line(`To start it: ${commandWithOutputs(args)}`);
  return EXIT.succeeded;
}

async function decideApproval(args: RunbookArguments, context: RegionSwitchContext, stepName: string): Promise<ApprovalDecision> {
  if (args.yes) {
    context.output.line(`Approving ${stepName}: --yes confirmed this ${args.workflow} on the command line.`);
    return "approve";
  }
  const answer = (
    await context.prompt(
      `Step "${stepName}" waits for approval. Type "approve" to go on, "decline" to stop the ${args.workflow} (anything else leaves it waiting): `,
    )
  ).trim();
  return answer === "approve" ? "approve" : answer === "decline" ? "decline" : "leave";
}

/** The closing lines: state, time against the RTO, ARC's recovery time, reports, and what to do next. */
export function renderPlanOutcome(args: RunbookArguments, planned: PlannedExecution, result: FollowPlanResult, context: RegionSwitchContext): string[] {
  const { execution } = result;
  const { plan } = context;
  const cli = `aws arc-region-switch`;
  const ids = `--plan-arn ${plan.arn} --execution-id ${execution.executionId} --region ${execution.executionRegion}`;
  const total = (execution.endTime ?? context.now()).getTime() - execution.startTime.getTime();
  const rto = context.settings.rtoSeconds * 1000;
  const succeeded = result.end === "final" && SUCCEEDED_STATES.has(execution.executionState);
  const verdict = !succeeded
    ? "not recovered"
    : total <= rto
      ? `within the RTO, ${formatDuration(rto - total)} to spare`
      : `OVER the RTO by ${formatDuration(total - rto)}`;
  const lines = [
    `Status:      ${execution.executionState}${result.end === "final" ? "" : " (the execution is not over)"}`,
    `Total time:  ${formatDuration(total)} against an RTO of ${formatDuration(rto)} (${context.settings.rtoSource}): ${verdict}`,
  ];
  if (execution.actualRecoveryTime) lines.push(`ARC recovery time: ${formatIsoDuration(execution.actualRecoveryTime)}`);
  for (const report of execution.reports) lines.push(`Report:      ${report.startsWith("report failed") ? report : `s3://${plan.reportBucketName}/${report}`}`);
  for (const failure of result.failures) lines.push(`Failed step: ${failure.stepName}${failure.error ? `: ${failure.error}` : ""}`);
  if (result.end === "pausedByFailedStep") {
    const step = result.failures.at(-1)?.stepName ?? "<step>";
    lines.push(
      "The execution is PAUSED at the failed step. In the ARC console (Region switch, the plan, this execution) retry the step, skip it, or switch it to ungraceful; or cancel the execution.",
      `  ${cli} update-plan-execution-step ${ids} --step-name ${step} --action-to-take skip --comment "<why>"`,
      `  ${cli} cancel-plan-execution ${ids}`,
    );
  } else if (result.end === "approvalLeftPending") {
    lines.push(
      `The execution waits at ${result.pendingStep} for approval. Approve it in the ARC console, or:`,
      `  ${cli} approve-plan-execution-step ${ids} --step-name ${result.pendingStep} --approval approve`,
    );
  } else if (succeeded && args.workflow === "failover") {
    lines.push(
      `Traffic is now served from ${planned.targetRegion}. To return it to ${planned.fromRegion}: re-protect ${planned.fromRegion} once it is back ` +
        '(npm run reprotect: a cross-region replica of the promoted database; docs/runbook.md, "Failback"), then npm run failback.',
    );
  }
  return lines;
}

/**
 * The data-plane client of `region` signed as the plan's approver role, the role assumed once now (approver.ts).
 * @throws RunbookError (exit 1) naming the role when the output has none or it cannot be assumed; `consequence` ends the message.
 */
export async function approverClient(
  args: Pick<RunbookArguments, "workflow">,
  context: Pick<RegionSwitchContext, "plan" | "clients" | "now">,
  client: ArcRegionSwitchClient,
  region: string,
  consequence: string,
): Promise<ArcRegionSwitchClient> {
  const roleArn = context.plan.approverRoleArn;
  if (!roleArn) throw new RunbookError(`The plan's output has no approverRoleArn, the role its ManualApproval steps are approved with. ${consequence}`);
  const credentials = approverCredentials({
    sts: context.clients(region).sts,
    region,
    roleArn,
    sessionName: approverSessionName(args.workflow),
    now: context.now,
  });
  try {
    await credentials();
  } catch (error) {
    throw error instanceof RunbookError ? new RunbookError(`${error.message} ${consequence}`, error.exitCode) : error;
  }
  return client.withCredentials(credentials);
}

/**
 * Runs failover, failback or drill through the Region switch plan.
 * @returns the exit code (see the module comment).
 * @throws RunbookError for refusals (exit 1 or 3), before anything is started when it says so.
 */
export async function runRegionSwitch(args: RunbookArguments, context: RegionSwitchContext): Promise<number> {
  const { plan, output } = context;
  checkRegionSwitchArguments(args, plan);
  const planned = plannedExecution(plan, args, context.source);
  if (args.dryRun) return regionSwitchDryRun(args, planned, context);
  requireConfirmationPossible(args, context.interactive);
  const client = context.services.client(planned.targetRegion);
  if (args.workflow === "drill")
    return readinessDrill(plan, context.source, client, output, context.now, async () => {
      await approverClient(args, context, client, planned.targetRegion, "The drill starts nothing.");
      return `${plan.approverRoleArn} assumed through STS in ${planned.targetRegion}`;
    });

  const regionRole = `the region ${args.workflow === "failover" ? "failover" : "failback"} activates`;
  const explain = (operation: string, error: unknown) =>
    explainRegionSwitchError(error, { operation, resource: `Region switch plan ${plan.arn}`, region: planned.targetRegion, regionRole });
  let version: string | undefined;
  try {
    version = (await getPlanInRegion(client, plan.arn)).version;
  } catch (error) {
    throw explain("GetPlanInRegion", error);
  }
  try {
    const running = await listActiveExecutions(client, plan.arn);
    if (running.length > 0) {
      const first = running[0];
      throw new RunbookError(
        `Another execution of the plan is ${first.executionState} in ${planned.targetRegion}: ${first.executionId} (${first.executionAction} ${first.executionRegion}, ` +
          `since ${first.startTime?.toISOString() ?? "?"}).\nNothing was started. Follow or cancel it in the ARC console (Region switch, Executions) first.`,
        EXIT.alreadyRunning,
      );
    }
  } catch (error) {
    // Advisory, as for Step Functions: StartPlanExecution refuses a second execution itself.
    if (!isAccessDenied(error)) throw explain("ListPlanExecutions", error);
  }

  // The approver role, assumed now: refused here, nothing has started (module comment).
  const approvals = approvalSteps(planned.workflow.steps);
  const approver =
    approvals.length > 0
      ? await approverClient(args, context, client, planned.targetRegion, `The ${args.workflow} waits at ${approvals.join(", ")}; nothing was started.`)
      : client;
  if (approvals.length > 0) output.line(`Approvals will be sent as ${plan.approverRoleArn} (assumed through STS in ${planned.targetRegion}).`);

  if (needsConfirmation(args)) {
    const what = args.workflow === "failover" ? `FAILOVER (${args.mode})` : "FAILBACK";
    output.line(`${what} with ARC Region switch: activates ${planned.targetRegion} (${planned.mode}); traffic leaves ${planned.fromRegion}.`);
    output.line(`  plan      ${plan.arn} (version ${version ?? "?"} in ${planned.targetRegion})`);
    output.line(
      `  steps     ${stepOrder(planned.workflow.steps)
        .map((step) => step.name)
        .join(", ")}`,
    );
    await askForPhrase(confirmationPhrase(args), context.prompt);
  }

  const comment = `npm run ${args.workflow}${args.mode ? ` --${args.mode}` : ""} at ${context.now().toISOString()}`;
  let executionId: string;
  try {
    executionId = await startPlanExecution(client, {
      planArn: plan.arn,
      targetRegion: planned.targetRegion,
      action: planned.action,
      mode: planned.mode,
      comment,
    });
  } catch (error) {
    const explained = explain("StartPlanExecution", error);
    if (error instanceof Error && error.name === "RegionUnreachable") {
      throw new RunbookError(
        `${explained.message}\nThe start may or may not have reached ARC: list the executions before trying again (aws arc-region-switch list-plan-executions --plan-arn ${plan.arn} --region ${planned.targetRegion}).`,
      );
    }
    throw explained;
  }
  output.line(`Started ${args.workflow} execution ${executionId} of ${plan.name || plan.arn}: activate ${planned.targetRegion}, ${planned.mode}.`);
  output.line(`Following it in ${planned.targetRegion} every ${args.pollSeconds} s (Ctrl-C stops following, not the execution):`);

  const result = await followPlanExecution({
    client,
    approver,
    approverRoleArn: plan.approverRoleArn,
    planArn: plan.arn,
    executionId,
    steps: planned.workflow.steps,
    pollSeconds: args.pollSeconds,
    sleep: context.sleep,
    now: context.now,
    output,
    decide: (stepName) => decideApproval(args, context, stepName),
    approvalComment: comment,
  });
  output.line("");
  output.line(`Timeline of ${executionId}:`);
  for (const line of renderTimeline(result.timeline)) output.line(line);
  output.line("");
  for (const line of renderPlanOutcome(args, planned, result, context)) output.line(line);
  return result.end === "final" && SUCCEEDED_STATES.has(result.execution.executionState) ? EXIT.succeeded : EXIT.executionFailed;
}
