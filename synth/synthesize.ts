/**
 * Offline synthesis: runs the real program (`index.ts`) for the primary stack and then the DR stack
 * under Pulumi's mock runtime, each with its own stack file's config, the DR StackReference fed from
 * the primary run's outputs; then judges the pair against the DR invariants and each stack against
 * the CrossGuard policy pack (`policy/`), run offline on the synthesized resources.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigProblem } from "../config/errors";
import { primaryStackProblem } from "../config/schema";
import { type Strategy } from "../config/strategies";
import { checkDrInvariants, type InvariantResult } from "../invariants";
import { evaluatePolicies, type PolicyPackConfig, type StackPolicyReport } from "../policy/offline";
import { skipPulumiPromiseTraces } from "./promiseTraces";
import { recordStack, type StackPlan } from "./recordStack";
import { displayPath, readProjectName, readStackConfigFile, StackFileError, stackNameOf } from "./stackFile";

// Offline synthesis captures no Pulumi promise-leak traces unless asked (synth/promiseTraces.ts): they were most of its CPU.
skipPulumiPromiseTraces();

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
 * @throws ConfigError when the stack file's `recovery` value is not a mapping.
 */
export function withStrategy(config: Record<string, string>, project: string, strategy: Strategy): Record<string, string> {
  const key = `${project}:recovery`;
  const recovery = config[key] === undefined ? {} : parseConfigValue(config[key]);
  if (typeof recovery !== "object" || recovery === null || Array.isArray(recovery)) {
    throw new ConfigError(`Cannot set recovery.strategy to ${strategy}`, [
      { key, value: recovery, message: "must be a mapping (strategy, rtoSeconds, ...) for --strategy to set its strategy" },
    ]);
  }
  return { ...config, [key]: JSON.stringify({ ...recovery, strategy }) };
}

/** Pulumi hands structured values as JSON text and scalars as plain text. */
function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One stack file of the pair, read. */
export interface StackFileConfig {
  /** The file, `Pulumi.<stack>.yaml`. */
  file: string;
  /** Its flat config, as `readStackConfigFile` returns it. */
  config: Record<string, string>;
}

/**
 * Checks that the two stack files make a pair before either stack runs: two files, each with config, the
 * primary file has `role: primary` and the DR file `role: dr` (not swapped, not both the same), and
 * the DR file's `primaryStack` names the primary stack being synthesized, as the DR stack's
 * StackReference would need it in a real deploy: the stack of the primary file's name alone
 * (`primary`, which the program qualifies with the DR stack's organization and project when it runs,
 * `config/load.ts` `resolvePrimaryStack`), or `<organization>/<project>/<stack>` with the project of
 * `Pulumi.yaml`. Offline there is no backend, so any organization passes here; whether it fits the
 * backend is checked when the DR stack runs. A missing or invalid role, or a malformed
 * `primaryStack`, is left to the config validation, which names those.
 * @throws StackFileError for a file without config; ConfigError for one file given twice, the roles or `primaryStack`.
 */
export function checkStackPair(project: string, primary: StackFileConfig, dr: StackFileConfig): void {
  const roleKey = `${project}:role`;
  if (path.resolve(primary.file) === path.resolve(dr.file)) {
    throw new ConfigError(`The primary and the DR stack file are the same file, ${displayPath(primary.file)}`, [
      {
        key: roleKey,
        value: primary.config[roleKey],
        message: "pass the primary stack's file (role primary) as --primary and the DR stack's (role dr) as --dr",
      },
    ]);
  }
  for (const side of [primary, dr]) {
    if (Object.keys(side.config).length === 0) {
      throw new StackFileError(side.file, "has no settings under `config:`; a stack file sets at least aws:region and multi-region-dr:role there");
    }
  }
  const primaryRole = primary.config[roleKey];
  const drRole = dr.config[roleKey];
  const primaryName = displayPath(primary.file);
  const drName = displayPath(dr.file);
  const primaryProblem: ConfigProblem = { key: roleKey, value: primaryRole, message: `in the primary stack file (--primary) ${primaryName}` };
  const drProblem: ConfigProblem = { key: roleKey, value: drRole, message: `in the DR stack file (--dr) ${drName}` };
  if (primaryRole === "dr" && drRole === "primary") {
    throw new ConfigError(`The primary and DR stack files are swapped; swap them: --primary ${drName} --dr ${primaryName}`, [primaryProblem, drProblem]);
  }
  if (primaryRole === "dr" || drRole === "primary") {
    const same = primaryRole === drRole;
    const context =
      primaryRole === "dr"
        ? same
          ? `Both stack files have role dr: pass the primary stack's file (role primary) as --primary instead of ${primaryName}`
          : `The primary stack file ${primaryName} is a DR stack file (role dr): pass it as --dr, and the primary stack's file (role primary) as --primary`
        : same
          ? `Both stack files have role primary: pass the DR stack's file (role dr) as --dr instead of ${drName}`
          : `The DR stack file ${drName} is a primary stack file (role primary): pass it as --primary, and the DR stack's file (role dr) as --dr`;
    throw new ConfigError(context, [primaryProblem, drProblem]);
  }

  const referenceKey = `${project}:primaryStack`;
  const reference = dr.config[referenceKey];
  if (reference === undefined || primaryStackProblem(reference) !== undefined) return;
  const parts = reference.split("/");
  const primaryStack = stackNameOf(primary.file);
  const expected = parts.length === 3 ? `${parts[0]}/${project}/${primaryStack}` : primaryStack;
  if (reference === expected) return;
  const origin = `project ${project} from Pulumi.yaml, stack ${primaryStack} from the primary stack file's name ${path.basename(primary.file)}`;
  const message =
    parts.length === 3
      ? `set it to ${expected} (<organization>/<project>/<stack>: ${origin}), or to ${primaryStack} alone, which the DR stack qualifies with its own organization and project`
      : `set it to ${expected} (the primary stack file's name ${path.basename(primary.file)}, which the DR stack qualifies with its own organization and project), or to <organization>/${project}/${primaryStack}`;
  throw new ConfigError(`Invalid configuration for stack "${stackNameOf(dr.file)}" (${drName})`, [
    {
      key: referenceKey,
      value: reference,
      message: `does not name the primary stack being synthesized, so a real deploy's StackReference would not find it; ${message}`,
    },
  ]);
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
  stackFile: StackFileConfig,
  stackReferenceOutputs: Record<string, Record<string, unknown>>,
  strategy: Strategy | undefined,
): Promise<StackPlan> {
  const stack = stackNameOf(stackFile.file);
  const config = strategy ? withStrategy(stackFile.config, project, strategy) : stackFile.config;
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
 * @throws StackFileError (a ConfigError) for a project or stack file that cannot be read as one.
 * @throws ConfigError for invalid config, stack files that do not make a pair (`checkStackPair`) or
 *   invalid primary outputs, as the real `pulumi up` would.
 * @throws PolicyConfigError for an invalid policy-pack config.
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
  const read = (file: string): StackFileConfig => {
    stackNameOf(file);
    return { file, config: readStackConfigFile(file) };
  };
  const primaryFile = read(args.primaryStackFile ?? path.join(args.projectDirectory, "Pulumi.primary.yaml"));
  const drFile = read(args.drStackFile ?? path.join(args.projectDirectory, "Pulumi.dr.yaml"));
  checkStackPair(project, primaryFile, drFile);
  const primaryStackName = drFile.config[`${project}:primaryStack`];

  const started = performance.now();
  const primary = await runStack(args.projectDirectory, project, primaryFile, {}, args.strategy);
  const primaryDone = performance.now();
  const referenced = primaryStackName ? { [primaryStackName]: primary.outputs } : {};
  const dr = await runStack(args.projectDirectory, project, drFile, referenced, args.strategy);
  const drDone = performance.now();
  const judged = await judgeStacks({ primary, dr }, args.policyConfig);
  return {
    primary,
    dr,
    invariants: judged.invariants,
    policies: judged.policies,
    timings: { primaryMilliseconds: primaryDone - started, drMilliseconds: drDone - primaryDone, ...judged.timings },
  };
}

/** What `judgeStacks` found on a synthesized pair. */
export type StackJudgement = Pick<SynthesisResult, "invariants" | "policies"> & {
  /** Wall-clock time of the invariant checks and of the policy pack (both stacks), milliseconds. */
  timings: Pick<SynthesisResult["timings"], "invariantsMilliseconds" | "policiesMilliseconds">;
};

/**
 * The last step of a synthesis: the DR invariants on the pair (`checkDrInvariants`), then the policy
 * pack on each stack (`evaluatePolicies`, the primary first) with `policyConfig`. It reads the plans
 * only, so a caller holding plans already synthesized may judge them again with another config.
 * @param pair both stacks' plans, as `recordStack` returns them.
 * @param policyConfig the policy pack's config, as a `--policy-pack-config` file holds it; default: the pack's defaults.
 * @returns the invariants' results (a result with no violations holds), each stack's policy report and
 *   the two steps' wall-clock times in milliseconds.
 * @throws PolicyConfigError listing the config's problems when it is invalid (after the invariants, before any policy runs).
 */
export async function judgeStacks({ primary, dr }: { primary: StackPlan; dr: StackPlan }, policyConfig?: PolicyPackConfig): Promise<StackJudgement> {
  const started = performance.now();
  const invariants = checkDrInvariants({ primary, dr });
  const invariantsDone = performance.now();
  const policies = { primary: await evaluatePolicies(primary, policyConfig), dr: await evaluatePolicies(dr, policyConfig) };
  return {
    invariants,
    policies,
    timings: { invariantsMilliseconds: invariantsDone - started, policiesMilliseconds: performance.now() - invariantsDone },
  };
}
