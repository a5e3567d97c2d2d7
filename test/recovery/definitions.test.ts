/**
 * Structure of the failover, failback and drill definitions (recovery/*.ts), for two sets of
 * targets: valid Amazon States Language (asl-validator), closed transition graphs, bounded loops,
 * documented errors, same-region calls, and an execution timeout that covers the longest wait; plus
 * unit tests of the ASL builders they are made of (recovery/asl.ts).
 */
import { expect } from "chai";
import { FENCE_PROPAGATION_SECONDS } from "../../recovery/fence";
import { HEARTBEAT_READY_SECONDS } from "../../recovery/heartbeat";
import { createRequire } from "node:module";
import {
  catchAll,
  type Definition,
  failure,
  failurePath,
  LAMBDA_INVOKE,
  milestone,
  notify,
  poll,
  type PollOptions,
  pollStart,
  sdkResource,
  sdkTask,
  type State,
  THROTTLING_ERRORS,
  throttlingRetry,
  TRANSIENT_RETRY,
} from "../../recovery/asl";
import { DRILL_ERRORS, drillDefinition } from "../../recovery/drill";
import { AURORA_FAILBACK_ERRORS, FAILBACK_ERRORS, failbackDefinition } from "../../recovery/failback";
import { AURORA_FAILOVER_ERRORS, FAILOVER_ERRORS, failoverDefinition } from "../../recovery/failover";
import { PRIMARY_REGION_OPERATIONS, PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE } from "../../recovery/primaryRegion";
import { auroraGlobalOf, engineModeOf, type RecoveryTargets } from "../../recovery/targets";
import { auroraRecoveryTargetsFixture, recoveryTargetsFixture } from "../fixtures/recoveryTargets";

/** asl-validator ships no type declarations; `(definition) => { isValid, errors }`. */
const validateAsl = createRequire(__filename)("asl-validator") as (definition: unknown) => { isValid: boolean; errors: unknown[] };

/** The limits config/schema.ts puts on `failover.cooldownSeconds`. */
const COOLDOWN_RANGE = { min: 900, max: 86400 };

/** The arguments an operation of the primary-region function takes besides `operation` (recovery/primaryRegion.ts); none is a target. */
const OPERATION_ARGUMENTS: Record<string, string[]> = {
  setCapacity: ["minSize", "desiredCapacity", "maxSize"],
  replicaLagSeconds: ["since"],
  replayedSince: ["since", "withinSeconds"],
};

/** Parameters that hold labels, not resources: they may name the primary region. */
const LABEL_KEYS = new Set(["SetIdentifier", "Comment", "Subject"]);

/** A second set of targets: other regions, account, names and sizes. */
function otherTargets(): RecoveryTargets {
  const base = recoveryTargetsFixture();
  const moved = JSON.parse(
    JSON.stringify(base).replaceAll("us-west-2", "eu-west-1").replaceAll("us-east-1", "eu-central-1").replaceAll("123456789012", "210987654321"),
  ) as RecoveryTargets;
  return {
    ...moved,
    rtoSeconds: 1800,
    rpoSeconds: 300,
    replica: { ...moved.replica, backupRetentionDays: 14 },
    drAutoScalingGroup: {
      ...moved.drAutoScalingGroup,
      standby: { minSize: 0, desiredCapacity: 0, maxSize: 9 },
      recovery: { minSize: 3, desiredCapacity: 4, maxSize: 9 },
    },
    drLoadBalancer: { ...moved.drLoadBalancer, zoneId: "Z32O12XQLNTSW2" },
    primaryLoadBalancer: { ...moved.primaryLoadBalancer, zoneId: "Z215JYRZR1TBD5" },
    dns: { ...moved.dns, applicationName: "shop.example.org", drillPoolName: "drill-pool.shop.example.org", primarySetIdentifier: "primary-eu-central-1" },
    primary: { ...moved.primary, capacity: { minSize: 3, desiredCapacity: 4, maxSize: 9 } },
    databaseNameTtlSeconds: 60,
    drill: { trafficPercent: 20, durationSeconds: 120 },
  };
}

type Workflow = "failover" | "failback" | "drill";
interface Case {
  label: string;
  workflow: Workflow;
  targets: RecoveryTargets;
  definition: Definition;
  errors: Record<string, string>;
}

function cases(label: string, targets: RecoveryTargets, cooldownSeconds: number): Case[] {
  const aurora = engineModeOf(targets) === "aurora-global";
  return [
    {
      label: `failover (${label})`,
      workflow: "failover",
      targets,
      definition: failoverDefinition(targets, cooldownSeconds),
      errors: aurora ? AURORA_FAILOVER_ERRORS : FAILOVER_ERRORS,
    },
    {
      label: `failback (${label})`,
      workflow: "failback",
      targets,
      definition: failbackDefinition(targets),
      errors: aurora ? AURORA_FAILBACK_ERRORS : FAILBACK_ERRORS,
    },
    { label: `drill (${label})`, workflow: "drill", targets, definition: drillDefinition(targets), errors: DRILL_ERRORS },
  ];
}

/** The aurora-global fixture moved like `otherTargets`. */
function otherAuroraTargets(): RecoveryTargets {
  const moved = otherTargets();
  const aurora = JSON.parse(
    JSON.stringify(auroraRecoveryTargetsFixture())
      .replaceAll("us-west-2", "eu-west-1")
      .replaceAll("us-east-1", "eu-central-1")
      .replaceAll("123456789012", "210987654321"),
  ) as RecoveryTargets;
  return {
    ...moved,
    database: aurora.database,
    replica: { ...aurora.replica, backupRetentionDays: 14 },
    primary: { ...moved.primary, databaseIdentifier: aurora.primary.databaseIdentifier, databaseArn: aurora.primary.databaseArn },
  };
}

const CASES = [
  ...cases("us-east-1 -> us-west-2, cooldown 3600", recoveryTargetsFixture(), 3600),
  ...cases("eu-central-1 -> eu-west-1, cooldown 900", otherTargets(), 900),
  ...cases("aurora-global, us-east-1 -> us-west-2, cooldown 3600", auroraRecoveryTargetsFixture(), 3600),
  ...cases("aurora-global, eu-central-1 -> eu-west-1, cooldown 900", otherAuroraTargets(), 900),
];

// ---------------------------------------------------------------------------------------------
// Graph helpers. A scope is the top level of a definition or one Parallel branch: its states
// transition only among themselves.

interface Scope {
  path: string;
  StartAt: string;
  States: Record<string, State>;
}

function scopesOf(machine: { StartAt: string; States: Record<string, State> }, path = "top level"): Scope[] {
  return [
    { path, StartAt: machine.StartAt, States: machine.States },
    ...Object.entries(machine.States).flatMap(([name, state]) => [
      ...((state.Branches as Scope[] | undefined) ?? []).flatMap((branch, index) => scopesOf(branch, `${path} > ${name} branch ${index}`)),
      ...(state.ItemProcessor ? scopesOf(state.ItemProcessor as Scope, `${path} > ${name} item processor`) : []),
    ]),
  ];
}

type Rule = Record<string, unknown> & { Next?: string; And?: Rule[]; Or?: Rule[]; Not?: Rule; Variable?: string };

/** Every state name a state can go to: Next, Default, each Choice rule's Next and each catcher's Next. */
function transitions(state: State): string[] {
  return [
    state.Next,
    state.Default,
    ...((state.Choices as Rule[] | undefined) ?? []).map((rule) => rule.Next),
    ...((state.Catch as { Next?: string }[] | undefined) ?? []).map((catcher) => catcher.Next),
  ].filter((name): name is string => typeof name === "string");
}

/** The states reachable from `from` (included) without entering any of `avoid`. */
function reachable(scope: Scope, from: string, avoid: ReadonlySet<string> = new Set()): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name) || avoid.has(name) || !(name in scope.States)) continue;
    seen.add(name);
    queue.push(...transitions(scope.States[name]));
  }
  return seen;
}

/** The loops of a scope: its strongly connected components that contain a cycle. */
function loopsOf(scope: Scope): Set<string>[] {
  const reach = new Map(
    Object.keys(scope.States).map((name) => [name, new Set(transitions(scope.States[name]).flatMap((next) => [...reachable(scope, next)]))]),
  );
  const loops: Set<string>[] = [];
  for (const name of Object.keys(scope.States)) {
    if (!reach.get(name)?.has(name) || loops.some((loop) => loop.has(name))) continue;
    loops.push(new Set(Object.keys(scope.States).filter((other) => reach.get(name)?.has(other) && reach.get(other)?.has(name))));
  }
  return loops;
}

/** How a loop is bounded: its attempt counter and the number of times it can go round (waits). */
function loopBound(scope: Scope, loop: Set<string>): { counter: string; rounds: number } {
  const increments = [...loop].flatMap((name) => {
    const state = scope.States[name];
    const match = /^States\.MathAdd\((\$\.attempts\.\w+)\.count, 1\)$/.exec(
      String((state.Parameters as Record<string, unknown> | undefined)?.["count.$"] ?? ""),
    );
    return state.Type === "Pass" && match && state.ResultPath === match[1] ? [match[1]] : [];
  });
  expect(increments, `loop ${[...loop].join(", ")} increments exactly one attempt counter`).to.have.length(1);
  const counter = increments[0];
  const bounds = [...loop].flatMap((name) => {
    const state = scope.States[name];
    const rules = state.Type === "Choice" ? (state.Choices as Rule[]) : [];
    return rules.filter((rule) => rule.Variable === `${counter}.count` && typeof rule.NumericGreaterThanEquals === "number" && !loop.has(rule.Next as string));
  });
  expect(bounds, `loop ${[...loop].join(", ")} leaves when ${counter}.count reaches a bound`).to.have.length(1);
  return { counter, rounds: bounds[0].NumericGreaterThanEquals as number };
}

/** Worst-case seconds of Retry back-off of a Task or Parallel: the longest single retrier (a lower bound). */
function retrySeconds(state: State): number {
  const retriers = (state.Retry as { IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }[] | undefined) ?? [];
  return Math.max(
    0,
    ...retriers.map(({ IntervalSeconds = 1, MaxAttempts = 3, BackoffRate = 2, MaxDelaySeconds = Infinity }) =>
      Array.from({ length: MaxAttempts }, (_, attempt) => Math.min(IntervalSeconds * BackoffRate ** attempt, MaxDelaySeconds)).reduce(
        (sum, delay) => sum + delay,
        0,
      ),
    ),
  );
}

/**
 * A lower bound of the longest an execution can spend waiting along one path from StartAt: Wait
 * states, Retry back-off, loops at their bound and the longest branch of each Parallel. Calls
 * themselves count 0 s, so an execution can last longer than this, never shorter.
 */
function longestWaitSeconds(machine: { StartAt: string; States: Record<string, State> }): number {
  const scope: Scope = { path: "", StartAt: machine.StartAt, States: machine.States };
  const loops = loopsOf(scope);
  const componentOf = (name: string) => loops.find((loop) => loop.has(name)) ?? new Set([name]);
  const memo = new Map<string, number>();
  const weight = (component: Set<string>): number => {
    const states = [...component].map((name) => machine.States[name]);
    const ownWait = (state: State) =>
      (state.Type === "Wait" ? Number(state.Seconds ?? 0) : 0) +
      retrySeconds(state) +
      (state.Type === "Parallel" ? Math.max(0, ...(state.Branches as Scope[]).map(longestWaitSeconds)) : 0);
    if (component.size === 1 && !loops.includes(component)) return ownWait(states[0]);
    const { rounds } = loopBound(scope, component);
    return rounds * states.filter((state) => state.Type === "Wait").reduce((sum, state) => sum + Number(state.Seconds ?? 0), 0);
  };
  const longestFrom = (name: string): number => {
    const component = componentOf(name);
    const key = [...component].sort().join("\n");
    const known = memo.get(key);
    if (known !== undefined) return known;
    const exits = [...component].flatMap((member) => transitions(machine.States[member])).filter((next) => !component.has(next));
    const result = weight(component) + Math.max(0, ...exits.map(longestFrom));
    memo.set(key, result);
    return result;
  };
  return longestFrom(machine.StartAt);
}

/** Every string in a JSON value, with the key it is the value of. */
function strings(value: unknown, key = ""): { key: string; value: string }[] {
  if (typeof value === "string") return [{ key, value }];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item, key));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([name, item]) => strings(item, name));
  return [];
}

/** The variables a Choice rule compares without an `IsPresent: true` guard on the same variable earlier in an enclosing And. */
function unguardedVariables(rule: Rule, guarded: ReadonlySet<string> = new Set()): string[] {
  if (rule.And) {
    const seen = new Set(guarded);
    return rule.And.flatMap((child) => {
      const found = unguardedVariables(child, seen);
      if (child.IsPresent === true && child.Variable) seen.add(child.Variable);
      return found;
    });
  }
  if (rule.Or) return rule.Or.flatMap((child) => unguardedVariables(child, guarded));
  if (rule.Not) return unguardedVariables(rule.Not, guarded);
  return rule.IsPresent !== undefined || !rule.Variable || guarded.has(rule.Variable) ? [] : [rule.Variable];
}

// ---------------------------------------------------------------------------------------------

describe("recovery definitions: structure", () => {
  for (const { label, workflow, targets, definition, errors } of CASES) {
    describe(label, () => {
      const scopes = scopesOf(definition);
      const tasks = scopes.flatMap((scope) => Object.entries(scope.States).filter(([, state]) => state.Type === "Task"));
      const everyState = scopes.flatMap((scope) => Object.entries(scope.States));

      it("is valid Amazon States Language (asl-validator)", () => {
        const { isValid, errors: problems } = validateAsl(definition);
        expect(problems).to.deep.equal([]);
        expect(isValid).to.equal(true);
      });

      it("has a positive execution timeout and a comment", () => {
        expect(definition.TimeoutSeconds).to.be.a("number").and.greaterThan(0);
        expect(definition.Comment).to.be.a("string").and.not.equal("");
      });

      it("calls only AWS SDK integrations, the primary-region operations function and the DR region's heartbeat function", () => {
        expect(tasks.length).to.be.greaterThan(0);
        for (const [name, state] of tasks) {
          const resource = String(state.Resource);
          if (resource === LAMBDA_INVOKE && (state.Parameters as { FunctionName: string }).FunctionName === targets.heartbeat?.drFunctionArn) {
            // The catch-up proof (recovery/checks.ts heartbeatReplayedSince): one action, the stop time read from the timeline.
            // The readiness check before any change, or the catch-up proof after the writes stopped.
            expect([
              JSON.stringify({ FunctionName: targets.heartbeat?.drFunctionArn, Payload: { action: "replayedSince", withinSeconds: HEARTBEAT_READY_SECONDS } }),
              JSON.stringify({
                FunctionName: targets.heartbeat?.drFunctionArn,
                Payload: { action: "replayedSince", "since.$": "$.timeline.writesStopped.at" },
              }),
            ]).to.include(JSON.stringify(state.Parameters), name);
          } else if (resource === LAMBDA_INVOKE) {
            const { FunctionName, Payload, ...rest } = state.Parameters as { FunctionName: string; Payload: Record<string, unknown> };
            expect(FunctionName, name).to.equal(targets.primaryRegionFunctionArn);
            expect(rest, `${name}: only FunctionName and Payload`).to.deep.equal({});
            expect(Object.keys(PRIMARY_REGION_OPERATIONS), name).to.include(Payload.operation);
            // Targets come from the function's environment: a payload carries the operation and its arguments only.
            const allowed = ["operation", ...(OPERATION_ARGUMENTS[Payload.operation as string] ?? [])];
            expect(allowed, `${name} payload`).to.include.members(Object.keys(Payload).map((key) => key.replace(/\.\$$/, "")));
          } else {
            expect(resource, name).to.match(/^arn:aws:states:::aws-sdk:[a-z0-9]+:[a-z][A-Za-z0-9]*$/);
          }
        }
      });

      it("gives every Task a timeout and a Retry", () => {
        for (const [name, state] of tasks) {
          expect(state.TimeoutSeconds, `${name}: TimeoutSeconds`).to.be.a("number").and.greaterThan(0);
          expect(state.Retry, `${name}: Retry`).to.be.an("array").with.length.greaterThan(0);
        }
      });

      it("retries throttling first: every SDK Task's first retrier is its service's throttling retrier, with back-off, and a catch-all follows", () => {
        for (const [name, state] of tasks) {
          const retriers = state.Retry as { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }[];
          const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):/.exec(String(state.Resource));
          if (!sdk) {
            // The Lambda integration: the Lambda service's throttling (TooManyRequestsException) is in LAMBDA_RETRY.
            expect(
              retriers.flatMap((retrier) => retrier.ErrorEquals),
              name,
            ).to.include("Lambda.TooManyRequestsException");
            continue;
          }
          expect(retriers[0], `${name}: first retrier`).to.deep.equal(throttlingRetry(sdk[1]));
          expect(retriers[0].ErrorEquals, name).to.include.members([...THROTTLING_ERRORS[sdk[1]]]);
          expect(retriers[0].MaxAttempts! * 1, name).to.be.at.least(5);
          expect(retriers.at(-1), `${name}: last retrier`).to.deep.equal(TRANSIENT_RETRY);
          // A retrier after the throttling one may name no throttling error: Step Functions applies the first match only.
          for (const later of retriers.slice(1)) {
            expect(
              later.ErrorEquals.filter((error) => THROTTLING_ERRORS[sdk[1]].includes(error)),
              name,
            ).to.deep.equal([]);
          }
        }
      });

      it("names only existing states of the same scope in StartAt, Next, Default and Catch", () => {
        for (const scope of scopes) {
          expect(scope.States, `${scope.path}: StartAt`).to.have.property(scope.StartAt);
          for (const [name, state] of Object.entries(scope.States)) {
            for (const next of transitions(state)) {
              expect(Object.keys(scope.States), `${scope.path}: ${name} -> ${next}`).to.include(next);
            }
            expect(
              transitions(state).length > 0 || state.End === true || state.Type === "Succeed" || state.Type === "Fail",
              `${scope.path}: ${name} ends or goes on`,
            ).to.equal(true);
          }
        }
      });

      it("reaches every state from StartAt", () => {
        for (const scope of scopes) {
          expect(
            Object.keys(scope.States).filter((name) => !reachable(scope, scope.StartAt).has(name)),
            `${scope.path}: unreachable`,
          ).to.deep.equal([]);
        }
      });

      it("gives every Choice a Default", () => {
        for (const [name, state] of everyState.filter(([, state]) => state.Type === "Choice")) {
          expect(state.Default, name).to.be.a("string");
        }
      });

      it("ends only with documented errors: every Fail state's Error (or the recorded failure's) is a documented error name", () => {
        for (const [name, state] of everyState) {
          if (state.Type === "Fail") {
            if (state.ErrorPath !== undefined) {
              expect(state, `${name}: Error and ErrorPath`).to.not.have.property("Error");
            } else {
              expect(Object.keys(errors), `${name}: Error`).to.include(state.Error);
              expect(state.Cause, `${name}: Cause`).to.equal(errors[state.Error as string]);
            }
          }
          if (state.Type === "Pass" && state.ResultPath === "$.failure") {
            const recorded = state.Result as { Error: string; Cause: string };
            expect(Object.keys(errors), `${name}: recorded failure`).to.include(recorded.Error);
            expect(recorded.Cause, `${name}: recorded cause`).to.equal(errors[recorded.Error]);
          }
        }
      });

      it("produces every documented error in at least one state (no dead documentation)", () => {
        const produced = new Set(
          everyState.flatMap(([, state]) => [
            ...(state.Type === "Fail" && typeof state.Error === "string" ? [state.Error] : []),
            ...(state.Type === "Pass" && state.ResultPath === "$.failure" ? [(state.Result as { Error: string }).Error] : []),
          ]),
        );
        // ReplicationStopped is a MySQL pair's (targets.alarms.replicationStopped); the fixture pair is PostgreSQL.
        const conditional = new Set(targets.alarms.replicationStopped ? [] : ["ReplicationStopped"]);
        expect(Object.keys(errors).filter((error) => !produced.has(error) && !conditional.has(error))).to.deep.equal([]);
      });

      it("bounds every poll loop: each `<name>: done?` Choice gives up on its attempt counter", () => {
        const decisions = everyState.filter(([name]) => name.endsWith(": done?"));
        expect(decisions.length).to.be.greaterThan(0);
        for (const [name, state] of decisions) {
          const counter = `$.attempts.${name.slice(0, -": done?".length).replace(/[^A-Za-z0-9]/g, "")}.count`;
          const rules = (state.Choices as Rule[]).filter((rule) => rule.Variable === counter && typeof rule.NumericGreaterThanEquals === "number");
          expect(rules, `${name}: a rule on ${counter}`).to.have.length(1);
        }
      });

      it("bounds every loop with an attempt counter reset on entry, incremented inside and tested by a Choice", () => {
        const loops = scopes.flatMap(loopsOf);
        expect(loops.length, "one loop per poll").to.equal(everyState.filter(([name]) => name.endsWith(": wait")).length);
        for (const scope of scopes) {
          for (const loop of loopsOf(scope)) {
            const { counter, rounds } = loopBound(scope, loop);
            expect(rounds, `${counter} bound`).to.be.a("number").and.at.least(0);
            expect(
              [...loop].some((name) => scope.States[name].Type === "Wait"),
              `${counter}: the loop waits between rounds`,
            ).to.equal(true);
            // Entered only through the state that resets the counter; nothing inside resets it.
            for (const [name, state] of Object.entries(scope.States)) {
              const entersLoop = !loop.has(name) && transitions(state).some((next) => loop.has(next));
              if (entersLoop) {
                expect({ Type: state.Type, Result: state.Result, ResultPath: state.ResultPath }, `${name} enters the loop of ${counter}`).to.deep.equal({
                  Type: "Pass",
                  Result: { count: 0 },
                  ResultPath: counter,
                });
              }
              if (loop.has(name) && state.ResultPath === counter) {
                expect((state.Parameters as Record<string, unknown>)["count.$"], `${name} only increments ${counter}`).to.be.a("string");
              }
            }
          }
        }
      });

      it("waits only in bounded loops of at most 60 s per round, for Route 53 to follow the fence, or the failover's cool-down", () => {
        for (const scope of scopes) {
          const inLoop = new Set(loopsOf(scope).flatMap((loop) => [...loop]));
          for (const [name, state] of Object.entries(scope.States).filter(([, state]) => state.Type === "Wait")) {
            if (inLoop.has(name)) {
              expect(state.Seconds, `${name}: seconds per round`).to.be.a("number").and.within(1, 60);
            } else if (name.endsWith(": Route 53")) {
              // recovery/fence.ts: one fixed wait after the fence alarm changed state.
              expect(state.Seconds, name).to.equal(FENCE_PROPAGATION_SECONDS);
            } else {
              expect({ workflow, name }, `${name}: a Wait outside a poll loop`).to.deep.equal({ workflow: "failover", name: "Cool down" });
            }
          }
        }
      });

      it("calls nothing outside the DR region: ARN literals are of the DR region (or global), the primary region only in labels and the primary ALB alias", () => {
        const aurora = auroraGlobalOf(targets);
        // Aurora-global failback: the switchover back is called in the DR region, its target is the primary cluster by ARN (so that Aurora locates it).
        const allowed = (key: string, value: string) =>
          aurora !== undefined && workflow === "failback" && key === "TargetDbClusterIdentifier" && value === aurora.primaryClusterArn;
        for (const [name, state] of tasks) {
          for (const { key, value } of strings(state.Parameters)) {
            if (key.endsWith(".$")) continue; // paths and intrinsic functions, not literals
            if (allowed(key, value)) continue;
            for (const arn of value.match(/arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:/g) ?? []) {
              expect(["", targets.drRegion], `${name}: ${key} = ${value}`).to.include(arn.split(":")[3]);
            }
            if (value.includes(targets.primaryRegion) && !LABEL_KEYS.has(key)) {
              expect({ key, value }, `${name}: ${key} names the primary region`).to.deep.equal({ key: "DnsName", value: targets.primaryLoadBalancer.dnsName });
            }
          }
        }
        // Aurora-global: DescribeGlobalClusters picks the primary cluster's member entry by its ARN (a filter of the result, not a call).
        const text = JSON.stringify(definition)
          .replaceAll(`@.DbClusterArn == '${aurora?.primaryClusterArn ?? "-"}'`, "@.DbClusterArn == '<primary cluster>'")
          .replaceAll(
            `"TargetDbClusterIdentifier":"${workflow === "failback" ? (aurora?.primaryClusterArn ?? "-") : "-"}"`,
            '"TargetDbClusterIdentifier":"<primary cluster>"',
          );
        for (const primaryTarget of [
          targets.primary.databaseIdentifier,
          targets.primary.databaseArn,
          targets.primary.autoScalingGroupName,
          targets.primary.targetGroupArn,
        ]) {
          expect(text, "primary-region targets live in the function's environment, not in a definition").to.not.include(primaryTarget);
        }
      });

      it(`has an execution timeout (${definition.TimeoutSeconds} s) above its longest wait`, () => {
        expect(longestWaitSeconds(definition)).to.be.lessThan(definition.TimeoutSeconds);
      });
    });
  }

  describe("failover timeout and the configured cool-down", () => {
    for (const cooldownSeconds of [COOLDOWN_RANGE.min, 3600, COOLDOWN_RANGE.max]) {
      // A cool-down longer than the execution timeout ends a successful automatic failover TIMED_OUT
      // during its cool-down, which also releases the slot that keeps the next automatic execution out.
      it(`outlasts the longest wait with a cool-down of ${cooldownSeconds} s (config allows ${COOLDOWN_RANGE.min}-${COOLDOWN_RANGE.max})`, () => {
        const definition = failoverDefinition(recoveryTargetsFixture(), cooldownSeconds);
        const longest = longestWaitSeconds(definition);
        expect(longest, "the longest wait includes the cool-down").to.be.at.least(cooldownSeconds);
        expect(longest, `recovery/failover.ts: TimeoutSeconds ${definition.TimeoutSeconds} s must cover a cool-down of ${cooldownSeconds} s`).to.be.lessThan(
          definition.TimeoutSeconds,
        );
      });
    }
  });

  describe("input validation", () => {
    const targets = recoveryTargetsFixture();
    for (const [workflow, definition] of [
      ["failover", failoverDefinition(targets, 3600)],
      ["failback", failbackDefinition(targets)],
    ] as const) {
      // Step Functions fails the execution with States.Runtime (which no Catch handles, and which
      // skips the failure notification) when a Choice rule other than IsPresent reads a missing path.
      it(`${workflow}: "Validate input" guards every field with IsPresent, so that a missing field ends in InvalidInput rather than States.Runtime`, () => {
        const validate = definition.States["Validate input"];
        expect(validate.Default).to.equal("Invalid input");
        const unguarded = (validate.Choices as Rule[]).flatMap((rule) => unguardedVariables(rule));
        expect(unguarded, `recovery/${workflow}.ts, "Validate input": compared without an IsPresent guard`).to.deep.equal([]);
      });
    }
  });

  describe("stopping writes is undone on every failure before the switch", () => {
    const targets = recoveryTargetsFixture();
    // From the call that stops writes (it may fail after taking effect, e.g. States.Timeout) until the
    // switch commits, every way out restores the capacity first: otherwise nothing serves writes.
    const checks: { workflow: string; definition: Definition; stop: string; restore: string; commit: string }[] = [
      {
        workflow: "failover",
        definition: failoverDefinition(targets, 3600),
        stop: "Stop writes in primary",
        restore: "Restore primary writes",
        commit: "Recover",
      },
      {
        workflow: "failback",
        definition: failbackDefinition(targets),
        stop: "Stop writes in DR",
        restore: "Restore DR writes",
        commit: "Promote primary database",
      },
    ];
    for (const { workflow, definition, stop, restore, commit } of checks) {
      it(`${workflow}: from "${stop}", no path ends the execution before "${restore}" or "${commit}"`, () => {
        const scope = scopesOf(definition)[0];
        expect(scope.States).to.include.keys(stop, restore, commit);
        const reached = [...reachable(scope, stop, new Set([restore, commit]))];
        const ends = reached.filter((name) => name === "Failure: notify" || ["Fail", "Succeed"].includes(String(scope.States[name].Type)));
        const leaks = reached.filter((name) => !ends.includes(name) && transitions(scope.States[name]).some((next) => ends.includes(next)));
        expect(leaks, `recovery/${workflow}.ts: these states end the execution with writes stopped and nothing restored`).to.deep.equal([]);
      });
    }

    it("drill: after the shift, every path to an end rolls the traffic back first", () => {
      const scope = scopesOf(drillDefinition(targets))[0];
      const rollbacks = new Set(["Roll back", "Roll back on alarm", "Roll back on error"]);
      const ends = [...reachable(scope, pollStart("Shift DNS change"), rollbacks)].filter((name) =>
        ["Fail", "Succeed"].includes(String(scope.States[name].Type)),
      );
      expect(ends).to.deep.equal([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("recovery/asl.ts builders", () => {
  const check = sdkTask("cloudwatch", "describeAlarms", { AlarmNames: ["a"] }, { ResultSelector: { "state.$": "$.MetricAlarms[0].StateValue" } });
  const base: PollOptions = {
    name: "Replica catch-up",
    check,
    resultPath: "$.catchUp",
    done: [{ Variable: "$.catchUp.state", StringEquals: "OK" }],
    intervalSeconds: 30,
    maxAttempts: 20,
    next: "Next",
    onTimeout: "Timed out",
  };

  /** Runs a poll loop whose check never reports done: the number of checks and waits before it gives up, and where it goes. */
  function runUntilGivingUp(states: Record<string, State>, start: string): { checks: number; waits: number; exit: string } {
    const data: { attempts: Record<string, { count: number }> } = { attempts: {} };
    const read = (path: string) =>
      path
        .split(".")
        .slice(1)
        .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], data);
    let checks = 0;
    let waits = 0;
    let name = start;
    for (let step = 0; step < 10_000 && name in states; step++) {
      const state = states[name];
      const counter = String(state.ResultPath ?? "").replace("$.attempts.", "");
      if (state.Type === "Pass" && state.Result) data.attempts[counter] = { ...(state.Result as { count: number }) };
      else if (state.Type === "Pass" && String(state.ResultPath).startsWith("$.attempts.")) data.attempts[counter].count += 1;
      if (state.Type === "Task") checks += 1;
      if (state.Type === "Wait") waits += 1;
      if (state.Type === "Choice") {
        // Only the attempt counter's rule can match: the check never reports done or failed.
        const rule = (state.Choices as Rule[]).find(
          (candidate) =>
            String(candidate.Variable).startsWith("$.attempts.") && Number(read(String(candidate.Variable))) >= Number(candidate.NumericGreaterThanEquals),
        );
        name = rule ? String(rule.Next) : String(state.Default);
      } else {
        name = String(state.Next);
      }
    }
    return { checks, waits, exit: name };
  }

  describe("poll()", () => {
    it("builds start, check, done?, wait and count states around an attempt counter", () => {
      const states = poll(base);
      expect(Object.keys(states)).to.deep.equal([
        "Replica catch-up: start",
        "Replica catch-up: check",
        "Replica catch-up: done?",
        "Replica catch-up: wait",
        "Replica catch-up: count",
      ]);
      expect(pollStart("Replica catch-up")).to.equal("Replica catch-up: start");
      expect(states["Replica catch-up: start"]).to.deep.equal({
        Type: "Pass",
        Result: { count: 0 },
        ResultPath: "$.attempts.Replicacatchup",
        Next: "Replica catch-up: check",
      });
      expect(states["Replica catch-up: check"]).to.deep.equal({ ...check, ResultPath: "$.catchUp", Next: "Replica catch-up: done?" });
      expect(states["Replica catch-up: wait"]).to.deep.equal({ Type: "Wait", Seconds: 30, Next: "Replica catch-up: count" });
      expect(states["Replica catch-up: count"]).to.deep.equal({
        Type: "Pass",
        Parameters: { "count.$": "States.MathAdd($.attempts.Replicacatchup.count, 1)" },
        ResultPath: "$.attempts.Replicacatchup",
        Next: "Replica catch-up: check",
      });
    });

    it("decides done first, then failed, then the bound, else waits", () => {
      const failed = [{ Variable: "$.catchUp.state", StringEquals: "INSUFFICIENT_DATA" }];
      expect(poll({ ...base, failed, onFailed: "Broken" })["Replica catch-up: done?"]).to.deep.equal({
        Type: "Choice",
        Choices: [
          { Variable: "$.catchUp.state", StringEquals: "OK", Next: "Next" },
          { Variable: "$.catchUp.state", StringEquals: "INSUFFICIENT_DATA", Next: "Broken" },
          { Variable: "$.attempts.Replicacatchup.count", NumericGreaterThanEquals: 19, Next: "Timed out" },
        ],
        Default: "Replica catch-up: wait",
      });
      const withoutOnFailed = poll({ ...base, failed })["Replica catch-up: done?"].Choices as Rule[];
      expect(withoutOnFailed[1].Next, "failed without onFailed goes to onTimeout").to.equal("Timed out");
    });

    for (const maxAttempts of [1, 2, 20]) {
      it(`is bounded: with maxAttempts ${maxAttempts} it checks ${maxAttempts} times, waits ${maxAttempts - 1} times, then goes to onTimeout`, () => {
        expect(runUntilGivingUp(poll({ ...base, maxAttempts }), pollStart(base.name))).to.deep.equal({
          checks: maxAttempts,
          waits: maxAttempts - 1,
          exit: "Timed out",
        });
      });
    }

    it("restarts its counter each time the loop is entered", () => {
      const states = poll({ ...base, maxAttempts: 3 });
      expect(runUntilGivingUp(states, pollStart(base.name))).to.deep.equal(runUntilGivingUp(states, pollStart(base.name)));
      expect(states[pollStart(base.name)].Result).to.deep.equal({ count: 0 });
    });

    it("inserts the measure between the check and the decision", () => {
      const measure = { Type: "Pass", Parameters: { "inService.$": "States.ArrayLength($.capacity.instances)" }, ResultPath: "$.capacity" };
      const states = poll({ ...base, name: "DR capacity", resultPath: "$.capacity", measure });
      expect(states["DR capacity: check"].Next).to.equal("DR capacity: measure");
      expect(states["DR capacity: measure"]).to.deep.equal({ ...measure, Next: "DR capacity: done?" });
      expect(states).to.not.have.property("Replica catch-up: measure");
      expect(poll(base)).to.not.have.property("Replica catch-up: measure");
    });

    it("adds a catch-all to the check only with onError, keeping { Error, Cause } at $.failure", () => {
      expect(poll(base)["Replica catch-up: check"]).to.not.have.property("Catch");
      expect(poll({ ...base, onError: "Failure: notify" })["Replica catch-up: check"].Catch).to.deep.equal([
        { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "Failure: notify" },
      ]);
    });

    it("derives the counter from the name's letters and digits", () => {
      expect(poll({ ...base, name: "Error rollback DNS change" })["Error rollback DNS change: start"].ResultPath).to.equal("$.attempts.ErrorrollbackDNSchange");
    });
  });

  describe("failure(), failurePath(), catchAll(), notify()", () => {
    const topicArn = "arn:aws:sns:us-west-2:123456789012:topic";

    it("failure() records { Error, Cause } at $.failure and enters the failure path", () => {
      expect(failure("ReplicaMissing", "why", "Failure: notify")).to.deep.equal({
        Type: "Pass",
        Result: { Error: "ReplicaMissing", Cause: "why" },
        ResultPath: "$.failure",
        Next: "Failure: notify",
      });
    });

    it("catchAll() sends every error to the failure path with { Error, Cause } at $.failure", () => {
      expect(catchAll("Failure: notify")).to.deep.equal([{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "Failure: notify" }]);
    });

    it("failurePath() notifies the failure, then fails the execution with the recorded error and cause", () => {
      const states = failurePath(topicArn, "Failover FAILED", { notify: "Failure: notify", end: "Failed" });
      expect(Object.keys(states)).to.deep.equal(["Failure: notify", "Failed"]);
      expect(states.Failed).to.deep.equal({ Type: "Fail", ErrorPath: "$.failure.Error", CausePath: "$.failure.Cause" });
      const publish = states["Failure: notify"];
      expect(publish.Resource).to.equal(sdkResource("sns", "publish"));
      expect(publish.Next).to.equal("Failed");
      const parameters = publish.Parameters as Record<string, string>;
      expect(parameters.TopicArn).to.equal(topicArn);
      expect(parameters.Subject).to.equal("Failover FAILED");
      expect(parameters["Message.$"])
        .to.match(/^States\.Format\(/)
        .and.include("$.failure.Error")
        .and.include("$.failure.Cause");
      // A failed publish still ends with the recorded failure: its catcher does not overwrite $.failure.
      const catchers = publish.Catch as { ResultPath: string; Next: string }[];
      expect(catchers.map(({ Next }) => Next)).to.deep.equal(["Failed"]);
      expect(catchers[0].ResultPath).to.not.match(/^\$(\.failure)?$/);
    });

    it("notify() publishes, keeps its input, and never fails the workflow", () => {
      const state = notify(topicArn, "Subject", "States.Format('x {}', $.a)", { Next: "After" });
      expect(state).to.deep.equal({
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:sns:publish",
        Parameters: { TopicArn: topicArn, Subject: "Subject", "Message.$": "States.Format('x {}', $.a)" },
        TimeoutSeconds: 60,
        Retry: [throttlingRetry("sns"), TRANSIENT_RETRY],
        ResultPath: null,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.notificationError", Next: "After" }],
        Next: "After",
      });
    });

    it("milestone() records the entered time under $.timeline", () => {
      expect(milestone("healthy", "Next")).to.deep.equal({
        Type: "Pass",
        Parameters: { "at.$": "$$.State.EnteredTime" },
        ResultPath: "$.timeline.healthy",
        Next: "Next",
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("instance failover: promoted is decided from the source link, not the status", () => {
  const definition = failoverDefinition(recoveryTargetsFixture(), 3600);
  const branch = (definition.States.Recover.Branches as { States: Record<string, State> }[])[1];
  const text = (value: unknown) => JSON.stringify(value);

  it("reads ReadReplicaSourceDBInstanceIdentifier and DbInstanceStatus in the AWS SDK integration's casing", () => {
    const describe = definition.States["Describe replica"];
    expect(describe.Resource).to.equal("arn:aws:states:::aws-sdk:rds:describeDBInstances");
    expect(describe.Parameters).to.deep.equal({ DbInstanceIdentifier: recoveryTargetsFixture().replica.identifier });
    expect(describe.ResultSelector).to.deep.equal({ "instance.$": "$.DbInstances[0]" });
    expect(text(definition)).to.include("instance.ReadReplicaSourceDBInstanceIdentifier").and.include("instance.DbInstanceStatus");
    expect(text(definition)).to.not.match(/ReadReplicaSourceDbInstanceIdentifier|DBInstanceStatus|\$\.DBInstances/);
  });

  it("'Replica state?' takes only a replica without its source as promoted; a replica modifying or rebooting is waited for first, after the lag was read", () => {
    const choices = definition.States["Replica state?"].Choices as { Next: string }[];
    const toPromoted = choices.filter((rule) => rule.Next === "Already promoted");
    expect(toPromoted).to.deep.equal([
      { Not: { Variable: "$.replica.instance.ReadReplicaSourceDBInstanceIdentifier", IsPresent: true }, Next: "Already promoted" },
    ]);
    expect(text(definition.States["Replica state?"])).to.not.include('"modifying"').and.not.include('"rebooting"');
    expect(definition.States["Describe replica"].Next).to.equal("Check replica lag");
    expect(definition.States["Check replica lag"].Next).to.equal(pollStart("Replica settles"));
    expect(definition.States["Replica settles: check"].Resource).to.equal("arn:aws:states:::aws-sdk:rds:describeDBInstances");
    const done = (definition.States["Replica settles: done?"].Choices as { Next: string }[])[0];
    expect(done.Next).to.equal("Replica state?");
    expect(text(done)).to.include("ReadReplicaSourceDBInstanceIdentifier").and.include('"modifying"').and.include('"rebooting"');
  });

  it("never retries a refused PromoteReadReplica blindly: a refusal waits, looks, and follows a promotion that dropped the source", () => {
    const promote = branch.States["Promote replica"];
    const retriers = promote.Retry as { ErrorEquals: string[]; MaxAttempts?: number }[];
    const refusal = retriers.find((retrier) => retrier.ErrorEquals.includes("Rds.InvalidDbInstanceStateException"));
    expect(refusal?.MaxAttempts).to.equal(0);
    expect((promote.Catch as { ErrorEquals: string[]; Next: string }[]).map(({ ErrorEquals, Next }) => [ErrorEquals[0], Next])).to.deep.equal([
      ["Rds.InvalidDbInstanceStateException", "Promotion retry: wait"],
      ["States.ALL", "Promotion retry: check"],
    ]);
    const done = branch.States["Promotion retry: done?"].Choices as { Next: string }[];
    expect(done[0]).to.deep.equal({
      Not: { Variable: "$.promotion.instance.ReadReplicaSourceDBInstanceIdentifier", IsPresent: true },
      Next: pollStart("Promotion"),
    });
    // A busy replica is waited for before anything asks RDS again.
    const busy = done.findIndex((rule) => rule.Next === "Promotion retry: wait");
    const again = done.findIndex((rule) => rule.Next === "Promote replica");
    expect(busy).to.be.greaterThan(0);
    expect(again).to.be.greaterThan(busy);
  });

  it("after a failed (not refused) PromoteReadReplica, one look that still shows a replica waits and looks again; only a look after a wait asks again", () => {
    const done = branch.States["Promotion retry: done?"];
    expect(done.Default).to.equal("Promotion retry: wait");
    expect(branch.States["Promotion retry: count"].Next).to.equal("Promotion retry: mark");
    expect(branch.States["Promotion retry: mark"]).to.include({ ResultPath: "$.promotionError.waited", Next: "Promotion retry: check" });
    const again = (done.Choices as { Next: string }[]).filter((rule) => rule.Next === "Promote replica");
    expect(again).to.deep.equal([{ Variable: "$.promotionError.waited", IsPresent: true, Next: "Promote replica" }]);
  });

  it("failback: a refused or failed promoteDatabase is never retried blindly; it waits, looks, and asks again only after a wait", () => {
    const failback = failbackDefinition(recoveryTargetsFixture());
    const promote = failback.States["Promote primary database"];
    for (const retrier of promote.Retry as { ErrorEquals: string[]; MaxAttempts?: number }[]) {
      if (retrier.ErrorEquals.includes("InvalidDBInstanceStateFault")) expect(retrier.MaxAttempts).to.equal(0);
    }
    expect((promote.Catch as { ErrorEquals: string[]; Next: string }[]).map(({ ErrorEquals, Next }) => [ErrorEquals[0], Next])).to.deep.equal([
      ["InvalidDBInstanceStateFault", "Promotion retry: wait"],
      ["InvalidArguments", "Promotion failed"],
      ["States.ALL", "Promotion retry: check"],
    ]);
    const done = failback.States["Promotion retry: done?"];
    expect(done.Default).to.equal("Promotion retry: wait");
    expect((done.Choices as { Next: string }[])[0]).to.deep.equal({
      Variable: "$.primaryDatabase.answer.isReplica",
      BooleanEquals: false,
      Next: pollStart("Primary promotion"),
    });
    expect((done.Choices as { Next: string }[]).filter((rule) => rule.Next === "Promote primary database")).to.deep.equal([
      { Variable: "$.promotionError.waited", IsPresent: true, Next: "Promote primary database" },
    ]);
  });
});

describe("aurora-global definitions", () => {
  const targets = auroraRecoveryTargetsFixture();
  const database = auroraGlobalOf(targets)!;
  const failover = failoverDefinition(targets, 3600);
  const failback = failbackDefinition(targets);
  const drill = drillDefinition(targets);
  const find = (definition: Definition, name: string): State => {
    const found = scopesOf(definition).find((scope) => name in scope.States);
    if (!found) throw new Error(`no state ${name}`);
    return found.States[name];
  };

  it("unplanned: FailoverGlobalCluster with AllowDataLoss onto the DR cluster, by ARN, in the DR region (an SDK integration)", () => {
    const state = find(failover, "Fail over global cluster");
    expect(state.Resource).to.equal(sdkResource("rds", "failoverGlobalCluster"));
    expect(state.Parameters).to.deep.equal({
      GlobalClusterIdentifier: database.globalClusterIdentifier,
      TargetDbClusterIdentifier: database.drClusterArn,
      AllowDataLoss: true,
    });
  });

  it("planned: SwitchoverGlobalCluster through the primary-region function (the switchover runs in the primary cluster's region), without stopping writes first", () => {
    const state = find(failover, "Switch over");
    expect(state.Resource).to.equal(LAMBDA_INVOKE);
    expect(state.Parameters).to.deep.equal({ FunctionName: targets.primaryRegionFunctionArn, Payload: { operation: "switchoverGlobalCluster" } });
    expect(JSON.stringify(failover)).to.not.include("Stop writes");
    expect(PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE["aurora-global"]).to.include("switchoverGlobalCluster");
    expect(PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE.instance).to.not.include("switchoverGlobalCluster");
  });

  it("failback: SwitchoverGlobalCluster onto the primary cluster, called in the DR region where the writer runs", () => {
    const state = find(failback, "Switch over to primary");
    expect(state.Resource).to.equal(sdkResource("rds", "switchoverGlobalCluster"));
    expect(state.Parameters).to.deep.equal({
      GlobalClusterIdentifier: database.globalClusterIdentifier,
      TargetDbClusterIdentifier: database.primaryClusterArn,
    });
    // No instance-mode operation: nothing describes, promotes or reads the lag of a primary-region instance.
    const operations = taskStatesOf(failback).flatMap((state) =>
      state.Resource === LAMBDA_INVOKE ? [(state.Parameters as { Payload: { operation: string } }).Payload.operation] : [],
    );
    expect(new Set(operations)).to.deep.equal(new Set(["setCapacity", "describeCapacity", "describeTargetHealth"]));
  });

  it("a re-run does not switch again: a DR cluster already the writer, or a switch running, goes to the poll", () => {
    const role = find(failover, "DR cluster role?");
    expect((role.Choices as Rule[]).map((rule) => rule.Next)).to.deep.equal(["DR cluster not a member", "Already switched", "Already switched"]);
    expect(find(failover, "Switch needed?").Choices).to.deep.include({ Variable: "$.alreadySwitched", IsPresent: true, Next: pollStart("Global switch") });
    expect(find(failback, "Switch back needed?").Choices).to.deep.include({
      Variable: "$.alreadySwitched",
      IsPresent: true,
      Next: pollStart("Global switch back"),
    });
  });

  it("waits until the DR cluster is the writer of an available global cluster with no switch running, and reports its writer endpoint (no name change)", () => {
    const done = find(failover, "Global switch: done?").Choices as Rule[];
    expect(JSON.stringify(done[0])).to.include("$.switch.dr[0].IsWriter").and.include('"StringEquals":"available"').and.include("$.switch.switching[0]");
    expect(done[1]).to.deep.include({ Variable: "$.switch.switching[0]", StringEquals: "cancelling", Next: "Switch cancelled" });
    expect(find(failover, "Switched").Parameters).to.deep.equal({ "databaseAddress.$": "$.writer.endpoint[0]" });
  });

  it("the drill only reads the database (no switch, no promotion)", () => {
    const calls = taskStatesOf(drill).map((state) => String(state.Resource));
    expect(calls.filter((resource) => /rds:/.test(resource))).to.deep.equal([
      sdkResource("rds", "describeGlobalClusters"),
      sdkResource("rds", "describeDBClusters"),
    ]);
  });

  it("shares error names with the instance mode only where they mean the same", () => {
    for (const [aurora, instance] of [
      [AURORA_FAILOVER_ERRORS, FAILOVER_ERRORS],
      [AURORA_FAILBACK_ERRORS, FAILBACK_ERRORS],
    ] as Record<string, string>[][]) {
      for (const [name, meaning] of Object.entries(aurora)) if (name in instance) expect(meaning, name).to.equal(instance[name]);
    }
  });

  it("refuses inconsistent aurora-global targets before building anything", () => {
    const broken = (change: Partial<RecoveryTargets>) => () => failoverDefinition({ ...targets, ...change }, 3600);
    expect(broken({ replica: recoveryTargetsFixture().replica })).to.throw(/replica must name the DR cluster/);
    expect(broken({ database: { ...database, drClusterArn: database.drClusterArn.replace("us-west-2", "us-east-1") } })).to.throw(
      /database\.drClusterArn must be arn:aws:rds:us-west-2:123456789012:cluster:dr-db-cluster-1a2b3c/,
    );
    expect(broken({ database: { ...database, globalClusterIdentifier: "1-global" } })).to.throw(
      /database\.globalClusterIdentifier must be an RDS cluster identifier/,
    );
    expect(broken({ database: { ...database, primaryClusterIdentifier: "bad--name" } })).to.throw(/primaryClusterIdentifier/);
    expect(broken({ primary: recoveryTargetsFixture().primary })).to.throw(
      /primary\.databaseIdentifier and primary\.databaseArn must name the primary cluster/,
    );
    expect(() => failbackDefinition({ ...targets, database: { engineMode: "aurora" } as never })).to.throw(
      /database\.engineMode must be one of instance, aurora-global/,
    );
    expect(() => drillDefinition({ ...targets, replica: recoveryTargetsFixture().replica })).to.throw(/drillDefinition: invalid recovery targets/);
    // Instance mode: an absent `database` and an explicit { engineMode: "instance" } build the same definitions.
    expect(failoverDefinition({ ...recoveryTargetsFixture(), database: { engineMode: "instance" } }, 3600)).to.deep.equal(
      failoverDefinition(recoveryTargetsFixture(), 3600),
    );
  });
});

/** Every Task state of a definition, Parallel branches included. */
function taskStatesOf(definition: Definition): State[] {
  return scopesOf(definition).flatMap((scope) => Object.values(scope.States).filter((state) => state.Type === "Task"));
}

describe("the PRIMARY failover record as the workflows write it", () => {
  /** Every PRIMARY record set a definition UPSERTs, wherever it sits in the states' parameters. */
  function primaryRecordSets(definition: unknown): Record<string, unknown>[] {
    const found: Record<string, unknown>[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (value === null || typeof value !== "object") return;
      const record = value as Record<string, unknown>;
      if (record.Failover === "PRIMARY" && record.AliasTarget) found.push(record);
      Object.values(record).forEach(visit);
    };
    visit(definition);
    return found;
  }

  it("keeps the PRIMARY's health check and never makes it evaluate target health, in failover, failback and the drill (the stack's setting: config/conventions.ts)", () => {
    const targets = recoveryTargetsFixture();
    for (const [name, definition] of [
      ["failover", failoverDefinition(targets, 3600)],
      ["failback", failbackDefinition(targets)],
      ["drill", drillDefinition(targets)],
    ] as const) {
      const records = primaryRecordSets(definition);
      // The failover moves traffic with the fence alone (Route 53's data plane); failback points the record back.
      if (name === "failback") expect(records, name).to.have.length.above(0);
      if (name === "failover") expect(records, name).to.deep.equal([]);
      for (const record of records) {
        expect(record.HealthCheckId, name).to.equal(targets.dns.healthCheckId);
        expect((record.AliasTarget as { EvaluateTargetHealth: boolean }).EvaluateTargetHealth, name).to.equal(false);
      }
    }
  });
});
