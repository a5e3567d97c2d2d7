/**
 * The cache of each stack (config/cache.ts; components/cache/*), as functions stacks/primary.ts and
 * stacks/dr.ts call, and what the cache adds to the primary's outputs, the recovery targets and the
 * recovery alarms:
 * - primary: `buildPrimaryCache` (the replication group and, by default, the global datastore), then
 *   `primaryCacheOutput` as the output `cache` (config/primaryContract.ts);
 * - DR: `drCacheProblems` (before any resource), `buildDrCache` (the secondary, detached or regional
 *   group, and for a regional cache the warm-up function), `cacheTargets` (recovery targets `cache`),
 *   `cacheAlarm` (RecoveryAlarms `cache` and `names.cacheReplicationLag`).
 * Each stack also gets its cache's endpoint as an SSM parameter under the app's parameter path
 * (`<path>cache-endpoint`, `<address>:<port>`, TLS), where the app reads its other settings.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CACHE_PORT, type CacheConfig, type DrCacheConfig, enabledCache, type PrimaryCacheOutput } from "../config/cache";
import { PROJECT_NAME as CONFIG_NAMESPACE } from "../config/conventions";
import type { ConfigProblem } from "../config/errors";
import type { CacheLagAlarmArgs } from "../components/cache/lagAlarm";
import { PrimaryCache } from "../components/cache/primaryCache";
import { SecondaryCache } from "../components/cache/secondaryCache";
import { CacheWarmUp } from "../components/cache/warmUpFunction";
import type { RegionalKey } from "../components/regionalKey";
import type { RegionalNetwork } from "../components/regionalNetwork";
import type { CacheTargets } from "../recovery/targets";

/** Where a stack's cache lives: its region's network and key, the app's security group and parameter path. */
export interface CachePlacement {
  region: string;
  network: Pick<RegionalNetwork, "vpcId" | "isolatedSubnetIds">;
  key: Pick<RegionalKey, "keyArn">;
  /** AppTier `instanceSecurityGroupId`. */
  clientSecurityGroupId: pulumi.Input<string>;
  /** The app's SSM parameter path (AppRuntime `parameterPath`, `/…/`); the endpoint parameter goes under it. */
  appParameterPath: string;
  /** `resourcePrefix(stackName, role)`: names the global datastore's suffix and the warm-up function. */
  prefix: string;
}

/** The endpoint parameter `<appParameterPath>cache-endpoint` = `<address>:<port>`. */
function endpointParameter(name: string, placement: CachePlacement, address: pulumi.Output<string>, port: number, parent: pulumi.Resource): aws.ssm.Parameter {
  return new aws.ssm.Parameter(
    `${name}-endpoint`,
    {
      name: `${placement.appParameterPath}cache-endpoint`,
      type: "String",
      value: pulumi.interpolate`${address}:${port}`,
      description: "The cache's endpoint (TLS): address:port (multi-region-dr stacks/cache.ts)",
    },
    { parent },
  );
}

/** The global datastore's id suffix: the prefix, lower case, at most 40 characters (components/cache/primaryCache.ts). */
export function globalDatastoreSuffix(prefix: string): string {
  return `${prefix}-cache`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/** What the primary's cache built. */
export interface PrimaryCacheResources {
  cache: PrimaryCache;
  config: NonNullable<ReturnType<typeof enabledCache>>;
}

/**
 * The primary's cache, or undefined for `cache.engine: none`. Call from stacks/primary.ts after the
 * region is built: `buildPrimaryCache(config.cache, { region: config.region, network: region.network,
 * key: region.key, clientSecurityGroupId: region.app.instanceSecurityGroupId, appParameterPath:
 * appRuntime.parameterPath, prefix: resourcePrefix(stackName, "primary") }, inRegion(provider))`.
 */
export function buildPrimaryCache(cache: CacheConfig, placement: CachePlacement, opts: pulumi.ComponentResourceOptions): PrimaryCacheResources | undefined {
  const config = enabledCache(cache);
  if (!config) return undefined;
  const component = new PrimaryCache(
    "primary-cache",
    {
      region: placement.region,
      engine: config.engine,
      engineVersion: config.engineVersion,
      nodeType: config.nodeType,
      shards: config.shards,
      replicasPerShard: config.replicasPerShard,
      globalDatastore: config.globalDatastore,
      ...(config.globalDatastore ? { globalDatastoreSuffix: globalDatastoreSuffix(placement.prefix) } : {}),
      kmsKeyArn: placement.key.keyArn,
      vpcId: placement.network.vpcId,
      subnetIds: placement.network.isolatedSubnetIds,
      clientSecurityGroupIds: [placement.clientSecurityGroupId],
      port: CACHE_PORT,
    },
    opts,
  );
  endpointParameter("primary-cache", placement, component.endpointAddress, component.port, component);
  return { cache: component, config };
}

/** The primary's output `cache` (stacks/primary.ts: `...(cache ? { cache: primaryCacheOutput(cache) } : {})`). */
export function primaryCacheOutput({ cache, config }: PrimaryCacheResources): pulumi.Output<PrimaryCacheOutput> {
  return pulumi.all([cache.replicationGroupId, cache.globalReplicationGroupId]).apply(([replicationGroupId, globalReplicationGroupId]) => ({
    engine: config.engine,
    engineVersion: config.engineVersion,
    nodeType: config.nodeType,
    shards: config.shards,
    replicasPerShard: config.replicasPerShard,
    port: cache.port,
    globalDatastore: config.globalDatastore,
    replicationGroupId,
    ...(globalReplicationGroupId !== undefined ? { globalReplicationGroupId } : {}),
  }));
}

/**
 * What is wrong with the DR stack's `cache` key given the primary's output `cache`, before any
 * resource exists: a DR `cache` key while the primary exports no cache (it would be ignored), and
 * `detached: true` with a regional cache (only a global datastore's member is ever detached).
 * @param written whether the DR stack file sets `cache` at all (its defaults otherwise).
 */
export function drCacheProblems(drCache: DrCacheConfig, written: boolean, primary: PrimaryCacheOutput | undefined): ConfigProblem[] {
  const key = `${CONFIG_NAMESPACE}:cache`;
  if (primary === undefined) {
    return written
      ? [
          {
            key,
            value: drCache,
            message:
              "is set but the primary stack has no cache (its cache.engine is none); remove it, or set cache.engine in the primary stack and deploy it first",
          },
        ]
      : [];
  }
  if (drCache.detached && !primary.globalDatastore) {
    return [
      {
        key: `${key}.detached`,
        value: true,
        message:
          "is only for a global datastore's member that a failover detached; the primary's cache has no global datastore (cache.globalDatastore: false): remove it",
      },
    ];
  }
  return [];
}

/** What the DR stack's cache built. */
export interface DrCacheResources {
  cache: SecondaryCache;
  /** A regional cache's warm-up function. */
  warmUp?: CacheWarmUp;
  /** DR nodes: shards x (1 + replicas per shard). */
  nodeCount: number;
}

/**
 * The DR stack's cache, or undefined when the primary exports none. Call from stacks/dr.ts after the
 * region is built: `buildDrCache(config.cache, primary.cache, { region: config.region, network:
 * region.network, key: region.key, clientSecurityGroupId: region.app.instanceSecurityGroupId,
 * appParameterPath: appRuntime.parameterPath, prefix: resourcePrefix(stackName, "dr") },
 * config.network.flowLogRetentionDays, opts)`.
 */
export function buildDrCache(
  drCache: DrCacheConfig,
  primary: PrimaryCacheOutput | undefined,
  placement: CachePlacement,
  logRetentionDays: number,
  opts: pulumi.ComponentResourceOptions,
): DrCacheResources | undefined {
  if (primary === undefined) return undefined;
  const mode = !primary.globalDatastore ? "regional" : drCache.detached ? "detached" : "global";
  const replicasPerShard = drCache.replicasPerShard ?? primary.replicasPerShard;
  const component = new SecondaryCache(
    "dr-cache",
    {
      region: placement.region,
      mode,
      ...(mode === "global" ? { globalReplicationGroupId: primary.globalReplicationGroupId } : {}),
      engine: primary.engine,
      engineVersion: primary.engineVersion,
      nodeType: primary.nodeType,
      shards: primary.shards,
      replicasPerShard,
      kmsKeyArn: placement.key.keyArn,
      vpcId: placement.network.vpcId,
      subnetIds: placement.network.isolatedSubnetIds,
      clientSecurityGroupIds: [placement.clientSecurityGroupId],
      port: primary.port,
    },
    opts,
  );
  endpointParameter("dr-cache", placement, component.endpointAddress, component.port, component);
  const warmUp =
    mode === "regional"
      ? new CacheWarmUp("dr-cache-warm-up", { functionName: `${placement.prefix}-cache-warm-up`, kmsKeyArn: placement.key.keyArn, logRetentionDays }, opts)
      : undefined;
  return { cache: component, ...(warmUp ? { warmUp } : {}), nodeCount: primary.shards * (1 + replicasPerShard) };
}

/**
 * The recovery targets' `cache` (stacks/recovery.ts adds it to the targets: `...(cache ? { cache } : {})`
 * with `cache = cacheTargets(...)` resolved beside the other values). The warm-up URLs are the DR
 * stack's `cache.warmUp.paths` under the application's name, with the scheme of the load balancers'
 * listener (primary output `listenerProtocol`).
 */
export function cacheTargets(
  dr: DrCacheResources,
  primary: PrimaryCacheOutput,
  application: { name: string; protocol: "HTTP" | "HTTPS"; paths: readonly string[] },
): pulumi.Output<CacheTargets> {
  if (dr.cache.mode === "regional") {
    const warmUp = dr.warmUp;
    if (!warmUp) throw new Error("cacheTargets: a regional DR cache has a warm-up function (buildDrCache)");
    const scheme = application.protocol === "HTTPS" ? "https" : "http";
    return pulumi.all([dr.cache.replicationGroupId, warmUp.functionArn]).apply(([drReplicationGroupId, functionArn]) => ({
      mode: "regional" as const,
      drReplicationGroupId,
      warmUp: { functionArn, urls: application.paths.map((path) => `${scheme}://${application.name}${path}`) },
    }));
  }
  const globalReplicationGroupId = primary.globalReplicationGroupId;
  if (globalReplicationGroupId === undefined) throw new Error("cacheTargets: the primary's cache output has no globalReplicationGroupId");
  return dr.cache.replicationGroupId.apply((drReplicationGroupId) => ({
    mode: "global-datastore" as const,
    globalReplicationGroupId,
    drReplicationGroupId,
    primaryReplicationGroupId: primary.replicationGroupId,
  }));
}

/**
 * RecoveryAlarms' `cache` and the alarm name (stacks/recovery.ts: `...cacheAlarm(dr, names)` merged
 * into the args and `names`), for a member of the global datastore; nothing for a detached or regional cache (no lag to watch).
 */
export function cacheAlarm(dr: DrCacheResources | undefined, prefix: string): { cache: CacheLagAlarmArgs; cacheReplicationLag: string } | undefined {
  if (!dr || dr.cache.mode !== "global") return undefined;
  return { cache: { memberClusters: dr.cache.memberClusters, nodeCount: dr.nodeCount }, cacheReplicationLag: `${prefix}-cache-replication-lag` };
}
