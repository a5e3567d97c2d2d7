/**
 * `npm run synth:mutations`: measures what the policy pack catches (issue 19's figure). It synthesizes
 * the pair twice, the default stack files (engine mode `instance`: RDS PostgreSQL with a cross-region
 * read replica) and `examples/aurora-global` (mode `aurora`), then, for each engine mode, applies each
 * kept mutation (`synth/mutations/list.ts`) to a deep copy of the plans and runs the whole pack
 * (`ALL_POLICIES`, default config) offline on the mutated stack. A mutation is CAUGHT when at least one
 * mandatory violation appears that the unmutated stack did not have. The DR invariants are run on the
 * mutated pair too and printed beside a MISSED mutation (they fail `npm run synth`, not a preview).
 *
 * Usage: tsx synth/mutations.ts [--json FILE] [--out DIR] [--only NAME ...]
 *   --json FILE   also write the results as JSON
 *   --out DIR     also write each mode's unmutated plans to DIR/<mode>/ (nothing is written otherwise)
 * Exit codes: 0 measured (whatever the figure); 1 a mutation does not apply or changes nothing, or bad options.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { checkDrInvariants } from "../invariants";
import { evaluatePolicies, type PolicyViolation } from "../policy/offline";
import type { StackPlan } from "./recordStack";
import { type EngineMode, type Mutation, type PlanPair } from "./mutations/kit";
import { MUTATIONS } from "./mutations/list";
import { synthesize, type SynthesisResult, type SynthesizeArgs } from "./synthesize";

/** Where each engine mode's pair comes from, relative to the repository root (undefined: the default stack files). */
export const MODE_PAIRS: Record<EngineMode, { primary?: string; dr?: string }> = {
  instance: {},
  aurora: { primary: "examples/aurora-global/Pulumi.primary.yaml", dr: "examples/aurora-global/Pulumi.dr.yaml" },
};

/** What one mutation did on one engine mode. */
export interface MutationOutcome {
  mutation: string;
  mode: EngineMode;
  side: "primary" | "dr";
  caught: boolean;
  /** The policies with a new mandatory violation on the mutated stack. */
  policies: string[];
  /** New advisory-only findings (they do not count as caught). */
  advisoryPolicies: string[];
  /** DR invariants (by title) that the mutated pair fails and the unmutated pair passed. */
  invariants: string[];
  /** Why it could not be measured: it did not apply, or left the plan unchanged. */
  error?: string;
}

/** One engine mode's figure. */
export interface ModeFigure {
  mode: EngineMode;
  caught: number;
  total: number;
  percent: number;
}

const violationKey = (violation: PolicyViolation) => `${violation.policy}\u0000${violation.resource ?? ""}\u0000${violation.message}`;

/**
 * Applies one mutation to a deep copy of `pair` and judges the mutated stack against the unmutated one.
 * A mutation that throws, or that leaves its stack's plan unchanged, is reported with `error` (not caught).
 */
export async function measureMutation(
  mutation: Mutation,
  mode: EngineMode,
  pair: PlanPair,
  baseline: { violations: Record<"primary" | "dr", Set<string>>; failedInvariants: Set<string> },
): Promise<MutationOutcome> {
  const outcome: MutationOutcome = { mutation: mutation.name, mode, side: mutation.side, caught: false, policies: [], advisoryPolicies: [], invariants: [] };
  const mutated: PlanPair = structuredClone(pair);
  try {
    mutation.apply(mutated, mode);
  } catch (error) {
    return { ...outcome, error: `does not apply: ${(error as Error).message}` };
  }
  const target: StackPlan = mutated[mutation.side];
  if (JSON.stringify(target) === JSON.stringify(pair[mutation.side])) return { ...outcome, error: "changes nothing in the plan" };
  const report = await evaluatePolicies(target);
  const fresh = report.violations.filter((violation) => !baseline.violations[mutation.side].has(violationKey(violation)));
  const unique = (items: string[]) => [...new Set(items)].sort();
  outcome.policies = unique(fresh.filter((violation) => violation.enforcementLevel === "mandatory").map((violation) => violation.policy));
  outcome.advisoryPolicies = unique(fresh.filter((violation) => violation.enforcementLevel === "advisory").map((violation) => violation.policy));
  outcome.caught = outcome.policies.length > 0;
  outcome.invariants = checkDrInvariants(mutated)
    .filter((result) => result.violations.length > 0 && !baseline.failedInvariants.has(result.title))
    .map((result) => result.title);
  return outcome;
}

/** Runs every mutation of `mutations` that applies to `mode` on `pair`. */
export async function measureMode(mode: EngineMode, pair: PlanPair, mutations: readonly Mutation[] = MUTATIONS): Promise<MutationOutcome[]> {
  const violations = {
    primary: new Set((await evaluatePolicies(pair.primary)).violations.map(violationKey)),
    dr: new Set((await evaluatePolicies(pair.dr)).violations.map(violationKey)),
  };
  const failedInvariants = new Set(
    checkDrInvariants(pair)
      .filter((result) => result.violations.length > 0)
      .map((result) => result.title),
  );
  const outcomes: MutationOutcome[] = [];
  for (const mutation of mutations.filter((candidate) => candidate.modes.includes(mode))) {
    outcomes.push(await measureMutation(mutation, mode, pair, { violations, failedInvariants }));
  }
  return outcomes;
}

/** caught / total and the percentage (one decimal) of a mode's outcomes. */
export function figureOf(mode: EngineMode, outcomes: MutationOutcome[]): ModeFigure {
  const caught = outcomes.filter((outcome) => outcome.caught).length;
  const total = outcomes.length;
  return { mode, caught, total, percent: total === 0 ? 0 : Math.round((caught / total) * 1000) / 10 };
}

/**
 * Synthesizes one engine mode's pair, its `MODE_PAIRS` stack files (no file is written).
 * @param projectDirectory the repository root, which `MODE_PAIRS` paths are relative to.
 * @param run what synthesizes the pair: `synthesize` by default; tests pass their cached
 *   equivalent (test/fixtures/synthesis.ts `synthesizedOnce`) to share one run per mode.
 * @throws (rejects with) whatever `run` raises: StackFileError, ConfigError, PolicyConfigError.
 */
export async function synthesizeMode(
  mode: EngineMode,
  projectDirectory: string,
  run: (args: SynthesizeArgs) => Promise<SynthesisResult> = synthesize,
): Promise<PlanPair> {
  const files = MODE_PAIRS[mode];
  const result = await run({
    projectDirectory,
    ...(files.primary ? { primaryStackFile: path.join(projectDirectory, files.primary) } : {}),
    ...(files.dr ? { drStackFile: path.join(projectDirectory, files.dr) } : {}),
  });
  return { primary: result.primary, dr: result.dr };
}

/** One printed line per mutation. */
export function describeOutcome(outcome: MutationOutcome): string {
  const head = `${outcome.mode.padEnd(8)} ${outcome.side.padEnd(7)} ${outcome.mutation}`;
  if (outcome.error) return `[ERROR ] ${head}: ${outcome.error}`;
  if (outcome.caught) return `[caught] ${head}: ${outcome.policies.join(", ")}`;
  const notes = [
    outcome.advisoryPolicies.length ? `advisory only: ${outcome.advisoryPolicies.join(", ")}` : "",
    outcome.invariants.length ? `DR invariants fail: ${outcome.invariants.join("; ")}` : "",
  ].filter(Boolean);
  return `[MISSED] ${head}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { json: { type: "string" }, out: { type: "string" }, only: { type: "string", multiple: true } },
    strict: true,
  });
  const projectDirectory = path.resolve(__dirname, "..");
  const unknown = (values.only ?? []).filter((name) => !MUTATIONS.some((mutation) => mutation.name === name));
  if (unknown.length > 0) {
    console.error(`--only: no mutation named ${unknown.join(", ")}; see synth/mutations/list.ts`);
    return 1;
  }
  const chosen = values.only ? MUTATIONS.filter((mutation) => values.only!.includes(mutation.name)) : MUTATIONS;
  const all: MutationOutcome[] = [];
  const figures: ModeFigure[] = [];
  for (const mode of Object.keys(MODE_PAIRS) as EngineMode[]) {
    const pair = await synthesizeMode(mode, projectDirectory);
    if (values.out) {
      const folder = path.resolve(values.out, mode);
      mkdirSync(folder, { recursive: true });
      for (const plan of [pair.primary, pair.dr]) writeFileSync(path.join(folder, `${plan.stack}.plan.json`), `${JSON.stringify(plan, null, 2)}\n`);
    }
    const outcomes = await measureMode(mode, pair, chosen);
    for (const outcome of outcomes) console.log(describeOutcome(outcome));
    all.push(...outcomes);
    figures.push(figureOf(mode, outcomes));
  }
  console.log("== mutations caught as mandatory by the policy pack");
  for (const figure of figures) console.log(`   ${figure.mode}: ${figure.caught} / ${figure.total} = ${figure.percent.toFixed(1)}%`);
  if (values.json) writeFileSync(path.resolve(values.json), `${JSON.stringify({ figures, outcomes: all }, null, 2)}\n`);
  return all.some((outcome) => outcome.error) ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).stack ?? String(error));
      process.exit(1);
    },
  );
}
