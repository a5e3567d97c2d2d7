/**
 * Issue 21: the pack judges the ARC Region switch plan (`recovery.orchestrator: region-switch`) as it
 * judges the Step Functions workflows. Two stack policies, on the same pure checks as DR invariant 16
 * (invariants/regionSwitch.ts):
 *
 * - `dr-region-switch-plan`: the plan lives in the DR stack (a primary stack declares none), at most one;
 *   its regions are the pair's, its primary region the primary's, active/passive, its RTO at least the
 *   declared one; the DR activation promotes the DR database, scales the DR Auto Scaling group, moves the
 *   application's failover records with the plan's health checks and asks a person unless automatic;
 *   a failback workflow asks always, promotes, shifts traffic and then returns DR to standby; in instance
 *   mode each promotion comes after the old writer is stopped (`stop-primary-writes`, `stop-dr-writes`);
 *   every Lambda step lists both regions' copies and runs in the activating region; every capacity block
 *   names both groups; triggers only with an automatic failover, on DR-region alarms, guarded by the
 *   `<plan>-dr-standby` alarm; execution reports to a DR-region bucket; the failover
 *   records answer by the plan's health checks. The pair's regions and the declared RTO come from the
 *   stack's recovery manifest (a policy cannot read a StackReference or the stack's outputs).
 * - `dr-region-switch-role-permissions`: the execution role trusts `arc-region-switch.amazonaws.com`,
 *   and every request of the plan's blocks (`blockRequests`: the ARC Developer Guide's sample policy per
 *   execution block, on the resources the plan names) is allowed by its role's policies declared in the
 *   stack, as the IAM policy simulator @cloud-copilot/iam-simulate evaluates them (the same
 *   `rolePoliciesOf` and `simulate` as `dr-workflow-role-permissions`). A role whose policies are not all
 *   in the stack, or a value not known yet at preview, is judged at the next preview.
 */
import type { Policies, PolicyResource } from "@pulumi/policy";
import {
  ARC_REGION_SWITCH_PRINCIPAL,
  blockRequests,
  executionRoleOf,
  placementProblems,
  planProblems,
  REGION_SWITCH_PLAN,
  type RegionSwitchContext,
  requestMessage,
  type ResourceView,
  trusts,
} from "../../invariants/regionSwitch";
import { ofType, regionOf, stackPolicy } from "./kit";
import { manifestOf } from "./manifest";
import { asyncStackPolicy, isUnknownValue, rolePoliciesOf, simulate } from "./workflowsRun";

/** A policy resource as the plan checks read it; its region defaults to `region` (the stack's). */
function viewOf(resource: PolicyResource, region: string): ResourceView {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: resource.props,
    region: regionOf(resource) ?? region,
    propertyDependencies: Object.fromEntries(
      Object.entries(resource.propertyDependencies ?? {}).map(([key, dependencies]) => [key, dependencies.map((dependency) => dependency.urn)]),
    ),
  };
}

/** The DR stack's plan context from its manifest, or undefined outside a DR stack with the primary's outputs. */
function contextOf(resources: PolicyResource[]): RegionSwitchContext | undefined {
  const manifest = manifestOf(resources)?.manifest;
  if (manifest?.role !== "dr" || !manifest.primary) return undefined;
  return {
    primaryRegion: manifest.primary.region,
    drRegion: manifest.region,
    rtoSeconds: manifest.rtoSeconds,
    resources: resources.map((resource) => viewOf(resource, manifest.region)),
  };
}

/** Runs `check`, leaving a value not known yet at preview to the next preview. */
function judged<T>(check: () => T, unknown: T): T {
  try {
    return check();
  } catch (error) {
    if (isUnknownValue(error)) return unknown;
    throw error;
  }
}

const regionSwitchPlan = stackPolicy({
  name: "dr-region-switch-plan",
  description:
    "DR invariant 16: the ARC Region switch plan lives in the DR stack, spans exactly the pair's regions with the primary's as primary, active/passive, its RTO at least the declared one, with the blocks a failover, failback and re-protection need (writes stopped before each promotion in instance mode, DR back to standby after the failback, both regions' function copies run in the activating region, both Auto Scaling groups), triggers only when automatic on DR-region alarms guarded by the DR-standby alarm, reports to a DR-region bucket, and the failover records on its health checks (design: invariants/regionSwitch.ts)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const plans = ofType(resources, REGION_SWITCH_PLAN);
    if (plans.length === 0) return;
    const manifest = manifestOf(resources)?.manifest;
    const views = plans.map((plan) => viewOf(plan, manifest?.region ?? ""));
    if (manifest?.role === "primary") {
      for (const problem of placementProblems(views, [], undefined)) report(problem);
      return;
    }
    for (const problem of placementProblems([], views, undefined)) report(problem);
    const context = contextOf(resources);
    if (!context) return;
    plans.forEach((plan, index) => {
      for (const problem of judged(() => planProblems(views[index], context), [])) report(problem, plan.urn);
    });
  },
});

const regionSwitchRolePermissions = asyncStackPolicy({
  name: "dr-region-switch-role-permissions",
  description:
    "DR invariant 16: the Region switch plan's execution role trusts arc-region-switch.amazonaws.com and allows every request of the plan's execution blocks on the resources they name (ARC Developer Guide, execution block sample policies), as the IAM policy simulator evaluates the role's policies (design: invariants/regionSwitch.ts)",
  check: async (resources, report) => {
    const context = contextOf(resources);
    if (!context) return;
    for (const plan of ofType(resources, REGION_SWITCH_PLAN)) {
      const view = context.resources.find((resource) => resource.urn === plan.urn)!;
      try {
        for (const problem of await permissionProblems(view, context, resources)) report(problem, plan.urn);
      } catch (error) {
        if (!isUnknownValue(error)) throw error;
      }
    }
  },
});

/**
 * The plan's permission problems as the simulator decides them: the execution role missing or not
 * trusting ARC Region switch, then one message per request a role does not allow. Roles whose policies
 * are not all declared in this stack are not judged (`rolePoliciesOf` `unknown`).
 */
export async function permissionProblems(plan: ResourceView, context: RegionSwitchContext, resources: PolicyResource[]): Promise<string[]> {
  const role = executionRoleOf(plan, context.resources);
  if (!role) return [`${plan.name}: its executionRole ${String(plan.props.executionRole)} is not a role of this stack; declare it with the DR stack`];
  const problems: string[] = [];
  if (!trusts(role.props.assumeRolePolicy, ARC_REGION_SWITCH_PRINCIPAL))
    problems.push(`${role.name}: its trust policy does not let ${ARC_REGION_SWITCH_PRINCIPAL} assume it; ARC Region switch could not run the plan`);
  const decided = new Map<string, Promise<string>>();
  for (const request of blockRequests(plan, context)) {
    const roleArn = request.role === "execution" ? String(role.props.arn) : request.role;
    const arn = /^arn:[a-z-]+:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
    if (!arn) continue;
    const policies = rolePoliciesOf(resources, roleArn);
    if (policies.unknown) continue;
    // A KMS key's own policy must allow the request too: the simulator needs it (keyPolicyOf); a key outside the stack is not judged.
    const keyPolicy = keyPolicyOf(resources, request.resource);
    if (keyPolicy === "unknown") continue;
    const key = JSON.stringify([roleArn, request.action, request.resource, request.context ?? {}]);
    if (!decided.has(key))
      decided.set(key, simulate({ action: request.action, resource: request.resource, context: request.context }, policies, roleArn, arn[1], keyPolicy));
    const decision = await decided.get(key)!;
    if (decision !== "Allowed") problems.push(requestMessage(plan, request, arn[2], decision));
  }
  return problems;
}

/** Pulumi type of a KMS key. */
const KMS_KEY = "aws:kms/key:Key";

/**
 * The key policy of the KMS key `resource` names, for the simulator: KMS evaluates the key policy with the
 * caller's IAM policies, and an IAM policy alone grants nothing on a key whose policy does not allow the
 * account to delegate (AWS KMS Developer Guide, "Key policies in AWS KMS", "Allows access to the AWS account
 * and enables IAM policies"). Undefined for a resource that is not a KMS key; `unknown` for a key not
 * declared in this stack, or whose policy is not known yet (judged at the next preview). A key declared
 * without a policy has KMS's default one, which allows the account (same page, "Default key policy").
 */
export function keyPolicyOf(resources: PolicyResource[], resource: string): unknown {
  if (!/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\//.test(resource)) return undefined;
  const key = ofType(resources, KMS_KEY).find((candidate) => candidate.props.arn === resource);
  if (!key) return "unknown";
  const policy = key.props.policy;
  if (policy === undefined || policy === "") {
    const [, partition, , , account] = resource.split(":");
    return {
      Version: "2012-10-17",
      Statement: [
        { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      ],
    };
  }
  if (typeof policy !== "string") return "unknown";
  try {
    return JSON.parse(policy);
  } catch {
    return "unknown";
  }
}

/** The Region switch policies (module comment). */
export const regionSwitchPolicies: Policies = [regionSwitchPlan, regionSwitchRolePermissions];
