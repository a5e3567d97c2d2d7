/**
 * The cache of the pair (`cache`, issue 22 item 2): an ElastiCache for Valkey or Redis OSS replication
 * group in each region, joined by an ElastiCache global datastore (the default) or, for node types a
 * global datastore refuses, one regional cache per stack that the failover warms up. Pure rules and
 * zod fragments: no Pulumi import, so the policy pack and the tests can use them.
 *
 * Which stack file carries which key:
 * - `Pulumi.primary.yaml`, `cache:` ({@link cacheSchema}): `engine` (none, valkey, redis; default
 *   none), `engineVersion`, `nodeType`, `shards`, `replicasPerShard`, `globalDatastore`. The primary
 *   creates its replication group and, with `globalDatastore: true`, the global datastore; the secondary
 *   inherits engine, version, node type and shard count from it, so those keys live here only.
 * - `Pulumi.dr.yaml`, `cache:` ({@link drCacheSchema}): `replicasPerShard` (each member of a global
 *   datastore may have its own read replica count) and `warmUp.paths` (what the failover loads into a
 *   regional DR cache) and `detached` (after an ungraceful failover); stacks/cache.ts refuses a DR `cache` key when the primary exports no cache).
 *
 * Sources (ElastiCache User Guide, "Replication across AWS Regions using global datastores",
 * "Prerequisites and limitations", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html;
 * "Using global datastores (console)", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Console.html):
 * - "The engine must be Valkey 7.2 or later, or Redis OSS 5.0.6 or later" (console page);
 * - "Global datastores are supported on the following instance families in size large and above: M5,
 *   M6g, M7g, R5, R6g, R6gd, R7g, and C7gn. Previous generation instance types (such as M4 and R4) are
 *   not supported";
 * - "All clusters—primary and secondary—in your global datastore should have the same number of primary
 *   nodes, node type, engine version, and number of shards ... Each cluster ... can have a different
 *   number of read replicas";
 * - "the secondary cluster inherits the Multi-AZ and automatic failover settings from the primary
 *   cluster. Automatic failover requires at least 2 nodes (1 primary and 1 replica)": at least one
 *   replica per shard on both sides;
 * - "Global datastores support encryption at rest, encryption in transit and AUTH" and "support AWS KMS
 *   keys": this program turns both on in both regions, each under its region's key.
 */
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./errors";
import { PROJECT_NAME as CONFIG_NAMESPACE } from "./conventions";

/** `none` (default: no cache), or the ElastiCache engine (Pulumi `aws.elasticache.ReplicationGroup` `engine`: `redis` or `valkey`). */
export const CACHE_ENGINES = ["none", "valkey", "redis"] as const;
export type CacheEngine = (typeof CACHE_ENGINES)[number];

/**
 * Default engine versions: Valkey 8.0 and Redis OSS 7.1, both supported by global datastores (newer
 * than the minimums above). The provider wants `<major>.<minor>` from version 7 on (Pulumi
 * `aws.elasticache.ReplicationGroup` `engineVersion`: "If the version is 7 or higher, the major and
 * minor version should be set, e.g., 7.2").
 */
export const CACHE_DEFAULT_VERSIONS = { valkey: "8.0", redis: "7.1" } as const;

/** Default node type: Graviton3 general purpose, the cheapest family a global datastore accepts (M7g, size large). */
export const CACHE_DEFAULT_NODE_TYPE = "cache.m7g.large";

/** The engine port both engines listen on by default (ElastiCache User Guide, "Finding connection endpoints"). */
export const CACHE_PORT = 6379;

/**
 * Node families a global datastore runs on, size large and above ("Prerequisites and limitations",
 * module comment). Sizes: `large`, `xlarge`, `<n>xlarge`.
 */
const GLOBAL_DATASTORE_NODE_TYPE = /^cache\.(m5|m6g|m7g|r5|r6g|r6gd|r7g|c7gn)\.(large|\d*xlarge)$/;
/** Any ElastiCache node type name: `cache.<family>.<size>` (ElastiCache User Guide, "Supported node types"). */
const NODE_TYPE = /^cache\.[a-z][a-z0-9]*\.[a-z0-9]+$/;

/**
 * Why `nodeType` cannot run the cache, or undefined when it can. With a global datastore only the
 * families and sizes AWS lists (module comment); a regional cache takes any node type name.
 */
export function cacheNodeTypeProblem(nodeType: string, globalDatastore: boolean): string | undefined {
  if (!NODE_TYPE.test(nodeType)) return `is not an ElastiCache node type (cache.<family>.<size>), e.g. ${CACHE_DEFAULT_NODE_TYPE}`;
  if (globalDatastore && !GLOBAL_DATASTORE_NODE_TYPE.test(nodeType)) {
    return (
      "cannot run a global datastore: ElastiCache supports M5, M6g, M7g, R5, R6g, R6gd, R7g and C7gn in size large and above " +
      `(no burstable cache.t*, no previous generation); use e.g. ${CACHE_DEFAULT_NODE_TYPE}, or set cache.globalDatastore: false for a regional cache in each region`
    );
  }
  return undefined;
}

/** `<major>.<minor>[.<patch>]` or Redis OSS 6's `6.x`. */
const VERSION = /^(\d+)\.(\d+|x)(?:\.(\d+))?$/;

/**
 * Why `version` cannot run `engine` as this program deploys it, or undefined when it can: Valkey 7.2 or
 * later, Redis OSS 5.0.6 or later (the global datastore minimums, module comment; a regional cache
 * takes the same, so that switching modes never needs an engine change), written as the provider
 * wants it (`<major>.<minor>` from 7 on; `6.x`, `6.0`, `6.2`; `5.0.6`).
 */
export function cacheEngineVersionProblem(engine: Exclude<CacheEngine, "none">, version: string): string | undefined {
  const match = VERSION.exec(version);
  const example = CACHE_DEFAULT_VERSIONS[engine];
  if (!match) return `is not an engine version (major.minor, e.g. ${example})`;
  const major = Number(match[1]);
  const minor = match[2] === "x" ? Number.POSITIVE_INFINITY : Number(match[2]);
  const patch = match[3] === undefined ? Number.POSITIVE_INFINITY : Number(match[3]);
  if (engine === "valkey") {
    if (major < 7 || (major === 7 && minor < 2))
      return `is older than Valkey 7.2, the first Valkey release ElastiCache global datastores support; use e.g. ${example}`;
    if (match[3] !== undefined) return `must be major.minor for Valkey (the provider takes 7.2, 8.0), e.g. ${example}`;
    return undefined;
  }
  if (major < 5 || (major === 5 && (minor < 0 || (minor === 0 && patch < 6)))) {
    return `is older than Redis OSS 5.0.6, the first release ElastiCache global datastores support; use e.g. ${example}`;
  }
  if (major === 5 && match[3] === undefined) return "must be 5.0.6 for Redis OSS 5 (the provider takes the full version before 6)";
  if (major >= 7 && (match[2] === "x" || match[3] !== undefined)) return `must be major.minor from Redis OSS 7 on (the provider's rule), e.g. ${example}`;
  return undefined;
}

/**
 * ElastiCache's default quota of nodes in one cluster-mode-enabled replication group (ElastiCache User
 * Guide, "Quotas for ElastiCache": "Nodes per cluster (cluster mode enabled)", 90; adjustable).
 */
export const NODES_PER_CLUSTER_QUOTA = 90;
/** Read replicas per shard: 0 to 5 (Pulumi `replicasPerNodeGroup`: "Default AWS limit is 5"); this program needs at least 1 (automatic failover). */
const replicas = z
  .number({ error: "must be a whole number of read replicas per shard, 1 to 5" })
  .int({ error: "must be a whole number of read replicas per shard, 1 to 5" })
  .min(1, {
    error:
      "must be at least 1: the replication group runs with Multi-AZ and automatic failover, which need a replica, and a global datastore's secondary inherits them (ElastiCache User Guide, global datastores, Prerequisites and limitations)",
  })
  .max(5, { error: "must be at most 5 (ElastiCache's default limit of read replicas per shard)" });

/** A path of the app, requested through the DR load balancer by the failover's warm-up. */
const warmUpPath = z
  .string()
  .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/, { error: "must be a path of the app starting with /, e.g. /products?top=100 (no scheme, no host)" })
  .max(512, { error: "must be at most 512 characters" });

/** At most this many warm-up paths: the warm-up is a small, bounded step (one request each, WARM_UP_TIMEOUT_SECONDS in all). */
export const MAX_WARM_UP_PATHS = 20;

/**
 * The primary stack's `cache` key. Unknown keys are refused (a strict object), so a DR-only key
 * (`warmUp`) written in the primary's file is named.
 */
export const cacheSchema = z
  .strictObject({
    /** `none` (default), `valkey` or `redis`. */
    engine: z.enum(CACHE_ENGINES, { error: `must be one of ${CACHE_ENGINES.join(", ")}` }).default("none"),
    /** Engine version; default Valkey 8.0, Redis OSS 7.1 ({@link cacheEngineVersionProblem}). */
    engineVersion: z.string().optional(),
    /** Node type of every node in both regions; default cache.m7g.large ({@link cacheNodeTypeProblem}). */
    nodeType: z.string().default(CACHE_DEFAULT_NODE_TYPE),
    /** Shards (node groups): 1 (default) is cluster mode disabled; more is cluster mode enabled. */
    shards: z
      .number({ error: "must be a whole number of shards" })
      .int({ error: "must be a whole number of shards" })
      .min(1)
      .max(NODES_PER_CLUSTER_QUOTA)
      .default(1),
    /** Read replicas per shard in the primary region, 1 to 5, default 1. */
    replicasPerShard: replicas.default(1),
    /**
     * true (default): an ElastiCache global datastore replicates the primary's group to the DR
     * region's, and failover promotes the DR group. false: each region has a cache of its own (any
     * node type), and failover warms the DR one up (`warmUp.paths` of the DR stack).
     */
    globalDatastore: z.boolean({ error: "must be true or false" }).default(true),
  })
  .superRefine((cache, context) => {
    if (cache.engine === "none") return;
    const nodeProblem = cacheNodeTypeProblem(cache.nodeType, cache.globalDatastore);
    if (nodeProblem) context.addIssue({ code: "custom", path: ["nodeType"], input: cache.nodeType, message: nodeProblem });
    if (cache.engineVersion !== undefined) {
      const versionProblem = cacheEngineVersionProblem(cache.engine, cache.engineVersion);
      if (versionProblem) context.addIssue({ code: "custom", path: ["engineVersion"], input: cache.engineVersion, message: versionProblem });
    }
    if (cache.shards * (1 + cache.replicasPerShard) > NODES_PER_CLUSTER_QUOTA) {
      context.addIssue({
        code: "custom",
        path: ["shards"],
        input: cache.shards,
        message: `with ${cache.replicasPerShard} replicas per shard makes ${cache.shards * (1 + cache.replicasPerShard)} nodes, over ElastiCache's default quota of ${NODES_PER_CLUSTER_QUOTA} per replication group`,
      });
    }
  })
  .default({ engine: "none", nodeType: CACHE_DEFAULT_NODE_TYPE, shards: 1, replicasPerShard: 1, globalDatastore: true });

/** The DR stack's `cache` key: what differs in the DR region, and what the failover loads. */
export const drCacheSchema = z
  .strictObject({
    /** Read replicas per shard in the DR region, 1 to 5; default: the primary's. */
    replicasPerShard: replicas.optional(),
    /**
     * Set true after a failover detached the DR cache from the global datastore (the ungraceful path:
     * DisassociateGlobalReplicationGroup, recovery/cacheSteps.ts; the failover's notification says so),
     * so that the DR stack declares it standalone and a deploy adopts it instead of replacing it
     * (components/cache/secondaryCache.ts, mode `detached`). Default false.
     */
    detached: z.boolean({ error: "must be true or false" }).default(false),
    warmUp: z
      .strictObject({
        /**
         * Paths of the app the failover requests through the application's name once the DR targets
         * are healthy, so that a read-through cache holds them before users arrive; default `["/"]`.
         * Only a regional DR cache (the primary's `cache.globalDatastore: false`) is warmed up: a
         * global datastore's secondary is warm already.
         */
        paths: z.array(warmUpPath).min(1, { error: "must list at least one path, e.g. [/]" }).max(MAX_WARM_UP_PATHS).default(["/"]),
      })
      .default({ paths: ["/"] }),
  })
  .default({ detached: false, warmUp: { paths: ["/"] } });

export type CacheConfig = z.output<typeof cacheSchema>;
export type DrCacheConfig = z.output<typeof drCacheSchema>;

/** The cache of a stack with its engine chosen (not `none`), with the version resolved. */
export type EnabledCacheConfig = CacheConfig & { engine: Exclude<CacheEngine, "none">; engineVersion: string };

/** The primary's cache with defaults resolved, or undefined for `engine: none`. */
export function enabledCache(cache: CacheConfig): EnabledCacheConfig | undefined {
  if (cache.engine === "none") return undefined;
  return { ...cache, engine: cache.engine, engineVersion: cache.engineVersion ?? CACHE_DEFAULT_VERSIONS[cache.engine] };
}

/**
 * Parses a stack's `cache` value alone (the fragment the lead adds to config/schema.ts; until then,
 * stacks/cache.ts reads it through this): `role` picks {@link cacheSchema} or {@link drCacheSchema}.
 * @throws ConfigError naming each key (`multi-region-dr:cache.<path>`), the value found and the fix.
 */
export function parseCacheConfig(role: "primary", value: unknown): CacheConfig;
export function parseCacheConfig(role: "dr", value: unknown): DrCacheConfig;
export function parseCacheConfig(role: "primary" | "dr", value: unknown): CacheConfig | DrCacheConfig {
  const schema = role === "primary" ? cacheSchema : drCacheSchema;
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems: ConfigProblem[] = result.error.issues.map((issue) => ({
    key: [`${CONFIG_NAMESPACE}:cache`, ...issue.path.map(String)].join("."),
    value: issue.input,
    message: issue.code === "unrecognized_keys" ? `has keys the ${role} stack does not read under cache: ${issue.keys.join(", ")}` : issue.message,
  }));
  throw new ConfigError(`Invalid cache configuration for the ${role} stack`, problems);
}

/**
 * The primary stack's output `cache` (config/primaryContract.ts), absent with `cache.engine: none`:
 * what the DR stack needs to build its member (the global datastore's full id, or the regional
 * cache's settings) and the recovery targets (the primary's replication group id).
 */
export const primaryCacheOutputSchema = z
  .object({
    engine: z.enum(["valkey", "redis"]),
    engineVersion: z.string().min(1),
    nodeType: z.string().startsWith("cache."),
    shards: z.number().int().min(1),
    replicasPerShard: z.number().int().min(1),
    port: z.number().int().min(1).max(65535),
    globalDatastore: z.boolean(),
    /** The primary region's replication group (`aws.elasticache.ReplicationGroup` id). */
    replicationGroupId: z.string().min(1),
    /** The global datastore's full id (ElastiCache's region prefix and the suffix), with `globalDatastore`. */
    globalReplicationGroupId: z.string().min(1).optional(),
  })
  .refine((cache) => !cache.globalDatastore || cache.globalReplicationGroupId !== undefined, {
    error: "has globalDatastore true without globalReplicationGroupId: the global datastore the DR secondary joins",
    path: ["globalReplicationGroupId"],
  });

export type PrimaryCacheOutput = z.output<typeof primaryCacheOutputSchema>;
