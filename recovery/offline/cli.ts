/**
 * The offline drill: runs the recovery scenarios on the synthesized failover, failback and drill
 * definitions in a simulated pair of regions, prints each scenario's timeline, its time to recovery
 * against the RTO and PASS/FAIL against the operator's expectation.
 *
 * Usage: tsx recovery/offline/cli.ts [--scenario NAME]... [--json FILE] [--plan FILE | --targets FILE [--prefix PREFIX]] [--list]
 *   (no source)  synthesize both stacks (synth/synthesize.ts) and use the DR plan
 *   --plan       a DR plan written by `npm run synth` (out/synth/dr.plan.json)
 *   --targets    a RecoveryTargets JSON file: definitions built from it by recovery/*.ts (not the synthesized ones);
 *                --prefix is the DR resource prefix (default: the topic name without -recovery)
 *   --scenario   run only this scenario (repeatable; default all)
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
import { SCENARIOS, scenarioNamed } from "./scenarios";
import { runScenario, type Scenario } from "./simulate";
import { type RecoverySystem, systemFromTargets } from "./system";

class UsageError extends Error {}

async function loadSystem(values: { plan?: string; targets?: string; prefix?: string }): Promise<RecoverySystem> {
  if (values.plan && values.targets) throw new UsageError("--plan and --targets are exclusive");
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
    const result = await synthesize({ projectDirectory: path.resolve(__dirname, "..", "..") });
    return systemFromPlan(result.dr, `synthesized DR stack ${result.dr.stack} (synth/synthesize.ts)`);
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
        prefix: { type: "string" },
        list: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(
      `${(error as Error).message}\nUsage: tsx recovery/offline/cli.ts [--scenario NAME]... [--json FILE] [--plan FILE | --targets FILE [--prefix PREFIX]] [--list]`,
    );
    return 1;
  }
  if (values.list) {
    for (const scenario of SCENARIOS) console.log(`${scenario.name.padEnd(36)} ${scenario.title}`);
    return 0;
  }
  let scenarios: Scenario[];
  let system: RecoverySystem;
  try {
    scenarios = values.scenario ? values.scenario.map(scenarioNamed) : SCENARIOS;
    system = await loadSystem(values);
  } catch (error) {
    if (error instanceof PlanError || error instanceof UsageError || (error instanceof Error && error.message.startsWith("unknown scenario"))) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const started = performance.now();
  const results = [];
  for (const scenario of scenarios) results.push(await runScenario(system, scenario));
  console.log(renderReport(system, results));
  console.log(`== ${results.length} scenarios simulated in ${((performance.now() - started) / 1000).toFixed(2)} s of real time`);
  if (values.json) {
    const file = path.resolve(values.json);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(reportJson(system, results), null, 2)}\n`);
    console.log(`== wrote ${path.relative(process.cwd(), file)}`);
  }
  return results.every((result) => result.passed) ? 0 : 4;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
