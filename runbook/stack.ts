/**
 * What the runbook reads from the DR stack's file `Pulumi.<stack>.yaml`: its region and its
 * declared RTO. Read offline (no Pulumi CLI, no backend), with `readStackConfigFile`.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_NAME } from "../config/conventions";
import { readStackConfigFile } from "../synth/stackFile";
import { RunbookError } from "./errors";

/** The RTO the runbook compares against when the stack file declares none, seconds (the config default). */
export const DEFAULT_RTO_SECONDS = 900;

/** The DR stack's settings the runbook uses. */
export interface StackSettings {
  stack: string;
  /** Absolute path of `Pulumi.<stack>.yaml`. */
  stackFile: string;
  /** Whether the file exists. */
  found: boolean;
  /** `aws:region`, when set. */
  region?: string;
  /** `recovery.rtoSeconds`, or `DEFAULT_RTO_SECONDS`. */
  rtoSeconds: number;
  /** Where `rtoSeconds` came from, for the report. */
  rtoSource: string;
}

/**
 * Reads `Pulumi.<stack>.yaml` in `projectDirectory`. A missing file is not an error here (the
 * region may come from `--region`); `found` says so.
 * @throws RunbookError (exit 1) when the file exists but cannot be read (not YAML, a `secure:` value).
 */
export function readStackSettings(projectDirectory: string, stack: string): StackSettings {
  const stackFile = path.join(projectDirectory, `Pulumi.${stack}.yaml`);
  const base = { stack, stackFile, rtoSeconds: DEFAULT_RTO_SECONDS, rtoSource: `default ${DEFAULT_RTO_SECONDS} s` };
  if (!existsSync(stackFile)) return { ...base, found: false };
  let config: Record<string, string>;
  try {
    config = readStackConfigFile(stackFile);
  } catch (error) {
    throw new RunbookError(`Cannot read ${stackFile}: ${(error as Error).message}. Pass --region (and --state-machine-arn) to do without it.`);
  }
  const region = config["aws:region"];
  let rtoSeconds = DEFAULT_RTO_SECONDS;
  let rtoSource = base.rtoSource;
  const recoveryText = config[`${PROJECT_NAME}:recovery`];
  if (recoveryText !== undefined) {
    let recovery: unknown;
    try {
      recovery = JSON.parse(recoveryText);
    } catch {
      recovery = undefined;
    }
    const declared = recovery && typeof recovery === "object" ? (recovery as { rtoSeconds?: unknown }).rtoSeconds : undefined;
    if (typeof declared === "number" && Number.isInteger(declared) && declared > 0) {
      rtoSeconds = declared;
      rtoSource = `recovery.rtoSeconds in ${path.basename(stackFile)}`;
    }
  }
  return { ...base, found: true, ...(region ? { region } : {}), rtoSeconds, rtoSource };
}
