/**
 * Issue 19: a preview fails when a recovery workflow could not run. Three stack policies over the DR
 * stack's Step Functions state machines whose names end in `-failover`, `-failback` or `-drill`
 * (recovery/names.ts `stateMachineName`):
 *
 * - `dr-workflow-role-permissions`: every request a Task of the definition makes
 *   (recovery/permissions.ts `iamRequestsOf`: the IAM action, the exact resource ARN and the request
 *   context of each SDK integration Task) is allowed by the state machine's role, as the IAM policy
 *   simulator @cloud-copilot/iam-simulate evaluates it on the role's policies declared in the same
 *   stack: its `aws.iam.RolePolicy`s, its `inlinePolicies`, the `aws.iam.Policy`s attached to it
 *   (`RolePolicyAttachment` or `managedPolicyArns`) and its permissions boundary. Step Functions calls
 *   each integrated service with the state machine's role ("How Step Functions generates IAM policies
 *   for integrated services", Step Functions Developer Guide), so a request the role does not allow
 *   fails that Task with an AccessDenied error, in an outage.
 * - `dr-workflow-standard-type`: the state machine is STANDARD. An EXPRESS workflow runs at most five
 *   minutes and at least once, not exactly once (Step Functions Developer Guide, "Choosing workflow
 *   type in Step Functions"): a failover polls for tens of minutes, and a promotion must not run twice.
 * - `dr-failover-prechecks-refuse`: the failover's pre-checks still refuse what they exist to refuse.
 *   Each pre-check Choice (recovery/failover.ts) is judged by evaluating its rules, in order, on the
 *   inputs it must refuse (see `choiceRefusalProblems`): the lag guard `Replica lag within RPO?` with
 *   the lag alarm (read by `Check replica lag`) not OK and no force must reach the ReplicaLagOverRpo
 *   failure, and with the alarm OK must go on; in instance mode `Replica state?` with a replica that
 *   still lists its source, in a status RDS does not promote from, and no force must reach
 *   ReplicaNotReady; in aurora-global mode `DR cluster ready?` with the DR cluster not `available` and
 *   no force must reach DrClusterNotReady.
 *
 * Values unknown at preview (a definition, role ARN or policy document that is not a string yet,
 * e.g. on the first deploy, where they derive from ARNs still to be created; or the policy server's
 * UnknownValueError when such a value is read) make a state machine unjudged: no violation, since
 * nothing can be said before they are known; the next preview, with them known, judges it. A role
 * with an attached policy or permissions boundary not declared in this stack (an AWS managed policy)
 * is not judged either: its permissions are not in the plan.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Policies, PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { type Definition, type State, taskStates } from "../../recovery/asl";
import { stateMachineArn } from "../../recovery/names";
import { type IamRequest, iamRequestsOf } from "../../recovery/permissions";
import { placeholderTargets } from "../../runbook/plan";
import { asList, ofType, parseJson, regionOf, stackPolicy, TYPES } from "./kit";
import { manifestOf } from "./manifest";

const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const MANAGED_POLICY = "aws:iam/policy:Policy";

/** The workflow a state machine's name ends in, or undefined for another state machine. */
export function workflowOf(name: unknown): "failover" | "failback" | "drill" | undefined {
  const match = typeof name === "string" ? /-(failover|failback|drill)$/.exec(name) : null;
  return match ? (match[1] as "failover" | "failback" | "drill") : undefined;
}

/** True for the policy server's UnknownValueError (a value read during preview that is not known yet); the module imports no runtime of @pulumi/policy. */
export function isUnknownValue(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === "UnknownValueError";
}

/** The recovery workflows' state machines of the stack. */
function recoveryStateMachines(resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, TYPES.stateMachine).filter((machine) => {
    try {
      return workflowOf(machine.props.name) !== undefined;
    } catch (error) {
      if (isUnknownValue(error)) return false;
      throw error;
    }
  });
}

/** A parsed definition, or undefined when it is not a string yet (unknown at preview) or not JSON with `States`. */
function definitionOf(machine: PolicyResource): Definition | undefined {
  const parsed = typeof machine.props.definition === "string" ? parseJson(machine.props.definition) : undefined;
  return parsed && typeof parsed === "object" && parsed.States && typeof parsed.States === "object" ? (parsed as Definition) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The role allows every request of the definition.
// ---------------------------------------------------------------------------------------------

/** An identity policy document of the role, by where it comes from (for messages). */
export interface RolePolicyDocument {
  name: string;
  policy: unknown;
}

/** The role's policies as the simulator needs them; `unknown` names what the plan does not show (then the role is not judged). */
export interface RolePolicies {
  identity: RolePolicyDocument[];
  boundary: RolePolicyDocument[];
  unknown?: string;
}

/**
 * The policies of the role `roleArn` declared in the stack: its RolePolicy resources (`role` is the
 * role's name, its id, or its ARN), its `inlinePolicies`, the `aws.iam.Policy` documents attached by
 * RolePolicyAttachment or `managedPolicyArns`, and its permissions boundary. `unknown` is set when the
 * role is not in the stack, a document is not a string yet, or an attached policy or the boundary is
 * not declared in the stack.
 */
export function rolePoliciesOf(resources: PolicyResource[], roleArn: string): RolePolicies {
  const result: RolePolicies = { identity: [], boundary: [] };
  const role = ofType(resources, TYPES.iamRole).find((candidate) => candidate.props.arn === roleArn);
  if (!role) return { ...result, unknown: `its role ${roleArn} is not in this stack` };
  const roleName = String(role.props.name ?? roleArn.split("/").pop());
  const isThisRole = (value: unknown) => value === roleName || value === roleArn;
  const managed = (arn: unknown, via: string): RolePolicyDocument | string => {
    const declared = ofType(resources, MANAGED_POLICY).find((policy) => policy.props.arn === arn);
    return declared ? { name: `${via} ${declared.name}`, policy: declared.props.policy } : `${via} ${String(arn)} is not declared in this stack`;
  };
  const found: (RolePolicyDocument | string)[] = [
    ...ofType(resources, TYPES.iamRolePolicy)
      .filter((policy) => isThisRole(policy.props.role))
      .map((policy) => ({ name: policy.name, policy: policy.props.policy })),
    ...asList(role.props.inlinePolicies as { name?: string; policy?: unknown }[] | undefined).map((inline, index) => ({
      name: `${role.name} inline policy ${inline.name ?? index}`,
      policy: inline.policy,
    })),
    ...ofType(resources, ROLE_POLICY_ATTACHMENT)
      .filter((attachment) => isThisRole(attachment.props.role))
      .map((attachment) => managed(attachment.props.policyArn, "the attached policy")),
    ...asList(role.props.managedPolicyArns as string[] | undefined).map((arn) => managed(arn, "the managed policy")),
  ];
  const boundary =
    role.props.permissionsBoundary === undefined || role.props.permissionsBoundary === ""
      ? []
      : [managed(role.props.permissionsBoundary, "the permissions boundary")];
  const problem = [...found, ...boundary].find((entry): entry is string => typeof entry === "string");
  if (problem) return { ...result, unknown: problem };
  const notYet = [...found, ...boundary].find((entry) => typeof (entry as RolePolicyDocument).policy !== "string") as RolePolicyDocument | undefined;
  if (notYet) return { ...result, unknown: `${notYet.name}'s document is not known yet` };
  const parse = (entry: RolePolicyDocument | string) => ({
    name: (entry as RolePolicyDocument).name,
    policy: JSON.parse(String((entry as RolePolicyDocument).policy)),
  });
  return { identity: found.map(parse), boundary: boundary.map(parse) };
}

/**
 * The simulator's decision for one request of the role: `Allowed` or why not (`ImplicitlyDenied`,
 * `ExplicitlyDenied`, or the simulator's validation errors). The principal is the role; the
 * resource's account is the role's. A `"*"` request (an action without resource-level permissions)
 * is answered for the policy's own patterns (iam-simulate's `wildcard` result).
 * `resourcePolicy`: the target's own policy where the service requires it to allow the request too (a KMS
 * key policy: "No AWS principal has any permissions to a KMS key unless [...] the key policy" allows it,
 * AWS KMS Developer Guide, "Key policies in AWS KMS"; iam-simulate then finds no resource policy and denies).
 */
export async function simulate(
  request: Omit<IamRequest, "state">,
  policies: RolePolicies,
  roleArn: string,
  accountId: string,
  resourcePolicy?: unknown,
): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId },
        contextVariables: request.context ?? {},
      },
      identityPolicies: policies.identity,
      ...(resourcePolicy !== undefined ? { resourcePolicy } : {}),
      ...(policies.boundary.length > 0 ? { permissionBoundaryPolicies: policies.boundary } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === "error") return `not simulated (${JSON.stringify(response.errors)})`;
  return response.overallResult;
}

/**
 * The RecoveryTargets `iamRequestsOf` reads for one state machine: its partition, account and region
 * (the DR region: SDK integrations call the state machine's own region), and the DR Auto Scaling
 * Group the definition scales, when the stack declares it (its ARN, so that the request is the
 * group's exact ARN); the other fields are placeholders the request rules do not read.
 */
function targetsFor(resources: PolicyResource[], definition: Definition, partition: string, region: string, accountId: string) {
  const targets = placeholderTargets(region, partition, accountId);
  const scaled = taskStates(definition)
    .filter(({ state }) => /:aws-sdk:autoscaling:updateAutoScalingGroup$/.test(String(state.Resource)))
    .map(({ state }) => (state.Parameters as Record<string, unknown> | undefined)?.AutoScalingGroupName);
  const group = ofType(resources, TYPES.autoScalingGroup).find((candidate) => scaled.includes(candidate.props.name) && typeof candidate.props.arn === "string");
  if (group) targets.drAutoScalingGroup = { ...targets.drAutoScalingGroup, name: String(group.props.name), arn: String(group.props.arn) };
  return targets;
}

/**
 * The requests of `machine`'s definition its role does not allow, one message each: the state, the
 * action, the resource (and context) and the simulator's decision. Empty when everything is allowed
 * or when the machine cannot be judged yet (module comment). A definition whose requests cannot be
 * derived (`iamRequestsOf` throws: an action without a resource rule, a resource chosen at run time)
 * is reported: its role cannot be proven to allow them.
 */
export async function workflowPermissionProblems(resources: PolicyResource[], machine: PolicyResource): Promise<string[]> {
  const definition = definitionOf(machine);
  const roleArn = machine.props.roleArn;
  const name = machine.props.name;
  const region = regionOf(machine);
  if (!definition || typeof roleArn !== "string" || typeof name !== "string" || !region) return [];
  const arn = /^arn:([a-z-]+):iam::(\d{12}):role\/.+$/.exec(roleArn);
  if (!arn) return [`${machine.name}: roleArn ${roleArn} is not an IAM role ARN, so no task can run`];
  const [, partition, accountId] = arn;
  const policies = rolePoliciesOf(resources, roleArn);
  if (policies.unknown) return [];
  let requests: IamRequest[];
  try {
    requests = iamRequestsOf(definition, targetsFor(resources, definition, partition, region, accountId), stateMachineArn(partition, region, accountId, name));
  } catch (error) {
    return [`${machine.name}: the permissions its tasks need cannot be derived, so its role cannot be shown to allow them: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  const decided = new Map<string, Promise<string>>();
  for (const request of requests) {
    const key = JSON.stringify([request.action, request.resource, request.context ?? {}]);
    if (!decided.has(key)) decided.set(key, simulate(request, policies, roleArn, accountId));
    const decision = await decided.get(key)!;
    if (decision === "Allowed") continue;
    const context = request.context ? ` with ${JSON.stringify(request.context)}` : "";
    problems.push(
      `${machine.name}: state "${request.state}" calls ${request.action} on ${request.resource}${context}, which its role ${roleArn.split("/").pop()} does not allow (${decision}); the workflow would fail there`,
    );
  }
  return problems;
}

/**
 * A stack policy whose check is async: the policy server awaits a StackValidation's promise (@pulumi/policy
 * `StackValidation` returns `Promise<void> | void`), and so does the offline evaluator (policy/offline.ts).
 */
export function asyncStackPolicy(args: {
  name: string;
  description: string;
  check: (resources: PolicyResource[], report: ReportViolation) => Promise<void>;
}): StackValidationPolicy {
  return {
    name: args.name,
    description: args.description,
    enforcementLevel: "mandatory",
    validateStack: async (stack, report) => args.check(stack.resources, report),
  };
}

const rolePermissions = asyncStackPolicy({
  name: "dr-workflow-role-permissions",
  description:
    "Each recovery workflow's role allows every call a task of its definition makes on the resources it targets, as the IAM policy simulator evaluates the role's policies (DR invariant 9; design: recovery/permissions.ts)",
  check: async (resources, report) => {
    for (const machine of recoveryStateMachines(resources)) {
      try {
        for (const problem of await workflowPermissionProblems(resources, machine)) report(problem, machine.urn);
      } catch (error) {
        if (!isUnknownValue(error)) throw error;
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// STANDARD workflows.
// ---------------------------------------------------------------------------------------------

const standardType = stackPolicy({
  name: "dr-workflow-standard-type",
  description:
    "Each recovery workflow is a STANDARD state machine: EXPRESS runs at most 5 minutes and at least once, not exactly once (DR invariant 9; design: Step Functions, Choosing workflow type)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    for (const machine of recoveryStateMachines(resources)) {
      try {
        // The provider's default is STANDARD (aws.sfn.StateMachine `type`); a value not known yet is judged next preview.
        const type = machine.props.type;
        if (type === undefined || type === "STANDARD" || typeof type !== "string") continue;
        report(
          `${machine.name}: type ${type}; a recovery workflow must be STANDARD (an EXPRESS execution stops after 5 minutes and may run a step more than once)`,
          machine.urn,
        );
      } catch (error) {
        if (!isUnknownValue(error)) throw error;
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The failover's pre-checks refuse.
// ---------------------------------------------------------------------------------------------

/** A Choice variable's value in a scenario: present with a value, or absent. */
type Value = { present: true; value: unknown } | { present: false };
/** A scenario: what each variable holds; a variable it does not name is unknown (either way). */
type Scenario = (variable: string) => Value | undefined;

type Rule = Record<string, unknown>;

/**
 * A Choice rule's value in a scenario: true, false, or undefined when it depends on a variable the
 * scenario leaves unknown or on an operator this evaluation does not model (conservative: the rule
 * may match). Comparisons on an absent variable are undefined too (Step Functions fails the execution
 * with States.Runtime there, "Choice workflow state", Step Functions Developer Guide). Modeled: And,
 * Or, Not, IsPresent, IsString, IsBoolean, IsNull, StringEquals, BooleanEquals.
 */
export function evaluateRule(rule: Rule, scenario: Scenario): boolean | undefined {
  if (Array.isArray(rule.And)) {
    const values = (rule.And as Rule[]).map((inner) => evaluateRule(inner, scenario));
    if (values.includes(false)) return false;
    return values.every((value) => value === true) ? true : undefined;
  }
  if (Array.isArray(rule.Or)) {
    const values = (rule.Or as Rule[]).map((inner) => evaluateRule(inner, scenario));
    if (values.includes(true)) return true;
    return values.every((value) => value === false) ? false : undefined;
  }
  if (rule.Not && typeof rule.Not === "object") {
    const value = evaluateRule(rule.Not as Rule, scenario);
    return value === undefined ? undefined : !value;
  }
  if (typeof rule.Variable !== "string") return undefined;
  const held = scenario(rule.Variable);
  if (!held) return undefined;
  if (typeof rule.IsPresent === "boolean") return held.present === rule.IsPresent;
  if (!held.present) return undefined;
  const value = held.value;
  if (typeof rule.IsString === "boolean") return (typeof value === "string") === rule.IsString;
  if (typeof rule.IsBoolean === "boolean") return (typeof value === "boolean") === rule.IsBoolean;
  if (typeof rule.IsNull === "boolean") return (value === null) === rule.IsNull;
  if (typeof rule.StringEquals === "string") return typeof value === "string" ? value === rule.StringEquals : false;
  if (typeof rule.BooleanEquals === "boolean") return typeof value === "boolean" ? value === rule.BooleanEquals : false;
  return undefined;
}

/** The states a Choice may go to in a scenario: each rule that may match up to the first that certainly does, then Default. */
export function choiceTargets(choice: State, scenario: Scenario): string[] {
  const targets: string[] = [];
  for (const rule of asList(choice.Choices as Rule[] | undefined)) {
    const value = evaluateRule(rule, scenario);
    if (value === false) continue;
    targets.push(String(rule.Next));
    if (value === true) return targets;
  }
  return [...targets, String(choice.Default ?? "(no Default: States.NoChoiceMatched)")];
}

/**
 * True when `start` ends the execution with `error`: following `Next` through Pass and Task states
 * only (the failure path: recovery/asl.ts `failure` records `{ Error }` at `$.failure`, a notification,
 * then a Fail state reading it), it reaches a Fail state whose error is `error` (its own `Error`, or the
 * last error recorded on the way). A Choice, Parallel, Wait, Map or Succeed on the way, a loop or a
 * missing state is not that failure.
 */
export function leadsToFailure(states: Record<string, State>, start: string, error: string): boolean {
  let recorded: unknown;
  const seen = new Set<string>();
  for (let name: unknown = start; typeof name === "string" && !seen.has(name);) {
    seen.add(name);
    const state = states[name];
    if (!state) return false;
    if (state.Type === "Fail") return (state.Error ?? recorded) === error;
    if (state.Type !== "Pass" && state.Type !== "Task") return false;
    if (state.Type === "Pass" && state.ResultPath === "$.failure") recorded = (state.Result as { Error?: unknown } | undefined)?.Error;
    name = state.Next;
  }
  return false;
}

/** What one pre-check Choice must refuse, and the inputs it must let through. */
interface PreCheck {
  /** The Choice state's name. */
  choice: string;
  /** The failure it refuses with. */
  error: string;
  /** What is wrong in the inputs it must refuse, for messages, with the scenarios. */
  refuse: { label: string; scenario: Scenario }[];
  /** Inputs it must not refuse. */
  pass: { label: string; scenario: Scenario }[];
}

/** `$.force` absent or false: the operator did not force (recovery/failoverParts.ts IS_FORCED). */
const NOT_FORCED: { label: string; value: Value }[] = [
  { label: "no force", value: { present: false } },
  { label: "force false", value: { present: true, value: false } },
];

/** Every StringEquals value a Choice tests `variable` against (so that the scenarios cover each branch). */
function testedValues(choice: State, matches: (variable: string) => boolean): string[] {
  const values: string[] = [];
  const visit = (rule: unknown) => {
    if (!rule || typeof rule !== "object") return;
    const node = rule as Rule;
    if (typeof node.Variable === "string" && matches(node.Variable) && typeof node.StringEquals === "string") values.push(node.StringEquals);
    for (const inner of [...asList(node.And as Rule[]), ...asList(node.Or as Rule[]), node.Not]) visit(inner);
  };
  for (const rule of asList(choice.Choices as Rule[] | undefined)) visit(rule);
  return values;
}

/** A value no rule of the Choice names: stands for every status the Choice does not test. */
export const ANY_OTHER_STATUS = "(any status no rule names)";

/**
 * Scenarios of the judged variable outside `allowed`, for every force value: each of `candidates` and
 * each value the Choice tests that is not allowed (so that every branch is tried), then absent when
 * `absentToo`. `extra` gives the other variables of the scenario.
 */
function outside(
  choice: State,
  matches: (variable: string) => boolean,
  allowed: readonly string[],
  candidates: readonly string[],
  what: string,
  extra: (variable: string) => Value | undefined = () => undefined,
  absentToo = false,
): { label: string; scenario: Scenario }[] {
  const values: Value[] = [
    ...[...new Set([...candidates, ...testedValues(choice, matches)])]
      .filter((value) => !allowed.includes(value))
      .map((value) => ({ present: true as const, value })),
    ...(absentToo ? [{ present: false as const }] : []),
  ];
  return values.flatMap((value) =>
    NOT_FORCED.map((force) => ({
      label: `${what} ${value.present ? String(value.value) : "absent"} and ${force.label}`,
      scenario: (variable: string) => (variable === "$.force" ? force.value : matches(variable) ? value : extra(variable)),
    })),
  );
}

/** A CloudWatch alarm's states (CloudWatch User Guide, "Alarm states"); an alarm that does not exist leaves `states[0]` absent. */
const ALARM_STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;

/**
 * Statuses RDS promotes a read replica from, as the failover accepts them (recovery/failover.ts):
 * `available`, `backing-up` (RDS refuses the call then, and the workflow asks again) and
 * `storage-optimization`, which "is fully operational" (RDS User Guide, "Viewing Amazon RDS DB instance status").
 */
const PROMOTABLE_INSTANCE = ["available", "backing-up", "storage-optimization"] as const;

/**
 * The pre-checks of a failover definition, by engine mode. Instance mode: the lag guard and `Replica
 * state?` (the instance described by DescribeDBInstances, recovery/checks.ts `describeDatabase`:
 * `<path>.instance.DbInstanceStatus`, `<path>.instance.ReadReplicaSourceDBInstanceIdentifier`).
 * Aurora-global: the lag guard and `DR cluster ready?` (`<ResultPath of "Describe DR cluster">.status`).
 * The lag guard reads the alarm state at `<ResultPath of "Check replica lag">.states[0]`
 * (recovery/checks.ts `alarmState`). A missing reading state is reported by the caller.
 */
function preChecks(states: Record<string, State>, aurora: boolean): PreCheck[] {
  const checks: PreCheck[] = [];
  const lagPath = states["Check replica lag"]?.ResultPath;
  const lagChoice = states["Replica lag within RPO?"];
  if (typeof lagPath === "string" && lagChoice) {
    const isLag = (variable: string) => variable === `${lagPath}.states[0]`;
    checks.push({
      choice: "Replica lag within RPO?",
      error: "ReplicaLagOverRpo",
      refuse: outside(lagChoice, isLag, ["OK"], ALARM_STATES, "the lag alarm", undefined, true),
      pass: [
        {
          label: "the lag alarm OK and no force",
          scenario: (variable) => (variable === "$.force" ? { present: false } : isLag(variable) ? { present: true, value: "OK" } : undefined),
        },
      ],
    });
  }
  if (aurora) {
    const clusterPath = states["Describe DR cluster"]?.ResultPath;
    const ready = states["DR cluster ready?"];
    if (typeof clusterPath === "string" && ready) {
      const isStatus = (variable: string) => variable === `${clusterPath}.status`;
      // A DB cluster is writable after the switch only from `available` (RDS API Reference, FailoverGlobalCluster; Aurora User Guide, "Viewing DB cluster status").
      checks.push({
        choice: "DR cluster ready?",
        error: "DrClusterNotReady",
        refuse: outside(ready, isStatus, ["available"], [ANY_OTHER_STATUS], "the DR cluster status"),
        pass: [],
      });
    }
  } else {
    const replica = states["Replica state?"];
    if (replica) {
      const isStatus = (variable: string) => variable.endsWith(".instance.DbInstanceStatus");
      const listsSource = (variable: string): Value | undefined =>
        variable.endsWith(".instance.ReadReplicaSourceDBInstanceIdentifier") ? { present: true, value: "arn:aws:rds:primary:db:source" } : undefined;
      checks.push({
        choice: "Replica state?",
        error: "ReplicaNotReady",
        refuse: outside(replica, isStatus, PROMOTABLE_INSTANCE, [ANY_OTHER_STATUS], "a replica listing its source, status", listsSource),
        pass: [],
      });
    }
  }
  return checks;
}

/** The Choice's refusal problems: each scenario it must refuse that may go elsewhere, and each it must pass that it refuses. */
export function choiceRefusalProblems(states: Record<string, State>, check: PreCheck): string[] {
  const problems: string[] = [];
  const choice = states[check.choice];
  for (const { label, scenario } of check.refuse) {
    const escapes = choiceTargets(choice, scenario).filter((target) => !leadsToFailure(states, target, check.error));
    if (escapes.length > 0) {
      problems.push(`"${check.choice}" with ${label} may go on to "${escapes[0]}"; it must refuse with ${check.error}`);
      break;
    }
  }
  for (const { label, scenario } of check.pass) {
    if (choiceTargets(choice, scenario).every((target) => leadsToFailure(states, target, check.error)))
      problems.push(`"${check.choice}" refuses with ${check.error} even with ${label}; the failover could never run unforced`);
  }
  return problems;
}

/**
 * Why a failover definition's pre-checks would not refuse: a missing pre-check (Choice or the state
 * reading what it judges), or a Choice that lets through an input it exists to refuse (one message
 * per Choice, naming the first such input). `aurora` selects the aurora-global pre-checks.
 */
export function preCheckProblems(definition: Pick<Definition, "States">, aurora: boolean): string[] {
  const states = definition.States as Record<string, State>;
  const expected = aurora
    ? ["Check replica lag", "Replica lag within RPO?", "Describe DR cluster", "DR cluster ready?"]
    : ["Check replica lag", "Replica lag within RPO?", "Replica state?"];
  const missing = expected.filter((name) => !states[name] || (name.endsWith("?") && states[name].Type !== "Choice"));
  const problems = missing.map(
    (name) => `the pre-check state "${name}" is missing or not a ${name.endsWith("?") ? "Choice" : "Task"}; the failover would not refuse what it judges`,
  );
  for (const check of preChecks(states, aurora)) if (!missing.includes(check.choice)) problems.push(...choiceRefusalProblems(states, check));
  return problems;
}

const preChecksRefuse = stackPolicy({
  name: "dr-failover-prechecks-refuse",
  description:
    "The failover's pre-checks still refuse: a lag alarm not OK, a replica not promotable or a DR cluster not available, unforced, ends the run before any change (DR invariant 9; design: recovery/failover.ts)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    for (const machine of recoveryStateMachines(resources)) {
      try {
        if (workflowOf(machine.props.name) !== "failover") continue;
        const definition = definitionOf(machine);
        if (!definition) continue;
        const aurora = manifest?.primary ? manifest.primary.dbEngineMode === "aurora-global" : "DR cluster ready?" in definition.States;
        for (const problem of preCheckProblems(definition, aurora)) report(`${machine.name}: ${problem}`, machine.urn);
      } catch (error) {
        if (!isUnknownValue(error)) throw error;
      }
    }
  },
});

/** The "recovery workflows run" policies (module comment). */
export const workflowsRunPolicies: Policies = [rolePermissions, standardType, preChecksRefuse];
