/**
 * The pure rules of the aurora-global engine mode, shared by the config schema (checked before any
 * resource exists), the ReplicatedDatabase component and the policy pack. No Pulumi import.
 */
import type { Engine } from "./schema";

/**
 * How the database is replicated to the DR region: `instance` (default) is an RDS DB instance with
 * a cross-region read replica; `aurora-global` is an Aurora global database (a primary cluster and
 * a secondary cluster joined by storage-level replication, typical lag under a second; Aurora User
 * Guide, "Using Amazon Aurora global databases").
 */
export const ENGINE_MODES = ["instance", "aurora-global"] as const;
export type EngineMode = (typeof ENGINE_MODES)[number];

/**
 * Default Aurora engine versions, both supported by Aurora global databases: Aurora PostgreSQL 17.4
 * (the first Aurora PostgreSQL 17 release) and Aurora MySQL version 3.08.2 (MySQL 8.0 compatible;
 * global databases need 3.01.0 or higher). Sources: Aurora User Guide, "Supported Regions and DB
 * engines for Aurora global databases"; Aurora PostgreSQL and Aurora MySQL release notes. Check a
 * region with `aws rds describe-db-engine-versions --engine <engine> --query
 * "DBEngineVersions[?SupportsGlobalDatabases].EngineVersion"`.
 */
export const AURORA_DEFAULT_VERSIONS = { postgres: "17.4", mysql: "8.0.mysql_aurora.3.08.2" } as const satisfies Record<Engine, string>;

/**
 * Aurora PostgreSQL majors this program deploys as a global database: those in Aurora standard
 * support as of November 2026 (Aurora PostgreSQL release calendar, "Release calendar for Aurora
 * PostgreSQL major versions",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html),
 * all of which support global databases. Aurora PostgreSQL 11 to 13 are past standard support:
 * Aurora still creates them, but only enrolled in paid RDS Extended Support ("You can create new
 * databases with major engine versions that have reached the Aurora end of standard support date.
 * Aurora automatically enrolls these new databases in RDS Extended Support and charges you", Aurora
 * User Guide, "Overview of Amazon RDS Extended Support"), which this program refuses as it does for
 * RDS instances (config/engineVersions.ts). A major newer than the last listed is accepted when it
 * parses, so a new release works before this list is updated.
 */
export const AURORA_POSTGRES_GLOBAL_MAJORS = [14, 15, 16, 17] as const;

/** Aurora MySQL versions: `8.0.mysql_aurora.3.<minor>.<patch>` (Aurora MySQL User Guide, "Aurora MySQL version numbers"). */
const AURORA_MYSQL_VERSION = /^8\.0\.mysql_aurora\.3\.(\d{2})\.(\d+)$/;
/** Aurora PostgreSQL versions: `<major>.<minor>` (Aurora User Guide, "Identifying versions of Amazon Aurora PostgreSQL"). */
const AURORA_POSTGRES_VERSION = /^(\d+)\.(\d+)$/;

/**
 * Why `engineVersion` cannot run an Aurora global database, or undefined when it can: Aurora
 * PostgreSQL `<major>.<minor>` with a major in {@link AURORA_POSTGRES_GLOBAL_MAJORS} or newer, Aurora
 * MySQL `8.0.mysql_aurora.3.<minor>.<patch>` (version 3.01.0 and higher support global databases;
 * version 2, MySQL 5.7 compatible, is past Aurora standard support since October 31, 2024). A refused
 * PostgreSQL major is named with the oldest one in standard support. Sources: Aurora User Guide,
 * "Supported Regions and DB engines for Aurora global databases"; Aurora PostgreSQL release calendar.
 */
export function auroraEngineVersionProblem(engine: Engine, engineVersion: string): string | undefined {
  if (engine === "postgres") {
    const match = AURORA_POSTGRES_VERSION.exec(engineVersion);
    if (!match) return `Aurora PostgreSQL engineVersion "${engineVersion}" must be <major>.<minor>, e.g. ${AURORA_DEFAULT_VERSIONS.postgres}`;
    const major = Number(match[1]);
    const [oldest] = AURORA_POSTGRES_GLOBAL_MAJORS;
    if (major < oldest) {
      return (
        `Aurora PostgreSQL ${major} is not deployed as a global database here: it is past Aurora standard support ` +
        `(Aurora creates 11 to 13 only in paid RDS Extended Support, older majors not at all); use ${oldest} or later ` +
        `(${AURORA_POSTGRES_GLOBAL_MAJORS.join(", ")} are in standard support), e.g. ${AURORA_DEFAULT_VERSIONS.postgres}`
      );
    }
    return undefined;
  }
  const match = AURORA_MYSQL_VERSION.exec(engineVersion);
  if (!match) return `Aurora MySQL engineVersion "${engineVersion}" must be 8.0.mysql_aurora.3.<minor>.<patch>, e.g. ${AURORA_DEFAULT_VERSIONS.mysql}`;
  if (Number(match[1]) < 1) return `Aurora MySQL ${engineVersion} is older than 3.01.0, the first version 3 release that supports global databases`;
  return undefined;
}

/** True for a burstable DB instance class (`db.t2`, `db.t3`, `db.t4g`...). */
export function isBurstableClass(instanceClass: string): boolean {
  return /^db\.t\d/.test(instanceClass);
}

/**
 * Why `instanceClass` cannot run in an Aurora global database, or undefined when it can: a global
 * database "requires DB instance classes that are optimized for memory-intensive applications"
 * (db.r*, db.x*); burstable classes (db.t*) are refused. `db.serverless` (Aurora Serverless v2) is
 * refused too: it needs a scaling configuration on the cluster that this program does not set.
 * Sources: Aurora User Guide, "Configuration requirements of an Amazon Aurora global database" and
 * "Supported DB engines for DB instance classes".
 */
export function auroraInstanceClassProblem(instanceClass: string): string | undefined {
  if (isBurstableClass(instanceClass)) {
    return `burstable class ${instanceClass} cannot run an Aurora global database (memory-optimized classes only): use db.r6g.large or larger`;
  }
  if (instanceClass === "db.serverless") {
    return "db.serverless (Aurora Serverless v2) needs a serverless scaling configuration on the cluster, which this program does not set: use a memory-optimized class such as db.r6g.large";
  }
  if (!/^db\.[rx]\d+[a-z]*\.[a-z0-9-]+$/.test(instanceClass)) {
    return `${instanceClass} is not a memory-optimized class (db.r*, db.x*), which an Aurora global database requires: use e.g. db.r6g.large`;
  }
  return undefined;
}
