/**
 * Finding the state machine of a workflow: `--state-machine-arn` when given; otherwise the region
 * (from `--region` or the stack file), the account and partition of the caller (STS
 * GetCallerIdentity) and the name every DR stack gives it (`recovery/names.ts`).
 */
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { resourcePrefix } from "../config/conventions";
import { stateMachineArn, stateMachineName, type Workflow } from "../recovery/names";
import { explainAwsError, RunbookError } from "./errors";
import type { StackSettings } from "./stack";

/** The parts of `arn:<partition>:states:<region>:<account>:stateMachine:<name>`. */
export interface StateMachineArnParts {
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;

/** Splits a state machine ARN; undefined when `arn` is not one. */
export function parseStateMachineArn(arn: string): StateMachineArnParts | undefined {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, name] = match;
  return { partition, region, accountId, name };
}

/** The partition a region belongs to, by its name (`us-gov-*`, `cn-*`, `us-iso*`); a guess used only for display. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}

/** The name the DR stack `stack` gives the workflow's state machine, e.g. `multi-region-dr-dr-dr-failover`. */
export function expectedStateMachineName(stack: string, workflow: Workflow): string {
  return stateMachineName(resourcePrefix(stack, "dr"), workflow);
}

/** The ARN with the account left open, for messages when the caller's account is unknown. */
export function stateMachineArnPattern(stack: string, workflow: Workflow, region: string): string {
  return stateMachineArn(partitionOfRegion(region), region, "<account>", expectedStateMachineName(stack, workflow));
}

/** The region the runbook works in, and where it came from. */
export interface RegionChoice {
  region: string;
  source: string;
}

/**
 * The region: that of `--state-machine-arn`, else `--region`, else `aws:region` of the stack file.
 * @throws RunbookError (exit 1) when none of them gives one.
 */
export function resolveRegion(options: { region?: string; stateMachineArn?: string; settings: StackSettings }): RegionChoice {
  const fromArn = options.stateMachineArn ? parseStateMachineArn(options.stateMachineArn)?.region : undefined;
  if (fromArn) return { region: fromArn, source: "--state-machine-arn" };
  if (options.region) return { region: options.region, source: "--region" };
  const file = options.settings.stackFile;
  if (!options.settings.found) throw new RunbookError(`${file} not found: pass --stack <name> of an existing Pulumi.<name>.yaml, or --region`);
  if (!options.settings.region) throw new RunbookError(`${file} has no aws:region: set it, or pass --region`);
  return { region: options.settings.region, source: `aws:region in Pulumi.${options.settings.stack}.yaml` };
}

/** A located state machine. */
export interface StateMachineLocation {
  workflow: Workflow;
  arn: string;
  name: string;
  region: string;
  partition: string;
  accountId: string;
  /** The caller's ARN (STS), when it was asked. */
  caller?: string;
  /** How the ARN was found: `--state-machine-arn` or `caller identity`. */
  source: string;
}

/**
 * Locates the workflow's state machine. With `stateMachineArn`, no call is made. Otherwise one STS
 * GetCallerIdentity call gives the account and, from the caller's ARN, the partition (`aws`,
 * `aws-us-gov`, `aws-cn`).
 * @throws RunbookError (exit 1) for missing or rejected credentials and any STS error, with the fix.
 */
export async function locateStateMachine(request: {
  workflow: Workflow;
  stack: string;
  region: string;
  stateMachineArn?: string;
  sts: STSClient;
}): Promise<StateMachineLocation> {
  if (request.stateMachineArn) {
    const parts = parseStateMachineArn(request.stateMachineArn);
    if (!parts) throw new RunbookError(`--state-machine-arn ${request.stateMachineArn} is not a state machine ARN`);
    return { workflow: request.workflow, arn: request.stateMachineArn, ...parts, source: "--state-machine-arn" };
  }
  let identity;
  try {
    identity = await request.sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw explainAwsError(error, { action: "sts:GetCallerIdentity", resource: "the caller's identity", region: request.region });
  }
  const accountId = identity?.Account;
  const partition = identity?.Arn?.split(":")[1];
  if (!accountId || !partition) throw new RunbookError(`STS GetCallerIdentity in ${request.region} returned no account or ARN; pass --state-machine-arn`);
  const name = expectedStateMachineName(request.stack, request.workflow);
  return {
    workflow: request.workflow,
    arn: stateMachineArn(partition, request.region, accountId, name),
    name,
    region: request.region,
    partition,
    accountId,
    ...(identity.Arn ? { caller: identity.Arn } : {}),
    source: "caller identity",
  };
}

/** The Step Functions console page of an execution (commercial and GovCloud partitions; undefined elsewhere). */
export function executionConsoleUrl(executionArn: string, region: string, partition: string): string | undefined {
  const host = partition === "aws" ? `${region}.console.aws.amazon.com` : partition === "aws-us-gov" ? "console.amazonaws-us-gov.com" : undefined;
  return host ? `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}` : undefined;
}
