/**
 * The stack configuration schema: every key a `Pulumi.<stack>.yaml` may set under the project's
 * namespace, with its units, default and limits. Defaults differ by role: the primary runs the full
 * footprint, the DR stack a warm standby that can scale to the primary's capacity.
 *
 * Only plain data lives here; `load.ts` reads Pulumi config and turns schema failures into
 * `ConfigError`s that name the key, the value and the fix.
 */
import { z } from "zod";
import { APP_METRICS_PORT, NODE_EXPORTER_PORT, PROJECT_NAME } from "./conventions";
import { auroraEngineVersionProblem, auroraInstanceClassProblem, ENGINE_MODES } from "./aurora";
import { rdsEngineVersionProblem } from "./engineVersions";
import { DEFAULT_STRATEGY, STRATEGIES } from "./strategies";
import { faultInjectionSchema } from "./faultInjection";
import { cacheSchema, drCacheSchema } from "./cache";
import { edgeSchema } from "./edge";
import { appDefinitionShape, DEMO_RESERVED_PATHS, readUserDataFile, userDataTemplateProblems } from "./appDefinition";
import { scheduleProblem } from "../components/backupRules";
import {
  coversWholeInternet,
  dbInstanceClassProblem,
  dnsNameProblem,
  ec2InstanceTypeProblem,
  instanceModeClassProblem,
  regionProblem,
  stackNameProblem,
  tagProblem,
  vpcCidrProblem,
} from "./rules";

/** The config namespace: the Pulumi project name in `Pulumi.yaml`. */
export const CONFIG_NAMESPACE = PROJECT_NAME;

/** Which half of the DR pair a stack builds. */
export const ROLES = ["primary", "dr"] as const;
export type Role = (typeof ROLES)[number];

/** Database engines the RDS mode supports, with their default major versions and ports. */
export const ENGINES = {
  postgres: { defaultVersion: "17", port: 5432, logExports: ["postgresql", "upgrade"] },
  mysql: { defaultVersion: "8.4", port: 3306, logExports: ["error", "general", "slowquery"] },
} as const;
export type Engine = keyof typeof ENGINES;

/** Defaults that depend on the engine mode: Aurora global databases refuse burstable classes; Aurora storage grows by itself. */
export const ENGINE_MODE_DEFAULTS = {
  instance: { instanceClass: "db.t4g.medium", allocatedStorageGib: 50, maxAllocatedStorageGib: 200 },
  "aurora-global": { instanceClass: "db.r6g.large" },
} as const;

/** DynamoDB attribute names used as keys: this program takes 1-255 letters, digits, `_`, `.` and `-` (DynamoDB Developer Guide, "Naming rules"). */
const attributeName = z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, { error: "must be 1 to 255 letters, digits, _, . or -, such as pk" });

/** Turns a pure rule (`undefined` or a message) into a zod check. */
function satisfies(rule: (value: string) => string | undefined) {
  return (value: string, context: z.RefinementCtx) => {
    const problem = rule(value);
    if (problem) context.addIssue({ code: "custom", message: problem, input: value });
  };
}

/** An ACM certificate ARN; that it is of the stack's region is a cross-field rule (config/load.ts, `certificateRegionProblem`). */
const certificateArn = z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, {
  error: "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) in this stack's region",
});

/** An operators' network allowed to reach an endpoint: an IPv4 CIDR block, never the whole internet. */
const operatorCidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: "must be an IPv4 CIDR block" })
  .refine((cidr) => !coversWholeInternet(cidr), {
    error: "must not be 0.0.0.0/0 or any other /0 block, the whole internet (Security Hub EKS.1); list your operators' networks",
  });

const integer = (what: string, min: number, max: number) =>
  z
    .number({ error: `must be a whole number of ${what}` })
    .int({ error: `must be a whole number of ${what}` })
    .min(min, { error: `must be at least ${min} ${what}` })
    .max(max, { error: `must be at most ${max} ${what}` });

/**
 * Role-dependent defaults (documented in the configuration reference (docs/configuration.md)). The DR stack's NAT
 * gateways, minimum and desired capacity, and database Multi-AZ default from `recovery.strategy`
 * instead (config/strategies.ts), resolved against the primary in `stacks/drStrategy.ts`.
 */
export const ROLE_DEFAULTS = {
  primary: { cidrBlock: "10.0.0.0/16", availabilityZoneCount: 3 },
  dr: { cidrBlock: "10.1.0.0/16", availabilityZoneCount: 2 },
} as const;
/** The primary's own capacity defaults. */
export const PRIMARY_CAPACITY_DEFAULTS = { natGateways: "one-per-zone", minSize: 2, desiredCapacity: 2 } as const;

function networkShape(role: Role) {
  const defaults = ROLE_DEFAULTS[role];
  return {
    /** VPC IPv4 block, /16 to /20; the two regions' blocks must not overlap. */
    cidrBlock: z.string().superRefine(satisfies(vpcCidrProblem)).default(defaults.cidrBlock),
    /** Availability zones to spread subnets, NAT, ALB, ASG and database over: 2 to 4. */
    availabilityZoneCount: integer("availability zones", 2, 4).default(defaults.availabilityZoneCount),
    /** Days to keep VPC flow logs in CloudWatch Logs; default 365, the year Security Hub CloudWatch.16 asks. */
    flowLogRetentionDays: z
      .union([z.literal(30), z.literal(60), z.literal(90), z.literal(180), z.literal(365)], {
        error: "must be one of 30, 60, 90, 180 or 365 days (CloudWatch Logs retention values)",
      })
      .default(365),
  };
}

const primaryNetworkSchema = z
  .strictObject({
    ...networkShape("primary"),
    /** `one-per-zone` (default: survives a zone loss) or `single` (cheaper). */
    natGateways: z.enum(["one-per-zone", "single"], { error: "must be one-per-zone or single" }).default(PRIMARY_CAPACITY_DEFAULTS.natGateways),
  })
  .prefault({});

const drNetworkSchema = z
  .strictObject({
    ...networkShape("dr"),
    /** `one-per-zone`, `single` or `none` (no outbound internet); default from recovery.strategy. */
    natGateways: z.enum(["one-per-zone", "single", "none"], { error: "must be one-per-zone, single or none" }).optional(),
  })
  .prefault({});

const appShape = {
  /** EC2 instance type of the app tier (a name of aws.ec2.InstanceType, not a retired family); the DR stack must use the primary's. */
  instanceType: z.string().superRefine(satisfies(ec2InstanceTypeProblem)).default("t3.small"),
  /** Auto Scaling Group maximum instance count; the DR stack's must be at least the primary's. */
  maxSize: integer("instances", 1, 100).default(6),
  /** Target-tracking policy's average CPU utilization target, percent. */
  targetCpuUtilizationPercent: integer("percent", 10, 90).default(50),
  /** ACM certificate ARN in this stack's region; when set the ALB serves HTTPS and redirects HTTP. */
  certificateArn: certificateArn.optional(),
};

/** Port the app listens on behind the ALB; not 9464 or 9100, the ports of its metrics and of the node exporter. */
const appPort = integer("port number", 1024, 65535).refine((port) => port !== APP_METRICS_PORT && port !== NODE_EXPORTER_PORT, {
  error: `must not be ${APP_METRICS_PORT} (the app's metrics port) or ${NODE_EXPORTER_PORT} (the node exporter's): pick another port`,
});

/** minSize <= desiredCapacity <= maxSize, once the counts are known. */
export function capacityOrderProblem(app: { minSize: number; desiredCapacity: number; maxSize: number }): string | undefined {
  if (app.minSize <= app.desiredCapacity && app.desiredCapacity <= app.maxSize) return undefined;
  return `must satisfy minSize <= desiredCapacity <= maxSize (got ${app.minSize}, ${app.desiredCapacity}, ${app.maxSize}); adjust the three counts`;
}

function checkCapacityOrder(app: { minSize?: number; desiredCapacity?: number; maxSize: number }, context: z.RefinementCtx) {
  const problem = capacityOrderProblem({ minSize: app.minSize ?? 0, desiredCapacity: app.desiredCapacity ?? app.minSize ?? 0, maxSize: app.maxSize });
  if (problem)
    context.addIssue({
      code: "custom",
      path: ["desiredCapacity"],
      input: { minSize: app.minSize, desiredCapacity: app.desiredCapacity, maxSize: app.maxSize },
      message: problem,
    });
}

const primaryAppSchema = z
  .strictObject({
    ...appShape,
    /** Port the app listens on behind the ALB; default 8080. */
    port: appPort.default(8080),
    ...appDefinitionShape,
    /** Auto Scaling Group minimum and desired instance counts; defaults 2 and 2. */
    minSize: integer("instances", 0, 100).default(PRIMARY_CAPACITY_DEFAULTS.minSize),
    desiredCapacity: integer("instances", 0, 100).default(PRIMARY_CAPACITY_DEFAULTS.desiredCapacity),
  })
  .prefault({})
  .superRefine(checkCapacityOrder)
  .transform(withUserDataTemplate);

/**
 * Reads `app.userData` (relative to the project directory) and checks its placeholders against the
 * declared secrets, so a missing file or a typo is a config error naming the key, never a failed boot.
 */
function withUserDataTemplate<T extends { userData?: string; secrets: string[] }>(app: T, context: z.RefinementCtx): T & { userDataTemplate?: string } {
  if (app.userData === undefined) return app;
  const read = readUserDataFile(app.userData);
  const problems = "problem" in read ? [read.problem] : userDataTemplateProblems(read.template, app.secrets);
  for (const message of problems) context.addIssue({ code: "custom", path: ["userData"], input: app.userData, message });
  return problems.length === 0 && "template" in read ? { ...app, userDataTemplate: read.template } : app;
}

/** A key of the app's definition, which only the primary's stack file sets. */
const primaryOnly = z
  .unknown()
  .refine(() => false, { error: "is set in the primary's stack file only: the DR stack builds the primary's app from the primary's outputs" })
  .optional();

const drAppSchema = z
  .strictObject({
    ...appShape,
    /** Port the app listens on; default (and it must be) the primary's. */
    port: appPort.optional(),
    image: primaryOnly,
    userData: primaryOnly,
    healthPath: primaryOnly,
    secrets: primaryOnly,
    parameters: primaryOnly,
    databaseUser: primaryOnly,
    /** Auto Scaling Group minimum and desired instance counts before a failover; defaults from recovery.strategy. */
    minSize: integer("instances", 0, 100).optional(),
    desiredCapacity: integer("instances", 0, 100).optional(),
  })
  .prefault({})
  .superRefine(checkCapacityOrder);

const backupRetentionDays = integer("days", 5, 35).default(7);

const primaryDatabaseSchema = z
  .strictObject({
    /** `postgres` (default) or `mysql`; in aurora-global mode aurora-postgresql or aurora-mysql. */
    engine: z.enum(["postgres", "mysql"], { error: "must be postgres or mysql" }).default("postgres"),
    /** `instance` (default: RDS instance and cross-region read replica) or `aurora-global` (Aurora global database). */
    engineMode: z.enum(ENGINE_MODES, { error: `must be one of ${ENGINE_MODES.join(", ")}` }).default("instance"),
    /**
     * Engine version; defaults to the engine's current major (17, 8.4). RDS: a major or
     * major.minor in RDS standard support (PostgreSQL 14-18, MySQL 8.4, or newer; majors only in paid
     * RDS Extended Support are refused, config/engineVersions.ts); Aurora PostgreSQL: major.minor such
     * as 17.4, major 14 or newer; Aurora MySQL: 8.0.mysql_aurora.3.x.y (config/aurora.ts).
     */
    engineVersion: z
      .string()
      .regex(/^\d+(\.\d+){0,2}(\.mysql_aurora\.\d+\.\d+\.\d+)?$/, { error: "must be an engine version such as 17, 8.4, 17.4 or 8.0.mysql_aurora.3.08.0" })
      .optional(),
    /**
     * DB instance class of the primary; the DR copy gets the same class. Default db.t4g.medium
     * (instance) or db.r6g.large (aurora-global, which refuses burstable classes). Checked by name
     * against the AWS provider's lists (config/names.ts), with the closest valid names on a typo.
     */
    instanceClass: z.string().superRefine(satisfies(dbInstanceClassProblem)).optional(),
    /** Allocated gp3 storage, GiB (RDS minimum 20), default 50; instance mode only (Aurora storage grows by itself). */
    allocatedStorageGib: integer("GiB", 20, 65536).optional(),
    /** Storage autoscaling ceiling, GiB, default 200; at least allocatedStorageGib; instance mode only. */
    maxAllocatedStorageGib: integer("GiB", 20, 65536).optional(),
    /** Automated backup retention, days: 5 (this program's floor) to 35 (the RDS maximum). */
    backupRetentionDays,
    /**
     * Multi-AZ: an RDS standby, or an Aurora reader in another zone. Default true. In instance mode it
     * must stay true: the mandatory policy rds-multi-az refuses a Single-AZ primary instance
     * (policy/policies/database.ts; AWS Security Hub RDS.5, Well-Architected REL10-BP01), so it is
     * refused here before any resource exists. In aurora-global mode false (a writer alone) is
     * accepted: no policy requires the reader, and Aurora keeps copies of the cluster volume in several
     * zones "regardless of whether the instances in the DB cluster span multiple Availability Zones"
     * (Aurora User Guide, "High availability for Amazon Aurora",
     * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html).
     */
    multiAz: z.boolean({ error: "must be true or false" }).default(true),
    /** Name of the database created on the primary. */
    databaseName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, { error: "must start with a letter and use letters, digits and _ (at most 63)" })
      .default("app"),
    /** Master user name; its password is generated and kept in Secrets Manager by RDS. */
    masterUsername: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, { error: "must start with a letter and use letters, digits and _ (at most 16)" })
      .default("app_admin"),
    /**
     * Failback only (instance mode): rebuild the primary region as the new standby. The ARN of the
     * promoted DR database (the DR stack's `replicaArn` output); the primary's database becomes a
     * cross-region read replica of it (docs/runbook.md, "Failback").
     */
    replicaSourceArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:[A-Za-z][A-Za-z0-9-]*$/, {
        error: "must be the ARN of the promoted DR database (arn:aws:rds:<dr region>:<account>:db:<id>)",
      })
      .optional(),
    /**
     * After failback (instance mode): the failback workflow promoted the primary-region replica;
     * adopt it as the standalone primary instead of recreating it. Requires replicaSourceArn (docs/runbook.md, "Failback").
     */
    promoted: z.boolean({ error: "must be true or false" }).default(false),
  })
  .prefault({})
  .superRefine((database, context) => {
    const problem = (path: string, input: unknown, message: string) => context.addIssue({ code: "custom", path: [path], input, message });
    if (database.promoted && database.replicaSourceArn === undefined) {
      problem(
        "promoted",
        database.promoted,
        "is only meaningful with replicaSourceArn (a primary rebuilt as a replica, then promoted by failback); remove it or set replicaSourceArn",
      );
    }
    if (database.engineMode === "instance" && !database.multiAz) {
      problem(
        "multiAz",
        database.multiAz,
        "must be true on the primary database: a Single-AZ primary turns a zone failure into a regional failover " +
          "(the mandatory policy rds-multi-az refuses it: AWS Security Hub RDS.5); remove the key (default true) or set it to true",
      );
    }
    if (database.engineMode === "aurora-global") {
      for (const key of ["allocatedStorageGib", "maxAllocatedStorageGib", "replicaSourceArn"] as const) {
        if (database[key] !== undefined) {
          problem(
            key,
            database[key],
            key === "replicaSourceArn"
              ? "is the instance mode's failback; an Aurora global database fails back by a managed switchover (npm run failback); remove it"
              : 'is an RDS instance setting; Aurora storage grows by itself (Aurora User Guide, "Amazon Aurora storage"); remove it or set engineMode: instance',
          );
        }
      }
      const classProblem = database.instanceClass === undefined ? undefined : auroraInstanceClassProblem(database.instanceClass);
      if (classProblem) problem("instanceClass", database.instanceClass, classProblem);
      const versionProblem = database.engineVersion === undefined ? undefined : auroraEngineVersionProblem(database.engine, database.engineVersion);
      if (versionProblem) problem("engineVersion", database.engineVersion, versionProblem);
    } else {
      if (database.engineVersion?.includes("mysql_aurora")) {
        problem(
          "engineVersion",
          database.engineVersion,
          "is an Aurora MySQL version; an RDS instance takes a version such as 8.4, or set engineMode: aurora-global",
        );
      } else if (database.engineVersion !== undefined) {
        const versionProblem = rdsEngineVersionProblem(database.engine, database.engineVersion);
        if (versionProblem) problem("engineVersion", database.engineVersion, versionProblem);
      }
      const classProblem = database.instanceClass === undefined ? undefined : instanceModeClassProblem(database.instanceClass);
      if (classProblem) problem("instanceClass", database.instanceClass, classProblem);
    }
    const allocated = database.allocatedStorageGib ?? ENGINE_MODE_DEFAULTS.instance.allocatedStorageGib;
    const ceiling = database.maxAllocatedStorageGib ?? ENGINE_MODE_DEFAULTS.instance.maxAllocatedStorageGib;
    if (database.engineMode === "instance" && ceiling < allocated) {
      problem("maxAllocatedStorageGib", ceiling, `must be at least allocatedStorageGib (${allocated}); raise it or lower allocatedStorageGib`);
    }
  })
  .transform((database) => {
    const instance = ENGINE_MODE_DEFAULTS.instance;
    return {
      ...database,
      instanceClass: database.instanceClass ?? ENGINE_MODE_DEFAULTS[database.engineMode].instanceClass,
      /** Instance mode's storage; unused by Aurora. */
      allocatedStorageGib: database.allocatedStorageGib ?? instance.allocatedStorageGib,
      maxAllocatedStorageGib: database.maxAllocatedStorageGib ?? instance.maxAllocatedStorageGib,
    };
  });

/** Optional DynamoDB global table (primary stack): created in the primary region, replicated by the DR stack. */
const globalTableSchema = z
  .strictObject({
    /** Create the table and replicate it to the DR region. Default false. */
    enabled: z.boolean({ error: "must be true or false" }).default(false),
    /** Partition key attribute (string). Default pk. */
    partitionKey: attributeName.default("pk"),
    /** Optional sort key attribute (string); must differ from the partition key. */
    sortKey: attributeName.optional(),
  })
  .prefault({})
  .superRefine((table, context) => {
    if (table.sortKey !== undefined && table.sortKey === table.partitionKey) {
      context.addIssue({ code: "custom", path: ["sortKey"], input: table.sortKey, message: "is the partition key too; pick another attribute or remove it" });
    }
  });

/** The DR replica inherits engine, version, class and storage from the primary's outputs. */
const drDatabaseSchema = z
  .strictObject({
    /** Automated backups on the replica, days: they keep running after a promotion. */
    backupRetentionDays,
    /**
     * Multi-AZ for the replica (and so for the promoted database), or for the restored database in
     * backup-restore. Default from recovery.strategy: false for pilot-light, true otherwise.
     */
    multiAz: z.boolean({ error: "must be true or false" }).optional(),
    /**
     * backup-restore only: restore the database in the DR region from the replicated automated
     * backups, to `latest` (the latest restorable time) or to an ISO 8601 UTC time such as
     * 2026-11-21T08:30:00Z. Setting it is the restore (docs/runbook.md, "Restore (backup-restore)"): the next
     * `pulumi up` creates the database, a NAT gateway and the primary's capacity.
     */
    restoreToTime: z
      .union([z.literal("latest"), z.iso.datetime({ offset: false, error: "must be latest or an ISO 8601 UTC time such as 2026-11-21T08:30:00Z" })], {
        error: "must be latest or an ISO 8601 UTC time such as 2026-11-21T08:30:00Z",
      })
      .optional(),
    /**
     * Set true after a failover promoted the replica: the next `pulumi up` adopts the promoted,
     * standalone database instead of trying to make it a replica again (docs/runbook.md, "Failover").
     */
    promoted: z.boolean({ error: "must be true or false" }).default(false),
  })
  .prefault({});

/**
 * AWS Backup (DR stack): a plan in the primary region backs up the data stores (point-in-time
 * recovery on) and copies every recovery point to a vault in the DR region under the DR key.
 */
const backupSchema = z
  .strictObject({
    /** Back up and copy to the DR region. Default true; false only for throwaway test stacks. */
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    /**
     * Days recovery points are kept, in the primary vault and in the DR copy: 5 (this program's floor) to 35,
     * the longest continuous backup AWS Backup keeps (AWS Backup Developer Guide, "Continuous backups and
     * point-in-time recovery (PITR)"). Default: the primary's database.backupRetentionDays, which it must
     * equal, because continuous backup takes over the database's automated backup retention.
     */
    retentionDays: integer("days", 5, 35).optional(),
    /** When the daily snapshot is taken and copied: an AWS Backup cron expression in UTC (cron only). Default cron(0 5 ? * * *), 05:00 UTC. */
    scheduleExpression: z.string().superRefine(satisfies(scheduleProblem)).default("cron(0 5 ? * * *)"),
    /**
     * AWS Backup Vault Lock on both vaults: `governance` (default: recovery points cannot be deleted
     * before retentionDays except by principals allowed to remove the lock), `compliance` (nobody,
     * including the root user, can delete them or remove the lock once the 3-day grace time ends:
     * irreversible), or `none` (AWS Backup Developer Guide, "AWS Backup Vault Lock").
     */
    vaultLock: z.enum(["governance", "compliance", "none"], { error: "must be governance, compliance or none" }).default("governance"),
  })
  .prefault({});

/**
 * S3 Object Lock on the DR copy of the data bucket (DR stack): a delete or overwrite in the primary,
 * replicated or not, cannot destroy the locked versions in the DR region before their retention ends
 * (S3 User Guide, "Locking objects with Object Lock").
 */
const objectLockSchema = z
  .strictObject({
    /**
     * `none` (default), `governance` (users with s3:BypassGovernanceRetention can still delete) or
     * `compliance` (nobody, including the root user, can delete a locked version before its retention ends).
     */
    mode: z.enum(["none", "governance", "compliance"], { error: "must be none, governance or compliance" }).default("none"),
    /** Default retention of each new object version in the DR bucket, days: 1 to 36500. Default 30. */
    retentionDays: integer("days", 1, 36500).default(30),
  })
  .prefault({});

/** The DR stack's recovery workflows: automatic failover (off by default) and the drill's blast radius. */
const failoverSchema = z
  .strictObject({
    /**
     * Start an unplanned failover when the primary's Route 53 health-check alarm goes to ALARM.
     * Default false: a person decides. The failover still refuses to run when replica lag is over the RPO.
     */
    automatic: z.boolean({ error: "must be true or false" }).default(false),
    /**
     * Time from the page to the start of a manual failover (or restore): the on-call's acknowledgement
     * and decision, seconds, 0 to 1 day. Default 300. The RTO budget counts it when automatic is false.
     */
    decisionSeconds: integer("seconds", 0, 86400).default(300),
    /** Minimum delay between automatic failover executions, seconds: 15 minutes to 1 day. Default 3600. */
    cooldownSeconds: integer("seconds", 900, 86400).default(3600),
    /** Share of live traffic a drill sends to the DR region, percent: 1 to 50. Default 5. */
    drillTrafficPercent: integer("percent", 1, 50).default(5),
    /** How long a drill keeps that traffic in the DR region, seconds: 1 minute to 1 hour. Default 600. */
    drillDurationSeconds: integer("seconds", 60, 3600).default(600),
    /** E-mail addresses subscribed to the DR notification topics (each confirms by e-mail). Default none: subscribe your paging tool to the topic. */
    notificationEmails: z
      .array(z.email({ error: "must be an e-mail address" }))
      .max(10, { error: "at most 10 addresses; subscribe a list or a paging tool instead" })
      .default([]),
  })
  .prefault({});

const monitoringSchema = z
  .strictObject({
    /** Kubernetes version of the EKS monitoring cluster, pinned (EKS standard support). */
    kubernetesVersion: z
      .string()
      .regex(/^1\.(3[4-9]|[4-9]\d)$/, {
        error: "must be a Kubernetes version in EKS standard support (1.34 until 2026-12-02, 1.35 until 2027-03-27), such as 1.35",
      })
      .default("1.35"),
    /** EC2 instance type of the cluster's managed nodes. */
    nodeInstanceType: z.string().superRefine(satisfies(ec2InstanceTypeProblem)).default("t3.medium"),
    /** Nodes in the managed node group, spread over two zones. */
    nodeCount: integer("nodes", 2, 10).default(2),
    /**
     * CIDR blocks allowed to reach a public API endpoint. Empty (the default) keeps the endpoint
     * private: reach it from inside the VPC (SSM, VPN or a peered network). `pulumi up` itself
     * talks to that API (namespace, secrets, config maps, Helm release), so the runner that deploys
     * must reach it: list its static egress CIDR here, or run it inside the VPC; the deploy
     * workflow's preflight refuses anything else (docs/deploying.md).
     */
    publicAccessCidrs: z.array(operatorCidr).default([]),
    /**
     * CIDR blocks allowed to reach Grafana's load balancer. Empty (the default) makes it internal,
     * reachable from the VPC only; listed CIDRs make it internet-facing for those networks only, and
     * then `grafanaCertificateArn` is required so the admin password never crosses the internet in clear.
     */
    grafanaAccessCidrs: z.array(operatorCidr).max(20, { error: "at most 20 CIDR blocks" }).default([]),
    /** ACM certificate ARN in this stack's region for Grafana's TLS listener (443). Required with grafanaAccessCidrs. */
    grafanaCertificateArn: certificateArn.optional(),
    /** E-mail addresses subscribed to this region's monitoring alert topic (each confirms by e-mail). Default none. */
    alertEmails: z
      .array(z.email({ error: "must be an e-mail address" }))
      .max(10, { error: "at most 10 addresses; subscribe a list or a paging tool instead" })
      .default([]),
    /** Days Prometheus keeps samples: 1 to 90. Default 15. */
    prometheusRetentionDays: integer("days", 1, 90).default(15),
    /** Size of Prometheus' encrypted gp3 volume, GiB: 10 to 1000. Default 50. */
    prometheusStorageGib: integer("GiB", 10, 1000).default(50),
    /**
     * Absolute URL of this repository's files as a browser reaches them (e.g.
     * https://github.com/acme/multi-region-dr/blob/main): each alert rule then carries the standard
     * `runbook_url` annotation, `<base>/docs/monitoring.md#alert-<name>`, which Alertmanager's
     * notifications link. Unset: only the repository-relative `runbook` annotation.
     */
    runbookBaseUrl: z
      .string()
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
        error: "must be an absolute http(s) URL of this repository's files, e.g. https://github.com/acme/multi-region-dr/blob/main",
      })
      .optional(),
  })
  .superRefine((monitoring, context) => {
    if (monitoring.grafanaAccessCidrs.length > 0 && monitoring.grafanaCertificateArn === undefined) {
      context.addIssue({
        code: "custom",
        path: ["grafanaCertificateArn"],
        input: undefined,
        message:
          "is required when grafanaAccessCidrs is set: an internet-facing Grafana must serve TLS; set an ACM certificate ARN of this region, or empty grafanaAccessCidrs for an internal load balancer",
      });
    }
  })
  .prefault({});

const primaryDnsSchema = z
  .strictObject({
    /** Public zone for the application name; created by the primary stack unless hostedZoneId is set. */
    zoneName: z.string().superRefine(satisfies(dnsNameProblem)).default("dr.example.com"),
    /** An existing public hosted zone for zoneName (e.g. Z0123456789ABCDEFGHIJ); empty creates one. */
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
      .optional(),
    /** Label of the application name inside the zone: `<applicationLabel>.<zoneName>`. */
    applicationLabel: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: "must be one lower-case DNS label such as app" })
      .default("app"),
    /** Private zone holding the stable database name `db.<privateZoneName>` in each region. */
    privateZoneName: z.string().superRefine(satisfies(dnsNameProblem)).default("app.internal"),
    /**
     * Route 53 accelerated recovery on the public zone the primary stack creates (default true): Route
     * 53 keeps a copy of the zone in us-west-2 and, within about 60 minutes of a us-east-1 outage,
     * takes record changes there (Route 53 Developer Guide, "Enabling accelerated recovery for managing
     * public DNS records"; it must be on before the outage). No effect with hostedZoneId: turn it on for
     * your own zone with `aws route53 update-hosted-zone-features`.
     */
    acceleratedRecovery: z.boolean({ error: "must be true or false" }).default(true),
  })
  .prefault({});

const drDnsSchema = z
  .strictObject({
    /** Route 53 health-check request interval, seconds: 10 or 30 (Route 53 accepts only these). */
    healthCheckIntervalSeconds: z.union([z.literal(10), z.literal(30)], { error: "must be 10 or 30 (the intervals Route 53 accepts)" }).default(10),
    /** Consecutive failures before Route 53 marks the primary unhealthy: 1 to 10 (Route 53 limits). */
    healthCheckFailureThreshold: integer("failures", 1, 10).default(3),
  })
  .prefault({});

const recoverySchema = z
  .strictObject({
    /**
     * The DR strategy, the same in both stacks: backup-restore, pilot-light, warm-standby (default) or
     * hot-standby. It sets what runs in the DR region and its capacity defaults (config/strategies.ts).
     */
    strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(", ")}` }).default(DEFAULT_STRATEGY),
    /** Recovery time objective, seconds: the longest acceptable outage. Default 900 (15 minutes). */
    rtoSeconds: integer("seconds", 60, 86400).default(900),
    /** Recovery point objective of the database, seconds: the most data loss acceptable. Default 60. */
    rpoSeconds: integer("seconds", 1, 86400).default(60),
    /**
     * Recovery point objective of the objects in the replicated bucket, seconds. Default 900: S3
     * Replication Time Control replicates 99.99% of objects within 15 minutes (S3 User Guide, "Meeting
     * compliance requirements with S3 Replication Time Control").
     */
    objectRpoSeconds: integer("seconds", 1, 86400).default(900),
  })
  .prefault({});

/**
 * What runs the failover and the failback in the DR stack (docs/region-switch.md): `step-functions`
 * (default: the failover, failback and drill state machines of recovery/) or `region-switch` (an ARC
 * Region switch plan, components/regionSwitchPlan.ts). One orchestrator owns the switch: the other is
 * not deployed.
 */
export const ORCHESTRATORS = ["step-functions", "region-switch"] as const;
export type Orchestrator = (typeof ORCHESTRATORS)[number];

/** The DR stack's `recovery`: the shared objectives and strategy, and the orchestrator (DR stack file only). */
const drRecoverySchema = recoverySchema
  .unwrap()
  .extend({
    /**
     * `step-functions` (default) or `region-switch`. `region-switch` needs a read-replica strategy
     * (pilot-light or warm-standby): config/drStrategy.ts refuses it otherwise, naming this key.
     */
    orchestrator: z.enum(ORCHESTRATORS, { error: `must be one of ${ORCHESTRATORS.join(", ")}` }).default("step-functions"),
  })
  .prefault({});

/** A logical resource name of the DR stack (Pulumi names: no `::`), for `outage.adopt`. */
const LOGICAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * The DR stack's outage mode (docs/outage-runbook.md, "Redeploy the DR stack during the outage"): with
 * `primaryRegionDown: true` the DR stack declares no resource, provider or invoke in the primary region
 * (nor in us-east-1 when that is the primary region: its IAM and Route 53 control planes are homed
 * there), so `pulumi up -s dr` needs nothing from the failed region. The resources it had there carry
 * `retainOnDelete` in the protected default, so they leave the state without a call and keep running
 * in AWS. Requires `protect: true`.
 */
export const outageSchema = z
  .strictObject({
    /** True while the primary region is down (after a failover, with database.promoted: true). Default false. */
    primaryRegionDown: z.boolean({ error: "must be true or false" }).default(false),
    /**
     * The way back: logical name -> physical id of the primary-region resources the outage mode dropped,
     * as the stack's `primaryRegionResourceIds` output listed them before the outage-mode deploy. With
     * `primaryRegionDown: false`, each is adopted (Pulumi `import`) instead of created again. Default none.
     */
    adopt: z
      .record(
        z.string().regex(LOGICAL_NAME, { error: "must be a logical resource name of the DR stack, as primaryRegionResourceIds lists it" }),
        z.string({ error: "must be the resource's physical id, as primaryRegionResourceIds lists it" }).min(1, { error: "must not be empty" }),
        { error: "must be a mapping of logical resource name to physical id (the primaryRegionResourceIds output)" },
      )
      .default({}),
    /**
     * With `recovery.orchestrator: region-switch`: the plan's Route 53 health checks, as the DR stack's
     * `regionSwitchPlan` output lists them (`healthCheckIds`), saved before the outage. The outage mode
     * attaches these to the failover records instead of asking the plan for them: that lookup
     * (ListRoute53HealthChecks) is a control-plane call homed in us-east-1 (components/regionSwitchPlan.ts),
     * so it is required when the primary region is us-east-1. Default none (looked up).
     */
    regionSwitchHealthCheckIds: z
      .strictObject(
        {
          primary: z.string().regex(/^[0-9a-f-]{1,64}$/, { error: "must be a Route 53 health check id, as healthCheckIds.primary lists it" }),
          secondary: z.string().regex(/^[0-9a-f-]{1,64}$/, { error: "must be a Route 53 health check id, as healthCheckIds.secondary lists it" }),
        },
        { error: "must be { primary, secondary }: the regionSwitchPlan output's healthCheckIds" },
      )
      .refine((ids) => ids.primary !== ids.secondary, {
        error: "names one health check for both regions; copy both from the regionSwitchPlan output's healthCheckIds",
      })
      .optional(),
  })
  .prefault({});

/** Why the outage mode refuses the teardown mode; undefined when the pair of settings is fine. */
export function outageProtectProblem(outage: { primaryRegionDown: boolean }, protect: boolean): string | undefined {
  if (!outage.primaryRegionDown || protect) return undefined;
  return (
    "primaryRegionDown: true needs protect: true: with protect false (the teardown mode) the DR stack's resources in the primary region " +
    "carry no retainOnDelete, so dropping them would make Pulumi call Delete in the failed region, which fails; set protect: true, or " +
    "wait for the region to return"
  );
}

/** Tags the program adds to every resource through the provider's default tags. */
export const PROGRAM_TAG_KEYS = ["Project", "Stack", "DrRole", "ManagedBy"] as const;
/** AWS's limit of user tags per resource ("Tagging AWS resources"). */
const AWS_TAG_LIMIT = 50;

const tagsSchema = z
  .record(z.string(), z.string({ error: "tag values must be strings" }))
  .superRefine((tags, context) => {
    for (const [key, value] of Object.entries(tags)) {
      const problem = tagProblem(key, value);
      if (problem) context.addIssue({ code: "custom", path: [key], input: value, message: problem });
    }
    const limit = AWS_TAG_LIMIT - PROGRAM_TAG_KEYS.length;
    if (Object.keys(tags).length > limit) {
      context.addIssue({
        code: "custom",
        input: Object.keys(tags).length,
        message: `at most ${limit} tags: AWS allows ${AWS_TAG_LIMIT} per resource and this program adds ${PROGRAM_TAG_KEYS.length} (${PROGRAM_TAG_KEYS.join(", ")})`,
      });
    }
    for (const key of PROGRAM_TAG_KEYS) {
      if (key in tags) {
        context.addIssue({ code: "custom", path: [key], input: tags[key], message: "is set by the program itself; remove it from tags" });
      }
    }
  })
  .default({});

const common = {
  /** `aws:region`: the region this stack deploys into, a commercial region of aws.Region (config/rules.ts regionProblem). */
  region: z.string({ error: "is required; set aws:region" }).superRefine(satisfies(regionProblem)),
  monitoring: monitoringSchema,
  recovery: recoverySchema,
  tags: tagsSchema,
  /**
   * Protect stateful resources (database, buckets, keys) with Pulumi `protect` and AWS deletion
   * protection. Default true; set false only for throwaway test stacks.
   */
  protect: z.boolean({ error: "must be true or false" }).default(true),
};

export const primaryConfigSchema = z
  .strictObject({
    role: z.literal("primary"),
    /**
     * The DR stack's region, e.g. us-west-2. Optional; when set, the primary region's dashboards show
     * the standby's signals too, and the DR stack checks that it runs in this region.
     */
    standbyRegion: z.string().superRefine(satisfies(regionProblem)).optional(),
    network: primaryNetworkSchema,
    app: primaryAppSchema,
    database: primaryDatabaseSchema,
    /** Optional DynamoDB global table replicated to the DR region. */
    globalTable: globalTableSchema,
    dns: primaryDnsSchema,
    /** CloudFront in front of the pair (config/edge.ts; docs/edge.md); off by default. The DR stack reads it from the primary's outputs. */
    edge: edgeSchema,
    /** The cache of the pair (config/cache.ts; docs/cache.md): engine none (default), valkey or redis. */
    cache: cacheSchema,
    ...common,
  })
  .superRefine((config, context) => {
    if (config.app.image === undefined && config.app.userData === undefined && DEMO_RESERVED_PATHS.includes(config.app.healthPath)) {
      context.addIssue({
        code: "custom",
        path: ["app", "healthPath"],
        input: config.app.healthPath,
        message: `is a path the demo app serves itself (${DEMO_RESERVED_PATHS.join(", ")}); pick another, e.g. /health`,
      });
    }
    if (config.app.databaseUser === config.database.masterUsername) {
      context.addIssue({
        code: "custom",
        path: ["app", "databaseUser"],
        input: config.app.databaseUser,
        message: "must differ from database.masterUsername: the app connects as its own user, never the master",
      });
    }
  });

/** A Pulumi stack name alone: letters, digits, `-`, `_` and `.`, at most 100 (as `stackNameProblem` takes each part). */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * The DR stack's `primaryStack`: the primary's stack name alone (`primary`), which `config/load.ts`
 * qualifies with the DR stack's own organization and project at deploy time, so the same file works
 * on Pulumi Cloud (`<org>/<project>/<stack>`) and on a self-managed backend (`organization/...`); or
 * a fully qualified `<organization>/<project>/<stack>` (Pulumi docs, "Stacks": a self-managed
 * backend's organization is always `organization`). The two-part `<org>/<stack>` is refused: Pulumi
 * reads it with the current project, which a reader of the file cannot see.
 * @returns undefined when well formed; otherwise what is wrong and what to write.
 */
export function primaryStackProblem(name: string): string | undefined {
  const wellFormed = name.includes("/") ? stackNameProblem(name) === undefined : STACK_NAME.test(name);
  if (wellFormed) return undefined;
  return (
    "is neither a stack name such as primary nor a fully qualified stack name; write primary (the stack of that name in the DR stack's own " +
    "organization and project) or write <organization>/<project>/<stack>, e.g. acme/multi-region-dr/primary"
  );
}

export const drConfigSchema = z
  .strictObject({
    role: z.literal("dr"),
    /**
     * The primary stack, read through one StackReference: its name alone (`primary`, the default in
     * Pulumi.dr.yaml), qualified at deploy time with this stack's organization and project, or
     * `<organization>/<project>/<stack>`.
     */
    primaryStack: z
      .string({
        error:
          "is required on the DR stack; set it to primary (the stack of that name in this stack's organization and project), " +
          "or set it to <organization>/<project>/primary",
      })
      .superRefine(satisfies(primaryStackProblem)),
    network: drNetworkSchema,
    app: drAppSchema,
    database: drDatabaseSchema,
    /** AWS Backup with a copy in the DR region. */
    backup: backupSchema,
    /** Object Lock on the DR copy of the data bucket. */
    objectLock: objectLockSchema,
    dns: drDnsSchema,
    failover: failoverSchema,
    /** AWS FIS experiment templates for drills with real faults (config/faultInjection.ts); off by default. */
    faultInjection: faultInjectionSchema,
    /** The DR member of the cache (config/cache.ts `drCacheSchema`): replicas, the warm-up paths, detached after a failover. */
    cache: drCacheSchema,
    /** The outage mode: redeploy the DR stack while the primary region is down ({@link outageSchema}). */
    outage: outageSchema,
    ...common,
    recovery: drRecoverySchema,
  })
  .superRefine((config, context) => {
    const problem = outageProtectProblem(config.outage, config.protect);
    if (problem) context.addIssue({ code: "custom", path: ["outage"], input: config.outage, message: problem });
  });

export type PrimaryConfig = z.output<typeof primaryConfigSchema>;
export type DrConfig = z.output<typeof drConfigSchema>;
/** The typed, validated configuration of one stack. */
export type StackConfig = PrimaryConfig | DrConfig;

/** The top-level keys each role accepts (all under the project namespace except aws:region). */
export const KEYS_BY_ROLE: Record<Role, readonly string[]> = {
  primary: Object.keys(primaryConfigSchema.shape),
  dr: Object.keys(drConfigSchema.shape),
};
