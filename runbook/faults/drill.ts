/**
 * `npm run drill -- --fault <name> [--live]`: the DR drill with a real fault (issue 21, item 4), an
 * AWS FIS experiment from the template the DR stack declares (stacks/faultInjection.ts).
 *
 * Without `--live` it prints what the experiment would do and which DR signals it reads, and makes
 * no AWS call. With `--live` it injects a real fault, so it is confirmed as failover and failback are
 * (runbook/confirm.ts): the operator types the fault's name, `--yes` confirms on the command line, and
 * without `--yes` a shell whose stdin is not a terminal is refused before any AWS call. Then it:
 * 1. finds the template in its region (recovery/faults/catalogue.ts `templateRegion`): the one tagged
 *    `DrFault=<name>` and `Stack=<DR stack>` (the provider's default tags), through FIS
 *    ListExperimentTemplates, or `--template-id`;
 * 2. after the confirmation, starts it (FIS StartExperiment, with a fresh client token: the call is idempotent on it) and
 *    follows it (GetExperiment every `--poll-seconds`) to `completed`, `stopped`, `failed` or
 *    `cancelled` (FIS API `ExperimentStatus`), one line per status;
 * 3. reports what the DR signals did and when: each alarm's state changes since the fault began
 *    (CloudWatch DescribeAlarmHistory, `HistoryItemType: StateUpdate`, in the alarm's region), with
 *    how long after the fault's start each came. The fault began when the action started (the
 *    action's `startTime`), else when the experiment did.
 *
 * Ctrl-C (SIGINT) while the experiment runs stops it: FIS StopExperiment ("Stops the specified experiment",
 * FIS API Reference; the experiment goes `stopping`, then `stopped`: "any post actions that have not been
 * completed for an action are completed before the experiment stops", FIS User Guide, "Stop an experiment"),
 * then the drill follows it to `stopped`, reports the DR signals
 * so far and exits 2. The handler is registered before StartExperiment and removed at the end, once: a
 * second Ctrl-C leaves at once (Node's default), the experiment still stopping. A StopExperiment that fails
 * is reported with the command that stops it (exit 1).
 *
 * Exit codes (runbook/errors.ts): 0 the experiment completed, or a stop condition stopped it (the
 * guardrail did its job; the report says which alarm); 1 refused (bad arguments, no template, no
 * credentials, not confirmed) or a Ctrl-C whose StopExperiment failed; 2 the experiment failed or was
 * cancelled, or Ctrl-C stopped it.
 */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline/promises";
import { CloudWatchClient, DescribeAlarmHistoryCommand } from "@aws-sdk/client-cloudwatch";
import {
  type Experiment,
  FisClient,
  GetExperimentCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { resourcePrefix } from "../../config/conventions";
import { askForPhrase, requireTerminal } from "../confirm";
import { EXIT, type ExitCode, explainAwsError, RunbookError } from "../errors";
import { readStackSettings } from "../stack";
import { formatElapsed, type Output } from "../output";
import { FAULT_TAG, type FaultAlarm, faultAlarms, type FaultName, faultOf, FAULTS, isFaultName, templateRegion } from "../../recovery/faults/catalogue";

/** What one fault drill runs. */
export interface FaultDrillOptions {
  fault: FaultName;
  live: boolean;
  /** The DR stack's name: its `Stack` tag is on the templates. */
  stack: string;
  /** The DR stack's resource prefix (`resourcePrefix(stack, "dr")`): the alarms' names. */
  prefix: string;
  drRegion: string;
  primaryRegion: string;
  /** A template id that skips the lookup. */
  templateId?: string;
  /** Seconds between two GetExperiment calls; default 15. */
  pollSeconds: number;
  /** `--yes`: the live experiment is confirmed on the command line (no typed confirmation). */
  yes?: boolean;
}

/** What the drill needs from the outside world. */
export interface FaultDrillDependencies {
  clients: (region: string) => { fis: FisClient; cloudwatch: CloudWatchClient };
  output: Output;
  now: () => Date;
  sleep: (milliseconds: number) => Promise<void>;
  /** Whether stdin is a terminal the operator can type the confirmation on; default `process.stdin.isTTY`. */
  interactive?: boolean;
  /** Shows `question` and resolves with the line typed; default a readline on stdin (`terminalPrompt`). */
  prompt?: (question: string) => Promise<string>;
  /**
   * Calls `handler` on the first Ctrl-C and returns the function that removes it; default `process.once("SIGINT")`
   * (`onSigint`). Tests fire it themselves.
   */
  onInterrupt?: (handler: () => void) => () => void;
}

/** The question on stderr, the answer from stdin (as the runbook's failover prompt, runbook/cli.ts). */
export async function terminalPrompt(question: string): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await readline.question(question);
  } finally {
    readline.close();
  }
}

/** `handler` on the process's first SIGINT; the returned function removes it (then Ctrl-C ends the process again). */
export function onSigint(handler: () => void): () => void {
  process.once("SIGINT", handler);
  return () => process.removeListener("SIGINT", handler);
}

/** The statuses after which an experiment changes no more (FIS API `ExperimentStatus`). */
export const FINAL_STATUSES = ["completed", "stopped", "failed", "cancelled"] as const;

/** One alarm's state change, as the report prints it. */
export interface SignalChange {
  alarm: FaultAlarm;
  at: Date;
  from: string;
  to: string;
}

/** Usage of the fault drill, for `--help` and argument errors. */
export const FAULT_USAGE = `Usage: npm run drill -- --fault <${FAULTS.join("|")}> [--live [--yes]] [--stack <name>] [--dr-region <region>] [--primary-region <region>] [--template-id <id>] [--poll-seconds <n>]`;

/**
 * Parses the fault drill's arguments (after `drill`).
 * @throws RunbookError (exit 1) on an unknown fault or option, a missing value, or `--yes` without `--live`.
 */
export function parseFaultArguments(argv: readonly string[]): Omit<FaultDrillOptions, "prefix" | "drRegion" | "primaryRegion" | "stack"> & {
  stack?: string;
  drRegion?: string;
  primaryRegion?: string;
} {
  const values: Record<string, string> = {};
  let live = false;
  let yes = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === "--live") {
      live = true;
      continue;
    }
    if (argument === "--yes") {
      yes = true;
      continue;
    }
    const option = ["--fault", "--stack", "--dr-region", "--primary-region", "--template-id", "--poll-seconds"].find((name) => name === argument);
    if (!option) throw new RunbookError(`Unknown argument ${argument}.\n${FAULT_USAGE}`);
    const value = argv[index + 1];
    if (value === undefined || value.startsWith("--")) throw new RunbookError(`${option} needs a value.\n${FAULT_USAGE}`);
    values[option] = value;
    index++;
  }
  const fault = values["--fault"];
  if (!isFaultName(fault)) throw new RunbookError(`--fault must be one of ${FAULTS.join(", ")}, got ${fault ?? "nothing"}.\n${FAULT_USAGE}`);
  const pollSeconds = values["--poll-seconds"] === undefined ? 15 : Number(values["--poll-seconds"]);
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1)
    throw new RunbookError(`--poll-seconds must be a whole number of seconds from 1, got ${values["--poll-seconds"]}`);
  if (yes && !live) throw new RunbookError(`--yes confirms a live experiment: add --live, or drop --yes for the dry run.\n${FAULT_USAGE}`);
  return {
    fault,
    live,
    ...(yes ? { yes } : {}),
    pollSeconds,
    ...(values["--stack"] !== undefined ? { stack: values["--stack"] } : {}),
    ...(values["--dr-region"] !== undefined ? { drRegion: values["--dr-region"] } : {}),
    ...(values["--primary-region"] !== undefined ? { primaryRegion: values["--primary-region"] } : {}),
    ...(values["--template-id"] !== undefined ? { templateId: values["--template-id"] } : {}),
  };
}

/** Prints what the experiment would do; no AWS call. */
export function describeFault(options: FaultDrillOptions, output: Output): void {
  const fault = faultOf(options.fault);
  const region = templateRegion(options.fault, { primary: options.primaryRegion, dr: options.drRegion });
  const alarms = faultAlarms(options.fault, options.prefix, region, options.drRegion);
  output.line(`Fault ${options.fault} (${fault.actionId}), template in ${region} (the ${fault.side === "dr" ? "DR" : "primary"} region):`);
  output.line(`  what it does: ${fault.summary}`);
  output.line(
    `  stops early when: ${alarms
      .filter((alarm) => alarm.stops)
      .map((alarm) => alarm.name)
      .join(" or ")} goes to ALARM`,
  );
  output.line(`  DR signals read afterwards: ${alarms.map((alarm) => `${alarm.name} (${alarm.region})`).join(", ")}`);
  output.line(`  expected: ${fault.expectation}`);
  output.line("Dry run: no AWS call was made. Add --live to start the experiment.");
}

/**
 * Finds the template of `options.fault` for the stack in `region`.
 * @throws RunbookError (exit 1) when none or several match.
 */
export async function findTemplate(fis: FisClient, options: FaultDrillOptions, region: string): Promise<string> {
  if (options.templateId !== undefined) return options.templateId;
  const matches: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentTemplatesCommand({ ...(nextToken ? { nextToken } : {}) }));
    for (const template of page.experimentTemplates ?? []) {
      if (template.tags?.[FAULT_TAG] === options.fault && template.tags?.Stack === options.stack && template.id) matches.push(template.id);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new RunbookError(
      `No FIS experiment template for ${options.fault} of stack ${options.stack} in ${region} (tags ${FAULT_TAG}=${options.fault}, Stack=${options.stack}). ` +
        "Set faultInjection.enabled in the DR stack file and pulumi up, or pass --template-id.",
    );
  }
  throw new RunbookError(`Several FIS templates match ${options.fault} of stack ${options.stack} in ${region}: ${matches.join(", ")}; pass --template-id.`);
}

/** When the fault began: its action's start, else the experiment's, else `fallback`. */
export function faultStart(experiment: Experiment, fault: FaultName, fallback: Date): Date {
  return experiment.actions?.[fault]?.startTime ?? experiment.startTime ?? fallback;
}

/** The state changes of `alarm` from `since` to `until`, oldest first (DescribeAlarmHistory, all pages). */
export async function alarmChanges(cloudwatch: CloudWatchClient, alarm: FaultAlarm, since: Date, until: Date): Promise<SignalChange[]> {
  const changes: SignalChange[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: alarm.name,
        HistoryItemType: "StateUpdate",
        StartDate: since,
        EndDate: until,
        ScanBy: "TimestampAscending",
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const item of page.AlarmHistoryItems ?? []) {
      // HistoryData is a JSON document with oldState and newState, each with a stateValue (CloudWatch API, AlarmHistoryItem).
      const data = historyData(item.HistoryData);
      if (item.Timestamp) changes.push({ alarm, at: item.Timestamp, from: data.oldState?.stateValue ?? "?", to: data.newState?.stateValue ?? "?" });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return changes;
}

/** An alarm history item's HistoryData: `oldState` and `newState`, each with a `stateValue`; empty when it is not that JSON. */
function historyData(text: string | undefined): { oldState?: { stateValue?: string }; newState?: { stateValue?: string } } {
  try {
    const parsed: unknown = JSON.parse(text ?? "{}");
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

/** The report of the DR signals: one line per state change with its delay after the fault began, or the alarm's silence. */
export function renderSignals(alarms: FaultAlarm[], changes: SignalChange[], began: Date): string[] {
  return alarms.map((alarm) => {
    const own = changes.filter((change) => change.alarm.name === alarm.name && change.alarm.region === alarm.region);
    if (own.length === 0) return `  ${alarm.name} (${alarm.region}): no state change`;
    return `  ${alarm.name} (${alarm.region}): ${own.map((change) => `${change.from} -> ${change.to} at ${formatElapsed(change.at.getTime() - began.getTime())}`).join(", ")}`;
  });
}

/** The confirmation's explanation: a real fault, where, what stops it early, and what Ctrl-C does. */
export function confirmationLines(options: FaultDrillOptions, region: string, templateId: string): string[] {
  const fault = faultOf(options.fault);
  const stops = faultAlarms(options.fault, options.prefix, region, options.drRegion).filter((alarm) => alarm.stops);
  return [
    `LIVE FAULT ${options.fault} (${fault.actionId}) in ${region}, template ${templateId}: ${fault.summary}`,
    `  stops early when ${stops.map((alarm) => alarm.name).join(" or ") || "(no stop condition)"} goes to ALARM; Ctrl-C stops it too (StopExperiment).`,
  ];
}

/**
 * Runs the fault drill: the dry run, or the live experiment and its report (module comment).
 * @returns the exit code.
 * @throws RunbookError on a refusal (no terminal to confirm on, not confirmed, no template, AWS errors
 *   explained, a StopExperiment that failed after Ctrl-C).
 */
export async function runFaultDrill(options: FaultDrillOptions, deps: FaultDrillDependencies): Promise<ExitCode> {
  if (!options.live) {
    describeFault(options, deps.output);
    return EXIT.succeeded;
  }
  // Before any AWS call: a live fault that cannot be confirmed is refused.
  if (!options.yes) requireTerminal(`the ${options.fault} experiment`, options.fault, deps.interactive ?? Boolean(process.stdin.isTTY));
  const region = templateRegion(options.fault, { primary: options.primaryRegion, dr: options.drRegion });
  const { fis } = deps.clients(region);
  const call = async <T>(action: string, resource: string, run: () => Promise<T>, callRegion = region): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RunbookError) throw error;
      throw explainAwsError(error, { action, resource, region: callRegion });
    }
  };
  const templateId = await call("fis:ListExperimentTemplates", "*", () => findTemplate(fis, options, region));
  if (!options.yes) {
    for (const line of confirmationLines(options, region, templateId)) deps.output.line(line);
    await askForPhrase(options.fault, deps.prompt ?? terminalPrompt);
  }

  // Ctrl-C from here on stops the experiment (module comment).
  let interrupted = false;
  let wake = () => {};
  const interruption = new Promise<void>((resolve) => (wake = resolve));
  const release = (deps.onInterrupt ?? onSigint)(() => {
    interrupted = true;
    wake();
  });
  try {
    const started = await call("fis:StartExperiment", `experiment-template/${templateId}`, () =>
      fis.send(new StartExperimentCommand({ experimentTemplateId: templateId, clientToken: randomUUID(), tags: { [FAULT_TAG]: options.fault } })),
    );
    const id = started.experiment?.id;
    if (!id) throw new RunbookError(`FIS started no experiment from template ${templateId}`);
    deps.output.line(`Started experiment ${id} (${options.fault}) from template ${templateId} in ${region}. Ctrl-C stops the experiment.`);
    let experiment: Experiment = started.experiment ?? {};
    let status = experiment.state?.status;
    let stoppedAt: Date | undefined;
    while (!FINAL_STATUSES.includes(status as (typeof FINAL_STATUSES)[number])) {
      if (interrupted && !stoppedAt) {
        stoppedAt = deps.now();
        await stopExperiment(fis, id, region, call);
        deps.output.line(
          `  ${stoppedAt.toISOString()} Ctrl-C: StopExperiment sent for ${id}; following it until FIS has stopped it (Ctrl-C again leaves at once).`,
        );
      }
      // Woken early by a Ctrl-C while no stop was sent yet.
      await (stoppedAt ? deps.sleep(options.pollSeconds * 1000) : Promise.race([deps.sleep(options.pollSeconds * 1000), interruption]));
      if (interrupted && !stoppedAt) continue;
      experiment = (await call("fis:GetExperiment", `experiment/${id}`, () => fis.send(new GetExperimentCommand({ id })))).experiment ?? {};
      if (experiment.state?.status !== status) {
        status = experiment.state?.status;
        deps.output.line(`  ${deps.now().toISOString()} ${status}${experiment.state?.reason ? `: ${experiment.state.reason}` : ""}`);
      } else deps.output.progress(`  ${status}...`);
    }
    const began = faultStart(experiment, options.fault, deps.now());
    const ended = experiment.endTime ?? deps.now();
    deps.output.line(
      `Experiment ${status} after ${formatElapsed(ended.getTime() - began.getTime())} of fault${experiment.state?.reason ? ` (${experiment.state.reason})` : ""}.`,
    );
    const alarms = faultAlarms(options.fault, options.prefix, region, options.drRegion);
    const changes: SignalChange[] = [];
    for (const alarm of alarms) {
      const { cloudwatch } = deps.clients(alarm.region);
      changes.push(
        ...(await call("cloudwatch:DescribeAlarmHistory", `alarm:${alarm.name}`, () => alarmChanges(cloudwatch, alarm, began, deps.now()), alarm.region)),
      );
    }
    deps.output.line(`What the DR signals did after the fault began (${began.toISOString()}):`);
    for (const line of renderSignals(alarms, changes, began)) deps.output.line(line);
    if (stoppedAt) {
      deps.output.line(`Stopped by Ctrl-C at ${stoppedAt.toISOString()}: the drill did not run its course (exit ${EXIT.executionFailed}).`);
      return EXIT.executionFailed;
    }
    return status === "completed" || status === "stopped" ? EXIT.succeeded : EXIT.executionFailed;
  } finally {
    release();
  }
}

/**
 * FIS StopExperiment of `id`.
 * @throws RunbookError (exit 1) when FIS refuses, with the command that stops it.
 */
async function stopExperiment(
  fis: FisClient,
  id: string,
  region: string,
  call: <T>(action: string, resource: string, run: () => Promise<T>) => Promise<T>,
): Promise<void> {
  try {
    await call("fis:StopExperiment", `experiment/${id}`, () => fis.send(new StopExperimentCommand({ id })));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RunbookError(
      `Ctrl-C: could not stop experiment ${id}: ${message}\nTHE FAULT MAY STILL BE ACTIVE. Stop it now: aws fis stop-experiment --id ${id} --region ${region} (or the FIS console, Experiments).`,
    );
  }
}

/** The real clients of a region. */
export function faultClients(region: string): { fis: FisClient; cloudwatch: CloudWatchClient } {
  return { fis: new FisClient({ region }), cloudwatch: new CloudWatchClient({ region }) };
}

/**
 * The CLI's entry for `drill --fault <name> [--live]` (runbook/cli.ts dispatches here when `drill`'s
 * arguments hold `--fault`): the stack (default `dr`), its region from `--dr-region` or
 * `Pulumi.<stack>.yaml`'s `aws:region`, the primary region from `--primary-region` or
 * `Pulumi.primary.yaml`'s, then {@link runFaultDrill}.
 * @throws RunbookError (exit 1) on bad arguments or a region that cannot be found.
 */
export async function faultDrillMain(argv: readonly string[], deps: FaultDrillDependencies & { projectDirectory: string }): Promise<ExitCode> {
  const parsed = parseFaultArguments(argv);
  const stack = parsed.stack ?? "dr";
  const drRegion = parsed.drRegion ?? readStackSettings(deps.projectDirectory, stack).region;
  const primaryRegion = parsed.primaryRegion ?? readStackSettings(deps.projectDirectory, "primary").region;
  if (!drRegion) throw new RunbookError(`No region for stack ${stack}: set aws:region in Pulumi.${stack}.yaml or pass --dr-region.\n${FAULT_USAGE}`);
  if (!primaryRegion) throw new RunbookError(`No primary region: set aws:region in Pulumi.primary.yaml or pass --primary-region.\n${FAULT_USAGE}`);
  return runFaultDrill({ ...parsed, stack, drRegion, primaryRegion, prefix: resourcePrefix(stack, "dr") }, deps);
}
