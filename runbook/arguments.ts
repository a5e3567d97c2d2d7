/**
 * The runbook CLI's command line: parsing (node:util parseArgs) and every rule about which options
 * go with which workflow. Errors are `ArgumentError`s (exit 1) whose message names the option and the fix.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { WORKFLOWS, type Workflow } from "../recovery/names";
import { RunbookError } from "./errors";
import { parseStateMachineArn } from "./locate";

/** Failover modes: `planned` (switchover, the primary is healthy) and `unplanned` (the primary is impaired). */
export type FailoverMode = "planned" | "unplanned";

/** A validated command line. */
export interface RunbookArguments {
  workflow: Workflow;
  /** Failover only. */
  mode?: FailoverMode;
  /** Failover and failback: skip the replica-lag (and, for failover, replica-state) checks, accepting data loss. */
  force: boolean;
  /** Pulumi stack of the DR side, e.g. `dr`: names the state machines and `Pulumi.<stack>.yaml`. */
  stack: string;
  /** Overrides the stack file's `aws:region`. */
  region?: string;
  /** Overrides the located state machine. */
  stateMachineArn?: string;
  /** Print what would happen, start nothing. A drill without `--live` is a dry run. */
  dryRun: boolean;
  /** Start without the typed confirmation. */
  yes: boolean;
  /** Seconds between two polls of the execution while following it (1-300). */
  pollSeconds: number;
  /**
   * JSON of `pulumi stack output --json --stack <dr stack>`: the DR stack's outputs without the state
   * backend. Its `recoveryOrchestrator` decides the orchestrator (runbook/regionSwitch/outputs.ts).
   */
  outputsFile?: string;
}

/** The parsed command: run a workflow, or print the usage. */
export type RunbookCommand = { kind: "help" } | { kind: "run"; arguments: RunbookArguments };

/** A command-line error: exit 1, with the usage hint. */
export class ArgumentError extends RunbookError {
  constructor(message: string) {
    super(`${message}\nRun with --help for the usage.`);
    this.name = "ArgumentError";
  }
}

export const USAGE = `Usage:
  tsx runbook/cli.ts failover (--planned | --unplanned) [--force] [options]
  tsx runbook/cli.ts failback [--force] [options]
  tsx runbook/cli.ts drill [--live] [options]
  tsx runbook/cli.ts drill --fault <name> [--live]   (an AWS FIS experiment: docs/fault-injection.md)
  tsx runbook/cli.ts restore --from <dr|primary> [options]   (npm run restore; restore --help)
  tsx runbook/cli.ts reprotect [--up] [options]              (npm run reprotect; reprotect --help)

Starts a DR workflow (a Step Functions state machine of the DR stack, or an execution of its ARC
Region switch plan when the stack's recoveryOrchestrator output is region-switch), follows it to the
end and prints its timeline.
  failover    serve the application from the DR region, promoting its database
                --planned     switchover: the primary is healthy; writes stop first, no data loss
                --unplanned   the primary region is impaired; nothing is asked of it
  failback    return service to the primary region (after re-protecting it, docs/runbook.md, "Failback")
  reprotect   after a failover, make the primary region's database a replica of the DR one again
  drill       send a share of live traffic to the DR region for a while, then roll back;
              with Region switch: a read-only readiness check of the plan from the DR region
              (no traffic moves); a dry run unless --live

Options:
  --force                    skip the replica lag (and failover's replica state) checks: ACCEPTS DATA LOSS
  --stack <name>             DR stack (default dr): names the state machine, region from Pulumi.<name>.yaml
  --region <region>          region of the state machines (default: aws:region of the stack file)
  --state-machine-arn <arn>  use this state machine instead of locating it
  --dry-run                  print the region, state machine, input and steps; start nothing
  --live                     drill only: really run the drill
  --yes                      do not ask for confirmation (required when stdin is not a terminal)
  --poll-seconds <n>         seconds between polls while following (default 5, 1-300)
  --outputs-file <path>      JSON of "pulumi stack output --json --stack <dr stack>": read the
                             orchestrator and the Region switch plan from it (no state backend needed)
  -h, --help                 this text

Without --yes, failover and failback ask you to type the workflow's name ("failover", "failback"),
or "force failover" / "force failback" with --force. With Region switch, --planned starts a graceful
execution, --unplanned an ungraceful one, failback a graceful one; each approval step of the plan asks
you to type "approve" (--yes approves). --force and --state-machine-arn do not apply to Region switch.

Exit codes: 0 succeeded (or dry run), 1 bad arguments, config, credentials or permissions (nothing
started), 2 the execution FAILED, TIMED_OUT or was ABORTED, 3 another execution is running.`;

const OPTIONS = {
  planned: { type: "boolean" },
  unplanned: { type: "boolean" },
  force: { type: "boolean" },
  stack: { type: "string" },
  region: { type: "string" },
  "state-machine-arn": { type: "string" },
  "dry-run": { type: "boolean" },
  live: { type: "boolean" },
  yes: { type: "boolean" },
  "poll-seconds": { type: "string" },
  "outputs-file": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const STACK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const DEFAULT_POLL_SECONDS = 5;
const MAX_POLL_SECONDS = 300;

/**
 * parseArgs's own errors, in the runbook's words. With `options`, an invalid value of an option that
 * takes one (type string) is a missing value, whatever parseArgs's wording (`--stack --yes`).
 */
function parseArgsProblem(error: unknown, options?: ParseArgsConfig["options"]): string | undefined {
  if (!(error instanceof TypeError)) return undefined;
  const code = (error as TypeError & { code?: string }).code;
  const option = /'(-{1,2}[^' <]+)/.exec(error.message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? error.message}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const takesValue = option !== undefined && options?.[option.replace(/^-+/, "")]?.type === "string";
    return takesValue || /argument missing/.test(error.message) ? `${option ?? "an option"} needs a value` : `${option ?? "an option"} takes no value`;
  }
  return error.message;
}

/**
 * The options of a subcommand that takes no positional argument (`restore`, `reprotect`): parseArgs
 * with the runbook's messages, an unknown option named with the subcommand.
 * @returns parseArgs's `values`.
 * @throws ArgumentError for an unknown option, a missing value, or a positional argument (unless `--help`).
 */
export function parseSubcommandOptions<const Options extends NonNullable<ParseArgsConfig["options"]>>(
  argv: readonly string[],
  options: Options,
  command: string,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const problem = parseArgsProblem(error, options);
    if (problem) throw new ArgumentError(problem.startsWith("unknown option") ? `${problem} for ${command}` : problem);
    throw error;
  }
  if (!(parsed.values as { help?: unknown }).help && parsed.positionals.length > 0) {
    throw new ArgumentError(`unexpected argument "${parsed.positionals[0]}": options start with --`);
  }
  return parsed.values;
}

/**
 * Parses `argv` (without `node` and the script): the workflow, then options in any order.
 * @throws ArgumentError for an unknown or missing workflow, an unknown option, a missing value, a
 * mode missing or given twice, an option that does not apply to the workflow, a bad `--poll-seconds`,
 * `--region`, `--stack` or `--state-machine-arn`.
 */
export function parseRunbookArguments(argv: readonly string[]): RunbookCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const problem = parseArgsProblem(error);
    if (problem) throw new ArgumentError(problem);
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };

  if (positionals.length === 0) throw new ArgumentError(`missing the workflow: ${WORKFLOWS.join(", ")}`);
  const [workflowText, ...extra] = positionals;
  if (!(WORKFLOWS as readonly string[]).includes(workflowText)) {
    throw new ArgumentError(`unknown workflow "${workflowText}": expected ${WORKFLOWS.join(", ")}`);
  }
  const workflow = workflowText as Workflow;
  if (extra.length > 0) throw new ArgumentError(`unexpected argument "${extra[0]}": options start with --`);

  let mode: FailoverMode | undefined;
  if (workflow === "failover") {
    if (values.planned && values.unplanned) throw new ArgumentError("--planned and --unplanned exclude each other: choose one");
    if (!values.planned && !values.unplanned) {
      throw new ArgumentError(
        "failover needs exactly one of --planned (switchover: the primary is healthy, no data loss) or --unplanned (the primary is impaired)",
      );
    }
    mode = values.planned ? "planned" : "unplanned";
  } else {
    for (const option of ["planned", "unplanned"] as const) {
      if (values[option]) throw new ArgumentError(`--${option} applies to failover only`);
    }
  }
  if (workflow === "drill" && values.force) throw new ArgumentError("--force applies to failover and failback only");
  if (workflow !== "drill" && values.live) throw new ArgumentError("--live applies to drill only (failover and failback run unless --dry-run)");

  const pollText = values["poll-seconds"] ?? String(DEFAULT_POLL_SECONDS);
  const pollSeconds = /^\d+$/.test(pollText) ? Number(pollText) : Number.NaN;
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1 || pollSeconds > MAX_POLL_SECONDS) {
    throw new ArgumentError(`--poll-seconds must be a whole number of seconds from 1 to ${MAX_POLL_SECONDS}, got "${pollText}"`);
  }

  const stack = values.stack ?? "dr";
  if (!STACK.test(stack)) throw new ArgumentError(`--stack must be a stack name such as dr (the <name> of Pulumi.<name>.yaml), got "${stack}"`);
  const region = values.region;
  if (region !== undefined && !REGION.test(region)) throw new ArgumentError(`--region must be an AWS region such as us-west-2, got "${region}"`);
  const stateMachineArn = values["state-machine-arn"];
  if (stateMachineArn !== undefined) {
    const arn = parseStateMachineArn(stateMachineArn);
    if (!arn) throw new ArgumentError(`--state-machine-arn must look like arn:aws:states:<region>:<account>:stateMachine:<name>, got "${stateMachineArn}"`);
    if (region !== undefined && arn.region !== region) {
      throw new ArgumentError(`--region ${region} contradicts --state-machine-arn, which is in ${arn.region}: drop one`);
    }
  }

  const outputsFile = values["outputs-file"];
  if (outputsFile === "") throw new ArgumentError("--outputs-file needs a value");

  return {
    kind: "run",
    arguments: {
      workflow,
      ...(mode ? { mode } : {}),
      force: values.force ?? false,
      stack,
      ...(region ? { region } : {}),
      ...(stateMachineArn ? { stateMachineArn } : {}),
      dryRun: Boolean(values["dry-run"]) || (workflow === "drill" && !values.live),
      yes: values.yes ?? false,
      pollSeconds,
      ...(outputsFile ? { outputsFile } : {}),
    },
  };
}
