/**
 * `npm run prices:update -- [options]`: refreshes cost/prices/<region>.json from the AWS Price List
 * Query API (cost/priceUpdate.ts). Prints what changed per file; exits 0 on success, 1 with one
 * line on stderr for a usage error, no credentials, access denied, a region outside the commercial
 * partition, throttling that outlasts the SDK's retries, or a price file that cannot be read.
 */
import { parseArgs } from "node:util";
import type { PricingClient } from "@aws-sdk/client-pricing";

/** The help text. */
export const USAGE = `Usage: npm run prices:update -- [--region R ...] [--instance-type T ...] [--db-instance-class C ...] [--dry-run] [--prices-dir DIR]

Refreshes the on-demand prices in cost/prices/<region>.json from the AWS Price List Query API
(GetProducts, us-east-1 endpoint) with your default AWS credentials; the identity needs the IAM
action pricing:GetProducts. Every region with a file is refreshed, with the instance types and DB
instance classes already in it; options add more. Prices the API does not return are kept.

  --region R             also price region R (a commercial AWS region); a new region gets a new file
  --instance-type T      also price EC2 instance type T (Linux, shared tenancy) in every region
  --db-instance-class C  also price DB instance class C for RDS PostgreSQL and MySQL (Single-AZ, Multi-AZ)
                         and Aurora PostgreSQL and MySQL (Standard, I/O-Optimized) in every region
  --dry-run              print what would change; write nothing
  --prices-dir DIR       the folder of the price files (default cost/prices)
  -h, --help             print this text

Each option may be repeated or given a comma-separated list.`;

/** Where the CLI writes, and what it may be handed in tests. */
export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** A client instead of one built from the default credential chain. */
  client?: PricingClient;
  /** The ISO date written as asOf, instead of today. */
  today?: string;
}

const list = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);

/**
 * Runs the command.
 * @param argv the arguments after the script, e.g. `["--region", "eu-west-2", "--dry-run"]`.
 * @returns the exit code: 0 when the run finished (prices not found are reported, not errors), 1
 *   when it stopped with the one-line error printed to `stderr`; nothing is written then.
 */
export async function main(argv: string[], context: CliContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        region: { type: "string", multiple: true },
        "instance-type": { type: "string", multiple: true },
        "db-instance-class": { type: "string", multiple: true },
        "dry-run": { type: "boolean" },
        "prices-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    context.stderr(`prices:update: ${(error as Error).message} (see npm run prices:update -- --help)`);
    return 1;
  }
  const { values } = parsed;
  if (values.help) {
    context.stdout(USAGE);
    return 0;
  }
  try {
    // Loaded here so that a price file that cannot be read (read when cost/priceTable.ts loads) is reported in one line too.
    const { formatReport, updatePrices } = await import("./priceUpdate.js");
    const report = await updatePrices({
      regions: list(values.region),
      instanceTypes: list(values["instance-type"]),
      dbInstanceClasses: list(values["db-instance-class"]),
      dryRun: values["dry-run"] ?? false,
      pricesDir: values["prices-dir"],
      client: context.client,
      today: context.today,
      progress: (line: string) => context.stderr(`prices:update: ${line}`),
    });
    context.stdout(formatReport(report));
    if (!(values["dry-run"] ?? false) && values["prices-dir"] === undefined) {
      const [{ writePriceCoverage }, { loadPriceTable }] = await Promise.all([import("./coverage.js"), import("./priceTable.js")]);
      if (writePriceCoverage(loadPriceTable())) context.stdout("updated the price coverage table of docs/regions-sizes-and-prices.md");
    }
    return 0;
  } catch (error) {
    const { name, message } = error as Error;
    if (name === "PriceUpdateError" || name === "PriceDataError") {
      context.stderr(`prices:update: ${message}`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: (text) => console.log(text), stderr: (text) => console.error(text) }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`prices:update: unexpected error: ${(error as Error)?.stack ?? error}`);
      process.exitCode = 1;
    },
  );
}
