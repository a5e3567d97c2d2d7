/**
 * DR invariant 12 (this program's addition to checks.md, from the "Backups copied to the DR region"
 * row: Security Hub Backup.1, Well-Architected REL09-BP02): replication copies corruption and
 * deletes, so the pair keeps backups as well. When the DR stack backs up, every backup plan rule
 * copies to a vault in the DR region encrypted with a key of that region, keeps recovery points at
 * least 5 days in both vaults, and the plan's selection covers the primary database (and the global
 * table, when there is one). After a failover (`database.promoted`), a plan in the DR region may
 * also protect the promoted DR database (components/backupProtection.ts `promotedDatabaseArn`).
 */
import { BACKUP_MINIMUM_RETENTION_DAYS } from "../config/conventions";
import { arnRegion, type InvariantResult, type PlanPair, resourcesOfType, stringInput } from "./plan";
import { RDS_CLUSTER } from "./auroraGlobal";
import { RDS_INSTANCE } from "./plan";

export const BACKUP_VAULT = "aws:backup/vault:Vault";
export const BACKUP_PLAN = "aws:backup/plan:Plan";
export const BACKUP_SELECTION = "aws:backup/selection:Selection";
export const DYNAMODB_TABLE = "aws:dynamodb/table:Table";

interface Lifecycle {
  deleteAfter?: number;
}
interface CopyAction {
  destinationVaultArn?: string;
  lifecycle?: Lifecycle;
}
interface PlanRule {
  ruleName?: string;
  targetVaultName?: string;
  lifecycle?: Lifecycle;
  copyActions?: CopyAction[];
}

/** Problems of the pair's backups; empty when they hold, or when the DR stack does not back up (`backup.enabled: false`). */
export function backupProblems({ primary, dr }: PlanPair): string[] {
  const plans = resourcesOfType(dr, BACKUP_PLAN);
  const vaults = resourcesOfType(dr, BACKUP_VAULT);
  const problems: string[] = [];
  if (plans.length === 0) {
    // The outage mode leaves the primary-region plan out; an aurora-global DR stack has no DR-region plan to keep.
    return dr.outputs.backupEnabled === false || dr.outputs.outageMode === true
      ? []
      : [`${dr.stack}: no AWS Backup plan; set backup.enabled: true (the default)`];
  }
  const drRegion = String(dr.outputs.region);
  const primaryRegion = String(primary.outputs.region);
  const promoted = dr.outputs.databasePromoted === true;
  // After a failover the promoted DR database is the writer: a plan in the DR region protects it (components/backupProtection.ts).
  for (const plan of plans.filter((candidate) => candidate.region === drRegion)) problems.push(...promotedPlanProblems(dr, plan, vaults, promoted));
  for (const plan of plans.filter((candidate) => candidate.region !== drRegion)) {
    if (plan.region !== primaryRegion)
      problems.push(`${dr.stack}/${plan.name}: the plan runs in ${plan.region}; it must back up in the primary region ${primaryRegion}`);
    const rules = (Array.isArray(plan.inputs.rules) ? plan.inputs.rules : []) as PlanRule[];
    if (rules.length === 0) problems.push(`${dr.stack}/${plan.name}: the plan has no rule`);
    for (const rule of rules) {
      const where = `${dr.stack}/${plan.name} rule ${rule.ruleName ?? "?"}`;
      if (Number(rule.lifecycle?.deleteAfter ?? 0) < BACKUP_MINIMUM_RETENTION_DAYS) {
        problems.push(`${where}: keeps recovery points ${rule.lifecycle?.deleteAfter ?? "forever?"} days; keep at least ${BACKUP_MINIMUM_RETENTION_DAYS}`);
      }
      const copies = rule.copyActions ?? [];
      const toDr = copies.filter((copy) => copy.destinationVaultArn !== undefined && arnRegion(copy.destinationVaultArn) === drRegion);
      if (toDr.length === 0) {
        problems.push(`${where}: no copy action to a vault in the DR region ${drRegion}; backups must survive the primary region`);
      }
      for (const copy of toDr) {
        const vault = vaults.find((candidate) => candidate.outputs.arn === copy.destinationVaultArn);
        if (!vault) {
          problems.push(`${where}: copies to ${copy.destinationVaultArn}, which is not a vault of the DR stack`);
          continue;
        }
        const key = stringInput(vault, "kmsKeyArn");
        if (key === undefined || arnRegion(key) !== drRegion) {
          problems.push(`${dr.stack}/${vault.name}: the DR vault must be encrypted with a key of ${drRegion} (kmsKeyArn ${key ?? "unset"})`);
        }
        if (Number(copy.lifecycle?.deleteAfter ?? 0) < BACKUP_MINIMUM_RETENTION_DAYS) {
          problems.push(
            `${where}: the DR copy is kept ${copy.lifecycle?.deleteAfter ?? "an unset number of"} days; keep at least ${BACKUP_MINIMUM_RETENTION_DAYS}`,
          );
        }
      }
    }
  }
  const selected = new Set(
    resourcesOfType(dr, BACKUP_SELECTION).flatMap((selection) => (Array.isArray(selection.inputs.resources) ? selection.inputs.resources.map(String) : [])),
  );
  const stores = [
    ...resourcesOfType(primary, RDS_INSTANCE).filter((db) => stringInput(db, "replicateSourceDb") === undefined),
    ...resourcesOfType(primary, RDS_CLUSTER),
    ...resourcesOfType(primary, DYNAMODB_TABLE),
  ];
  // The outage mode declares no plan in the failed primary region: its stores are backed up again once it is back.
  for (const store of dr.outputs.outageMode === true ? [] : stores) {
    const arn = String(store.outputs.arn);
    if (!selected.has(arn)) problems.push(`${primary.stack}/${store.name}: ${arn} is in no backup selection of the DR stack`);
  }
  return problems;
}

/**
 * A plan of the DR region: only after a failover (the DR stack's `databasePromoted` output), backing
 * up into a vault of the DR stack in the DR region, every rule keeping recovery points at least 5
 * days, and a selection naming the promoted DR database. Its copy to the primary vault is not
 * required: the outage mode drops it while the primary region is down.
 */
function promotedPlanProblems(dr: PlanPair["dr"], plan: PlanPair["dr"]["resources"][number], vaults: PlanPair["dr"]["resources"], promoted: boolean): string[] {
  const where = `${dr.stack}/${plan.name}`;
  if (!promoted)
    return [
      `${where}: a plan in the DR region ${plan.region} before any failover backs up a replica; the DR region backs up only a promoted database (database.promoted)`,
    ];
  const problems: string[] = [];
  const drVaultNames = new Set(vaults.filter((vault) => vault.region === plan.region).map((vault) => String(vault.inputs.name)));
  for (const rule of (Array.isArray(plan.inputs.rules) ? plan.inputs.rules : []) as PlanRule[]) {
    if (!drVaultNames.has(String(rule.targetVaultName)))
      problems.push(`${where} rule ${rule.ruleName ?? "?"}: backs up into ${rule.targetVaultName ?? "no vault"}, not the DR stack's vault in ${plan.region}`);
    if (Number(rule.lifecycle?.deleteAfter ?? 0) < BACKUP_MINIMUM_RETENTION_DAYS)
      problems.push(
        `${where} rule ${rule.ruleName ?? "?"}: keeps recovery points ${rule.lifecycle?.deleteAfter ?? "forever?"} days; keep at least ${BACKUP_MINIMUM_RETENTION_DAYS}`,
      );
  }
  const database = resourcesOfType(dr, RDS_INSTANCE)[0];
  const selected = resourcesOfType(dr, BACKUP_SELECTION)
    .filter((selection) => selection.inputs.planId === plan.outputs.id || selection.inputs.planId === plan.id)
    .flatMap((selection) => (Array.isArray(selection.inputs.resources) ? selection.inputs.resources.map(String) : []));
  if (database && !selected.includes(String(database.outputs.arn)))
    problems.push(`${where}: its selection does not name the promoted DR database ${String(database.outputs.arn)}`);
  return problems;
}

export function checkBackups(pair: PlanPair): InvariantResult {
  return {
    id: 12,
    title:
      "Backups copied to the DR region: every plan rule copies to a DR vault under a DR key, kept at least 5 days, selecting every primary data store (12)",
    violations: backupProblems(pair),
  };
}
