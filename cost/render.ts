/**
 * Renders cost estimates (cost/estimate.ts): console lines with the total and the largest lines,
 * the DR stack's cost as a share of the primary's, and markdown tables for report.md. Rounding
 * happens here and only here: dollars to cents, unit prices to their significant digits, shares to
 * one decimal of a percent.
 */
import { costShare, isPartial, type CostEstimate, type CostLine, type UnpricedCharge } from "./estimate";

const DOLLARS = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const UNIT_PRICE = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 6 });
const QUANTITY = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** US dollars to cents, e.g. `$1,234.50`. */
export function formatDollars(usd: number): string {
  return DOLLARS.format(usd);
}

/** A unit price with its significant digits, e.g. `$0.0208`. */
export function formatUnitPrice(usd: number): string {
  return UNIT_PRICE.format(usd);
}

/** A share as a percentage with one decimal, e.g. `37.5%`. */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** The lines, most expensive first (plan order among equals). */
function byCostDescending(lines: CostLine[]): CostLine[] {
  return lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => b.line.monthlyUsd - a.line.monthlyUsd || a.index - b.index)
    .map(({ line }) => line);
}

/** `†` after a line whose unit price is unverified. */
const unverifiedMark = (line: CostLine) => (line.priceVerified ? "" : " †");

/** `12 x instance-hour` when the quantity is known. */
function unpricedQuantity(charge: UnpricedCharge): string {
  return charge.quantity === undefined ? "" : ` (${QUANTITY.format(charge.quantity)} ${charge.unit ?? "units"}/month)`;
}

/** The total's wording: `$1.00/month`, or `at least $1.00/month (partial: 2 fixed charges not priced)`. */
function totalLabel(estimate: CostEstimate): string {
  const total = `${formatDollars(estimate.totalMonthlyUsd)}/month`;
  const count = estimate.unpriced.length;
  return isPartial(estimate) ? `at least ${total} (partial: ${count} fixed charge${count === 1 ? "" : "s"} not priced)` : total;
}

/**
 * Console lines: the total, then the `top` most expensive lines and the sum of the rest, then every
 * fixed charge that is not priced, with its reason.
 * @param top how many lines to show, default 5.
 */
export function renderCostLines(estimate: CostEstimate, top = 5): string[] {
  const sorted = byCostDescending(estimate.lines);
  const shown = sorted.slice(0, top);
  const rest = sorted.slice(top);
  const out = [
    `cost of ${estimate.stack} (${estimate.region}): ${totalLabel(estimate)} on-demand at list prices of ${estimate.asOf}, ` +
      `${estimate.lines.length} priced lines, ${estimate.unpriced.length} fixed charges not priced, ${estimate.usageBased.length} usage-based charges not estimated`,
  ];
  for (const line of shown) {
    out.push(
      `  ${formatDollars(line.monthlyUsd).padStart(10)}  ${line.resourceName}: ${line.description}${line.region === estimate.region ? "" : ` [${line.region}]`}${unverifiedMark(line)}`,
    );
  }
  if (rest.length > 0) {
    out.push(`  ${formatDollars(rest.reduce((sum, line) => sum + line.monthlyUsd, 0)).padStart(10)}  ${rest.length} more lines`);
  }
  for (const charge of estimate.unpriced) {
    out.push(`  ${"not priced".padStart(10)}  ${charge.resourceName}: ${charge.description}${unpricedQuantity(charge)}: ${charge.reason}`);
  }
  if (estimate.lines.some((line) => !line.priceVerified)) out.push("  † unit price not verified on a pricing page (cost/prices/)");
  return out;
}

/**
 * The DR stack's cost as a share of the primary's, e.g.
 * `warm-standby: DR stack dr $310.12/month = 62.0% of the primary's $500.20/month`. When the DR
 * side leaves out unpriced fixed charges its total is a lower bound, so the share reads "at least";
 * when the primary's does, its total is no denominator and no share is given.
 * @param label prefix such as the DR strategy; none by default.
 */
export function renderCostComparison(primary: CostEstimate, dr: CostEstimate, label?: string): string {
  const prefix = label ? `${label}: ` : "";
  const drCost = `DR stack ${dr.stack} ${isPartial(dr) ? "at least " : ""}${formatDollars(dr.totalMonthlyUsd)}/month`;
  const primaryCost = `${isPartial(primary) ? "at least " : ""}${formatDollars(primary.totalMonthlyUsd)}/month`;
  const partial = partialNote(primary, dr);
  const share = costShare(dr, primary);
  if (isPartial(primary))
    return `${prefix}${drCost}; the primary ${primary.stack} costs ${primaryCost}, so there is no share to give until its prices are in the data${partial}`;
  if (share === undefined) return `${prefix}${drCost}; the primary ${primary.stack} costs ${primaryCost}, so there is no share to give${partial}`;
  return `${prefix}${drCost} = ${isPartial(dr) ? "at least " : ""}${formatShare(share)} of the primary's ${primaryCost}${partial}`;
}

/** ` (partial: ...)` when either side leaves out fixed charges it has no price for; empty otherwise. */
function partialNote(primary: CostEstimate, dr: CostEstimate): string {
  const sides = [primary, dr].filter(isPartial).map((estimate) => `${estimate.unpriced.length} in ${estimate.stack}`);
  return sides.length === 0 ? "" : ` (partial: fixed charges not priced, ${sides.join(" and ")})`;
}

/** A markdown table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * A markdown section for report.md: the priced lines as a table (most expensive first) with the
 * total, then the usage-based charges that are not estimated.
 */
export function renderCostMarkdown(estimate: CostEstimate): string {
  const out = [
    `### Monthly cost of ${estimate.stack} (${estimate.region})`,
    "",
    `${totalLabel(estimate)} at on-demand list prices of ${estimate.asOf}, 730 hours a month; usage-based charges come on top. ` +
      "† marks a unit price not verified on a pricing page (cost/prices/).",
    "",
    "| Resource | Region | Description | Quantity | Unit | Unit price | Monthly |",
    "| --- | --- | --- | ---: | --- | ---: | ---: |",
  ];
  for (const line of byCostDescending(estimate.lines)) {
    out.push(
      `| ${cell(line.resourceName)} | ${line.region} | ${cell(line.description)} | ${QUANTITY.format(line.quantity)} | ${cell(line.unit)} | ` +
        `${formatUnitPrice(line.unitPriceUsd)}${unverifiedMark(line)} | ${formatDollars(line.monthlyUsd)} |`,
    );
  }
  out.push(`| **Total${isPartial(estimate) ? " of the priced lines" : ""}** | | | | | | **${formatDollars(estimate.totalMonthlyUsd)}** |`);
  if (isPartial(estimate)) {
    out.push(
      "",
      "Fixed charges not priced (left out of the total):",
      "",
      "| Resource | Region | Description | Quantity | Unit | Why not priced |",
      "| --- | --- | --- | ---: | --- | --- |",
    );
    for (const charge of estimate.unpriced) {
      const quantity = charge.quantity === undefined ? "" : QUANTITY.format(charge.quantity);
      out.push(
        `| ${cell(charge.resourceName)} | ${charge.region} | ${cell(charge.description)} | ${quantity} | ${cell(charge.unit ?? "")} | ${cell(charge.reason)} |`,
      );
    }
  }
  if (estimate.usageBased.length > 0) {
    out.push("", "Usage-based, not estimated:", "");
    for (const usage of estimate.usageBased) out.push(`- ${cell(usage.resourceName)} (${usage.type}): ${cell(usage.unit)}`);
  }
  return `${out.join("\n")}\n`;
}
