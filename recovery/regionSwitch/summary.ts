/**
 * The `regionSwitchPlan` output of the DR stack: the declared plan as plain data, for the runbook's
 * `--dry-run` and the checks (issue 21 contract). Pure.
 */
import { type PlanStep, type PlanWorkflow } from "./workflows";

/** One step as the summary shows it; `parallel` lists a Parallel step's children. */
export interface StepSummary {
  name: string;
  executionBlockType: string;
  description: string;
  parallel?: { name: string; executionBlockType: string; description: string }[];
}

/** The `regionSwitchPlan` output. */
export interface RegionSwitchPlanSummary {
  arn: string;
  name: string;
  primaryRegion: string;
  drRegion: string;
  /** True when the failover waits for an operator's approval (`failover.automatic: false`). */
  approvalRequired: boolean;
  reportBucketName: string;
  /**
   * The Route 53 health checks the plan's Route53HealthCheck block created, by region role (`primary`: the
   * primary region's, `secondary`: the DR region's), as the failover records carry them. Save them before an
   * outage of us-east-1 (the plan's control plane): the outage mode takes them from config instead of asking it.
   */
  healthCheckIds: { primary: string; secondary: string };
  /**
   * The role whose principals approve the ManualApproval steps ("Anyone who has access to the role defined in the
   * execution block can approve or decline", ARC Developer Guide, "Manual approval execution block"): the runbook
   * assumes it (STS AssumeRole) for ApprovePlanExecutionStep.
   */
  approverRoleArn: string;
  workflows: { targetAction: "activate" | "deactivate"; targetRegion: string; description: string; steps: StepSummary[] }[];
}

function stepSummary(step: PlanStep): StepSummary {
  const children = (step.parallelConfigs ?? []).flatMap((parallel) => parallel.steps);
  return {
    name: step.name,
    executionBlockType: step.executionBlockType,
    description: step.description,
    ...(children.length > 0
      ? { parallel: children.map((child) => ({ name: child.name, executionBlockType: child.executionBlockType, description: child.description })) }
      : {}),
  };
}

/**
 * @param workflows the declared workflows (`declaredWorkflows`); a `postRecovery` one is refused.
 * @throws Error when a workflow's action is not `activate` or `deactivate` (the plan cannot declare it).
 */
export function planSummary(args: {
  arn: string;
  name: string;
  primaryRegion: string;
  drRegion: string;
  automatic: boolean;
  reportBucketName: string;
  healthCheckIds: { primary: string; secondary: string };
  approverRoleArn: string;
  workflows: PlanWorkflow[];
}): RegionSwitchPlanSummary {
  return {
    arn: args.arn,
    name: args.name,
    primaryRegion: args.primaryRegion,
    drRegion: args.drRegion,
    approvalRequired: !args.automatic,
    reportBucketName: args.reportBucketName,
    healthCheckIds: args.healthCheckIds,
    approverRoleArn: args.approverRoleArn,
    workflows: args.workflows.map((workflow) => {
      const action = workflow.workflowTargetAction;
      if (action !== "activate" && action !== "deactivate") throw new Error(`planSummary: the plan cannot declare a ${action} workflow`);
      return {
        targetAction: action,
        targetRegion: workflow.workflowTargetRegion,
        description: workflow.workflowDescription,
        steps: workflow.steps.map(stepSummary),
      };
    }),
  };
}
