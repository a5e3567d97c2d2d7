/**
 * Renders a synthesis: a console summary per stack, the cross-stack wiring read from the plans, a
 * Mermaid architecture diagram (GitHub renders it), and the invariant results.
 */
import { renderBudget, renderBudgetMarkdown } from "../budget/render";
import { estimateMonthlyCost } from "../cost/estimate";
import { PRICE_TABLE } from "../cost/priceTable";
import { renderCostComparison, renderCostLines, renderCostMarkdown } from "../cost/render";
import type { InvariantResult } from "../invariants";
import { planRecoveryBudget } from "../invariants/recoveryBudget";
import type { StackPolicyReport } from "../policy/offline";
import type { PlannedResource, StackPlan } from "./recordStack";
import type { SynthesisResult } from "./synthesize";

/** Counts of resources by type, most frequent first, then by name. */
export function countByType(resources: PlannedResource[], filter: (resource: PlannedResource) => boolean): [string, number][] {
  const counts = new Map<string, number>();
  for (const resource of resources.filter(filter)) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const isComponent = (resource: PlannedResource) => !resource.custom || resource.type.startsWith("awsx:") || resource.type.startsWith("eks:");

/** One line per cross-stack link, derived from the DR plan's resources. */
export function wiringLines({ primary, dr }: { primary: StackPlan; dr: StackPlan }): string[] {
  const lines: string[] = [];
  for (const replica of dr.resources.filter((resource) => resource.type === "aws:rds/instance:Instance" && resource.inputs.replicateSourceDb)) {
    lines.push(`read replica ${replica.name} (${replica.region}, key ${replica.inputs.kmsKeyId}) <- source ${replica.inputs.replicateSourceDb}`);
  }
  for (const config of [...primary.resources, ...dr.resources].filter(
    (resource) => resource.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  )) {
    for (const rule of (config.inputs.rules as { id?: string; destination?: { bucket?: string; encryptionConfiguration?: { replicaKmsKeyId?: string } } }[]) ??
      []) {
      lines.push(
        `replication rule ${rule.id}: s3://${config.inputs.bucket} (${config.region}) -> ${rule.destination?.bucket} (key ${rule.destination?.encryptionConfiguration?.replicaKmsKeyId})`,
      );
    }
  }
  for (const record of dr.resources.filter((resource) => resource.type === "aws:route53/record:Record" && resource.inputs.failoverRoutingPolicies)) {
    const policy = (record.inputs.failoverRoutingPolicies as { type: string }[])[0]?.type;
    const alias = (record.inputs.aliases as { name: string }[] | undefined)?.[0]?.name;
    const check = record.inputs.healthCheckId ? ` (health check ${record.inputs.healthCheckId})` : "";
    lines.push(`failover record ${policy} ${record.inputs.name} -> ${alias}${check}`);
  }
  const checks = dr.resources.filter((resource) => resource.type === "aws:route53/healthCheck:HealthCheck");
  for (const check of checks) lines.push(`health check ${check.name}: ${describeHealthCheck(check.inputs, checks)}`);
  return lines;
}

/** One health check as the report shows it: an endpoint's target and timing, an alarm's name and region, a calculated check's children. */
function describeHealthCheck(inputs: Record<string, unknown>, checks: { id: string; name: string }[]): string {
  const inverted = inputs.invertHealthcheck === true ? ", inverted" : "";
  if (inputs.type === "CLOUDWATCH_METRIC")
    return `alarm ${inputs.cloudwatchAlarmName} (${inputs.cloudwatchAlarmRegion}), no data: ${inputs.insufficientDataHealthStatus}${inverted}`;
  if (inputs.type === "CALCULATED") {
    const children = ((inputs.childHealthchecks as string[] | undefined) ?? []).map((id) => checks.find((check) => check.id === id)?.name ?? id);
    return `healthy while ${inputs.childHealthThreshold} of ${children.join(", ")}${inverted}`;
  }
  return `${inputs.type} ${inputs.fqdn}:${inputs.port}${inputs.resourcePath} every ${inputs.requestInterval} s, ${inputs.failureThreshold} failures${inverted}`;
}

/** The console summary of a synthesis. */
export function renderSummary(result: SynthesisResult): string {
  const out: string[] = [];
  for (const plan of [result.primary, result.dr]) {
    const custom = plan.resources.filter((resource) => resource.custom && !resource.type.startsWith("pulumi:providers:"));
    out.push(`== stack ${plan.stack} (${plan.role}, ${plan.region}): ${custom.length} resources`);
    out.push(
      `   components: ${countByType(plan.resources, isComponent)
        .map(([type, count]) => `${type.split(":").pop()} x${count}`)
        .join(", ")}`,
    );
    out.push("   resources by type:");
    for (const [type, count] of countByType(plan.resources, (resource) => resource.custom && !isComponent(resource))) {
      out.push(`     ${String(count).padStart(3)}  ${type}`);
    }
  }
  out.push("== recovery budget (unplanned failover, from AWS figures; budget/figures.ts)");
  out.push(...budgetLines(result.dr).map((line) => `   ${line}`));
  const primaryCost = estimateMonthlyCost(result.primary);
  const drCost = estimateMonthlyCost(result.dr);
  out.push(`== monthly cost (fixed charges, on-demand, prices as of ${PRICE_TABLE.asOf}; cost/prices/)`);
  for (const estimate of [primaryCost, drCost]) out.push(...renderCostLines(estimate).map((line) => `   ${line}`));
  out.push(`   ${renderCostComparison(primaryCost, drCost, String(result.dr.outputs.strategy ?? ""))}`);
  out.push("== cross-stack wiring");
  for (const line of wiringLines(result)) out.push(`   ${line}`);
  out.push("== DR invariants");
  for (const invariant of result.invariants) {
    out.push(`   [${invariant.violations.length === 0 ? "pass" : "FAIL"}] ${invariant.title}`);
    for (const violation of invariant.violations) out.push(`          - ${violation}`);
  }
  out.push("== policy pack");
  for (const report of [result.policies.primary, result.policies.dr]) {
    const counts = policyCounts(report);
    out.push(
      `   ${report.stack}: ${report.policiesRun} policies, ${report.passed.length} passed, ${counts.advisory} advisory and ${counts.mandatory} mandatory violations`,
    );
    for (const violation of report.violations) {
      out.push(`     [${violation.enforcementLevel}] ${violation.policy}${violation.resource ? ` (${violation.resource})` : ""}: ${violation.message}`);
    }
  }
  return out.join("\n");
}

/** The DR stack's recovery budget as console lines, or why it cannot be computed. */
export function budgetLines(dr: StackPlan): string[] {
  const { budget, problems } = planRecoveryBudget(dr);
  return budget ? renderBudget(budget) : problems.map((problem) => `cannot compute the budget: ${problem}`);
}

/** Violations of a stack's policy report by enforcement level. */
export function policyCounts(report: StackPolicyReport): { advisory: number; mandatory: number } {
  const count = (level: string) => report.violations.filter((violation) => violation.enforcementLevel === level).length;
  return { advisory: count("advisory"), mandatory: count("mandatory") };
}

function policySection(report: StackPolicyReport): string {
  const counts = policyCounts(report);
  const escape = (text: string) => text.replace(/\|/g, "\\|");
  return [
    `### ${report.stack}: ${report.passed.length} of ${report.policiesRun} policies pass; ${counts.mandatory} mandatory, ${counts.advisory} advisory violations`,
    "",
    ...(report.violations.length === 0
      ? ["No violations."]
      : [
          "| Level | Policy | Resource | Message |",
          "|---|---|---|---|",
          ...[...report.violations]
            .sort((a, b) => a.enforcementLevel.localeCompare(b.enforcementLevel) * -1)
            .map(
              (violation) => `| ${violation.enforcementLevel} | \`${violation.policy}\` | ${violation.resource ?? "(stack)"} | ${escape(violation.message)} |`,
            ),
        ]),
    "",
  ].join("\n");
}

function budgetMarkdown(dr: StackPlan): string {
  const { budget, problems } = planRecoveryBudget(dr);
  return budget ? renderBudgetMarkdown(budget) : problems.map((problem) => `- cannot compute the budget: ${problem}`).join("\n");
}

function mermaidId(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

/** A Mermaid flowchart of both regions and the links between them, built from the plans. */
export function renderMermaid({ primary, dr }: { primary: StackPlan; dr: StackPlan }): string {
  const lines = ["flowchart LR", "  users([Users]) --> dns{{Route 53 failover}}"];
  const shown: Record<string, string> = {
    "aws:lb/loadBalancer:LoadBalancer": "ALB",
    "aws:autoscaling/group:Group": "Auto Scaling Group",
    "aws:rds/instance:Instance": "RDS",
    "aws:s3/bucket:Bucket": "S3",
    "aws:kms/key:Key": "KMS key",
    "eks:index:Cluster": "EKS monitoring",
  };
  for (const plan of [primary, dr]) {
    lines.push(`  subgraph ${mermaidId(plan.stack)}["${plan.role} stack: ${plan.region}"]`);
    for (const resource of plan.resources.filter((candidate) => candidate.type in shown)) {
      lines.push(`    ${mermaidId(`${plan.stack}_${resource.name}`)}["${shown[resource.type]}<br/>${resource.name}"]`);
    }
    lines.push("  end");
  }
  const nodeOf = (plan: StackPlan, predicate: (resource: PlannedResource) => boolean) => {
    const found = plan.resources.find(predicate);
    return found ? mermaidId(`${plan.stack}_${found.name}`) : undefined;
  };
  for (const record of dr.resources.filter((resource) => resource.type === "aws:route53/record:Record" && resource.inputs.failoverRoutingPolicies)) {
    const alias = (record.inputs.aliases as { name: string }[] | undefined)?.[0]?.name;
    const role = (record.inputs.failoverRoutingPolicies as { type: string }[])[0]?.type;
    const target = nodeOf(primary, (resource) => resource.outputs.dnsName === alias) ?? nodeOf(dr, (resource) => resource.outputs.dnsName === alias);
    if (target) lines.push(`  dns -- ${role} --> ${target}`);
  }
  for (const replica of dr.resources.filter((resource) => resource.type === "aws:rds/instance:Instance" && resource.inputs.replicateSourceDb)) {
    const source = nodeOf(primary, (resource) => resource.outputs.arn === replica.inputs.replicateSourceDb);
    if (source) lines.push(`  ${source} -. async read replica .-> ${mermaidId(`${dr.stack}_${replica.name}`)}`);
  }
  for (const config of dr.resources.filter((resource) => resource.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
    const source = nodeOf(primary, (resource) => resource.type === "aws:s3/bucket:Bucket" && resource.outputs.bucket === config.inputs.bucket);
    for (const rule of (config.inputs.rules as { destination?: { bucket?: string } }[]) ?? []) {
      const destination = nodeOf(dr, (resource) => resource.type === "aws:s3/bucket:Bucket" && resource.outputs.arn === rule.destination?.bucket);
      if (source && destination) lines.push(`  ${source} -. CRR with RTC .-> ${destination}`);
    }
  }
  return lines.join("\n");
}

function invariantTable(invariants: InvariantResult[]): string {
  const rows = invariants.map(
    (invariant) =>
      `| ${invariant.id} | ${invariant.title} | ${invariant.violations.length === 0 ? "pass" : `**FAIL**: ${invariant.violations.map((violation) => violation.replace(/\|/g, "\\|")).join("<br/>")}`} |`,
  );
  return ["| # | Invariant | Result |", "|---|---|---|", ...rows].join("\n");
}

/** The Markdown report written next to the plans. */
export function renderMarkdown(result: SynthesisResult): string {
  const cost = { primary: estimateMonthlyCost(result.primary), dr: estimateMonthlyCost(result.dr) };
  const stackSection = (plan: StackPlan) =>
    [
      `### ${plan.stack} (${plan.role}, ${plan.region})`,
      "",
      "| Resource type | Count |",
      "|---|---|",
      ...countByType(plan.resources, (resource) => resource.custom && !resource.type.startsWith("pulumi:providers:")).map(
        ([type, count]) => `| \`${type}\` | ${count} |`,
      ),
      "",
    ].join("\n");
  return [
    "# Offline synthesis report",
    "",
    "Both stacks synthesized under Pulumi's mock runtime from their stack files; ids and ARNs are mocked, every setting is the program's own.",
    "",
    "## Architecture",
    "",
    "```mermaid",
    renderMermaid(result),
    "```",
    "",
    "## Recovery budget",
    "",
    "An unplanned failover of the DR stack as synthesized, step by step, from AWS's published figures (`budget/figures.ts`).",
    "",
    budgetMarkdown(result.dr),
    "",
    "## Monthly cost",
    "",
    `Fixed monthly charges of each stack, on-demand, from the dated price data (\`cost/prices/\`, refreshed by \`npm run prices:update\`; ${PRICE_TABLE.source}, as of ${PRICE_TABLE.asOf}); usage-based charges are listed, not estimated. † marks a price not read from a dated copy of the AWS page.`,
    "",
    renderCostComparison(cost.primary, cost.dr, String(result.dr.outputs.strategy ?? "")),
    "",
    renderCostMarkdown(cost.primary),
    "",
    renderCostMarkdown(cost.dr),
    "",
    "## Cross-stack wiring",
    "",
    ...wiringLines(result).map((line) => `- ${line}`),
    "",
    "## DR invariants",
    "",
    invariantTable(result.invariants),
    "",
    "## Policy pack",
    "",
    "The CrossGuard pack in `policy/`, run on each synthesized stack as `pulumi preview --policy-pack policy` runs it.",
    "",
    policySection(result.policies.primary),
    policySection(result.policies.dr),
    "## Stacks",
    "",
    stackSection(result.primary),
    stackSection(result.dr),
    `Synthesis took ${Math.round(result.timings.primaryMilliseconds)} ms (primary) + ${Math.round(result.timings.drMilliseconds)} ms (dr) + ${Math.round(result.timings.invariantsMilliseconds)} ms (invariants) + ${Math.round(result.timings.policiesMilliseconds)} ms (policy pack).`,
    "",
  ].join("\n");
}
