/**
 * How many nodes a cache replication group has, as the provider's `aws.elasticache.ReplicationGroup`
 * arguments: one shard is cluster mode disabled (`numCacheClusters` = the primary node plus its
 * replicas); more shards are cluster mode enabled (`numNodeGroups` and `replicasPerNodeGroup`, with a
 * `cluster.on` parameter group). A global datastore's secondary takes its shard count from the global
 * datastore: the provider refuses `numNodeGroups` beside `globalReplicationGroupId` ("If
 * `globalReplicationGroupId` is set, the `numNodeGroups` parameter cannot be set", Pulumi
 * `aws.elasticache.ReplicationGroup`), and sets the replica count of a cluster-mode secondary through
 * `replicasPerNodeGroup` alone (hashicorp/terraform-provider-aws#20111). Nor does a secondary set
 * `clusterMode`: the provider sends ClusterMode on create whenever it is set
 * (internal/service/elasticache/replication_group.go, resourceReplicationGroupCreate), and a member's
 * cluster mode is the global datastore's; the argument is Optional and Computed, so leaving it out shows
 * no diff. Pure.
 */
import type { CacheEngine } from "../../config/cache";

/** The node-count arguments of a replication group. */
export type GroupShape =
  | { numCacheClusters: number }
  | { replicasPerNodeGroup: number }
  | { numNodeGroups: number; replicasPerNodeGroup: number; clusterMode: "enabled"; parameterGroupName: string };

/**
 * The default cluster-mode parameter group of an engine version, e.g. `default.valkey8.cluster.on`,
 * `default.redis7.cluster.on`, `default.redis6.x.cluster.on`, `default.redis5.0.cluster.on` (ElastiCache
 * User Guide, "Valkey and Redis OSS parameters": each family's default group and its `.cluster.on`
 * variant, in which `cluster-enabled` is yes; the provider: "To enable cluster mode ... use a parameter
 * group that has the parameter `cluster-enabled` set to true").
 */
export function clusterModeParameterGroup(engine: Exclude<CacheEngine, "none">, engineVersion: string): string {
  const major = Number(engineVersion.split(".")[0]);
  if (engine === "valkey") return `default.valkey${major}.cluster.on`;
  if (major === 5) return "default.redis5.0.cluster.on";
  if (major === 6) return "default.redis6.x.cluster.on";
  return `default.redis${major}.cluster.on`;
}

/**
 * The node-count arguments for `shards` shards of 1 + `replicasPerShard` nodes each.
 * @param member `primary` (or a regional cache) sets the shard count and the parameter group;
 *   `secondary` (a global datastore member) leaves both to the global datastore.
 * @throws RangeError when shards < 1 or replicasPerShard < 0 (not whole numbers included).
 */
export function groupShape(
  shards: number,
  replicasPerShard: number,
  member: "primary" | "secondary",
  engine: Exclude<CacheEngine, "none">,
  engineVersion: string,
): GroupShape {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a whole number of at least 1, got ${shards}`);
  if (!Number.isInteger(replicasPerShard) || replicasPerShard < 0)
    throw new RangeError(`replicasPerShard must be a whole number of at least 0, got ${replicasPerShard}`);
  if (shards === 1) return { numCacheClusters: 1 + replicasPerShard };
  if (member === "secondary") return { replicasPerNodeGroup: replicasPerShard };
  return {
    numNodeGroups: shards,
    replicasPerNodeGroup: replicasPerShard,
    clusterMode: "enabled",
    parameterGroupName: clusterModeParameterGroup(engine, engineVersion),
  };
}
