/**
 * ReplicationHeartbeat: one region's replication heartbeat function (instance mode, PostgreSQL or
 * MySQL), beside that region's database in its VPC.
 *
 * Why: RDS for PostgreSQL computes a replica's lag as "currentTime - lastCommitedTransactionTimestamp",
 * and "if no user transactions are occurring on the source DB instance, the associated PostgreSQL
 * read replica reports a replication lag of up to five minutes" (RDS User Guide, "Working with read
 * replicas for Amazon RDS for PostgreSQL"). On an idle database the lag alarm would flap and a
 * planned switchover's "lag 0 after writes stop" would never come. The function commits a heartbeat
 * on whichever database of the pair is writable, every `HEARTBEAT_INTERVAL_SECONDS`, so the lag is
 * always the lag of real commits; and the workflows prove a replica has caught up by reading the
 * heartbeat on it: a heartbeat committed after the writes stopped, once replayed, means every earlier
 * commit is replayed (recovery/lambda/replicationHeartbeat.mjs).
 *
 * What it builds: a security group (HTTPS out for the AWS APIs through the region's NAT, the engine
 * port to the VPC) and an ingress rule on the database's security group from it; a role with the
 * Lambda VPC execution policy plus exactly what the function calls (`rds:DescribeDBInstances` on the
 * account's instances, `secretsmanager:GetSecretValue` on RDS-managed secrets `rds!db-*`, `kms:Decrypt`
 * through Secrets Manager only); a KMS-encrypted log group; the function (Node.js 22, bundled with its
 * database drivers by esbuild); and an EventBridge schedule invoking it every minute with
 * `{"action":"beat"}`. A replica's function finds its database read-only and writes nothing, so
 * both regions run the same thing and the writer follows the database role across failover and
 * failback with no change.
 *
 * Cost: Lambda duration while the database is writable, about 55 s a minute at 128 MB (about
 * 300,000 GB-seconds a month, some $5 at the us-east-1 x86 price of $0.0000166667 per GB-second,
 * AWS Lambda pricing, before the free tier); on a read replica each run ends at once. Beats pause
 * for about 10 s a minute, so PostgreSQL's ReplicaLag on an idle source reads up to about 10 s plus
 * the replication delay; the RPO (the lag alarm's threshold) must stay above that (config rule).
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type Engine } from "../config/schema";
import { HEARTBEAT_FUNCTION_TIMEOUT_SECONDS, HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_SCHEDULE, HEARTBEAT_WINDOW_SECONDS } from "../recovery/heartbeat";
import {
  bundleFunction,
  checkFunctionName,
  databaseFunction,
  type DatabaseFunctionPlacement,
  LAMBDA_RUNTIME_CA_BUNDLE,
  LAMBDA_SOURCE_DIRECTORY,
  placementOf,
} from "./bundledFunction";
import { policyDocument, type PolicyDocument } from "./policyDocuments";

export { LAMBDA_RUNTIME_CA_BUNDLE } from "./bundledFunction";

/** The function's source: one ES module, bundled with `pg` and `mysql2` (the AWS SDK v3 is the runtime's). */
export const HEARTBEAT_FUNCTION_SOURCE = path.join(LAMBDA_SOURCE_DIRECTORY, "replicationHeartbeat.mjs");
/**
 * The database the PostgreSQL heartbeat connects to: `postgres` exists on every RDS for PostgreSQL
 * instance, and physical replication copies every database of the instance to its replicas.
 */
export const HEARTBEAT_POSTGRES_DATABASE = "postgres";

/** Function name e.g. `app-prod-primary-heartbeat`; network, port, key and log retention as DatabaseFunctionPlacement says. */
export interface ReplicationHeartbeatArgs extends DatabaseFunctionPlacement {
  /** The region of the function and its database, e.g. `us-east-1`. */
  region: string;
  /** This region's RDS instance (the primary, a read replica, or a promoted replica). */
  databaseIdentifier: pulumi.Input<string>;
  /** The ARNs of this region's instance and of the other region's (its replication source or replica), whose secrets the function may read. */
  databaseArns: pulumi.Input<string>[];
  engine: Engine;
}

/**
 * The function's permissions beyond the VPC execution policy, limited to the pair's two databases
 * (`databaseArns`: this region's and the other region's, whose secret a replica's credentials are):
 * `rds:DescribeDBInstances` on them; `secretsmanager:GetSecretValue` on RDS-managed secrets
 * (`rds!db-*`, RDS User Guide, "Password management with Amazon RDS and AWS Secrets Manager") whose
 * `aws:rds:primaryDBInstanceArn` tag, which RDS sets to the instance the secret belongs to, names one
 * of them; `kms:Decrypt` through Secrets Manager only (the secrets are encrypted with each region's key).
 */
export function heartbeatFunctionPolicy(partition: string, accountId: string, databaseArns: readonly string[]): PolicyDocument {
  return policyDocument([
    { Sid: "DescribeTheDatabases", Effect: "Allow", Action: "rds:DescribeDBInstances", Resource: [...databaseArns] },
    {
      Sid: "ReadTheirMasterUserSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: `arn:${partition}:secretsmanager:*:${accountId}:secret:rds!db-*`,
      Condition: { StringEquals: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": [...databaseArns] } },
    },
    {
      Sid: "DecryptTheSecretThroughSecretsManager",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: `arn:${partition}:kms:*:${accountId}:key/*`,
      Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
    },
  ]);
}

/** The function's environment (names from recovery/lambda/replicationHeartbeat.mjs `HEARTBEAT_ENVIRONMENT`). */
export function heartbeatEnvironment(databaseIdentifier: string, engine: Engine): Record<string, string> {
  return {
    DATABASE_IDENTIFIER: databaseIdentifier,
    DATABASE_ENGINE: engine,
    ...(engine === "postgres" ? { DATABASE_NAME: HEARTBEAT_POSTGRES_DATABASE } : {}),
    HEARTBEAT_INTERVAL_SECONDS: String(HEARTBEAT_INTERVAL_SECONDS),
    HEARTBEAT_WINDOW_SECONDS: String(HEARTBEAT_WINDOW_SECONDS),
    NODE_EXTRA_CA_CERTS: LAMBDA_RUNTIME_CA_BUNDLE,
  };
}

/** The function's code: the source bundled by esbuild (components/bundledFunction.ts bundleFunction). */
export function heartbeatFunctionBundle(): string {
  return bundleFunction(HEARTBEAT_FUNCTION_SOURCE);
}

export class ReplicationHeartbeat extends pulumi.ComponentResource {
  readonly functionArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  /** @throws RangeError when the function name is over 64 characters (Lambda's limit). */
  constructor(name: string, args: ReplicationHeartbeatArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:database:ReplicationHeartbeat", name, {}, opts);
    checkFunctionName("ReplicationHeartbeat", name, args.functionName);
    const child = { parent: this };
    const { fn, securityGroup } = databaseFunction(
      name,
      {
        ...placementOf(args),
        description: "Replication heartbeat: commits a heartbeat on the writable database; reads it on a replica for the recovery workflows",
        purpose: "replication heartbeat",
        source: HEARTBEAT_FUNCTION_SOURCE,
        policy: ({ partition, accountId }) =>
          pulumi.all(args.databaseArns).apply((arns) => JSON.stringify(heartbeatFunctionPolicy(partition, accountId, [...new Set(arns)]))),
        environment: pulumi.output(args.databaseIdentifier).apply((identifier) => heartbeatEnvironment(identifier, args.engine)),
        // Ends before the next scheduled run starts (60 s apart).
        timeoutSeconds: HEARTBEAT_FUNCTION_TIMEOUT_SECONDS,
        memorySize: 128,
      },
      this,
    );
    // A failed run is not retried (Lambda retries an asynchronous invocation twice by default): the next minute's run replaces it.
    new aws.lambda.FunctionEventInvokeConfig(`${name}-no-retries`, { functionName: fn.name, maximumRetryAttempts: 0 }, child);
    const schedule = new aws.cloudwatch.EventRule(
      `${name}-schedule`,
      {
        // EventBridge rule names are at most 64 characters (EventBridge API Reference, PutRule).
        name: `${args.functionName.slice(0, 64 - "-schedule".length)}-schedule`,
        description: "Replication heartbeat, every minute",
        scheduleExpression: HEARTBEAT_SCHEDULE,
      },
      child,
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: schedule.arn },
      child,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      { rule: schedule.name, arn: fn.arn, input: JSON.stringify({ action: "beat" }) },
      { parent: this, dependsOn: [permission] },
    );

    this.functionArn = fn.arn;
    this.functionName = fn.name;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ functionArn: this.functionArn, securityGroupId: this.securityGroupId });
  }
}
