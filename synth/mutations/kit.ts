/**
 * The vocabulary of the kept mutations (`synth/mutations/list.ts`): a mutation is one change a developer
 * could make in a pull request, applied to a deep copy of a synthesized stack plan as the plan would
 * show it after that change. Each edit changes a resource's inputs (what resource policies see) and its
 * outputs (what stack policies see) alike, since the mock provider echoes inputs into outputs
 * (`synth/mockCloud.ts`), so a policy cannot tell a mutated plan from a synthesized one.
 *
 * Every helper throws a MutationTargetError when the resource or property it edits is not in the plan:
 * a mutation that silently changed nothing would count as caught or missed for the wrong reason.
 */
import type { PlannedResource, StackPlan } from "../recordStack";

/** The two engine modes the mutations are measured on: an RDS instance with a read replica, or an Aurora global database. */
export type EngineMode = "instance" | "aurora";

/** Which stack of the pair a mutation changes. */
export type Side = "primary" | "dr";

/** A synthesized pair: the primary stack's plan and the DR stack's. */
export interface PlanPair {
  primary: StackPlan;
  dr: StackPlan;
}

/** One kept single-change mutation. */
export interface Mutation {
  /** Unique kebab-case name, printed on the mutation's line. */
  name: string;
  /** The concern of issue 19 (or of the older issues) it belongs to, for grouping the report. */
  concern: string;
  /** The stack it changes; only that stack's policy report decides whether it is caught. */
  side: Side;
  /** The engine modes it applies to (a mutation of the replica applies to `instance` only, and so on). */
  modes: readonly EngineMode[];
  /** One line: why this change breaks recovery. */
  why: string;
  /**
   * Changes `pair[side]` in place (it is a deep copy); may read the other stack (for example to copy a
   * value of the primary region, as a developer copying from the primary's code would).
   * @throws MutationTargetError when its target is not in the plan.
   */
  apply(pair: PlanPair, mode: EngineMode): void;
}

/** A mutation's target (a resource, a property, a state) is not in the synthesized plan. */
export class MutationTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MutationTargetError";
  }
}

/** Resource type tokens the mutations target (the @pulumi/aws v7 tokens, as the plans record them). */
export const T = {
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  asg: "aws:autoscaling/group:Group",
  auroraCluster: "aws:rds/cluster:Cluster",
  auroraInstance: "aws:rds/clusterInstance:ClusterInstance",
  backupPlan: "aws:backup/plan:Plan",
  backupSelection: "aws:backup/selection:Selection",
  bucketReplication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucket: "aws:s3/bucket:Bucket",
  clusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  dbInstance: "aws:rds/instance:Instance",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  key: "aws:kms/key:Key",
  lambda: "aws:lambda/function:Function",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  listener: "aws:lb/listener:Listener",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  record: "aws:route53/record:Record",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  tableReplica: "aws:dynamodb/tableReplica:TableReplica",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  topic: "aws:sns/topic:Topic",
  vault: "aws:backup/vault:Vault",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
} as const;

/**
 * The one resource of `type` whose logical name is `name`.
 * @throws MutationTargetError when there is none, naming the resources of that type the plan has.
 */
export function resource(plan: StackPlan, type: string, name: string): PlannedResource {
  const found = plan.resources.find((candidate) => candidate.type === type && candidate.name === name);
  if (found) return found;
  const ofType = plan.resources.filter((candidate) => candidate.type === type).map((candidate) => candidate.name);
  throw new MutationTargetError(`stack ${plan.stack} has no ${type} named ${name} (it has: ${ofType.join(", ") || "none"})`);
}

type Path = readonly (string | number)[];

function containerOf(root: Record<string, unknown>, path: Path, create: boolean): Record<string | number, unknown> | undefined {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    const record = node as Record<string | number, unknown>;
    if (record[key] === undefined || record[key] === null) {
      if (!create) return undefined;
      record[key] = {};
    }
    node = record[key];
    if (typeof node !== "object" || node === null) return undefined;
  }
  return node as Record<string | number, unknown>;
}

/** The value at `path` of the resource's inputs, or undefined. */
export function inputAt(target: PlannedResource, path: Path): unknown {
  return containerOf(target.inputs, path, false)?.[path[path.length - 1]];
}

/**
 * Sets `path` to `value` in the resource's inputs and, where the outputs mirror it, in its outputs.
 * @throws MutationTargetError when `path` does not exist in the inputs and `create` is false.
 */
export function setProp(target: PlannedResource, path: Path, value: unknown, create = false): void {
  const inputs = containerOf(target.inputs, path, create);
  const key = path[path.length - 1];
  if (!inputs || (!create && !(key in inputs))) throw new MutationTargetError(`${target.name} has no input ${path.join(".")}`);
  inputs[key] = structuredClone(value);
  const outputs = containerOf(target.outputs, path, true);
  if (outputs) outputs[key] = structuredClone(value);
}

/**
 * Deletes `path` from the resource's inputs and outputs (the property left unset).
 * @throws MutationTargetError when the inputs do not have it.
 */
export function deleteProp(target: PlannedResource, path: Path): void {
  const inputs = containerOf(target.inputs, path, false);
  const key = path[path.length - 1];
  if (!inputs || !(key in inputs)) throw new MutationTargetError(`${target.name} has no input ${path.join(".")}`);
  if (Array.isArray(inputs) && typeof key === "number") inputs.splice(key, 1);
  else delete inputs[key];
  const outputs = containerOf(target.outputs, path, false);
  if (outputs && key in outputs) {
    if (Array.isArray(outputs) && typeof key === "number") outputs.splice(key, 1);
    else delete outputs[key];
  }
}

/**
 * Rewrites a JSON-text property (a state machine definition, an IAM policy document) in inputs and outputs.
 * @throws MutationTargetError when the property is not a JSON string, or `edit` throws one.
 */
export function editJson(target: PlannedResource, key: string, edit: (document: Record<string, unknown>) => void): void {
  const text = target.inputs[key];
  if (typeof text !== "string") throw new MutationTargetError(`${target.name}.${key} is not JSON text`);
  const document = JSON.parse(text) as Record<string, unknown>;
  edit(document);
  setProp(target, [key], JSON.stringify(document));
}

/** Removes a resource and every resource below it (its children, theirs, ...), as deleting its declaration would. */
export function removeResource(plan: StackPlan, target: PlannedResource): void {
  const doomed = new Set([target.urn]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const candidate of plan.resources) {
      if (candidate.parentUrn && doomed.has(candidate.parentUrn) && !doomed.has(candidate.urn)) {
        doomed.add(candidate.urn);
        grew = true;
      }
    }
  }
  plan.resources = plan.resources.filter((candidate) => !doomed.has(candidate.urn));
}

/**
 * Moves a resource to another region as a developer would by passing it another region's provider:
 * the provider of that region the stack already has (or a per-resource `region` input when it has
 * none), the recorded region, and the region in its computed ARNs and endpoints.
 */
export function moveToRegion(plan: StackPlan, target: PlannedResource, region: string): void {
  const from = target.region;
  if (from === region) throw new MutationTargetError(`${target.name} is already in ${region}`);
  const provider = plan.resources.find((candidate) => candidate.type === "pulumi:providers:aws" && candidate.inputs.region === region);
  if (provider) target.providerUrn = provider.urn;
  else setProp(target, ["region"], region, true);
  target.region = region;
  const rewrite = (text: string) => text.split(`:${from}:`).join(`:${region}:`).split(`.${from}.`).join(`.${region}.`);
  target.outputs = JSON.parse(rewrite(JSON.stringify(target.outputs))) as Record<string, unknown>;
}

/** An IAM policy document's statements, as a list. */
export function statementsOf(document: Record<string, unknown>): Record<string, unknown>[] {
  const statements = document.Statement;
  if (!Array.isArray(statements)) throw new MutationTargetError("the policy document has no Statement list");
  return statements as Record<string, unknown>[];
}

/**
 * Removes the statements whose Action names `action` (case-insensitive) from a role policy.
 * @throws MutationTargetError when no statement names it.
 */
export function removeStatementsWithAction(target: PlannedResource, action: string): void {
  editJson(target, "policy", (document) => {
    const statements = statementsOf(document);
    const names = (statement: Record<string, unknown>) => [statement.Action].flat().map((item) => String(item).toLowerCase());
    const kept = statements.filter((statement) => !names(statement).includes(action.toLowerCase()));
    if (kept.length === statements.length) throw new MutationTargetError(`${target.name} has no statement allowing ${action}`);
    document.Statement = kept;
  });
}

/** A state of a state machine definition (ASL), by name. */
export function stateOf(definition: Record<string, unknown>, name: string): Record<string, unknown> {
  const states = definition.States as Record<string, Record<string, unknown>> | undefined;
  const state = states?.[name];
  if (!state) throw new MutationTargetError(`the definition has no state "${name}" (it has: ${Object.keys(states ?? {}).join(", ")})`);
  return state;
}

/** The other region of the pair: the primary's region for a DR-stack mutation and the reverse. */
export function otherRegion(pair: PlanPair, side: Side): string {
  return side === "dr" ? pair.primary.region : pair.dr.region;
}
