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

/** `MasterUserSecret` of the restored database now, or undefined. */
async function masterUserSecret(rds: RDSClient, database: RestoredDatabase): Promise<{ SecretArn?: string; SecretStatus?: string } | undefined> {
  try {
    if (database.cluster) {
      const answer = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: database.identifier }));
      return answer?.DBClusters?.[0]?.MasterUserSecret;
    }
    const answer = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: database.identifier }));
    return answer?.DBInstances?.[0]?.MasterUserSecret;
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
  const existing = await masterUserSecret(rds, database);
  const ownRegion = existing?.SecretArn?.split(":")[3] === database.region;
  if (!existing?.SecretArn || !ownRegion) {
    const change = { ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: database.kmsKeyArn, ApplyImmediately: true };
    try {
      if (database.cluster) await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: database.identifier, ...change }));
      else await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: database.identifier, ...change }));
    } catch (error) {
      throw explainAwsError(error, {
        action: database.cluster ? "rds:ModifyDBCluster" : "rds:ModifyDBInstance",
        resource: `${database.identifier} (ManageMasterUserPassword with ${database.kmsKeyArn})`,
        region: database.region,
      });
    }
  }
  return poll(async () => {
    const secret = await masterUserSecret(rds, database);
    return secret?.SecretStatus === "active" && secret.SecretArn ? secret.SecretArn : undefined;
  });
}
