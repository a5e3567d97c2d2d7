/**
 * The policy-pack config as `--policy-pack-config` applies it, in the offline evaluator: which
 * configs are rejected and why, the effective enforcement level of each policy (`all`, then the
 * policy's own entry), and how evaluatePolicies runs, counts and reports policies under a config.
 */
import { expect } from "chai";
import { enforcementLevelOf, evaluatePolicies, PolicyConfigError, type PolicyPackConfig, packConfigProblems } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { TYPES } from "../../policy/policies/kit";
import { type FixtureResource, planOf } from "./fixtures";

/** A policy of the pack (the `@pulumi/policy` types live in policy/node_modules, out of the tests' reach). */
type Policy = (typeof ALL_POLICIES)[number];

/** The pack's policy of that name. */
function policyNamed(name: string): Policy {
  const found = ALL_POLICIES.find((policy) => policy.name === name);
  if (!found) throw new Error(`no policy named ${name}`);
  return found;
}

/** Asserts exactly one problem, containing `fragment`. */
function expectOneProblem(config: PolicyPackConfig, fragment: string): void {
  const problems = packConfigProblems(config);
  expect(problems, JSON.stringify(problems)).to.have.length(1);
  expect(problems[0]).to.include(fragment);
}

/** A stack with one unrotated key (fails kms-key-rotation) and one unencrypted topic (fails sns-topic-encrypted). */
const brokenStack: FixtureResource[] = [
  {
    type: TYPES.kmsKey,
    name: "dr-key-key",
    protect: true,
    props: { enableKeyRotation: false, deletionWindowInDays: 30 },
  },
  { type: TYPES.snsTopic, name: "dr-notifications", props: { name: "dr-notifications" } },
];

describe("policy-pack config", () => {
  describe("packConfigProblems", () => {
    it("accepts an empty config and a realistic one", () => {
      expect(packConfigProblems({})).to.deep.equal([]);
      expect(
        packConfigProblems({
          all: "mandatory",
          "dr-signal-alarms": "advisory",
          "state-machine-tracing": { enforcementLevel: "disabled" },
          "log-group-retention": { enforcementLevel: "advisory", minimumRetentionDays: 30 },
          "dr-recovery-objectives-declared": { maximumRtoSeconds: 600, maximumRpoSeconds: 60 },
          "allowed-regions": { regions: ["us-east-1", "us-west-2"] },
          "route53-health-check-parameters": { healthCheckPath: "/healthz" },
        }),
      ).to.deep.equal([]);
    });

    it("rejects a name that is not a policy of the pack", () => {
      expectOneProblem({ "kms-key-rotaton": "mandatory" }, "kms-key-rotaton: is not a policy of this pack");
    });

    it("rejects an enforcement level that does not exist, as a string or in an object", () => {
      expectOneProblem(
        { "kms-key-rotation": "warn" as never },
        'kms-key-rotation.enforcementLevel: "warn" is not one of advisory, mandatory, remediate, disabled',
      );
      expectOneProblem({ all: { enforcementLevel: "strict" as never } }, 'all.enforcementLevel: "strict" is not one of');
    });

    it("rejects an entry that is neither a level nor an object", () => {
      expectOneProblem({ "kms-key-rotation": 5 as never }, "kms-key-rotation: 5 is neither an enforcement level nor an object");
      expectOneProblem({ "kms-key-rotation": true as never }, "kms-key-rotation: true is neither");
      expectOneProblem({ "kms-key-rotation": null as never }, "kms-key-rotation: null is neither");
      expectOneProblem({ all: ["mandatory"] as never }, 'all: ["mandatory"] is neither');
    });

    it("rejects a setting the policy does not declare, naming the ones it has (or none)", () => {
      expectOneProblem(
        { "log-group-retention": { minimumDays: 30 } },
        "log-group-retention.minimumDays: is not a setting of this policy; it has minimumRetentionDays",
      );
      expectOneProblem({ "kms-key-rotation": { minimumDays: 30 } }, "kms-key-rotation.minimumDays: is not a setting of this policy; it has none");
    });

    it("rejects a setting of the wrong type", () => {
      expectOneProblem({ "log-group-retention": { minimumRetentionDays: "365" } }, 'log-group-retention.minimumRetentionDays: "365" is not an integer');
      expectOneProblem({ "log-group-retention": { minimumRetentionDays: 30.5 } }, "30.5 is not an integer");
      expectOneProblem({ "allowed-regions": { regions: "us-east-1" } }, 'allowed-regions.regions: "us-east-1" is not a list of strings');
      expectOneProblem({ "allowed-regions": { regions: ["us-east-1", 2] } }, "is not a list of strings");
      expectOneProblem({ "route53-health-check-parameters": { healthCheckPath: 5 } }, "route53-health-check-parameters.healthCheckPath: 5 is not a string");
    });

    it("rejects a setting below its minimum", () => {
      expectOneProblem({ "log-group-retention": { minimumRetentionDays: 0 } }, "log-group-retention.minimumRetentionDays: 0 is below the minimum 1");
      expectOneProblem({ "dr-recovery-objectives-declared": { maximumRtoSeconds: -60 } }, "maximumRtoSeconds: -60 is below the minimum 1");
    });

    it("rejects a threshold under all, which may only carry the enforcement level", () => {
      expectOneProblem(
        { all: { enforcementLevel: "advisory", minimumRetentionDays: 30 } },
        "all.minimumRetentionDays: only enforcementLevel may be set for all policies",
      );
    });

    it("reports every problem of a config", () => {
      const problems = packConfigProblems({ nope: "advisory", "log-group-retention": { minimumRetentionDays: 0, extra: 1 }, all: "loud" as never });
      expect(problems).to.have.length(4);
    });
  });

  describe("enforcementLevelOf", () => {
    const rotation = policyNamed("kms-key-rotation");
    const tracing = policyNamed("state-machine-tracing");

    it("is the policy's own level without config", () => {
      expect(enforcementLevelOf(rotation, {})).to.equal("mandatory");
      expect(enforcementLevelOf(tracing, {})).to.equal("advisory");
    });

    it("takes all over the policy's level, as a string or an object", () => {
      expect(enforcementLevelOf(rotation, { all: "advisory" })).to.equal("advisory");
      expect(enforcementLevelOf(tracing, { all: { enforcementLevel: "mandatory" } })).to.equal("mandatory");
    });

    it("takes the policy's own entry over all", () => {
      expect(enforcementLevelOf(rotation, { all: "disabled", "kms-key-rotation": "mandatory" })).to.equal("mandatory");
      expect(enforcementLevelOf(rotation, { all: "mandatory", "kms-key-rotation": { enforcementLevel: "advisory" } })).to.equal("advisory");
    });

    it("falls back to all when the policy's entry sets only thresholds", () => {
      expect(enforcementLevelOf(policyNamed("log-group-retention"), { all: "mandatory", "log-group-retention": { minimumRetentionDays: 30 } })).to.equal(
        "mandatory",
      );
    });
  });

  describe("evaluatePolicies under a config", () => {
    const policies = [policyNamed("kms-key-rotation"), policyNamed("sns-topic-encrypted"), policyNamed("state-machine-tracing")];

    it("runs each policy and reports its violations at its own level", async () => {
      const report = await evaluatePolicies(planOf(brokenStack), {}, policies);
      expect(report.stack).to.equal("dr");
      expect(report.policiesRun).to.equal(3);
      expect(report.passed).to.deep.equal(["state-machine-tracing"]);
      expect(report.violations.map(({ policy, enforcementLevel, resource }) => ({ policy, enforcementLevel, resource }))).to.deep.equal([
        { policy: "kms-key-rotation", enforcementLevel: "mandatory", resource: "dr-key-key" },
        { policy: "sns-topic-encrypted", enforcementLevel: "mandatory", resource: "dr-notifications" },
      ]);
    });

    it("throws on an invalid config before running any policy", async () => {
      let ran = false;
      const spy: Policy = {
        name: "spy",
        description: "records that it ran",
        enforcementLevel: "mandatory",
        validateStack: () => {
          ran = true;
        },
      };
      let error: Error | undefined;
      try {
        await evaluatePolicies(planOf(brokenStack), { "no-such-policy": "mandatory", spy: { threshold: 1 } }, [spy]);
      } catch (caught) {
        error = caught as Error;
      }
      expect(error, "evaluatePolicies should throw").to.be.instanceOf(PolicyConfigError);
      expect((error as PolicyConfigError).problems).to.have.length(2);
      expect(error!.message).to.include("Invalid policy-pack config");
      expect(error!.message).to.include("no-such-policy: is not a policy of this pack");
      expect(error!.message).to.include("spy.threshold: is not a setting of this policy; it has none");
      expect(ran, "the spy policy ran").to.equal(false);
      await evaluatePolicies(planOf(brokenStack), {}, [spy]);
      expect(ran, "the spy policy runs under a valid config").to.equal(true);
    });

    it("does not run or count disabled policies", async () => {
      const report = await evaluatePolicies(planOf(brokenStack), { "kms-key-rotation": "disabled" }, policies);
      expect(report.policiesRun).to.equal(2);
      expect(report.violations.map((violation) => violation.policy)).to.deep.equal(["sns-topic-encrypted"]);
      expect(report.passed).to.deep.equal(["state-machine-tracing"]);
    });

    it("runs only the policies re-enabled under all: disabled", async () => {
      const report = await evaluatePolicies(planOf(brokenStack), { all: "disabled", "sns-topic-encrypted": "advisory" }, policies);
      expect(report.policiesRun).to.equal(1);
      expect(report.violations).to.have.length(1);
      expect(report.violations[0]).to.include({ policy: "sns-topic-encrypted", enforcementLevel: "advisory" });
    });

    it("reports remediate as mandatory, and an advisory override as advisory", async () => {
      const report = await evaluatePolicies(
        planOf(brokenStack),
        { "kms-key-rotation": "remediate", "sns-topic-encrypted": { enforcementLevel: "advisory" } },
        policies,
      );
      expect(report.violations.map(({ policy, enforcementLevel }) => `${policy} ${enforcementLevel}`)).to.deep.equal([
        "kms-key-rotation mandatory",
        "sns-topic-encrypted advisory",
      ]);
    });

    it("passes a policy's thresholds to it, over its defaults", async () => {
      const logGroup: FixtureResource = {
        type: TYPES.logGroup,
        name: "dr-network-flow-logs",
        props: { retentionInDays: 90, kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/k" },
      };
      const retention = [policyNamed("log-group-retention")];
      const byDefault = await evaluatePolicies(planOf([logGroup]), {}, retention);
      expect(byDefault.violations.map((violation) => violation.message)).to.deep.equal(["retentionInDays is 90: keep at least 365 days"]);
      const relaxed = await evaluatePolicies(planOf([logGroup]), { "log-group-retention": { minimumRetentionDays: 90 } }, retention);
      expect(relaxed.violations).to.deep.equal([]);
      expect(relaxed.passed).to.deep.equal(["log-group-retention"]);
    });
  });
});
