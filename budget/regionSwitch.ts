/**
 * The recovery budget's steps when the orchestrator is ARC Region switch (`recovery.orchestrator:
 * region-switch`): the plan's workflow that activates the DR region, step by step, each execution block
 * costed with the figure the Step Functions failover uses for the same work (budget/figures.ts):
 *
 * - ManualApproval: the on-call's decision, `failover.decisionSeconds` (the decide step carries it);
 * - RdsPromoteReadReplica, AuroraGlobalDatabase: the promotion, or the global database's failover (`data`);
 * - EC2AutoScaling: the DR group from its standby capacity to the primary's (`capacity`);
 * - Route53HealthCheck: Route 53 following the plan's health checks, then resolvers the record's TTL (`clients`);
 * - CustomActionLambda: one function run, `REGION_SWITCH_LAMBDA_STEP_SECONDS` (typical);
 * - Parallel: its children run at once, so the group costs its longest child (`parallelGroup`).
 *
 * Pure: the plan's steps come in as plain data (`RegionSwitchBudgetStep`, the shape of the DR stack
 * output `regionSwitchPlan.workflows[].steps`); no Pulumi, no AWS SDK.
 */
import { REGION_SWITCH_HEALTH_CHECK_FOLLOW_SECONDS, REGION_SWITCH_LAMBDA_STEP_SECONDS, REGION_SWITCH_START_SECONDS } from "./figures";

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
            step: `${planStep.name}: ${planStep.name} (CustomActionLambda), one run of the function in the DR region`,
            seconds: REGION_SWITCH_LAMBDA_STEP_SECONDS,
            source: "typical: Region switch invokes the function and waits for its result (AWS publishes no figure); see REGION_SWITCH_LAMBDA_STEP_SECONDS",
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
