/**
 * Engine facts the database components and the DR checks share: the parameter-group family of an
 * engine version and the parameters both regions must set alike (DR invariant 7: same engine,
 * version family and parameter settings), for both engine modes: an RDS instance with a
 * cross-region read replica (`instance`) and an Aurora global database (`aurora-global`).
 */
import { AURORA_DEFAULT_VERSIONS, auroraEngineVersionProblem, type EngineMode } from "../config/aurora";
import { ENGINES, type Engine } from "../config/schema";

export {
  AURORA_DEFAULT_VERSIONS,
  AURORA_POSTGRES_GLOBAL_MAJORS,
  auroraEngineVersionProblem,
  auroraInstanceClassProblem,
  ENGINE_MODES,
  type EngineMode,
  isBurstableClass,
} from "../config/aurora";

/** One DB parameter, applied the same way in both regions. */
export interface DatabaseParameter {
  name: string;
  value: string;
  /** `pending-reboot` for static parameters, `immediate` for dynamic ones. */
  applyMethod: "immediate" | "pending-reboot";
}

/** The Aurora engine of each configured engine (`aws rds describe-db-engine-versions --engine aurora-postgresql|aurora-mysql`). */
export const AURORA_ENGINES = { postgres: "aurora-postgresql", mysql: "aurora-mysql" } as const satisfies Record<Engine, string>;
export type AuroraEngine = (typeof AURORA_ENGINES)[Engine];

/**
 * CloudWatch Logs exports an Aurora cluster supports: `postgresql` for Aurora PostgreSQL (no
 * `upgrade` log, unlike RDS for PostgreSQL), `error`, `general` and `slowquery` for Aurora MySQL
 * (Aurora User Guide, "Publishing database logs to Amazon CloudWatch Logs").
 */
export const AURORA_LOG_EXPORTS = { postgres: ["postgresql"], mysql: ["error", "general", "slowquery"] } as const satisfies Record<Engine, readonly string[]>;

/**
 * The Aurora cluster parameter-group family: `aurora-postgresql<major>` (e.g. aurora-postgresql17)
 * or `aurora-mysql8.0` for Aurora MySQL version 3, as `aws rds describe-db-engine-versions` reports
 * DBParameterGroupFamily.
 * @throws Error when the version is not one {@link auroraEngineVersionProblem} accepts.
 */
export function auroraParameterGroupFamily(engine: Engine, engineVersion: string): string {
  const problem = auroraEngineVersionProblem(engine, engineVersion);
  if (problem) throw new Error(problem);
  return engine === "postgres" ? `aurora-postgresql${engineVersion.split(".")[0]}` : "aurora-mysql8.0";
}

/**
 * The RDS parameter-group family: `postgres<major>` (e.g. postgres17) or `mysql<major>.<minor>`
 * (e.g. mysql8.4), as `aws rds describe-db-engine-versions` reports DBParameterGroupFamily; in
 * `aurora-global` mode the Aurora family ({@link auroraParameterGroupFamily}).
 * @throws Error when a MySQL version has no minor part (8 alone names no family), or an Aurora version is refused.
 */
export function parameterGroupFamily(engine: Engine, engineVersion: string, engineMode: EngineMode = "instance"): string {
  if (engineMode === "aurora-global") return auroraParameterGroupFamily(engine, engineVersion);
  const [major, minor] = engineVersion.split(".");
  if (engine === "postgres") return `postgres${major}`;
  if (minor === undefined) throw new Error(`mysql engineVersion "${engineVersion}" needs major.minor, e.g. 8.4`);
  return `mysql${major}.${minor}`;
}

/** The engine version to deploy: the configured one, or the engine's current default for the mode. */
export function resolvedEngineVersion(engine: Engine, configured: string | undefined, engineMode: EngineMode = "instance"): string {
  return configured ?? (engineMode === "aurora-global" ? AURORA_DEFAULT_VERSIONS[engine] : ENGINES[engine].defaultVersion);
}

/**
 * TLS-only connections: PostgreSQL `rds.force_ssl`, MySQL `require_secure_transport` (RDS User
 * Guide, "Using SSL/TLS"; Aurora User Guide, "Securing Aurora PostgreSQL data with SSL/TLS" and
 * "TLS connections to Aurora MySQL DB clusters", where both are cluster parameters), plus slow-query
 * logging. The same list serves an RDS parameter group and an Aurora cluster parameter group.
 */
export function databaseParameters(engine: Engine): DatabaseParameter[] {
  return engine === "postgres"
    ? [
        { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
        { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
      ]
    : [
        { name: "require_secure_transport", value: "1", applyMethod: "immediate" },
        { name: "slow_query_log", value: "1", applyMethod: "immediate" },
      ];
}

/** The TLS-only parameter of an engine and the value that turns it on (`databaseParameters`' first entry). */
export const TLS_PARAMETERS = {
  postgres: { name: "rds.force_ssl", value: "1" },
  mysql: { name: "require_secure_transport", value: "1" },
} as const satisfies Record<Engine, { name: string; value: string }>;

/**
 * Properties of an Aurora global database member cluster that `pulumi up` must leave alone once the
 * cluster exists (Pulumi `ignoreChanges`; creation still uses them):
 * - `globalClusterIdentifier`: membership changes belong to the failover workflow (switchover,
 *   failover, detach-and-promote); a diff would make the provider remove the cluster from, or try to
 *   re-add it to, the global database (aws.rds.GlobalCluster docs, "New Global Cluster From Existing
 *   DB Cluster").
 * - `replicationSourceIdentifier`: AWS sets it on whichever cluster is secondary; after a switchover
 *   the roles swap, and removing it from state promotes the cluster to standalone (aws.rds.Cluster
 *   docs: "If DB Cluster is part of a Global Cluster, use the ignoreChanges resource option").
 * - `engineVersion`: upgrades go through the global cluster, which upgrades every member
 *   (aws.rds.GlobalCluster docs, "Upgrading Engine Versions").
 */
export const GLOBAL_MEMBER_IGNORED_CHANGES = ["globalClusterIdentifier", "replicationSourceIdentifier", "engineVersion"] as const;

/**
 * DB instance classes on which RDS for MySQL (and MariaDB) offers no Performance Insights / Database
 * Insights: CreateDBInstance with `EnablePerformanceInsights` is refused on them (RDS User Guide,
 * "Amazon RDS DB engine, Region, and instance class support for Database Insights"). RDS for
 * PostgreSQL has no such restriction.
 */
const MYSQL_CLASSES_WITHOUT_PERFORMANCE_INSIGHTS: ReadonlySet<string> = new Set([
  "db.t2.micro",
  "db.t2.small",
  "db.t3.micro",
  "db.t3.small",
  "db.t4g.micro",
  "db.t4g.small",
]);

/**
 * Whether RDS offers Performance Insights for an engine on a DB instance class (see
 * MYSQL_CLASSES_WITHOUT_PERFORMANCE_INSIGHTS).
 * @param engine `postgres` or `mysql`; undefined when unknown (a read replica's plan has no engine), taken as the stricter MySQL rule.
 */
export function performanceInsightsSupported(engine: Engine | undefined, instanceClass: string): boolean {
  return engine === "postgres" || !MYSQL_CLASSES_WITHOUT_PERFORMANCE_INSIGHTS.has(instanceClass);
}
