/**
 * Resolves the DR stack's strategy against the primary: fills the capacity defaults the strategy
 * sets (config/strategies.ts) and refuses settings that contradict it, before any resource exists.
 * Pure: the DR stack calls it with the primary's validated outputs.
 */
import { type ConfigProblem } from "./errors";
import { type PrimaryOutputs } from "./primaryContract";
import { capacityOrderProblem, CONFIG_NAMESPACE, type DrConfig } from "./schema";
import { type DatabaseCopy, drRunsRecoveryWorkflows, STRATEGY_PROFILES, type Strategy } from "./strategies";

/** What the DR region runs, once the strategy is applied. */
export interface DrFootprint {
  strategy: Strategy;
  /** How the database reaches the DR region before a disaster. */
  databaseCopy: DatabaseCopy;
  /** backup-restore with `database.restoreToTime` set: the restore is under way or done. */
  restoring: boolean;
  /** Whether the DR region runs the monitoring cluster. */
  monitoringCluster: boolean;
  /** Whether the failover, failback and drill workflows are deployed (read-replica strategies, and a restored backup-restore). */
  recoveryWorkflows: boolean;
}

/** The DR configuration with every strategy-dependent default filled in. */
export type ResolvedDrConfig = Omit<DrConfig, "app" | "network" | "database" | "backup"> & {
  /** The backup's retention, defaulted to the primary database's (they must agree). */
  backup: DrConfig["backup"] & { retentionDays: number };
  app: DrConfig["app"] & { minSize: number; desiredCapacity: number; port: number };
  network: DrConfig["network"] & { natGateways: "none" | "single" | "one-per-zone" };
  database: DrConfig["database"] & { multiAz: boolean };
  footprint: DrFootprint;
};

const key = (path: string) => `${CONFIG_NAMESPACE}:${path}`;

/** The strategies `recovery.orchestrator: region-switch` accepts: a read replica and a standby tier the plan scales (the issue 21 contract). */
export const REGION_SWITCH_STRATEGIES: readonly Strategy[] = ["pilot-light", "warm-standby"];

/** The primary's counts a hot standby copies. */
type PrimaryCapacity = Pick<PrimaryOutputs, "appMinSize" | "appDesiredCapacity" | "appPort" | "dbBackupRetentionDays">;

/** One problem for each count the user set (minSize, desiredCapacity) that `contradicts` the strategy. */
function explicitCountProblems(app: DrConfig["app"], contradicts: (count: number) => boolean, message: string): ConfigProblem[] {
  return (["minSize", "desiredCapacity"] as const).flatMap((name) => {
    const value = app[name];
    return value !== undefined && contradicts(value) ? [{ key: key(`app.${name}`), value, message }] : [];
  });
}

/**
 * DR Auto Scaling minimum and desired counts: the explicit ones, else the strategy's (the primary's
 * for hot-standby and for a restore), with the problems of explicit counts that contradict it.
 */
export function drCapacity(
  strategy: Strategy,
  restoring: boolean,
  app: DrConfig["app"],
  primary: PrimaryCapacity,
): { minSize: number; desiredCapacity: number; problems: ConfigProblem[] } {
  const profile = STRATEGY_PROFILES[strategy];
  const full = { minSize: primary.appMinSize, desiredCapacity: primary.appDesiredCapacity };
  const defaults = restoring || profile.appCapacity === "primary" ? full : profile.appCapacity;
  const minSize = app.minSize ?? Math.min(defaults.minSize, app.desiredCapacity ?? defaults.minSize);
  const desiredCapacity = app.desiredCapacity ?? Math.max(defaults.desiredCapacity, minSize);
  const problems: ConfigProblem[] = [];
  const runsNoInstances = (strategy === "pilot-light" || strategy === "backup-restore") && !restoring;
  if (runsNoInstances) {
    problems.push(
      ...explicitCountProblems(
        app,
        (count) => count !== 0,
        `${strategy} runs no app instances in the DR region before a failover; remove it (default 0) or set recovery.strategy: warm-standby`,
      ),
    );
  }
  if (strategy === "warm-standby") {
    problems.push(
      ...explicitCountProblems(
        app,
        (count) => count === 0,
        "a warm standby keeps at least one instance running (scaling in to 0 would make it a pilot light); set 1 or more, or set recovery.strategy: pilot-light",
      ),
    );
  }
  if (strategy === "hot-standby" || restoring) {
    const what = restoring ? "a restore brings the DR region to the primary's capacity" : "a hot standby runs the primary's full capacity";
    // Only an explicit minSize is the user's to fix; a derived one follows desiredCapacity, reported below.
    if (app.minSize !== undefined && minSize < full.minSize) {
      problems.push({ key: key("app.minSize"), value: minSize, message: `${what}: set at least the primary's ${full.minSize}, or remove it` });
    }
    if (desiredCapacity < full.desiredCapacity) {
      problems.push({
        key: key("app.desiredCapacity"),
        value: desiredCapacity,
        message: `${what}: set at least the primary's ${full.desiredCapacity}, or remove it`,
      });
    }
  }
  const order = capacityOrderProblem({ minSize, desiredCapacity, maxSize: app.maxSize });
  if (order && problems.length === 0)
    problems.push({ key: key("app.desiredCapacity"), value: { minSize, desiredCapacity, maxSize: app.maxSize }, message: order });
  return { minSize, desiredCapacity, problems };
}

/** Settings that make sense only with some strategies. */
function strategyProblems(config: DrConfig, restoring: boolean): ConfigProblem[] {
  const strategy = config.recovery.strategy;
  const problems: ConfigProblem[] = [];
  if (config.database.restoreToTime !== undefined && strategy !== "backup-restore") {
    problems.push({
      key: key("database.restoreToTime"),
      value: config.database.restoreToTime,
      message: `restores from replicated backups, which only backup-restore keeps; ${strategy} recovers by promoting its read replica (npm run failover); remove it`,
    });
  }
  if (strategy === "backup-restore") {
    if (config.failover.automatic) {
      problems.push({
        key: key("failover.automatic"),
        value: true,
        message:
          "backup-restore has no replica for a workflow to promote: the recovery is a restore (set database.restoreToTime, then pulumi up); set it to false, or choose pilot-light",
      });
    }
    if (config.database.promoted) {
      problems.push({
        key: key("database.promoted"),
        value: true,
        message: "adopts a promoted read replica, and backup-restore keeps none; remove it (a restored database is adopted through database.restoreToTime)",
      });
    }
  }
  if (config.recovery.orchestrator === "region-switch" && !REGION_SWITCH_STRATEGIES.includes(strategy)) {
    problems.push({
      key: key("recovery.orchestrator"),
      value: "region-switch",
      message:
        `an ARC Region switch plan promotes a read replica (RdsPromoteReadReplica) or fails over an Aurora global database, and scales a standby ` +
        `Auto Scaling group; ${strategy} ${strategy === "backup-restore" ? "keeps no replica (its recovery is a restore)" : "is not one of the strategies the plan is built for"}; ` +
        `choose ${REGION_SWITCH_STRATEGIES.join(" or ")}, or set step-functions`,
    });
  }
  if (strategy !== "backup-restore" && config.network.natGateways === "none") {
    problems.push({
      key: key("network.natGateways"),
      value: "none",
      message: `${strategy} runs instances that need outbound access (SSM, CloudWatch agent); use single or one-per-zone, or choose backup-restore`,
    });
  }
  if (restoring && config.network.natGateways === "none") {
    problems.push({
      key: key("network.natGateways"),
      value: "none",
      message: "a restore starts the app tier, whose instances need outbound access; remove it (a restore defaults to single) or set single",
    });
  }
  return problems;
}

/**
 * Applies `recovery.strategy` to the DR configuration.
 * @param primary the primary's validated outputs (its capacity, for hot-standby and restores).
 * @returns the resolved configuration, or the problems (each names the key, the value and the fix), never both.
 */
export function resolveDrStrategy(config: DrConfig, primary: PrimaryCapacity): { config?: ResolvedDrConfig; problems: ConfigProblem[] } {
  const strategy = config.recovery.strategy;
  const profile = STRATEGY_PROFILES[strategy];
  const restoring = strategy === "backup-restore" && config.database.restoreToTime !== undefined;
  const capacity = drCapacity(strategy, restoring, config.app, primary);
  const problems = [...strategyProblems(config, restoring), ...capacity.problems];
  if (problems.length > 0) return { problems };
  const defaultNatGateways = restoring && profile.natGateways === "none" ? "single" : profile.natGateways;
  return {
    problems: [],
    config: {
      ...config,
      app: { ...config.app, minSize: capacity.minSize, desiredCapacity: capacity.desiredCapacity, port: config.app.port ?? primary.appPort },
      network: { ...config.network, natGateways: config.network.natGateways ?? defaultNatGateways },
      database: { ...config.database, multiAz: config.database.multiAz ?? profile.databaseMultiAz },
      backup: { ...config.backup, retentionDays: config.backup.retentionDays ?? primary.dbBackupRetentionDays },
      footprint: {
        strategy,
        databaseCopy: profile.databaseCopy,
        restoring,
        monitoringCluster: profile.monitoringCluster,
        recoveryWorkflows: drRunsRecoveryWorkflows(strategy, restoring),
      },
    },
  };
}
