/**
 * The vocabulary both scenario tables share (scenarios.ts for the instance engine mode,
 * auroraScenarios.ts for aurora-global): the workflow inputs an operator or an alarm starts, the
 * notifications a run sends, the primary's failure at detection time, and how a capacity reads.
 */
import type { Capacity, RecoveryTargets } from "../targets";
import { ROUTE53_CONTROL_PLANE_REGION } from "./cloud";
import { detectionSeconds } from "./durations";
import type { Scenario } from "./simulate";

/** Failover inputs: started by the health-check alarm, by an operator, or planned (switchover). */
export const UNPLANNED_ALARM = { mode: "unplanned", force: false, trigger: "alarm" };
export const UNPLANNED_OPERATOR = { mode: "unplanned", force: false, trigger: "operator" };
export const PLANNED = { mode: "planned", force: false, trigger: "operator" };

/** The notifications of a failover that completes, and of one that fails. */
export const FAILOVER_OK = ["Failover started", "Failover complete"];
export const FAILOVER_FAILED = ["Failover started", "Failover FAILED"];

/** The primary fails `detectionSeconds` before the first execution: Route 53 has just noticed, the alarm starts the failover. */
export const primaryFailsAtDetection: NonNullable<Scenario["world"]> = ({ durations }) => ({ primaryOutage: { from: -detectionSeconds(durations) } });

/**
 * The primary region fails `detectionSeconds` before the first execution, as `primaryFailsAtDetection`,
 * and it is the region of Route 53's control plane (us-east-1 for the aws partition: cloud.ts
 * `ROUTE53_CONTROL_PLANE_REGION`), which fails with it: the world, not the scenario, takes Route 53's
 * control plane down. @throws Error for a pair whose primary is another region (the scenario would prove nothing).
 */
export const usEast1Lost: NonNullable<Scenario["world"]> = (context) => {
  const controlPlane = ROUTE53_CONTROL_PLANE_REGION[context.targets.partition];
  if (context.targets.primaryRegion !== controlPlane) {
    throw new Error(
      `this scenario needs a pair whose primary region is Route 53's control-plane region (${controlPlane ?? "unknown for partition " + context.targets.partition}); the primary is ${context.targets.primaryRegion}`,
    );
  }
  return primaryFailsAtDetection(context);
};

/**
 * Whether `scenario` stages a us-east-1 outage (`usEast1Lost`) and `targets`' primary is not in Route 53's
 * control-plane region: the drill skips it for such a pair (recovery/offline/cli.ts) unless it is named.
 */
export function needsAnotherPrimary(scenario: Pick<Scenario, "world">, targets: Pick<RecoveryTargets, "primaryRegion" | "partition">): boolean {
  return scenario.world === usEast1Lost && targets.primaryRegion !== ROUTE53_CONTROL_PLANE_REGION[targets.partition];
}

/**
 * An unplanned failover (started by an operator), then the failed region returns an hour later with
 * its app restarting in a loop for 30 minutes (the primary ALB's /health 40 s up, 40 s down), then
 * steady: the steps of the flapping-return scenarios of both engine modes.
 */
export const failoverThenFlappingReturn: Scenario["steps"] = [
  { run: "failover", input: UNPLANNED_OPERATOR },
  {
    world: "us-east-1 back, its /health flapping (40 s up, 40 s down) for 30 minutes",
    after: 3600,
    apply: (cloud) => {
      cloud.restorePrimaryRegion();
      cloud.flapPrimaryEndpoint({ until: cloud.now + 1800, upSeconds: 40, downSeconds: 40 });
    },
  },
  { world: "30 minutes later, the flapping over", after: 1800, apply: () => undefined },
];

/** `min/desired/max`, as the final view shows a capacity. */
export const size = (capacity: Capacity) => `${capacity.minSize}/${capacity.desiredCapacity}/${capacity.maxSize}`;

/** An unplanned failover, the primary region back an hour later and rebuilt as the standby, then a failback half an hour after that. */
export const FAILBACK_AFTER_FAILOVER: Scenario["steps"] = [
  { run: "failover", input: UNPLANNED_OPERATOR },
  {
    act: "primary region back; primary stack rebuilt as the standby (database: read replica of the DR database)",
    after: 3600,
    apply: (cloud) => cloud.reprotectPrimary(),
  },
  { run: "failback", input: { force: false }, after: 1800 },
];

/** Both runs succeed and the pair is back where it started: the primary serves, its database promoted once, DR at standby. */
export function failedBackTo(targets: RecoveryTargets) {
  return {
    outcomes: ["SUCCEEDED", "SUCCEEDED"],
    final: {
      primaryRecord: "primary-alb",
      fence: "off",
      dnsAnswer: "primary",
      primaryDatabaseRole: "standalone",
      primaryDatabaseName: "primary-database",
      primaryPromotionsAccepted: 1,
      primaryCapacity: size(targets.primary.capacity),
      drCapacity: size(targets.drAutoScalingGroup.standby),
    },
    notifications: [...FAILOVER_OK, "Failback started", "Failback complete"],
    dnsChanges: ["fence on", "fence off", "primary-alb (primary)"],
  };
}

/**
 * What a completed failover leaves: DNS and data in the DR region, the DR group at the recovery
 * capacity, all healthy. The failover changes no record (Route 53's control plane may be down with
 * us-east-1): the PRIMARY record still aliases the primary ALB, and the fence makes Route 53 answer the DR region.
 */
export const failedOver = (targets: RecoveryTargets) =>
  ({
    primaryRecord: "primary-alb",
    fence: "on",
    dnsAnswer: "dr",
    drDatabaseRole: "standalone",
    drDatabaseStatus: "available",
    drDatabaseName: "dr-database",
    drCapacity: size(targets.drAutoScalingGroup.recovery),
    drHealthy: targets.drAutoScalingGroup.recovery.desiredCapacity,
    drPromotionsAccepted: 1,
    drillPoolRecords: 0,
  }) as const;
