/**
 * `npm run synth`: synthesizes both stacks offline, prints the summary, writes the plans and the
 * report, and exits non-zero on a configuration error or a violated DR invariant.
 *
 * Usage: tsx synth/cli.ts [--out DIR] [--primary FILE] [--dr FILE]
 *   --out      folder for primary.plan.json, dr.plan.json and report.md (default out/synth)
 *   --primary  primary stack file (default Pulumi.primary.yaml)
 *   --dr       DR stack file (default Pulumi.dr.yaml)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/errors";
import { renderMarkdown, renderSummary } from "./report";
import { synthesize } from "./synthesize";

async function main(): Promise<number> {
  const started = performance.now();
  const { values } = parseArgs({
    options: { out: { type: "string", default: "out/synth" }, primary: { type: "string" }, dr: { type: "string" } },
    strict: true,
  });
  const projectDirectory = path.resolve(__dirname, "..");
  try {
    const result = await synthesize({
      projectDirectory,
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
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.log(`== wrote ${path.relative(process.cwd(), outDirectory) || "."}/{${result.primary.stack}.plan.json,${result.dr.stack}.plan.json,report.md}`);
    console.log(
      `== synthesis of both stacks took ${seconds} s; ${result.invariants.length - failed.length} of ${result.invariants.length} DR invariant checks pass`,
    );
    return failed.length === 0 ? 0 : 2;
  } catch (error) {
    if (error instanceof ConfigError) {
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
