/**
 * `npm run drill -- --live` when the DR stack's orchestrator is ARC Region switch: a readiness drill
 * that proves, from the DR region alone, that the failover can be started there now. It moves NO
 * traffic and changes nothing, so there is nothing to return.
 *
 * Why not a traffic-shifting drill: the Step Functions drill (recovery/drill.ts) sends a share of live
 * traffic through a weighted pool and rolls it back; Region switch has no partial-traffic block, and
 * executing the plan's `activate` workflow promotes the DR database, which only a re-protection (a new
 * cross-region replica, hours) and a failback undo: that is a planned switchover, not a drill
 * (`npm run failover -- --planned`, then the re-protection workflow and `npm run failback`, docs/runbook.md).
 * ARC itself evaluates every plan every 30 minutes (IAM permissions, resource configuration, capacity)
 * and publishes the result (ARC Developer Guide, "About Region switch": plan evaluation); the drill reads
 * it through the DR region's data plane, the path a real failover takes when the primary region (and,
 * with a us-east-1 primary, ARC's control plane) is gone.
 *
 * When the failover waits for an approval, the drill also assumes the plan's approver role through STS in the
 * DR region (`approverCheck`, runbook/regionSwitch/approver.ts): an operator who could start the failover but not
 * approve it would leave it waiting. Assuming a role changes nothing.
 *
 * Calls, all to the DR region's data plane, all read-only: GetPlanInRegion (the region holds the plan,
 * with the regions and the activation workflow the stack exported), GetPlanEvaluationStatus (passed, no
 * active warning), ListRoute53HealthChecksInRegion (the health checks of the plan's Route53HealthCheck
 * steps exist), ListPlanExecutions (the latest executions and their recovery times; one in progress is
 * reported).
 *
 * Exit codes: 0 ready; 2 not ready (evaluation not passed, a warning, a missing health check or
 * workflow, an execution in progress); 1 refused (credentials, permissions, plan not found, region unreachable).
 */
import { EXIT } from "../errors";
import { formatDuration, type Output } from "../output";
import type { ArcRegionSwitchClient } from "./client";
import { formatIsoDuration } from "./follow";
import {
  ACTIVE_STATES,
  explainRegionSwitchError,
  getPlanEvaluationStatus,
  getPlanInRegion,
  listPlanExecutions,
  listRoute53HealthChecksInRegion,
} from "./operations";
import type { RegionSwitchPlanSummary } from "./outputs";
import { activationWorkflow, stepOrder } from "./workflow";

/** One check of the drill: what was looked at and what was found. */
export interface DrillCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Runs the readiness checks against `client` (the DR region's data plane) and prints them.
 * @param approverCheck assumes the approver role; resolves with what to print, rejects with why it cannot.
 * @returns the exit code (see the module comment).
 * @throws RunbookError (exit 1) when a call fails (credentials, AccessDenied, plan not found, region unreachable).
 */
export async function readinessDrill(
  plan: RegionSwitchPlanSummary,
  source: string,
  client: ArcRegionSwitchClient,
  output: Output,
  now: () => Date,
  approverCheck?: () => Promise<string>,
): Promise<number> {
  const region = client.region;
  const context = (operation: string) => ({ operation, resource: `Region switch plan ${plan.arn}`, region, regionRole: "the DR region" });
  const checks: DrillCheck[] = [];
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw explainRegionSwitchError(error, context(operation));
    }
  };
  output.line(`Region switch readiness drill in ${region} (read-only; no traffic moves):`);

  const inRegion = await call("GetPlanInRegion", () => getPlanInRegion(client, plan.arn));
  const regionsMatch =
    [plan.primaryRegion, plan.drRegion].every((expected) => inRegion.regions.includes(expected)) && inRegion.primaryRegion === plan.primaryRegion;
  checks.push({
    name: "plan in the DR region",
    ok: regionsMatch,
    detail: `version ${inRegion.version ?? "?"}, regions ${inRegion.regions.join(", ") || "none"}, primary ${inRegion.primaryRegion ?? "none"}${regionsMatch ? "" : ` (the stack exported ${plan.primaryRegion} -> ${plan.drRegion})`}`,
  });
  const expected = activationWorkflow(plan, plan.drRegion, source);
  const deployed = inRegion.workflows.find(
    (workflow) => workflow.targetAction === "activate" && (workflow.targetRegion === plan.drRegion || workflow.targetRegion === ""),
  );
  const expectedTop = expected.steps.map((step) => step.name);
  const missing = expectedTop.filter((name) => !(deployed?.steps ?? []).includes(name));
  checks.push({
    name: "failover workflow",
    ok: deployed !== undefined && missing.length === 0,
    detail: deployed
      ? missing.length === 0
        ? `activate ${region}: ${deployed.steps.join(", ")}`
        : `the region's plan lacks ${missing.join(", ")}`
      : `no workflow activates ${region}`,
  });

  const evaluation = await call("GetPlanEvaluationStatus", () => getPlanEvaluationStatus(client, plan.arn));
  const active = evaluation.warnings.filter((warning) => warning.status === "active");
  const evaluatedAt = evaluation.lastEvaluationTime ? `, evaluated ${formatDuration(now().getTime() - evaluation.lastEvaluationTime.getTime())} ago` : "";
  checks.push({
    name: "ARC plan evaluation",
    ok: evaluation.evaluationState === "passed" && active.length === 0,
    detail: `${evaluation.evaluationState}${evaluatedAt}${active.length > 0 ? `, ${active.length} active warning(s)` : ""}`,
  });

  const usesHealthChecks = stepOrder(expected.steps).some((step) => step.executionBlockType === "Route53HealthCheck");
  if (usesHealthChecks) {
    const healthChecks = await call("ListRoute53HealthChecksInRegion", () => listRoute53HealthChecksInRegion(client, plan.arn));
    checks.push({
      name: "plan health checks",
      ok: healthChecks.length > 0,
      detail:
        healthChecks.length > 0
          ? healthChecks.map((check) => `${check.recordName || check.healthCheckId} in ${check.region}: ${check.status}`).join("; ")
          : "none listed: the Route53HealthCheck step has nothing to flip",
    });
  }

  if (approverCheck && stepOrder(expected.steps).some((step) => step.executionBlockType === "ManualApproval")) {
    let detail: string;
    let ok = true;
    try {
      detail = await approverCheck();
    } catch (error) {
      ok = false;
      detail = error instanceof Error ? error.message : String(error);
    }
    checks.push({ name: "approver role", ok, detail });
  }

  const executions = await call("ListPlanExecutions", () => listPlanExecutions(client, plan.arn, 5));
  const running = executions.filter((execution) => ACTIVE_STATES.has(execution.executionState));
  checks.push({
    name: "no execution in progress",
    ok: running.length === 0,
    detail:
      running.length === 0
        ? `${executions.length} recent execution(s) in ${region}`
        : running.map((execution) => `${execution.executionId} ${execution.executionState}`).join("; "),
  });

  for (const check of checks) output.line(`  ${check.ok ? "OK  " : "FAIL"}  ${check.name.padEnd(26)} ${check.detail}`);
  for (const warning of active)
    output.line(
      `        warning${warning.stepName ? ` (${warning.stepName})` : ""}: ${warning.message}${warning.resourceArn ? ` [${warning.resourceArn}]` : ""}`,
    );
  if (executions.length > 0) {
    output.line("");
    output.line(`Latest executions in ${region}:`);
    for (const execution of executions) {
      const recovery = execution.actualRecoveryTime ? `, recovery time ${formatIsoDuration(execution.actualRecoveryTime)}` : "";
      output.line(
        `  ${execution.startTime?.toISOString() ?? "?"}  ${execution.executionAction} ${execution.executionRegion} ${execution.mode}: ${execution.executionState}${recovery}`,
      );
    }
  }
  const ready = checks.every((check) => check.ok);
  output.line("");
  output.line(
    ready
      ? `READY: the failover can be started from ${region} now (npm run failover -- --unplanned). Nothing was changed.`
      : `NOT READY: fix the FAIL lines above (pulumi up -s <dr stack>, the plan's evaluation warnings in the ARC console). Nothing was changed.`,
  );
  return ready ? EXIT.succeeded : EXIT.executionFailed;
}
