/**
 * The parts of the failover workflow that do not depend on the database's engine mode: scaling the
 * DR Auto Scaling Group to the recovery capacity (a Parallel branch), and everything after the
 * database is writable in the DR region (the fence, DR health, the notification and the cool-down). recovery/failover.ts builds the instance
 * and aurora-global definitions from them.
 */
import { type Definition, milestone, notify, poll, pollStart, sdkTask, type State } from "./asl";
import { targetHealth } from "./checks";
import { cacheAfterHealthStates } from "./cacheSteps";
import { fenceStates } from "./fence";
import { type RecoveryTargets } from "./targets";
import { POLLING } from "./timing";

/**
 * The Parallel branch that sets the DR group to `drAutoScalingGroup.recovery` and waits until that
 * many instances are InService (bound `POLLING.capacity`); it ends with `{ inService }`, or fails with
 * `CapacityNotReady` (`cause`).
 */
export function drCapacityBranch(targets: RecoveryTargets, cause: string): Pick<Definition, "StartAt" | "States"> {
  const recovery = targets.drAutoScalingGroup.recovery;
  return {
    StartAt: "Scale DR capacity",
    States: {
      "Scale DR capacity": sdkTask(
        "autoscaling",
        "updateAutoScalingGroup",
        {
          AutoScalingGroupName: targets.drAutoScalingGroup.name,
          MinSize: recovery.minSize,
          DesiredCapacity: recovery.desiredCapacity,
          MaxSize: recovery.maxSize,
        },
        { ResultPath: null, Next: pollStart("DR capacity") },
      ),
      ...poll({
        name: "DR capacity",
        check: sdkTask(
          "autoscaling",
          "describeAutoScalingGroups",
          { AutoScalingGroupNames: [targets.drAutoScalingGroup.name] },
          {
            ResultSelector: { "instances.$": "$.AutoScalingGroups[0].Instances[?(@.LifecycleState == 'InService')].InstanceId" },
          },
        ),
        resultPath: "$.capacity",
        measure: { Type: "Pass", Parameters: { "inService.$": "States.ArrayLength($.capacity.instances)" }, ResultPath: "$.capacity" },
        done: [{ Variable: "$.capacity.inService", NumericGreaterThanEquals: recovery.desiredCapacity }],
        ...POLLING.capacity,
        next: "DR capacity ready",
        onTimeout: "Capacity not ready",
      }),
      "DR capacity ready": { Type: "Pass", Parameters: { "inService.$": "$.capacity.inService" }, End: true },
      "Capacity not ready": { Type: "Fail", Error: "CapacityNotReady", Cause: cause },
    },
  };
}

/** What the end of a failover needs besides the targets. */
export interface FailoverEndOptions {
  /** Name of the first state (a milestone recording `$.timeline.recovered`), e.g. `Database promoted and capacity ready`. */
  start: string;
  /** The success notification's message (a `States.Format` expression). */
  successMessage: string;
  /** Minimum delay between automatic failovers, seconds. */
  cooldownSeconds: number;
  /** The failure path's first state. */
  failurePathStart: string;
  /** Records `{ Error, Cause }` at `$.failure` and enters the failure path. */
  fail: (error: "FenceNotInEffect" | "HealthNotRecovered") => State;
}

/**
 * From the moment the DR database is writable (its address at `$.recovery.databaseAddress`) and the
 * DR group has its capacity: fence the primary (recovery/fence.ts: the PRIMARY record's health check
 * turns unhealthy and the SECONDARY's stays healthy whatever the DR tier's state, so Route 53 answers
 * the DR load balancer with no record change), wait for the recovery capacity of healthy targets,
 * notify, and hold the slot for the cool-down when an alarm started it.
 *
 * No Route 53 record change: Route 53's control plane lives in us-east-1 (Route 53 Developer Guide,
 * "Resilience in Amazon Route 53"), and recovery relies on data planes (AWS Well-Architected,
 * REL11-BP04). The database name needs none either: a promoted read replica keeps its endpoint (the
 * endpoint derives from the DB instance identifier, which promotion keeps), and in aurora-global mode
 * the DR region's name points at the DR cluster's writer endpoint from deploy time, which Aurora
 * activates when it promotes the cluster (stacks/dr.ts). DR invariant 14
 * (invariants/dataPlaneFailover.ts) checks that no task of the unplanned path reaches a control plane
 * homed in us-east-1 or the primary region.
 */
export function failoverEnd(targets: RecoveryTargets, options: FailoverEndOptions): Record<string, State> {
  const drHealth = targetHealth(targets.drTargetGroupArn, "$.health");
  const failurePath = options.failurePathStart;
  // The cache's notification (global datastore detached or not promoted) or warm-up (regional cache), before the success one.
  const cache = cacheAfterHealthStates(targets, "Notify success");
  return {
    [options.start]: milestone("recovered", "Fence the primary"),
    // DNS moves through Route 53's data plane: the PRIMARY record's health check follows the fence, flipped in the DR region.
    ...fenceStates(targets, {
      value: 1,
      start: "Fence the primary",
      next: "DNS serves DR",
      onTimeout: "Fence not in effect",
      onError: failurePath,
    }),
    "Fence not in effect": options.fail("FenceNotInEffect"),
    // The fence has moved the traffic: the recovery time's DNS part ends here.
    "DNS serves DR": milestone("dnsServesDr", pollStart("DR health")),
    ...poll({
      name: "DR health",
      check: drHealth.check,
      resultPath: "$.health",
      measure: drHealth.measure,
      done: [drHealth.healthy(targets.drAutoScalingGroup.recovery.desiredCapacity)],
      ...POLLING.health,
      next: "Healthy in DR",
      onTimeout: "Health not recovered",
      onError: failurePath,
    }),
    "Health not recovered": options.fail("HealthNotRecovered"),
    "Healthy in DR": milestone("healthy", cache.start),
    ...cache.states,
    "Notify success": notify(targets.topicArn, "Failover complete", options.successMessage, { Next: "Cool down?" }),
    "Cool down?": { Type: "Choice", Choices: [{ Variable: "$.trigger", StringEquals: "alarm", Next: "Cool down" }], Default: "Failed over" },
    "Cool down": { Type: "Wait", Seconds: options.cooldownSeconds, Next: "Failed over" },
    "Failed over": { Type: "Succeed" },
  };
}

/** The "Validate input" Choice of the failover: `{ mode: planned|unplanned, force: boolean, trigger: operator|alarm }`, each field guarded by IsPresent. */
export function validateFailoverInput(next: string, invalid: string): State {
  return {
    Type: "Choice",
    Choices: [
      {
        // Each field is checked for presence first: a comparison on a missing path is a States.Runtime error.
        And: [
          { Variable: "$.mode", IsPresent: true },
          {
            Or: [
              { Variable: "$.mode", StringEquals: "planned" },
              { Variable: "$.mode", StringEquals: "unplanned" },
            ],
          },
          { Variable: "$.force", IsPresent: true },
          { Variable: "$.force", IsBoolean: true },
          { Variable: "$.trigger", IsPresent: true },
          {
            Or: [
              { Variable: "$.trigger", StringEquals: "operator" },
              { Variable: "$.trigger", StringEquals: "alarm" },
            ],
          },
        ],
        Next: next,
      },
    ],
    Default: invalid,
  };
}

/** Choice rule: the input's `force` is true. */
export const IS_FORCED = {
  And: [
    { Variable: "$.force", IsPresent: true },
    { Variable: "$.force", BooleanEquals: true },
  ],
};

/**
 * The wait of the promotion retry loop that failover and failback share: wait `intervalSeconds`,
 * count the attempt (`$.attempts.Promotionretry.count`, bounded by the loop's check), mark the
 * failed call's error as looked at after a wait (`$.promotionError.waited`; the next failed call's
 * Catch replaces `$.promotionError`, mark and all), then go to "Promotion retry: check".
 */
export function promotionRetryWait(intervalSeconds: number): Record<string, State> {
  return {
    "Promotion retry: wait": { Type: "Wait", Seconds: intervalSeconds, Next: "Promotion retry: count" },
    "Promotion retry: count": {
      Type: "Pass",
      Parameters: { "count.$": "States.MathAdd($.attempts.Promotionretry.count, 1)" },
      ResultPath: "$.attempts.Promotionretry",
      Next: "Promotion retry: mark",
    },
    "Promotion retry: mark": { Type: "Pass", Result: true, ResultPath: "$.promotionError.waited", Next: "Promotion retry: check" },
  };
}
