/**
 * GlobalTable: the primary region's table of a DynamoDB global table (global tables version
 * 2019.11.21), the optional key-value data store of the reference architecture. The DR stack adds
 * its replica with `GlobalTableReplica` (`aws.dynamodb.TableReplica`), so this table ignores changes
 * to `replicas`: the provider's TableReplica page says to set `ignoreChanges` on `replica` of the
 * table and never to combine the table's `replicas` blocks with TableReplica resources.
 *
 * What the table is given, and why:
 * - on-demand billing (`PAY_PER_REQUEST`): every replica then scales its replicated writes itself,
 *   which the global tables guide recommends (DynamoDB Developer Guide, "Best practices for global
 *   tables": on-demand, or identical auto scaling in every replica);
 * - a stream with `NEW_AND_OLD_IMAGES`: global tables replicate through it (provider docs, "Global
 *   Tables" example; DynamoDB Developer Guide, "Global tables: How it works");
 * - point-in-time recovery over the last 35 days (`PointInTimeRecoverySpecification.RecoveryPeriodInDays`,
 *   1..35, default 35; DynamoDB API Reference), the restore path for a corrupting write that
 *   replication copied to every region;
 * - encryption with the region's customer-managed KMS key (each replica uses a key of its own region);
 * - deletion protection in DynamoDB and Pulumi `protect`: a deleted table takes its PITR window along.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Days of continuous backups point-in-time recovery keeps (the DynamoDB maximum and default, 1..35). */
export const PITR_RECOVERY_PERIOD_DAYS = 35;
/** The stream view global tables version 2019.11.21 replicate from. */
export const GLOBAL_TABLE_STREAM_VIEW = "NEW_AND_OLD_IMAGES";

/** Table and index names: 3..255 characters of `a-z A-Z 0-9 _ - .` (DynamoDB Developer Guide, "Supported data types and naming rules"). */
const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
/** Key attribute names: 1..255 bytes of UTF-8 (DynamoDB API Reference, `AttributeDefinition.AttributeName` and `KeySchemaElement.AttributeName`). */
const KEY_NAME_MAX_BYTES = 255;

/**
 * Why a DynamoDB table name is invalid, or undefined when it is valid: 3..255 characters, only
 * letters, digits, `_`, `-` and `.` (DynamoDB Developer Guide, "Supported data types and naming rules").
 */
export function tableNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 255) return `table name "${name}" is ${name.length} characters; DynamoDB takes 3 to 255`;
  if (!TABLE_NAME_PATTERN.test(name)) return `table name "${name}" may only contain letters, digits, "_", "-" and "."`;
  return undefined;
}

/**
 * Why a key attribute name is invalid, or undefined when it is valid: 1..255 bytes of UTF-8
 * (DynamoDB API Reference, `AttributeDefinition`; the Developer Guide's naming rules allow any
 * UTF-8, and reserved words only need a placeholder in expressions).
 * @param what names the key in the message, e.g. `globalTable.partitionKey`.
 */
export function keyNameProblem(name: string, what: string): string | undefined {
  if (name.length === 0) return `${what} is empty; name the key attribute, e.g. "pk"`;
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes > KEY_NAME_MAX_BYTES)
    return `${what} "${name.slice(0, 20)}..." is ${bytes} bytes of UTF-8; DynamoDB key attribute names take at most ${KEY_NAME_MAX_BYTES}`;
  return undefined;
}

/**
 * The parts of a DynamoDB table ARN `arn:<partition>:dynamodb:<region>:<account>:table/<name>`, or
 * undefined for anything else (a stream ARN, an index ARN, another service's ARN).
 */
export function parseTableArn(arn: string): { partition: string; region: string; accountId: string; tableName: string } | undefined {
  const match = /^arn:(aws[a-z-]*):dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/.exec(arn);
  return match ? { partition: match[1], region: match[2], accountId: match[3], tableName: match[4] } : undefined;
}

/** The region of a KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`), or undefined when it is not one. */
export function kmsKeyRegion(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/.exec(arn)?.[1];
}

/**
 * Why a customer-managed key ARN cannot encrypt a table in `region`, or undefined when it can
 * (unknown Outputs pass: they are checked by the policy pack on the plan).
 * @param what names the argument in the message.
 */
export function regionalKeyProblem(kmsKeyArn: pulumi.Input<string>, region: string, what: string): string | undefined {
  if (typeof kmsKeyArn !== "string") return undefined;
  const keyRegion = kmsKeyRegion(kmsKeyArn);
  if (keyRegion === undefined)
    return `${what} "${kmsKeyArn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); pass the region's RegionalKey keyArn, not an alias`;
  if (keyRegion !== region) return `${what} is a key of ${keyRegion}; a table in ${region} needs a key of its own region (pass that region's RegionalKey)`;
  return undefined;
}

export interface GlobalTableArgs {
  /** The region the table lives in (the component's provider must deploy there), e.g. `us-east-1`. */
  region: string;
  /** Table name, the same in every replica's region: 3..255 characters of `a-zA-Z0-9_.-`. */
  tableName: string;
  /** Partition (hash) key attribute, a string (`S`): 1..255 bytes (config `globalTable.partitionKey`, default `pk`). */
  partitionKey: string;
  /** Optional sort (range) key attribute, a string (`S`): 1..255 bytes, not the partition key (config `globalTable.sortKey`). */
  sortKey?: string;
  /** ARN of the region's customer-managed KMS key (`RegionalKey.keyArn`). */
  kmsKeyArn: pulumi.Input<string>;
  /** Pulumi `protect` on the table; default true. DynamoDB deletion protection follows it (off only in the teardown mode of a test pair). */
  protect?: boolean;
}

/**
 * Validates GlobalTableArgs before any resource is created.
 * @throws Error naming the argument for an invalid table name, key name, equal keys, or a key of another region.
 */
export function validateGlobalTableArgs(args: GlobalTableArgs): void {
  const problems = [
    tableNameProblem(args.tableName),
    keyNameProblem(args.partitionKey, "globalTable.partitionKey"),
    ...(args.sortKey !== undefined ? [keyNameProblem(args.sortKey, "globalTable.sortKey")] : []),
    args.sortKey !== undefined && args.sortKey === args.partitionKey
      ? `globalTable.sortKey "${args.sortKey}" is the partition key too; use another attribute name or leave sortKey out`
      : undefined,
    regionalKeyProblem(args.kmsKeyArn, args.region, "kmsKeyArn"),
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) throw new Error(`GlobalTable: ${problems.join("; ")}`);
}

export class GlobalTable extends pulumi.ComponentResource {
  /** Table name (the same in the DR replica). */
  readonly tableName: pulumi.Output<string>;
  /** ARN of the table, for the DR stack's TableReplica `globalTableArn` (primary output `globalTableArn`). */
  readonly tableArn: pulumi.Output<string>;
  /** ARN of the table's stream (NEW_AND_OLD_IMAGES). */
  readonly streamArn: pulumi.Output<string>;

  /** @throws Error before creating anything when an argument is invalid (`validateGlobalTableArgs`). */
  constructor(name: string, args: GlobalTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:data:GlobalTable", name, {}, opts);
    validateGlobalTableArgs(args);
    const keys = [args.partitionKey, ...(args.sortKey !== undefined ? [args.sortKey] : [])];
    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: args.tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: args.partitionKey,
        ...(args.sortKey !== undefined ? { rangeKey: args.sortKey } : {}),
        attributes: keys.map((key) => ({ name: key, type: "S" })),
        streamEnabled: true,
        streamViewType: GLOBAL_TABLE_STREAM_VIEW,
        pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: PITR_RECOVERY_PERIOD_DAYS },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        // Off only in the teardown mode (protect: false), so that pulumi destroy of a test pair can delete it.
        deletionProtectionEnabled: args.protect ?? true,
      },
      // The DR stack's TableReplica adds the replica: the table must not try to remove it.
      { parent: this, protect: args.protect ?? true, ignoreChanges: ["replicas"] },
    );
    this.tableName = table.name;
    this.tableArn = table.arn;
    this.streamArn = table.streamArn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn, streamArn: this.streamArn });
  }
}
