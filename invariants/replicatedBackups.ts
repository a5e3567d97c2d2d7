/**
 * DR invariants 1 and 2 for the backup-restore strategy, whose DR region holds the primary
 * database as replicated automated backups instead of a read replica: exactly one replication of
 * the primary's backups, into another region than the primary's, re-encrypted with a key of that
 * region, kept at least this program's 5 days (RDS User Guide, "Replicating automated backups to
 * another AWS Region": the destination needs a KMS key of its own region for encrypted sources).
 * Pure, shared by the offline invariant and the policy pack.
 */
import { arnRegion } from "./plan";

/** Resource type of a cross-region replication of automated backups. */
export const BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
/** This program's floor for backup retention, days (DESIGN: "backups kept at least 5 days"). */
export const MINIMUM_BACKUP_RETENTION_DAYS = 5;

/** What the check reads of one `InstanceAutomatedBackupsReplication`. */
export interface BackupReplicationFacts {
  name: string;
  /** Region the replication runs in (the destination). */
  region: string;
  sourceDbInstanceArn?: unknown;
  kmsKeyId?: unknown;
  retentionPeriod?: unknown;
}

/**
 * @param replications every backup replication of the DR stack.
 * @param primaryDatabaseArn the primary database's ARN.
 * @param replicaNames names of the DR stack's read replicas, which backup-restore must not have.
 * @returns one message per problem, empty when the primary's backups reach the DR region as required.
 */
export function replicatedBackupsProblems(replications: BackupReplicationFacts[], primaryDatabaseArn: string, replicaNames: string[]): string[] {
  const problems: string[] = [];
  if (replicaNames.length > 0)
    problems.push(`${replicaNames.join(", ")}: backup-restore keeps no read replica; set recovery.strategy: pilot-light to keep one`);
  const ofPrimary = replications.filter((replication) => replication.sourceDbInstanceArn === primaryDatabaseArn);
  if (ofPrimary.length !== 1) {
    problems.push(
      `the primary database ${primaryDatabaseArn} has ${ofPrimary.length} replications of its automated backups in this DR stack; backup-restore needs exactly one`,
    );
  }
  for (const replication of replications) {
    const source = String(replication.sourceDbInstanceArn ?? "");
    if (source !== primaryDatabaseArn) {
      problems.push(`${replication.name}: sourceDbInstanceArn ${source || "(unset)"} is not the primary's database ${primaryDatabaseArn}`);
    } else if (arnRegion(source) === replication.region) {
      problems.push(`${replication.name}: replicates backups within ${replication.region}; the copy must live in another region than the primary`);
    }
    const key = replication.kmsKeyId;
    if (typeof key !== "string" || key === "") {
      problems.push(`${replication.name}: set kmsKeyId to a key of ${replication.region}; RDS needs it to replicate encrypted backups`);
    } else if (arnRegion(key) !== replication.region) {
      problems.push(`${replication.name}: kmsKeyId is a key of ${arnRegion(key)}; replicated backups need a key of their own region ${replication.region}`);
    }
    const retention = Number(replication.retentionPeriod ?? 7); // the provider's default is 7 days
    if (!(retention >= MINIMUM_BACKUP_RETENTION_DAYS)) {
      problems.push(`${replication.name}: retentionPeriod ${retention} days is below this program's ${MINIMUM_BACKUP_RETENTION_DAYS}-day floor`);
    }
  }
  return problems;
}
