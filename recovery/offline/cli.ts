/**
 * The offline drill: runs the recovery scenarios on the synthesized failover, failback and drill
 * definitions in a simulated pair of regions, prints each scenario's timeline, its time to recovery
 * against the RTO and PASS/FAIL against the operator's expectation.
 *
 * Usage: tsx recovery/offline/cli.ts [--scenario NAME]... [--json FILE]
 *                                    [--plan FILE | --targets FILE [--prefix PREFIX] | --primary FILE --dr FILE]
 *                                    [--aurora-plan FILE | --aurora-targets FILE] [--list]
 *   (no source)  synthesize both stacks (synth/synthesize.ts) and use the DR plan
 *   --primary, --dr
 *                synthesize this pair of stack files instead (e.g. examples/edge-and-cache/Pulumi.primary.yaml and
 *                Pulumi.dr.yaml) and use its DR plan: its own cache targets, edge and regions. Scenarios that need a
 *                primary in Route 53's control-plane region (us-east-1) are skipped for another pair, and said so,
 *                unless named with --scenario (then they fail with the reason)
 *   --plan       a DR plan written by `npm run synth` (out/synth/dr.plan.json)
 *   --targets    a RecoveryTargets JSON file: definitions built from it by recovery/*.ts (not the synthesized ones);
 *                --prefix is the DR resource prefix (default: the topic name without -recovery)
 *   --aurora-plan / --aurora-targets
 *                the same for an aurora-global DR stack, whose scenarios (auroraScenarios.ts) need aurora-global
 *                targets. Without them, when the main source is in instance mode, the aurora scenarios run on
 *                aurora-global targets derived from it (system.ts deriveAuroraTargets) with the definitions
 *                recovery/*.ts builds; the report says so. A main source in aurora-global mode serves both.
 *   --scenario   run only this scenario (repeatable; default all of both engine modes)
 *   --json       also write the report as JSON to FILE (e.g. out/drill/report.json)
 *   --list       list the scenarios and exit
 *
 * Exit codes: 0 every scenario meets its expectation, 1 usage or plan error, 4 a scenario ends in an unexpected state.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../../config/errors";
import { synthesize } from "../../synth/synthesize";
import { PlanError, type PlanLike, checkRecoveryTargets, systemFromPlan } from "./fromPlan";
import { renderReport, reportJson } from "./report";
import { engineModeOf, type EngineMode } from "../targets";
import { ALL_SCENARIOS, scenarioNamed } from "./scenarios";
import { needsAnotherPrimary } from "./scenarioParts";
import { ROUTE53_CONTROL_PLANE_REGION } from "./cloud";
import { runScenario, type Scenario, type ScenarioResult } from "./simulate";
import { deriveAuroraTargets, deriveCacheTargets, type RecoverySystem, systemFromTargets } from "./system";

class UsageError extends Error {}

/** The prefix of `--prefix`, else the one of the system's failover state machine (`<prefix>-failover`). */
function prefixOf(system: RecoverySystem, given?: string): string {
  const machine = system.stateMachineArns.failover.split(":").pop() ?? "";
  const prefix = given ?? (machine.endsWith("-failover") ? machine.slice(0, -"-failover".length) : undefined);
  if (!prefix) throw new UsageError(`give --prefix (the failover state machine ${machine} is not named <prefix>-failover)`);
  return prefix;
}

/** The aurora-global system: from --aurora-plan or --aurora-targets, else the main system if it is aurora-global, else derived from it. */
async function loadAuroraSystem(
  values: { "aurora-plan"?: string; "aurora-targets"?: string; prefix?: string },
  main: () => Promise<RecoverySystem>,
): Promise<RecoverySystem> {
  if (values["aurora-plan"] || values["aurora-targets"]) {
    const system = await loadSystem({ plan: values["aurora-plan"], targets: values["aurora-targets"], prefix: values.prefix });
    if (engineModeOf(system.targets) !== "aurora-global") throw new PlanError(`${system.source}: its recovery targets are not in aurora-global mode`);
    return system;
  }
  const system = await main();
  if (engineModeOf(system.targets) === "aurora-global") return system;
  const prefix = prefixOf(system, values.prefix);
  const derived = systemFromTargets(deriveAuroraTargets(system.targets, prefix), {
    prefix,
    durations: system.durations,
    source: `definitions built by recovery/*.ts from aurora-global targets derived from ${system.source} (no aurora-global DR plan given)`,
  });
  // The physical parameters are the main source's (health checks and thresholds do not depend on the engine mode).
  return { ...derived, notes: system.notes };
}

/** `system` itself when its targets have a cache of `mode`, else the same pair with derived cache targets (system.ts `deriveCacheTargets`). */
function cacheSystem(system: RecoverySystem, mode: "global-datastore" | "regional", prefix?: string): RecoverySystem {
  if (system.targets.cache?.mode === mode) return system;
  const base = system.targets.cache ? { ...system.targets, cache: undefined } : system.targets;
  const resolved = prefixOf(system, prefix);
  const derived = systemFromTargets(deriveCacheTargets(base, resolved, mode), {
    prefix: resolved,
    durations: system.durations,
    source: `definitions built by recovery/*.ts from ${system.source} with ${mode} cache targets derived from it (no such cache in the plan)`,
  });
  return { ...derived, facts: system.facts, notes: system.notes };
}

/**
 * The scenarios without a cache run on a pair without one: their expectations (notifications, final states) are
 * those of the database, the capacity and DNS alone, and the cache scenarios cover what the cache adds. `system`
 * itself when it has no cache; else the same targets without `cache`, with the definitions recovery/*.ts builds.
 */
function systemWithoutCache(system: RecoverySystem, prefix?: string): RecoverySystem {
  if (!system.targets.cache) return system;
  const resolved = prefixOf(system, prefix);
  const derived = systemFromTargets(
    { ...system.targets, cache: undefined },
    {
      prefix: resolved,
      durations: system.durations,
      source: `definitions built by recovery/*.ts from ${system.source} without its cache (the cache scenarios run on the plan's own)`,
    },
  );
  return { ...derived, facts: system.facts, notes: system.notes };
}

async function loadSystem(values: { plan?: string; targets?: string; prefix?: string; primary?: string; dr?: string }): Promise<RecoverySystem> {
  const sources = [values.plan, values.targets, values.primary ?? values.dr].filter((source) => source !== undefined);
  if (sources.length > 1) throw new UsageError("--plan, --targets and --primary/--dr are exclusive");
  if ((values.primary === undefined) !== (values.dr === undefined)) throw new UsageError("--primary and --dr go together: the two stack files of one pair");
  if (values.plan) {
    const file = path.resolve(values.plan);
    let plan: PlanLike;
    try {
      plan = JSON.parse(readFileSync(file, "utf8")) as PlanLike;
    } catch (error) {
      throw new PlanError(`--plan ${values.plan}: cannot read it as JSON (${(error as Error).message})`);
    }
    return systemFromPlan(plan, `plan ${path.relative(process.cwd(), file)}`);
  }
  if (values.targets) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path.resolve(values.targets), "utf8"));
    } catch (error) {
      throw new PlanError(`--targets ${values.targets}: cannot read it as JSON (${(error as Error).message})`);
    }
    const targets = checkRecoveryTargets(raw, `--targets ${values.targets}`);
    const topic = targets.topicArn.split(":").pop() ?? "";
    const prefix = values.prefix ?? (topic.endsWith("-recovery") ? topic.slice(0, -"-recovery".length) : undefined);
    if (!prefix) throw new UsageError("--targets: give --prefix (the topic name does not end with -recovery)");
    return systemFromTargets(targets, { prefix, source: `definitions built by recovery/*.ts from ${values.targets} (not a synthesized plan)` });
  }
  try {
    const files = values.primary && values.dr ? { primaryStackFile: path.resolve(values.primary), drStackFile: path.resolve(values.dr) } : {};
    const result = await synthesize({ projectDirectory: path.resolve(__dirname, "..", ".."), ...files });
    const of = values.dr ? ` of ${path.relative(process.cwd(), path.resolve(values.dr))}` : "";
    return systemFromPlan(result.dr, `synthesized DR stack ${result.dr.stack}${of} (synth/synthesize.ts)`);
  } catch (error) {
    if (error instanceof ConfigError) throw new PlanError(`synthesis failed: ${error.message}`);
    throw error;
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: "string", multiple: true },
        json: { type: "string" },
        plan: { type: "string" },
        targets: { type: "string" },
        "aurora-plan": { type: "string" },
        "aurora-targets": { type: "string" },
        prefix: { type: "string" },
        primary: { type: "string" },
        dr: { type: "string" },
        list: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(
      `${(error as Error).message}\nUsage: tsx recovery/offline/cli.ts [--scenario NAME]... [--json FILE] [--plan FILE | --targets FILE [--prefix PREFIX] | --primary FILE --dr FILE] [--aurora-plan FILE | --aurora-targets FILE] [--list]`,
    );
    return 1;
  }
  if (values.list) {
    for (const scenario of ALL_SCENARIOS) console.log(`${scenario.name.padEnd(36)} ${(scenario.engineMode ?? "instance").padEnd(14)} ${scenario.title}`);
    return 0;
  }
  const runs: { system: RecoverySystem; scenarios: Scenario[] }[] = [];
  try {
    const scenarios = values.scenario ? values.scenario.map(scenarioNamed) : ALL_SCENARIOS;
    let main: Promise<RecoverySystem> | undefined;
    const loadMain = () => (main ??= loadSystem(values));
    for (const mode of ["instance", "aurora-global"] as EngineMode[]) {
      const ofMode = scenarios.filter((scenario) => (scenario.engineMode ?? "instance") === mode);
      if (ofMode.length === 0) continue;
      const system = mode === "instance" ? await loadMain() : await loadAuroraSystem(values, loadMain);
      if (mode === "instance" && engineModeOf(system.targets) !== "instance") {
        // An aurora-global main source: the instance scenarios need instance targets (give --plan of an instance-mode stack).
        console.error(`skipping ${ofMode.length} instance-mode scenarios: ${system.source} is in aurora-global mode`);
        continue;
      }
      // Scenarios this pair cannot stage (a us-east-1 outage for a primary elsewhere) are skipped unless asked for by name.
      const skipped = values.scenario ? [] : ofMode.filter((scenario) => needsAnotherPrimary(scenario, system.targets));
      if (skipped.length > 0)
        console.error(
          `skipping ${skipped.length} scenarios that need a primary in ${ROUTE53_CONTROL_PLANE_REGION[system.targets.partition]} (the pair's is ${system.targets.primaryRegion}): ${skipped.map((scenario) => scenario.name).join(", ")}`,
        );
      const runnable = ofMode.filter((scenario) => !skipped.includes(scenario));
      const withoutCache = runnable.filter((scenario) => scenario.cache === undefined);
      if (withoutCache.length > 0) runs.push({ system: systemWithoutCache(system, values.prefix), scenarios: withoutCache });
      // The cache scenarios (cacheScenarios.ts): on the system's own cache targets when they are of the scenario's cache mode, else on derived ones.
      for (const cacheMode of ["global-datastore", "regional"] as const) {
        const ofCache = runnable.filter((scenario) => scenario.cache === cacheMode);
        if (ofCache.length > 0) runs.push({ system: cacheSystem(system, cacheMode, values.prefix), scenarios: ofCache });
      }
    }
  } catch (error) {
    if (error instanceof PlanError || error instanceof UsageError || (error instanceof Error && error.message.startsWith("unknown scenario"))) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const started = performance.now();
  const all: ScenarioResult[] = [];
  const reports = [];
  for (const { system, scenarios } of runs) {
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) results.push(await runScenario(system, scenario));
    console.log(renderReport(system, results));
    console.log("");
    all.push(...results);
    reports.push(reportJson(system, results));
  }
  console.log(`== ${all.length} scenarios simulated in ${((performance.now() - started) / 1000).toFixed(2)} s of real time`);
  if (values.json) {
    const file = path.resolve(values.json);
    mkdirSync(path.dirname(file), { recursive: true });
    // One report per engine mode run, in order (instance first).
    writeFileSync(file, `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
    console.log(`== wrote ${path.relative(process.cwd(), file)}`);
  }
  return all.every((result) => result.passed) ? 0 : 4;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
