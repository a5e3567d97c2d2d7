/**
 * The command line of `npm run reprotect` (`tsx runbook/cli.ts reprotect ...`): parsing (node:util
 * parseArgs) and its rules. Errors are `ArgumentError`s (exit 1) whose message names the option and the fix.
 */
import { ArgumentError, parseSubcommandOptions } from "./arguments";

/** A validated reprotect command line. */
export interface ReprotectArguments {
  /** The DR stack whose outputs name the promoted database, the old primary and the primary stack (default `dr`). */
  stack: string;
  /** JSON of `pulumi stack output --json --stack <dr stack>`, instead of asking the Pulumi CLI. */
  outputsFile?: string;
  /** Skip the snapshot of the old primary database (its writes that never reached the DR region are then kept only in the instance itself). */
  noSnapshot: boolean;
  /** Stop waiting for the snapshot after this many minutes (5-1440, default 60); the snapshot itself goes on. */
  snapshotTimeoutMinutes: number;
  /** Seconds between two polls of the snapshot (5-300, default 30). */
  pollSeconds: number;
  /** Run `pulumi up` of the primary stack at the end (default: print it as the next command). */
  up: boolean;
  /** Print every check, command and change; change nothing. */
  dryRun: boolean;
  /** Do not ask for the typed confirmation. */
  yes: boolean;
}

export type ReprotectCommand = { kind: "help" } | { kind: "run"; arguments: ReprotectArguments };

export const DEFAULT_SNAPSHOT_TIMEOUT_MINUTES = 60;
export const DEFAULT_REPROTECT_POLL_SECONDS = 30;

export const REPROTECT_USAGE = `Usage:
  npm run reprotect -- [options]
  (tsx runbook/cli.ts reprotect ...)

After an unplanned failover (instance mode), makes the primary region's database a cross-region read
replica of the promoted DR database again: the first step of failback (docs/runbook.md, "Failback").
  1. checks: the DR stack's outputs (role dr, databasePromoted true); the DR database is available and
     standalone; the primary region answers (else: re-run once it is back, nothing changed)
  2. snapshots the old primary database (<id>-before-reprotect-<yyyymmddhhmm>), unless --no-snapshot,
     to keep the writes that never reached the DR region
  3. removes the old database from the primary stack's state (pulumi state unprotect/delete; when other
     resources depend on it, pulumi stack export/import without it); it stays in AWS, deletion-protected
  4. pulumi config set --path multi-region-dr:database.replicaSourceArn <DR database ARN> on the primary
     stack (and removes database.promoted)
  5. with --up: pulumi up of the primary stack (cross-region replica creation: 30 minutes to hours);
     otherwise prints it as the next command
Aurora global database: reports whether Aurora re-added the primary-region cluster; changes nothing.

Options:
  --stack <name>                   DR stack (default dr)
  --outputs-file <path>            JSON of "pulumi stack output --json --stack <dr stack>"
  --no-snapshot                    do not snapshot the old primary database
  --snapshot-timeout-minutes <n>   stop waiting for the snapshot after n minutes (default 60, 5-1440)
  --poll-seconds <n>               seconds between snapshot polls (default 30, 5-300)
  --up                             run pulumi up --stack <primary stack> --yes at the end
  --dry-run                        print every check, command and change; change nothing
  --yes                            do not ask for confirmation (required when stdin is not a terminal)
  -h, --help                       this text

Without --yes, you type "reprotect" to start.

Exit codes: 0 re-protected (or already, or dry run), 1 bad arguments, outputs, credentials, a check
failed or not confirmed (nothing changed), 2 a step failed midway (what was done and what is left
to do are printed).`;

const OPTIONS = {
  stack: { type: "string" },
  "outputs-file": { type: "string" },
  "no-snapshot": { type: "boolean" },
  "snapshot-timeout-minutes": { type: "string" },
  "poll-seconds": { type: "string" },
  up: { type: "boolean" },
  "dry-run": { type: "boolean" },
  yes: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** A Pulumi stack name, optionally qualified `<org>/<project>/<stack>`. */
const STACK = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,199}$/;

function wholeNumber(option: string, text: string, minimum: number, maximum: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new ArgumentError(`--${option} must be a whole number from ${minimum} to ${maximum}, got "${text}"`);
  }
  return value;
}

/**
 * Parses the arguments after `reprotect`.
 * @throws ArgumentError for an unknown option or positional, a missing value, a bad --stack, a bad
 *   --snapshot-timeout-minutes or --poll-seconds, or --snapshot-timeout-minutes with --no-snapshot.
 */
export function parseReprotectArguments(argv: readonly string[]): ReprotectCommand {
  const values = parseSubcommandOptions(argv, OPTIONS, "reprotect");
  if (values.help) return { kind: "help" };
  const stack = values.stack ?? "dr";
  if (!STACK.test(stack)) throw new ArgumentError(`--stack must be a stack name such as dr, got "${stack}"`);
  const noSnapshot = values["no-snapshot"] ?? false;
  if (noSnapshot && values["snapshot-timeout-minutes"] !== undefined) {
    throw new ArgumentError("--snapshot-timeout-minutes has no effect with --no-snapshot: drop one");
  }
  return {
    kind: "run",
    arguments: {
      stack,
      ...(values["outputs-file"] ? { outputsFile: values["outputs-file"] } : {}),
      noSnapshot,
      snapshotTimeoutMinutes: wholeNumber("snapshot-timeout-minutes", values["snapshot-timeout-minutes"] ?? String(DEFAULT_SNAPSHOT_TIMEOUT_MINUTES), 5, 1440),
      pollSeconds: wholeNumber("poll-seconds", values["poll-seconds"] ?? String(DEFAULT_REPROTECT_POLL_SECONDS), 5, 300),
      up: values.up ?? false,
      dryRun: values["dry-run"] ?? false,
      yes: values.yes ?? false,
    },
  };
}
