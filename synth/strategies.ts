/**
 * `npm run synth:strategies`: synthesizes the pair once per DR strategy (the stack files with
 * `recovery.strategy` replaced) and prints, for each, what the DR region runs, the recovery budget
 * against the declared targets, the monthly cost of both stacks from the dated price table, and
 * whether the DR invariants and the pack pass. Writes the same as a markdown table to
 * `out/synth/strategies.md` (the "Choosing a strategy" table of docs/strategies-and-budget.md comes from it).
 *
 * Usage: tsx synth/strategies.ts [--out DIR] [--primary FILE] [--dr FILE]
 * Exit codes: 0 the comparison was written (a strategy that misses its targets is a finding, not an
 * error); 1 a configuration error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { formatSeconds } from "../budget/recoveryBudget";
import { ConfigError } from "../config/errors";
import { STRATEGIES, type Strategy } from "../config/strategies";
import { costShare, estimateMonthlyCost, isPartial } from "../cost/estimate";
import { formatDollars, formatShare } from "../cost/render";
import { PRICE_TABLE } from "../cost/priceTable";
import { planRecoveryBudget } from "../invariants/recoveryBudget";
import type { StackPlan } from "./recordStack";
import { policyCounts } from "./report";
import { synthesize, type SynthesisResult } from "./synthesize";

/** One strategy's row of the comparison. */
export interface StrategyRow {
  strategy: Strategy;
  /** DR Auto Scaling min / desired / max, as synthesized. */
  drCapacity: string;
  drNatGateways: string;
  drDatabase: string;
  rtoBudgetSeconds?: number;
  rtoTargetSeconds?: number;
  databaseRpoBudgetSeconds?: number;
  objectRpoBudgetSeconds?: number;
  rpoTargetSeconds?: number;
  primaryMonthlyUsd: number;
  drMonthlyUsd: number;
  /** Fixed charges each stack's estimate could not price (its total is then a lower bound). */
  primaryUnpriced: number;
  drUnpriced: number;
  /** DR cost as a share of the primary's, 0 to 1 and beyond; undefined when the primary's total is partial. */
  drShare?: number;
  /** Failed invariants plus mandatory policy violations. */
  failures: number;
}

function only(plan: StackPlan, type: string) {
  return plan.resources.find((resource) => resource.type === type);
}

/** The comparison row of one synthesis. */
export function strategyRow(strategy: Strategy, result: SynthesisResult): StrategyRow {
  const group = only(result.dr, "aws:autoscaling/group:Group")?.inputs ?? {};
  const vpc = only(result.dr, "awsx:ec2:Vpc")?.inputs ?? {};
  const database = only(result.dr, "aws:rds/instance:Instance")?.inputs;
  const { budget } = planRecoveryBudget(result.dr);
  const primaryCost = estimateMonthlyCost(result.primary);
  const drCost = estimateMonthlyCost(result.dr);
  const store = (name: string) => budget?.rpo.stores.find((candidate) => candidate.store === name);
  return {
    strategy,
    drCapacity: `${group.minSize} / ${group.desiredCapacity} / ${group.maxSize}`,
    drNatGateways: String((vpc.natGateways as { strategy?: string } | undefined)?.strategy ?? "?"),
    drDatabase: database ? `read replica${database.multiAz ? ", Multi-AZ" : ""}` : "replicated backups",
    rtoBudgetSeconds: budget?.rto.totalSeconds,
    rtoTargetSeconds: budget?.rto.targetSeconds,
    databaseRpoBudgetSeconds: store("database")?.seconds,
    objectRpoBudgetSeconds: store("objects")?.seconds,
    rpoTargetSeconds: store("database")?.targetSeconds,
    primaryMonthlyUsd: primaryCost.totalMonthlyUsd,
    drMonthlyUsd: drCost.totalMonthlyUsd,
    primaryUnpriced: primaryCost.unpriced.length,
    drUnpriced: drCost.unpriced.length,
    drShare: isPartial(primaryCost) ? undefined : costShare(drCost, primaryCost),
    failures:
      result.invariants.reduce((sum, invariant) => sum + invariant.violations.length, 0) +
      policyCounts(result.policies.primary).mandatory +
      policyCounts(result.policies.dr).mandatory,
  };
}

const seconds = (value: number | undefined) => (value === undefined ? "?" : `${formatSeconds(value)} s`);
/** Dollars, `≥ $1.00` when the total leaves out unpriced charges. */
const dollars = (usd: number, unpriced: number) => `${unpriced > 0 ? "≥ " : ""}${formatDollars(usd)}`;
/** The DR share, `≥ 25.0%` when the DR total is partial, `?` when there is none (the primary's total is partial). */
const share = (row: StrategyRow) => (row.drShare === undefined ? "?" : `${row.drUnpriced > 0 ? "≥ " : ""}${formatShare(row.drShare)}`);
const verdict = (row: StrategyRow) => (row.failures === 0 ? "passes" : `fails (${row.failures})`);

/** The comparison as a markdown table. */
export function renderStrategiesMarkdown(rows: StrategyRow[]): string {
  return [
    `| Strategy | DR app min / desired / max | DR NAT | DR database | RTO budget (target) | RPO budget: database, objects (target) | Primary $/month | DR $/month | DR share | Invariants and pack |`,
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (row) =>
        `| ${row.strategy} | ${row.drCapacity} | ${row.drNatGateways} | ${row.drDatabase} | ${seconds(row.rtoBudgetSeconds)} (${seconds(row.rtoTargetSeconds)}) | ` +
        `${seconds(row.databaseRpoBudgetSeconds)}, ${seconds(row.objectRpoBudgetSeconds)} (${seconds(row.rpoTargetSeconds)}) | ` +
        `${dollars(row.primaryMonthlyUsd, row.primaryUnpriced)} | ${dollars(row.drMonthlyUsd, row.drUnpriced)} | ${share(row)} | ${verdict(row)} |`,
    ),
    "",
    `Prices: ${PRICE_TABLE.source}, as of ${PRICE_TABLE.asOf}; fixed monthly charges only (usage-based charges are listed in each synthesis report); ≥ marks a total that leaves out fixed charges without a price.`,
  ].join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: "string", default: "out/synth" }, primary: { type: "string" }, dr: { type: "string" } },
    strict: true,
  });
  const projectDirectory = path.resolve(__dirname, "..");
  const rows: StrategyRow[] = [];
  try {
    for (const strategy of STRATEGIES) {
      const result = await synthesize({
        projectDirectory,
        strategy,
        ...(values.primary ? { primaryStackFile: path.resolve(values.primary) } : {}),
        ...(values.dr ? { drStackFile: path.resolve(values.dr) } : {}),
      });
      const row = strategyRow(strategy, result);
      rows.push(row);
      console.log(
        `${strategy.padEnd(15)} DR app ${row.drCapacity}, NAT ${row.drNatGateways}, ${row.drDatabase}; ` +
          `RTO ${seconds(row.rtoBudgetSeconds)} of ${seconds(row.rtoTargetSeconds)}; RPO database ${seconds(row.databaseRpoBudgetSeconds)}, objects ${seconds(row.objectRpoBudgetSeconds)}; ` +
          `${dollars(row.primaryMonthlyUsd, row.primaryUnpriced)} + ${dollars(row.drMonthlyUsd, row.drUnpriced)}/month (DR ${share(row)} of the primary); ${verdict(row)}`,
      );
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const outDirectory = path.resolve(values.out!);
  mkdirSync(outDirectory, { recursive: true });
  writeFileSync(path.join(outDirectory, "strategies.md"), `${renderStrategiesMarkdown(rows)}\n`);
  console.log(`== wrote ${path.relative(process.cwd(), path.join(outDirectory, "strategies.md"))}`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
