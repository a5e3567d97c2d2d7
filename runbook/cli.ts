/**
 * `npm run failover|failback|drill`: starts a DR workflow of the DR stack (a Step Functions state
 * machine), follows it to the end with one line per state, and prints its timeline against the RTO.
 * When the DR stack's output `recoveryOrchestrator` is `region-switch` (read from `--outputs-file`, or
 * through the Pulumi CLI when the stack file declares `recovery.orchestrator: region-switch`), the same
 * commands drive its ARC Region switch plan instead (runbook/regionSwitch/run.ts).
 *
 * Usage: tsx runbook/cli.ts failover (--planned | --unplanned) [--force] [options]
 *        tsx runbook/cli.ts failback [--force] [options]
 *        tsx runbook/cli.ts drill [--live] [options]
 *        tsx runbook/cli.ts drill --fault <name> [--live] [options] (an AWS FIS experiment, runbook/faults/drill.ts)
 *        tsx runbook/cli.ts restore --from <dr|primary> [--to-time <time>] [options] (`npm run restore`, runbook/restore.ts)
 *        tsx runbook/cli.ts reprotect [--no-snapshot] [--up] [options] (`npm run reprotect`, runbook/reprotect.ts)
 * Options: --stack <name> (default dr), --region <region>, --state-machine-arn <arn>, --dry-run,
 *          --yes, --poll-seconds <n> (default 5), --outputs-file <path>; see `USAGE` in arguments.ts.
 *
 * Exit codes: 0 succeeded (or dry run), 1 bad arguments, config, credentials or permissions, or not
 * confirmed (nothing started), 2 the execution FAILED, TIMED_OUT or was ABORTED, 3 another execution
 * is running (refused before starting, or the execution refused itself).
 *
 * `main` takes its clients, clock, prompt and output as dependencies, so tests run it against
 * mocked SDK clients with no waiting.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import { SFNClient } from "@aws-sdk/client-sfn";
import { STSClient } from "@aws-sdk/client-sts";
import { parseRunbookArguments, USAGE } from "./arguments";
import { confirmStart, requireConfirmationPossible } from "./confirm";
import { dryRun } from "./dryRun";
import { EXIT, RunbookError } from "./errors";
import { executionInput, executionName } from "./execution";
import { followExecution } from "./follow";
import { executionConsoleUrl, locateStateMachine, resolveRegion } from "./locate";
import { faultClients, faultDrillMain, type FaultDrillDependencies } from "./faults/drill";
import { ArcRegionSwitchClient } from "./regionSwitch/client";
import { chooseOrchestrator, declaredOrchestrator } from "./regionSwitch/outputs";
import { type RegionSwitchServices, runRegionSwitch } from "./regionSwitch/run";
import { pulumiStackOutputs, type RestoreDependencies, restoreServices, runRestore } from "./restore";
import { reprotectServices, runReprotect } from "./reprotect";
import { consoleOutput, type Output } from "./output";
import { builderPlan, PlanError, topLevelSteps } from "./plan";
import { readStackSettings } from "./stack";
import { alreadyRunningError, findRunningExecution, startExecution } from "./start";
import { renderOutcome, renderTimeline } from "./timeline";

/** Everything `main` needs from the outside world. Times: `sleep` takes milliseconds. */
export interface RunbookDependencies {
  /** The folder holding `Pulumi.<stack>.yaml` (the repository root). */
  projectDirectory: string;
  /** SDK clients for a region; tests return clients wrapped by aws-sdk-client-mock. */
  clients: (region: string) => { sfn: SFNClient; sts: STSClient };
  output: Output;
  /** Whether stdin is a terminal the operator can type the confirmation on. */
  interactive: boolean;
  /** Shows `question` and resolves with the line typed. */
  prompt: (question: string) => Promise<string>;
  now: () => Date;
  sleep: (milliseconds: number) => Promise<void>;
  /** The restore command's AWS Backup and RDS clients and stack outputs reader; default the real ones (`restoreServices`). */
  restore?: Pick<RestoreDependencies, "restoreClients" | "stackOutputs" | "readFile">;
  /** The FIS and CloudWatch clients of `drill --fault`, per region; default the real ones (`faultClients`). */
  faultClients?: FaultDrillDependencies["clients"];
  /** The Region switch path's outputs readers and data-plane clients; default the real ones (`regionSwitchServices`). */
  regionSwitch?: RegionSwitchServices;
}

/** The real Region switch services: the Pulumi CLI, the file system, signed requests with the SDK's credential chain. */
export function regionSwitchServices(projectDirectory: string): RegionSwitchServices {
  return {
    stackOutputs: pulumiStackOutputs(projectDirectory),
    readFile: (file) => readFileSync(file, "utf8"),
    client: (region) => new ArcRegionSwitchClient({ region }),
  };
}

/** The real world: SDK clients with the default credential chain, the console, stdin, timers. */
export function defaultDependencies(): RunbookDependencies {
  return {
    projectDirectory: path.resolve(__dirname, ".."),
    clients: (region) => ({ sfn: new SFNClient({ region }), sts: new STSClient({ region }) }),
    output: consoleOutput(),
    interactive: Boolean(process.stdin.isTTY),
    prompt: async (question) => {
      const readline = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await readline.question(question);
      } finally {
        readline.close();
      }
    },
    now: () => new Date(),
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  };
}

/**
 * Runs the runbook for `argv` (the arguments after the script).
 * @returns the exit code (see the module comment); `RunbookError`s are printed as their message.
 * @throws only unexpected errors (bugs), which the entry point prints with their stack.
 */
export async function main(argv: readonly string[], deps: RunbookDependencies): Promise<number> {
  const { output } = deps;
  if (argv[0] === "restore") return runRestore(argv.slice(1), { ...deps, ...(deps.restore ?? restoreServices(deps.projectDirectory)) });
  if (argv[0] === "reprotect") return runReprotect(argv.slice(1), { ...deps, ...reprotectServices(deps.projectDirectory) });
  try {
    // A drill with a real fault is an AWS FIS experiment, not a workflow of the DR stack (runbook/faults/drill.ts).
    if (argv[0] === "drill" && argv.includes("--fault")) {
      return await faultDrillMain(argv.slice(1), {
        projectDirectory: deps.projectDirectory,
        clients: deps.faultClients ?? faultClients,
        output,
        now: deps.now,
        sleep: deps.sleep,
      });
    }
    const command = parseRunbookArguments(argv);
    if (command.kind === "help") {
      output.line(USAGE);
      return EXIT.succeeded;
    }
    const args = command.arguments;
    const settings = readStackSettings(deps.projectDirectory, args.stack);
    const services = deps.regionSwitch ?? regionSwitchServices(deps.projectDirectory);
    const orchestrator = await chooseOrchestrator(
      { stack: args.stack, ...(args.outputsFile ? { outputsFile: args.outputsFile } : {}) },
      declaredOrchestrator(deps.projectDirectory, args.stack),
      services,
    );
    if (orchestrator.note) output.error(`Note: ${orchestrator.note}`);
    if (orchestrator.kind === "region-switch") {
      return await runRegionSwitch(args, { ...deps, plan: orchestrator.plan, source: orchestrator.source, settings, services });
    }
    const region = resolveRegion({
      settings,
      ...(args.region ? { region: args.region } : {}),
      ...(args.stateMachineArn ? { stateMachineArn: args.stateMachineArn } : {}),
    });
    // Before any AWS call: a start that cannot be confirmed is refused.
    requireConfirmationPossible(args, deps.interactive);
    const { sfn, sts } = deps.clients(region.region);
    if (args.dryRun) return await dryRun(args, { settings, region, sfn, sts, output, now: deps.now });

    const location = await locateStateMachine({
      workflow: args.workflow,
      stack: args.stack,
      region: region.region,
      sts,
      ...(args.stateMachineArn ? { stateMachineArn: args.stateMachineArn } : {}),
    });
    const running = await findRunningExecution(sfn, location);
    if (running) throw alreadyRunningError(running, args.workflow);
    const input = executionInput(args);
    await confirmStart(args, location, input, { interactive: deps.interactive, prompt: deps.prompt, output });

    const name = executionName(args, deps.now());
    const { executionArn } = await startExecution(sfn, location, name, input, deps.now);
    output.line(`Started ${args.workflow} execution ${name} with input ${JSON.stringify(input)}`);
    output.line(`  ${executionArn}`);
    const consoleUrl = executionConsoleUrl(executionArn, location.region, location.partition);
    if (consoleUrl) output.line(`  ${consoleUrl}`);
    output.line(`Following it every ${args.pollSeconds} s (Ctrl-C stops following, not the execution):`);

    let expectedSteps: string[] = [];
    try {
      expectedSteps = topLevelSteps(builderPlan(args.workflow, input, location.region));
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
    }
    const result = await followExecution({
      sfn,
      executionArn,
      region: location.region,
      pollSeconds: args.pollSeconds,
      sleep: deps.sleep,
      now: deps.now,
      output,
      expectedSteps,
    });

    output.line("");
    output.line(`Timeline of ${name}:`);
    for (const line of renderTimeline(result.timeline)) output.line(line);
    output.line("");
    for (const line of renderOutcome(args.workflow, result, settings.rtoSeconds, settings.rtoSource)) output.line(line);
    if (result.status === "SUCCEEDED") return EXIT.succeeded;
    if (result.error === "ExecutionAlreadyRunning") return EXIT.alreadyRunning;
    return EXIT.executionFailed;
  } catch (error) {
    if (error instanceof RunbookError) {
      output.error(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), defaultDependencies()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
