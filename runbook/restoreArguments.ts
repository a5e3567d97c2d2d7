/**
 * The command line of `npm run restore` (`tsx runbook/cli.ts restore ...`): parsing (node:util
 * parseArgs) and every rule about which options go together. Errors are `ArgumentError`s (exit 1)
 * whose message names the option and the fix.
 */
import { ArgumentError, parseSubcommandOptions } from "./arguments";

/** Where to restore from: the DR vault (copies, DR region) or the primary vault (continuous backup, primary region). */
export const RESTORE_SOURCES = ["dr", "primary"] as const;
export type RestoreSource = (typeof RESTORE_SOURCES)[number];

/** A validated restore command line. */
export interface RestoreArguments {
  from: RestoreSource;
  /** Restore to this instant (UTC): the point in time (continuous backup) or the newest snapshot at or before it. */
  toTime?: Date;
  /** Restore this recovery point instead of choosing one. */
  recoveryPointArn?: string;
  /** Identifier of the new DB instance or cluster; default `<source>-restore-<UTC minute>`. */
  name?: string;
  /** DB instance class of the new instance (or the Aurora writer); default the recovery point's, else the stack's. */
  instanceClass?: string;
  /** A single-AZ instance (a drill or a forensic copy); default Multi-AZ as the stack's database. */
  singleAz: boolean;
  /** The DR stack, whose `backupRestoreTargets` output names both vaults. */
  stack: string;
  /** Must equal the region of `--from`'s vault when given (a guard against restoring in the wrong region). */
  region?: string;
  /** JSON of `pulumi stack output --json --stack <dr stack>`, to restore without the Pulumi backend. */
  outputsFile?: string;
  dryRun: boolean;
  yes: boolean;
  /** Give up following after this many minutes (the restore job itself goes on). */
  timeoutMinutes: number;
  /** Seconds between polls of the restore job and the new database. */
  pollSeconds: number;
}

export type RestoreCommand = { kind: "help" } | { kind: "run"; arguments: RestoreArguments };

export const RESTORE_USAGE = `Usage:
  npm run restore -- --from <dr|primary> [--to-time <UTC time>] [options]
  (tsx runbook/cli.ts restore ...)

Restores the primary database from AWS Backup into a NEW DB instance (or Aurora cluster with its
writer) in the region of the chosen vault, in that region's DB subnet group and security group,
encrypted with that region's key, with that region's parameter group (in the DR region, the one the DR
stack's database uses). Nothing existing is changed.
  --from dr        the DR vault (DR region): the daily copies; restores the newest copy at or before --to-time
  --from primary   the primary vault (primary region): continuous backup; restores to --to-time to the
                   second, or to the latest restorable time (typically within 5 minutes of now)

Options:
  --to-time <time>            ISO 8601 with a zone, e.g. 2026-03-14T09:00:00Z (default: the latest); with
                              --from primary it must lie in the continuous backup's restorable window
                              (refused before anything is asked or started, naming the window)
  --recovery-point-arn <arn>  restore this recovery point instead of choosing one
  --name <identifier>         the new database's identifier (default <source>-restore-<yyyymmddhhmm>)
  --instance-class <class>    e.g. db.r6g.large (default: the recovery point's)
  --single-az                 a single-AZ instance (default: Multi-AZ like the stack's database)
  --stack <name>              DR stack (default dr): its output backupRestoreTargets names the vaults
  --outputs-file <path>       JSON of "pulumi stack output --json --stack <dr stack>" (no backend needed)
  --region <region>           refuse unless the chosen vault is in this region
  --dry-run                   choose the recovery point and print the restore; start nothing
  --yes                       do not ask for confirmation (required when stdin is not a terminal)
  --timeout-minutes <n>       stop following after n minutes (default 120, 5-1440); the restore goes on
  --poll-seconds <n>          seconds between polls (default 30, 5-300)
  -h, --help                  this text

Without --yes, you type "restore <identifier>" to start.

Exit codes: 0 restored (or dry run), 1 bad arguments, outputs, credentials, permissions or no
recovery point (nothing started), 2 the restore FAILED, was ABORTED or is still running at the timeout.`;

const OPTIONS = {
  from: { type: "string" },
  "to-time": { type: "string" },
  "recovery-point-arn": { type: "string" },
  name: { type: "string" },
  "instance-class": { type: "string" },
  "single-az": { type: "boolean" },
  stack: { type: "string" },
  region: { type: "string" },
  "outputs-file": { type: "string" },
  "dry-run": { type: "boolean" },
  yes: { type: "boolean" },
  "timeout-minutes": { type: "string" },
  "poll-seconds": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const STACK = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,199}$/;
/** `arn:<partition>:backup:<region>:<account>:recovery-point:<id>`; RDS recovery points are the snapshots' ARNs (`arn:aws:rds:...:snapshot:...`). */
export const RECOVERY_POINT_ARN = /^arn:aws[a-z-]*:(backup|rds):([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:[A-Za-z-]+[:/].+$/;
/** RDS instance and cluster identifiers: 1-63 letters, digits and hyphens, a letter first, no `--`, no trailing `-` (RDS API Reference, CreateDBInstance). */
export const DB_IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}$/;
const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
/** An instant with an explicit zone (Z or ±hh:mm), so that nobody restores to their local time by mistake. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export const DEFAULT_RESTORE_TIMEOUT_MINUTES = 120;
export const DEFAULT_RESTORE_POLL_SECONDS = 30;

function wholeNumber(option: string, text: string, minimum: number, maximum: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new ArgumentError(`--${option} must be a whole number from ${minimum} to ${maximum}, got "${text}"`);
  }
  return value;
}

/** True for a valid RDS identifier (`DB_IDENTIFIER`, and no trailing hyphen). */
export function isDbIdentifier(value: string): boolean {
  return DB_IDENTIFIER.test(value) && !value.endsWith("-");
}

/**
 * Parses the arguments after `restore`.
 * @throws ArgumentError for an unknown option or positional, a missing or unknown --from, a time
 *   without a zone, --to-time with --recovery-point-arn, a bad identifier, class, region, stack,
 *   recovery point ARN, timeout or poll interval.
 */
export function parseRestoreArguments(argv: readonly string[]): RestoreCommand {
  const values = parseSubcommandOptions(argv, OPTIONS, "restore");
  if (values.help) return { kind: "help" };

  const from = values.from;
  if (from === undefined) throw new ArgumentError("restore needs --from dr (the DR vault's copies) or --from primary (the primary vault's continuous backup)");
  if (!(RESTORE_SOURCES as readonly string[]).includes(from)) throw new ArgumentError(`--from must be dr or primary, got "${from}"`);

  let toTime: Date | undefined;
  const toTimeText = values["to-time"];
  if (toTimeText !== undefined) {
    if (!ZONED_TIME.test(toTimeText) || Number.isNaN(Date.parse(toTimeText))) {
      throw new ArgumentError(`--to-time must be an ISO 8601 time with a zone, e.g. 2026-03-14T09:00:00Z, got "${toTimeText}"`);
    }
    toTime = new Date(toTimeText);
  }
  const recoveryPointArn = values["recovery-point-arn"];
  if (recoveryPointArn !== undefined) {
    if (toTime) throw new ArgumentError("--to-time and --recovery-point-arn exclude each other: choose the time or the recovery point");
    if (!RECOVERY_POINT_ARN.test(recoveryPointArn)) {
      throw new ArgumentError(
        `--recovery-point-arn must be a recovery point ARN (arn:aws:backup:<region>:<account>:recovery-point:<id>), got "${recoveryPointArn}"`,
      );
    }
  }
  const name = values.name;
  if (name !== undefined && !isDbIdentifier(name)) {
    throw new ArgumentError(`--name must be 1-63 letters, digits or hyphens, starting with a letter, without "--" or a trailing hyphen, got "${name}"`);
  }
  const instanceClass = values["instance-class"];
  if (instanceClass !== undefined && !INSTANCE_CLASS.test(instanceClass)) {
    throw new ArgumentError(`--instance-class must be a DB instance class such as db.r6g.large, got "${instanceClass}"`);
  }
  const stack = values.stack ?? "dr";
  if (!STACK.test(stack)) throw new ArgumentError(`--stack must be a stack name such as dr, got "${stack}"`);
  const region = values.region;
  if (region !== undefined && !REGION.test(region)) throw new ArgumentError(`--region must be an AWS region such as us-west-2, got "${region}"`);
  if (region !== undefined && recoveryPointArn !== undefined && RECOVERY_POINT_ARN.exec(recoveryPointArn)?.[2] !== region) {
    throw new ArgumentError(`--region ${region} contradicts --recovery-point-arn, which is in ${RECOVERY_POINT_ARN.exec(recoveryPointArn)?.[2]}: drop one`);
  }

  return {
    kind: "run",
    arguments: {
      from: from as RestoreSource,
      ...(toTime ? { toTime } : {}),
      ...(recoveryPointArn ? { recoveryPointArn } : {}),
      ...(name ? { name } : {}),
      ...(instanceClass ? { instanceClass } : {}),
      singleAz: values["single-az"] ?? false,
      stack,
      ...(region ? { region } : {}),
      ...(values["outputs-file"] ? { outputsFile: values["outputs-file"] } : {}),
      dryRun: values["dry-run"] ?? false,
      yes: values.yes ?? false,
      timeoutMinutes: wholeNumber("timeout-minutes", values["timeout-minutes"] ?? String(DEFAULT_RESTORE_TIMEOUT_MINUTES), 5, 1440),
      pollSeconds: wholeNumber("poll-seconds", values["poll-seconds"] ?? String(DEFAULT_RESTORE_POLL_SECONDS), 5, 300),
    },
  };
}
