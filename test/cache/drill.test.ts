// The offline drill with a cache (recovery/offline/cache.ts, cacheScenarios.ts): every cache scenario
// ends as the operator expects on fixture targets with a derived cache; the simulated global datastore
// refuses what the API reference says it refuses; and negative controls prove the scenarios would
// catch a workflow without the unplanned path's detach, or one whose cache branch could fail the failover.
import { expect } from "chai";
import { type Definition, type State } from "../../recovery/asl";
import { CACHE_FAILOVER_SECONDS, CacheFault, SimulatedGlobalCache } from "../../recovery/offline/cache";
import { CACHE_SCENARIOS } from "../../recovery/offline/cacheScenarios";
import { checkRecoveryTargets, PlanError } from "../../recovery/offline/fromPlan";
import { runScenario, type ScenarioResult } from "../../recovery/offline/simulate";
import { needsAnotherPrimary } from "../../recovery/offline/scenarioParts";
import { ALL_SCENARIOS, scenarioNamed, scenariosFor } from "../../recovery/offline/scenarios";
import { deriveCacheTargets, systemFromTargets, withDefinitions } from "../../recovery/offline/system";
import { cacheTargetsProblems, type GlobalCacheTargets } from "../../recovery/targets";
import { recoveryTargetsFixture } from "../fixtures/recoveryTargets";

const PREFIX = "multi-region-dr-dr";
const failed = (result: ScenarioResult) =>
  result.checks.filter((check) => !check.ok).map((check) => `${check.what}: expected ${check.expected}, got ${check.actual}`);

/** A deep copy of `definition` with the state `name` of the Recover Parallel's cache branch replaced. */
function withCacheState(definition: Definition, name: string, state: State): Definition {
  const copy = structuredClone(definition);
  const branch = (copy.States.Recover as { Branches: Definition[] }).Branches[2];
  branch.States[name] = state;
  return copy;
}

describe("offline drill: the cache", function () {
  this.timeout(60000);
  const fixture = recoveryTargetsFixture();
  const global = systemFromTargets(deriveCacheTargets(fixture, PREFIX, "global-datastore"), { prefix: PREFIX });
  const regional = systemFromTargets(deriveCacheTargets(fixture, PREFIX, "regional"), { prefix: PREFIX });
  const systemFor = (cache: string | undefined) => (cache === "regional" ? regional : global);

  it("derives cache targets the workflows accept, and refuses to derive over a cache", () => {
    expect(cacheTargetsProblems(global.targets)).to.deep.equal([]);
    expect(cacheTargetsProblems(regional.targets)).to.deep.equal([]);
    expect(() => deriveCacheTargets(global.targets, PREFIX, "regional")).to.throw(/already have a cache/);
  });

  it("reads a plan's targets with a cache, and refuses cache targets the workflows would refuse", () => {
    expect(checkRecoveryTargets(JSON.parse(JSON.stringify(global.targets)), "plan").cache).to.deep.equal(global.targets.cache);
    const broken = { ...global.targets, cache: { ...(global.targets.cache as GlobalCacheTargets), drReplicationGroupId: "" } };
    expect(() => checkRecoveryTargets(broken, "plan")).to.throw(PlanError, /cache\.drReplicationGroupId/);
  });

  it("lists the cache scenarios among all, and not among an engine mode's plain scenarios", () => {
    for (const scenario of CACHE_SCENARIOS) {
      expect(ALL_SCENARIOS).to.include(scenario);
      expect(scenariosFor("instance")).not.to.include(scenario);
      expect(scenarioNamed(scenario.name)).to.equal(scenario);
    }
  });

  for (const scenario of CACHE_SCENARIOS) {
    it(`${scenario.name}: ${scenario.title}`, async () => {
      const result = await runScenario(systemFor(scenario.cache), scenario);
      expect(failed(result), result.error ?? "").to.deep.equal([]);
      expect(result.passed).to.equal(true);
    });
  }

  it("refuses to run a cache scenario on targets without that cache", async () => {
    const plain = systemFromTargets(fixture, { prefix: PREFIX });
    let thrown: unknown;
    try {
      await runScenario(plain, scenarioNamed("cache-unplanned-primary-gone"));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).message).to.match(/needs a global-datastore cache/);
  });

  describe("negative controls", () => {
    it("a failover that never detaches leaves the cache a read-only secondary when the primary region is gone: the scenario fails", async () => {
      const broken = withCacheState(global.definitions.failover, "Cache: failover refused", { Type: "Pass", Next: "Cache: final look" });
      const result = await runScenario(withDefinitions(global, { failover: broken }), scenarioNamed("cache-unplanned-primary-gone"));
      expect(result.passed).to.equal(false);
      expect(failed(result).join("\n")).to.match(/final drCacheRole: expected standalone, got secondary/);
    });

    it("a cache branch that fails makes the whole failover fail (the Parallel's rule): the scenario catches it", async () => {
      const broken = withCacheState(global.definitions.failover, "Cache: not promoted", { Type: "Fail", Error: "CacheNotPromoted", Cause: "negative control" });
      const result = await runScenario(withDefinitions(global, { failover: broken }), scenarioNamed("cache-planned-refused"));
      expect(result.passed).to.equal(false);
      expect(failed(result).join("\n")).to.match(/run 1 outcome/);
    });

    it("a failover that detaches in planned mode splits a healthy pair: the scenario fails", async () => {
      const broken = withCacheState(global.definitions.failover, "Cache: failover refused", { Type: "Pass", Next: "Cache: detach" });
      const result = await runScenario(withDefinitions(global, { failover: broken }), scenarioNamed("cache-planned-refused"));
      expect(result.passed).to.equal(false);
      expect(failed(result).join("\n")).to.match(/drCacheRole: expected secondary, got standalone/);
    });
  });

  describe("SimulatedGlobalCache", () => {
    const cache = global.targets.cache as GlobalCacheTargets;
    /** The primary region down from `downFrom` until `backAt`. */
    const make = (setup = {}, downFrom = Number.POSITIVE_INFINITY, backAt = Number.POSITIVE_INFINITY) =>
      new SimulatedGlobalCache(
        cache,
        { dr: "us-west-2", primary: "us-east-1" },
        setup,
        { cacheFailoverSeconds: CACHE_FAILOVER_SECONDS, cacheDetachSeconds: 60 },
        {
          up: (t) => t < downFrom || t >= backAt,
          upSince: (t) => (t < downFrom ? Number.NEGATIVE_INFINITY : t >= backAt ? backAt : undefined),
        },
      );
    const refusal = (call: () => void): string => {
      try {
        call();
      } catch (error) {
        expect(error).to.be.instanceOf(CacheFault);
        return (error as CacheFault).code;
      }
      throw new Error("expected a refusal");
    };

    it("a failover makes the DR member primary after its minute and the old primary a secondary; the describe shows modifying meanwhile", () => {
      const world = make();
      world.failover(0, cache.globalReplicationGroupId, "us-west-2", cache.drReplicationGroupId);
      expect(world.describe(cache.drReplicationGroupId, 30)).to.include({ Status: "modifying" });
      expect(world.describe(cache.drReplicationGroupId, CACHE_FAILOVER_SECONDS)).to.deep.include({
        Status: "available",
        GlobalReplicationGroupInfo: { GlobalReplicationGroupId: cache.globalReplicationGroupId, GlobalReplicationGroupMemberRole: "PRIMARY" },
      });
      expect(world.role(cache.primaryReplicationGroupId, CACHE_FAILOVER_SECONDS)).to.equal("secondary");
    });

    it("refuses what the API reference says: no such datastore, a change running, a member already primary, a detach of the primary's member", () => {
      expect(refusal(() => make({ globalMissing: true }).failover(0, cache.globalReplicationGroupId, "us-west-2", cache.drReplicationGroupId))).to.equal(
        "GlobalReplicationGroupNotFoundFault",
      );
      const world = make();
      world.failover(0, cache.globalReplicationGroupId, "us-west-2", cache.drReplicationGroupId);
      expect(refusal(() => world.failover(10, cache.globalReplicationGroupId, "us-west-2", cache.drReplicationGroupId))).to.equal(
        "InvalidGlobalReplicationGroupState",
      );
      expect(refusal(() => world.failover(120, cache.globalReplicationGroupId, "us-west-2", cache.drReplicationGroupId))).to.equal(
        "InvalidGlobalReplicationGroupState",
      );
      expect(refusal(() => world.detach(120, cache.globalReplicationGroupId, cache.primaryReplicationGroupId, "us-east-1"))).to.equal(
        "InvalidGlobalReplicationGroupState",
      );
    });

    it("with the primary region down: refused by default, or stalled until it returns, or completed, as a scenario chooses; a detach always works", () => {
      expect(refusal(() => make({}, 1000).failover(1000, cache.globalReplicationGroupId, "us-west-2", cache.drReplicationGroupId))).to.equal(
        "InvalidGlobalReplicationGroupState",
      );
      const stalled = make({ failoverWhilePrimaryDown: "stall" }, 1000, 5000);
      stalled.failover(1000, cache.globalReplicationGroupId, "us-west-2", cache.drReplicationGroupId);
      expect(stalled.role(cache.drReplicationGroupId, 4000)).to.equal("secondary");
      expect(stalled.role(cache.drReplicationGroupId, 5000 + CACHE_FAILOVER_SECONDS)).to.equal("primary");
      const detached = make({}, 1000);
      detached.detach(1000, cache.globalReplicationGroupId, cache.drReplicationGroupId, "us-west-2");
      expect(detached.role(cache.drReplicationGroupId, 1060)).to.equal("standalone");
      expect(detached.describe(cache.drReplicationGroupId, 1060)).not.to.have.property("GlobalReplicationGroupInfo");
    });
  });
});

describe("offline drill: the pair's own scenarios (npm run drill:offline -- --primary ... --dr ...)", () => {
  it("skips the scenarios that stage a us-east-1 outage for a pair whose primary is elsewhere, and only those", () => {
    const elsewhere = { primaryRegion: "us-east-2", partition: "aws" };
    const skipped = ALL_SCENARIOS.filter((scenario) => needsAnotherPrimary(scenario, elsewhere)).map((scenario) => scenario.name);
    expect(skipped).to.include.members(["us-east-1-lost-failover", "cache-us-east-1-lost", "aurora-us-east-1-lost-failover"]);
    expect(skipped).to.not.include("cache-planned-switchover");
    expect(ALL_SCENARIOS.filter((scenario) => needsAnotherPrimary(scenario, { primaryRegion: "us-east-1", partition: "aws" }))).to.deep.equal([]);
  });
});
