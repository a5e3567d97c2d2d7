/**
 * DR invariant 3 (checks.md): S3 replication goes to a bucket in another region; versioning is on at
 * both ends; the replication role can read the source, write the destination and use both keys;
 * SSE-KMS objects are replicated with a destination-region key; RTC and its metrics are on.
 */
import {
  allows,
  arnRegion,
  IAM_ROLE,
  IAM_ROLE_POLICY,
  type InvariantResult,
  type PlanPair,
  policyInput,
  resourcesOfType,
  S3_BUCKET,
  S3_REPLICATION,
  S3_VERSIONING,
  stringInput,
} from "./plan";
import type { StackPlan } from "../synth/recordStack";

function versioningEnabled(plan: StackPlan, bucketName: string): boolean {
  return resourcesOfType(plan, S3_VERSIONING).some(
    (versioning) =>
      versioning.inputs.bucket === bucketName && (versioning.inputs.versioningConfiguration as { status?: string } | undefined)?.status === "Enabled",
  );
}

interface ReplicationRule {
  status?: string;
  deleteMarkerReplication?: { status?: string };
  sourceSelectionCriteria?: { sseKmsEncryptedObjects?: { status?: string } };
  destination?: {
    bucket?: string;
    encryptionConfiguration?: { replicaKmsKeyId?: string };
    replicationTime?: { status?: string; time?: { minutes?: number } };
    metrics?: { status?: string };
  };
}

export function checkBucketReplication({ primary, dr }: PlanPair): InvariantResult {
  const violations: string[] = [];
  const configs = [...resourcesOfType(primary, S3_REPLICATION), ...resourcesOfType(dr, S3_REPLICATION)];
  const primaryBuckets = resourcesOfType(primary, S3_BUCKET);
  const drBuckets = resourcesOfType(dr, S3_BUCKET);
  const primaryDataBuckets = primaryBuckets.filter((bucket) => bucket.outputs.bucket === primary.outputs.bucketName);
  if (primaryDataBuckets.length === 0) violations.push("the primary stack exports no data bucket (bucketName) to replicate");
  // The outage mode declares nothing in the failed primary region, its replication configuration included (docs/outage-runbook.md).
  const outage = dr.outputs.outageMode === true;
  for (const source of primaryDataBuckets) {
    if (!outage && !configs.some((config) => config.inputs.bucket === source.outputs.bucket)) {
      violations.push(`${source.name}: the primary data bucket has no replication configuration into the DR region`);
    }
  }
  for (const config of configs) {
    const sourceName = stringInput(config, "bucket");
    const source = primaryBuckets.find((bucket) => bucket.outputs.bucket === sourceName);
    if (!source) {
      violations.push(`${config.name}: replicates bucket ${sourceName}, which is not a bucket of the primary stack`);
      continue;
    }
    if (config.region !== source.region) {
      violations.push(`${config.name}: is configured in ${config.region} but its bucket lives in ${source.region}; set region to ${source.region}`);
    }
    if (!versioningEnabled(primary, String(sourceName))) violations.push(`${config.name}: versioning is not Enabled on the source bucket ${sourceName}`);
    const rules = (config.inputs.rules as ReplicationRule[] | undefined) ?? [];
    if (!rules.some((rule) => rule.status === "Enabled")) violations.push(`${config.name}: has no Enabled rule`);
    const roleArn = stringInput(config, "role");
    const role = resourcesOfType(dr, IAM_ROLE).find((candidate) => candidate.outputs.arn === roleArn);
    const rolePolicies = resourcesOfType(dr, IAM_ROLE_POLICY).filter(
      (policy) => role && (policy.inputs.role === role.id || policy.inputs.role === role.outputs.name),
    );
    const can = (action: string, resource: string) => rolePolicies.some((policy) => allows(policyInput(policy), action, resource));
    const sourceArn = String(source.outputs.arn);
    if (!role) violations.push(`${config.name}: role ${roleArn} is not a role of the DR stack`);
    else {
      for (const [action, resource] of [
        ["s3:GetReplicationConfiguration", sourceArn],
        ["s3:GetObjectVersionForReplication", `${sourceArn}/*`],
      ] as const) {
        if (!can(action, resource)) violations.push(`${config.name}: the replication role may not ${action} on ${resource}`);
      }
      if (!can("kms:Decrypt", String(primary.outputs.kmsKeyArn)))
        violations.push(`${config.name}: the replication role may not kms:Decrypt with the source key`);
    }
    for (const rule of rules.filter((candidate) => candidate.status === "Enabled")) {
      const destinationArn = rule.destination?.bucket ?? "";
      const destination = drBuckets.find((bucket) => bucket.outputs.arn === destinationArn);
      if (!destination) {
        violations.push(`${config.name}: destination ${destinationArn} is not a bucket of the DR stack`);
        continue;
      }
      if (destination.region === source.region) violations.push(`${config.name}: destination ${destinationArn} is in the source's region ${source.region}`);
      if (!versioningEnabled(dr, String(destination.outputs.bucket)))
        violations.push(`${config.name}: versioning is not Enabled on the destination bucket ${destination.outputs.bucket}`);
      if (role && !can("s3:ReplicateObject", `${destinationArn}/*`))
        violations.push(`${config.name}: the replication role may not s3:ReplicateObject into ${destinationArn}`);
      const replicaKey = rule.destination?.encryptionConfiguration?.replicaKmsKeyId;
      if (rule.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status !== "Enabled") {
        violations.push(
          `${config.name}: SSE-KMS objects are not selected (sourceSelectionCriteria.sseKmsEncryptedObjects); encrypted objects would not replicate`,
        );
      }
      if (!replicaKey || arnRegion(replicaKey) !== destination.region) {
        violations.push(`${config.name}: replicaKmsKeyId ${replicaKey ?? "(none)"} must be a key of the destination region ${destination.region}`);
      } else if (role && !can("kms:Encrypt", replicaKey)) {
        violations.push(`${config.name}: the replication role may not kms:Encrypt with the destination key ${replicaKey}`);
      }
      if (rule.destination?.replicationTime?.status !== "Enabled" || rule.destination?.metrics?.status !== "Enabled") {
        violations.push(`${config.name}: Replication Time Control and its metrics must both be Enabled for a bounded RPO`);
      }
      if (rule.deleteMarkerReplication?.status !== "Enabled") {
        violations.push(`${config.name}: delete markers are not replicated; a failover would serve objects the primary deleted`);
      }
    }
  }
  return { id: 3, title: "S3 replication: other region, versioning both sides, role rights, destination-region key, RTC with metrics (3)", violations };
}
