/**
 * `npm run synth`: synthesizes both stacks offline, runs the DR invariants and the policy pack,
 * prints the summary, writes the plans and the report, and exits non-zero when something fails.
 *
 * Usage: tsx synth/cli.ts [--out DIR] [--primary FILE] [--dr FILE] [--policy-config FILE] [--strategy NAME]
 *   --out            folder for primary.plan.json, dr.plan.json and report.md (default out/synth)
 *   --primary        primary stack file (default Pulumi.primary.yaml)
 *   --dr             DR stack file (default Pulumi.dr.yaml)
 *   --policy-config  policy-pack config, the JSON file `pulumi preview --policy-pack-config` takes
 *   --strategy       synthesize with this recovery.strategy in both stacks (backup-restore,
 *                    pilot-light, warm-standby, hot-standby) instead of the stack files'
 *
 * Exit codes: 0 all pass (advisory violations allowed), 1 invalid stack or policy config,
 * 2 a DR invariant is violated, 3 a mandatory policy is violated.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/errors";
import { STRATEGIES, type Strategy } from "../config/strategies";
import { type PolicyPackConfig, PolicyConfigError } from "../policy/offline";
import { policyCounts, renderMarkdown, renderSummary } from "./report";
import { synthesize } from "./synthesize";

async function main(): Promise<number> {
  const started = performance.now();
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: "out/synth" },
      primary: { type: "string" },
      dr: { type: "string" },
      "policy-config": { type: "string" },
      strategy: { type: "string" },
    },
    strict: true,
  });
  const projectDirectory = path.resolve(__dirname, "..");
  const strategy = values.strategy;
  if (strategy !== undefined && !(STRATEGIES as readonly string[]).includes(strategy)) {
    console.error(`--strategy ${strategy}: must be one of ${STRATEGIES.join(", ")}`);
    return 1;
  }
  let policyConfig: PolicyPackConfig | undefined;
  if (values["policy-config"]) {
    try {
      policyConfig = JSON.parse(readFileSync(path.resolve(values["policy-config"]), "utf8")) as PolicyPackConfig;
    } catch (error) {
      console.error(`--policy-config ${values["policy-config"]}: cannot read it as JSON (${(error as Error).message})`);
      return 1;
    }
  }
  try {
    const result = await synthesize({
      projectDirectory,
      policyConfig,
      ...(strategy ? { strategy: strategy as Strategy } : {}),
      ...(values.primary ? { primaryStackFile: path.resolve(values.primary) } : {}),
      ...(values.dr ? { drStackFile: path.resolve(values.dr) } : {}),
    });
    const outDirectory = path.resolve(values.out!);
    mkdirSync(outDirectory, { recursive: true });
    for (const plan of [result.primary, result.dr]) {
      writeFileSync(path.join(outDirectory, `${plan.stack}.plan.json`), `${JSON.stringify(plan, null, 2)}\n`);
    }
    writeFileSync(path.join(outDirectory, "report.md"), renderMarkdown(result));
    console.log(renderSummary(result));
    const failed = result.invariants.filter((invariant) => invariant.violations.length > 0);
    const mandatory = policyCounts(result.policies.primary).mandatory + policyCounts(result.policies.dr).mandatory;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.log(`== wrote ${path.relative(process.cwd(), outDirectory) || "."}/{${result.primary.stack}.plan.json,${result.dr.stack}.plan.json,report.md}`);
    console.log(
      `== synthesis of both stacks took ${seconds} s; ${result.invariants.length - failed.length} of ${result.invariants.length} DR invariant checks pass; ${mandatory} mandatory policy violations`,
    );
    if (failed.length > 0) return 2;
    return mandatory === 0 ? 0 : 3;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PolicyConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
