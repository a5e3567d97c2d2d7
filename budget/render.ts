/**
 * Renders a recovery budget (`budget/recoveryBudget.ts`): text lines for the console summary of a
 * synthesis, and a markdown section for report.md. Pure: no Pulumi, no AWS SDK.
 */
import { type BudgetStep, formatSeconds, type RecoveryBudget, stepName } from "./recoveryBudget";

/** A step, or a parallel group of steps, in the order of the budget. */
type Row = { kind: "step"; step: BudgetStep } | { kind: "group"; name: string; steps: BudgetStep[]; seconds: number };

/**
 * Console lines of `budget`: a header with the RTO total against its target, one line per step
 * (seconds right-aligned), one line for each parallel group with its members, then one RPO line.
 * Example:
 *
 *     RTO budget (warm-standby): 820 s of 900 s target - met
 *         30 s  detect: Route 53 health check, 10 s x 3 failures
 *        360 s  decide: health-check alarm pages the on-call (60 s x 1), then the on-call's decision (failover.decisionSeconds, 300 s)
 *         10 s  start: failover workflow guard and pre-checks
 *        360 s  recover (parallel, longest counts): data 360 s | capacity 125 s | clients 60 s
 *        120 s  switch: fence the primary (one datapoint in the DR region), its alarm, Route 53 following it
 *     RPO budget: database 60 s of 60 s - met; objects 900 s of 900 s - met
 */
export function renderBudget(budget: RecoveryBudget): string[] {
  const { rto } = budget;
  const lines = [
    `RTO budget (${label(budget)}): ${formatSeconds(rto.totalSeconds)} s of ${formatSeconds(rto.targetSeconds)} s target - ${verdict(rto.totalSeconds, rto.targetSeconds)}`,
  ];
  for (const row of rows(rto.steps)) {
    const text =
      row.kind === "step"
        ? row.step.step
        : `${row.name} (parallel, longest counts): ${row.steps.map((step) => `${stepName(step)} ${formatSeconds(step.seconds)} s`).join(" | ")}`;
    lines.push(`${secondsColumn(row.kind === "step" ? row.step.seconds : row.seconds)}  ${text}`);
  }
  const stores = budget.rpo.stores.map(
    (store) =>
      `${store.store} ${formatSeconds(store.seconds)} s of ${formatSeconds(store.targetSeconds)} s - ${verdict(store.seconds, store.targetSeconds)}${typical(store)}`,
  );
  lines.push(`RPO budget: ${stores.join("; ")}`);
  return lines;
}

/**
 * A markdown section for report.md (no heading: the report gives it one): the RTO verdict, a table
 * of steps with their sources (members of a parallel group indented under it), the RPO verdict and
 * a table of stores.
 */
export function renderBudgetMarkdown(budget: RecoveryBudget): string {
  const { rto, rpo } = budget;
  const out = [
    `**RTO budget (${label(budget)}): ${formatSeconds(rto.totalSeconds)} s of ${formatSeconds(rto.targetSeconds)} s target - ${verdict(rto.totalSeconds, rto.targetSeconds)}**`,
    "",
    "| Step | Seconds | Source |",
    "|---|---:|---|",
  ];
  for (const row of rows(rto.steps)) {
    if (row.kind === "step") {
      out.push(`| ${cell(row.step.step)} | ${formatSeconds(row.step.seconds)} | ${cell(row.step.source)} |`);
      continue;
    }
    out.push(`| ${cell(row.name)} (parallel, longest counts) | ${formatSeconds(row.seconds)} | |`);
    for (const step of row.steps) out.push(`| &nbsp;&nbsp;&nbsp;&nbsp;${cell(step.step)} | ${formatSeconds(step.seconds)} | ${cell(step.source)} |`);
  }
  out.push(`| **total** | **${formatSeconds(rto.totalSeconds)}** | target ${formatSeconds(rto.targetSeconds)} s |`);
  out.push("", `**RPO budget: ${rpo.met ? "met" : "missed"}**`, "", "| Store | Seconds | Target | Verdict | Source |", "|---|---:|---:|---|---|");
  for (const store of rpo.stores) {
    out.push(
      `| ${store.store} | ${formatSeconds(store.seconds)}${typical(store)} | ${formatSeconds(store.targetSeconds)} | ${verdict(store.seconds, store.targetSeconds)} | ${cell(store.source)} |`,
    );
  }
  return out.join("\n") + "\n";
}

/** The budget's heading label: the strategy, and the engine mode when it is not the default (`warm-standby, aurora-global`). */
function label(budget: RecoveryBudget): string {
  return budget.databaseEngineMode ? `${budget.strategy}, ${budget.databaseEngineMode}` : budget.strategy;
}

/** ` (typically N s)` for a store with a published typical loss, else nothing. */
function typical(store: RecoveryBudget["rpo"]["stores"][number]): string {
  return store.typicalSeconds === undefined ? "" : ` (typically ${formatSeconds(store.typicalSeconds)} s)`;
}

/** The steps of `steps` in order, each parallel group gathered at the place of its first member. */
function rows(steps: BudgetStep[]): Row[] {
  const result: Row[] = [];
  const groups = new Map<string, Extract<Row, { kind: "group" }>>();
  for (const step of steps) {
    if (step.parallelGroup === undefined) {
      result.push({ kind: "step", step });
      continue;
    }
    let group = groups.get(step.parallelGroup);
    if (!group) {
      group = { kind: "group", name: step.parallelGroup, steps: [], seconds: 0 };
      groups.set(step.parallelGroup, group);
      result.push(group);
    }
    group.steps.push(step);
    group.seconds = Math.max(group.seconds, step.seconds);
  }
  return result;
}

/** "met", or "missed by N s". */
function verdict(seconds: number, targetSeconds: number): string {
  return seconds <= targetSeconds ? "met" : `missed by ${formatSeconds(seconds - targetSeconds)} s`;
}

/** Seconds right-aligned in a column wide enough for 86400 s. */
function secondsColumn(seconds: number): string {
  return `${formatSeconds(seconds)} s`.padStart(9);
}

/** Text safe in a markdown table cell: pipes escaped, line breaks as spaces. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
