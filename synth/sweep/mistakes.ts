/**
 * Single mistakes for the sweep (synth/sweep.ts): one wrong value each on the repository's stack
 * files, as a user would make it, with the key the error must name. Each must end as a config error
 * (exit 1) naming that key: never a stack trace, an internal error or silent acceptance.
 */
import { certificateIn } from "./configurations";
import { type Edits, type PairEdit, REMOVE } from "./stackFiles";

/**
 * What a mistake's error must say: name one of `keys` (a problem's key, or a key inside it such as
 * `...alertEmails.0`), or, for a problem with a file as a whole, name the `file` and `says` what is wrong.
 */
export type Expectation = { keys: readonly string[] } | { file: string; says: string };

/** One mistake. */
export interface Mistake {
  name: string;
  edit: PairEdit;
  expect: Expectation;
}

const NS = "multi-region-dr";

/** `app.instanceType` -> `multi-region-dr:app.instanceType`; a key with a namespace (`aws:region`) as it is. */
function fullKey(keyPath: string): string {
  return keyPath.split(".")[0].includes(":") ? keyPath : `${NS}:${keyPath}`;
}

/** One value set in one stack file; the error must name that key unless `expected` says otherwise. */
function mistake(stack: "primary" | "dr", keyPath: string, value: unknown, expected: string | string[] = keyPath, what?: string): Mistake {
  const keys = (Array.isArray(expected) ? expected : [expected]).map(fullKey);
  const json = JSON.stringify(value);
  const shown = value === REMOVE ? "removed" : json.length > 60 ? `${json.slice(0, 57)}...` : json;
  return { name: `${stack} ${fullKey(keyPath)} ${shown}${what ? ` (${what})` : ""}`, edit: { [stack]: { [fullKey(keyPath)]: value } }, expect: { keys } };
}
const primary = (keyPath: string, value: unknown, expected?: string | string[], what?: string) => mistake("primary", keyPath, value, expected, what);
const dr = (keyPath: string, value: unknown, expected?: string | string[], what?: string) => mistake("dr", keyPath, value, expected, what);

/** A mistake that needs more than one edit (a strategy in both stacks, then the wrong value). */
function custom(name: string, expected: string | string[], edit: PairEdit): Mistake {
  return { name, edit, expect: { keys: (Array.isArray(expected) ? expected : [expected]).map(fullKey) } };
}

/** The edits that put both stacks on `strategy` (with targets backup-restore can meet). */
function strategyInBoth(strategy: string): { primary: Edits; dr: Edits } {
  const recovery: Edits = { [`${NS}:recovery.strategy`]: strategy };
  if (strategy === "backup-restore") Object.assign(recovery, { [`${NS}:recovery.rtoSeconds`]: 2400, [`${NS}:recovery.rpoSeconds`]: 1800 });
  return { primary: { ...recovery }, dr: { ...recovery } };
}

/** An Aurora global primary with a valid class and without the instance-only storage keys. */
const AURORA: Edits = {
  [`${NS}:database.engineMode`]: "aurora-global",
  [`${NS}:database.instanceClass`]: "db.r6g.large",
  [`${NS}:database.allocatedStorageGib`]: REMOVE,
  [`${NS}:database.maxAllocatedStorageGib`]: REMOVE,
};

export const MISTAKES: readonly Mistake[] = [
  // Regions
  primary("aws:region", "us-east1", undefined, "typo"),
  primary("aws:region", "us-east-1a", undefined, "an availability zone"),
  primary("aws:region", "US-EAST-1", undefined, "upper case"),
  primary("aws:region", "N. Virginia", undefined, "the region's name"),
  primary("aws:region", "cn-north-1", undefined, "another partition"),
  primary("aws:region", REMOVE),
  primary("aws:region", ["us-east-1", "us-west-2"], undefined, "a list"),
  dr("aws:region", "us-west2", undefined, "typo"),
  dr("aws:region", "eu-west-4", undefined, "no such region"),
  dr("aws:region", "us-gov-west-1", undefined, "another partition"),
  dr("aws:region", REMOVE),
  dr("aws:region", "us-east-1", undefined, "the primary's region"),
  custom("the same region twice, the standby region following it", ["aws:region", "standbyRegion"], {
    primary: { [`${NS}:standbyRegion`]: "us-east-1" },
    dr: { "aws:region": "us-east-1" },
  }),
  dr("aws:region", "us-west-1", ["aws:region", "standbyRegion"], "not the primary's standbyRegion"),
  primary("standbyRegion", "us-west-1", ["aws:region", "standbyRegion"], "not the DR stack's region"),
  primary("standbyRegion", "us-wset-2", undefined, "typo"),
  primary("standbyRegion", "us-east-1", undefined, "the primary's own region"),
  primary("region", "us-east-1", undefined, "aws:region under the project's namespace"),

  // Keys in the wrong place
  primary("multi_region_dr:app", { instanceType: "t3.small" }, "multi_region_dr:app", "underscores in the namespace"),
  primary("Multi-Region-DR:database", { engine: "postgres" }, "Multi-Region-DR:database", "capitals in the namespace"),
  primary("aws:app", { instanceType: "t3.small" }, "aws:app", "a project key under aws:"),
  {
    // The key as written, whose message says to write multi-region-dr:app (config/namespaces.ts).
    name: "primary app (no namespace at all)",
    edit: { primary: { app: { instanceType: "m5.large" } } },
    expect: { keys: ["app"] },
  },
  primary("app.instanceTyp", "t3.small", undefined, "key typo"),
  primary("app.max_size", 6, undefined, "snake case key"),
  primary("network.cidr", "10.0.0.0/16", undefined, "key typo"),
  primary("recovery.rto", 900, undefined, "key typo"),
  primary("database.masterPassword", "hunter2", undefined, "not a setting"),
  primary("dns.healthCheckIntervalSeconds", 30, undefined, "a DR stack key in the primary"),
  primary("backup", { enabled: true }, undefined, "a DR stack key in the primary"),
  primary("failover", { automatic: true }, undefined, "a DR stack key in the primary"),
  dr("globalTable", { enabled: true }, undefined, "a primary stack key in the DR stack"),
  dr("dns.zoneName", "dr.example.com", undefined, "a primary stack key in the DR stack"),
  dr("database.instanceClass", "db.r6g.large", undefined, "the replica's class follows the primary's"),
  dr("database.engine", "mysql", undefined, "the engine is the primary's"),

  // Stack files as a whole
  custom("primary and DR stack files swapped", "role", { files: "swapped" }),
  custom("the DR stack file given as both", "role", { files: "dr-twice" }),
  dr("role", "primary", "role", "both files role primary"),
  primary("role", "primery", undefined, "typo"),
  primary("role", REMOVE),
  dr("primaryStack", "organization/other-project/primary", undefined, "another project"),
  dr("primaryStack", "organization/multi-region-dr/prod", undefined, "another stack"),
  dr("primaryStack", "multi-region-dr/primary", undefined, "two parts, which Pulumi reads as <org>/<stack>"),
  dr("primaryStack", REMOVE),
  {
    name: "primary database.masterPassword as a secure: value",
    edit: { primary: { [`${NS}:database.masterPassword`]: { secure: "AAABAJ0xTBGZ0bWFzdGVyUGFzc3dvcmQ=" } } },
    expect: { keys: [`${NS}:database.masterPassword`] },
  },
  {
    name: "primary file: a YAML syntax error (a tab in the indentation)",
    edit: { primaryText: (text) => text.replace("  multi-region-dr:role: primary", "\tmulti-region-dr:role: primary") },
    expect: { file: "Pulumi.primary.yaml", says: "is not valid YAML at line" },
  },
  {
    name: "DR file: a YAML syntax error (an unclosed quote)",
    edit: { drText: (text) => text.replace("aws:region: us-west-2", 'aws:region: "us-west-2') },
    expect: { file: "Pulumi.dr.yaml", says: "is not valid YAML" },
  },
  {
    name: "DR file: config: written as a list",
    edit: { drText: (text) => text.replace(/^config:\n[\s\S]*$/m, "config:\n  - aws:region: us-west-2\n  - multi-region-dr:role: dr\n") },
    expect: { file: "Pulumi.dr.yaml", says: "is a list" },
  },
  {
    name: "DR file: no settings under config:",
    edit: { drText: () => "config: {}\n" },
    expect: { file: "Pulumi.dr.yaml", says: "has no settings under `config:`" },
  },

  // Network
  primary("network.cidrBlock", "10.0.0.0/8", undefined, "too large"),
  primary("network.cidrBlock", "10.0.0.0/24", undefined, "too small"),
  primary("network.cidrBlock", "10.0.1.0/16", undefined, "host bits"),
  primary("network.cidrBlock", "10.0.0.0", undefined, "no prefix"),
  primary("network.cidrBlock", "10.0.0.256/16", undefined, "octet out of range"),
  dr("network.cidrBlock", "10.0.0.0/16", undefined, "the primary's block"),
  dr("network.cidrBlock", "10.0.128.0/17", undefined, "inside the primary's block"),
  primary("network.availabilityZoneCount", 5, undefined, "too many"),
  primary("network.availabilityZoneCount", 1, undefined, "too few"),
  primary("network.availabilityZoneCount", "3", undefined, "a string"),
  primary("network.natGateways", "none", undefined, "the primary needs NAT"),
  primary("network.natGateways", "one_per_zone", undefined, "typo"),
  dr("network.natGateways", "none", undefined, "warm-standby runs instances"),
  primary("network.flowLogRetentionDays", 7, undefined, "not a CloudWatch Logs retention"),
  // Not a case, a documented limitation: network.availabilityZoneCount 4 in a region of 3 zones
  // (eu-west-3, Paris) cannot be refused offline. The zones a region offers differ per account (zone
  // names are mapped per account, and some accounts see fewer zones) and change as AWS opens zones, so a
  // table here would go stale and be wrong for some accounts, and the synthesis runs on mock zone lists.
  // Only the account itself can tell, when `pulumi preview` looks up the VPC's zones
  // (awsx.ec2.Vpc numberOfAvailabilityZones).

  // App tier
  primary("app.instanceType", "t3.smal", undefined, "typo"),
  primary("app.instanceType", "t3-small", undefined, "dash"),
  primary("app.instanceType", "T3.small", undefined, "capital"),
  primary("app.instanceType", "m1.small", undefined, "retired family"),
  primary("app.instanceType", "db.t3.small", undefined, "a DB class"),
  dr("app.instanceType", "t3.medium", undefined, "not the primary's"),
  dr("app.instanceType", "t3.smal", undefined, "typo"),
  primary("app.minSize", 5, ["app.minSize", "app.desiredCapacity", "app.maxSize"], "above desiredCapacity"),
  primary("app.desiredCapacity", 8, ["app.minSize", "app.desiredCapacity", "app.maxSize"], "above maxSize"),
  primary("app.maxSize", 0, undefined, "zero"),
  primary("app.maxSize", 101, undefined, "too many"),
  primary("app.minSize", -1, undefined, "negative"),
  primary("app.maxSize", "six", undefined, "a word"),
  primary("app.maxSize", "6", undefined, "a quoted number"),
  primary("app.targetCpuUtilizationPercent", 95, undefined, "too high"),
  primary("app.targetCpuUtilizationPercent", 0.5, undefined, "a fraction"),
  primary("app.port", 80, undefined, "privileged port"),
  primary("app.port", 9100, undefined, "the node exporter's port"),
  primary("app.certificateArn", "arn:aws:acm:us-east-1:123:certificate/abc", undefined, "short account id"),
  primary("app.certificateArn", certificateIn("us-west-2", 1), undefined, "a certificate of the DR region, refused in config"),
  dr("app.maxSize", 4, undefined, "below the primary's 6"),
  dr("app.minSize", 0, undefined, "warm-standby with no instance"),
  primary("app", ["t3.small"], undefined, "a list for a map"),
  custom("DR app.minSize 1 on a pilot-light pair", "app.minSize", {
    primary: strategyInBoth("pilot-light").primary,
    dr: { ...strategyInBoth("pilot-light").dr, [`${NS}:app.minSize`]: 1 },
  }),
  custom("DR app.desiredCapacity 1 on a hot-standby pair", "app.desiredCapacity", {
    primary: strategyInBoth("hot-standby").primary,
    dr: { ...strategyInBoth("hot-standby").dr, [`${NS}:app.desiredCapacity`]: 1 },
  }),

  // Database
  primary("database.engine", "postgresql", undefined, "the long name"),
  primary("database.engine", "aurora-postgresql", undefined, "the Aurora engine name"),
  primary("database.engine", "mariadb", undefined, "not supported"),
  primary("database.engineMode", "aurora", undefined, "not a mode"),
  primary("database.instanceClass", "db.t4g.mediun", undefined, "typo"),
  primary("database.instanceClass", "t4g.medium", undefined, "without db."),
  primary("database.instanceClass", "db.t2.medium", undefined, "retired family"),
  primary("database.instanceClass", "db.m4.large", undefined, "retired family"),
  primary("database.instanceClass", "db.serverless", undefined, "Aurora Serverless on an instance"),
  custom("primary Aurora global database with a burstable class", "database.instanceClass", {
    primary: { ...AURORA, [`${NS}:database.instanceClass`]: "db.t4g.medium" },
  }),
  custom("primary Aurora global database keeping allocatedStorageGib", ["database.allocatedStorageGib", "database.maxAllocatedStorageGib"], {
    primary: { ...AURORA, [`${NS}:database.allocatedStorageGib`]: 50, [`${NS}:database.maxAllocatedStorageGib`]: 200 },
  }),
  custom("Aurora global database with backup-restore", "recovery.strategy", {
    primary: { ...AURORA, ...strategyInBoth("backup-restore").primary },
    dr: strategyInBoth("backup-restore").dr,
  }),
  custom("Aurora MySQL version 2 (MySQL 5.7)", "database.engineVersion", {
    primary: { ...AURORA, [`${NS}:database.engine`]: "mysql", [`${NS}:database.engineVersion`]: "5.7.mysql_aurora.2.11.2" },
  }),
  custom("Aurora PostgreSQL 13", "database.engineVersion", { primary: { ...AURORA, [`${NS}:database.engineVersion`]: "13.9" } }),
  primary("database.engineVersion", "12", undefined, "past standard support"),
  primary("database.engineVersion", "9.6", undefined, "long gone"),
  primary("database.engineVersion", "17.x", undefined, "not a version"),
  primary("database.engineVersion", 17, undefined, "unquoted, a YAML number"),
  primary("database.engineVersion", "8.4", undefined, "a MySQL version on postgres"),
  primary("database.engineVersion", "8.0.mysql_aurora.3.08.2", undefined, "an Aurora version on an instance"),
  custom("primary mysql engineVersion 5.7", "database.engineVersion", {
    primary: { [`${NS}:database.engine`]: "mysql", [`${NS}:database.engineVersion`]: "5.7" },
  }),
  custom("primary mysql engineVersion 8.0 (RDS Extended Support only)", "database.engineVersion", {
    primary: { [`${NS}:database.engine`]: "mysql", [`${NS}:database.engineVersion`]: "8.0" },
  }),
  primary("database.allocatedStorageGib", 10, undefined, "below the RDS minimum"),
  primary("database.maxAllocatedStorageGib", 40, undefined, "below allocatedStorageGib"),
  primary("database.backupRetentionDays", 0, undefined, "no backups"),
  primary("database.backupRetentionDays", 3, undefined, "below the floor"),
  primary("database.backupRetentionDays", 36, undefined, "above the RDS maximum"),
  dr("database.backupRetentionDays", 40, undefined, "above the RDS maximum"),
  primary("database.multiAz", "yes", undefined, "YAML 1.1 boolean"),
  primary("database.multiAz", false, undefined, "a Single-AZ primary, refused in config as the policy pack's rds-multi-az would"),
  primary("database.databaseName", "my-app", undefined, "a dash"),
  primary("database.masterUsername", "app-admin", undefined, "a dash"),
  primary("database.promoted", true, undefined, "without replicaSourceArn"),
  primary("database.replicaSourceArn", "arn:aws:rds:us-west-2:123456789012:cluster:dr", undefined, "a cluster ARN"),
  dr("database.restoreToTime", "latest", undefined, "on a warm standby"),
  custom("DR database.restoreToTime yesterday on a backup-restore pair", "database.restoreToTime", {
    primary: strategyInBoth("backup-restore").primary,
    dr: { ...strategyInBoth("backup-restore").dr, [`${NS}:database.restoreToTime`]: "yesterday" },
  }),

  // Global table
  primary("globalTable.enabled", "yes", undefined, "YAML 1.1 boolean"),
  primary("globalTable.partitionKey", "user id", undefined, "a space"),
  primary("globalTable.sortKey", "pk", undefined, "the partition key"),

  // DNS
  primary("dns.zoneName", "dr.example.com.", undefined, "trailing dot"),
  primary("dns.zoneName", "Example.com", undefined, "upper case"),
  primary("dns.applicationLabel", "app.web", undefined, "two labels"),
  primary("dns.hostedZoneId", "z123", undefined, "not a zone id"),
  dr("dns.healthCheckIntervalSeconds", 15, undefined, "Route 53 takes 10 or 30"),
  dr("dns.healthCheckFailureThreshold", 0, undefined, "too low"),
  dr("dns.healthCheckFailureThreshold", 11, undefined, "too high"),

  // Backup and Object Lock
  dr("backup.scheduleExpression", "cron(0 25 ? * * *)", undefined, "hour out of range"),
  dr("backup.scheduleExpression", "cron(61 5 ? * * *)", undefined, "minute out of range"),
  dr("backup.scheduleExpression", "cron(0 5 ? 13 * *)", undefined, "month out of range"),
  dr("backup.scheduleExpression", "cron(0 5 * * * *)", undefined, "no ?"),
  dr("backup.scheduleExpression", "rate(1 day)", undefined, "rate()"),
  dr("backup.scheduleExpression", "0 5 * * *", undefined, "Unix cron"),
  dr("backup.retentionDays", 14, undefined, "not the primary database's 7"),
  dr("backup.retentionDays", 2, undefined, "below the floor"),
  dr("backup.vaultLock", "enabled", undefined, "not a mode"),
  dr("objectLock.mode", "GOVERNANCE", undefined, "upper case"),
  dr("objectLock.retentionDays", 0, undefined, "zero"),
  dr("objectLock.retentionDays", "30d", undefined, "a unit"),

  // Monitoring
  primary("monitoring.kubernetesVersion", "1.29", undefined, "out of EKS standard support"),
  primary("monitoring.kubernetesVersion", 1.3, undefined, "1.30 unquoted, read as 1.3"),
  primary("monitoring.kubernetesVersion", 1.35, undefined, "unquoted, a YAML number"),
  primary("monitoring.nodeInstanceType", "t3.mediun", undefined, "typo"),
  primary("monitoring.nodeCount", 1, undefined, "too few"),
  primary("monitoring.publicAccessCidrs", ["0.0.0.0/0"], undefined, "the whole internet"),
  primary("monitoring.publicAccessCidrs", "10.0.0.0/8", undefined, "a string for a list"),
  primary("monitoring.grafanaAccessCidrs", ["203.0.113.0/24"], "monitoring.grafanaCertificateArn", "without a certificate"),
  primary("monitoring.alertEmails", "ops@example.com", undefined, "a string for a list"),
  primary("monitoring.alertEmails", ["ops at example.com"], undefined, "not an address"),
  primary("monitoring.prometheusRetentionDays", 365, undefined, "too long"),

  // Recovery and failover
  primary("recovery.strategy", "warm_standby", undefined, "underscore"),
  primary("recovery.strategy", "active-active", undefined, "not offered"),
  dr("recovery.strategy", "hot-standby", undefined, "not the primary's"),
  dr("recovery.rtoSeconds", 600, undefined, "not the primary's"),
  dr("recovery.objectRpoSeconds", 300, undefined, "not the primary's"),
  primary("recovery.rtoSeconds", 30, undefined, "too short"),
  primary("recovery.rtoSeconds", "15m", undefined, "a unit"),
  primary("recovery.rpoSeconds", 0, undefined, "zero"),
  dr("failover.automatic", "on", undefined, "YAML 1.1 boolean"),
  dr("failover.cooldownSeconds", 60, undefined, "too short"),
  dr("failover.drillTrafficPercent", 100, undefined, "too much"),
  dr("failover.decisionSeconds", -1, undefined, "negative"),
  dr("failover.notificationEmails", ["oncall"], undefined, "not an address"),
  custom("DR failover.automatic true on a backup-restore pair", "failover.automatic", {
    primary: strategyInBoth("backup-restore").primary,
    dr: { ...strategyInBoth("backup-restore").dr, [`${NS}:failover.automatic`]: true },
  }),

  // Tags and protection
  primary("tags.Project", "dr", undefined, "set by the program"),
  primary("tags.aws:owner", "sre", undefined, "reserved prefix"),
  primary("tags", ["CostCenter=platform"], undefined, "a list for a map"),
  primary("tags.CostCenter", 42, undefined, "a number"),
  primary("tags", Object.fromEntries(Array.from({ length: 47 }, (_, index) => [`Tag${index}`, "x"])), undefined, "47 tags, over AWS's 50 with the program's 4"),
  primary("protect", "no", undefined, "YAML 1.1 boolean"),
];
