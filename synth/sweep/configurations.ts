/**
 * Realistic configurations for the sweep (synth/sweep.ts): the repository's stack files varied the
 * way users vary them (region pairs across the commercial partition, zone counts per stack, app and
 * monitoring instance types, RDS engines and classes, Aurora global databases, the four strategies
 * with targets that fit them, the global table, HTTPS, automatic failover, health-check timing).
 * Each must synthesize with every DR invariant passing, no mandatory policy violation and a cost
 * estimate that does not throw.
 */
import type { Strategy } from "../../config/strategies";
import { type Edits, type PairEdit, REMOVE } from "./stackFiles";

/** One realistic pair. */
export interface Configuration {
  name: string;
  edit: PairEdit;
}

/** What a configuration sets; everything else stays as in the repository's stack files. */
interface Shape {
  /** Primary region, DR region (the primary's standbyRegion follows the DR region). */
  regions: [string, string];
  /** Availability zones of the primary and of the DR stack. */
  zones?: [number, number];
  /** VPC blocks of the primary and of the DR stack. */
  cidrs?: [string, string];
  /** App tier: the type goes to both stacks; minSize, desiredCapacity and maxSize to the primary, maxSize to the DR too. */
  app?: { instanceType?: string; minSize?: number; desiredCapacity?: number; maxSize?: number };
  /** Monitoring cluster nodes, in both stacks. */
  monitoring?: { nodeInstanceType?: string; nodeCount?: number };
  /**
   * The primary's `database` keys. With `engineMode: aurora-global` the instance-only storage keys of
   * the stack file are removed and the class defaults to db.r6g.large. `backupRetentionDays` goes to the DR stack's database too.
   */
  database?: Record<string, unknown>;
  /** `recovery`, in both stacks. */
  recovery?: { strategy?: Strategy; rtoSeconds?: number; rpoSeconds?: number; objectRpoSeconds?: number };
  /** The DynamoDB global table on, optionally with a sort key. */
  globalTable?: true | { sortKey: string };
  /** An ACM certificate of each region on each load balancer. */
  https?: boolean;
  /** The DR stack's `failover` keys (automatic, decisionSeconds, ...). */
  failover?: Record<string, unknown>;
  /** The DR stack's Route 53 health check. */
  healthCheck?: { intervalSeconds: 10 | 30; failureThreshold: number };
  /** Any other edits. */
  primary?: Edits;
  dr?: Edits;
}

const NS = "multi-region-dr";

/** An ACM certificate ARN in `region` (account and id as a user's would look). */
export function certificateIn(region: string, id: number): string {
  return `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-0000-4000-8000-${String(id).padStart(12, "0")}`;
}

function prefixed(values: Record<string, unknown>, prefix: string): Edits {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}.${key}`, value]));
}

/** The pair `shape` describes, as edits of the repository's stack files. */
export function configuration(label: string, shape: Shape): Configuration {
  const [primaryRegion, drRegion] = shape.regions;
  const primary: Edits = { "aws:region": primaryRegion, [`${NS}:standbyRegion`]: drRegion };
  const dr: Edits = { "aws:region": drRegion };
  const both = (edits: Edits) => {
    Object.assign(primary, edits);
    Object.assign(dr, edits);
  };
  if (shape.zones) {
    primary[`${NS}:network.availabilityZoneCount`] = shape.zones[0];
    dr[`${NS}:network.availabilityZoneCount`] = shape.zones[1];
  }
  if (shape.cidrs) {
    primary[`${NS}:network.cidrBlock`] = shape.cidrs[0];
    dr[`${NS}:network.cidrBlock`] = shape.cidrs[1];
  }
  const { instanceType, maxSize, ...counts } = shape.app ?? {};
  if (instanceType) both({ [`${NS}:app.instanceType`]: instanceType });
  if (maxSize !== undefined) both({ [`${NS}:app.maxSize`]: maxSize });
  Object.assign(primary, prefixed(counts, `${NS}:app`));
  if (shape.monitoring) both(prefixed(shape.monitoring, `${NS}:monitoring`));
  if (shape.database) {
    const database = { ...shape.database };
    if (database.engineMode === "aurora-global") {
      database.instanceClass ??= "db.r6g.large";
      database.allocatedStorageGib ??= REMOVE;
      database.maxAllocatedStorageGib ??= REMOVE;
    }
    Object.assign(primary, prefixed(database, `${NS}:database`));
    if (database.backupRetentionDays !== undefined) dr[`${NS}:database.backupRetentionDays`] = database.backupRetentionDays;
  }
  if (shape.recovery) both(prefixed(shape.recovery, `${NS}:recovery`));
  if (shape.globalTable) {
    primary[`${NS}:globalTable.enabled`] = true;
    if (shape.globalTable !== true) primary[`${NS}:globalTable.sortKey`] = shape.globalTable.sortKey;
  }
  if (shape.https) {
    primary[`${NS}:app.certificateArn`] = certificateIn(primaryRegion, 1);
    dr[`${NS}:app.certificateArn`] = certificateIn(drRegion, 2);
  }
  if (shape.failover) Object.assign(dr, prefixed(shape.failover, `${NS}:failover`));
  if (shape.healthCheck) {
    dr[`${NS}:dns.healthCheckIntervalSeconds`] = shape.healthCheck.intervalSeconds;
    dr[`${NS}:dns.healthCheckFailureThreshold`] = shape.healthCheck.failureThreshold;
  }
  Object.assign(primary, shape.primary);
  Object.assign(dr, shape.dr);
  return { name: `${primaryRegion}>${drRegion} ${label}`, edit: { primary, dr } };
}

/** backup-restore targets that its budget meets with the default 50 GiB (docs/strategies-and-budget.md, "Choosing a strategy"). */
const BACKUP_RESTORE_TARGETS = { strategy: "backup-restore", rtoSeconds: 2400, rpoSeconds: 1800 } as const;

export const CONFIGURATIONS: readonly Configuration[] = [
  { name: "us-east-1>us-west-2 the repository's stack files as they are", edit: {} },

  // North America
  configuration("t3.micro, postgres db.t4g.micro, 2+2 zones, pilot-light 30 min / 5 min", {
    regions: ["us-east-1", "us-west-2"],
    zones: [2, 2],
    app: { instanceType: "t3.micro" },
    database: { instanceClass: "db.t4g.micro" },
    recovery: { strategy: "pilot-light", rtoSeconds: 1800, rpoSeconds: 300 },
  }),
  configuration("m7i.large, m7i.large nodes, postgres 16 db.m7g.large, 3+3 zones, hot-standby", {
    regions: ["us-east-1", "us-west-2"],
    zones: [3, 3],
    app: { instanceType: "m7i.large" },
    monitoring: { nodeInstanceType: "m7i.large" },
    database: { engineVersion: "16", instanceClass: "db.m7g.large" },
    recovery: { strategy: "hot-standby" },
  }),
  configuration("aurora-global postgres db.r6g.large, global table, warm-standby", {
    regions: ["us-east-1", "us-west-2"],
    database: { engineMode: "aurora-global", instanceClass: "db.r6g.large" },
    globalTable: true,
  }),
  configuration("aurora-global mysql db.r7g.large, hot-standby, automatic failover", {
    regions: ["us-east-1", "us-west-2"],
    database: { engine: "mysql", engineMode: "aurora-global", instanceClass: "db.r7g.large" },
    recovery: { strategy: "hot-standby" },
    failover: { automatic: true },
  }),
  configuration("backup-restore 40 min / 30 min, postgres db.t4g.medium", {
    regions: ["us-east-1", "us-west-2"],
    recovery: BACKUP_RESTORE_TARGETS,
  }),
  configuration("backup-restore 60 min / 30 min, 100 GiB mysql db.m5.large", {
    regions: ["us-east-1", "us-west-2"],
    database: { engine: "mysql", instanceClass: "db.m5.large", allocatedStorageGib: 100, maxAllocatedStorageGib: 400 },
    recovery: { strategy: "backup-restore", rtoSeconds: 3600, rpoSeconds: 1800 },
  }),
  configuration("t3.micro, mysql db.t3.micro, 3+2 zones, warm-standby", {
    regions: ["us-east-2", "us-west-1"],
    zones: [3, 2],
    cidrs: ["10.20.0.0/16", "10.21.0.0/16"],
    app: { instanceType: "t3.micro" },
    database: { engine: "mysql", instanceClass: "db.t3.micro", allocatedStorageGib: 20, maxAllocatedStorageGib: 100, backupRetentionDays: 5 },
  }),
  configuration("c7g.large (Graviton), postgres db.r7g.large, hot-standby", {
    regions: ["us-east-2", "us-west-1"],
    zones: [3, 2],
    app: { instanceType: "c7g.large" },
    database: { instanceClass: "db.r7g.large" },
    recovery: { strategy: "hot-standby" },
  }),
  configuration("m7i.xlarge, postgres 17 db.r6g.xlarge, 4+3 zones, HTTPS, warm-standby", {
    regions: ["us-west-2", "us-east-1"],
    zones: [4, 3],
    app: { instanceType: "m7i.xlarge" },
    database: { engineVersion: "17", instanceClass: "db.r6g.xlarge" },
    https: true,
  }),
  configuration("t4g.medium (Graviton), mysql db.t4g.large, pilot-light 30 min / 5 min", {
    regions: ["us-west-2", "us-east-1"],
    app: { instanceType: "t4g.medium" },
    monitoring: { nodeInstanceType: "t4g.medium" },
    database: { engine: "mysql", instanceClass: "db.t4g.large" },
    recovery: { strategy: "pilot-light", rtoSeconds: 1800, rpoSeconds: 300 },
  }),
  configuration("capacity 4/6/12, m7i.large, postgres db.r7g.large, 4+3 zones, warm-standby", {
    regions: ["us-east-1", "us-east-2"],
    zones: [4, 3],
    app: { instanceType: "m7i.large", minSize: 4, desiredCapacity: 6, maxSize: 12 },
    database: { instanceClass: "db.r7g.large" },
  }),
  configuration("1/1/3 t3.micro, postgres 14 db.t4g.micro, pilot-light 1 h / 15 min", {
    regions: ["us-west-2", "us-west-1"],
    zones: [2, 2],
    app: { instanceType: "t3.micro", minSize: 1, desiredCapacity: 1, maxSize: 3 },
    database: { engineVersion: "14", instanceClass: "db.t4g.micro" },
    recovery: { strategy: "pilot-light", rtoSeconds: 3600, rpoSeconds: 900 },
  }),
  configuration("warm-standby with the DR tier at 2/2 instead of the strategy's 1/1", {
    regions: ["us-east-1", "us-west-2"],
    dr: { [`${NS}:app.minSize`]: 2, [`${NS}:app.desiredCapacity`]: 2 },
  }),
  // The automatic trigger waits 3 probe periods of 30 s (one vantage point): 615 s of budget, so an 11-minute RTO.
  configuration("hot-standby, automatic failover, RTO 11 min", {
    regions: ["us-east-1", "us-west-2"],
    recovery: { strategy: "hot-standby", rtoSeconds: 660 },
    failover: { automatic: true, cooldownSeconds: 7200 },
  }),
  configuration("aurora-global postgres 16.6 db.r6i.large, pilot-light, health check 30 s x 3", {
    regions: ["us-east-2", "us-west-2"],
    cidrs: ["10.60.0.0/16", "10.61.0.0/16"],
    database: { engineMode: "aurora-global", engineVersion: "16.6", instanceClass: "db.r6i.large" },
    recovery: { strategy: "pilot-light" },
    healthCheck: { intervalSeconds: 30, failureThreshold: 3 },
  }),
  configuration("mysql 8.4.6 db.m5.large, 3 m6i.large nodes, alert e-mails, extra tags", {
    regions: ["us-east-1", "us-west-2"],
    monitoring: { nodeInstanceType: "m6i.large", nodeCount: 3 },
    database: { engine: "mysql", engineVersion: "8.4.6", instanceClass: "db.m5.large" },
    primary: { [`${NS}:monitoring.alertEmails`]: ["sre@example.com"], [`${NS}:tags.Team`]: "payments", [`${NS}:tags.Environment`]: "production" },
    dr: {
      [`${NS}:monitoring.alertEmails`]: ["sre@example.com"],
      [`${NS}:failover.notificationEmails`]: ["oncall@example.com", "sre@example.com"],
      [`${NS}:tags.Team`]: "payments",
      [`${NS}:tags.Environment`]: "production",
    },
  }),
  configuration("single NAT in the primary, flow logs 90 days, Grafana for the office over TLS", {
    regions: ["us-east-1", "us-west-2"],
    primary: {
      [`${NS}:network.natGateways`]: "single",
      [`${NS}:network.flowLogRetentionDays`]: 90,
      [`${NS}:monitoring.grafanaAccessCidrs`]: ["203.0.113.0/24"],
      [`${NS}:monitoring.grafanaCertificateArn`]: certificateIn("us-east-1", 3),
      [`${NS}:monitoring.publicAccessCidrs`]: ["198.51.100.0/24"],
    },
    dr: { [`${NS}:network.flowLogRetentionDays`]: 90 },
  }),
  configuration("t3.micro, mysql db.t4g.micro, hot-standby, 2+2 zones", {
    regions: ["us-west-1", "us-west-2"],
    zones: [2, 2],
    app: { instanceType: "t3.micro" },
    database: { engine: "mysql", instanceClass: "db.t4g.micro" },
    recovery: { strategy: "hot-standby" },
  }),
  configuration("t3.small, postgres db.t4g.small, warm-standby", {
    regions: ["ca-central-1", "us-east-1"],
    database: { instanceClass: "db.t4g.small" },
  }),
  configuration("aurora-global postgres db.r7g.large, hot-standby, global table", {
    regions: ["ca-central-1", "us-east-1"],
    database: { engineMode: "aurora-global", instanceClass: "db.r7g.large" },
    recovery: { strategy: "hot-standby" },
    globalTable: true,
  }),
  configuration("t3.small, postgres db.t4g.medium, warm-standby, 3+2 zones", {
    regions: ["ca-central-1", "ca-west-1"],
    zones: [3, 2],
  }),
  configuration("cross-continent aurora-global postgres db.r6g.large, warm-standby", {
    regions: ["us-east-1", "eu-west-1"],
    database: { engineMode: "aurora-global" },
  }),

  // Europe
  configuration("mysql db.m5.large, pilot-light 1 h / 5 min", {
    regions: ["eu-west-1", "eu-central-1"],
    cidrs: ["10.40.0.0/16", "10.41.0.0/16"],
    database: { engine: "mysql", instanceClass: "db.m5.large" },
    recovery: { strategy: "pilot-light", rtoSeconds: 3600, rpoSeconds: 300 },
  }),
  configuration("aurora-global postgres db.r6g.large, HTTPS, automatic failover", {
    regions: ["eu-west-1", "eu-central-1"],
    database: { engineMode: "aurora-global" },
    https: true,
    failover: { automatic: true },
  }),
  configuration("backup-restore 1 h / 1 h, mysql db.t4g.small", {
    regions: ["eu-west-1", "eu-central-1"],
    database: { engine: "mysql", instanceClass: "db.t4g.small" },
    recovery: { strategy: "backup-restore", rtoSeconds: 3600, rpoSeconds: 3600 },
  }),
  configuration("t3.medium, postgres 15 db.r5.large, global table with a sort key", {
    regions: ["eu-west-2", "eu-west-1"],
    app: { instanceType: "t3.medium" },
    database: { engineVersion: "15", instanceClass: "db.r5.large" },
    globalTable: { sortKey: "sk" },
  }),
  // Slower health checks and a manual decision: the 15-minute default RTO no longer fits once the fence's 120 s counts.
  configuration("m6i.large, mysql db.m6i.large, hot-standby, health check 30 s x 3, RTO 20 min", {
    regions: ["eu-west-2", "eu-west-1"],
    app: { instanceType: "m6i.large" },
    database: { engine: "mysql", instanceClass: "db.m6i.large" },
    recovery: { strategy: "hot-standby", rtoSeconds: 1200 },
    healthCheck: { intervalSeconds: 30, failureThreshold: 3 },
  }),
  configuration("m7g.large (Graviton), postgres db.m7g.large, 3+3 zones", {
    regions: ["eu-north-1", "eu-central-1"],
    zones: [3, 3],
    app: { instanceType: "m7g.large" },
    monitoring: { nodeInstanceType: "m7g.large" },
    database: { instanceClass: "db.m7g.large" },
  }),
  configuration("pilot-light, a single NAT in the primary", {
    regions: ["eu-north-1", "eu-central-1"],
    recovery: { strategy: "pilot-light" },
    primary: { [`${NS}:network.natGateways`]: "single" },
  }),
  configuration("t3.large, mysql db.m7g.large, hot-standby, HTTPS, health check 30 s x 2, RTO 20 min", {
    regions: ["eu-central-1", "eu-west-1"],
    app: { instanceType: "t3.large" },
    database: { engine: "mysql", instanceClass: "db.m7g.large" },
    recovery: { strategy: "hot-standby", rtoSeconds: 1200 },
    https: true,
    healthCheck: { intervalSeconds: 30, failureThreshold: 2 },
  }),
  configuration("postgres 18 db.m7g.large, backups 14 days, compliance vault lock, Object Lock", {
    regions: ["eu-west-1", "eu-west-2"],
    database: { engineVersion: "18", instanceClass: "db.m7g.large", backupRetentionDays: 14 },
    dr: { [`${NS}:backup.vaultLock`]: "compliance", [`${NS}:objectLock.mode`]: "governance", [`${NS}:objectLock.retentionDays`]: 14 },
  }),
  configuration("postgres 17.6, 172.16/172.17 blocks, an existing hosted zone for shop.example.org", {
    regions: ["eu-west-3", "eu-west-1"],
    cidrs: ["172.16.0.0/16", "172.17.0.0/16"],
    database: { engineVersion: "17.6" },
    primary: { [`${NS}:dns.zoneName`]: "shop.example.org", [`${NS}:dns.hostedZoneId`]: "Z0123456789ABCDEFGHIJ", [`${NS}:dns.applicationLabel`]: "www" },
  }),
  configuration("t3.small, mysql db.t4g.medium, pilot-light", {
    regions: ["eu-south-1", "eu-central-1"],
    database: { engine: "mysql" },
    recovery: { strategy: "pilot-light" },
  }),

  // Asia Pacific
  configuration("t3.small, postgres db.t4g.medium, 3+2 zones, warm-standby", {
    regions: ["ap-southeast-2", "ap-southeast-4"],
    zones: [3, 2],
  }),
  configuration("aurora-global mysql db.r6g.large, pilot-light", {
    regions: ["ap-southeast-2", "ap-southeast-4"],
    database: { engine: "mysql", engineMode: "aurora-global" },
    recovery: { strategy: "pilot-light" },
  }),
  configuration("m5.large, mysql db.r5.large, 3+3 zones, warm-standby", {
    regions: ["ap-northeast-1", "ap-northeast-3"],
    zones: [3, 3],
    app: { instanceType: "m5.large" },
    monitoring: { nodeInstanceType: "m5.large" },
    database: { engine: "mysql", instanceClass: "db.r5.large", backupRetentionDays: 5 },
  }),
  configuration("c7g.large (Graviton), postgres db.r7g.large, hot-standby, automatic failover", {
    regions: ["ap-northeast-1", "ap-northeast-3"],
    app: { instanceType: "c7g.large" },
    database: { instanceClass: "db.r7g.large" },
    recovery: { strategy: "hot-standby" },
    failover: { automatic: true },
  }),
  configuration("t3.medium, postgres db.t4g.medium, pilot-light", {
    regions: ["ap-south-1", "ap-south-2"],
    app: { instanceType: "t3.medium" },
    recovery: { strategy: "pilot-light" },
  }),
  configuration("m7i.large, mysql db.m5.large, backup-restore 1 h / 30 min", {
    regions: ["ap-south-1", "ap-south-2"],
    app: { instanceType: "m7i.large" },
    database: { engine: "mysql", instanceClass: "db.m5.large" },
    recovery: { strategy: "backup-restore", rtoSeconds: 3600, rpoSeconds: 1800 },
  }),
  configuration("m6g.large (Graviton), postgres 16 db.r6g.large, warm-standby", {
    regions: ["ap-southeast-1", "ap-southeast-2"],
    app: { instanceType: "m6g.large" },
    database: { engineVersion: "16", instanceClass: "db.r6g.large" },
  }),
  configuration("t3.small, mysql db.t4g.medium, pilot-light, global table", {
    regions: ["ap-northeast-2", "ap-northeast-1"],
    database: { engine: "mysql" },
    recovery: { strategy: "pilot-light" },
    globalTable: true,
  }),
  configuration("t3.small, mysql db.t4g.medium, warm-standby", {
    regions: ["ap-east-1", "ap-southeast-1"],
    database: { engine: "mysql" },
  }),

  // South America, Middle East, Africa
  configuration("t3.medium, postgres db.m7g.large, 3+2 zones, warm-standby", {
    regions: ["sa-east-1", "us-east-1"],
    zones: [3, 2],
    app: { instanceType: "t3.medium" },
    database: { instanceClass: "db.m7g.large" },
  }),
  configuration("t3.micro, mysql db.t3.micro, pilot-light", {
    regions: ["sa-east-1", "us-east-1"],
    app: { instanceType: "t3.micro" },
    database: { engine: "mysql", instanceClass: "db.t3.micro" },
    recovery: { strategy: "pilot-light" },
  }),
  configuration("m7i.large, postgres db.r6g.xlarge, HTTPS, warm-standby", {
    regions: ["me-central-1", "eu-central-1"],
    app: { instanceType: "m7i.large" },
    database: { instanceClass: "db.r6g.xlarge" },
    https: true,
  }),
  configuration("backup-restore 40 min / 30 min, t3.small, postgres db.t4g.medium", {
    regions: ["me-central-1", "eu-central-1"],
    recovery: BACKUP_RESTORE_TARGETS,
  }),
  configuration("t3.small, postgres db.t4g.medium, pilot-light", {
    regions: ["il-central-1", "eu-central-1"],
    recovery: { strategy: "pilot-light" },
  }),
  configuration("t3.small, mysql db.t4g.medium, warm-standby", {
    regions: ["af-south-1", "eu-west-1"],
    database: { engine: "mysql" },
  }),
];
