/**
 * Shared helpers of the config specs under test/config/: flat Pulumi config maps for a primary and a
 * DR stack, and the problems of a config that must fail.
 */
import { expect } from "chai";
import { ConfigError, type ConfigProblem } from "../../config/errors";
import { parseStackConfig } from "../../config/load";
import type { DrConfig, PrimaryConfig } from "../../config/schema";

export const NS = "multi-region-dr";
export const PRIMARY_STACK = "organization/multi-region-dr/primary";

type Settings = Record<string, unknown>;

/** A flat Pulumi config map as `pulumi.runtime.allConfig()` returns it: objects as JSON text; `undefined` removes a key. */
export function flat(settings: Settings): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) result[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return result;
}

/** The smallest valid primary (us-east-1) with `overrides` on top. */
export function primarySettings(overrides: Settings = {}): Record<string, string> {
  return flat({ "aws:region": "us-east-1", [`${NS}:role`]: "primary", ...overrides });
}

/** The smallest valid DR stack (us-west-2) with `overrides` on top. */
export function drSettings(overrides: Settings = {}): Record<string, string> {
  return flat({ "aws:region": "us-west-2", [`${NS}:role`]: "dr", [`${NS}:primaryStack`]: PRIMARY_STACK, ...overrides });
}

export function parsePrimary(overrides: Settings = {}): PrimaryConfig {
  const config = parseStackConfig(primarySettings(overrides), "t");
  if (config.role !== "primary") throw new Error(`expected a primary config, got ${config.role}`);
  return config;
}

export function parseDr(overrides: Settings = {}): DrConfig {
  const config = parseStackConfig(drSettings(overrides), "t");
  if (config.role !== "dr") throw new Error(`expected a dr config, got ${config.role}`);
  return config;
}

/** Runs `action`, expects a ConfigError (never another error) and returns it. */
export function configErrorOf(action: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected a ConfigError to be thrown").to.be.instanceOf(ConfigError);
  return thrown as ConfigError;
}

/**
 * Expects exactly one problem, for `key` with the `found` value, whose message includes every hint,
 * and the rendered error line `  - key (found: value): message`; returns the problem.
 */
export function expectOneProblem(config: Record<string, string>, key: string, found: unknown, ...hints: string[]): ConfigProblem {
  const error = configErrorOf(() => parseStackConfig(config, "t"));
  expect(error.problems.map((problem) => problem.key)).to.deep.equal([key]);
  const [problem] = error.problems;
  expect(problem.value).to.deep.equal(found);
  for (const hint of hints) expect(problem.message).to.include(hint);
  expect(error.message).to.include(`  - ${key} (found: ${JSON.stringify(found)}): ${problem.message}`);
  return problem;
}
