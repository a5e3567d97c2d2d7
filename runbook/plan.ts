/**
 * What a workflow will do, for `--dry-run` and for the progress indicator: a short static
 * description per workflow and mode, and the step list of the happy path walked through the
 * definition itself, either the deployed one (DescribeStateMachine) or the one the definition
 * builders produce for placeholder targets (no deployed resources needed: the states, their order,
 * the waits and poll bounds do not depend on the targets, except the drill's deployed share and duration).
 *
 * The walk follows `Next` and never a catcher (error paths). At a Choice it evaluates the rules
 * against the execution input alone (three-valued: a rule on anything else, such as the replica's
 * state, is undecided), drops the branches that cannot reach a Succeed state (refusals, failures),
 * and among the undecided ones that remain takes the one doing the most before the branches rejoin:
 * the normal path rather than a shortcut (`Promote replica` rather than skipping an already
 * promoted replica). This is `ASSUMPTIONS`, and it keeps the walk independent of the data paths
 * the definitions read. A poll loop (`recovery/asl.ts` `poll`) becomes one step; a Parallel lists
 * its branches.
 */
import { type Definition, type State } from "../recovery/asl";
import { drillDefinition } from "../recovery/drill";
import { failbackDefinition } from "../recovery/failback";
import { failoverDefinition } from "../recovery/failover";
import type { Workflow } from "../recovery/names";
import type { RecoveryTargets } from "../recovery/targets";
import { DEFAULT_AUTOMATIC_COOLDOWN_SECONDS } from "../recovery/timing";
import type { RunbookArguments } from "./arguments";
import type { ExecutionInput } from "./execution";
import { formatDuration } from "./output";

/** One step of the happy path. */
export interface PlannedStep {
  /** The state's name; for a poll loop, the loop's name (`Promotion` for `Promotion: start` ... `Promotion: count`). */
  name: string;
  kind: "task" | "poll" | "parallel" | "wait" | "pass" | "succeed";
  /** What the step calls or how long it waits, e.g. `rds:promoteReadReplica`, `rds:describeDBInstances every 30 s, at most 60 checks (29:30)`. */
  detail: string;
  /** A Parallel's branches, each a list of steps. */
  branches?: PlannedStep[][];
}

/** The happy path of one workflow. */
export interface Plan {
  workflow: Workflow;
  /** `deployed definition` or `definition builders (placeholder targets)`. */
  source: string;
  steps: PlannedStep[];
  /** What the walk assumed where the input does not decide (`ASSUMPTIONS`). */
  assumptions: string;
  notes: string[];
}

/** The happy path could not be walked: the input would be refused, or the definition uses what the walk does not know. */
export class PlanError extends Error {}

/** State names of a poll loop built by `recovery/asl.ts` `poll`: `<name>: start|check|measure|done?|wait|count`. */
export const POLL_STATE = /^(.+): (start|check|measure|done\?|wait|count)$/;

/** The step a state belongs to: the loop's name for poll loop states, the state's name otherwise. */
export function stepOf(stateName: string): string {
  return POLL_STATE.exec(stateName)?.[1] ?? stateName;
}

/** What the walk assumes wherever the input does not decide. */
export const ASSUMPTIONS =
  "every check passes and every poll succeeds; where the input does not decide, the branch that does the most (e.g. a replica still to promote rather than one already promoted)";

/** A rule's truth: true, false, or undefined when it depends on more than the input. */
type Truth = boolean | undefined;

/** The value at a JSONPath (`$.a.b`, `$.a[0]`) of the input; `known: false` outside the input's own fields. */
function lookup(input: Record<string, unknown>, path: string): { known: boolean; present: boolean; value: unknown } {
  const keys = path.startsWith("$.")
    ? path
        .slice(2)
        .split(/\.|\[(\d+)\]/)
        .filter((key) => key !== undefined && key !== "")
    : undefined;
  if (!keys || keys.length === 0 || !(keys[0] in input)) return { known: false, present: false, value: undefined };
  let value: unknown = input;
  for (const key of keys) {
    if (value === null || typeof value !== "object" || !(key in value)) return { known: true, present: false, value: undefined };
    value = (value as Record<string, unknown>)[key];
  }
  return { known: true, present: true, value };
}

const NUMERIC: Record<string, (a: number, b: number) => boolean> = {
  NumericEquals: (a, b) => a === b,
  NumericGreaterThan: (a, b) => a > b,
  NumericGreaterThanEquals: (a, b) => a >= b,
  NumericLessThan: (a, b) => a < b,
  NumericLessThanEquals: (a, b) => a <= b,
};

/** Evaluates one Choice rule (JSONPath flavour) against the execution input, in three-valued logic. */
function evaluate(rule: Record<string, unknown>, input: Record<string, unknown>): Truth {
  if (Array.isArray(rule.And)) {
    const values = (rule.And as Record<string, unknown>[]).map((inner) => evaluate(inner, input));
    return values.includes(false) ? false : values.includes(undefined) ? undefined : true;
  }
  if (Array.isArray(rule.Or)) {
    const values = (rule.Or as Record<string, unknown>[]).map((inner) => evaluate(inner, input));
    return values.includes(true) ? true : values.includes(undefined) ? undefined : false;
  }
  if (rule.Not) {
    const value = evaluate(rule.Not as Record<string, unknown>, input);
    return value === undefined ? undefined : !value;
  }
  if (typeof rule.Variable !== "string") return undefined;
  const { known, present, value } = lookup(input, rule.Variable);
  if (!known) return undefined;
  for (const [key, expected] of Object.entries(rule)) {
    if (key === "Variable" || key === "Next") continue;
    if (key === "IsPresent") return present === expected;
    if (!present) return false;
    switch (key) {
      case "IsBoolean":
        return (typeof value === "boolean") === expected;
      case "IsNumeric":
        return (typeof value === "number") === expected;
      case "IsString":
        return (typeof value === "string") === expected;
      case "IsNull":
        return (value === null) === expected;
      case "StringEquals":
      case "BooleanEquals":
        return value === expected;
      default:
        if (key in NUMERIC) return typeof value === "number" && NUMERIC[key](value, expected as number);
        return undefined;
    }
  }
  return undefined;
}

type Scope = Pick<Definition, "StartAt" | "States">;

/** Whether a Succeed state (or an `End` that is not a Fail) is reachable from `name` without catchers. */
function canSucceed(scope: Scope, name: string, seen = new Set<string>()): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  const state = scope.States[name];
  if (!state || state.Type === "Fail") return false;
  if (state.Type === "Succeed" || state.End === true) return true;
  const nexts = [state.Next, state.Default, ...((state.Choices as { Next?: string }[] | undefined) ?? []).map((choice) => choice.Next)];
  return nexts.some((next) => typeof next === "string" && canSucceed(scope, next, seen));
}

/** The states reachable from `name` without catchers, with their distance in transitions. */
function distances(scope: Scope, name: string): Map<string, number> {
  const found = new Map<string, number>([[name, 0]]);
  const queue = [name];
  while (queue.length > 0) {
    const current = queue.shift()!;
    const state = scope.States[current];
    if (!state) continue;
    const nexts = [state.Next, state.Default, ...((state.Choices as { Next?: string }[] | undefined) ?? []).map((choice) => choice.Next)];
    for (const next of nexts) {
      if (typeof next !== "string" || found.has(next)) continue;
      found.set(next, found.get(current)! + 1);
      queue.push(next);
    }
  }
  return found;
}

/**
 * Of two branches, the one doing more before they rejoin (at the common state nearest to both):
 * the normal path rather than a shortcut. `first` on a tie or when they never rejoin.
 */
function moreThorough(scope: Scope, first: string, second: string): string {
  const a = distances(scope, first);
  const b = distances(scope, second);
  let best: { a: number; b: number } | undefined;
  for (const [state, distanceA] of a) {
    const distanceB = b.get(state);
    // Merge on the happy path only: both branches also reach the failure path, which says nothing about thoroughness.
    if (distanceB === undefined || !canSucceed(scope, state)) continue;
    if (!best || distanceA + distanceB < best.a + best.b) best = { a: distanceA, b: distanceB };
  }
  return best && best.b > best.a ? second : first;
}

/**
 * The branch of a Choice on the happy path: the first rule that the input makes true, unless an
 * undecided rule before it could also be taken; undecided rules and the Default are candidates when
 * they can reach success; of several candidates, the most thorough.
 * @throws PlanError when no candidate can succeed (the input would be refused, or the definition cannot succeed).
 */
function choose(scope: Scope, name: string, state: State, input: Record<string, unknown>): string {
  const candidates: string[] = [];
  let decided = false;
  for (const rule of (state.Choices as Record<string, unknown>[] | undefined) ?? []) {
    const truth = evaluate(rule, input);
    const next = rule.Next as string;
    if (truth === false) continue;
    if (truth === true) {
      candidates.push(next);
      decided = true;
      break;
    }
    candidates.push(next);
  }
  if (!decided && typeof state.Default === "string") candidates.push(state.Default);
  const viable = [...new Set(candidates)].filter((candidate) => canSucceed(scope, candidate));
  if (viable.length === 0)
    throw new PlanError(`with this input, Choice ${name} goes to ${[...new Set(candidates)].join(" or ") || "no state"}, which cannot succeed`);
  return viable.reduce((chosen, candidate) => moreThorough(scope, chosen, candidate));
}

/** How a Task reads: `rds:promoteReadReplica` for SDK integrations, `primary-region function: setCapacity` for the Lambda. */
export function describeTask(state: State): string {
  const resource = String(state.Resource ?? "");
  const sdk = /^arn:[^:]+:states:::aws-sdk:([^:]+):(.+)$/.exec(resource);
  if (sdk) return `${sdk[1]}:${sdk[2]}`;
  if (/^arn:[^:]+:states:::lambda:invoke/.test(resource)) {
    const payload = (state.Parameters as { Payload?: { operation?: unknown; action?: unknown } } | undefined)?.Payload;
    if (typeof payload?.action === "string") return `heartbeat function: ${payload.action}`;
    const operation = (payload?.operation as string | undefined) ?? "invoke";
    return `primary-region function: ${operation}`;
  }
  return resource;
}

function walk(scope: Scope, input: Record<string, unknown>): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const visited = new Set<string>();
  let name = scope.StartAt;
  for (;;) {
    if (visited.has(name)) throw new PlanError(`the happy path loops back to ${name}`);
    visited.add(name);
    const state = scope.States[name];
    if (!state) throw new PlanError(`the definition has no state ${name}`);

    const loop = POLL_STATE.exec(name);
    if (loop && loop[2] === "start") {
      const base = loop[1];
      const decide = scope.States[`${base}: done?`];
      const wait = scope.States[`${base}: wait`];
      const check = scope.States[`${base}: check`];
      if (!decide || !wait || !check) throw new PlanError(`poll loop ${base} is incomplete`);
      const choices = (decide.Choices as Record<string, unknown>[] | undefined) ?? [];
      const bound = choices.find((choice) => String(choice.Variable ?? "").startsWith("$.attempts."))?.NumericGreaterThanEquals;
      const interval = Number(wait.Seconds);
      const checks = typeof bound === "number" ? bound + 1 : undefined;
      const limit = checks === undefined ? "" : `, at most ${checks} checks (${formatDuration((checks - 1) * interval * 1000)})`;
      steps.push({ name: base, kind: "poll", detail: `${describeTask(check)} every ${interval} s${limit}` });
      for (const suffix of ["check", "measure", "done?", "wait", "count"]) visited.add(`${base}: ${suffix}`);
      const next = choices.map((choice) => choice.Next).find((candidate): candidate is string => typeof candidate === "string" && canSucceed(scope, candidate));
      if (!next) throw new PlanError(`poll loop ${base} has no way to success`);
      name = next;
      continue;
    }

    switch (state.Type) {
      case "Choice":
        name = choose(scope, name, state, input);
        continue;
      case "Fail":
        throw new PlanError(`the happy path reaches the Fail state ${name}`);
      case "Succeed":
        steps.push({ name, kind: "succeed", detail: "done" });
        return steps;
      case "Parallel":
        steps.push({
          name,
          kind: "parallel",
          detail: "branches run in parallel",
          branches: ((state.Branches as Scope[]) ?? []).map((branch) => walk(branch, input)),
        });
        break;
      case "Task":
        steps.push({ name, kind: "task", detail: describeTask(state) });
        break;
      case "Wait":
        steps.push({ name, kind: "wait", detail: typeof state.Seconds === "number" ? `wait ${state.Seconds} s` : "wait" });
        break;
      case "Pass":
        steps.push({ name, kind: "pass", detail: "" });
        break;
      default:
        throw new PlanError(`unsupported state type ${String(state.Type)} (${name})`);
    }
    if (state.End === true) return steps;
    if (typeof state.Next !== "string") throw new PlanError(`state ${name} has neither Next nor End`);
    name = state.Next;
  }
}

/**
 * The happy path of `definition` for `input` (see the module comment and `ASSUMPTIONS`).
 * @throws PlanError when the input would be refused (a Choice it decides leads only to failure), no
 * branch of a Choice can succeed, the path loops or reaches a Fail state, or the definition uses a
 * construct the walk does not know (Map, JSONata).
 */
export function planFromDefinition(workflow: Workflow, definition: Scope, input: ExecutionInput, source: string): Plan {
  const steps = walk(definition, input as Record<string, unknown>);
  return { workflow, source, steps, assumptions: ASSUMPTIONS, notes: [] };
}

/** Targets with placeholder identifiers: enough for the builders, whose states do not depend on them. */
export function placeholderTargets(region: string, partition = "aws", accountId = "000000000000"): RecoveryTargets {
  const capacity = { minSize: 1, desiredCapacity: 1, maxSize: 1 };
  const alias = { dnsName: "<load balancer>", zoneId: "<zone>" };
  return {
    partition,
    accountId,
    drRegion: region,
    primaryRegion: "<primary region>",
    rtoSeconds: 900,
    rpoSeconds: 60,
    replica: { identifier: "<replica>", arn: "<replica arn>", backupRetentionDays: 7 },
    drAutoScalingGroup: { name: "<dr group>", arn: "<dr group arn>", standby: capacity, recovery: capacity },
    drTargetGroupArn: "<dr target group>",
    drLoadBalancer: alias,
    primaryLoadBalancer: alias,
    fence: {
      namespace: "<namespace>",
      metricName: "<fence metric>",
      dimensions: [{ Name: "Application", Value: "<application>" }],
      alarmName: "<fence alarm>",
    },
    dns: {
      hostedZoneId: "<zone>",
      applicationName: "<application>",
      primarySetIdentifier: "<primary>",
      healthCheckId: "<health check>",
      drillPoolName: "<drill pool>",
    },
    databaseName: { fqdn: "<database name>", drZoneId: "<zone>", primaryZoneId: "<zone>" },
    databaseNameTtlSeconds: 30,
    primary: {
      databaseIdentifier: "<primary database>",
      databaseArn: "<primary database arn>",
      autoScalingGroupName: "<primary group>",
      targetGroupArn: "<tg>",
      capacity,
    },
    primaryRegionFunctionArn: "<function>",
    heartbeat: { drFunctionArn: "<dr heartbeat function>", primaryFunctionArn: "<primary heartbeat function>" },
    topicArn: "<topic>",
    alarms: { replicaLagOverRpo: "<alarm>", drillAbort: ["<alarm>"] },
    drill: { trafficPercent: 10, durationSeconds: 600 },
  };
}

/** The definition the builders produce for `workflow` with placeholder targets in `region`. */
export function builderDefinition(workflow: Workflow, region: string): Definition {
  const targets = placeholderTargets(region);
  switch (workflow) {
    case "failover":
      return failoverDefinition(targets, DEFAULT_AUTOMATIC_COOLDOWN_SECONDS);
    case "failback":
      return failbackDefinition(targets);
    case "drill":
      return drillDefinition(targets);
  }
}

/** The happy path from the definition builders (no AWS call). @throws PlanError as `planFromDefinition`. */
export function builderPlan(workflow: Workflow, input: ExecutionInput, region: string): Plan {
  const plan = planFromDefinition(workflow, builderDefinition(workflow, region), input, "the definition builders (placeholder targets)");
  if (workflow === "drill") plan.notes.push("the drill's traffic share and duration are deployed settings: the Observe bound above is a placeholder");
  return plan;
}

/** The names of the top-level steps, in order: what the progress indicator counts. */
export function topLevelSteps(plan: Plan): string[] {
  return plan.steps.map((step) => step.name);
}

/** The plan as numbered lines; branch steps are indented under their Parallel. */
export function renderPlan(plan: Plan): string[] {
  const width = Math.max(
    ...plan.steps.flatMap((step) => [step.name, ...(step.branches ?? []).flat().map((inner) => `   ${inner.name}`)]).map((text) => text.length),
  );
  const lines: string[] = [];
  plan.steps.forEach((step, index) => {
    const number = `${String(index + 1).padStart(3)}. `;
    lines.push(`${number}${step.name.padEnd(width)}  ${step.detail}`.trimEnd());
    (step.branches ?? []).forEach((branch, branchIndex) => {
      const label = String.fromCharCode("a".charCodeAt(0) + branchIndex);
      for (const inner of branch) lines.push(`${" ".repeat(number.length)}${`${label}) ${inner.name}`.padEnd(width)}  ${inner.detail}`.trimEnd());
    });
  });
  return lines;
}

/** A few sentences on what the workflow does with these arguments, in `region` (static, from the definitions' docstrings). */
export function describeWorkflow(args: Pick<RunbookArguments, "workflow" | "mode" | "force">, region: string): string[] {
  const force = args.force
    ? [
        args.workflow === "failover"
          ? "--force: the replica state and lag checks are SKIPPED; writes not yet replicated to the DR region are LOST (you accept the data loss)."
          : "--force: the primary-region replica's lag check is SKIPPED; writes not yet replicated to the primary region are LOST (you accept the data loss).",
      ]
    : [];
  switch (args.workflow) {
    case "failover":
      return [
        ...(args.mode === "planned"
          ? [
              `Planned switchover to ${region}: the primary is healthy. Writes stop in the primary region (its Auto Scaling Group goes to 0),`,
              "the DR replica catches up, then the replica is promoted while DR capacity scales up. No data loss; if the replica",
              "does not catch up in time, the primary's capacity is restored and nothing else changes.",
            ]
          : [
              `Unplanned failover to ${region}: nothing is asked of the primary region. After pre-checks (the replica exists, is available`,
              "or backing-up, and its lag is within the RPO), the replica is promoted while DR capacity scales up.",
            ]),
        "Then the stable database name and the application's DNS (the PRIMARY failover record) move to the DR region, and the run",
        "waits for Route 53 INSYNC and healthy DR targets. Re-running after a partial failure is safe.",
        ...force,
      ];
    case "failback":
      return [
        `Failback from ${region} to the primary region. Precondition: the primary stack was rebuilt as the new standby (its database`,
        "replicates from the promoted DR database; docs/runbook.md, Failback). The primary scales up, writes stop in the DR region (its",
        "group goes to 0), the primary-region replica catches up and is promoted, the database name and DNS move back to the",
        "primary, the run waits for INSYNC and healthy primary targets, then the DR group returns to its standby capacity.",
        ...force,
      ];
    case "drill":
      return [
        `Non-disruptive drill of ${region}: readiness checks (replica, lag alarm, DR health), then the deployed share of live traffic`,
        "goes to the DR region through a weighted pool under the PRIMARY record while the abort alarms are watched every 30 s,",
        "then traffic is rolled back (at the end, on an abort alarm or on an error). Nothing is promoted.",
      ];
  }
}
