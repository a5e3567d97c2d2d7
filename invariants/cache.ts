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
 *   GlobalDatastoreReplicationLag) in the DR region, where ElastiCache publishes it for the secondary.
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
  if (group.inputs.transitEncryptionEnabled !== true) problems.push(`${stack}/${group.name}: encryption in transit is off`);
  if (group.inputs.atRestEncryptionEnabled !== true) problems.push(`${stack}/${group.name}: encryption at rest is off`);
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
    const lagAlarms = resourcesOfType(dr, METRIC_ALARM).filter((alarm) => readsLag(alarm) && alarm.region === members[0].region);
    if (lagAlarms.length === 0)
      problems.push(
        `${dr.stack}/${members[0].name}: no alarm on ${CACHE_LAG_METRIC.namespace} ${CACHE_LAG_METRIC.metricName} in ${members[0].region}, where the secondary publishes it`,
      );
  }
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
