/**
 * Cache policies (issue 22, item 2; docs/cache.md), per stack: every ElastiCache replication group is
 * encrypted in transit and at rest under a KMS key of its own region, so a region's cache never depends on
 * the other region's key ("Global datastores support encryption at rest, encryption in transit and AUTH"
 * and "support AWS KMS keys", ElastiCache User Guide, global datastores, "Prerequisites and limitations";
 * AWS Security Hub ElastiCache.4 and ElastiCache.5, encryption at rest and in transit); and a DR member of
 * a global datastore has an alarm on its GlobalDatastoreReplicationLag in its own region, where ElastiCache
 * publishes it (ElastiCache User Guide, "Metrics for Valkey and Redis OSS"; invariants/cache.ts).
 */
import type { PolicyResource } from "@pulumi/policy";
import { CACHE_GROUP, CACHE_LAG_METRIC } from "../../invariants/cache";
import { asList, ofType, regionOf, stackPolicy } from "./kit";

const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The region of a KMS key ARN, or undefined when the value is no ARN (an unknown at preview). */
const keyRegion = (arn: unknown) => (typeof arn === "string" ? /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(arn)?.[1] : undefined);

/** What is wrong with one replication group's encryption (empty when fine). */
export function cacheEncryptionProblems(group: Pick<PolicyResource, "props" | "provider">): string[] {
  const problems: string[] = [];
  // A global datastore's secondary inherits both encryptions from the primary group, which the primary stack's run of this policy
  // requires; the provider refuses the flags beside globalReplicationGroupId (terraform-provider-aws replication_group.go, ConflictsWith).
  const member = group.props.globalReplicationGroupId !== undefined;
  if (!member && group.props.transitEncryptionEnabled !== true) problems.push("encryption in transit is off: set transitEncryptionEnabled");
  if (!member && group.props.atRestEncryptionEnabled !== true) problems.push("encryption at rest is off: set atRestEncryptionEnabled");
  const key = group.props.kmsKeyId;
  const region = regionOf(group);
  if (key === undefined) problems.push("has no kmsKeyId: encrypt it under a customer managed key of its own region");
  else if (keyRegion(key) !== undefined && keyRegion(key) !== region)
    problems.push(`kmsKeyId is a key of ${keyRegion(key)}, not of the group's region ${region ?? "(unknown)"}: each region's cache uses its own key`);
  return problems;
}

/** Whether `alarm` reads the global datastore's lag metric, alone or in its metric queries. */
function readsLag(alarm: PolicyResource): boolean {
  const matches = (metric: Record<string, unknown> | undefined) =>
    metric?.metricName === CACHE_LAG_METRIC.metricName && metric.namespace === CACHE_LAG_METRIC.namespace;
  return matches(alarm.props) || asList<Record<string, any>>(alarm.props.metricQueries).some((query) => matches(query.metric));
}

const encrypted = stackPolicy({
  name: "cache-encrypted-own-region-key",
  description:
    "Every ElastiCache replication group is encrypted in transit and at rest under a KMS key of its own region (SH ElastiCache.4/5, DR invariant 18)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    for (const group of ofType(resources, CACHE_GROUP)) for (const problem of cacheEncryptionProblems(group)) report(`${group.name}: ${problem}`, group.urn);
  },
});

const lagAlarm = stackPolicy({
  name: "cache-global-member-lag-alarm",
  description: "A DR member of an ElastiCache global datastore has an alarm on its GlobalDatastoreReplicationLag in its own region (DR invariant 18)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const alarms = ofType(resources, METRIC_ALARM).filter(readsLag);
    for (const member of ofType(resources, CACHE_GROUP).filter((group) => group.props.globalReplicationGroupId !== undefined)) {
      if (!alarms.some((alarm) => regionOf(alarm) === regionOf(member)))
        report(
          `${member.name}: no alarm on ${CACHE_LAG_METRIC.namespace} ${CACHE_LAG_METRIC.metricName} in ${regionOf(member) ?? "its region"}: a failover could lose more cache writes than the RPO unseen`,
          member.urn,
        );
    }
  },
});

export const cachePolicies = [encrypted, lagAlarm];
