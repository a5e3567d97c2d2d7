/**
 * The calls around starting an execution: whether another execution is running (ListExecutions,
 * read-only) and StartExecution itself, with their errors explained.
 */
import { type ExecutionListItem, ListExecutionsCommand, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { awsErrorName, EXIT, explainAwsError, isAccessDenied, isCredentialsError, RunbookError } from "./errors";
import type { ExecutionInput } from "./execution";
import type { StateMachineLocation } from "./locate";

/**
 * The newest RUNNING execution of the state machine, if any. Advisory: the workflows refuse to run
 * beside another execution themselves; this only avoids starting one that would refuse.
 * @returns undefined when none runs, and also when the caller may not list executions (AccessDenied).
 * @throws RunbookError (exit 1) for missing or rejected credentials and StateMachineDoesNotExist.
 */
export async function findRunningExecution(sfn: SFNClient, location: StateMachineLocation): Promise<ExecutionListItem | undefined> {
  try {
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: location.arn, statusFilter: "RUNNING", maxResults: 1 }));
    return listed?.executions?.[0];
  } catch (error) {
    if (isAccessDenied(error)) return undefined;
    const explained = explainAwsError(error, {
      action: "states:ListExecutions",
      resource: location.arn,
      region: location.region,
      ...(location.caller ? { caller: location.caller } : {}),
    });
    if (isCredentialsError(error) || awsErrorName(error) === "StateMachineDoesNotExist") throw explained;
    return undefined;
  }
}

/** The refusal for a running execution: exit 3, nothing started. */
export function alreadyRunningError(running: ExecutionListItem, workflow: string): RunbookError {
  const since = running.startDate ? ` since ${running.startDate.toISOString()}` : "";
  return new RunbookError(
    `Another ${workflow} execution is running${since}: ${running.name ?? running.executionArn}\n  ${running.executionArn ?? ""}\n` +
      "Nothing was started. Follow it in the Step Functions console, or wait for it to end (an automatic failover also holds its slot while it cools down).",
    EXIT.alreadyRunning,
  );
}

/**
 * StartExecution of `input` under `name`.
 * @returns the execution's ARN and start time.
 * @throws RunbookError: exit 1 for credentials, AccessDenied (names states:StartExecution on the
 * state machine), StateMachineDoesNotExist and other errors; exit 3 for ExecutionAlreadyExists.
 */
export async function startExecution(
  sfn: SFNClient,
  location: StateMachineLocation,
  name: string,
  input: ExecutionInput,
  now: () => Date,
): Promise<{ executionArn: string; startDate: Date }> {
  let started;
  try {
    started = await sfn.send(new StartExecutionCommand({ stateMachineArn: location.arn, name, input: JSON.stringify(input) }));
  } catch (error) {
    throw explainAwsError(error, {
      action: "states:StartExecution",
      resource: location.arn,
      region: location.region,
      ...(location.caller ? { caller: location.caller } : {}),
    });
  }
  if (!started?.executionArn) throw new RunbookError(`StartExecution of ${location.arn} returned no execution ARN`);
  return { executionArn: started.executionArn, startDate: started.startDate ?? now() };
}
