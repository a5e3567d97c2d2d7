/**
 * The recovery budget's steps when the orchestrator is ARC Region switch (`recovery.orchestrator:
 * region-switch`): the plan's workflow that activates the DR region, step by step, each execution block
 * costed with the figure the Step Functions failover uses for the same work (budget/figures.ts):
 *
 * - ManualApproval: the on-call's decision, `failover.decisionSeconds` (the decide step carries it);
 * - RdsPromoteReadReplica, AuroraGlobalDatabase: the promotion, or the global database's failover (`data`);
 * - EC2AutoScaling: the DR group from its standby capacity to the primary's (`capacity`);
 * - Route53HealthCheck: Route 53 following the plan's health checks, then resolvers the record's TTL (`clients`);
 * - CustomActionLambda: 0 s. The budget is an UNPLANNED failover's, which the runbook starts as an ungraceful
 *   execution (`npm run failover -- --unplanned`, runbook/regionSwitch/workflow.ts), and "In ungraceful execution
 *   mode, Region switch skips the Lambda execution block step" (ARC Developer Guide, "Custom action Lambda execution
 *   block"); the step is listed at 0 s so the plan's steps stay visible;
 * - Parallel: its children run at once, so the group costs its longest child (`parallelGroup`).
 *
 * A PLANNED switchover or failback is graceful, so its stop-writes step runs (`stop-primary-writes`,
 * `stop-dr-writes`: recovery/lambda/regionSwitchActions.mjs): `plannedStopWritesStep` costs it, the drain (the
 * target group's deregistration delay, then the Lambda's next look at the group) plus the heartbeat catch-up (the
 * longest gap between two heartbeats, the clock-skew margin, the Lambda's next look). The RTO budget has no planned
 * figures, so this one is for the docs and the runbook (docs/region-switch.md, "The recovery budget").
 *
 * Pure: the plan's steps come in as plain data (`RegionSwitchBudgetStep`, the shape of the DR stack
 * output `regionSwitchPlan.workflows[].steps`); no Pulumi, no AWS SDK.
 */
import { HEARTBEAT_CLOCK_SKEW_MARGIN_SECONDS, HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_LAST_BEAT_OF_MINUTE } from "../recovery/heartbeat";
import { REGION_SWITCH_HEALTH_CHECK_FOLLOW_SECONDS, REGION_SWITCH_START_SECONDS } from "./figures";

/** One step of the plan's DR activation, as the budget reads it; `parallel` lists a Parallel step's children. */
export interface RegionSwitchBudgetStep {
  name: string;
  executionBlockType: string;
  parallel?: RegionSwitchBudgetStep[];
}

/** A budget step (budget/recoveryBudget.ts `BudgetStep`, repeated here to keep this module free of a cycle). */
export interface PlanBudgetStep {
  step: string;
  seconds: number;
  source: string;
  parallelGroup?: string;
}

/** What the plan's blocks cost, from the rest of the budget: the data and capacity steps as the Step Functions failover counts them, and the record's TTL. */
export interface BlockFigures {
  data: PlanBudgetStep;
  capacity: PlanBudgetStep;
  /** TTL resolvers keep the previous answer, seconds. */
  dnsTtlSeconds: number;
}

/** The first step of a Region switch failover: ARC starts the execution and its first block (typical figure). */
export function regionSwitchStartStep(): PlanBudgetStep {
  return {
    step: "start: ARC Region switch starts the plan execution in the DR region",
    seconds: REGION_SWITCH_START_SECONDS,
    source:
      'typical: the execution starts from the DR region\'s data plane (ARC Developer Guide, "Region switch in ARC": "a data plane in each AWS Region"); AWS publishes no latency for StartPlanExecution to its first block',
  };
}

/** `step` renamed for the plan's step: `<kind>: <plan step> (<block>), <what it does>`. */
function asPlanStep(figure: PlanBudgetStep, planStep: RegionSwitchBudgetStep, group: string | undefined): PlanBudgetStep {
  const colon = figure.step.indexOf(":");
  const kind = figure.step.slice(0, colon);
  const { parallelGroup: _ignored, ...rest } = figure;
  return {
    ...rest,
    step: `${kind}: ${planStep.name} (${planStep.executionBlockType}),${figure.step.slice(colon + 1)}`,
    ...(group ? { parallelGroup: group } : {}),
  };
}

/**
 * The budget steps of the plan's DR activation after its approval (the decide step counts the
 * approval): each block costed as the module comment says, a Parallel step's children in one parallel
 * group named after it.
 * @throws RangeError naming the step when a block type has no figure, or a Parallel step has no children.
 */
export function regionSwitchPlanSteps(steps: RegionSwitchBudgetStep[], figures: BlockFigures, group?: string): PlanBudgetStep[] {
  return steps.flatMap((planStep): PlanBudgetStep[] => {
    switch (planStep.executionBlockType) {
      case "ManualApproval":
        // The decide step holds the on-call's decision (failover.decisionSeconds).
        return [];
      case "Parallel":
        if (group !== undefined || !planStep.parallel || planStep.parallel.length === 0)
          throw new RangeError(`recoveryBudget: regionSwitch step "${planStep.name}" is a Parallel step without children (or nested in one); ARC runs none`);
        return regionSwitchPlanSteps(planStep.parallel, figures, planStep.name);
      case "RdsPromoteReadReplica":
      case "AuroraGlobalDatabase":
        return [asPlanStep(figures.data, planStep, group)];
      case "EC2AutoScaling":
        return [asPlanStep(figures.capacity, planStep, group)];
      case "Route53HealthCheck":
        return [
          {
            step: `clients: ${planStep.name} (Route53HealthCheck), Route 53 follows the plan's health checks, then resolvers the ${figures.dnsTtlSeconds} s TTL`,
            seconds: REGION_SWITCH_HEALTH_CHECK_FOLLOW_SECONDS + figures.dnsTtlSeconds,
            source:
              `typical ${REGION_SWITCH_HEALTH_CHECK_FOLLOW_SECONDS} s for Route 53's checkers to follow the health check Region switch sets (ARC Developer Guide, "Amazon Route 53 health check execution block"; AWS publishes no latency), ` +
              'then the TTL resolvers keep the previous answer (Route 53 Developer Guide, "Choosing between alias and non-alias records": an alias to a load balancer has its 60 s TTL); no record change, so nothing waits on Route 53\'s control plane',
            ...(group ? { parallelGroup: group } : {}),
          },
        ];
      case "CustomActionLambda":
        return [
          {
            step: `${planStep.name}: ${planStep.name} (CustomActionLambda), skipped: an unplanned failover is an ungraceful execution`,
            seconds: 0,
            source:
              'ARC Developer Guide, "Custom action Lambda execution block": "In ungraceful execution mode, Region switch skips the Lambda execution block step"; ' +
              "the unplanned failover starts ungraceful (npm run failover -- --unplanned); a planned switchover runs it (plannedStopWritesStep)",
            ...(group ? { parallelGroup: group } : {}),
          },
        ];
      default:
        throw new RangeError(
          `recoveryBudget: regionSwitch step "${planStep.name}" has block type ${JSON.stringify(planStep.executionBlockType)}, for which the budget has no figure`,
        );
    }
  });
}

/** What the stop-writes step of a planned switchover waits on (the deployed values; see `plannedStopWritesStep`). */
export interface StopWritesTimings {
  /** The plan's step: `stop-primary-writes` (planned failover) or `stop-dr-writes` (failback). */
  stepName: string;
  /**
   * The target group's deregistration delay, seconds (components/appTier/loadBalancer.ts sets 30; ELB's default is 300:
   * ELB User Guide, "Deregistration delay"): Auto Scaling terminates an instance of a group attached to the target group
   * only after it is deregistered (EC2 Auto Scaling User Guide, "Use Elastic Load Balancing to distribute incoming
   * application traffic in your Auto Scaling group").
   */
  deregistrationDelaySeconds: number;
  /** Seconds between the function's looks at the group and the heartbeat (recovery/lambda/regionSwitchActions.mjs `POLL_SECONDS`). */
  pollSeconds: number;
  /** Seconds the function waits before it restores the group and fails the step (`STOP_WRITES_DEADLINE_SECONDS`). */
  deadlineSeconds: number;
}

/**
 * The stop-writes step of a planned (graceful) switchover or failback, seconds: the drain (deregistration delay, then
 * the function's next look sees the group empty) plus the catch-up (the next heartbeat commits within the longest gap
 * between two beats, 60 - HEARTBEAT_LAST_BEAT_OF_MINUTE s (the schedule's pause, recovery/heartbeat.ts), at least the
 * clock-skew margin after the stop; the function's next look sees it replayed). Typical: the replica's own lag, seconds
 * on a healthy pair, comes on top; AWS publishes no figure for the instance's shutdown after deregistration.
 * @throws RangeError when the figure reaches the function's deadline: every planned switchover would time out, restore
 *   the old writer and pause the plan (lower the deregistration delay).
 */
export function plannedStopWritesStep(timings: StopWritesTimings): PlanBudgetStep {
  const { stepName, deregistrationDelaySeconds, pollSeconds, deadlineSeconds } = timings;
  const drain = deregistrationDelaySeconds + pollSeconds;
  const longestBeatGap = Math.max(HEARTBEAT_INTERVAL_SECONDS, 60 - HEARTBEAT_LAST_BEAT_OF_MINUTE);
  const catchUp = longestBeatGap + HEARTBEAT_CLOCK_SKEW_MARGIN_SECONDS + pollSeconds;
  const seconds = drain + catchUp;
  if (seconds >= deadlineSeconds)
    throw new RangeError(
      `recoveryBudget: ${stepName} needs ${seconds} s (deregistration delay ${deregistrationDelaySeconds} s + the heartbeat catch-up), ` +
        `at or beyond its ${deadlineSeconds} s deadline: every planned switchover would restore the old writer and pause; lower the target group's deregistration delay`,
    );
  return {
    step: `${stepName}: ${stepName} (CustomActionLambda), planned only: drain ${drain} s (deregistration delay ${deregistrationDelaySeconds} s + one ${pollSeconds} s look), catch-up ${catchUp} s`,
    seconds,
    source:
      "ELB User Guide, \"Deregistration delay\" (the target group's, components/appTier/loadBalancer.ts); the heartbeat's longest gap " +
      `${longestBeatGap} s and ${HEARTBEAT_CLOCK_SKEW_MARGIN_SECONDS} s skew margin (recovery/heartbeat.ts); the function's ${pollSeconds} s looks ` +
      "(recovery/lambda/regionSwitchActions.mjs); typical: the replica's own lag comes on top",
  };
}
