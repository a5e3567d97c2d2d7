/**
 * Runs the pack's policies on a synthesized stack plan, offline, the way the Pulumi engine runs them
 * during `pulumi preview`: each resource policy on each resource's inputs, each stack policy once on
 * all resources (their outputs), with parents, providers and (property) dependencies linked. It
 * applies a policy-pack config file as `--policy-pack-config` does: `all` and per-policy enforcement
 * levels, and per-policy thresholds over the schema defaults.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyConfigSchema,
  PolicyProviderResource,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import { ALL_POLICIES } from "./policies";

/** A policy-pack config file: `all` and each policy name to a level, or to `{ enforcementLevel?, ...thresholds }`. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface PolicyViolation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory";
  /** Logical name of the resource, or undefined for a stack-wide finding. */
  resource?: string;
  message: string;
}

export interface StackPolicyReport {
  stack: string;
  /** Policies that ran (not disabled). */
  policiesRun: number;
  /** Names of the policies that ran and found nothing. */
  passed: string[];
  violations: PolicyViolation[];
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function isResourcePolicy(policy: Policies[number]): policy is ResourceValidationPolicy {
  return "validateResource" in policy;
}

/**
 * Checks a policy-pack config against the pack: known policy names, valid levels, and each
 * threshold declared by the policy's schema with the right JSON type (and minimum).
 * @returns the problems, each naming the key, what is wrong and the fix; empty when valid.
 */
export function packConfigProblems(config: PolicyPackConfig, policies: Policies = ALL_POLICIES): string[] {
  const problems: string[] = [];
  const byName = new Map(policies.map((policy) => [policy.name, policy]));
  for (const [name, value] of Object.entries(config)) {
    const policy = byName.get(name);
    if (name !== "all" && !policy) {
      problems.push(`${name}: is not a policy of this pack; check the spelling against the policy table in docs/policy-pack.md`);
      continue;
    }
    if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      problems.push(`${name}: ${JSON.stringify(value)} is neither an enforcement level nor an object of enforcementLevel and settings`);
      continue;
    }
    const level = typeof value === "string" ? value : value.enforcementLevel;
    if (level !== undefined && !LEVELS.includes(level)) problems.push(`${name}.enforcementLevel: ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`);
    if (typeof value !== "object") continue;
    if (name === "all") {
      for (const key of Object.keys(value).filter((key) => key !== "enforcementLevel"))
        problems.push(`all.${key}: only enforcementLevel may be set for all policies`);
      continue;
    }
    const properties = (policy!.configSchema as PolicyConfigSchema | undefined)?.properties ?? {};
    for (const [key, setting] of Object.entries(value).filter(([key]) => key !== "enforcementLevel")) {
      const declared = properties[key] as { type?: string; minimum?: number; items?: { type?: string } } | undefined;
      if (!declared) {
        problems.push(
          `${name}.${key}: is not a setting of this policy${Object.keys(properties).length ? `; it has ${Object.keys(properties).join(", ")}` : "; it has none"}`,
        );
        continue;
      }
      const typeOk =
        declared.type === "integer"
          ? Number.isInteger(setting)
          : declared.type === "array"
            ? Array.isArray(setting) && setting.every((item) => typeof item === (declared.items?.type ?? "string"))
            : typeof setting === declared.type;
      if (!typeOk)
        problems.push(
          `${name}.${key}: ${JSON.stringify(setting)} is not ${declared.type === "array" ? `a list of ${declared.items?.type}s` : `a${declared.type === "integer" ? "n" : ""} ${declared.type}`}`,
        );
      else if (declared.minimum !== undefined && (setting as number) < declared.minimum)
        problems.push(`${name}.${key}: ${setting} is below the minimum ${declared.minimum}`);
    }
  }
  return problems;
}

/** The effective enforcement level of a policy under a config, as the engine computes it. */
export function enforcementLevelOf(policy: Policies[number], config: PolicyPackConfig): EnforcementLevel {
  const levelIn = (value: PolicyPackConfig[string] | undefined) => (typeof value === "string" ? value : value?.enforcementLevel);
  return levelIn(config[policy.name]) ?? levelIn(config.all) ?? policy.enforcementLevel ?? "advisory";
}

/** A policy's thresholds from the config (without its enforcement level). */
function settingsOf(policy: Policies[number], config: PolicyPackConfig): Record<string, unknown> {
  const value = config[policy.name];
  if (typeof value !== "object" || value === null) return {};
  const { enforcementLevel: _level, ...settings } = value;
  return settings;
}

class NotApplicable extends Error {}

/** An invalid policy-pack config; `problems` name each key, what is wrong and the fix. */
export class PolicyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid policy-pack config:\n  - ${problems.join("\n  - ")}`);
    this.name = "PolicyConfigError";
  }
}

/** The stack's resources as the engine hands them to stack policies: outputs as props, links resolved. */
export function policyResourcesOf(
  plan: StackPlan,
  props: (resource: PlannedResource) => Record<string, unknown> = (resource) => resource.outputs,
): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const providers = new Map<string, PolicyProviderResource>(
    plan.resources
      .filter((resource) => resource.type.startsWith("pulumi:providers:"))
      .map((resource) => [resource.urn, { type: resource.type, name: resource.name, urn: resource.urn, props: resource.inputs }]),
  );
  const converted = plan.resources.map((resource) => {
    const policyResource: PolicyResource = {
      type: resource.type,
      name: resource.name,
      urn: resource.urn,
      props: props(resource),
      opts: {
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        parent: resource.parentUrn,
      },
      provider: resource.providerUrn ? providers.get(resource.providerUrn) : undefined,
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => (resourceClass as unknown as { __pulumiType?: string }).__pulumiType === resource.type,
      asType: () => undefined,
    };
    byUrn.set(resource.urn, policyResource);
    return policyResource;
  });
  plan.resources.forEach((resource, index) => {
    const target = converted[index];
    target.parent = resource.parentUrn ? byUrn.get(resource.parentUrn) : undefined;
    const link = (urns: string[]) => urns.map((urn) => byUrn.get(urn)).filter((found): found is PolicyResource => found !== undefined);
    target.dependencies = link(resource.dependencies ?? []);
    target.propertyDependencies = Object.fromEntries(Object.entries(resource.propertyDependencies ?? {}).map(([key, urns]) => [key, link(urns)]));
  });
  return converted;
}

/**
 * Runs every enabled policy on one synthesized stack.
 * @throws PolicyConfigError listing the config's problems when it is invalid (before any policy runs).
 */
export async function evaluatePolicies(plan: StackPlan, config: PolicyPackConfig = {}, policies: Policies = ALL_POLICIES): Promise<StackPolicyReport> {
  const problems = packConfigProblems(config, policies);
  if (problems.length > 0) throw new PolicyConfigError(problems);
  const withInputs = policyResourcesOf(plan, (resource) => resource.inputs);
  const withOutputs = policyResourcesOf(plan);
  const violations: PolicyViolation[] = [];
  const passed: string[] = [];
  let policiesRun = 0;
  for (const policy of policies) {
    const level = enforcementLevelOf(policy, config);
    if (level === "disabled") continue;
    policiesRun += 1;
    const reported = level === "advisory" ? "advisory" : "mandatory";
    const before = violations.length;
    const getConfig = <T extends object>() => settingsOf(policy, config) as T;
    const notApplicable = (reason?: string): never => {
      throw new NotApplicable(reason);
    };
    const nameOf = new Map(withOutputs.map((resource) => [resource.urn, resource.name]));
    if (isResourcePolicy(policy)) {
      const validations = [policy.validateResource ?? []].flat();
      for (const resource of withInputs) {
        const args: ResourceValidationArgs = {
          type: resource.type,
          name: resource.name,
          urn: resource.urn,
          props: resource.props,
          opts: resource.opts,
          provider: resource.provider,
          stackTags: new Map(),
          isType: resource.isType,
          asType: () => undefined,
          getConfig,
          notApplicable,
        };
        for (const validate of validations) {
          try {
            await validate(args, (message, urn) =>
              violations.push({ policy: policy.name, enforcementLevel: reported, resource: nameOf.get(urn ?? resource.urn), message }),
            );
          } catch (error) {
            if (!(error instanceof NotApplicable)) throw error;
          }
        }
      }
    } else {
      try {
        await (policy as StackValidationPolicy).validateStack({ resources: withOutputs, stackTags: new Map(), getConfig, notApplicable }, (message, urn) =>
          violations.push({ policy: policy.name, enforcementLevel: reported, resource: urn ? nameOf.get(urn) : undefined, message }),
        );
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    }
    if (violations.length === before) passed.push(policy.name);
  }
  return { stack: plan.stack, policiesRun, passed, violations };
}
