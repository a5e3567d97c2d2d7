/**
 * How `npm run synth` reports a failure: a user's mistake (an option, a stack file, the config,
 * the policy config) as its message and exit 1, never a stack trace; anything else as an internal
 * error, one line and exit 4, with the stack trace only under `--debug`.
 */
import { ConfigError } from "../config/errors";
import { EXIT_CODES, OptionError, UsageError } from "./cliArgs";
import { StackFileError } from "./stackFile";

/** What the CLI prints on stderr and the exit code it returns. */
export interface Failure {
  exitCode: number;
  message: string;
}

/**
 * Whether `error` is the user's to fix: a command-line mistake, a bad option value, a project or stack file problem, a
 * config error, an invalid policy-pack config (`PolicyConfigError`) or a price file that cannot be
 * read (`PriceDataError`, cost/priceTable.ts), the last two known by name so that this module loads
 * without the policy pack or the price data.
 */
export function isUserError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof OptionError ||
    error instanceof ConfigError ||
    (error instanceof Error && (error.name === "PolicyConfigError" || error.name === "PriceDataError"))
  );
}

/**
 * The report of a failed run.
 * @param subjects how to name each stack file (absolute path -> `--primary x.yaml`), for a StackFileError raised during synthesis.
 * @param debug print an internal error's stack trace.
 */
export function describeFailure(
  error: unknown,
  { debug = false, subjects = new Map<string, string>() }: { debug?: boolean; subjects?: ReadonlyMap<string, string> } = {},
): Failure {
  if (error instanceof StackFileError) {
    const subject = subjects.get(error.file);
    return { exitCode: EXIT_CODES.config.code, message: subject ? error.relabel(subject).message : error.message };
  }
  if (isUserError(error)) return { exitCode: EXIT_CODES.config.code, message: error.message };
  if (debug)
    return { exitCode: EXIT_CODES.internal.code, message: `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split("\n").find((line) => line.trim() !== "") ?? (error instanceof Error ? error.name : "unknown error");
  return {
    exitCode: EXIT_CODES.internal.code,
    message: `internal error: ${firstLine.trim()} (a bug: please report it; rerun with --debug for the stack trace)`,
  };
}
