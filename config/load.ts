/**
 * Reads and validates one stack's configuration. This is the only module that touches Pulumi
 * config; components take the typed `StackConfig` and never read config themselves.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { closestNames } from "./closestNames";
import { ConfigError, type ConfigProblem } from "./errors";
import { namespaceProblems, parseConfigValue } from "./namespaces";
import { certificateRegionProblem, failoverDetectionProblem, reservedDomainProblem } from "./rules";
import { edgeProblems } from "./edge";
import { CONFIG_NAMESPACE, drConfigSchema, KEYS_BY_ROLE, primaryConfigSchema, ROLES, type StackConfig } from "./schema";

/**
 * Where a stack runs, as the Pulumi engine tells the program: what a DR stack's short
 * `primaryStack` is qualified with, and what a fully qualified one must agree with.
 */
export interface Deployment {
  /** `pulumi.getOrganization()`: the stack's Pulumi Cloud organization, or `organization` on a self-managed backend. */
  organization: string;
  /** `pulumi.getProject()`. */
  project: string;
}

/**
 * The one organization of a self-managed (DIY) backend: "For DIY backend, the orgName portion of the
 * stack name must always be the constant value organization" (Pulumi docs, "Stacks"); the CLI's DIY
 * backend reports it as every stack's organization (pulumi/pulumi pkg/backend/diy, `Organization()`).
 */
export const DIY_ORGANIZATION = "organization";

/**
 * Parses the stack's config from a flat map of full keys (`multi-region-dr:network`, `aws:region`)
 * to values, where object values are JSON text as Pulumi passes them.
 *
 * Keys of other namespaces are not read, but a key that would be silently ignored is refused (see
 * `namespaceProblems`): one under a namespace that looks like the project's (`multi_region_dr:app`)
 * and one of this project's top-level keys under `aws:` (`aws:app`).
 *
 * @param stackName the stack being configured, for the error's heading.
 * @param deployment where the stack runs; with it, a DR stack's `primaryStack` comes back fully
 *   qualified (`resolvePrimaryStack`). Without it (offline, where no backend exists) it stays as written.
 * @returns the typed configuration with every default filled in.
 * @throws ConfigError listing every problem: misplaced and unknown keys, bad values, missing required
 *   keys, and a `primaryStack` that cannot be the primary on the stack's backend.
 */
export function parseStackConfig(allConfig: Readonly<Record<string, string>>, stackName: string, deployment?: Deployment): StackConfig {
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
    // A value of the wrong type gets one problem, its type: zod also runs checks such as an array's
    // .max() on a string, whose messages would only confuse ("at most 10 addresses" for one address).
    const mistyped = new Set(result.error.issues.filter((issue) => issue.code === "invalid_type").map((issue) => issue.path.join(".")));
    const issues = result.error.issues.filter((issue) => issue.code === "invalid_type" || !mistyped.has(issue.path.join(".")));
    problems.push(...issues.flatMap((issue) => toProblems(issue, prefix, role, known)));
  }
  if (problems.length > 0) throw new ConfigError(context, problems);

  const config = result.data as StackConfig;
  const crossField = crossFieldProblems(config);
  if (crossField.length > 0) throw new ConfigError(context, crossField);
  if (config.role !== "dr" || deployment === undefined) return config;
  const primary = resolvePrimaryStack(config.primaryStack, deployment, stackName);
  if ("problem" in primary) {
    throw new ConfigError(context, [{ key: `${prefix}primaryStack`, value: config.primaryStack, message: primary.problem }]);
  }
  return { ...config, primaryStack: primary.name };
}

/**
 * The fully qualified name of the DR stack's primary, for its StackReference. A name alone
 * (`primary`) gets the DR stack's own organization and project: a StackReference would otherwise
 * resolve it in the CLI's default organization, not necessarily the stack's (Pulumi docs, "Stacks":
 * `stackName` "identifies the stack stackName in the current user account or default
 * organization"); pulumi/pulumi's own stack-reference test builds the name the same way
 * (`${getOrganization()}/${getProject()}/${getStack()}`, tests/integration/stack_reference/nodejs).
 *
 * A fully qualified name must fit the backend: on a self-managed backend its organization must be
 * `organization` (the CLI refuses any other: "organization name must be 'organization'"), and on
 * Pulumi Cloud `organization` is that backend's placeholder, not an organization of the stack's;
 * another Pulumi Cloud organization is taken as meant. The project must be this program's, and the
 * primary must not be this DR stack itself.
 * @param primaryStack `primaryStack` as the schema accepted it: `<stack>` or `<organization>/<project>/<stack>`.
 * @param stackName the DR stack's own name.
 * @returns the qualified name, or the problem: what is wrong on which backend, and what to write.
 */
export function resolvePrimaryStack(primaryStack: string, deployment: Deployment, stackName: string): { name: string } | { problem: string } {
  const { organization, project } = deployment;
  const diy = organization === DIY_ORGANIZATION;
  const backend = diy ? `a self-managed (DIY) backend, whose only organization is "${DIY_ORGANIZATION}"` : `Pulumi Cloud, in organization ${organization}`;
  const parts = primaryStack.split("/");
  const stack = parts[parts.length - 1];
  const shortForm = `write ${stack} alone (qualified with this stack's organization: ${organization}/${project}/${stack})`;
  if (parts.length === 3) {
    const [named, namedProject] = parts;
    if (namedProject !== project) {
      return { problem: `names the project ${namedProject}, but both stacks are stacks of this program's project ${project}; ${shortForm}` };
    }
    if (diy && named !== DIY_ORGANIZATION) {
      return {
        problem:
          `names the organization ${named}, but this stack runs on ${backend}, and the primary's state is in the same backend; ${shortForm}. ` +
          `If both stacks are meant for Pulumi Cloud, log in there instead (pulumi login; in CI leave PULUMI_BACKEND_URL unset and set PULUMI_ACCESS_TOKEN)`,
      };
    }
    if (!diy && named === DIY_ORGANIZATION) {
      return {
        problem:
          `names "${DIY_ORGANIZATION}", the organization of a self-managed (DIY) backend, but this stack runs on ${backend}; ${shortForm}. ` +
          `If both stacks are meant for a self-managed backend, log in there instead (pulumi login <backend URL>; in CI set PULUMI_BACKEND_URL)`,
      };
    }
  }
  const name = parts.length === 3 ? primaryStack : `${organization}/${project}/${primaryStack}`;
  if (name === `${organization}/${project}/${stackName}`) {
    return { problem: `names this DR stack itself (${name}); name the primary stack, such as primary` };
  }
  return { name };
}

/**
 * Reads the running stack's configuration from the Pulumi runtime, with the organization and
 * project the engine reports (`Deployment`).
 * @throws ConfigError as `parseStackConfig` does.
 */
export function readStackConfig(): StackConfig {
  const allConfig = pulumi.runtime.allConfig();
  // Only the DR stack qualifies a name with the organization (primaryStack).
  const organization = allConfig[`${CONFIG_NAMESPACE}:role`] === "dr" ? engineOrganization() : undefined;
  const deployment = organization === undefined ? undefined : { organization, project: pulumi.getProject() };
  return refusePlaceholderZoneName(parseStackConfig(allConfig, pulumi.getStack(), deployment), pulumi.getStack());
}

/**
 * The primary's public zone name checked against the reserved names (`reservedDomainProblem`). The
 * shipped stack files and examples use `dr.example.com` as a placeholder: offline synthesis, under
 * the mock runtime (no engine), keeps working with it and logs a note that the name is a
 * placeholder; a real preview or update (`pulumi.runtime.hasEngine()`) refuses it here, before any
 * resource is registered, instead of failing at Route 53's CreateHostedZone midway through the first
 * `pulumi up`. Only the primary names the zone; the DR stack reads it from the primary's outputs.
 * @param hasEngine whether a real Pulumi engine runs the program; defaults to asking the runtime.
 * @returns the config unchanged.
 * @throws ConfigError naming `multi-region-dr:dns.zoneName` when a real engine runs the program with a reserved name.
 */
export function refusePlaceholderZoneName(config: StackConfig, stackName: string, hasEngine: boolean = pulumi.runtime.hasEngine()): StackConfig {
  if (config.role !== "primary") return config;
  const problem = reservedDomainProblem(config.dns.zoneName);
  if (problem === undefined) return config;
  const key = `${CONFIG_NAMESPACE}:dns.zoneName`;
  if (hasEngine) {
    throw new ConfigError(`Invalid configuration for stack "${stackName}" (Pulumi.${stackName}.yaml)`, [{ key, value: config.dns.zoneName, message: problem }]);
  }
  if (!notedPlaceholders.has(config.dns.zoneName)) {
    notedPlaceholders.add(config.dns.zoneName);
    void pulumi.log.info(
      `${key} is ${config.dns.zoneName}, a placeholder: offline synthesis accepts it, but pulumi preview and pulumi up refuse it; ` +
        `set a domain you own (or dns.hostedZoneId for an existing zone) before deploying`,
    );
  }
  return config;
}

/** Placeholder zone names already noted in this process, so a sweep of many stacks notes each once. */
const notedPlaceholders = new Set<string>();

/**
 * The stack's organization, as the engine reports it to every program (a self-managed backend
 * reports `organization`); undefined only under a mock runtime set up without one (offline
 * synthesis, `pulumi.runtime.setMocks` without its organization argument: no engine, and
 * `getOrganization` throws "Missing organization name").
 * @throws ConfigError when a real engine reports no organization (a Pulumi CLI too old to pass it):
 *   a bare `primaryStack` would then resolve in the CLI's default organization, not this stack's.
 */
export function engineOrganization(): string | undefined {
  try {
    return pulumi.runtime.getOrganization();
  } catch (error) {
    if (!pulumi.runtime.hasEngine()) return undefined;
    throw new ConfigError(`Invalid configuration for stack "${pulumi.getStack()}"`, [
      {
        key: `${CONFIG_NAMESPACE}:primaryStack`,
        value: undefined,
        message: `cannot be qualified: the Pulumi engine reports no organization (${(error as Error).message}); upgrade the Pulumi CLI, or write primaryStack as <organization>/<project>/<stack>`,
      },
    ]);
  }
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
          : "is not a known setting; check the spelling against the configuration reference (docs/configuration.md), or remove it",
    }));
  }
  if (issue.code === "invalid_type" && issue.input !== undefined) {
    const message = typeMismatchMessage(issue.expected, issue.input, path.join("."), issue.message);
    if (message !== undefined) return [{ key: keyOf(path), value: issue.input, message }];
  }
  return [{ key: keyOf(path), value: issue.input, message: issue.message }];
}

/** How a YAML value reads, for messages: `a list`, `a mapping`, `text`, `a number`, `true/false`, `empty`. */
function kindOf(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "text";
  if (typeof value === "boolean") return "true/false";
  return `a ${typeof value}`;
}

/**
 * Keys whose value is a version that YAML turns into a number when unquoted, losing trailing zeros
 * (`1.30` is the number 1.3), and how to guess the text meant from that number.
 */
const VERSION_KEYS: Readonly<Record<string, (value: number) => string>> = {
  "database.engineVersion": (value) => String(value),
  // Kubernetes minors have two digits since 1.10, so 1.3 was 1.30.
  "monitoring.kubernetesVersion": (value) => (/^1\.[1-9]$/.test(String(value)) ? `${value}0` : String(value)),
};

/**
 * A type mismatch (zod's `invalid_type`) said as what to write, never coerced: the value stays
 * refused, and the message says how to write it in the stack file. YAML (1.2, as Pulumi reads stack
 * files) makes `17`, `1.30` and `8080` numbers, `true`/`false` booleans, `yes`/`no`/`on`/`off` and
 * anything quoted text, `[a, b]` and `- a` lists, and `key: value` lines mappings.
 * @param expected zod's expected type: string, number, boolean, array, object or record.
 * @param input the value found (never undefined: a missing required key keeps its own message).
 * @param path the dotted key path under the namespace, e.g. `database.engineVersion`.
 * @param schemaMessage the schema's message, kept when it says more than the type (`must be a whole number of days`).
 * @returns the message, or undefined for an expected type not rewritten here.
 */
export function typeMismatchMessage(expected: string, input: unknown, path: string, schemaMessage: string): string | undefined {
  const found = kindOf(input);
  if (input === null) return `is empty; write a value or remove the key to take the default`;
  switch (expected) {
    case "array": {
      const single = typeof input === "string" || typeof input === "number" ? `; for this one item write [${String(input)}]` : "";
      return `must be a list, such as [a, b], not ${found}${single}`;
    }
    case "object":
    case "record":
      return `must be a mapping of keys to values (key: value lines indented under it, or { key: value }), not ${found}`;
    case "boolean": {
      const bare = typeof input === "string" && /^(true|false)$/i.test(input.trim()) ? `; write ${input.trim().toLowerCase()} without quotes` : "";
      const yaml = typeof input === "string" && /^(yes|no|on|off|y|n)$/i.test(input.trim()) ? ": yes, no, on and off are text in YAML 1.2, not booleans" : "";
      return `must be true or false, not ${found}${yaml}${bare}`;
    }
    case "number": {
      const what = /^must be a whole number of .+$/.exec(schemaMessage)?.[0] ?? "must be a number";
      if (typeof input === "string" && /^-?\d+(\.\d+)?$/.test(input.trim())) return `${what}, not text: write ${input.trim()} without quotes`;
      return `${what}, not ${found}: write a bare number, without quotes or units`;
    }
    case "string": {
      const guess = VERSION_KEYS[path];
      if (guess !== undefined && typeof input === "number") {
        return (
          `must be text, not the number ${input}: YAML reads an unquoted version as a number (1.30 as the number 1.3, 17 as the number 17), ` +
          `so write the version in quotes: "${guess(input)}"`
        );
      }
      if (typeof input === "number" || typeof input === "boolean") return `must be text; quote it in the stack file: "${String(input)}"`;
      return `must be text (one value), not ${found}; write one value, in quotes if it could read as a number or true/false`;
    }
    default:
      return undefined;
  }
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
  for (const [path, arn] of [
    ["app.certificateArn", config.app.certificateArn],
    ["monitoring.grafanaCertificateArn", config.monitoring.grafanaCertificateArn],
  ] as const) {
    const problem = arn === undefined ? undefined : certificateRegionProblem(arn, config.region);
    if (problem) problems.push({ key: `${CONFIG_NAMESPACE}:${path}`, value: arn, message: problem });
  }
  if (config.role === "primary") problems.push(...edgeProblems(config.edge, config.app));
  if (config.role === "dr") {
    const problem = failoverDetectionProblem(config.dns.healthCheckIntervalSeconds, config.dns.healthCheckFailureThreshold, config.recovery.rtoSeconds);
    if (problem) {
      problems.push({ key: `${CONFIG_NAMESPACE}:dns.healthCheckFailureThreshold`, value: config.dns.healthCheckFailureThreshold, message: problem });
    }
  }
  return problems;
}
