/**
 * Engine facts the database components and the DR checks share: the parameter-group family of an
 * engine version and the parameters both regions must set alike (DR invariant 7: same engine,
 * version family and parameter settings).
 */
import { ENGINES, type Engine } from "../config/schema";

/** One DB parameter, applied the same way in both regions. */
export interface DatabaseParameter {
  name: string;
  value: string;
  /** `pending-reboot` for static parameters, `immediate` for dynamic ones. */
  applyMethod: "immediate" | "pending-reboot";
}

/**
 * The RDS parameter-group family: `postgres<major>` (e.g. postgres17) or `mysql<major>.<minor>`
 * (e.g. mysql8.4), as `aws rds describe-db-engine-versions` reports DBParameterGroupFamily.
 * @throws Error when a MySQL version has no minor part (8 alone names no family).
 */
export function parameterGroupFamily(engine: Engine, engineVersion: string): string {
  const [major, minor] = engineVersion.split(".");
  if (engine === "postgres") return `postgres${major}`;
  if (minor === undefined) throw new Error(`mysql engineVersion "${engineVersion}" needs major.minor, e.g. 8.4`);
  return `mysql${major}.${minor}`;
}

/** The engine version to deploy: the configured one, or the engine's current default major. */
export function resolvedEngineVersion(engine: Engine, configured: string | undefined): string {
  return configured ?? ENGINES[engine].defaultVersion;
}

/** TLS-only connections: PostgreSQL `rds.force_ssl`, MySQL `require_secure_transport` (RDS User Guide, "Using SSL/TLS"). */
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
