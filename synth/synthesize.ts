/**
 * Offline synthesis: runs the real program (`index.ts`) for the primary stack and then the DR stack
 * under Pulumi's mock runtime, each with its own stack file's config, the DR StackReference fed from
 * the primary run's outputs; then judges the pair against the DR invariants and each stack against
 * the CrossGuard policy pack (`policy/`), run offline on the synthesized resources.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type Strategy } from "../config/strategies";
import { checkDrInvariants, type InvariantResult } from "../invariants";
import { evaluatePolicies, type PolicyPackConfig, type StackPolicyReport } from "../policy/offline";
import { recordStack, type StackPlan } from "./recordStack";
import { readProjectName, readStackConfigFile, stackNameOf } from "./stackFile";

export interface SynthesizeArgs {
  /** Folder holding Pulumi.yaml and index.ts (the repository root). */
  projectDirectory: string;
  /** Stack files, default `Pulumi.primary.yaml` and `Pulumi.dr.yaml` in the project folder. */
  primaryStackFile?: string;
  drStackFile?: string;
  /** The policy pack's config (as a `--policy-pack-config` file holds it); default: the pack's defaults. */
  policyConfig?: PolicyPackConfig;
  /** Synthesize with this `recovery.strategy` in both stacks instead of the stack files' (`npm run synth -- --strategy`). */
  strategy?: Strategy;
}

/**
 * A stack's flat config with `recovery.strategy` replaced, the other recovery keys kept.
 * @throws Error when the stack file's `recovery` value is not an object.
 */
export function withStrategy(config: Record<string, string>, project: string, strategy: Strategy): Record<string, string> {
  const key = `${project}:recovery`;
  const recovery: unknown = config[key] === undefined ? {} : JSON.parse(config[key]);
  if (typeof recovery !== "object" || recovery === null || Array.isArray(recovery)) throw new Error(`${key} must be an object to set its strategy`);
  return { ...config, [key]: JSON.stringify({ ...recovery, strategy }) };
}

export interface SynthesisResult {
  primary: StackPlan;
  dr: StackPlan;
  invariants: InvariantResult[];
  /** The policy pack's findings on each stack. */
  policies: { primary: StackPolicyReport; dr: StackPolicyReport };
  /** Wall-clock time of each stack's run, of the invariant checks and of the policy pack, milliseconds. */
  timings: { primaryMilliseconds: number; drMilliseconds: number; invariantsMilliseconds: number; policiesMilliseconds: number };
}

type Program = () => Promise<Record<string, unknown>>;

async function runStack(
  projectDirectory: string,
  project: string,
  stackFile: string,
  stackReferenceOutputs: Record<string, Record<string, unknown>>,
  strategy: Strategy | undefined,
): Promise<StackPlan> {
  const stack = stackNameOf(stackFile);
  const fileConfig = readStackConfigFile(stackFile);
  const config = strategy ? withStrategy(fileConfig, project, strategy) : fileConfig;
  return recordStack({
    project,
    stack,
    role: config[`${project}:role`] ?? "unknown",
    region: config["aws:region"] ?? "unknown",
    stackReferenceOutputs,
    program: () => {
      pulumi.runtime.setAllConfig(config);
      // The entry point's export is the program (Pulumi calls it); load it after the mocks are set.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const program = require(path.join(projectDirectory, "index.ts")) as Program;
      return program();
    },
  });
}

/**
 * Synthesizes both stacks, checks the DR invariants on the pair and runs the policy pack on each stack.
 * @throws ConfigError for invalid config or primary outputs, as the real `pulumi up` would.
 * @throws Error for an invalid policy-pack config.
 */
export function synthesize(args: SynthesizeArgs): Promise<SynthesisResult> {
  // Pulumi's mock runtime is global to the process: two syntheses at once would read each other's
  // config and outputs, so calls run one after another.
  const run = queue.then(() => synthesizeNow(args));
  queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

let queue: Promise<void> = Promise.resolve();

async function synthesizeNow(args: SynthesizeArgs): Promise<SynthesisResult> {
  const project = readProjectName(args.projectDirectory);
  const primaryFile = args.primaryStackFile ?? path.join(args.projectDirectory, "Pulumi.primary.yaml");
  const drFile = args.drStackFile ?? path.join(args.projectDirectory, "Pulumi.dr.yaml");
  const drConfig = readStackConfigFile(drFile);
  const primaryStackName = drConfig[`${project}:primaryStack`];

  const started = performance.now();
  const primary = await runStack(args.projectDirectory, project, primaryFile, {}, args.strategy);
  const primaryDone = performance.now();
  const referenced = primaryStackName ? { [primaryStackName]: primary.outputs } : {};
  const dr = await runStack(args.projectDirectory, project, drFile, referenced, args.strategy);
  const drDone = performance.now();
  const invariants = checkDrInvariants({ primary, dr });
  const invariantsDone = performance.now();
  const policies = { primary: await evaluatePolicies(primary, args.policyConfig), dr: await evaluatePolicies(dr, args.policyConfig) };
  const finished = performance.now();
  return {
    primary,
    dr,
    invariants,
    policies,
    timings: {
      primaryMilliseconds: primaryDone - started,
      drMilliseconds: drDone - primaryDone,
      invariantsMilliseconds: invariantsDone - drDone,
      policiesMilliseconds: finished - invariantsDone,
    },
  };
}
