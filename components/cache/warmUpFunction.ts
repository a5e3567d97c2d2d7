/**
 * CacheWarmUp: the function the failover invokes to warm a regional DR cache up
 * (recovery/lambda/cacheWarmUp.mjs; recovery/cacheSteps.ts). It runs in the DR region outside any VPC
 * (it requests the application's public name, like a user), with a role that may only write its own
 * log group (KMS-encrypted, `/aws/lambda/<function name>`); the state machine's role is allowed to
 * invoke it (recovery/permissions.ts, from the definition). No retries of its own: the workflow
 * invokes it synchronously once (`maximumRetryAttempts` applies to asynchronous invocations only, and
 * none are made).
 *
 * Children: `<name>-logs`, `<name>-role`, `<name>-policy`, `<name>-function`.
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WARM_UP_TIMEOUT_SECONDS } from "../../recovery/cacheSteps";
import { checkFunctionName, LAMBDA_SOURCE_DIRECTORY } from "../bundledFunction";
import { serviceTrustPolicy } from "../policyDocuments";

/** The function's source, run as is (Node.js globals only). */
export const WARM_UP_FUNCTION_SOURCE = path.join(LAMBDA_SOURCE_DIRECTORY, "cacheWarmUp.mjs");

export interface CacheWarmUpArgs {
  /** Function name, at most 64 characters (Lambda's limit). */
  functionName: string;
  /** The DR region's KMS key ARN: the log group. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days of function logs kept (a CloudWatch Logs retention value). */
  logRetentionDays: number;
}

/** The role's policy: its own log group's streams and events only (Service Authorization Reference, CloudWatch Logs: `log-stream`). */
export function warmUpFunctionPolicy(logGroupArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "WriteItsOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` }],
  });
}

export class CacheWarmUp extends pulumi.ComponentResource {
  readonly functionArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;

  /** @throws RangeError when the function name is over 64 characters. */
  constructor(name: string, args: CacheWarmUpArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:cache:CacheWarmUp", name, {}, opts);
    checkFunctionName("CacheWarmUp", name, args.functionName);
    const child = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")) }, child);
    const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: logGroup.arn.apply(warmUpFunctionPolicy) }, child);
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        description: "Warms the DR cache up during a failover: GETs the URLs the app names (multi-region-dr)",
        runtime: "nodejs22.x",
        handler: "cacheWarmUp.handler",
        code: new pulumi.asset.AssetArchive({ "cacheWarmUp.mjs": new pulumi.asset.FileAsset(WARM_UP_FUNCTION_SOURCE) }),
        role: role.arn,
        timeout: WARM_UP_TIMEOUT_SECONDS,
        memorySize: 128,
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      },
      { parent: this, dependsOn: [policy, logGroup] },
    );
    this.functionArn = fn.arn;
    this.functionName = fn.name;
    this.registerOutputs({ functionArn: this.functionArn, functionName: this.functionName });
  }
}
