/**
 * The four disaster-recovery strategies AWS describes ("Disaster Recovery of Workloads on AWS:
 * Recovery in the Cloud", AWS whitepaper, "Disaster recovery options in the cloud"; Well-Architected
 * Reliability Pillar REL13-BP02), as this program builds them in the DR region. The strategy is one
 * key, `recovery.strategy`, set the same in both stacks; it decides what the DR region runs before a
 * disaster and the defaults of the DR stack's capacities. Pure data and pure functions: no Pulumi.
 *
 * | strategy       | DR app instances (min/desired)  | NAT gateways   | database in the DR region               | monitoring cluster |
 * |----------------|---------------------------------|----------------|-----------------------------------------|--------------------|
 * | backup-restore | 0 / 0                           | none           | replicated automated backups (PITR)     | none               |
 * | pilot-light    | 0 / 0                           | single         | read replica, Single-AZ                 | yes                |
 * | warm-standby   | 1 / 1                           | single         | read replica, Multi-AZ                  | yes                |
 * | hot-standby    | the primary's min / desired     | one-per-zone   | read replica, Multi-AZ                  | yes                |
 *
 * In every strategy the DR maximum is at least the primary's maximum, so a failover can always
 * reach full capacity (checked against the primary's outputs in `stacks/primaryOutputs.ts`).
 */

/** The strategies, cheapest and slowest first. */
export const STRATEGIES = ["backup-restore", "pilot-light", "warm-standby", "hot-standby"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** The default strategy: a scaled-down live copy that serves at once and scales out on failover. */
export const DEFAULT_STRATEGY: Strategy = "warm-standby";

/** How the DR region holds the database before a disaster. */
export type DatabaseCopy = "automated-backups" | "read-replica";

/** What one strategy runs in the DR region, and its defaults for the DR stack's keys. */
export interface StrategyProfile {
  /** Short description for reports. */
  summary: string;
  /**
   * DR Auto Scaling minimum and desired instance counts before a failover; `primary` takes the
   * primary's own counts (full capacity in both regions).
   */
  appCapacity: { minSize: number; desiredCapacity: number } | "primary";
  /** NAT gateways in the DR region (`none`: no outbound internet until a restore adds one). */
  natGateways: "none" | "single" | "one-per-zone";
  /** How the database reaches the DR region. */
  databaseCopy: DatabaseCopy;
  /** Default Multi-AZ of the DR database (the replica, and so the promoted database). */
  databaseMultiAz: boolean;
  /** Whether the DR region runs the monitoring cluster. */
  monitoringCluster: boolean;
  /** Whether the DR region runs the failover, failback and drill workflows (they need a replica to promote). */
  recoveryWorkflows: boolean;
}

export const STRATEGY_PROFILES: Record<Strategy, StrategyProfile> = {
  "backup-restore": {
    summary: "data copies only (replicated automated backups and objects); a restore builds the database and the capacity",
    appCapacity: { minSize: 0, desiredCapacity: 0 },
    natGateways: "none",
    databaseCopy: "automated-backups",
    databaseMultiAz: true,
    monitoringCluster: false,
    recoveryWorkflows: false,
  },
  "pilot-light": {
    summary: "the data live (read replica, replicated objects), no app instances until a failover",
    appCapacity: { minSize: 0, desiredCapacity: 0 },
    natGateways: "single",
    databaseCopy: "read-replica",
    databaseMultiAz: false,
    monitoringCluster: true,
    recoveryWorkflows: true,
  },
  "warm-standby": {
    summary: "a scaled-down live copy that serves at once and scales out to the primary's capacity",
    appCapacity: { minSize: 1, desiredCapacity: 1 },
    natGateways: "single",
    databaseCopy: "read-replica",
    databaseMultiAz: true,
    monitoringCluster: true,
    recoveryWorkflows: true,
  },
  "hot-standby": {
    summary: "full capacity in both regions; only the database promotion is left to do",
    appCapacity: "primary",
    natGateways: "one-per-zone",
    databaseCopy: "read-replica",
    databaseMultiAz: true,
    monitoringCluster: true,
    recoveryWorkflows: true,
  },
};

/** Whether the DR region holds a database instance: the read replica (or what its promotion left), or a restored database. */
export function drRunsDatabaseInstance(strategy: Strategy, databaseRestored: boolean): boolean {
  return STRATEGY_PROFILES[strategy].databaseCopy === "read-replica" || databaseRestored;
}

/** Whether the DR stack deploys the failover, failback and drill workflows: they act on a DR database instance. */
export function drRunsRecoveryWorkflows(strategy: Strategy, databaseRestored: boolean): boolean {
  return STRATEGY_PROFILES[strategy].recoveryWorkflows || databaseRestored;
}
