/**
 * DR invariant 14 (this program's): the unplanned failover needs nothing from the failed region.
 *
 * An outage is the whole primary region gone, plus the control planes of global services homed in
 * us-east-1 when that is the primary (DESIGN.md, "The outage model"). AWS's guidance is to rely on
 * data planes, not control planes, for recovery (AWS Well-Architected, REL11-BP04 "Rely on the data
 * plane and not the control plane during recovery"), and to "remove global service control plane
 * dependencies in your recovery path" (AWS Fault Isolation Boundaries, "Global services"). So:
 * - no Task that the failover can run with `mode: unplanned` calls a service whose control plane is
 *   homed in one region (`GLOBAL_CONTROL_PLANE_REGIONS`), since every one of their API calls is a
 *   control-plane call; nor a Lambda function that reaches the primary region (the primary-region
 *   operations function) or lives in another region; nor an SDK integration outside the state
 *   machine's own region;
 * - the automatic failover's trigger (the EventBridge rule that starts the failover, and the alarm it
 *   matches) lives in the DR region, so that an outage of the primary region, or of us-east-1, can
 *   still start it.
 *
 * The reachable states are found by walking the definition from `StartAt` with `$.mode` known to be
 * `unplanned`: a Choice rule that needs `$.mode` to be `planned` is never taken; every other rule
 * may be (conservative: an unknown branch counts as reachable).
 */
import { FENCE_METRIC } from "../config/conventions";
import { arnRegion, type InvariantResult, type PlanPair } from "./plan";

/**
 * Services whose control plane is homed in a single region of the `aws` partition, by the service
 * name of Step Functions' AWS SDK integrations (`arn:aws:states:::aws-sdk:<service>:<action>`).
 * AWS Fault Isolation Boundaries, "Global services": partitional services IAM, Organizations,
 * Account Management and Route 53 private DNS (us-east-1), Route 53 ARC and Network Manager
 * (us-west-2); services in the edge network: Route 53 public DNS, CloudFront and Shield Advanced
 * (us-east-1), Global Accelerator (us-west-2). Route 53's data plane (DNS answers, health checks) and
 * ARC's cluster endpoints (`route53recoverycluster`) are not in the list: they are data planes.
 */
export const GLOBAL_CONTROL_PLANE_REGIONS: Readonly<Record<string, string>> = {
  iam: "us-east-1",
  organizations: "us-east-1",
  account: "us-east-1",
  route53: "us-east-1",
  route53domains: "us-east-1",
  cloudfront: "us-east-1",
  shield: "us-east-1",
  route53recoverycontrolconfig: "us-west-2",
  route53recoveryreadiness: "us-west-2",
  networkmanager: "us-west-2",
  globalaccelerator: "us-west-2",
};

/** The region whose control-plane outage the outage model adds to a primary region's. */
export const US_EAST_1 = "us-east-1";

/** A Lambda function of the DR stack, as the check needs it. */
export interface FunctionFacts {
  /** ARN (when known) and name of the function. */
  arn?: string;
  name?: string;
  /** The function's region. */
  region: string;
  /** Its environment variables: a value naming another region, or an ARN of one, means it reaches there. */
  environment: Record<string, unknown>;
}

/** What the check knows about the DR stack. */
export interface DataPlaneContext {
  /** The state machine's (the DR) region. */
  region: string;
  /** The primary region (the failed one). */
  primaryRegion: string;
  /** The stack's Lambda functions. */
  functions: FunctionFacts[];
}

type Rule = Record<string, unknown>;
type StateJson = Record<string, unknown>;
interface Graph {
  StartAt?: unknown;
  States?: unknown;
}

/** A Choice rule's value when `$.mode` is `unplanned`: true, false, or undefined when it depends on something else. */
export function ruleWhenUnplanned(rule: Rule): boolean | undefined {
  if (Array.isArray(rule.And)) {
    const values = (rule.And as Rule[]).map(ruleWhenUnplanned);
    if (values.includes(false)) return false;
    return values.every((value) => value === true) ? true : undefined;
  }
  if (Array.isArray(rule.Or)) {
    const values = (rule.Or as Rule[]).map(ruleWhenUnplanned);
    if (values.includes(true)) return true;
    return values.every((value) => value === false) ? false : undefined;
  }
  if (rule.Not && typeof rule.Not === "object") {
    const value = ruleWhenUnplanned(rule.Not as Rule);
    return value === undefined ? undefined : !value;
  }
  if (rule.Variable !== "$.mode") return undefined;
  if (typeof rule.StringEquals === "string") return rule.StringEquals === "unplanned";
  if (rule.IsPresent === true || rule.IsString === true) return true;
  if (rule.IsPresent === false) return false;
  return undefined;
}

/** The states a Choice may go to when `$.mode` is `unplanned`, in order; Default unless a rule is certainly taken. */
function choiceTargets(state: StateJson): string[] {
  const targets: string[] = [];
  for (const rule of (state.Choices as Rule[] | undefined) ?? []) {
    const value = ruleWhenUnplanned(rule);
    if (value === false) continue;
    targets.push(String(rule.Next));
    if (value === true) return targets;
  }
  return typeof state.Default === "string" ? [...targets, state.Default] : targets;
}

/** Every Task state (name and JSON) reachable from `StartAt` when `$.mode` is `unplanned`, Parallel branches and Map processors included. */
export function unplannedPathTasks(definition: Graph): { name: string; state: StateJson }[] {
  const tasks: { name: string; state: StateJson }[] = [];
  const walk = (graph: Graph) => {
    const states = (graph.States ?? {}) as Record<string, StateJson>;
    const seen = new Set<string>();
    const queue = typeof graph.StartAt === "string" ? [graph.StartAt] : [];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const state = states[name];
      if (!state) continue;
      if (state.Type === "Task") tasks.push({ name, state });
      if (state.Type === "Parallel") for (const branch of (state.Branches as Graph[] | undefined) ?? []) walk(branch);
      if (state.Type === "Map") walk((state.ItemProcessor ?? state.Iterator ?? {}) as Graph);
      const next = state.Type === "Choice" ? choiceTargets(state) : typeof state.Next === "string" ? [state.Next] : [];
      const caught = ((state.Catch as Rule[] | undefined) ?? []).map((handler) => String(handler.Next));
      queue.push(...next, ...caught);
    }
  };
  walk(definition);
  return tasks;
}

/** The regions a function reaches besides its own: regions its environment names, as a value or in an ARN. */
function regionsReached(facts: FunctionFacts, candidates: string[]): string[] {
  const values = Object.values(facts.environment ?? {}).filter((value): value is string => typeof value === "string");
  return candidates.filter((region) => region !== facts.region && values.some((value) => value === region || arnRegion(value) === region));
}

/** A Task's parameters, in either query language: `Parameters` (JSONPath) or `Arguments` (JSONata). */
function taskParameters(state: StateJson): Record<string, unknown> {
  return ((state.Parameters ?? state.Arguments) as Record<string, unknown> | undefined) ?? {};
}

/** The function a Lambda Task invokes, whatever its form; `dynamic` when it is chosen at run time. */
function invokedFunction(resource: string, state: StateJson): { target: string; dynamic: boolean } | undefined {
  // A function ARN as the Task's resource (the older Lambda integration).
  if (/^arn:aws[a-z-]*:lambda:/.test(resource)) return { target: resource, dynamic: false };
  const optimized = /^arn:aws[a-z-]*:states:::lambda:invoke/.test(resource);
  const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:lambda:invoke(Async|WithResponseStream)?$/i.test(resource);
  if (!optimized && !sdk) return undefined;
  const parameters = taskParameters(state);
  const target = parameters.FunctionName;
  if (typeof target !== "string" || "FunctionName.$" in parameters || target.includes("{%"))
    return { target: String(target ?? parameters["FunctionName.$"]), dynamic: true };
  return { target, dynamic: false };
}

/** A function ARN without its version or alias (`…:function:name:alias` -> `…:function:name`). */
function unqualified(functionArn: string): string {
  const match = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+)(:[^:]+)?$/.exec(functionArn);
  return match ? match[1] : functionArn;
}

/**
 * Why each reachable Task of the unplanned path would need the failed region or a control plane
 * homed in one region: one message per offending Task, empty when the path is data-plane only in
 * the DR region. Fails closed: a function chosen at run time, or another state machine started
 * (whose tasks this walk does not follow), is reported too.
 */
export function unplannedPathProblems(definition: Graph, context: DataPlaneContext): string[] {
  const problems: string[] = [];
  const failed = [...new Set([context.primaryRegion, US_EAST_1])].filter((region) => region !== context.region);
  for (const { name, state } of unplannedPathTasks(definition)) {
    const resource = String(state.Resource ?? "");
    const invoked = invokedFunction(resource, state);
    if (invoked) {
      if (invoked.dynamic) {
        problems.push(`"${name}" invokes a function chosen at run time (${invoked.target}); name it, so that its region can be checked`);
        continue;
      }
      const target = unqualified(invoked.target);
      const region = arnRegion(target);
      if (region && region !== context.region) {
        problems.push(`"${name}" invokes a function of ${region}; the unplanned failover must run in ${context.region} alone`);
        continue;
      }
      const facts = context.functions.find(
        (candidate) =>
          (candidate.arn !== undefined && unqualified(candidate.arn) === target) ||
          (candidate.name !== undefined && target.endsWith(`:function:${candidate.name}`)),
      );
      const reached = facts ? regionsReached(facts, failed) : [];
      if (reached.length > 0)
        problems.push(
          `"${name}" invokes ${facts?.name ?? target}, which reaches ${reached.join(" and ")}; the unplanned failover must need nothing from there`,
        );
      continue;
    }
    if (/^arn:aws[a-z-]*:states:::(states:startExecution|aws-sdk:sfn:startExecution|aws-sdk:sfn:startSyncExecution)/.test(resource)) {
      problems.push(`"${name}" starts another state machine, whose tasks this check does not follow; run them in the failover itself`);
      continue;
    }
    const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):/.exec(resource);
    if (sdk) {
      const home = GLOBAL_CONTROL_PLANE_REGIONS[sdk[1]];
      if (home) problems.push(`"${name}" calls ${sdk[1]}, whose control plane lives in ${home}; the unplanned failover must rely on data planes only`);
    }
  }
  return problems;
}

/** True for a Task that fences the primary: PutMetricData of the fence metric with the value 1 (recovery/fence.ts). */
function fencesPrimary(state: StateJson): boolean {
  if (state.Type !== "Task" || !/:cloudwatch:putMetricData$/.test(String(state.Resource ?? ""))) return false;
  const data = (taskParameters(state).MetricData as Record<string, unknown>[] | undefined) ?? [];
  return data.some((datum) => datum.MetricName === FENCE_METRIC.metricName && datum.Value === 1);
}

/**
 * The Succeed states of the failover's top level that a path from `StartAt` reaches without fencing
 * the primary (any mode, any branch: a Choice may go anywhere). Empty when every way to success fences
 * first: without the fence, a primary that comes back takes traffic again, in front of a database that
 * was never demoted.
 */
export function successWithoutFence(definition: Graph): string[] {
  const states = (definition.States ?? {}) as Record<string, StateJson>;
  const seen = new Set<string>();
  const reached: string[] = [];
  const queue = typeof definition.StartAt === "string" ? [definition.StartAt] : [];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = states[name];
    if (!state || fencesPrimary(state)) continue;
    if (state.Type === "Succeed") reached.push(name);
    const choices = ((state.Choices as Rule[] | undefined) ?? []).map((rule) => String(rule.Next));
    const caught = ((state.Catch as Rule[] | undefined) ?? []).map((handler) => String(handler.Next));
    queue.push(...choices, ...caught, ...[state.Next, state.Default].filter((next): next is string => typeof next === "string"));
  }
  return reached;
}

/** An EventBridge rule and its targets, as the trigger check needs them. */
export interface TriggerFacts {
  ruleName: string;
  ruleRegion: string;
  eventPattern: string;
}

/**
 * Why the automatic failover's trigger would not survive the primary region: the rule that starts
 * the failover, or an alarm ARN its pattern matches, outside the DR region.
 */
export function triggerProblems(triggers: TriggerFacts[], drRegion: string): string[] {
  const problems: string[] = [];
  for (const trigger of triggers) {
    if (trigger.ruleRegion !== drRegion)
      problems.push(`${trigger.ruleName}: starts the failover from ${trigger.ruleRegion}; its rule must live in the DR region ${drRegion}`);
    for (const arn of trigger.eventPattern.match(/arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:[^"]+/g) ?? []) {
      const region = arnRegion(arn);
      if (region !== drRegion)
        problems.push(`${trigger.ruleName}: matches the alarm ${arn} of ${region}; the automatic failover's signal must live in the DR region ${drRegion}`);
    }
  }
  return problems;
}

const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const LAMBDA_FUNCTION = "aws:lambda/function:Function";
const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";
const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";

/**
 * True when an EventBridge target's inputs start a failover: its ARN is one of `failoverArns`, or (a
 * preview does not know the ARN of a state machine it is about to create) its input is a failover
 * input (`"mode":"unplanned"` or `"planned"`, recovery/failoverParts.ts `validateFailoverInput`).
 */
export function startsFailover(inputs: Record<string, unknown>, failoverArns: Set<string>): boolean {
  if (typeof inputs.arn === "string" && failoverArns.has(inputs.arn)) return true;
  const input = typeof inputs.input === "string" ? inputs.input : "";
  return /"mode"\s*:\s*"(unplanned|planned)"/.test(input);
}

/** DR invariant 14 on the synthesized pair (module comment). */
export function checkDataPlaneFailover({ primary, dr }: PlanPair): InvariantResult {
  const violations: string[] = [];
  const functions: FunctionFacts[] = dr.resources
    .filter((resource) => resource.type === LAMBDA_FUNCTION)
    .map((resource) => ({
      arn: typeof resource.outputs.arn === "string" ? resource.outputs.arn : undefined,
      name: typeof resource.inputs.name === "string" ? resource.inputs.name : undefined,
      region: resource.region,
      environment: ((resource.inputs.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {}) as Record<string, unknown>,
    }));
  const failovers = dr.resources.filter((resource) => resource.type === STATE_MACHINE && String(resource.inputs.name ?? "").endsWith("-failover"));
  for (const machine of failovers) {
    try {
      const definition = JSON.parse(String(machine.inputs.definition)) as Graph;
      for (const problem of unplannedPathProblems(definition, { region: machine.region, primaryRegion: primary.region, functions }))
        violations.push(`${machine.name}: ${problem}`);
      for (const state of successWithoutFence(definition)) violations.push(`${machine.name}: "${state}" is reached without fencing the primary`);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      violations.push(`${machine.name}: its definition is not JSON`);
    }
  }
  const failoverArns = new Set(failovers.map((machine) => String(machine.outputs.arn ?? "")));
  const triggers: TriggerFacts[] = dr.resources
    .filter((target) => target.type === EVENT_TARGET && startsFailover(target.inputs, failoverArns))
    .flatMap((target) =>
      dr.resources
        .filter((rule) => rule.type === EVENT_RULE && (rule.outputs.name === target.inputs.rule || rule.inputs.name === target.inputs.rule))
        .map((rule) => ({ ruleName: rule.name, ruleRegion: rule.region, eventPattern: String(rule.inputs.eventPattern ?? "") })),
    );
  violations.push(...triggerProblems(triggers, dr.region));
  return {
    id: 14,
    title: "The unplanned failover and its trigger need nothing from the primary region or a control plane homed in one region (14)",
    violations,
  };
}
