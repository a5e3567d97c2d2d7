/**
 * SecondaryCache: the DR region's cache, an ElastiCache replication group in the DR network,
 * encrypted in transit and at rest under the DR region's key (components/cache/settings.ts), in one
 * of three modes:
 * - `global`: a secondary of the primary's global datastore (`globalReplicationGroupId`). It inherits
 *   engine, engine version, node type, shard count, cluster mode, parameter group and the encryption flags
 *   from the global datastore ("All clusters ... should have the same number of primary nodes, node type,
 *   engine version, and number of shards", ElastiCache User Guide, global datastores, "Prerequisites and
 *   limitations"); the provider declares `global_replication_group_id` ConflictsWith num_node_groups,
 *   parameter_group_name, engine, engine_version, node_type, security_group_names,
 *   transit_encryption_enabled, transit_encryption_mode, at_rest_encryption_enabled, snapshot_arns and
 *   snapshot_name (hashicorp/terraform-provider-aws internal/service/elasticache/replication_group.go), so
 *   none of those is set (settings.ts). Its own: the DR region's `kmsKeyId`, its replica count
 *   (`numCacheClusters`, or `replicasPerNodeGroup` with shards), its subnet and security groups, and the
 *   inherited Multi-AZ/automatic failover declared as they are (settings.ts). ElastiCache suppresses a
 *   member's engine upgrades: the provider ignores engine, version and parameter group changes of a
 *   member (`suppressDiffIfBelongsToGlobalReplicationGroup`), and an upgrade is made on the global
 *   datastore (docs/cache.md). Failover promotes it (FailoverGlobalReplicationGroup) or,
 *   when that cannot work, detaches it (recovery/cacheSteps.ts).
 * - `detached`: the same group after a failover disassociated it from the global datastore
 *   (DisassociateGlobalReplicationGroup: it "will remain as a standalone cluster in that Amazon region").
 *   Declared standalone with the global datastore's engine, version and node type, so that a `pulumi up`
 *   of the DR stack adopts it as it is instead of re-joining (which ElastiCache cannot do for a cluster
 *   with data: "We don't support adding an existing cluster as a secondary", same page).
 * - `regional`: the DR region's own cache (the primary's `cache.globalDatastore: false`), with the
 *   primary's engine, version, node type and shards; the failover warms it up.
 *
 * Re-joining after a detach (`detached` back to `global`) must REPLACE the group, and a changed argument
 * cannot make it: after DisassociateGlobalReplicationGroup the provider's state keeps the old
 * `global_replication_group_id` (Optional, Computed, ForceNew; its Read sets it only while
 * DescribeReplicationGroups returns GlobalReplicationGroupInfo: replication_group.go,
 * resourceReplicationGroupRead), so declaring the same id again shows no diff. So the group's logical
 * name follows the mode ({@link secondaryGroupIdentity}): `detached` declares `<name>-group-detached`
 * with an alias of `<name>-group` (the same cloud group, renamed in the state: no replacement when a
 * failover detached it), and `global` declares `<name>-group`, a resource the state no longer has: Pulumi
 * creates the new secondary (empty, then replicated) and deletes the standalone group at the end of the
 * update (Pulumi docs, "Resource names", "aliases").
 *
 * Not protected (a cache, see PrimaryCache). Children: network.ts's, and `<name>-group` (`<name>-group-detached` when detached).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cacheEngineVersionProblem, cacheNodeTypeProblem, type CacheEngine } from "../../config/cache";
import { groupShape } from "./groupShape";
import { cacheNetwork, type CacheNetworkArgs } from "./network";
import { cacheKeyProblem, OWN_ENCRYPTION, sharedGroupArgs } from "./settings";

/** What the secondary is and how it is declared (module comment). */
export type SecondaryCacheMode = "global" | "detached" | "regional";

export interface SecondaryCacheArgs extends CacheNetworkArgs {
  /** The DR region, where the component's provider deploys. */
  region: string;
  mode: SecondaryCacheMode;
  /** The primary's global datastore id (primary output `cacheGlobalReplicationGroupId`); required in `global` mode, refused otherwise. */
  globalReplicationGroupId?: string;
  /** The primary's cache (primary outputs `cacheEngine`, `cacheEngineVersion`, `cacheNodeType`, `cacheShards`). */
  engine: Exclude<CacheEngine, "none">;
  engineVersion: string;
  nodeType: string;
  shards: number;
  /** Read replicas per shard in the DR region, at least 1 (the secondary inherits automatic failover, which needs one). */
  replicasPerShard: number;
  /** ARN of the DR region's customer-managed KMS key (`RegionalKey.keyArn`). */
  kmsKeyArn: pulumi.Input<string>;
}

/**
 * Validates SecondaryCacheArgs before any resource is created.
 * @throws Error listing every problem: a global id missing in `global` mode or given in another, a key
 * of another region, a replica count under 1, and (regional mode) an engine version or node type the
 * primary could not have deployed either.
 */
export function validateSecondaryCacheArgs(args: SecondaryCacheArgs): void {
  const versionProblem = cacheEngineVersionProblem(args.engine, args.engineVersion);
  const nodeProblem = cacheNodeTypeProblem(args.nodeType, args.mode !== "regional");
  const problems = [
    args.mode === "global" && !args.globalReplicationGroupId
      ? "globalReplicationGroupId is required in global mode: pass the primary output cacheGlobalReplicationGroupId"
      : undefined,
    args.mode !== "global" && args.globalReplicationGroupId !== undefined
      ? `globalReplicationGroupId is set in ${args.mode} mode; a ${args.mode} DR cache is standalone: remove it or use mode global`
      : undefined,
    versionProblem && `engineVersion ${args.engineVersion} ${versionProblem}`,
    nodeProblem && `nodeType ${args.nodeType} ${nodeProblem}`,
    cacheKeyProblem(args.kmsKeyArn, args.region),
    !Number.isInteger(args.replicasPerShard) || args.replicasPerShard < 1
      ? `replicasPerShard must be at least 1 (the DR group runs Multi-AZ with automatic failover, which needs a replica), got ${args.replicasPerShard}`
      : undefined,
  ].filter((problem): problem is string => typeof problem === "string" && problem !== "");
  if (problems.length > 0) throw new Error(`SecondaryCache: ${problems.join("; ")}`);
}

/**
 * The DR group's logical name and options in `mode` (module comment, "Re-joining after a detach"):
 * `<name>-group` in `global` and `regional` mode; `<name>-group-detached`, aliased to `<name>-group`, in
 * `detached` mode. Pure.
 */
export function secondaryGroupIdentity(name: string, mode: SecondaryCacheMode): { name: string; aliases: pulumi.Alias[] } {
  return mode === "detached" ? { name: `${name}-group-detached`, aliases: [{ name: `${name}-group` }] } : { name: `${name}-group`, aliases: [] };
}

export class SecondaryCache extends pulumi.ComponentResource {
  readonly replicationGroupId: pulumi.Output<string>;
  readonly replicationGroupArn: pulumi.Output<string>;
  /** The address the DR app connects to: writable once failover promoted or detached the group (global), or at once (regional). */
  readonly endpointAddress: pulumi.Output<string>;
  readonly port: number;
  /** The nodes' cache cluster ids (CloudWatch dimension `CacheClusterId` of GlobalDatastoreReplicationLag). */
  readonly memberClusters: pulumi.Output<string[]>;
  readonly mode: SecondaryCacheMode;
  readonly securityGroupId: pulumi.Output<string>;

  /** @throws Error before creating anything when an argument is invalid (`validateSecondaryCacheArgs`). */
  constructor(name: string, args: SecondaryCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:cache:SecondaryCache", name, {}, opts);
    validateSecondaryCacheArgs(args);
    const network = cacheNetwork(name, args, this);
    const shared = sharedGroupArgs(`${name}: ${args.engine} cache of the DR region (${args.mode})`, network, args.kmsKeyArn, args.port);
    const groupArgs: aws.elasticache.ReplicationGroupArgs =
      args.mode === "global"
        ? {
            ...shared,
            globalReplicationGroupId: args.globalReplicationGroupId,
            ...groupShape(args.shards, args.replicasPerShard, "secondary", args.engine, args.engineVersion),
          }
        : {
            ...shared,
            ...OWN_ENCRYPTION,
            engine: args.engine,
            engineVersion: args.engineVersion,
            nodeType: args.nodeType,
            ...groupShape(args.shards, args.replicasPerShard, "primary", args.engine, args.engineVersion),
          };
    const identity = secondaryGroupIdentity(name, args.mode);
    const group = new aws.elasticache.ReplicationGroup(identity.name, groupArgs, { parent: this, aliases: identity.aliases });
    this.replicationGroupId = group.id;
    this.replicationGroupArn = group.arn;
    this.endpointAddress = args.shards > 1 ? group.configurationEndpointAddress : group.primaryEndpointAddress;
    this.port = args.port;
    this.memberClusters = group.memberClusters;
    this.mode = args.mode;
    this.securityGroupId = network.securityGroup.id;
    this.registerOutputs({
      replicationGroupId: this.replicationGroupId,
      replicationGroupArn: this.replicationGroupArn,
      endpointAddress: this.endpointAddress,
      port: this.port,
      memberClusters: this.memberClusters,
      mode: this.mode,
      securityGroupId: this.securityGroupId,
    });
  }
}
