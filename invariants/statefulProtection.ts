/**
 * DR invariant 10 (checks.md): stateful resources are protected from accidental deletion. Databases
 * and Aurora clusters have deletion protection, a final snapshot (none on a read replica, where RDS
 * refuses one) and Pulumi `protect`; DynamoDB tables
 * and replicas deletion protection and `protect`; buckets and backup vaults `protect` and no
 * `forceDestroy`; keys `protect` and the longest deletion window.
 *
 * `retainOnDelete` counts as protection in place of `protect`: the DR stack deploys what it places in
 * the primary region (the primary vault, the alarm key there) with `retainOnDelete` and without
 * `protect`, because Pulumi refuses to delete a protected resource even when the program stops
 * declaring it (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply checks `Protect` before
 * `RetainOnDelete`), and the outage mode must drop them without a call. Such a resource carries the
 * tag {@link RETAINED_TAG} for the policy pack, which cannot see `retainOnDelete`; this invariant
 * checks that the tag is never a bare claim.
 */
import { KEY_DELETION_WINDOW_DAYS } from "../config/conventions";
import { type InvariantResult, KMS_KEY, type PlanPair, RDS_INSTANCE, S3_BUCKET } from "./plan";
import type { PlannedResource } from "../synth/recordStack";
import { RDS_CLUSTER, RDS_GLOBAL_CLUSTER } from "./auroraGlobal";
import { BACKUP_VAULT, DYNAMODB_TABLE } from "./backups";
import { DYNAMODB_TABLE_REPLICA } from "./globalTable";

/**
 * The tag (value `"true"`) on a stateful resource kept with `retainOnDelete` instead of `protect`;
 * the policy `stateful-resources-protected` accepts it in place of `protect`.
 */
export const RETAINED_TAG = "RetainOnDelete";

/** The stateful types invariant 10 judges: databases, tables, buckets, keys and backup vaults. */
export const STATEFUL_TYPES = [RDS_INSTANCE, RDS_CLUSTER, RDS_GLOBAL_CLUSTER, DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA, S3_BUCKET, KMS_KEY, BACKUP_VAULT];

/** Problems of one stateful resource; empty when it is protected. Used by invariant 10 and the policy pack. */
export function protectionProblems(resource: Pick<PlannedResource, "type" | "inputs" | "protect" | "retainOnDelete">): string[] {
  const problems: string[] = [];
  if (!resource.protect && !resource.retainOnDelete) problems.push("has neither Pulumi protect nor retainOnDelete");
  if (resource.type === RDS_INSTANCE) {
    if (resource.inputs.deletionProtection !== true) problems.push("has no deletionProtection");
    const source = resource.inputs.replicateSourceDb;
    if (typeof source === "string" && source !== "") {
      // A read replica takes no final snapshot: DeleteDBInstance wants SkipFinalSnapshot and refuses
      // FinalDBSnapshotIdentifier on one (RDS API Reference, DeleteDBInstance). It gets one once promoted.
      if (resource.inputs.skipFinalSnapshot !== true) problems.push("is a read replica without skipFinalSnapshot, so deleting it fails");
      if (resource.inputs.finalSnapshotIdentifier !== undefined) problems.push("is a read replica with a finalSnapshotIdentifier, which RDS refuses on delete");
    } else {
      if (resource.inputs.skipFinalSnapshot === true) problems.push("skips the final snapshot");
      if (typeof resource.inputs.finalSnapshotIdentifier !== "string") problems.push("has no finalSnapshotIdentifier");
    }
  }
  if ((resource.type === RDS_CLUSTER || resource.type === RDS_GLOBAL_CLUSTER) && resource.inputs.deletionProtection !== true) {
    problems.push("has no deletionProtection");
  }
  if (resource.type === RDS_CLUSTER && resource.inputs.skipFinalSnapshot === true && resource.inputs.globalClusterIdentifier === undefined) {
    problems.push("skips the final snapshot");
  }
  if ((resource.type === DYNAMODB_TABLE || resource.type === DYNAMODB_TABLE_REPLICA) && resource.inputs.deletionProtectionEnabled !== true) {
    problems.push("has no deletionProtectionEnabled");
  }
  if ((resource.type === S3_BUCKET || resource.type === BACKUP_VAULT) && resource.inputs.forceDestroy === true) {
    problems.push("has forceDestroy, which deletes every object or recovery point on destroy");
  }
  if (resource.type === KMS_KEY && Number(resource.inputs.deletionWindowInDays ?? 30) < KEY_DELETION_WINDOW_DAYS) {
    problems.push(`has a deletion window under ${KEY_DELETION_WINDOW_DAYS} days`);
  }
  return problems;
}

/** True when the resource's `tags` input carries {@link RETAINED_TAG}. */
export function taggedRetained(resource: Pick<PlannedResource, "inputs">): boolean {
  const tags = resource.inputs.tags as Record<string, unknown> | undefined;
  return tags?.[RETAINED_TAG] === "true";
}

export function checkStatefulProtection({ primary, dr }: PlanPair): InvariantResult {
  const violations = [primary, dr].flatMap((plan) =>
    plan.resources
      .filter((resource) => STATEFUL_TYPES.includes(resource.type))
      .flatMap((resource) =>
        [
          ...protectionProblems(resource),
          ...(taggedRetained(resource) && !resource.retainOnDelete
            ? [`is tagged ${RETAINED_TAG}: true, which the policy pack takes for retainOnDelete, but has no retainOnDelete`]
            : []),
        ].map((problem) => `${plan.stack}/${resource.name}: ${problem}`),
      ),
  );
  return { id: 10, title: "Stateful resources protected: deletion protection, final snapshot, protect, no forceDestroy (10)", violations };
}
