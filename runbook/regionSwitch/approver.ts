/**
 * The approver role of the plan's ManualApproval steps, assumed for ApprovePlanExecutionStep.
 *
 * ARC Region switch lets approve or decline a ManualApproval step whoever can use the role of its
 * execution block ("Anyone who has access to the role defined in the execution block can approve or
 * decline", ARC Developer Guide, "Manual approval execution block"); the DR stack declares that role
 * (`<plan>-approver`, allowed ApprovePlanExecutionStep on this plan: ARC Developer Guide, "Manual approval
 * execution block sample policy") and exports its ARN as `regionSwitchPlan.approverRoleArn`. The runbook
 * assumes it with STS AssumeRole and signs the approve call with the role's temporary credentials, so an
 * operator's own role needs `sts:AssumeRole` on it, not the approval permission itself.
 *
 * STS is asked in the region being activated, at its regional endpoint, never the global one
 * (`sts.amazonaws.com`, served from us-east-1): the AWS SDK v3's STS client resolves
 * `https://sts.<region>.amazonaws.com` unless `useGlobalEndpoint` is set (@aws-sdk/client-sts, endpoint rule
 * set `UseGlobalEndpoint`, default false; IAM User Guide, "Manage AWS STS in an AWS Region": regional endpoints
 * "reduce latency, build in redundancy"), as the stacks' providers send theirs to their own region
 * (stacks/regionalProvider.ts `stsRegion`). A failover with a us-east-1 primary then needs nothing of us-east-1.
 *
 * The credentials last `APPROVER_SESSION_SECONDS` (AssumeRole `DurationSeconds`, 900 to the role's maximum
 * session, default 3600: STS API Reference, AssumeRole); an approval asked later than that re-assumes the role
 * (`REFRESH_MARGIN_SECONDS` before expiry).
 */
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { awsErrorName, isAccessDenied, isCredentialsError, NO_CREDENTIALS_MESSAGE, RunbookError } from "../errors";

/** Seconds the assumed credentials last (AssumeRole `DurationSeconds`; 3600 is the API's default and every role's least maximum). */
export const APPROVER_SESSION_SECONDS = 3600;
/** Seconds before expiry the role is assumed again for the next approval. */
export const REFRESH_MARGIN_SECONDS = 300;
/** The role ARN pattern (IAM: `arn:<partition>:iam::<account>:role/<path/name>`). */
export const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** What AssumeRole needs: the region's STS client, the role, a session name, the clock. */
export interface ApproverRole {
  /** An STS client of the region being activated (regional endpoint; see the module comment). */
  sts: STSClient;
  region: string;
  roleArn: string;
  /** `RoleSessionName`: 2-64 characters of `[\w+=,.@-]` (STS API Reference, AssumeRole); shows in CloudTrail. */
  sessionName: string;
  now: () => Date;
}

/** The session name of an approval: `multi-region-dr-<workflow>-approval`, sanitized to AssumeRole's pattern and length. */
export function approverSessionName(workflow: string): string {
  return `multi-region-dr-${workflow}-approval`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

/**
 * The error of an AssumeRole that failed, naming the role and what to do.
 * @returns a RunbookError (exit 1).
 */
export function explainAssumeError(error: unknown, role: Pick<ApproverRole, "roleArn" | "region">): RunbookError {
  const name = awsErrorName(error) ?? "Error";
  const message = error instanceof Error ? error.message : String(error);
  if (isCredentialsError(error))
    return new RunbookError(`${NO_CREDENTIALS_MESSAGE}\n  (${name}: ${message}) The approver role ${role.roleArn} cannot be assumed without them.`);
  const fix = isAccessDenied(error)
    ? `Your credentials may not assume it: ask for sts:AssumeRole on ${role.roleArn} (its trust policy trusts this account's principals that IAM allows), or use a role that has it.`
    : "Check the role exists (pulumi stack output regionSwitchPlan) and STS answers in that region.";
  return new RunbookError(`Cannot assume the approver role ${role.roleArn} through STS in ${role.region} (${name}: ${message}). ${fix}`);
}

/**
 * A credential provider of the approver role: AssumeRole on first use, again when the credentials are within
 * `REFRESH_MARGIN_SECONDS` of expiry.
 * @returns a provider whose call throws RunbookError (exit 1, `explainAssumeError`) when the role cannot be assumed.
 */
export function approverCredentials(role: ApproverRole): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    const fresh = cached?.expiration && cached.expiration.getTime() - REFRESH_MARGIN_SECONDS * 1000 > role.now().getTime();
    if (cached && fresh) return cached;
    let answer;
    try {
      answer = await role.sts.send(
        new AssumeRoleCommand({ RoleArn: role.roleArn, RoleSessionName: role.sessionName, DurationSeconds: APPROVER_SESSION_SECONDS }),
      );
    } catch (error) {
      throw explainAssumeError(error, role);
    }
    const credentials = answer.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
      throw new RunbookError(`STS in ${role.region} returned no credentials for the approver role ${role.roleArn}.`);
    cached = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      expiration: credentials.Expiration ?? new Date(role.now().getTime() + APPROVER_SESSION_SECONDS * 1000),
    };
    return cached;
  };
}
