/**
 * AWS Backup policies: every vault encrypted with a customer-managed key of its own region and guarded
 * by an access policy that denies recovery-point deletion; every plan backs up continuously (point-in-
 * time recovery) and keeps recovery points and their copies at least the configured days (default 5,
 * the architecture's floor); every vault locked (advisory). The copy into another region is the
 * database group's `backup-copy-to-dr-region`.
 *
 * Why the lock is advisory: Vault Lock is a deliberate choice with a cost (`backup.vaultLock: none`
 * is a supported setting): a locked vault cannot be emptied or deleted before its recovery points
 * expire, and a compliance lock can never be removed, so test and drill stacks legitimately run without
 * one. The access policy, which is reversible, is mandatory.
 *
 * Sources: AWS Security Hub Backup.1 (recovery points encrypted), AWS Config rules
 * backup-recovery-point-manual-deletion-disabled (a Deny of backup:DeleteRecoveryPoint,
 * backup:UpdateRecoveryPointLifecycle and backup:PutBackupVaultAccessPolicy to `*`),
 * backup-recovery-point-minimum-retention-check, backup-plan-min-frequency-and-min-retention-check;
 * AWS Backup Developer Guide, "Vault access policies", "AWS Backup Vault Lock", "Continuous backups and
 * point-in-time recovery (PITR)"; Well-Architected REL09-BP02/BP03.
 */
import type { PolicyResource } from "@pulumi/policy";
import { arnRegion } from "../../invariants/plan";
import { BACKUP_RETENTION_DAYS, COMPLIANCE_GRACE_DAYS, DENIED_RECOVERY_POINT_ACTIONS } from "../../components/backupRules";
import { isCustomerKeyArn } from "./database";
import { asList, dependsOn, ofType, parseJson, regionOf, resourcePolicy, schema, stackPolicy, TYPES } from "./kit";

/** The backup resource types beyond those of `TYPES` (kit.ts). */
export const BACKUP_TYPES = {
  vault: TYPES.backupVault,
  plan: TYPES.backupPlan,
  vaultPolicy: "aws:backup/vaultPolicy:VaultPolicy",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
} as const;

/**
 * True when a vault access policy denies deleting recovery points and changing their lifecycle to
 * every principal (`"*"` or `{"AWS": "*"}`) on every recovery point (`Resource` `*`): the two actions may
 * sit in one or several Deny statements. Conditions (a break-glass exemption) are allowed. IAM matches
 * action names case-insensitively.
 */
export function deniesRecoveryPointDeletion(policyDocument: unknown): boolean {
  const document = parseJson(policyDocument);
  const denied = new Set<string>();
  for (const statement of asList<Record<string, any>>(document?.Statement)) {
    const everyone = statement.Principal === "*" || asList(statement.Principal?.AWS).includes("*");
    const everything = asList<unknown>(statement.Resource).includes("*");
    if (statement.Effect !== "Deny" || !everyone || !everything) continue;
    for (const action of asList<unknown>(statement.Action)) denied.add(String(action).toLowerCase());
  }
  return DENIED_RECOVERY_POINT_ACTIONS.every((action) => denied.has(action.toLowerCase()));
}

/** The retention problems of a plan's rules: each rule and copy action keeps recovery points at least `minimumDays`; a continuous rule at most 35. */
export function retentionProblems(rules: unknown, minimumDays: number): string[] {
  const problems: string[] = [];
  for (const rule of asList<Record<string, any>>(rules as Record<string, any>[])) {
    const name = rule.ruleName ?? "(unnamed)";
    const days = rule.lifecycle?.deleteAfter;
    if (days !== undefined && !(Number(days) >= minimumDays)) {
      problems.push(`rule ${name}: lifecycle.deleteAfter is ${days} days, below ${minimumDays}: keep recovery points at least ${minimumDays} days`);
    }
    if (rule.enableContinuousBackup === true && (days === undefined || Number(days) > BACKUP_RETENTION_DAYS.maximum)) {
      problems.push(`rule ${name}: continuous backup needs lifecycle.deleteAfter of at most ${BACKUP_RETENTION_DAYS.maximum} days, got ${days ?? "none"}`);
    }
    for (const copy of asList<Record<string, any>>(rule.copyActions)) {
      const copyDays = copy.lifecycle?.deleteAfter;
      if (copyDays !== undefined && !(Number(copyDays) >= minimumDays)) {
        problems.push(
          `rule ${name}: the copy to ${copy.destinationVaultArn ?? "(no vault)"} is kept ${copyDays} days, below ${minimumDays}: the DR region's copy must outlive the floor too`,
        );
      }
    }
  }
  return problems;
}

/** The vault's name: its `name` property (inputs and outputs alike). */
function vaultName(vault: PolicyResource): unknown {
  return vault.props.name;
}

/** The resources of `type` that belong to `vault`: they name it in `backupVaultName`, or take that value from it. */
function guardsOf(resources: PolicyResource[], type: string, vault: PolicyResource): PolicyResource[] {
  return ofType(resources, type).filter(
    (guard) => (vaultName(vault) !== undefined && guard.props.backupVaultName === vaultName(vault)) || dependsOn(guard, vault, "backupVaultName"),
  );
}

const vaultCustomerKey = resourcePolicy({
  name: "backup-vault-customer-key",
  description: "AWS Backup vaults are encrypted with a customer-managed KMS key of their own region (SH Backup.1, DR invariant 8)",
  enforcementLevel: "mandatory",
  type: BACKUP_TYPES.vault,
  check: (props, _config, report, resource) => {
    if (!isCustomerKeyArn(props.kmsKeyArn)) {
      report(
        `kmsKeyArn ${JSON.stringify(props.kmsKeyArn)} is not a customer-managed key ARN: pass the region's key, so that the recovery points' key is yours to control and copies can be re-encrypted`,
      );
      return;
    }
    const home = regionOf(resource);
    const keyRegion = arnRegion(String(props.kmsKeyArn));
    if (home !== undefined && keyRegion !== home) {
      report(`kmsKeyArn is a key of ${keyRegion} but the vault is in ${home}: encrypt each vault with its own region's key, or it dies with the other region`);
    }
  },
});

const vaultDeletionDenied = stackPolicy({
  name: "backup-vault-deletion-denied",
  description:
    "Every AWS Backup vault has an access policy denying recovery-point deletion and lifecycle changes to every principal (AWS Config backup-recovery-point-manual-deletion-disabled; WA REL09-BP02)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    for (const vault of ofType(resources, BACKUP_TYPES.vault)) {
      const policies = guardsOf(resources, BACKUP_TYPES.vaultPolicy, vault);
      if (policies.length === 0) {
        report(`vault ${vault.name}: add an aws.backup.VaultPolicy that denies ${DENIED_RECOVERY_POINT_ACTIONS.join(" and ")} to Principal "*"`, vault.urn);
      } else if (!policies.some((policy) => deniesRecoveryPointDeletion(policy.props.policy))) {
        report(
          `vault ${vault.name}: its access policy must Deny ${DENIED_RECOVERY_POINT_ACTIONS.join(" and ")} to Principal "*" on Resource "*" (exempt break-glass roles by condition)`,
          vault.urn,
        );
      }
    }
  },
});

const retentionFloor = resourcePolicy({
  name: "backup-retention-floor",
  description: "AWS Backup rules and their copies keep recovery points at least the configured days, default 5; continuous rules at most 35 (WA REL09-BP03)",
  enforcementLevel: "mandatory",
  type: BACKUP_TYPES.plan,
  config: {
    schema: { properties: { minimumRetentionDays: schema.integer("Fewest days a recovery point or its copy is kept", 1, BACKUP_RETENTION_DAYS.minimum) } },
    defaults: { minimumRetentionDays: BACKUP_RETENTION_DAYS.minimum },
  },
  check: (props, config, report) => {
    for (const problem of retentionProblems(props.rules, config.minimumRetentionDays)) report(problem);
  },
});

const continuousBackup = resourcePolicy({
  name: "backup-continuous",
  description: "AWS Backup plans back up continuously, for point-in-time recovery of RDS, Aurora and S3 (AWS Backup Developer Guide, PITR)",
  enforcementLevel: "mandatory",
  type: BACKUP_TYPES.plan,
  check: (props, _config, report) => {
    if (!asList<Record<string, any>>(props.rules).some((rule) => rule.enableContinuousBackup === true)) {
      report("set enableContinuousBackup to true on a rule: without it a restore loses everything since the last snapshot, up to a whole schedule interval");
    }
  },
});

const vaultLocked = stackPolicy({
  name: "backup-vault-lock",
  description:
    "Every AWS Backup vault has a Vault Lock with a minimum retention, so that no principal can delete its recovery points early (AWS Backup Vault Lock; WA REL09-BP02)",
  enforcementLevel: "advisory",
  check: (resources, _config, report) => {
    for (const vault of ofType(resources, BACKUP_TYPES.vault)) {
      const locks = guardsOf(resources, BACKUP_TYPES.vaultLock, vault);
      if (locks.length === 0) {
        report(
          `vault ${vault.name}: add an aws.backup.VaultLockConfiguration (backup.vaultLock governance or compliance) so recovery points outlive a compromised admin`,
          vault.urn,
        );
        continue;
      }
      for (const lock of locks) {
        const minimum = lock.props.minRetentionDays;
        if (!(Number(minimum) >= 1)) report(`vault ${vault.name}: set the lock's minRetentionDays (the retention days), got ${minimum ?? "none"}`, vault.urn);
        const grace = lock.props.changeableForDays;
        if (grace !== undefined && !(Number(grace) >= COMPLIANCE_GRACE_DAYS.minimum)) {
          report(`vault ${vault.name}: a compliance lock's changeableForDays must be at least ${COMPLIANCE_GRACE_DAYS.minimum}, got ${grace}`, vault.urn);
        }
      }
    }
  },
});

/** The backup policies, for `policy/policies/index.ts`. */
export const backupPolicies = [vaultCustomerKey, vaultDeletionDenied, retentionFloor, continuousBackup, vaultLocked];
