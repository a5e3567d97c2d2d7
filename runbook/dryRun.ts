/**
 * `--dry-run` (and `drill` without `--live`): prints the resolved region, state machine, input and
 * what the workflow will do, and makes no mutating call. It may read (STS GetCallerIdentity,
 * DescribeStateMachine, ListExecutions) and works without credentials: the state machine is then
 * reported as unresolved, with its name pattern, and the steps come from the definition builders.
 */
import { DescribeStateMachineCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { STSClient } from "@aws-sdk/client-sts";
import type { RunbookArguments } from "./arguments";
import { confirmationPhrase } from "./confirm";
import { explainAwsError, RunbookError } from "./errors";
import { executionInput, executionName } from "./execution";
import { locateStateMachine, type RegionChoice, stateMachineArnPattern, type StateMachineLocation } from "./locate";
import { formatDuration, type Output } from "./output";
import { builderPlan, describeWorkflow, type Plan, PlanError, planFromDefinition, renderPlan } from "./plan";
import type { StackSettings } from "./stack";
import { alreadyRunningError, findRunningExecution } from "./start";

/** The command that would start what the dry run describes. */
export function startCommand(args: RunbookArguments): string {
  const flags = [
    args.workflow,
    ...(args.mode ? [`--${args.mode}`] : []),
    ...(args.force ? ["--force"] : []),
    ...(args.workflow === "drill" ? ["--live"] : []),
    ...(args.stack !== "dr" ? ["--stack", args.stack] : []),
    ...(args.region ? ["--region", args.region] : []),
    ...(args.stateMachineArn ? ["--state-machine-arn", args.stateMachineArn] : []),
  ];
  return `tsx runbook/cli.ts ${flags.join(" ")}`;
}

/** `label  text`, the text's further lines aligned under its first. */
function printIndented(output: Output, label: string, text: string): void {
  text.split("\n").forEach((line, index) => output.line(`  ${(index === 0 ? label : "").padEnd(15)} ${line.trim()}`));
}

/**
 * Prints the dry run. Never calls StartExecution (nor any other mutating API).
 * @returns exit code 0: the dry run itself does not fail on missing credentials or permissions, it reports them.
 * @throws Error only for unexpected (non-AWS) failures.
 */
export async function dryRun(
  args: RunbookArguments,
  context: { settings: StackSettings; region: RegionChoice; sfn: SFNClient; sts: STSClient; output: Output; now: () => Date },
): Promise<number> {
  const { output, region } = context;
  const input = executionInput(args);
  output.line("DRY RUN: nothing will be started (read-only calls only).");
  output.line(`  ${"workflow".padEnd(15)} ${args.workflow}${args.mode ? `, ${args.mode}` : ""}${args.force ? ", FORCE (accepts data loss)" : ""}`);
  output.line(`  ${"stack".padEnd(15)} ${args.stack} (${context.settings.found ? context.settings.stackFile : `${context.settings.stackFile} not found`})`);
  output.line(`  ${"region".padEnd(15)} ${region.region} (${region.source})`);

  let location: StateMachineLocation | undefined;
  try {
    location = await locateStateMachine({
      workflow: args.workflow,
      stack: args.stack,
      region: region.region,
      sts: context.sts,
      ...(args.stateMachineArn ? { stateMachineArn: args.stateMachineArn } : {}),
    });
  } catch (error) {
    if (!(error instanceof RunbookError)) throw error;
    printIndented(output, "state machine", `could not be resolved: ${error.message}`);
    output.line(`  ${"".padEnd(15)} expected ${stateMachineArnPattern(args.stack, args.workflow, region.region)}`);
  }

  let deployedDefinition: string | undefined;
  if (location) {
    if (location.caller) output.line(`  ${"caller".padEnd(15)} ${location.caller}`);
    output.line(`  ${"state machine".padEnd(15)} ${location.arn} (from ${location.source})`);
    try {
      const described = await context.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: location.arn }));
      deployedDefinition = described?.definition;
      const when = described?.creationDate ? `, created ${described.creationDate.toISOString()}` : "";
      output.line(`  ${"".padEnd(15)} deployed: ${described?.status ?? "status unknown"}${when}`);
    } catch (error) {
      const explained = explainAwsError(error, {
        action: "states:DescribeStateMachine",
        resource: location.arn,
        region: region.region,
        ...(location.caller ? { caller: location.caller } : {}),
      });
      printIndented(output, "", `not checked: ${explained.message}`);
    }
    try {
      const running = await findRunningExecution(context.sfn, location);
      if (running)
        printIndented(output, "running", `${alreadyRunningError(running, args.workflow).message.split("\n")[0]} Starting now would be refused (exit 3).`);
    } catch (error) {
      if (!(error instanceof RunbookError)) throw error;
    }
  }

  output.line(`  ${"input".padEnd(15)} ${JSON.stringify(input)}`);
  output.line(`  ${"execution name".padEnd(15)} ${executionName(args, context.now())} (the time of the start)`);
  if (args.workflow !== "drill") output.line(`  ${"confirmation".padEnd(15)} type "${confirmationPhrase(args)}" at the prompt, or pass --yes`);
  output.line(`  ${"RTO".padEnd(15)} ${formatDuration(context.settings.rtoSeconds * 1000)} (${context.settings.rtoSource})`);

  output.line("");
  output.line("What it does:");
  for (const line of describeWorkflow(args, region.region)) output.line(`  ${line}`);

  let plan: Plan | undefined;
  const notes: string[] = [];
  if (deployedDefinition) {
    try {
      plan = planFromDefinition(args.workflow, JSON.parse(deployedDefinition) as Parameters<typeof planFromDefinition>[1], input, "the deployed definition");
    } catch (error) {
      notes.push(`the deployed definition could not be walked (${(error as Error).message}); showing the builders' steps`);
    }
  }
  try {
    plan ??= builderPlan(args.workflow, input, region.region);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    notes.push(`the step list could not be derived (${error.message})`);
  }
  output.line("");
  if (plan) {
    output.line(`Steps on the happy path (from ${plan.source}), assuming ${plan.assumptions}:`);
    for (const line of renderPlan(plan)) output.line(`  ${line}`);
    notes.push(...plan.notes);
  }
  for (const note of notes) output.line(`Note: ${note}`);
  output.line("");
  output.line(`To start it: ${startCommand(args)}`);
  return 0;
}
