/**
 * PrimaryCache: the primary region's cache, an ElastiCache for Valkey or Redis OSS replication group
 * (components/cache/settings.ts: Multi-AZ, encrypted in transit and at rest under the primary
 * region's key), and, with `globalDatastore`, the ElastiCache global datastore whose primary it is
 * (`aws.elasticache.GlobalReplicationGroup`; ElastiCache User Guide, "Replication across AWS Regions
 * using global datastores"). The DR stack's SecondaryCache joins that global datastore by its id
 * (primary output `cacheGlobalReplicationGroupId`). Without a global datastore the group is the
 * primary region's own cache and the DR region keeps another one, warmed up by the failover.
 *
 * Not protected: a cache holds copies of what the database and the app make again (DESIGN.md protects
 * the database, buckets and keys); deleting it loses nothing that a warm-up does not bring back.
 *
 * Children: `<name>-subnets`, `<name>-sg` and client rules (network.ts), `<name>-group`, `<name>-global`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cacheEngineVersionProblem, cacheNodeTypeProblem, type CacheEngine } from "../../config/cache";
import { groupShape } from "./groupShape";
import { cacheNetwork, type CacheNetworkArgs } from "./network";
import { cacheKeyProblem, OWN_ENCRYPTION, sharedGroupArgs } from "./settings";

export interface PrimaryCacheArgs extends CacheNetworkArgs {
  /** The primary region, where the component's provider deploys, e.g. `us-east-1`. */
  region: string;
  engine: Exclude<CacheEngine, "none">;
  /** e.g. `8.0` (Valkey) or `7.1` (Redis OSS); config/cache.ts `cacheEngineVersionProblem`. */
  engineVersion: string;
  /** e.g. `cache.m7g.large`; config/cache.ts `cacheNodeTypeProblem`. */
  nodeType: string;
  /** Shards (node groups), at least 1. */
  shards: number;
  /** Read replicas per shard, at least 1 (automatic failover needs one). */
  replicasPerShard: number;
  /** Create the global datastore with this group as its primary. */
  globalDatastore: boolean;
  /**
   * The global datastore's id suffix (`GlobalReplicationGroupIdSuffix`: ElastiCache prefixes it with
   * a code of the region to make the id, e.g. `ldgnf-<suffix>`); lower-case letters, digits and
   * single hyphens, 1 to 40 here. Required with `globalDatastore`.
   */
  globalDatastoreSuffix?: string;
  /** ARN of the primary region's customer-managed KMS key (`RegionalKey.keyArn`). */
  kmsKeyArn: pulumi.Input<string>;
}

const SUFFIX = /^[a-z](?!.*--)[a-z0-9-]{0,39}(?<!-)$/;

/**
 * Validates PrimaryCacheArgs before any resource is created.
 * @throws Error listing every problem: an engine version, node type (with a global datastore), key
 * region, shard or replica count, or global datastore suffix that ElastiCache would refuse.
 */
export function validatePrimaryCacheArgs(args: PrimaryCacheArgs): void {
  const problems = [
    cacheEngineVersionProblem(args.engine, args.engineVersion) &&
      `engineVersion ${args.engineVersion} ${cacheEngineVersionProblem(args.engine, args.engineVersion)}`,
    cacheNodeTypeProblem(args.nodeType, args.globalDatastore) && `nodeType ${args.nodeType} ${cacheNodeTypeProblem(args.nodeType, args.globalDatastore)}`,
    cacheKeyProblem(args.kmsKeyArn, args.region),
    !Number.isInteger(args.shards) || args.shards < 1 ? `shards must be a whole number of at least 1, got ${args.shards}` : undefined,
    !Number.isInteger(args.replicasPerShard) || args.replicasPerShard < 1
      ? `replicasPerShard must be at least 1 (Multi-AZ with automatic failover needs a replica), got ${args.replicasPerShard}`
      : undefined,
    args.globalDatastore && (args.globalDatastoreSuffix === undefined || !SUFFIX.test(args.globalDatastoreSuffix))
      ? `globalDatastoreSuffix must be 1-40 lower-case letters, digits or single hyphens starting with a letter, got ${JSON.stringify(args.globalDatastoreSuffix)}`
      : undefined,
  ].filter((problem): problem is string => typeof problem === "string" && problem !== "");
  if (problems.length > 0) throw new Error(`PrimaryCache: ${problems.join("; ")}`);
}

export class PrimaryCache extends pulumi.ComponentResource {
  /** The replication group's id (provider-named), e.g. `primary-cache-group-1a2b3c4`. */
  readonly replicationGroupId: pulumi.Output<string>;
  readonly replicationGroupArn: pulumi.Output<string>;
  /** The address the app connects to: the primary endpoint (one shard) or the configuration endpoint (cluster mode). */
  readonly endpointAddress: pulumi.Output<string>;
  readonly port: number;
  /** The nodes' cache cluster ids (CloudWatch dimension `CacheClusterId`). */
  readonly memberClusters: pulumi.Output<string[]>;
  /** The global datastore's full id (region code + suffix), with `globalDatastore`. */
  readonly globalReplicationGroupId?: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  /** @throws Error before creating anything when an argument is invalid (`validatePrimaryCacheArgs`). */
  constructor(name: string, args: PrimaryCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:cache:PrimaryCache", name, {}, opts);
    validatePrimaryCacheArgs(args);
    const network = cacheNetwork(name, args, this);
    const group = new aws.elasticache.ReplicationGroup(
      `${name}-group`,
      {
        ...sharedGroupArgs(`${name}: ${args.engine} cache of the primary region`, network, args.kmsKeyArn, args.port),
        ...OWN_ENCRYPTION,
        engine: args.engine,
        engineVersion: args.engineVersion,
        nodeType: args.nodeType,
        ...groupShape(args.shards, args.replicasPerShard, "primary", args.engine, args.engineVersion),
      },
      { parent: this },
    );
    this.replicationGroupId = group.id;
    this.replicationGroupArn = group.arn;
    this.endpointAddress = args.shards > 1 ? group.configurationEndpointAddress : group.primaryEndpointAddress;
    this.port = args.port;
    this.memberClusters = group.memberClusters;
    this.securityGroupId = network.securityGroup.id;
    if (args.globalDatastore) {
      const global = new aws.elasticache.GlobalReplicationGroup(
        `${name}-global`,
        {
          globalReplicationGroupIdSuffix: args.globalDatastoreSuffix!,
          primaryReplicationGroupId: group.id,
          globalReplicationGroupDescription: `${name}: ${args.engine} cache replicated to the DR region`,
        },
        // After a failover the DR group is the global datastore's primary: a refresh then reads another
        // primaryReplicationGroupId, and a change of it replaces the global datastore (provider: "If
        // `primaryReplicationGroupId` is changed, creates a new resource"). The roles are the workflows'
        // business (recovery/cacheSteps.ts), never a deploy's.
        { parent: this, ignoreChanges: ["primaryReplicationGroupId"] },
      );
      this.globalReplicationGroupId = global.globalReplicationGroupId;
    }
    this.registerOutputs({
      replicationGroupId: this.replicationGroupId,
      replicationGroupArn: this.replicationGroupArn,
      endpointAddress: this.endpointAddress,
      port: this.port,
      memberClusters: this.memberClusters,
      globalReplicationGroupId: this.globalReplicationGroupId,
      securityGroupId: this.securityGroupId,
    });
  }
}
