/**
 * `npm run rehearse [-- --requests N] [--concurrency N] [--json]`: the failover rehearsal on a local
 * PostgreSQL pair (rehearsal/rehearse.ts). Prints the figures; exits 1 with the reason when a step
 * fails or a figure is out of bounds, 2 on a bad option.
 */
import { parseArgs } from "node:util";
import { formatFigures, rehearse } from "./rehearse";

async function main(): Promise<number> {
  let values: { requests?: string; concurrency?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ options: { requests: { type: "string" }, concurrency: { type: "string" }, json: { type: "boolean" } } }));
  } catch (error) {
    console.error(`rehearse: ${(error as Error).message}`);
    return 2;
  }
  const integer = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number, got "${text}"`);
    return Number(text);
  };
  let options;
  try {
    options = { requests: integer("requests", values.requests), concurrency: integer("concurrency", values.concurrency) };
  } catch (error) {
    console.error(`rehearse: ${(error as Error).message}`);
    return 2;
  }
  try {
    const figures = await rehearse({ ...options, log: values.json ? undefined : (line) => console.log(`- ${line}`) });
    console.log(values.json ? JSON.stringify(figures, null, 2) : `\n${formatFigures(figures)}`);
    return 0;
  } catch (error) {
    console.error(`rehearse failed: ${(error as Error).message}`);
    return 1;
  }
}

main().then((code) => process.exit(code));
