/**
 * Reads and validates one stack's configuration. This is the only module that touches Pulumi
 * config; components take the typed `StackConfig` and never read config themselves.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { closestNames } from "./closestNames";
import { ConfigError, type ConfigProblem } from "./errors";
import { namespaceProblems, parseConfigValue } from "./namespaces";
import { failoverDetectionProblem } from "./rules";
import { CONFIG_NAMESPACE, drConfigSchema, KEYS_BY_ROLE, primaryConfigSchema, ROLES, type StackConfig } from "./schema";

/**
 * Parses the stack's config from a flat map of full keys (`multi-region-dr:network`, `aws:region`)
 * to values, where object values are JSON text as Pulumi passes them.
 *
 * Keys of other namespaces are not read, but a key that would be silently ignored is refused (see
 * `namespaceProblems`): one under a namespace that looks like the project's (`multi_region_dr:app`)
 * and one of this project's top-level keys under `aws:` (`aws:app`).
 *
 * @param stackName the stack being configured, for the error's heading.
 * @returns the typed configuration with every default filled in.
 * @throws ConfigError listing every problem: misplaced and unknown keys, bad values, missing required keys.
 */
export function parseStackConfig(allConfig: Readonly<Record<string, string>>, stackName: string): StackConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(allConfig)) {
    if (fullKey.startsWith(prefix)) values[fullKey.slice(prefix.length)] = parseConfigValue(text);
  }
  const context = `Invalid configuration for stack "${stackName}" (Pulumi.${stackName}.yaml)`;
  const misplaced = namespaceProblems(allConfig, CONFIG_NAMESPACE, PROJECT_KEYS);

  const role = values.role;
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) {
    throw new ConfigError(context, [
      ...misplaced,
      { key: `${prefix}role`, value: role, message: `must be one of ${ROLES.join(" or ")}: which half of the DR pair this stack builds` },
    ]);
  }
  const problems: ConfigProblem[] = [...misplaced];
  if (values.region !== undefined) {
    problems.push({
      key: `${prefix}region`,
      value: values.region,
      message: "is not read: the stack's region is the standard aws:region key; move the value there",
    });
  }
  const { region: _shadowed, ...namespaced } = values;
  const input = { ...namespaced, region: allConfig["aws:region"] };
  const result = role === "primary" ? primaryConfigSchema.safeParse(input, { reportInput: true }) : drConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const known = KEYS_BY_ROLE[role as StackConfig["role"]].filter((key) => key !== "region");
    problems.push(...result.error.issues.flatMap((issue) => toProblems(issue, prefix, role, known)));
  }
  if (problems.length > 0) throw new ConfigError(context, problems);

  const config = result.data as StackConfig;
  const crossField = crossFieldProblems(config);
  if (crossField.length > 0) throw new ConfigError(context, crossField);
  return config;
}

/**
 * Reads the running stack's configuration from the Pulumi runtime.
 * @throws ConfigError as `parseStackConfig` does.
 */
export function readStackConfig(): StackConfig {
  return parseStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}

/** Every top-level key of either role, under the project's namespace (`region` is `aws:region`). */
const PROJECT_KEYS: readonly string[] = [...new Set([...KEYS_BY_ROLE.primary, ...KEYS_BY_ROLE.dr])].filter((key) => key !== "region");

function toProblems(issue: z.core.$ZodIssue, prefix: string, role: string, topLevelKeys: readonly string[]): ConfigProblem[] {
  const path = issue.path.map(String);
  const keyOf = (segments: string[]) => (segments[0] === "region" ? "aws:region" : `${prefix}${segments.join(".")}`);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((unknown) => ({
      key: keyOf([...path, unknown]),
      value: (issue.input as Record<string, unknown> | undefined)?.[unknown],
      message:
        path.length === 0
          ? unknownTopLevelKeyMessage(unknown, role, topLevelKeys)
          : "is not a known setting; check the spelling against the README's config reference, or remove it",
    }));
  }
  return [{ key: keyOf(path), value: issue.input, message: issue.message }];
}

/** An unknown top-level key: the keys the role reads, and the closest of them when one is near. */
function unknownTopLevelKeyMessage(unknown: string, role: string, topLevelKeys: readonly string[]): string {
  const closest = closestNames(unknown, topLevelKeys);
  const hint = closest.length > 0 ? ` (closest: ${closest.join(", ")})` : "";
  return `is not a key the ${role} stack reads; remove it or use one of: ${topLevelKeys.join(", ")}${hint}`;
}

/** Rules that span several keys, checked once each key is valid on its own. */
function crossFieldProblems(config: StackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.role === "primary" && config.standbyRegion === config.region) {
    problems.push({
      key: `${CONFIG_NAMESPACE}:standbyRegion`,
      value: config.standbyRegion,
      message: "is this stack's own region; set the region the DR stack deploys into, or remove the key",
    });
  }
  if (config.role === "primary" && config.database.engineMode === "aurora-global" && config.recovery.strategy === "backup-restore") {
    problems.push({
      key: `${CONFIG_NAMESPACE}:recovery.strategy`,
      value: config.recovery.strategy,
      message:
        "backup-restore keeps no live database in the DR region, and an Aurora global database always runs a secondary cluster there; choose pilot-light or higher, or set database.engineMode: instance",
    });
  }
  if (config.role === "dr") {
    const problem = failoverDetectionProblem(config.dns.healthCheckIntervalSeconds, config.dns.healthCheckFailureThreshold, config.recovery.rtoSeconds);
    if (problem) {
      problems.push({ key: `${CONFIG_NAMESPACE}:dns.healthCheckFailureThreshold`, value: config.dns.healthCheckFailureThreshold, message: problem });
    }
  }
  return problems;
}
