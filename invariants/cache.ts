/**
 * DR invariant 18 (this program's, issue 22): the pair's cache, when the primary has one (config/cache.ts,
 * components/cache/*, docs/cache.md):
 * - every replication group of either stack is encrypted in transit and at rest, under a KMS key of its own
 *   region ("Global datastores support encryption at rest, encryption in transit and AUTH" and "support AWS
 *   KMS keys": ElastiCache User Guide, global datastores, "Prerequisites and limitations");
 * - a global datastore of the primary is in the primary region, on a replication group of the primary stack;
 * - the DR stack has exactly one replication group in the DR region joined to that global datastore (its
 *   `globalReplicationGroupId`), or, for a regional cache (no global datastore), a group of its own;
 * - a DR member of the global datastore has a replication-lag alarm (AWS/ElastiCache
 *   GlobalDatastoreReplicationLag) in the DR region, where ElastiCache publishes it for the secondary;
 * - regional parity of the cache (DR invariant 7 leaves the groups' settings to this one): the DR group runs the
 *   primary's engine, node type and shard count (`cacheParityProblems`), so a failover serves the same load.
 */
import { arnRegion, type InvariantResult, type PlanPair, resourcesOfType, stringInput } from "./plan";
import type { PlannedResource } from "../synth/recordStack";

export const CACHE_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
export const GLOBAL_DATASTORE = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup";
const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
/** The lag metric of a global datastore's secondary (monitoring/cloudWatchMetrics.ts). */
export const CACHE_LAG_METRIC = { namespace: "AWS/ElastiCache", metricName: "GlobalDatastoreReplicationLag" } as const;

/** What is wrong with one group's encryption: in transit, at rest, under a key of its own region. */
function encryptionProblems(stack: string, group: PlannedResource): string[] {
  const problems: string[] = [];
  // A global datastore's secondary inherits both encryptions from the primary group (checked as every primary group is); the
  // provider refuses the flags beside globalReplicationGroupId (terraform-provider-aws replication_group.go, ConflictsWith).
  const member = stringInput(group, "globalReplicationGroupId") !== undefined;
  if (!member && group.inputs.transitEncryptionEnabled !== true) problems.push(`${stack}/${group.name}: encryption in transit is off`);
  if (!member && group.inputs.atRestEncryptionEnabled !== true) problems.push(`${stack}/${group.name}: encryption at rest is off`);
  const key = stringInput(group, "kmsKeyId");
  if (key === undefined || arnRegion(key) !== group.region)
    problems.push(`${stack}/${group.name}: kmsKeyId ${key ?? "unset"} must be a KMS key of the group's own region ${group.region}`);
  return problems;
}

/** Whether `alarm` reads the lag metric, as a single metric or in its metric queries. */
function readsLag(alarm: PlannedResource): boolean {
  const direct = alarm.inputs.metricName === CACHE_LAG_METRIC.metricName && alarm.inputs.namespace === CACHE_LAG_METRIC.namespace;
  const queries = (alarm.inputs.metricQueries as { metric?: { metricName?: string; namespace?: string } }[] | undefined) ?? [];
  return direct || queries.some((query) => query.metric?.metricName === CACHE_LAG_METRIC.metricName && query.metric.namespace === CACHE_LAG_METRIC.namespace);
}

/** A replication group's engine, node type and shards as it will run (`shapeOf`); undefined where the group inherits it. */
interface GroupSettings {
  engine?: string;
  nodeType?: string;
  shards?: number;
}

/**
 * What a group sets: its engine (the provider's default `redis` when unset on a group of its own), node type, and
 * shards (`numNodeGroups`, else 1: one shard is cluster mode disabled, `numCacheClusters` nodes; components/cache/groupShape.ts).
 * A global datastore's secondary inherits all three from the global datastore ("All clusters ... should have the same
 * number of primary nodes, node type, engine version, and number of shards": ElastiCache User Guide, global datastores,
 * "Prerequisites and limitations"; the provider refuses `numNodeGroups` beside `globalReplicationGroupId`, Pulumi
 * `aws.elasticache.ReplicationGroup`; components/cache/secondaryCache.ts), so only what it sets is compared.
 */
function settingsOf(group: PlannedResource, member: boolean): GroupSettings {
  const engine = stringInput(group, "engine");
  const nodeType = stringInput(group, "nodeType");
  const shards = group.inputs.numNodeGroups === undefined ? undefined : Number(group.inputs.numNodeGroups);
  if (member) return { ...(engine ? { engine } : {}), ...(nodeType ? { nodeType } : {}), ...(shards !== undefined ? { shards } : {}) };
  return { engine: engine ?? "redis", ...(nodeType ? { nodeType } : {}), shards: shards ?? 1 };
}

/**
 * Regional parity of the cache: the DR group `drGroup` runs the engine, node type and shard count of the primary's
 * `primaryGroup` (a global datastore's secondary, `member`, is compared on what it sets; the global datastore gives it
 * the rest, `settingsOf`; its `cacheNodeType`, when set, is the node type of both).
 */
export function cacheParityProblems(
  stack: string,
  primaryGroup: PlannedResource,
  drGroup: PlannedResource,
  member: boolean,
  global?: PlannedResource,
): string[] {
  const primarySettings = settingsOf(primaryGroup, false);
  const globalNodeType = global ? stringInput(global, "cacheNodeType") : undefined;
  const expected: GroupSettings = { ...primarySettings, ...(globalNodeType ? { nodeType: globalNodeType } : {}) };
  const actual = settingsOf(drGroup, member);
  const problems: string[] = [];
  for (const key of ["engine", "nodeType", "shards"] as const) {
    // A member is judged on what it sets; a group of its own on all three (the provider requires its node type).
    if ((actual[key] !== undefined || !member) && actual[key] !== expected[key])
      problems.push(
        `${stack}/${drGroup.name}: ${key} is ${JSON.stringify(actual[key])}, the primary's ${primaryGroup.name} ${JSON.stringify(expected[key])}: after a failover the DR cache must serve the primary's load`,
      );
  }
  return problems;
}

export function cacheProblems({ primary, dr }: PlanPair): string[] {
  const primaryGroups = resourcesOfType(primary, CACHE_GROUP);
  const drGroups = resourcesOfType(dr, CACHE_GROUP);
  const problems = [
    ...primaryGroups.flatMap((group) => encryptionProblems(primary.stack, group)),
    ...drGroups.flatMap((group) => encryptionProblems(dr.stack, group)),
  ];
  if (primaryGroups.length === 0) {
    if (drGroups.length > 0) problems.push(`${dr.stack}: has a cache but the primary stack has none`);
    return problems;
  }
  if (drGroups.length === 0) problems.push(`${dr.stack}: the primary has a cache and the DR region none: a failover finds no cache`);
  for (const group of drGroups) {
    if (group.region === primary.region) problems.push(`${dr.stack}/${group.name}: the DR cache is in the primary region ${group.region}`);
  }
  const globals = resourcesOfType(primary, GLOBAL_DATASTORE);
  for (const global of globals) {
    const id = String(global.outputs.globalReplicationGroupId ?? "");
    if (global.region !== primary.region)
      problems.push(`${primary.stack}/${global.name}: the global datastore is in ${global.region}, not the primary region ${primary.region}`);
    const source = primaryGroups.find((group) => group.id === stringInput(global, "primaryReplicationGroupId"));
    if (!source) problems.push(`${primary.stack}/${global.name}: primaryReplicationGroupId is not a replication group of the primary stack`);
    const members = drGroups.filter((group) => stringInput(group, "globalReplicationGroupId") === id);
    if (members.length !== 1) {
      problems.push(`${dr.stack}: ${members.length} replication groups join the global datastore ${id}; the DR region needs exactly one secondary`);
      continue;
    }
    if (source) problems.push(...cacheParityProblems(dr.stack, source, members[0], true, global));
    const lagAlarms = resourcesOfType(dr, METRIC_ALARM).filter((alarm) => readsLag(alarm) && alarm.region === members[0].region);
    if (lagAlarms.length === 0)
      problems.push(
        `${dr.stack}/${members[0].name}: no alarm on ${CACHE_LAG_METRIC.namespace} ${CACHE_LAG_METRIC.metricName} in ${members[0].region}, where the secondary publishes it`,
      );
  }
  // A regional cache (no global datastore): the DR region's own group, warmed up at failover.
  if (globals.length === 0 && primaryGroups.length === 1 && drGroups.length === 1)
    problems.push(...cacheParityProblems(dr.stack, primaryGroups[0], drGroups[0], false));
  return problems;
}

export function checkCache(pair: PlanPair): InvariantResult {
  return {
    id: 18,
    title:
      "Cache: the primary's group and global datastore in the primary region, one DR member joined to it, encrypted in transit and at rest under each region's key, its lag alarm in the DR region (18)",
    violations: cacheProblems(pair),
  };
}
