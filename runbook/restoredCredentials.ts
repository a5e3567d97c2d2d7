/**
 * Credentials a restored database can be used with in its own region.
 *
 * A restore keeps the master password of its restore point, and that password's RDS-managed secret
 * lives in the source's region only (rotated there every 7 days, and unreadable during an outage of
 * that region), so a database restored into the DR region has credentials nobody there can read.
 * RDS manages a new master password in a secret of the database's own region, encrypted with the
 * key named, when the instance or cluster is modified with `ManageMasterUserPassword` (RDS User
 * Guide and Aurora User Guide, "Password management with Amazon RDS and AWS Secrets Manager":
 * "Modify a DB instance", "Modify a DB cluster"; RDS API Reference, ModifyDBInstance and
 * ModifyDBCluster, `ManageMasterUserPassword`, `MasterUserSecretKmsKeyId`). The secret appears in
 * `MasterUserSecret` (`SecretArn`, `SecretStatus`: creating, active, rotating, impaired) of
 * DescribeDBInstances or DescribeDBClusters. The caller needs rds:ModifyDBInstance (or
 * ModifyDBCluster), secretsmanager:CreateSecret and TagResource, and kms:DescribeKey, Decrypt,
 * GenerateDataKey and CreateGrant on the key (same pages, "Required permissions").
 */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand, type RDSClient } from "@aws-sdk/client-rds";
import { explainAwsError } from "./errors";

/** The restored database, in its region, and the key its secret is encrypted with (the region's key). */
export interface RestoredDatabase {
  cluster: boolean;
  /** The DB instance or DB cluster identifier. */
  identifier: string;
  region: string;
  kmsKeyArn: string;
}

/** How to wait: `poll` returns undefined until the deadline passes (see runbook/restore.ts `pollUntil`). */
export type Poll = <T>(check: () => Promise<T | undefined>) => Promise<T | undefined>;

/** `MasterUserSecret` and status of the restored database now (`Status` of a cluster, `DBInstanceStatus` of an instance). */
async function describe(rds: RDSClient, database: RestoredDatabase): Promise<{ secret?: { SecretArn?: string; SecretStatus?: string }; status?: string }> {
  try {
    if (database.cluster) {
      const cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: database.identifier })))?.DBClusters?.[0];
      return { secret: cluster?.MasterUserSecret, status: cluster?.Status };
    }
    const instance = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: database.identifier })))?.DBInstances?.[0];
    return { secret: instance?.MasterUserSecret, status: instance?.DBInstanceStatus };
  } catch (error) {
    throw explainAwsError(error, {
      action: database.cluster ? "rds:DescribeDBClusters" : "rds:DescribeDBInstances",
      resource: database.identifier,
      region: database.region,
    });
  }
}

/**
 * Gives the restored database an RDS-managed master password in its own region (unless it has one
 * there already) and waits until the secret is `active`.
 * @returns the secret's ARN, or undefined when it is not active by the poll's deadline.
 * @throws RunbookError naming the permission when RDS refuses the change.
 */
export async function manageRestoredCredentials(rds: RDSClient, database: RestoredDatabase, poll: Poll): Promise<string | undefined> {
  const existing = (await describe(rds, database)).secret;
  const ownRegion = existing?.SecretArn?.split(":")[3] === database.region;
  if (!existing?.SecretArn || !ownRegion) {
    const change = { ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: database.kmsKeyArn, ApplyImmediately: true };
    // A freshly restored database can be busy for a while after it is first `available` (a first backup): RDS then refuses the change with a state fault, retried until the poll's deadline.
    const modified = await poll(async () => {
      try {
        if (database.cluster) await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: database.identifier, ...change }));
        else await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: database.identifier, ...change }));
        return true;
      } catch (error) {
        if (STATE_FAULTS.has((error as Error).name)) return undefined;
        throw explainAwsError(error, {
          action: database.cluster ? "rds:ModifyDBCluster" : "rds:ModifyDBInstance",
          resource: `${database.identifier} (ManageMasterUserPassword with ${database.kmsKeyArn})`,
          region: database.region,
        });
      }
    });
    if (!modified) return undefined;
  }
  // Usable once the secret is active and the database is available again (not modifying or resetting-master-credentials).
  return poll(async () => {
    const { secret, status } = await describe(rds, database);
    return secret?.SecretStatus === "active" && secret.SecretArn && status === "available" ? secret.SecretArn : undefined;
  });
}

/** RDS's refusals of a change while the database is busy (RDS API Reference, ModifyDBInstance and ModifyDBCluster, Errors). */
const STATE_FAULTS = new Set(["InvalidDBInstanceStateFault", "InvalidDBInstanceState", "InvalidDBClusterStateFault"]);
