/**
 * The kept mutations (synth/mutations/list.ts): unique names, a reason each, and every mutation
 * applies to its engine modes' synthesized plans and changes the stack it targets. One synthesis per
 * engine mode (synth/mutations.ts `synthesizeMode`, the pairs `npm run synth:mutations` synthesizes),
 * shared with the other files of the process through test/fixtures/synthesis.ts.
 */
import { expect } from "chai";
import { describeOutcome, figureOf, measureMutation, type MutationOutcome, synthesizeMode } from "../../synth/mutations";
import { type EngineMode, MutationTargetError, type PlanPair, resource, setProp, T } from "../../synth/mutations/kit";
import { MUTATIONS } from "../../synth/mutations/list";
import { PROJECT_DIRECTORY, synthesizedOnce } from "../fixtures/synthesis";

/** One engine mode's pair as `npm run synth:mutations` synthesizes it, run once per process. */
const pairOf = (mode: EngineMode): Promise<PlanPair> => synthesizeMode(mode, PROJECT_DIRECTORY, synthesizedOnce);

describe("kept mutations (synth/mutations)", function () {
  this.timeout(120000);

  it("has at least 60 mutations with unique names, a reason each and at least one mode", () => {
    expect(MUTATIONS.length).to.be.at.least(60);
    const names = MUTATIONS.map((mutation) => mutation.name);
    expect(new Set(names).size, "duplicate names").to.equal(names.length);
    for (const mutation of MUTATIONS) {
      expect(mutation.why, mutation.name).to.match(/\S.{20,}/);
      expect(mutation.modes.length, mutation.name).to.be.greaterThan(0);
    }
  });

  for (const mode of ["instance", "aurora"] as const) {
    it(`every ${mode} mutation applies and changes the stack it targets, and only that stack`, async () => {
      const pair = await pairOf(mode);
      const unmutated = { primary: JSON.stringify(pair.primary), dr: JSON.stringify(pair.dr) };
      for (const mutation of MUTATIONS.filter((candidate) => candidate.modes.includes(mode))) {
        const copy = structuredClone(pair);
        mutation.apply(copy, mode);
        const other = mutation.side === "dr" ? "primary" : "dr";
        expect(JSON.stringify(copy[mutation.side]), `${mutation.name} changes nothing`).to.not.equal(unmutated[mutation.side]);
        expect(JSON.stringify(copy[other]), `${mutation.name} changes the other stack`).to.equal(unmutated[other]);
      }
    });
  }

  it("a mutation whose target is missing is reported as an error, not as caught or missed", async () => {
    const pair = await pairOf("instance");
    const outcome = await measureMutation(
      {
        name: "t",
        concern: "t",
        side: "dr",
        modes: ["instance"],
        why: "a test mutation whose target does not exist",
        apply: (plans) => resource(plans.dr, T.alarm, "no-such-alarm"),
      },
      "instance",
      pair,
      { violations: { primary: new Set(), dr: new Set() }, failedInvariants: new Set() },
    );
    expect(outcome.caught).to.equal(false);
    expect(outcome.error).to.match(/does not apply: stack dr has no aws:cloudwatch\/metricAlarm:MetricAlarm named no-such-alarm/);
    expect(describeOutcome(outcome)).to.match(/^\[ERROR \]/);
  });

  it("setProp refuses a property the resource does not have", async () => {
    const pair = structuredClone(await pairOf("instance"));
    expect(() => setProp(resource(pair.dr, T.loadBalancer, "dr-app-alb"), ["nothing", "here"], 1)).to.throw(MutationTargetError, /no input nothing.here/);
  });

  it("counts a mutation caught only on a new mandatory violation", async () => {
    const pair = await pairOf("instance");
    const internal = MUTATIONS.find((mutation) => mutation.name === "dr-alb-internal")!;
    const baseline = { violations: { primary: new Set<string>(), dr: new Set<string>() }, failedInvariants: new Set<string>() };
    const caught = await measureMutation(internal, "instance", pair, baseline);
    expect(caught.caught).to.equal(true);
    expect(caught.policies).to.include("dr-load-balancer-internet-facing");
    const noop: MutationOutcome = await measureMutation({ ...internal, apply: () => undefined }, "instance", pair, baseline);
    expect(noop.error).to.equal("changes nothing in the plan");
    expect(figureOf("instance", [caught, noop])).to.deep.equal({ mode: "instance", caught: 1, total: 2, percent: 50 });
  });
});
