/**
 * ReplicatedBackups: the backup-restore strategy's copy of the primary database in the DR region.
 * RDS replicates the primary's automated backups (snapshots and transaction logs) into this region,
 * encrypted with this region's key, so the database can be restored here to any point in the
 * retention period (RDS User Guide, "Replicating automated backups to another AWS Region"). The
 * resource must be created in the destination region (provider docs,
 * `aws.rds.InstanceAutomatedBackupsReplication`); pass this region's provider through `opts`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Retention of the replicated backups, days: RDS accepts up to 35 (API Reference,
 * StartDBInstanceAutomatedBackupsReplication); this program keeps at least 5, its backup floor.
 */
export const REPLICATED_BACKUP_RETENTION_DAYS = { minimum: 5, maximum: 35 } as const;

export interface ReplicatedBackupsArgs {
  /** ARN of the primary DB instance in another region; it must have automated backups on. */
  sourceDatabaseArn: pulumi.Input<string>;
  /** KMS key ARN of this (the destination) region; RDS re-encrypts the backups with it. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days to keep the replicated backups, 5 (this program's floor) to 35. */
  retentionDays: number;
  /** Pulumi `protect` on the replication (stopping it deletes the replicated backups once they expire). */
  protect: boolean;
}

export class ReplicatedBackups extends pulumi.ComponentResource {
  /** ARN of the replicated automated backups in this region: the source of a restore. */
  readonly replicatedBackupsArn: pulumi.Output<string>;

  /** @throws RangeError when retentionDays is not a whole number from 5 to 35. */
  constructor(name: string, args: ReplicatedBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:data:ReplicatedBackups", name, {}, opts);
    if (
      !Number.isInteger(args.retentionDays) ||
      args.retentionDays < REPLICATED_BACKUP_RETENTION_DAYS.minimum ||
      args.retentionDays > REPLICATED_BACKUP_RETENTION_DAYS.maximum
    ) {
      throw new RangeError(`ReplicatedBackups ${name}: retentionDays must be a whole number from 5 to 35, got ${args.retentionDays}`);
    }
    const replication = new aws.rds.InstanceAutomatedBackupsReplication(
      `${name}-replication`,
      { sourceDbInstanceArn: args.sourceDatabaseArn, kmsKeyId: args.kmsKeyArn, retentionPeriod: args.retentionDays },
      { parent: this, protect: args.protect },
    );
    // The resource's id is the ARN of the replicated automated backups (provider docs, "Attributes Reference").
    this.replicatedBackupsArn = replication.id;
    this.registerOutputs({ replicatedBackupsArn: this.replicatedBackupsArn });
  }
}
