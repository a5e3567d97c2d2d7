/**
 * DR invariants 1 and 2 for the aurora-global engine mode (checks.md): the primary cluster and the
 * DR stack's secondary cluster belong to the same global cluster; the secondary lives in another
 * region, is encrypted with a key of its own region, and runs at least the primary's instance class;
 * every global cluster has exactly one secondary in the DR stack.
 */
import { arnRegion, type PlanPair, resourcesOfType, stringInput } from "./plan";
import { classAtLeast } from "./replica";
import type { PlannedResource, StackPlan } from "../synth/recordStack";

export const RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster";
export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";

/** The instance classes of the cluster instances that belong to `cluster` (by clusterIdentifier). */
function memberClasses(plan: StackPlan, cluster: PlannedResource): string[] {
  const identifier = cluster.outputs.clusterIdentifier ?? cluster.outputs.id;
  return resourcesOfType(plan, RDS_CLUSTER_INSTANCE)
    .filter((instance) => stringInput(instance, "clusterIdentifier") === identifier)
    .map((instance) => stringInput(instance, "instanceClass") ?? "");
}

/** Problems of the Aurora global pairing; empty when the pair uses RDS instances or pairs correctly. */
export function auroraGlobalProblems({ primary, dr }: PlanPair): string[] {
  const problems: string[] = [];
  const globals = resourcesOfType(primary, RDS_GLOBAL_CLUSTER);
  const primaryClusters = resourcesOfType(primary, RDS_CLUSTER);
  const secondaries = resourcesOfType(dr, RDS_CLUSTER);
  if (globals.length === 0 && primaryClusters.length === 0 && secondaries.length === 0) return problems;
  const globalIdentifiers = globals.map((global) => String(global.outputs.globalClusterIdentifier ?? global.inputs.globalClusterIdentifier));
  for (const cluster of primaryClusters) {
    const joined = stringInput(cluster, "globalClusterIdentifier");
    if (joined === undefined || !globalIdentifiers.includes(joined)) {
      problems.push(
        `${primary.stack}/${cluster.name}: the primary cluster must join the stack's global cluster (globalClusterIdentifier ${joined ?? "unset"})`,
      );
    }
  }
  for (const secondary of secondaries) {
    const joined = stringInput(secondary, "globalClusterIdentifier");
    if (joined === undefined || !globalIdentifiers.includes(joined)) {
      problems.push(
        `${dr.stack}/${secondary.name}: globalClusterIdentifier ${joined ?? "unset"} is not the primary's global cluster (${globalIdentifiers.join(", ") || "none"}); the secondary must join it`,
      );
    }
    const primaryRegions = primaryClusters.map((cluster) => cluster.region);
    if (primaryRegions.includes(secondary.region)) {
      problems.push(`${dr.stack}/${secondary.name}: the secondary cluster is in the primary's region ${secondary.region}; it must live in the DR region`);
    }
    const key = stringInput(secondary, "kmsKeyId");
    if (secondary.inputs.storageEncrypted !== true || key === undefined) {
      problems.push(`${dr.stack}/${secondary.name}: the secondary cluster must be encrypted (storageEncrypted with a kmsKeyId of ${secondary.region})`);
    } else if (arnRegion(key) !== secondary.region) {
      problems.push(
        `${dr.stack}/${secondary.name}: kmsKeyId ${key} is a key of ${arnRegion(key)}; the secondary needs a key of its own region ${secondary.region}`,
      );
    }
    const secondaryClasses = memberClasses(dr, secondary);
    if (secondaryClasses.length === 0) {
      problems.push(`${dr.stack}/${secondary.name}: the secondary cluster has no instance; a failover would have no writer to promote`);
    }
    for (const cluster of primaryClusters) {
      const baseline = memberClasses(primary, cluster)[0];
      for (const candidate of secondaryClasses) {
        if (baseline !== undefined && !classAtLeast(candidate, baseline)) {
          problems.push(`${dr.stack}/${secondary.name}: instance class ${candidate} is smaller than or of another family than the primary's ${baseline}`);
        }
      }
    }
  }
  for (const identifier of globalIdentifiers) {
    const count = secondaries.filter((secondary) => stringInput(secondary, "globalClusterIdentifier") === identifier).length;
    if (count !== 1) problems.push(`${primary.stack}: global cluster ${identifier} has ${count} secondary clusters in the DR stack; it needs exactly one`);
  }
  return problems;
}

/** The Aurora half of invariants 1 and 2, as its own result when the pair runs an Aurora global database. */
