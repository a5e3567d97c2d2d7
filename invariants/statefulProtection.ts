/**
 * DR invariant 10 (checks.md): stateful resources are protected from accidental deletion. Databases
 * have deletion protection, a final snapshot and Pulumi `protect`; buckets have `protect` and no
 * `forceDestroy`; keys have `protect` and the longest deletion window.
 */
import { KEY_DELETION_WINDOW_DAYS } from "../config/conventions";
import { type InvariantResult, KMS_KEY, type PlanPair, RDS_INSTANCE, S3_BUCKET } from "./plan";
import type { PlannedResource } from "../synth/recordStack";

/** Problems of one stateful resource; empty when it is protected. Used by invariant 10 and the policy pack. */
export function protectionProblems(resource: Pick<PlannedResource, "type" | "inputs" | "protect" | "retainOnDelete">): string[] {
  const problems: string[] = [];
  if (!resource.protect && !resource.retainOnDelete) problems.push("has neither Pulumi protect nor retainOnDelete");
  if (resource.type === RDS_INSTANCE) {
    if (resource.inputs.deletionProtection !== true) problems.push("has no deletionProtection");
    if (resource.inputs.skipFinalSnapshot === true) problems.push("skips the final snapshot");
    if (typeof resource.inputs.finalSnapshotIdentifier !== "string") problems.push("has no finalSnapshotIdentifier");
  }
  if (resource.type === S3_BUCKET && resource.inputs.forceDestroy === true) problems.push("has forceDestroy, which deletes every object on destroy");
  if (resource.type === KMS_KEY && Number(resource.inputs.deletionWindowInDays ?? 30) < KEY_DELETION_WINDOW_DAYS) {
    problems.push(`has a deletion window under ${KEY_DELETION_WINDOW_DAYS} days`);
  }
  return problems;
}

export function checkStatefulProtection({ primary, dr }: PlanPair): InvariantResult {
  const violations = [primary, dr].flatMap((plan) =>
    plan.resources
      .filter((resource) => [RDS_INSTANCE, S3_BUCKET, KMS_KEY].includes(resource.type))
      .flatMap((resource) => protectionProblems(resource).map((problem) => `${plan.stack}/${resource.name}: ${problem}`)),
  );
  return { id: 10, title: "Stateful resources protected: deletion protection, final snapshot, protect, no forceDestroy (10)", violations };
}
