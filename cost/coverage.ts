/**
 * What the price data covers, as a markdown list for docs/regions-sizes-and-prices.md: per region,
 * the EC2 instance types, the RDS and Aurora DB instance classes priced, and the
 * fixed-price keys the file lacks. `npm run prices:update` rewrites the list after it writes the
 * files; a test checks the page against the data.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PRICED_AURORA_ENGINES, PRICED_DATABASE_ENGINES, REGIONAL_PRICE_UNITS, type PriceTable, type RegionalPrices } from "./priceTable";

/** The page that holds the table, between COVERAGE_BEGIN and COVERAGE_END. */
export const COVERAGE_PAGE = path.resolve(__dirname, "..", "docs", "regions-sizes-and-prices.md");
export const COVERAGE_BEGIN = "<!-- BEGIN price coverage: written by npm run prices:update from cost/prices/ -->";
export const COVERAGE_END = "<!-- END price coverage -->";

const PER_NAME_KEYS: ReadonlySet<string> = new Set(["ec2InstanceHour", "rdsInstanceHour", "auroraInstanceHour"]);

function names(byName: Record<string, unknown> | undefined): string {
  const keys = Object.keys(byName ?? {}).sort();
  return keys.length === 0 ? "none" : keys.join(", ");
}

function classes(byEngine: Record<string, Record<string, unknown>> | undefined, engines: readonly string[]): string {
  return engines.map((engine) => `${engine}: ${names(byEngine?.[engine])}`).join("; ");
}

/**
 * The coverage of a price table as a markdown list, one item per region in alphabetical order (a
 * list rather than a table, so that Prettier leaves the generated text as it is).
 */
export function renderPriceCoverage(table: PriceTable): string {
  const items = Object.entries(table.regions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, prices]) => {
      const lacking = (Object.keys(REGIONAL_PRICE_UNITS) as (keyof RegionalPrices)[]).filter((key) => !PER_NAME_KEYS.has(key) && prices[key] === undefined);
      return [
        `- **${region}**`,
        `  - EC2 instance types: ${names(prices.ec2InstanceHour)}`,
        `  - RDS DB instance classes: ${classes(prices.rdsInstanceHour, PRICED_DATABASE_ENGINES)}`,
        `  - Aurora DB instance classes: ${classes(prices.auroraInstanceHour, PRICED_AURORA_ENGINES)}`,
        `  - fixed prices it lacks: ${lacking.length === 0 ? "none" : lacking.join(", ")}`,
      ].join("\n");
    });
  return [`Regions with price data (cost/prices/, oldest file ${table.asOf}); Route 53 prices are global (cost/prices/global.json).`, "", ...items].join("\n");
}

/** The page's text with the list between the markers replaced. @throws Error when the page lacks the markers. */
export function withPriceCoverage(page: string, table: PriceTable): string {
  const begin = page.indexOf(COVERAGE_BEGIN);
  const end = page.indexOf(COVERAGE_END);
  if (begin < 0 || end < begin) throw new Error(`${COVERAGE_PAGE} lacks the markers ${COVERAGE_BEGIN} and ${COVERAGE_END}: restore them with git`);
  return `${page.slice(0, begin + COVERAGE_BEGIN.length)}\n\n${renderPriceCoverage(table)}\n\n${page.slice(end)}`;
}

/** Rewrites the coverage list of the page from `table`. @returns true when the page changed. */
export function writePriceCoverage(table: PriceTable, page: string = COVERAGE_PAGE): boolean {
  const before = readFileSync(page, "utf8");
  const after = withPriceCoverage(before, table);
  if (after !== before) writeFileSync(page, after);
  return after !== before;
}
