// The cache's part of the recovery workflows (recovery/cacheSteps.ts) in the definitions failover.ts,
// failoverParts.ts and failback.ts build: valid ASL, where the steps sit, what they call and with which
// parameters, what they never do (fail the workflow, detach in planned mode), the targets' validation,
// and the least-privilege permissions they get, checked with the IAM simulator as
// test/recovery/permissions.test.ts does.
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import { createRequire } from "node:module";
import { type PolicyDocument } from "../../components/policyDocuments";
import { allStates, type Definition, type State, taskStates } from "../../recovery/asl";
import { CACHE_POLLING, cacheFailbackStates, ELASTICACHE_REFUSALS, ELASTICACHE_THROTTLING_ERRORS } from "../../recovery/cacheSteps";
import { failbackDefinition } from "../../recovery/failback";
import { failoverDefinition } from "../../recovery/failover";
import { stateMachineArn } from "../../recovery/names";
import { iamRequestsOf, stateMachinePolicy } from "../../recovery/permissions";
import { type CacheTargets, cacheTargetsProblems, globalReplicationGroupArn, type RecoveryTargets, replicationGroupArn } from "../../recovery/targets";
import { auroraRecoveryTargetsFixture, recoveryTargetsFixture } from "../fixtures/recoveryTargets";

const validateAsl = createRequire(__filename)("asl-validator") as (definition: unknown) => { isValid: boolean; errors: unknown[] };

const ACCOUNT = "123456789012";
const GLOBAL: CacheTargets = {
  mode: "global-datastore",
  globalReplicationGroupId: "ldgnf-multi-region-dr-primary-primary-cache",
  drReplicationGroupId: "dr-cache-group-1a2b3c",
  primaryReplicationGroupId: "primary-cache-group-4d5e6f",
};
const REGIONAL: CacheTargets = {
  mode: "regional",
  drReplicationGroupId: "dr-cache-group-1a2b3c",
  warmUp: {
    functionArn: `arn:aws:lambda:us-west-2:${ACCOUNT}:function:multi-region-dr-dr-dr-cache-warm-up`,
    urls: ["https://app.dr.example.com/", "https://app.dr.example.com/products"],
  },
};
const withCache = (cache: CacheTargets, base: RecoveryTargets = recoveryTargetsFixture()): RecoveryTargets => ({ ...base, cache });

/** The state named `name`, nested ones included. */
function stateOf(definition: Definition, name: string): State {
  const found = allStates(definition).find((entry) => entry.name === name);
  if (!found) throw new Error(`no state ${name}`);
  return found.state;
}
const tasksCalling = (definition: Definition, action: string) =>
  taskStates(definition).filter(({ state }) => String(state.Resource).endsWith(`:elasticache:${action}`));

describe("recovery: the cache steps", () => {
  const cases = [
    ["instance", withCache(GLOBAL)],
    ["aurora-global", withCache(GLOBAL, auroraRecoveryTargetsFixture())],
  ] as const;

  for (const [mode, targets] of cases) {
    describe(`failover with a global datastore (${mode})`, () => {
      const definition = failoverDefinition(targets, 3600);

      it("is valid Amazon States Language", () => {
        const { isValid, errors } = validateAsl(definition);
        expect(errors).to.deep.equal([]);
        expect(isValid).to.equal(true);
      });

      it("runs the cache as a third branch of Recover, beside the capacity and the database, and keeps its outcome and error", () => {
        const recover = definition.States.Recover as { Branches: Definition[]; ResultSelector: Record<string, string> };
        expect(recover.Branches).to.have.length(3);
        expect(recover.Branches[2].StartAt).to.equal("Cache: start");
        expect(recover.ResultSelector).to.include({ "cache.$": "$[2].cache", "cacheError.$": "$[2].error" });
      });

      it("promotes the DR member from the DR region: FailoverGlobalReplicationGroup with PrimaryRegion the DR region", () => {
        const [failover] = tasksCalling(definition, "failoverGlobalReplicationGroup");
        expect(failover.state.Parameters).to.deep.equal({
          GlobalReplicationGroupId: GLOBAL.globalReplicationGroupId,
          PrimaryRegion: targets.drRegion,
          PrimaryReplicationGroupId: GLOBAL.drReplicationGroupId,
        });
      });

      it("detaches the DR member (DisassociateGlobalReplicationGroup, the DR region) only in unplanned mode, after a refused or stalled failover", () => {
        const [detach] = tasksCalling(definition, "disassociateGlobalReplicationGroup");
        expect(detach.state.Parameters).to.deep.equal({
          GlobalReplicationGroupId: GLOBAL.globalReplicationGroupId,
          ReplicationGroupId: GLOBAL.drReplicationGroupId,
          ReplicationGroupRegion: targets.drRegion,
        });
        for (const name of ["Cache: failover refused", "Cache: failover stalled"]) {
          const choice = stateOf(definition, name) as { Choices: { Variable: string; StringEquals: string; Next: string }[]; Default: string };
          expect(choice.Choices).to.deep.equal([{ Variable: "$.mode", StringEquals: "unplanned", Next: "Cache: detach" }]);
          expect(choice.Default).to.equal("Cache: final look");
        }
        expect(stateOf(definition, "Cache failover: done?").Choices).to.deep.include({
          Variable: "$.attempts.Cachefailover.count",
          NumericGreaterThanEquals: CACHE_POLLING.failover.maxAttempts - 1,
          Next: "Cache: failover stalled",
        });
      });

      it("never fails the workflow: every cache error is caught into $.cacheError and every end is a Pass with an outcome", () => {
        const branch = (definition.States.Recover as { Branches: Definition[] }).Branches[2];
        for (const [name, state] of Object.entries(branch.States)) {
          expect(state.Type, name).not.to.equal("Fail");
          if (state.Type === "Task") {
            expect(state.Catch, name).to.deep.equal([
              { ErrorEquals: ["States.ALL"], ResultPath: "$.cacheError", Next: (state.Catch as { Next: string }[])[0].Next },
            ]);
          }
          if (state.End) expect(state.Parameters, name).to.have.property("cache");
        }
      });

      it("retries ElastiCache's throttling, never its refusals", () => {
        for (const { state } of taskStates(definition).filter(({ state }) => String(state.Resource).includes(":elasticache:"))) {
          const retry = state.Retry as { ErrorEquals: string[]; MaxAttempts?: number }[];
          expect(retry[0].ErrorEquals).to.deep.equal([...ELASTICACHE_THROTTLING_ERRORS]);
          expect(retry[1]).to.deep.equal({ ErrorEquals: [...ELASTICACHE_REFUSALS], MaxAttempts: 0 });
        }
      });

      it("tells the operator after health when the cache was detached or not promoted, then completes", () => {
        expect(stateOf(definition, "Healthy in DR").Next).to.equal("Cache outcome?");
        const outcome = stateOf(definition, "Cache outcome?") as { Choices: { StringEquals: string; Next: string }[]; Default: string };
        expect(outcome.Choices.map((choice) => [choice.StringEquals, choice.Next])).to.deep.equal([
          ["detached", "Notify cache detached"],
          ["not-promoted", "Notify cache not promoted"],
        ]);
        expect(outcome.Default).to.equal("Notify success");
        expect(String((stateOf(definition, "Notify cache detached").Parameters as Record<string, string>)["Message.$"])).to.include("cache.detached: true");
      });
    });

    describe(`failback with a global datastore (${mode})`, () => {
      const definition = failbackDefinition(targets);

      it("is valid Amazon States Language", () => expect(validateAsl(definition).errors).to.deep.equal([]));

      it("switches the global datastore back to the primary region's member before the fence is released, from the DR region", () => {
        const [back] = tasksCalling(definition, "failoverGlobalReplicationGroup");
        expect(back.state.Parameters).to.deep.equal({
          GlobalReplicationGroupId: GLOBAL.globalReplicationGroupId,
          PrimaryRegion: targets.primaryRegion,
          PrimaryReplicationGroupId: GLOBAL.primaryReplicationGroupId,
        });
        const entry = mode === "instance" ? "Primary promoted" : "Switched back";
        expect(definition.States[entry].Next).to.equal("Cache failback");
        expect(stateOf(definition, "Cache switch back: done?").Choices).to.deep.include({
          And: [
            {
              And: [
                { Variable: "$.cacheBack.group.GlobalReplicationGroupInfo.GlobalReplicationGroupMemberRole", IsPresent: true },
                {
                  Or: [
                    { Variable: "$.cacheBack.group.GlobalReplicationGroupInfo.GlobalReplicationGroupMemberRole", StringEquals: "SECONDARY" },
                    { Variable: "$.cacheBack.group.GlobalReplicationGroupInfo.GlobalReplicationGroupMemberRole", StringEquals: "secondary" },
                  ],
                },
              ],
            },
            {
              And: [
                { Variable: "$.cacheBack.group.Status", IsPresent: true },
                { Variable: "$.cacheBack.group.Status", StringEquals: "available" },
              ],
            },
          ],
          Next: "Release the fence",
        });
      });

      it("never detaches anything in failback, and writes no cache error to $.failure, where the failure path reads", () => {
        expect(tasksCalling(definition, "disassociateGlobalReplicationGroup")).to.have.length(0);
        const { states } = cacheFailbackStates(targets, "Release the fence");
        for (const [name, state] of Object.entries(states)) {
          for (const catcher of (state.Catch as { ResultPath: string }[] | undefined) ?? [])
            expect(catcher.ResultPath, name).to.be.oneOf(["$.cacheError", "$.notificationError"]);
        }
      });
    });
  }

  describe("a regional DR cache", () => {
    const targets = withCache(REGIONAL);
    const failover = failoverDefinition(targets, 3600);

    it("adds no Recover branch and no ElastiCache call; warms up after health, through the warm-up function, and goes on if it fails", () => {
      expect(validateAsl(failover).errors).to.deep.equal([]);
      expect((failover.States.Recover as { Branches: unknown[] }).Branches).to.have.length(2);
      expect(taskStates(failover).filter(({ state }) => String(state.Resource).includes(":elasticache:"))).to.have.length(0);
      expect(failover.States["Healthy in DR"].Next).to.equal("Warm up cache");
      const warm = failover.States["Warm up cache"];
      expect(warm.Parameters).to.deep.equal({ FunctionName: REGIONAL.warmUp.functionArn, Payload: { urls: REGIONAL.warmUp.urls } });
      expect(warm.Catch).to.deep.equal([{ ErrorEquals: ["States.ALL"], ResultPath: "$.warmUpError", Next: "Notify success" }]);
      expect(tasksCalling(failbackDefinition(targets), "failoverGlobalReplicationGroup")).to.have.length(0);
    });
  });

  describe("without a cache", () => {
    it("the definitions are those of a pair without one (no cache state at all)", () => {
      const targets = recoveryTargetsFixture();
      for (const definition of [failoverDefinition(targets, 3600), failbackDefinition(targets)]) {
        expect(allStates(definition).filter(({ name }) => /cache/i.test(name))).to.deep.equal([]);
      }
    });
  });

  describe("cacheTargetsProblems", () => {
    it("accepts the fixtures, and nothing to say without a cache", () => {
      expect(cacheTargetsProblems(withCache(GLOBAL))).to.deep.equal([]);
      expect(cacheTargetsProblems(withCache(REGIONAL))).to.deep.equal([]);
      expect(cacheTargetsProblems(recoveryTargetsFixture())).to.deep.equal([]);
    });

    it("refuses ids ElastiCache would refuse, one group as both members, a warm-up function of another region and URLs without a scheme", () => {
      expect(cacheTargetsProblems(withCache({ ...GLOBAL, drReplicationGroupId: "Bad--id" })).join()).to.match(/cache\.drReplicationGroupId/);
      expect(cacheTargetsProblems(withCache({ ...GLOBAL, globalReplicationGroupId: "no_prefix" })).join()).to.match(/cache\.globalReplicationGroupId/);
      expect(cacheTargetsProblems(withCache({ ...GLOBAL, primaryReplicationGroupId: GLOBAL.drReplicationGroupId })).join()).to.match(/both/);
      const regional = REGIONAL as Extract<CacheTargets, { mode: "regional" }>;
      expect(
        cacheTargetsProblems(
          withCache({ ...regional, warmUp: { ...regional.warmUp, functionArn: regional.warmUp.functionArn.replace("us-west-2", "us-east-1") } }),
        ).join(),
      ).to.match(/functionArn/);
      expect(cacheTargetsProblems(withCache({ ...regional, warmUp: { ...regional.warmUp, urls: ["app.dr.example.com/"] } })).join()).to.match(/urls/);
      expect(() => failoverDefinition(withCache({ ...GLOBAL, drReplicationGroupId: "" }), 3600)).to.throw(/invalid recovery targets/);
    });
  });

  describe("permissions (IAM simulator)", () => {
    const targets = withCache(GLOBAL);
    const arn = stateMachineArn("aws", "us-west-2", ACCOUNT, "multi-region-dr-dr-dr-failover");
    const failover = failoverDefinition(targets, 3600);
    const failback = failbackDefinition(targets);
    const topicKeyArn = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const decide = async (policy: PolicyDocument, action: string, resource: string): Promise<string> => {
      const response = await runSimulation(
        {
          request: { principal: `arn:aws:iam::${ACCOUNT}:role/x`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
          identityPolicies: [{ name: "role", policy }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      if (response.resultType === "error") throw new Error(`iam-simulate refused ${action} on ${resource}: ${JSON.stringify(response.errors)}`);
      return response.overallResult;
    };

    it("asks for exactly the DR member (replicationgroup in the DR region) and the global datastore (no region)", () => {
      const requests = iamRequestsOf(failover, targets, arn).filter((request) => request.action.startsWith("elasticache:"));
      expect([...new Set(requests.map((request) => `${request.action} ${request.resource}`))].sort()).to.deep.equal(
        [
          `elasticache:DescribeReplicationGroups ${replicationGroupArn(targets, "us-west-2", GLOBAL.drReplicationGroupId)}`,
          `elasticache:DisassociateGlobalReplicationGroup ${globalReplicationGroupArn(targets, GLOBAL)}`,
          `elasticache:FailoverGlobalReplicationGroup ${globalReplicationGroupArn(targets, GLOBAL)}`,
        ].sort(),
      );
    });

    it("the failover's role may make those calls, and not on the primary's member, another datastore or another region", async () => {
      const policy = stateMachinePolicy(failover, targets, arn, { topicKeyArn });
      const dr = replicationGroupArn(targets, "us-west-2", GLOBAL.drReplicationGroupId);
      const global = globalReplicationGroupArn(targets, GLOBAL);
      expect(await decide(policy, "elasticache:DescribeReplicationGroups", dr)).to.equal("Allowed");
      expect(await decide(policy, "elasticache:FailoverGlobalReplicationGroup", global)).to.equal("Allowed");
      expect(await decide(policy, "elasticache:DisassociateGlobalReplicationGroup", global)).to.equal("Allowed");
      expect(
        await decide(policy, "elasticache:DescribeReplicationGroups", replicationGroupArn(targets, "us-east-1", GLOBAL.primaryReplicationGroupId)),
      ).to.equal("ImplicitlyDenied");
      expect(await decide(policy, "elasticache:DescribeReplicationGroups", replicationGroupArn(targets, "us-east-1", GLOBAL.drReplicationGroupId))).to.equal(
        "ImplicitlyDenied",
      );
      expect(await decide(policy, "elasticache:FailoverGlobalReplicationGroup", `${global}-other`)).to.equal("ImplicitlyDenied");
      expect(await decide(policy, "elasticache:DeleteGlobalReplicationGroup", global)).to.equal("ImplicitlyDenied");
      expect(await decide(policy, "elasticache:ModifyReplicationGroup", dr)).to.equal("ImplicitlyDenied");
    });

    it("the failback's role may switch back but not detach", async () => {
      const policy = stateMachinePolicy(failback, targets, arn.replace("failover", "failback"), { topicKeyArn });
      const global = globalReplicationGroupArn(targets, GLOBAL);
      expect(await decide(policy, "elasticache:FailoverGlobalReplicationGroup", global)).to.equal("Allowed");
      expect(await decide(policy, "elasticache:DisassociateGlobalReplicationGroup", global)).to.equal("ImplicitlyDenied");
    });

    it("a regional cache's failover may invoke its warm-up function only", async () => {
      const regional = withCache(REGIONAL);
      const policy = stateMachinePolicy(failoverDefinition(regional, 3600), regional, arn, { topicKeyArn });
      const fn = (REGIONAL as Extract<CacheTargets, { mode: "regional" }>).warmUp.functionArn;
      expect(await decide(policy, "lambda:InvokeFunction", fn)).to.equal("Allowed");
      expect(await decide(policy, "lambda:InvokeFunction", `${fn}-other`)).to.equal("ImplicitlyDenied");
      expect(
        await decide(
          policy,
          "elasticache:FailoverGlobalReplicationGroup",
          globalReplicationGroupArn(regional, GLOBAL as Extract<CacheTargets, { mode: "global-datastore" }>),
        ),
      ).to.equal("ImplicitlyDenied");
    });
  });
});
