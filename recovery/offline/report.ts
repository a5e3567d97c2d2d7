/**
 * The drill report: per scenario, the timeline in simulated mm:ss, the time to recovery against the
 * RTO and PASS/FAIL against the operator's expectation (with every check that failed); a summary
 * table; and a JSON form for `--json`.
 */
import type { RecoverySystem } from "./system";
import { recoverySummary, type ScenarioResult, SETTLE_SECONDS } from "./simulate";
import { clockTime, duration } from "./timeline";

/** One scenario as text. */
export function renderScenario(result: ScenarioResult): string {
  const lines: string[] = [];
  lines.push(`== ${result.name}: ${result.title} - ${result.passed ? "PASS" : "FAIL"}`);
  lines.push(`   ${result.story}`);
  for (const entry of result.timeline) {
    const span = entry.until !== undefined && entry.until - entry.at >= 1 ? `  [${duration(entry.until - entry.at)}]` : "";
    const indent = entry.kind === "step" || entry.kind === "poll" ? "    " : "  ";
    lines.push(`   ${clockTime(entry.at)}${indent}${entry.label}${span}`);
  }
  if (result.recovery) lines.push(`   time to recovery: ${recoverySummary(result.recovery)} (from ${result.recovery.originLabel})`);
  const failed = result.checks.filter((check) => !check.ok);
  if (failed.length === 0) lines.push(`   expectation met: ${result.checks.length} checks pass`);
  else {
    lines.push(`   expectation NOT met (${failed.length} of ${result.checks.length} checks fail):`);
    for (const check of failed) lines.push(`     - ${check.what}: expected ${check.expected}, got ${check.actual}`);
  }
  return lines.join("\n");
}

/** The summary table: scenario, outcome(s), simulated duration, time to recovery, PASS/FAIL. */
export function renderSummary(results: ScenarioResult[]): string {
  const rows = results.map((result) => {
    const outcomes =
      result.runs.map((run) => (run.status === "SUCCEEDED" ? "SUCCEEDED" : (run.error ?? run.status))).join(", ") || (result.error ? "error" : "-");
    const end = result.runs.at(-1)?.endedAt ?? 0;
    return [result.passed ? "PASS" : "FAIL", result.name, outcomes, clockTime(end).trim(), result.recovery ? recoverySummary(result.recovery) : "-"];
  });
  const header = ["", "scenario", "outcome", "ends at", "time to recovery"];
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index].length)));
  const format = (row: string[]) =>
    row
      .map((cell, index) => cell.padEnd(widths[index]))
      .join("  ")
      .trimEnd();
  const passed = results.filter((result) => result.passed).length;
  return [format(header), ...rows.map(format), `== ${passed} of ${results.length} scenarios meet their expectation`].join("\n");
}

/** The whole text report. */
export function renderReport(system: RecoverySystem, results: ScenarioResult[]): string {
  const targets = system.targets;
  const head = [
    `== offline drill of ${targets.dns.applicationName}: ${targets.primaryRegion} -> ${targets.drRegion}, RTO ${targets.rtoSeconds} s, RPO ${targets.rpoSeconds} s`,
    `   definitions: ${system.source}`,
    ...system.notes.map((note) => `   ${note}`),
    `   simulated time: 00:00 is the first execution's start; the final state is read ${duration(SETTLE_SECONDS)} after the last one ends;`,
    `   time to recovery: until DNS serves the recovered region (change INSYNC, plus the alias TTL for resolvers) and its targets are healthy`,
  ];
  return [...head, "", ...results.map(renderScenario).flatMap((text) => [text, ""]), renderSummary(results)].join("\n");
}

/** The JSON report (`--json`). */
export function reportJson(system: RecoverySystem, results: ScenarioResult[]): Record<string, unknown> {
  return {
    source: system.source,
    notes: system.notes,
    targets: {
      application: system.targets.dns.applicationName,
      primaryRegion: system.targets.primaryRegion,
      drRegion: system.targets.drRegion,
      rtoSeconds: system.targets.rtoSeconds,
      rpoSeconds: system.targets.rpoSeconds,
    },
    durations: system.durations,
    passed: results.every((result) => result.passed),
    scenarios: results.map((result) => ({
      name: result.name,
      title: result.title,
      story: result.story,
      passed: result.passed,
      ...(result.error ? { error: result.error } : {}),
      runs: result.runs.map((run) => ({
        workflow: run.workflow,
        input: run.input,
        status: run.status,
        ...(run.error ? { error: run.error, cause: run.cause } : {}),
        startedAtSeconds: run.startedAt,
        endedAtSeconds: run.endedAt,
      })),
      recovery: result.recovery ?? null,
      final: result.final ?? null,
      checks: result.checks,
      timeline: result.timeline.map((entry) => ({
        at: clockTime(entry.at).trim(),
        atSeconds: entry.at,
        ...(entry.until !== undefined ? { untilSeconds: entry.until } : {}),
        kind: entry.kind,
        label: entry.label,
      })),
      notifications: result.notifications.map((item) => ({ atSeconds: item.at, subject: item.subject, message: item.message })),
      calls: result.calls,
    })),
  };
}
