/**
 * The offline drill: every scenario on the definitions built from the fixture targets meets its
 * operator expectation; the simulator refuses calls on anything but the targets; deliberately broken
 * definitions make their scenario fail (the scenarios can fail); times are plausible; the plan
 * reader finds the targets, definitions and physical parameters of a DR plan.
 */
import { expect } from "chai";
import { synthesizedOnce } from "../fixtures/synthesis";
import * as path from "node:path";
import { type Definition, LAMBDA_RETRY, pollStart, type State, taskStates, THROTTLING_ERRORS, TRANSIENT_RETRY } from "../../recovery/asl";
import { type DatabaseFault, type DatabaseSetup, SimulatedDatabase } from "../../recovery/offline/database";
import { DEFAULT_DURATIONS, detectionSeconds } from "../../recovery/offline/durations";
import { SimulatedCloud, type WorldSetup } from "../../recovery/offline/cloud";
import { VirtualClock } from "../../recovery/offline/clock";
import { FAULT_ERRORS, StatesRuntimeError } from "../../recovery/offline/errors";
import { PlanError, type PlanLike, recoveryFromPlan, STATE_MACHINE_TYPE, systemFromPlan } from "../../recovery/offline/fromPlan";
import { evaluatePath } from "../../recovery/offline/jsonPath";
import { AURORA_SCENARIOS } from "../../recovery/offline/auroraScenarios";
import { checkRecoveryTargets } from "../../recovery/offline/fromPlan";
import { MYSQL_SCENARIOS, SCENARIOS, scenarioNamed, scenariosFor } from "../../recovery/offline/scenarios";
import { outcomeOf } from "../../recovery/offline/run";
import { runScenario, type ScenarioResult } from "../../recovery/offline/simulate";
import { deriveAuroraTargets, systemFromTargets, withDefinitions } from "../../recovery/offline/system";
import { WORKFLOWS } from "../../recovery/names";
import { databaseTargetsProblems } from "../../recovery/targets";
import { auroraRecoveryTargetsFixture, recoveryTargetsFixture } from "../fixtures/recoveryTargets";

const PREFIX = "multi-region-dr-dr";

/** The state named `name` anywhere in the definition (Parallel branches included), with the States map holding it. */
function locate(
  definition: Pick<Definition, "States" | "StartAt">,
  name: string,
): { states: Record<string, State>; owner: Pick<Definition, "States" | "StartAt"> } | undefined {
  if (definition.States[name]) return { states: definition.States, owner: definition };
  for (const state of Object.values(definition.States)) {
    for (const branch of (state.Branches as Pick<Definition, "States" | "StartAt">[] | undefined) ?? []) {
      const found = locate(branch, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** A deep copy of `definition` changed by `change`. */
function mutate(definition: Definition, change: (copy: Definition) => void): Definition {
  const copy = structuredClone(definition);
  change(copy);
  return copy;
}

function failedChecks(result: ScenarioResult): string[] {
  return result.checks.filter((check) => !check.ok).map((check) => `${check.what}: expected ${check.expected}, got ${check.actual}`);
}

describe("offline drill (recovery/offline)", function () {
  const system = systemFromTargets(recoveryTargetsFixture(), { prefix: PREFIX });
  const results = new Map<string, ScenarioResult>();

  before(async function () {
    this.timeout(60000);
    for (const scenario of SCENARIOS) results.set(scenario.name, await runScenario(system, scenario));
  });

  describe("every scenario ends as the operator expects", function () {
    for (const scenario of SCENARIOS) {
      it(`${scenario.name}: ${scenario.title}`, function () {
        const result = results.get(scenario.name)!;
        expect(result.error, result.error).to.equal(undefined);
        expect(failedChecks(result)).to.deep.equal([]);
      });
    }
  });

  describe("time to recovery", function () {
    it("a clean unplanned failover recovers within the RTO, and not faster than the promotion allows", function () {
      const recovery = results.get("unplanned-failover")!.recovery!;
      expect(recovery.seconds, "recovered").to.be.a("number");
      expect(recovery.seconds!).to.be.at.most(system.targets.rtoSeconds);
      expect(recovery.seconds!).to.be.above(system.durations.rdsPromotionSeconds + detectionSeconds(system.durations));
      // Detection 30 s + checks ~1 s + promotion 360 s polled every 30 s + the fence (its alarm evaluated at the end of
      // the datapoint's minute, polled every 15 s, then 60 s for Route 53 to follow) + TTL 60 s: about 575 s.
      expect(recovery.seconds!).to.be.closeTo(575, 45);
    });

    it("Parallel branches overlap in simulated time: capacity is ready during the promotion, the Parallel lasts the promotion only", function () {
      const run = results.get("unplanned-failover")!.runs[0];
      const entered = (state: string) => run.events.find((event) => event.type === "StateEntered" && event.state === state)!.at;
      const exited = (state: string) => run.events.find((event) => event.type === "StateExited" && event.state === state)!.at;
      expect(entered("Scale DR capacity")).to.be.closeTo(entered("Promote replica"), 0.5);
      expect(entered("DR capacity ready")).to.be.below(entered("Promoted"));
      const parallel = exited("Recover") - entered("Recover");
      expect(parallel).to.be.within(system.durations.rdsPromotionSeconds, system.durations.rdsPromotionSeconds + 35);
    });

    it("is deterministic: the same scenario gives the same timeline", async function () {
      const again = await runScenario(system, scenarioNamed("planned-switchover"));
      expect(again.timeline).to.deep.equal(results.get("planned-switchover")!.timeline);
    });
  });

  describe("the simulator checks what each call targets", function () {
    it("a definition that promotes another identifier fails with Rds.DbInstanceNotFoundException and the scenario fails", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const promote = locate(copy, "Promote replica")!.states["Promote replica"];
        (promote.Parameters as Record<string, unknown>).DbInstanceIdentifier = "someone-elses-db";
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("unplanned-failover"));
      expect(result.passed).to.equal(false);
      expect(result.calls.filter((call) => call.state === "Promote replica").map((call) => call.error)).to.include("Rds.DbInstanceNotFoundException");
      expect(result.violations.join("\n")).to.match(/Promote replica: rds:promoteReadReplica on a resource that is not a recovery target/);
      expect(result.runs[0].error).to.equal("PromotionFailed");
      expect(result.final!.drDatabaseRole).to.equal("replica");
    });

    it("a definition that scales another Auto Scaling Group is refused as AWS would", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const scale = locate(copy, "Scale DR capacity")!.states["Scale DR capacity"];
        (scale.Parameters as Record<string, unknown>).AutoScalingGroupName = "primary-app-asg-7a8b9c";
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("unplanned-failover"));
      expect(result.passed).to.equal(false);
      expect(result.calls.find((call) => call.state === "Scale DR capacity")!.error).to.equal("AutoScaling.AutoScalingException");
    });
  });

  describe("negative controls: broken definitions fail their scenario", function () {
    it("without the 'Promotion needed?' check, a re-run calls PromoteReadReplica again (refused by RDS, then followed) and the expectation of one request fails", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const found = locate(copy, "Promotion needed?")!;
        found.owner.StartAt = "Promotion retries";
        delete found.states["Promotion needed?"];
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("rerun-after-partial-failure"));
      expect(result.passed).to.equal(false);
      expect(result.final!.drPromotionsRequested).to.be.above(1);
      expect(result.final!.drPromotionsAccepted).to.equal(1);
      expect(failedChecks(result).join("\n")).to.match(/final drPromotionsRequested: expected 1/);
    });

    it("without asking again after a refusal, the failover during a backup fails", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const found = locate(copy, "Promotion retry: done?")!;
        const done = found.states["Promotion retry: done?"];
        done.Choices = (done.Choices as { Next: string }[]).filter((rule) => rule.Next !== "Promote replica");
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("promotion-retried-while-backing-up"));
      expect(result.passed).to.equal(false);
      expect(result.runs[0].error).to.equal("PromotionFailed");
    });

    it("today's rule, modifying or rebooting taken as already promoted, never promotes a replica modifying for storage autoscaling", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        // No wait for a busy replica, and a busy one taken as promoted.
        copy.States["Check replica lag"].Next = "Replica state?";
        for (const name of Object.keys(copy.States)) if (name.startsWith("Replica settles: ")) delete copy.States[name];
        const state = copy.States["Replica state?"];
        state.Choices = [
          {
            Or: ["modifying", "rebooting"].map((status) => ({ Variable: "$.replica.instance.DbInstanceStatus", StringEquals: status })),
            Next: "Already promoted",
          },
          ...(state.Choices as unknown[]),
        ];
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("promotion-during-storage-autoscaling"));
      expect(result.passed).to.equal(false);
      expect(result.runs[0].error).to.equal("PromotionTimedOut");
      expect(result.final).to.include({ drPromotionsAccepted: 0, drDatabaseRole: "replica", primaryRecord: "primary-alb" });
    });

    it("today's blind retry of a refused PromoteReadReplica ends PromotionFailed after the running promotion succeeded", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const promote = locate(copy, "Promote replica")!.states["Promote replica"];
        promote.Retry = [{ ErrorEquals: ["Rds.InvalidDbInstanceStateException"], IntervalSeconds: 60, MaxAttempts: 30, BackoffRate: 1 }, TRANSIENT_RETRY];
        promote.Catch = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.promotionError", Next: "Promotion failed" }];
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("rerun-while-promotion-starts"));
      expect(result.passed).to.equal(false);
      expect(result.runs[1].error).to.equal("PromotionFailed");
      // RDS promoted the replica all the same: the database is standalone while DNS still serves the primary.
      expect(result.final).to.include({ drDatabaseRole: "standalone", drPromotionsAccepted: 1, primaryRecord: "primary-alb" });
    });

    it("today's rule, one look after a failed (not refused) PromoteReadReplica, ends PromotionFailed while RDS promotes", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const found = locate(copy, "Promotion retry: done?")!;
        found.states["Promotion retry: done?"].Default = "Promotion failed";
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("promotion-answer-lost"));
      expect(result.passed).to.equal(false);
      expect(result.runs[0].error).to.equal("PromotionFailed");
      expect(result.final).to.include({ drPromotionsAccepted: 1, primaryRecord: "primary-alb" });
    });

    it("today's failback, a refused promoteDatabase retried blindly (60 s x 30), ends PromotionFailed beside a promoted primary database", async function () {
      const broken = mutate(system.definitions.failback, (copy) => {
        const promote = copy.States["Promote primary database"];
        promote.Retry = [{ ErrorEquals: ["InvalidDBInstanceStateFault"], IntervalSeconds: 60, MaxAttempts: 30, BackoffRate: 1 }, TRANSIENT_RETRY];
        promote.Catch = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.promotionError", Next: "Promotion failed" }];
      });
      const result = await runScenario(withDefinitions(system, { failback: broken }), scenarioNamed("failback-promotion-refused-after-lost-answer"));
      expect(result.passed).to.equal(false);
      expect(result.runs[1].error).to.equal("PromotionFailed");
      expect(result.final).to.include({ primaryDatabaseRole: "standalone", primaryPromotionsAccepted: 1 });
    });

    it("the old catch-up proof (a ReplicaLag datapoint of 0 after the stop) never holds on PostgreSQL: the switchover times out", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const check = copy.States["Replica catch-up: check"];
        check.Resource = "arn:aws:states:::aws-sdk:cloudwatch:getMetricData";
        check.Parameters = {
          MetricDataQueries: [
            {
              Id: "replicaLag",
              MetricStat: {
                Metric: {
                  Namespace: "AWS/RDS",
                  MetricName: "ReplicaLag",
                  Dimensions: [{ Name: "DBInstanceIdentifier", Value: system.targets.replica.identifier }],
                },
                Period: 60,
                Stat: "Maximum",
              },
            },
          ],
          "StartTime.$": "$.timeline.writesStopped.at",
          "EndTime.$": "$$.State.EnteredTime",
          ScanBy: "TimestampDescending",
        };
        check.ResultSelector = { "values.$": "$.MetricDataResults[0].Values" };
        const decide = copy.States["Replica catch-up: done?"] as { Choices: { Next: string }[] };
        decide.Choices[0] = {
          And: [
            { Variable: "$.catchUp.values[0]", IsPresent: true },
            { Variable: "$.catchUp.values[0]", NumericEquals: 0 },
          ],
          Next: decide.Choices[0].Next,
        } as unknown as { Next: string };
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("planned-switchover"));
      expect(result.passed).to.equal(false);
      expect(result.runs[0].error).to.equal("ReplicaCatchUpTimeout");
    });

    it("without the fence, the old primary takes the traffic back when its region returns (its database never demoted)", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const fence = copy.States["Fence the primary"];
        copy.States["Fence the primary"] = { Type: "Pass", Next: fence.Next as string };
        const decide = copy.States["Fence the primary: alarm: done?"] as { Choices: { Next: string }[] };
        decide.Choices[0] = { Variable: "$.fence", IsPresent: true, Next: decide.Choices[0].Next } as unknown as { Next: string };
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("us-east-1-returns"));
      expect(result.passed).to.equal(false);
      expect(result.final).to.include({ fence: "never set", dnsAnswer: "primary" });
      // About the hour the region stays back (3600 s, less the 30 s the endpoint check takes to turn healthy), every second of it exposed.
      expect(result.final!.oldPrimaryWriteSeconds).to.be.within(3500, 3900);
    });

    it("with only the 3-attempt transient retry (no throttling retrier), a throttled failover fails at its first call", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        for (const { state } of taskStates(copy)) {
          state.Retry = (state.Retry as { ErrorEquals: string[] }[]).filter((retrier) => !retrier.ErrorEquals.some((name) => /Throttl/.test(name)));
        }
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("failover-throttled"));
      expect(result.passed).to.equal(false);
      expect(result.runs[0].error).to.equal("Rds.ThrottlingException");
    });

    it("a drill rollback that keeps the weighted pool fails the drill's expectation", async function () {
      const broken = mutate(system.definitions.drill, (copy) => {
        const batch = (copy.States["Roll back"].Parameters as { ChangeBatch: { Changes: unknown[] } }).ChangeBatch;
        batch.Changes = batch.Changes.slice(0, 1);
      });
      const result = await runScenario(withDefinitions(system, { drill: broken }), scenarioNamed("drill-passes"));
      expect(result.passed).to.equal(false);
      expect(result.final!.drillPoolRecords).to.equal(2);
    });
  });

  describe("JSONPath as Step Functions applies it to results", function () {
    it("an indefinite path yields a list, empty when nothing matches; a missing definite path is States.Runtime", function () {
      expect(evaluatePath("$.MetricAlarms[*].AlarmName", { MetricAlarms: [] })).to.deep.equal([]);
      expect(
        evaluatePath("$.A[0].I[?(@.L == 'InService')].Id", {
          A: [
            {
              I: [
                { L: "InService", Id: "i-1" },
                { L: "Pending", Id: "i-2" },
              ],
            },
          ],
        }),
      ).to.deep.equal(["i-1"]);
      expect(() => evaluatePath("$.DbInstances[0]", { DbInstances: [] })).to.throw(StatesRuntimeError);
    });
  });

  describe("recoveryFromPlan", function () {
    const targets = recoveryTargetsFixture();
    const plan = (overrides: Partial<PlanLike> = {}): PlanLike => ({
      stack: "dr",
      outputs: { recoveryTargets: targets },
      resources: [
        ...WORKFLOWS.map((workflow) => ({
          type: STATE_MACHINE_TYPE,
          name: `recovery-${workflow}`,
          id: `${PREFIX}-${workflow}`,
          inputs: { name: `${PREFIX}-${workflow}`, definition: JSON.stringify(system.definitions[workflow]) },
          outputs: {},
        })),
        {
          type: "aws:lb/targetGroup:TargetGroup",
          name: "dr-app-tg",
          id: "dr-app-tg-1",
          inputs: { healthCheck: { interval: 15, healthyThreshold: 3, unhealthyThreshold: 2 } },
          outputs: { arn: targets.drTargetGroupArn },
        },
        {
          type: "aws:route53/healthCheck:HealthCheck",
          name: "failover-primary-health",
          id: targets.dns.healthCheckId,
          inputs: { requestInterval: 30, failureThreshold: 2 },
          outputs: {},
        },
      ],
      ...overrides,
    });

    it("reads the targets and the three definitions of a DR plan", function () {
      const read = recoveryFromPlan(plan());
      expect(read.targets).to.deep.equal(targets);
      for (const workflow of WORKFLOWS) expect(read.definitions[workflow]).to.deep.equal(system.definitions[workflow]);
      expect(read.stateMachineNames.failover).to.equal(`${PREFIX}-failover`);
    });

    it("takes the health checks' intervals and thresholds from the plan, and the drill uses them", async function () {
      const fromPlan = systemFromPlan(plan(), "hand-built plan");
      expect(fromPlan.durations.targetHealthCheckIntervalSeconds).to.equal(15);
      expect(fromPlan.durations.targetHealthyThreshold).to.equal(3);
      expect(fromPlan.durations.route53HealthCheckIntervalSeconds).to.equal(30);
      expect(fromPlan.durations.route53FailureThreshold).to.equal(2);
      expect(fromPlan.stateMachineArns.failover).to.equal(`arn:aws:states:us-west-2:123456789012:stateMachine:${PREFIX}-failover`);
      const result = await runScenario(fromPlan, scenarioNamed("unplanned-failover"));
      expect(failedChecks(result)).to.deep.equal([]);
      expect(result.timeline[0].at).to.equal(-60);
    });

    it("says clearly what is missing", function () {
      expect(() => recoveryFromPlan(plan({ outputs: {} }))).to.throw(PlanError, /no outputs\.recoveryTargets/);
      expect(() => recoveryFromPlan(plan({ resources: [] }))).to.throw(PlanError, /no aws:sfn\/stateMachine:StateMachine/);
      const { replica: _replica, ...incomplete } = targets;
      expect(() => recoveryFromPlan(plan({ outputs: { recoveryTargets: incomplete } }))).to.throw(PlanError, /replica\.identifier/);
      const unreadable = plan();
      unreadable.resources[0] = { ...unreadable.resources[0], inputs: { name: `${PREFIX}-failover`, definition: "{not json" } };
      expect(() => recoveryFromPlan(unreadable)).to.throw(PlanError, /not JSON/);
      const partial = plan();
      partial.resources = partial.resources.filter((resource) => resource.inputs.name !== `${PREFIX}-drill`);
      expect(() => recoveryFromPlan(partial)).to.throw(PlanError, /<prefix>-drill/);
    });

    it("runs on the DR plan synthesized from the real stack files", async function () {
      this.timeout(120000);
      const { dr } = await synthesizedOnce({ projectDirectory: path.join(__dirname, "..", "..") });
      const synthesized = JSON.parse(JSON.stringify(dr)) as PlanLike;
      const real = systemFromPlan(synthesized, "synthesized dr plan");
      const result = await runScenario(real, scenarioNamed("unplanned-failover"));
      expect(failedChecks(result)).to.deep.equal([]);
    });
  });
});

describe("offline drill: a MySQL pair (replication-stopped guard)", function () {
  const base = recoveryTargetsFixture();
  const mysqlTargets = { ...base, alarms: { ...base.alarms, replicationStopped: "multi-region-dr-dr-replica-replication-stopped" } };
  const system = { ...systemFromTargets(mysqlTargets, { prefix: PREFIX }), facts: { engine: "mysql" as const } };

  for (const scenario of MYSQL_SCENARIOS) {
    it(`${scenario.name}: ${scenario.title}`, async function () {
      const result = await runScenario(system, scenario);
      expect(result.error, result.error).to.equal(undefined);
      expect(failedChecks(result)).to.deep.equal([]);
    });
  }

  it("the PostgreSQL pair's failover has no replication guard (its lag alarm already reads a stopped replica)", function () {
    const postgres = systemFromTargets(base, { prefix: PREFIX });
    expect(postgres.definitions.failover.States).to.not.have.property("Check replication");
    expect(system.definitions.failover.States).to.have.property("Check replication");
  });

  it("without the guard, the replica that stopped replicating an hour ago is promoted: an hour of writes lost", async function () {
    const broken = mutate(system.definitions.failover, (copy) => {
      // "Check replication" answers as if the replication-stopped alarm were OK.
      copy.States["Check replication"] = { Type: "Pass", Result: { states: ["OK"] }, ResultPath: "$.replication", Next: "Replicating?" };
    });
    const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("mysql-replication-stopped-refused"));
    expect(result.passed).to.equal(false);
    expect(result.error, result.error).to.equal(undefined);
    expect(outcomeOf(result.runs[0])).to.equal("SUCCEEDED");
    expect(result.final!.drPromotionsRequested).to.equal(1);
    expect(result.final!.lagAtPromotionSeconds as number).to.be.greaterThan(3000);
  });
});

describe("offline drill: aurora-global mode", function () {
  const system = systemFromTargets(auroraRecoveryTargetsFixture(), { prefix: PREFIX });
  const results = new Map<string, ScenarioResult>();

  before(async function () {
    this.timeout(60000);
    for (const scenario of AURORA_SCENARIOS) results.set(scenario.name, await runScenario(system, scenario));
  });

  describe("every aurora scenario ends as the operator expects", function () {
    for (const scenario of AURORA_SCENARIOS) {
      it(`${scenario.name}: ${scenario.title}`, function () {
        const result = results.get(scenario.name)!;
        expect(result.error, result.error).to.equal(undefined);
        expect(failedChecks(result)).to.deep.equal([]);
      });
    }
  });

  it("covers the required situations and keeps the modes apart", async function () {
    expect(scenariosFor("aurora-global")).to.deep.equal(AURORA_SCENARIOS);
    expect(scenariosFor("instance")).to.deep.equal(SCENARIOS);
    const outcomes = new Set(AURORA_SCENARIOS.flatMap((scenario) => scenario.expect(system.targets).outcomes));
    for (const outcome of [
      "SUCCEEDED",
      "ReplicaLagOverRpo",
      "DrClusterNotMember",
      "GlobalFailoverFailed",
      "SwitchoverFailed",
      "SwitchTimedOut",
      "PrimaryClusterNotMember",
    ]) {
      expect([...outcomes]).to.include(outcome);
    }
    // An aurora scenario on instance targets (and the reverse) is refused at once.
    const instance = systemFromTargets(recoveryTargetsFixture(), { prefix: PREFIX });
    await runScenario(instance, AURORA_SCENARIOS[0]).then(
      () => expect.fail("expected a refusal"),
      (error: Error) => expect(error.message).to.match(/needs aurora-global targets, the system's are instance/),
    );
    await runScenario(system, SCENARIOS[0]).then(
      () => expect.fail("expected a refusal"),
      (error: Error) => expect(error.message).to.match(/needs instance targets/),
    );
  });

  it("times: an unplanned failover recovers within the RTO, faster than the instance promotion, not faster than Aurora's switch", function () {
    const recovery = results.get("aurora-unplanned-failover")!.recovery!;
    expect(recovery.seconds!).to.be.at.most(system.targets.rtoSeconds);
    expect(recovery.seconds!).to.be.above(system.durations.auroraFailoverSeconds + detectionSeconds(system.durations));
    // Detection 30 s + checks ~1 s + failover 120 s polled every 15 s + the fence (alarm, then 60 s for Route 53) + TTL 60 s: about 335 s.
    expect(recovery.seconds!).to.be.closeTo(335, 30);
    expect(results.get("aurora-unplanned-failover")!.final!.lagAtPromotionSeconds).to.equal(1);
    expect(results.get("aurora-planned-switchover")!.final!.lagAtPromotionSeconds).to.equal(0);
  });

  it("a planned switchover is started through the primary-region function and the primary group keeps its capacity", function () {
    const calls = results.get("aurora-planned-switchover")!.calls;
    expect(calls.filter((call) => call.mutating).map((call) => call.api)).to.deep.equal([
      "autoscaling:updateAutoScalingGroup",
      "lambda:switchoverGlobalCluster",
      // The fence alone: no Route 53 record change (the DR stable name points at the writer endpoint from deploy time).
      "cloudwatch:putMetricData",
    ]);
  });

  describe("negative controls: broken aurora definitions fail their scenario", function () {
    it("without the look after a failed call, a failover whose answer was lost (accepted, then a timeout) is reported as a failure", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        // Every choice of "Switch running?" reports the failure without looking at what the describe found.
        locate(copy, "Switch running?")!.states["Switch running?"].Choices = [{ Variable: "$.mode", StringEquals: "never", Next: pollStart("Global switch") }];
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("aurora-failover-answer-lost"));
      expect(result.passed).to.equal(false);
      expect(result.runs[0].error).to.equal("GlobalFailoverFailed");
      // Yet Aurora switched: DNS still serves the primary while the DR cluster is the writer.
      expect(result.final).to.include({ primaryRecord: "primary-alb", drDatabaseRole: "writer" });
    });

    it("without the 'Switch needed?' check, a re-run calls FailoverGlobalCluster again while Aurora is still failing over (refused, then followed)", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const found = locate(copy, "Switch needed?")!;
        found.states["Switch needed?"] = { ...found.states["Switch needed?"], Choices: (found.states["Switch needed?"].Choices as unknown[]).slice(1) };
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("aurora-switch-timeout-then-rerun"));
      expect(result.passed).to.equal(false);
      expect(failedChecks(result).join("\n")).to.match(/final drPromotionsRequested: expected 1/);
      expect(result.calls.filter((call) => call.api === "rds:failoverGlobalCluster" && !call.ok).map((call) => call.error)).to.include(
        "Rds.InvalidGlobalClusterStateException",
      );
    });

    it("FailoverGlobalCluster without AllowDataLoss is a switchover, which Aurora refuses from the DR region: the unplanned failover fails", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const state = locate(copy, "Fail over global cluster")!.states["Fail over global cluster"];
        delete (state.Parameters as Record<string, unknown>).AllowDataLoss;
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("aurora-unplanned-failover"));
      expect(result.passed).to.equal(false);
      expect(result.runs[0].error).to.equal("GlobalFailoverFailed");
      expect(result.final!.drDatabaseRole).to.equal("secondary");
    });

    it("a failover onto another cluster is refused as AWS would and recorded as a violation", async function () {
      const broken = mutate(system.definitions.failover, (copy) => {
        const state = locate(copy, "Fail over global cluster")!.states["Fail over global cluster"];
        (state.Parameters as Record<string, unknown>).TargetDbClusterIdentifier = "arn:aws:rds:us-west-2:123456789012:cluster:someone-elses";
      });
      const result = await runScenario(withDefinitions(system, { failover: broken }), scenarioNamed("aurora-unplanned-failover"));
      expect(result.passed).to.equal(false);
      expect(result.violations.join("\n")).to.match(/Fail over global cluster: rds:failoverGlobalCluster on a resource that is not a recovery target/);
    });

    it("a failback without the membership check tries the switchover while the primary cluster is rebuilt, and fails otherwise than the operator expects", async function () {
      const broken = mutate(system.definitions.failback, (copy) => {
        copy.States["Primary re-protected?"].Choices = [{ Variable: "$.global.status", IsPresent: true, Next: "Notify start" }];
      });
      const result = await runScenario(withDefinitions(system, { failback: broken }), scenarioNamed("aurora-failback-before-rejoin"));
      expect(result.passed).to.equal(false);
      expect(result.runs[1].error).to.equal("SwitchoverFailed");
    });
  });

  describe("targets for the CLI", function () {
    it("derives aurora-global targets from instance targets that the definitions accept", async function () {
      const derived = deriveAuroraTargets(recoveryTargetsFixture(), PREFIX);
      expect(databaseTargetsProblems(derived)).to.deep.equal([]);
      expect(derived.database).to.include({ engineMode: "aurora-global", globalClusterIdentifier: `${PREFIX}-global`, drClusterArn: derived.replica.arn });
      expect(derived.replica.arn).to.match(/:cluster:/);
      const result = await runScenario(systemFromTargets(derived, { prefix: PREFIX }), scenarioNamed("aurora-unplanned-failover"));
      expect(failedChecks(result)).to.deep.equal([]);
      expect(() => deriveAuroraTargets(derived, PREFIX)).to.throw(/already are aurora-global/);
    });

    it("refuses inconsistent aurora-global targets read from a plan or file", function () {
      const targets = auroraRecoveryTargetsFixture();
      expect(checkRecoveryTargets(targets, "t")).to.equal(targets);
      expect(() => checkRecoveryTargets({ ...targets, replica: recoveryTargetsFixture().replica }, "outputs.recoveryTargets")).to.throw(
        PlanError,
        /outputs\.recoveryTargets: replica must name the DR cluster/,
      );
    });
  });
});

describe("simulated AWS behaviours (recovery/offline), as documented", function () {
  const durations = { ...DEFAULT_DURATIONS, rdsPromotionSeconds: 360, rdsPromotionRebootSeconds: 60 };
  const replica = (extra: Partial<DatabaseSetup> = {}) =>
    new SimulatedDatabase({
      identifier: "replica",
      arn: "arn:aws:rds:us-west-2:123456789012:db:replica",
      region: "us-west-2",
      address: "replica.example",
      sourceArn: "arn:aws:rds:us-east-1:123456789012:db:primary",
      ...extra,
    });
  const refusal = (database: SimulatedDatabase, t: number) => {
    try {
      database.promote(t, durations);
      return "accepted";
    } catch (error) {
      return (error as DatabaseFault).code;
    }
  };

  it("a promotion runs modifying, then rebooting, then available and standalone; the source (an ARN) is listed until the end by default", function () {
    const database = replica();
    expect(refusal(database, 0)).to.equal("accepted");
    expect([10, 299, 300, 359, 360].map((t) => database.status(t))).to.deep.equal(["modifying", "modifying", "rebooting", "rebooting", "available"]);
    expect([10, 359, 360].map((t) => database.source(t))).to.deep.equal([
      "arn:aws:rds:us-east-1:123456789012:db:primary",
      "arn:aws:rds:us-east-1:123456789012:db:primary",
      undefined,
    ]);
    const early = replica({ sourceUnlinkedAt: "reboot" });
    early.promote(0, durations);
    expect([299, 300].map((t) => early.source(t) !== undefined)).to.deep.equal([true, false]);
  });

  it("RDS refuses PromoteReadReplica while backing-up, modifying for another change, already promoting, and once promoted", function () {
    expect(refusal(replica({ backingUpUntil: 100 }), 50)).to.equal("InvalidDBInstanceState");
    const storage = replica({
      busy: [
        {
          from: 0,
          phases: [
            { status: "modifying", seconds: 60 },
            { status: "storage-optimization", seconds: 60 },
          ],
          cause: "storage autoscaling",
        },
      ],
    });
    expect([30, 90, 120].map((t) => storage.status(t))).to.deep.equal(["modifying", "storage-optimization", "available"]);
    expect([30, 90].map((t) => storage.isReplica(t))).to.deep.equal([true, true]);
    expect(refusal(storage, 30)).to.equal("InvalidDBInstanceState");
    const promoting = replica();
    promoting.promote(0, durations);
    expect(refusal(promoting, 100)).to.equal("InvalidDBInstanceState");
    expect(refusal(promoting, 400)).to.equal("InvalidDBInstanceState");
    expect(promoting.acceptedPromotions).to.equal(1);
  });

  it("a lagging Describe shows the state of `lag` seconds ago while RDS acts on the current one", function () {
    const database = replica();
    database.promote(100, durations);
    expect(database.observed(110, 30)).to.deep.equal({ status: "available", source: "arn:aws:rds:us-east-1:123456789012:db:primary" });
    expect(database.observed(110, 0).status).to.equal("modifying");
    expect(database.observed(490, 30)).to.deep.equal({ status: "available", source: undefined });
  });

  describe("replica lag and the replication heartbeat, per engine (RDS User Guide)", function () {
    const targets = recoveryTargetsFixture();
    const arns = { failover: "arn:failover", failback: "arn:failback", drill: "arn:drill" };
    const cloudOf = (setup: WorldSetup, engine: "postgres" | "mysql" = "postgres") =>
      new SimulatedCloud(targets, DEFAULT_DURATIONS, new VirtualClock(), arns, setup, { engine });
    /** The replica's ReplicaLag at each of `times`, with the primary's app scaled to 0 at second 0 (its instances drain, then terminate). */
    const idleLag = (cloud: SimulatedCloud, times: number[]) => {
      cloud.primaryGroup.update(0, { minSize: 0, desiredCapacity: 0, maxSize: 0 });
      return times.map((t) => cloud.replicaLag(cloud.drDatabase, t));
    };
    const gone = DEFAULT_DURATIONS.deregistrationDelaySeconds + DEFAULT_DURATIONS.instanceTerminationSeconds;

    it("PostgreSQL with no commit on the source: the lag grows (never 0) and resets at five minutes", function () {
      const lags = idleLag(cloudOf({ replica: { heartbeatStopped: true } }), [gone + 1, gone + 120, gone + 299, gone + 301]);
      expect(lags[0]).to.be.at.least(1);
      expect(lags[1]).to.be.greaterThan(100);
      expect(lags[2]).to.be.greaterThan(lags[1] as number);
      expect(lags[3]).to.be.below(10);
    });

    it("PostgreSQL with the heartbeat: the lag stays within the steady lag plus the beats' pause at the end of each minute", function () {
      const samples = Array.from({ length: 300 }, (_, index) => gone + index);
      const lags = idleLag(cloudOf({}), samples) as number[];
      // Beats every 5 s up to second 50 of each minute, then none until the next minute: the newest replayed (1 s late) is at most 10 s old.
      expect(Math.max(...lags)).to.equal(10);
      expect(Math.min(...lags)).to.be.at.least(1);
    });

    it("MySQL: 0 once the idle replica has applied everything, -1 once its source is unreachable", function () {
      expect(idleLag(cloudOf({}, "mysql"), [gone + 10, gone + 600])).to.deep.equal([0, 0]);
      const lost = cloudOf({ primaryOutage: { from: 100 } }, "mysql");
      expect([50, 200].map((t) => lost.replicaLag(lost.drDatabase, t))).to.deep.equal([1, -1]);
      // PostgreSQL in the same outage: the age of the last replayed commit.
      const postgres = cloudOf({ primaryOutage: { from: 100 } });
      expect(postgres.replicaLag(postgres.drDatabase, 400)).to.equal(301);
    });

    it("the writes stop when the last instance is gone, not when the group is told 0", function () {
      const cloud = cloudOf({});
      cloud.primaryGroup.update(0, { minSize: 0, desiredCapacity: 0, maxSize: 0 });
      expect([1, gone - 1].map((t) => cloud.primaryGroup.writesStoppedAt(t))).to.deep.equal([undefined, undefined]);
      expect(cloud.primaryGroup.instanceCount(gone - 1)).to.be.greaterThan(0);
      expect(cloud.primaryGroup.inService(1)).to.equal(0);
      expect(cloud.primaryGroup.writesStoppedAt(gone + 5)).to.equal(gone);
      // A promotion then would lose nothing once the replica has replayed past that moment.
      expect(cloud.unreplayedWriteSeconds(cloud.drDatabase, gone + 5)).to.equal(0);
      expect(cloud.unreplayedWriteSeconds(cloud.drDatabase, 10)).to.equal(1);
    });
  });

  it("every throttling error the simulator injects is one the definitions' throttling retrier retries", function () {
    for (const [fault, byService] of Object.entries(FAULT_ERRORS)) {
      for (const [service, name] of Object.entries(byService)) {
        if (service === "lambda") {
          expect(LAMBDA_RETRY.ErrorEquals, `${fault} of lambda`).to.include(name);
          continue;
        }
        expect(THROTTLING_ERRORS[service], `${fault} of ${service}`).to.include(name);
      }
    }
  });
});
