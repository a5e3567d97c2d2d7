/**
 * DR invariants 1 and 2 (checks.md): the read replica lives in another region than its source,
 * names the primary's ARN, is encrypted with a key of its own region, and is at least as large as
 * the primary, whose backups are on; every primary database has exactly one replica in the DR stack.
 * With the backup-restore strategy the DR copy is the replicated automated backups instead
 * (`replicatedBackups.ts`), and a restored database, not a replica, follows a restore. In the
 * aurora-global engine mode the copy is the secondary cluster (`auroraGlobal.ts`).
 */
import { arnRegion, type InvariantResult, type PlanPair, RDS_INSTANCE, resourcesOfType, stringInput } from "./plan";
import { BACKUP_REPLICATION, replicatedBackupsProblems } from "./replicatedBackups";
import { auroraGlobalProblems } from "./auroraGlobal";

/** Instance sizes in increasing order, for "at least the primary's class" (RDS instance class naming). */
const SIZE_ORDER = ["micro", "small", "medium", "large", "xlarge"];

/** Rank of a size such as `2xlarge` (larger number, larger instance); -1 when unknown. */
export function sizeRank(size: string): number {
  const multiple = /^(\d+)xlarge$/.exec(size);
  if (multiple) return SIZE_ORDER.length - 1 + Number(multiple[1]);
  return SIZE_ORDER.indexOf(size);
}

/** True when `candidate` (db.family.size) is the same family as `baseline` and at least its size. */
export function classAtLeast(candidate: string, baseline: string): boolean {
  const [, candidateFamily, candidateSize] = candidate.split(".");
  const [, baselineFamily, baselineSize] = baseline.split(".");
  return candidateFamily === baselineFamily && sizeRank(candidateSize ?? "") >= sizeRank(baselineSize ?? "") && sizeRank(candidateSize ?? "") >= 0;
}

export function checkReplica({ primary, dr }: PlanPair): InvariantResult {
  const violations: string[] = [];
  const sources = resourcesOfType(primary, RDS_INSTANCE).filter((db) => stringInput(db, "replicateSourceDb") === undefined);
  const replicas = resourcesOfType(dr, RDS_INSTANCE).filter((db) => stringInput(db, "replicateSourceDb") !== undefined);
  for (const replica of replicas) {
    const sourceArn = stringInput(replica, "replicateSourceDb")!;
    const source = sources.find((db) => db.outputs.arn === sourceArn);
    if (!source) {
      violations.push(
        `${replica.name}: replicateSourceDb ${sourceArn} is not the ARN of a primary database (expected one of ${sources.map((db) => db.outputs.arn).join(", ") || "none"})`,
      );
      continue;
    }
    if (arnRegion(sourceArn) === replica.region) {
      violations.push(`${replica.name}: replica and source are both in ${replica.region}; a DR replica must live in another region`);
    }
    const key = stringInput(replica, "kmsKeyId");
    if (replica.inputs.storageEncrypted !== true || key === undefined) {
      violations.push(`${replica.name}: the replica must be encrypted (storageEncrypted with a kmsKeyId of ${replica.region})`);
    } else if (arnRegion(key) !== replica.region) {
      violations.push(`${replica.name}: kmsKeyId ${key} is a key of ${arnRegion(key)}; a cross-region replica needs a key of its own region ${replica.region}`);
    }
    const replicaClass = stringInput(replica, "instanceClass") ?? "";
    const sourceClass = stringInput(source, "instanceClass") ?? "";
    if (!classAtLeast(replicaClass, sourceClass)) {
      violations.push(
        `${replica.name}: instance class ${replicaClass} is smaller than or of another family than the primary's ${sourceClass}; after promotion it must carry the primary's load`,
      );
    }
    if (Number(replica.inputs.allocatedStorage ?? 0) < Number(source.inputs.allocatedStorage ?? 0)) {
      violations.push(`${replica.name}: allocatedStorage ${replica.inputs.allocatedStorage} GiB is below the primary's ${source.inputs.allocatedStorage} GiB`);
    }
  }
  for (const source of sources) {
    if (!(Number(source.inputs.backupRetentionPeriod ?? 0) > 0)) {
      violations.push(`${source.name}: backups are off (backupRetentionPeriod 0); RDS cannot create a read replica of it`);
    }
    if (dr.outputs.strategy === "backup-restore") {
      const replications = resourcesOfType(dr, BACKUP_REPLICATION).map((replication) => ({
        ...replication.inputs,
        name: replication.name,
        region: replication.region,
      }));
      violations.push(
        ...replicatedBackupsProblems(
          replications,
          String(source.outputs.arn),
          replicas.map((replica) => replica.name),
        ),
      );
      continue;
    }
    const count = replicas.filter((replica) => stringInput(replica, "replicateSourceDb") === source.outputs.arn).length;
    // After a failover the DR database is standalone (database.promoted): no replica until failback re-protects.
    if (count !== 1 && dr.outputs.databasePromoted !== true) {
      violations.push(`${source.name}: has ${count} replicas in the DR stack; every primary database needs exactly one`);
    }
  }
  violations.push(...auroraGlobalProblems({ primary, dr }));
  return {
    id: 1,
    title:
      "Cross-region database copy: one read replica (other region, primary's ARN, own-region key, at least the primary's size), one Aurora secondary cluster in the primary's global cluster, or, for backup-restore, one backup replication (1, 2)",
    violations,
  };
}
