/**
 * GlobalTableReplica: the DR region's replica of the primary's DynamoDB global table (global tables
 * version 2019.11.21), as an `aws.dynamodb.TableReplica` joined through the primary table's ARN
 * (primary output `globalTableArn`). The replica takes writes too (multi-active): a failover does
 * nothing to it; the app in the DR region writes to it. It is encrypted with the DR region's key,
 * keeps point-in-time recovery (35 days, the TableReplica default period) and is deletion-protected
 * in DynamoDB and in Pulumi.
 *
 * Provider docs (`aws.dynamodb.TableReplica`): the table must ignore changes to `replicas`
 * (`GlobalTable` does), and `kmsKeyArn` is the CMK of the replica's region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseTableArn, regionalKeyProblem } from "./globalTable";

export interface GlobalTableReplicaArgs {
  /** The DR region the replica lives in (the component's provider must deploy there). */
  region: string;
  /** ARN of the primary's table (`arn:aws:dynamodb:<primary region>:<account>:table/<name>`), from the primary's outputs. */
  globalTableArn: string;
  /** ARN of the DR region's customer-managed KMS key (`RegionalKey.keyArn`). */
  kmsKeyArn: pulumi.Input<string>;
  /** Pulumi `protect` on the replica; default true. DynamoDB deletion protection follows it (off only in the teardown mode of a test pair). */
  protect?: boolean;
}

/**
 * Validates GlobalTableReplicaArgs before any resource is created; returns the table's name and region.
 * @throws Error when `globalTableArn` is not a DynamoDB table ARN, names a table in the replica's own
 * region (a replica must be in another region), or the key is not a KMS key ARN of the replica's region.
 */
export function validateGlobalTableReplicaArgs(args: GlobalTableReplicaArgs): { tableName: string; sourceRegion: string } {
  const table = parseTableArn(args.globalTableArn);
  if (table === undefined) {
    throw new Error(
      `GlobalTableReplica: globalTableArn "${args.globalTableArn}" is not a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>); pass the primary stack's globalTableArn output`,
    );
  }
  if (table.region === args.region) {
    throw new Error(
      `GlobalTableReplica: the table ${table.tableName} is already in ${args.region}; a replica must be in another region (the DR region, with the primary's table in the primary region)`,
    );
  }
  const keyProblem = regionalKeyProblem(args.kmsKeyArn, args.region, "kmsKeyArn");
  if (keyProblem) throw new Error(`GlobalTableReplica: ${keyProblem}`);
  return { tableName: table.tableName, sourceRegion: table.region };
}

export class GlobalTableReplica extends pulumi.ComponentResource {
  /** ARN of the replica table in the DR region. */
  readonly replicaArn: pulumi.Output<string>;
  /** The table's name (the same in every region). */
  readonly tableName: string;
  /** The region of the table the replica joins (the primary's): where DynamoDB publishes the primary-to-DR ReplicationLatency. */
  readonly sourceRegion: string;

  /** @throws Error before creating anything when an argument is invalid (`validateGlobalTableReplicaArgs`). */
  constructor(name: string, args: GlobalTableReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:data:GlobalTableReplica", name, {}, opts);
    const { tableName, sourceRegion } = validateGlobalTableReplicaArgs(args);
    const replica = new aws.dynamodb.TableReplica(
      `${name}-replica`,
      {
        globalTableArn: args.globalTableArn,
        kmsKeyArn: args.kmsKeyArn,
        pointInTimeRecovery: true,
        // Off only in the teardown mode (protect: false), so that pulumi destroy of a test pair can delete it.
        deletionProtectionEnabled: args.protect ?? true,
      },
      { parent: this, protect: args.protect ?? true },
    );
    this.replicaArn = replica.arn;
    this.tableName = tableName;
    this.sourceRegion = sourceRegion;
    this.registerOutputs({ replicaArn: this.replicaArn, tableName, sourceRegion });
  }
}
