/**
 * What the Region switch plan needs from the primary's outputs, checked before any resource is declared
 * (`recovery.orchestrator: region-switch`; the DR stack calls it first in stacks/recovery.ts `buildRegionSwitch`):
 *
 * - `autoScalingGroupArn`: the EC2AutoScaling block takes exactly two groups (botocore arc-region-switch
 *   2022-07-26, `AsgList` min 2 max 2), so CreatePlan would refuse a plan that knows only the DR group;
 * - `dbHeartbeatFunctionArn` (instance mode): the stop-writes steps prove the catch-up with the activating
 *   region's heartbeat (recovery/lambda/regionSwitchActions.mjs); without the primary's, a failback could never pass.
 */
import { ConfigError, type ConfigProblem } from "../../config/errors";
import { type PrimaryOutputs } from "../../config/primaryContract";

/** The config key the problems name: the orchestrator that needs the outputs. */
export const ORCHESTRATOR_KEY = "multi-region-dr:recovery.orchestrator";

/** The problems of `primary` for a Region switch plan; empty when it can be built. */
export function regionSwitchPrimaryProblems(primary: Pick<PrimaryOutputs, "autoScalingGroupArn" | "dbEngineMode" | "dbHeartbeatFunctionArn">): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!primary.autoScalingGroupArn)
    problems.push({
      key: ORCHESTRATOR_KEY,
      value: "region-switch",
      message:
        "needs the primary stack's output autoScalingGroupArn, which it lacks (the primary was deployed before it exported it): the plan's EC2AutoScaling block " +
        "takes exactly two Auto Scaling groups, so ARC would refuse the plan. Redeploy the primary with this version of the program (pulumi up -s <primary>), " +
        "or set recovery.orchestrator: step-functions",
    });
  if (primary.dbEngineMode === "instance" && !primary.dbHeartbeatFunctionArn)
    problems.push({
      key: ORCHESTRATOR_KEY,
      value: "region-switch",
      message:
        "needs the primary stack's output dbHeartbeatFunctionArn, which it lacks: the plan's stop-dr-writes step proves the primary-region replica caught up " +
        "with it. Redeploy the primary with this version of the program (pulumi up -s <primary>), or set recovery.orchestrator: step-functions",
    });
  return problems;
}

/** @throws ConfigError naming `recovery.orchestrator` when `primary` cannot carry a Region switch plan (`regionSwitchPrimaryProblems`). */
export function assertRegionSwitchPrimary(primary: Parameters<typeof regionSwitchPrimaryProblems>[0]): void {
  const problems = regionSwitchPrimaryProblems(primary);
  if (problems.length > 0) throw new ConfigError("The DR stack cannot build its ARC Region switch plan", problems);
}
