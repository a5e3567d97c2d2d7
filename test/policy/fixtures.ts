/**
 * Test fixtures for the policy pack: a small stack plan built from hand-written resources (names
 * stand in for URNs, dependencies name other fixtures), run through the same offline evaluator
 * that `npm run synth` uses, one policy at a time.
 */
import * as path from "node:path";
import { evaluatePolicies, type PolicyViolation } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import type { SynthesisResult } from "../../synth/synthesize";
import { synthesizedOnce } from "../fixtures/synthesis";

export interface FixtureResource {
  type: string;
  name: string;
  /** Inputs and outputs alike (a stack policy reads outputs, a resource policy inputs). */
  props: Record<string, unknown>;
  /** Region of the resource's provider; default the stack's region. */
  region?: string;
  protect?: boolean;
  /** Name of the parent fixture. */
  parent?: string;
  /** Input name -> names of the fixtures its value came from. */
  propertyDependencies?: Record<string, string[]>;
}

const urnOf = (stack: string, name: string) => `urn:pulumi:${stack}::multi-region-dr::fixture::${name}`;

/** A stack plan of the fixtures, with one AWS provider per region used. */
export function planOf(resources: FixtureResource[], stack = "dr", region = "us-west-2"): StackPlan {
  const regions = [...new Set([region, ...resources.map((resource) => resource.region ?? region)])];
  const providers: PlannedResource[] = regions.map((providerRegion) => ({
    urn: urnOf(stack, `provider-${providerRegion}`),
    type: "pulumi:providers:aws",
    name: `provider-${providerRegion}`,
    region: providerRegion,
    custom: true,
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    dependencies: [],
    propertyDependencies: {},
    inputs: { region: providerRegion },
    id: providerRegion,
    outputs: { region: providerRegion },
  }));
  const planned: PlannedResource[] = resources.map((resource) => {
    const propertyDependencies = Object.fromEntries(
      Object.entries(resource.propertyDependencies ?? {}).map(([key, names]) => [key, names.map((name) => urnOf(stack, name))]),
    );
    return {
      urn: urnOf(stack, resource.name),
      type: resource.type,
      name: resource.name,
      parent: resource.parent,
      parentUrn: resource.parent ? urnOf(stack, resource.parent) : undefined,
      providerUrn: urnOf(stack, `provider-${resource.region ?? region}`),
      region: resource.region ?? region,
      custom: true,
      protect: resource.protect ?? false,
      retainOnDelete: false,
      ignoreChanges: [],
      dependencies: [...new Set(Object.values(propertyDependencies).flat())],
      propertyDependencies,
      inputs: resource.props,
      id: resource.name,
      outputs: resource.props,
    };
  });
  return { project: "multi-region-dr", stack, role: "dr", region, resources: [...providers, ...planned], outputs: {} };
}

/**
 * Runs one policy of the pack on the fixtures.
 * @param settings the policy's config entry (thresholds and/or enforcementLevel), as in a policy-pack config file.
 * @returns the violations' messages.
 * @throws Error when no policy has that name.
 */
export async function violationsOf(policyName: string, resources: FixtureResource[], settings?: Record<string, unknown>, region?: string): Promise<string[]> {
  return (await violationDetailsOf(policyName, resources, settings, region)).map((violation) => violation.message);
}

export async function violationDetailsOf(
  policyName: string,
  resources: FixtureResource[],
  settings?: Record<string, unknown>,
  region?: string,
): Promise<PolicyViolation[]> {
  const policy = ALL_POLICIES.filter((candidate) => candidate.name === policyName);
  if (policy.length !== 1) throw new Error(`no policy named ${policyName}`);
  const report = await evaluatePolicies(planOf(resources, "dr", region), settings ? { [policyName]: settings as never } : {}, policy);
  return report.violations;
}

let synthesized: Promise<SynthesisResult> | undefined;

/**
 * Both stacks synthesized from the repository's stack files (once per test process, shared with the
 * other files through test/fixtures/synthesis.ts); every caller gets this one copy, so copy before changing it.
 */
export function synthesizedStacks(): Promise<SynthesisResult> {
  synthesized ??= synthesizedOnce({ projectDirectory: path.join(__dirname, "..", "..") });
  return synthesized;
}

/**
 * A synthesized plan's resources as policy fixtures, as a stack policy reads them: outputs over
 * inputs as props (a fresh copy), each resource's region, protect flag and property dependencies (by name).
 */
export function fixturesOf(plan: StackPlan): FixtureResource[] {
  const names = new Map(plan.resources.map((resource) => [resource.urn, resource.name]));
  return plan.resources
    .filter((resource) => !resource.type.startsWith("pulumi:providers:"))
    .map((resource) => ({
      type: resource.type,
      name: resource.name,
      props: copyOf({ ...resource.inputs, ...resource.outputs }),
      region: resource.region,
      protect: resource.protect,
      propertyDependencies: Object.fromEntries(
        Object.entries(resource.propertyDependencies).map(([key, urns]) => [
          key,
          urns.map((urn) => names.get(urn)).filter((name): name is string => name !== undefined),
        ]),
      ),
    }));
}

/** A deep copy of a plan, to break in one test without touching the others. */
export function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
