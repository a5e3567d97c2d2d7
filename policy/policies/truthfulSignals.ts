/**
 * Issue 19: the signals tell the truth, and no single mistake deletes a DR copy. Three stack policies,
 * each judged from the stack's own resources and its recovery manifest (policy/policies/manifest.ts):
 *
 * - `dr-lag-alarm-on-dr-copy`: every replica-lag alarm of the DR stack watches the DR copy, in the DR
 *   region. RDS publishes an instance's ReplicaLag (seconds, by DBInstanceIdentifier) for the read
 *   replica, in the replica's region (RDS User Guide, "Amazon CloudWatch metrics for Amazon RDS":
 *   "ReplicaLag ... applies to read replicas"); Aurora publishes AuroraGlobalDBReplicationLag and
 *   AuroraGlobalDBRPOLag (milliseconds, by DBClusterIdentifier) in the secondary cluster's region only
 *   (Aurora User Guide, "Cluster-level metrics for Amazon Aurora"; monitoring/cloudWatchMetrics.ts). An
 *   alarm on the primary's identifier, on no identifier (the region-wide aggregate), or in another
 *   region reads INSUFFICIENT_DATA or another database's lag: the failover's lag guard and the RPO page
 *   would judge the wrong thing.
 * - `stable-database-name-ttl`: the TTL of each stable database name (`db.<private zone>`, the CNAME of
 *   components/stableDatabaseName.ts) fits the RTO. See {@link stableNameTtlBound} for what "fits" means.
 * - `dr-backup-vault-locked`: the DR stack's vault in the DR region (BackupProtection's `-dr` vault, the
 *   DR copy of every recovery point) has a Vault Lock whose retention bounds admit every backup and copy
 *   job into it. The primary region's vault keeps the advisory `backup-vault-lock` (backup.ts).
 *
 * Teardown mode (`protect: false`, docs/deploying.md, "Destroying"): the vault then has `forceDestroy` and no
 * Pulumi protect, and the lock is no longer retained on delete, but the lock is still declared. This
 * policy does not exempt it: a teardown stack already fails `stateful-resources-protected` (DR
 * invariant 10) and is deployed without `--policy-pack` by design, and exempting a vault because it has
 * `forceDestroy` would let that one change silence two guards of the DR copy at once.
 *
 * `backup.vaultLock: none` remains a valid setting of the program; with it the DR stack's preview fails
 * this policy. A pair that accepts an unlocked DR vault says so in its policy-pack config
 * (`"dr-backup-vault-locked": "advisory"`), a reviewed change separate from the stack file.
 */
import type { PolicyResource } from "@pulumi/policy";
import { BACKUP_RETENTION_DAYS, COMPLIANCE_GRACE_DAYS } from "../../components/backupRules";
import { AURORA_TYPES } from "./database";
import { asList, dependsOn, ofType, regionOf, schema, stackPolicy, TYPES } from "./kit";
import { manifestOf } from "./manifest";
import { REGION_SWITCH_PLAN, standbyGuardName } from "../../invariants/regionSwitch";

// ---------------------------------------------------------------------------------------------
// The replica-lag alarm watches the DR copy.
// ---------------------------------------------------------------------------------------------

/**
 * The lag metrics of a DR copy (namespace AWS/RDS) and the dimension that names the copy: an RDS read
 * replica's ReplicaLag by DBInstanceIdentifier (instance mode), an Aurora secondary cluster's
 * AuroraGlobalDBReplicationLag or AuroraGlobalDBRPOLag by DBClusterIdentifier (aurora-global mode).
 */
export const LAG_METRICS: Readonly<Record<string, { dimension: "DBInstanceIdentifier" | "DBClusterIdentifier"; copy: string }>> = {
  ReplicaLag: { dimension: "DBInstanceIdentifier", copy: "DB instance" },
  AuroraGlobalDBReplicationLag: { dimension: "DBClusterIdentifier", copy: "DB cluster" },
  AuroraGlobalDBRPOLag: { dimension: "DBClusterIdentifier", copy: "DB cluster" },
};

/** One lag metric an alarm reads: its name and dimensions, from the alarm itself or from one of its metric queries. */
export interface LagMetric {
  metricName: string;
  dimensions: Record<string, unknown>;
}

/**
 * The lag metrics an alarm reads (shape: a MetricAlarm's props, `namespace`/`metricName`/`dimensions`
 * or `metricQueries[].metric`). Empty for an alarm on any other metric.
 */
export function lagMetricsOf(alarmProps: Record<string, any>): LagMetric[] {
  const metrics = [
    { namespace: alarmProps.namespace, metricName: alarmProps.metricName, dimensions: alarmProps.dimensions },
    ...asList<Record<string, any>>(alarmProps.metricQueries).map((query) => query.metric ?? {}),
  ];
  return metrics
    .filter((metric) => metric.namespace === "AWS/RDS" && typeof metric.metricName === "string" && metric.metricName in LAG_METRICS)
    .map((metric) => ({ metricName: String(metric.metricName), dimensions: (metric.dimensions ?? {}) as Record<string, unknown> }));
}

/** The identifiers of the DR stack's own databases in its region: DB instances (`identifier`) and DB clusters (`clusterIdentifier`). */
function drCopies(resources: PolicyResource[], drRegion: string): { instances: Set<string>; clusters: Set<string> } {
  const identifiers = (type: string, property: string) =>
    new Set(
      ofType(resources, type)
        .filter((database) => regionOf(database) === drRegion)
        .map((database) => database.props[property])
        .filter((value): value is string => typeof value === "string" && value !== ""),
    );
  return { instances: identifiers(TYPES.rdsInstance, "identifier"), clusters: identifiers(AURORA_TYPES.cluster, "clusterIdentifier") };
}

const lagAlarmOnDrCopy = stackPolicy({
  name: "dr-lag-alarm-on-dr-copy",
  description:
    "Every replica-lag alarm of the DR stack watches the DR copy (its read replica or Aurora secondary cluster) in the DR region, never the primary (RDS, Aurora cluster-level metrics; WA REL06-BP01)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (manifest?.role !== "dr") return;
    const copies = drCopies(resources, manifest.region);
    const primaryIdentifier = manifest.primary?.dbIdentifier;
    // A Region switch plan's trigger guard reads "the DR copy is still a replica": its missing data after a promotion is the
    // signal itself (components/regionSwitchPlan.ts standbyAlarm), not a lag guard of the failover.
    const guards = new Set(ofType(resources, REGION_SWITCH_PLAN).map((plan) => standbyGuardName(String(plan.props.name))));
    for (const alarm of ofType(resources, TYPES.metricAlarm)) {
      const metrics = lagMetricsOf(alarm.props);
      if (metrics.length === 0) continue;
      const guard = guards.has(String(alarm.props.name));
      // A copy that publishes nothing must not read as within the RPO: the failover's lag guard lets only OK through
      // (recovery/failover.ts), and missing data kept as "notBreaching" or "ignore" could hold OK (CloudWatch User Guide,
      // "Configuring how CloudWatch alarms treat missing data"); "missing" turns it INSUFFICIENT_DATA, "breaching" ALARM.
      // Only an alarm on lag over a threshold guards the failover: a MySQL replica's replication-stopped alarm (ReplicaLag
      // below 0, components/recoveryAlarms.ts) rightly reads no data as not stopped.
      const overThreshold = String(alarm.props.comparisonOperator ?? "").startsWith("GreaterThan");
      const missing = alarm.props.treatMissingData ?? "missing";
      if (overThreshold && !guard && missing !== "missing" && missing !== "breaching") {
        report(
          `${alarm.name}: treats missing data as ${String(missing)}, so a DR copy that publishes no lag can read OK and let the failover through; use missing (or breaching)`,
          alarm.urn,
        );
      }
      const region = regionOf(alarm);
      if (region !== manifest.region) {
        report(
          `${alarm.name}: the lag alarm lives in ${region ?? "no region"}, not the DR region ${manifest.region}: RDS publishes a replica's and an Aurora secondary's lag in the copy's own region, so it would never see a datapoint; create it with the DR region's provider`,
          alarm.urn,
        );
      }
      for (const metric of metrics) {
        const { dimension, copy } = LAG_METRICS[metric.metricName];
        const known = dimension === "DBInstanceIdentifier" ? copies.instances : copies.clusters;
        const value = metric.dimensions[dimension];
        const expected = known.size > 0 ? [...known].join(" or ") : `no ${copy} of this stack in ${manifest.region}`;
        if (typeof value !== "string" || value === "") {
          report(
            `${alarm.name}: ${metric.metricName} has no ${dimension} dimension, so it reads the region's aggregate, not the DR copy; set ${dimension} to ${expected}`,
            alarm.urn,
          );
        } else if (value === primaryIdentifier) {
          report(
            `${alarm.name}: ${metric.metricName} watches the primary ${value} (${dimension}), not the DR copy: the primary publishes no replication lag, so the failover's lag guard and the RPO page read nothing; set ${dimension} to ${expected}`,
            alarm.urn,
          );
        } else if (!known.has(value)) {
          report(
            `${alarm.name}: ${metric.metricName} watches ${dimension} ${value}, which is not the DR stack's ${copy} in ${manifest.region}; set it to ${expected}`,
            alarm.urn,
          );
        }
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The stable database name's TTL fits the RTO.
// ---------------------------------------------------------------------------------------------

/** Route 53 hosted zones. */
const ZONE_TYPE = "aws:route53/zone:Zone";

/**
 * Longest TTL Route 53 and RDS recommend for a name whose answer must change quickly, seconds: 60.
 * Route 53 FAQs, "Do I need to adjust the TTL for my records to use DNS failover?" (a TTL of 60 seconds
 * or less); RDS User Guide, "Failing over a Multi-AZ DB instance", "Setting the JVM TTL for DNS name
 * lookups" (no more than 60 seconds, because RDS endpoints move by DNS).
 */
export const MAXIMUM_DATABASE_NAME_TTL_SECONDS = 60;
/** The share of the RTO a stale database answer may take after a repoint, percent: 10. */
export const DATABASE_NAME_TTL_RTO_PERCENT = 10;

/**
 * The longest TTL the stable database name may have for a given RTO, seconds: the smaller of
 * `maximumTtlSeconds` (default 60, the AWS recommendation above) and `rtoPercent` percent (default 10)
 * of the RTO, rounded down.
 *
 * Why: the name changes only by a deploy (a rebuilt replica, backup-restore's restored database, the
 * primary rebuilt after `npm run reprotect`), and a client keeps the previous answer for up to one TTL
 * after the change. The recovery budget (budget/recoveryBudget.ts) does not count that wait, so it must
 * be a small part of the RTO: at most a tenth leaves the budget's own steps 90 % of it.
 *
 * @param rtoSeconds the declared RTO, seconds (a positive integer)
 * @returns the bound, seconds (0 or more)
 */
export function stableNameTtlBound(
  rtoSeconds: number,
  maximumTtlSeconds = MAXIMUM_DATABASE_NAME_TTL_SECONDS,
  rtoPercent = DATABASE_NAME_TTL_RTO_PERCENT,
): number {
  return Math.min(maximumTtlSeconds, Math.floor((rtoSeconds * rtoPercent) / 100));
}

/** A DNS name without its trailing dot, lower case (Route 53 names are case-insensitive). */
function dnsName(value: unknown): string {
  return String(value ?? "")
    .replace(/\.$/, "")
    .toLowerCase();
}

/**
 * The stable database names of a stack: CNAME records named `db.<zone>` in a private zone of the stack
 * (a zone associated with a VPC), as components/stableDatabaseName.ts builds them.
 */
export function stableDatabaseNames(resources: PolicyResource[]): PolicyResource[] {
  const privateZones = ofType(resources, ZONE_TYPE).filter((zone) => asList(zone.props.vpcs).length > 0);
  return ofType(resources, TYPES.record).filter(
    (record) =>
      String(record.props.type).toUpperCase() === "CNAME" &&
      privateZones.some(
        (zone) =>
          dnsName(record.props.name) === `db.${dnsName(zone.props.name)}` &&
          ((zone.props.zoneId !== undefined && record.props.zoneId === zone.props.zoneId) || dependsOn(record, zone, "zoneId")),
      ),
  );
}

interface TtlConfig {
  maximumTtlSeconds: number;
  rtoPercent: number;
}

const stableNameTtl = stackPolicy<TtlConfig>({
  name: "stable-database-name-ttl",
  description:
    "The stable database name (db.<private zone>) has a TTL of at most the smaller of 60 s and a tenth of the declared RTO, so a repointed name reaches the app within the RTO (Route 53 FAQ, RDS DNS TTL)",
  enforcementLevel: "mandatory",
  config: {
    schema: {
      properties: {
        maximumTtlSeconds: schema.integer("Longest TTL of the stable database name, seconds (Route 53 and RDS recommend 60 or less)", 0, 60),
        rtoPercent: schema.integer("Largest share of the declared RTO the stable database name's TTL may take, percent", 1, 10),
      },
    },
    defaults: { maximumTtlSeconds: MAXIMUM_DATABASE_NAME_TTL_SECONDS, rtoPercent: DATABASE_NAME_TTL_RTO_PERCENT },
  },
  check: (resources, config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (!manifest) return;
    const bound = stableNameTtlBound(manifest.rtoSeconds, config.maximumTtlSeconds, config.rtoPercent);
    for (const record of stableDatabaseNames(resources)) {
      const ttl = record.props.ttl;
      if (ttl === undefined || ttl === null) {
        report(`${record.name}: ${record.props.name} has no TTL; set ttl to at most ${bound} s`, record.urn);
      } else if (!(Number(ttl) <= bound)) {
        report(
          `${record.name}: ${record.props.name} has a TTL of ${ttl} s, over ${bound} s (the smaller of ${config.maximumTtlSeconds} s and ${config.rtoPercent} % of the ${manifest.rtoSeconds} s RTO): after a repoint the app keeps the old database for up to one TTL, which the recovery budget does not count; lower the TTL`,
          record.urn,
        );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The DR backup vault is locked.
// ---------------------------------------------------------------------------------------------

const VAULT_LOCK_TYPE = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";

/** How long the jobs into one vault keep their recovery points: each rule that targets it and each copy action into it. */
export interface VaultJob {
  /** `rule <name>` or `rule <name>'s copy`. */
  what: string;
  /** `lifecycle.deleteAfter`, days; undefined keeps the recovery point forever. */
  deleteAfterDays: number | undefined;
}

/** True when `arn` is the ARN of the vault named `name` (`arn:<partition>:backup:<region>:<account>:backup-vault:<name>`) in `region`. */
function isVaultArn(arn: unknown, name: unknown, region: string | undefined): boolean {
  if (typeof arn !== "string" || typeof name !== "string") return false;
  const parts = arn.split(":");
  return parts.length === 7 && parts[2] === "backup" && parts[5] === "backup-vault" && parts[6] === name && (region === undefined || parts[3] === region);
}

/** The backup and copy jobs of every plan of the stack that land in `vault`. */
export function jobsInto(resources: PolicyResource[], vault: PolicyResource): VaultJob[] {
  const jobs: VaultJob[] = [];
  const days = (lifecycle: Record<string, any> | undefined) => (lifecycle?.deleteAfter === undefined ? undefined : Number(lifecycle.deleteAfter));
  for (const plan of ofType(resources, TYPES.backupPlan)) {
    for (const rule of asList<Record<string, any>>(plan.props.rules)) {
      const name = rule.ruleName ?? "(unnamed)";
      if (rule.targetVaultName !== undefined && rule.targetVaultName === vault.props.name && regionOf(plan) === regionOf(vault)) {
        jobs.push({ what: `${plan.name} rule ${name}`, deleteAfterDays: days(rule.lifecycle) });
      }
      for (const copy of asList<Record<string, any>>(rule.copyActions)) {
        if (copy.destinationVaultArn === vault.props.arn || isVaultArn(copy.destinationVaultArn, vault.props.name, regionOf(vault))) {
          jobs.push({ what: `${plan.name} rule ${name}'s copy`, deleteAfterDays: days(copy.lifecycle) });
        }
      }
    }
  }
  return jobs;
}

/**
 * What is wrong with a lock (shape: a VaultLockConfiguration's props) on a vault that receives `jobs`:
 * minRetentionDays at least the retention floor (5 days) and no longer than any job's retention,
 * maxRetentionDays (if set) no shorter than any job's, changeableForDays (compliance) at least 3. AWS
 * Backup fails a backup or copy job whose lifecycle is shorter than the lock's minimum or longer than
 * its maximum (AWS Backup API Reference, PutBackupVaultLockConfiguration, `MinRetentionDays` and
 * `MaxRetentionDays`): a lock that refuses the copies leaves the DR region without them.
 */
export function vaultLockProblems(lock: Record<string, any>, jobs: VaultJob[]): string[] {
  const problems: string[] = [];
  const minimum = lock.minRetentionDays === undefined ? undefined : Number(lock.minRetentionDays);
  if (minimum === undefined || !(minimum >= BACKUP_RETENTION_DAYS.minimum)) {
    problems.push(
      `its minRetentionDays is ${lock.minRetentionDays ?? "not set"}: set at least ${BACKUP_RETENTION_DAYS.minimum} (the retention floor) so no recovery point can be deleted before it`,
    );
  }
  const maximum = lock.maxRetentionDays === undefined ? undefined : Number(lock.maxRetentionDays);
  for (const job of jobs) {
    if (minimum !== undefined && job.deleteAfterDays !== undefined && job.deleteAfterDays < minimum) {
      problems.push(
        `${job.what} keeps recovery points ${job.deleteAfterDays} days, under the lock's minRetentionDays ${minimum}: AWS Backup fails that job, so the DR copy is never made; make them equal (backup.retentionDays sets both)`,
      );
    }
    if (maximum !== undefined && (job.deleteAfterDays === undefined || job.deleteAfterDays > maximum)) {
      problems.push(
        `${job.what} keeps recovery points ${job.deleteAfterDays ?? "forever"}${job.deleteAfterDays === undefined ? "" : " days"}, over the lock's maxRetentionDays ${maximum}: AWS Backup fails that job; raise or drop maxRetentionDays`,
      );
    }
  }
  const grace = lock.changeableForDays;
  if (grace !== undefined && !(Number(grace) >= COMPLIANCE_GRACE_DAYS.minimum)) {
    problems.push(`its changeableForDays is ${grace}: a compliance lock needs at least ${COMPLIANCE_GRACE_DAYS.minimum} (the 72-hour cooling-off period)`);
  }
  return problems;
}

const drVaultLocked = stackPolicy({
  name: "dr-backup-vault-locked",
  description:
    "The DR stack's backup vault in the DR region has a Vault Lock of at least the retention floor that admits every backup and copy job into it, so no single principal or change deletes the DR copy early (AWS Backup Vault Lock; WA REL09-BP02)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (manifest?.role !== "dr") return;
    const locks = ofType(resources, VAULT_LOCK_TYPE);
    for (const vault of ofType(resources, TYPES.backupVault).filter((candidate) => regionOf(candidate) === manifest.region)) {
      const own = locks.filter(
        (lock) => (vault.props.name !== undefined && lock.props.backupVaultName === vault.props.name) || dependsOn(lock, vault, "backupVaultName"),
      );
      if (own.length === 0) {
        report(
          `vault ${vault.name} holds the DR region's copy of every recovery point and has no Vault Lock: one principal allowed to change its access policy can delete the copies; set backup.vaultLock to governance (or compliance), or, to accept an unlocked DR vault, set "dr-backup-vault-locked" to advisory in the policy-pack config`,
          vault.urn,
        );
        continue;
      }
      const jobs = jobsInto(resources, vault);
      for (const lock of own)
        for (const problem of vaultLockProblems(lock.props, jobs)) report(`vault ${vault.name}'s lock ${lock.name}: ${problem}`, vault.urn);
    }
  },
});

/** The policies of this concern, for `policy/policies/index.ts`. */
export const truthfulSignalsPolicies = [lagAlarmOnDrCopy, stableNameTtl, drVaultLocked];
