/**
 * AppDatabaseUser: the app's own database user, made in the database by a function the deploy
 * invokes (recovery/lambda/appDatabaseUser.mjs), in the region of the WRITABLE database.
 *
 * Why: the app must never connect as the master user. The RDS-managed master secret cannot be
 * replicated to the DR region and a promoted replica gets a new managed password
 * (components/replicatedDatabase.ts `regionalMasterSecret`); Aurora's master secret is the cluster's
 * (components/auroraGlobalCluster.ts). The app user's role lives in the database itself, so
 * PostgreSQL's physical replication, MySQL's binlog replication and Aurora's storage replication carry
 * it to the DR copy, and the password kept in the app credentials secret (replicated to the DR region
 * under the same name) works there before and after promotion.
 *
 * What it builds: the function beside the database (components/bundledFunction.ts: security group,
 * ingress rule on the database's group, KMS-encrypted log group, role with the Lambda VPC execution
 * policy plus exactly what the function calls, appDatabaseUserPolicy) and an `aws.lambda.Invocation`
 * with `{"action":"ensure","appCredentialsVersionId":<the version>}`. The provider invokes the
 * function (RequestResponse) when the invocation is created and, as `triggers` is ForceNew and a
 * changed `input` forces a new invocation in the default CREATE_ONLY scope, whenever the app secret's
 * version changes (and only then: see the triggers); a function error fails the deploy with the
 * function's answer (terraform-provider-aws internal/service/lambda/invocation.go: `triggers`
 * ForceNew, customizeDiffInputChangeWithCreateOnlyScope, `output.FunctionError`). Deleting the
 * component invokes nothing (CREATE_ONLY): the user and its data stay in the database.
 *
 * Cost: one run per deploy that changes it or rotation, a few seconds at 128 MB: nothing to speak of;
 * the log group's storage is bytes.
 */
import { arnRegion } from "../invariants/plan";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type Engine } from "../config/schema";
import { APP_USER_ENVIRONMENT } from "../recovery/lambda/appDatabaseUser.mjs";
import * as bundled from "./bundledFunction";
import { policyDocument, type PolicyDocument, type PolicyStatement } from "./policyDocuments";

/** The function's source: one ES module, bundled with `pg` and `mysql2` (the AWS SDK v3 is the runtime's). */
export const APP_USER_FUNCTION_SOURCE = path.join(bundled.LAMBDA_SOURCE_DIRECTORY, "appDatabaseUser.mjs");

/** Seconds the function may run: a connection (10 s at most), two secret reads and a few statements. */
export const APP_USER_FUNCTION_TIMEOUT_SECONDS = 60;

/** The database whose app user is made: an RDS instance, or an Aurora cluster (user-managed master secret). */
export type AppDatabase =
  /** Instance mode: the writable instance; its master credentials are its RDS-managed secret (DescribeDBInstances `MasterUserSecret`). */
  | { kind: "instance"; identifier: pulumi.Input<string>; arn: pulumi.Input<string> }
  /** Aurora: the cluster's master secret of this region (its ARN) and the writer endpoint. */
  | { kind: "cluster"; masterSecretArn: pulumi.Input<string>; endpoint: pulumi.Input<string> };

/** The same, resolved (what the policy and the environment are built from). */
export type ResolvedAppDatabase = { kind: "instance"; identifier: string; arn: string } | { kind: "cluster"; masterSecretArn: string; endpoint: string };

/**
 * Function name e.g. `app-prod-primary-db-user`; network, port (1-65535), key and log retention as
 * DatabaseFunctionPlacement (components/bundledFunction.ts) says.
 */
export interface AppDatabaseUserArgs extends bundled.DatabaseFunctionPlacement {
  /** The region of the writable database and of the function, e.g. `us-east-1`. */
  region: string;
  engine: Engine;
  /** The app's database (a letter, then letters, digits and `_`, at most 63), e.g. `app`: PostgreSQL's CONNECT grant and schema, MySQL's GRANT. */
  databaseName: string;
  database: AppDatabase;
  /** The app credentials secret of this region (JSON `username`, `password`) and the version the deploy wrote. */
  appCredentials: { secretArn: pulumi.Input<string>; versionId: pulumi.Input<string> };
  /** Resources the invocation must wait for beyond its inputs, e.g. the Aurora cluster's writer instance (the endpoint answers only once it exists). */
  databaseReady?: pulumi.Input<pulumi.Resource>[];
}

/** A database name the function accepts (recovery/lambda/appDatabaseUser.mjs checkAppUser). */
const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/**
 * Refuses a secret of another region: each region's function reads that region's copy.
 * @throws RangeError naming the argument.
 */
function checkRegionalSecret(argument: string, arn: string, region: string): void {
  if (arnRegion(arn) !== region) {
    throw new RangeError(`AppDatabaseUser: ${argument} ${arn} is not a secret of ${region}: the function reads its own region's copy`);
  }
}

/**
 * The function's permissions beyond the VPC execution policy:
 * - instance mode: `rds:DescribeDBInstances` on the instance, and `secretsmanager:GetSecretValue` on
 *   RDS-managed secrets of its region (`rds!db-*`, RDS User Guide, "Password management with Amazon
 *   RDS and AWS Secrets Manager") tagged by RDS `aws:rds:primaryDBInstanceArn` = the instance;
 * - cluster mode: GetSecretValue on the cluster's master secret;
 * - always: GetSecretValue on the app credentials secret, and `kms:Decrypt` only through Secrets
 *   Manager of this region (`kms:ViaService`, AWS KMS Developer Guide, "kms:ViaService").
 * @throws RangeError when a secret ARN is not of `region` (each region's function reads its own copy).
 */
export function appDatabaseUserPolicy(
  partition: string,
  accountId: string,
  region: string,
  database: { kind: "instance"; arn: string } | { kind: "cluster"; masterSecretArn: string },
  appSecretArn: string,
): PolicyDocument {
  checkRegionalSecret("appCredentials.secretArn", appSecretArn, region);
  const master: PolicyStatement[] =
    database.kind === "instance"
      ? [
          { Sid: "DescribeTheDatabase", Effect: "Allow", Action: "rds:DescribeDBInstances", Resource: database.arn },
          {
            Sid: "ReadItsMasterUserSecret",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: `arn:${partition}:secretsmanager:${region}:${accountId}:secret:rds!db-*`,
            Condition: { StringEquals: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": database.arn } },
          },
        ]
      : (checkRegionalSecret("database.masterSecretArn", database.masterSecretArn, region),
        [{ Sid: "ReadTheClusterMasterSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: database.masterSecretArn }]);
  return policyDocument([
    ...master,
    { Sid: "ReadTheAppCredentials", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: appSecretArn },
    {
      Sid: "DecryptTheSecretsThroughSecretsManager",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: `arn:${partition}:kms:${region}:${accountId}:key/*`,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
    },
  ]);
}

/** The function's environment (names from recovery/lambda/appDatabaseUser.mjs `APP_USER_ENVIRONMENT`). */
export function appDatabaseUserEnvironment(
  engine: Engine,
  databaseName: string,
  port: number,
  database: ResolvedAppDatabase,
  appSecretArn: string,
): Record<string, string> {
  const names = APP_USER_ENVIRONMENT;
  return {
    [names.engine]: engine,
    [names.databaseName]: databaseName,
    ...(database.kind === "instance"
      ? { [names.databaseIdentifier]: database.identifier }
      : { [names.masterSecretArn]: database.masterSecretArn, [names.endpoint]: database.endpoint, [names.port]: String(port) }),
    [names.appSecretArn]: appSecretArn,
    NODE_EXTRA_CA_CERTS: bundled.LAMBDA_RUNTIME_CA_BUNDLE,
  };
}

/**
 * Refuses arguments the function could not use.
 * @throws RangeError naming the argument.
 */
function checkArgs(name: string, args: AppDatabaseUserArgs): void {
  bundled.checkFunctionName("AppDatabaseUser", name, args.functionName);
  const problems: string[] = [];
  if (args.engine !== "postgres" && args.engine !== "mysql") problems.push(`engine must be postgres or mysql, got ${JSON.stringify(args.engine)}`);
  if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) problems.push(`port must be a TCP port (1-65535), got ${args.port}`);
  if (!DATABASE_NAME.test(args.databaseName)) {
    problems.push(`databaseName must start with a letter and use letters, digits and _ (at most 63), got ${JSON.stringify(args.databaseName)}`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region)) problems.push(`region must be an AWS region such as us-east-1, got ${JSON.stringify(args.region)}`);
  if (problems.length > 0) throw new RangeError(`AppDatabaseUser ${name}: ${problems.join("; ")}`);
}

export class AppDatabaseUser extends pulumi.ComponentResource {
  readonly functionArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  /** The function's JSON answer of the last invocation (recovery/lambda/appDatabaseUser.mjs AppUserSummary; no secrets). */
  readonly result: pulumi.Output<string>;

  /**
   * @throws RangeError when the function name is over 64 characters, the engine, port, database name
   *   or region is not one the function can use; at deploy, when a secret ARN is not of `region`.
   */
  constructor(name: string, args: AppDatabaseUserArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:database:AppDatabaseUser", name, {}, opts);
    checkArgs(name, args);
    const database = pulumi.output(args.database) as pulumi.Output<ResolvedAppDatabase>;
    const appSecretArn = pulumi.output(args.appCredentials.secretArn);
    const environment = pulumi
      .all([database, appSecretArn])
      .apply(([resolved, secretArn]) => appDatabaseUserEnvironment(args.engine, args.databaseName, args.port, resolved, secretArn));
    const { fn, securityGroup, ingress } = bundled.databaseFunction(
      name,
      {
        ...bundled.placementOf(args),
        description: "App database user: makes the app's own user on the writable database with the app credentials secret's password",
        purpose: "app database user",
        source: APP_USER_FUNCTION_SOURCE,
        policy: ({ partition, accountId }) =>
          pulumi
            .all([database, appSecretArn])
            .apply(([resolved, secretArn]) => JSON.stringify(appDatabaseUserPolicy(partition, accountId, args.region, resolved, secretArn))),
        environment,
        timeoutSeconds: APP_USER_FUNCTION_TIMEOUT_SECONDS,
        memorySize: 128,
      },
      this,
    );
    const versionId = pulumi.output(args.appCredentials.versionId);
    const invocation = new aws.lambda.Invocation(
      `${name}-invocation`,
      {
        functionName: fn.name,
        input: versionId.apply((version) => JSON.stringify({ action: "ensure", appCredentialsVersionId: version })),
        // Only a new credentials version re-runs the function. Not new code or settings: after an Aurora global
        // failover the primary stack's cluster is a read-only secondary, and a program upgrade deployed then would
        // re-run the function there and fail the deploy (ReadOnlyDatabase), while the user is already in the data.
        // To re-run it after an upgrade that changes its SQL: pulumi up --replace <this invocation's URN>.
        triggers: { appCredentialsVersionId: versionId },
      },
      // The ingress rule must admit the function before it connects.
      { parent: this, dependsOn: [ingress, ...(args.databaseReady ?? [])] },
    );

    this.functionArn = fn.arn;
    this.functionName = fn.name;
    this.securityGroupId = securityGroup.id;
    this.result = invocation.result;
    this.registerOutputs({ functionArn: this.functionArn, securityGroupId: this.securityGroupId, result: this.result });
  }
}
