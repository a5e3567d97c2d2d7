/**
 * What the offline drill runs on: the recovery targets, the three definitions, the state machine
 * ARNs, the physical parameters (durations) and the facts a plan adds. Built from a synthesized DR
 * plan (fromPlan.ts, the main path) or from targets alone with the definitions this repository
 * builds from them (tests and `--targets`).
 */
import type { Definition } from "../asl";
import { drillDefinition } from "../drill";
import { failbackDefinition } from "../failback";
import { failoverDefinition } from "../failover";
import { stateMachineArn, stateMachineName, WORKFLOWS, type Workflow } from "../names";
import type { CacheTargets, RecoveryTargets } from "../targets";
import { DEFAULT_AUTOMATIC_COOLDOWN_SECONDS } from "../timing";
import type { PlanFacts } from "./cloud";
import { DEFAULT_DURATIONS, type Durations } from "./durations";

export interface RecoverySystem {
  targets: RecoveryTargets;
  definitions: Record<Workflow, Definition>;
  stateMachineArns: Record<Workflow, string>;
  durations: Durations;
  facts: PlanFacts;
  /** Where it came from, for the report, e.g. `plan out/synth/dr.plan.json`. */
  source: string;
  /** Where each physical parameter came from (plan resource or default). */
  notes: string[];
}

export function stateMachineArnsFor(targets: RecoveryTargets, names: Record<Workflow, string>): Record<Workflow, string> {
  return Object.fromEntries(
    WORKFLOWS.map((workflow) => [workflow, stateMachineArn(targets.partition, targets.drRegion, targets.accountId, names[workflow])]),
  ) as Record<Workflow, string>;
}

/**
 * The system for `targets` with the definitions recovery/*.ts builds from them.
 * @param prefix the DR resource prefix the state machines are named with (`<prefix>-<workflow>`).
 */
export function systemFromTargets(
  targets: RecoveryTargets,
  options: { prefix: string; cooldownSeconds?: number; durations?: Partial<Durations>; source?: string },
): RecoverySystem {
  const names = Object.fromEntries(WORKFLOWS.map((workflow) => [workflow, stateMachineName(options.prefix, workflow)])) as Record<Workflow, string>;
  return {
    targets,
    definitions: {
      failover: failoverDefinition(targets, options.cooldownSeconds ?? DEFAULT_AUTOMATIC_COOLDOWN_SECONDS),
      failback: failbackDefinition(targets),
      drill: drillDefinition(targets),
    },
    stateMachineArns: stateMachineArnsFor(targets, names),
    durations: { ...DEFAULT_DURATIONS, ...options.durations },
    facts: {},
    source: options.source ?? "definitions built from the given targets",
    notes: ["physical parameters: this program's defaults (durations.ts), no plan"],
  };
}

/** A copy of `system` with some definitions replaced (negative controls, experiments). */
export function withDefinitions(system: RecoverySystem, definitions: Partial<Record<Workflow, Definition>>): RecoverySystem {
  return { ...system, definitions: { ...system.definitions, ...definitions } };
}

/**
 * Aurora-global targets derived from instance-mode `targets`, for the offline drill when no
 * aurora-global plan is at hand: the same pair, with a global cluster `<prefix>-global` whose clusters
 * take the replica's and the primary database's identifiers (`:db:` ARNs become `:cluster:` ARNs).
 * Only the offline simulation uses them; a deployed aurora-global DR stack exports its own targets.
 * @throws Error when `targets` already are aurora-global.
 */
export function deriveAuroraTargets(targets: RecoveryTargets, prefix: string): RecoveryTargets {
  if (targets.database?.engineMode === "aurora-global") throw new Error("deriveAuroraTargets: the targets already are aurora-global");
  const clusterArn = (arn: string) => arn.replace(":db:", ":cluster:");
  const drClusterArn = clusterArn(targets.replica.arn);
  const primaryClusterArn = clusterArn(targets.primary.databaseArn);
  return {
    ...targets,
    replica: { ...targets.replica, arn: drClusterArn },
    primary: { ...targets.primary, databaseArn: primaryClusterArn },
    database: {
      engineMode: "aurora-global",
      globalClusterIdentifier: `${prefix}-global`.slice(0, 63).replace(/-+$/, ""),
      drClusterIdentifier: targets.replica.identifier,
      drClusterArn,
      primaryClusterIdentifier: targets.primary.databaseIdentifier,
      primaryClusterArn,
    },
  };
}

/**
 * `targets` with a cache of `mode` added, for the offline drill when the synthesized pair has none
 * (the default `cache.engine: none`): replication groups `<prefix>-cache-dr` and
 * `<prefix>-cache-primary` (ids of at most 40 characters), a global datastore `sim-<prefix>-cache`
 * (ElastiCache's region code `sim` stands for the real one), or a warm-up function
 * `<prefix>-cache-warm-up` in the DR region with the URL of the app's root under the application's
 * name. Only the offline simulation uses them; a deployed DR stack with a cache exports its own.
 * @throws Error when `targets` already have a cache.
 */
export function deriveCacheTargets(targets: RecoveryTargets, prefix: string, mode: CacheTargets["mode"]): RecoveryTargets {
  if (targets.cache) throw new Error("deriveCacheTargets: the targets already have a cache");
  const id = (suffix: string) => `${prefix.slice(0, 40 - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
  const cache: CacheTargets =
    mode === "global-datastore"
      ? {
          mode,
          globalReplicationGroupId: `sim-${id("cache")}`,
          drReplicationGroupId: id("cache-dr"),
          primaryReplicationGroupId: id("cache-primary"),
        }
      : {
          mode,
          drReplicationGroupId: id("cache-dr"),
          warmUp: {
            functionArn: `arn:${targets.partition}:lambda:${targets.drRegion}:${targets.accountId}:function:${prefix.slice(0, 50)}-cache-warm-up`,
            urls: [`https://${targets.dns.applicationName}/`],
          },
        };
  return { ...targets, cache };
}
