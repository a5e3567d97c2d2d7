/**
 * The runbook's exit codes and its one error type, and the translation of AWS SDK errors into
 * what an operator should do about them.
 */

/** Exit codes of `runbook/cli.ts`. */
export const EXIT = {
  /** The execution succeeded (or the dry run / help was printed). */
  succeeded: 0,
  /** Bad arguments, stack config, credentials or permissions; or the operator did not confirm. Nothing was started. */
  refused: 1,
  /** The execution ended FAILED, TIMED_OUT or ABORTED. */
  executionFailed: 2,
  /** Another execution of the workflow is running: this one was refused (or refused itself). */
  alreadyRunning: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as its message alone (no stack trace) and exits with `exitCode`. */
export class RunbookError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.refused,
  ) {
    super(message);
    this.name = "RunbookError";
  }
}

/** What to print when the SDK finds no credentials at all. */
export const NO_CREDENTIALS_MESSAGE = "No AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login";

/** Errors the SDK's credential chain throws when it has nothing to sign with (or an SSO token is missing or expired). */
const NO_CREDENTIALS = new Set(["CredentialsProviderError", "TokenProviderError"]);
/** Errors AWS returns when the credentials exist but are expired or invalid. */
const REJECTED_CREDENTIALS = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
]);
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException"]);

/** The SDK error's name (`error.name`, which the SDK sets to the service's error code), if any. */
export function awsErrorName(error: unknown): string | undefined {
  if (error && typeof error === "object" && "name" in error && typeof error.name === "string") return error.name;
  return undefined;
}

function awsErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for the errors that mean "no usable credentials" (missing, expired or rejected). */
export function isCredentialsError(error: unknown): boolean {
  const name = awsErrorName(error) ?? "";
  return NO_CREDENTIALS.has(name) || REJECTED_CREDENTIALS.has(name);
}

/** True for AccessDenied / AccessDeniedException. */
export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED.has(awsErrorName(error) ?? "");
}

/** What the failed call was: the IAM action (`states:StartExecution`), its resource and the region. */
export interface AwsCallContext {
  action: string;
  resource: string;
  region: string;
  /** The caller's ARN from STS, when known: named in AccessDenied messages. */
  caller?: string;
}

/**
 * Turns an AWS SDK error into a `RunbookError` with the operator's next step:
 * - missing credentials -> `NO_CREDENTIALS_MESSAGE`; expired or invalid ones -> refresh them; exit 1;
 * - AccessDenied -> which permission (`context.action` on `context.resource`) is missing; exit 1;
 * - StateMachineDoesNotExist -> the DR stack may not be deployed, or the region/stack is wrong; exit 1;
 * - ExecutionAlreadyExists -> an execution of that name exists; exit 3;
 * - anything else -> the call, the error name and message; exit 1.
 */
export function explainAwsError(error: unknown, context: AwsCallContext): RunbookError {
  const name = awsErrorName(error) ?? "Error";
  const message = awsErrorMessage(error);
  if (NO_CREDENTIALS.has(name)) return new RunbookError(`${NO_CREDENTIALS_MESSAGE}\n  (${name}: ${message})`);
  if (REJECTED_CREDENTIALS.has(name)) {
    return new RunbookError(`AWS rejected the credentials (${name}: ${message}): refresh them (aws sso login, or new keys) or check AWS_PROFILE`);
  }
  if (ACCESS_DENIED.has(name)) {
    return new RunbookError(
      `Access denied: ${context.action} on ${context.resource} is needed${context.caller ? ` by ${context.caller}` : ""}. ` +
        `Use a role that allows it (the DR operator role), or ask for it. (${name}: ${message})`,
    );
  }
  if (name === "StateMachineDoesNotExist") {
    return new RunbookError(
      `State machine ${context.resource} does not exist in ${context.region}: the DR stack may not be deployed, ` +
        `or --stack/--region point at the wrong stack or region (or pass --state-machine-arn). (${message})`,
    );
  }
  if (name === "ExecutionAlreadyExists") {
    return new RunbookError(`An execution with this name already exists for ${context.resource} (${message}); wait a second and retry`, EXIT.alreadyRunning);
  }
  return new RunbookError(`${context.action} on ${context.resource} in ${context.region} failed: ${name}: ${message}`);
}
