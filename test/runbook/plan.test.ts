import { expect } from "chai";
import { drillDefinition } from "../../recovery/drill";
import { failbackDefinition } from "../../recovery/failback";
import { failoverDefinition } from "../../recovery/failover";
import { builderPlan, type Plan, PlanError, planFromDefinition, stepOf, topLevelSteps } from "../../runbook/plan";
import { recoveryTargetsFixture } from "../fixtures/recoveryTargets";

/** Whether `expected` appear in `names` in this order (other steps may sit between them). */
function inOrder(names: string[], expected: string[]): boolean {
  let from = 0;
  for (const name of expected) {
    const index = names.indexOf(name, from);
    if (index < 0) return false;
    from = index + 1;
  }
  return true;
}

function branchNames(plan: Plan, parallel: string): string[][] {
  return (plan.steps.find((step) => step.name === parallel)?.branches ?? []).map((branch) => branch.map((step) => step.name));
}

describe("runbook plan", () => {
  it("walks the unplanned failover's happy path from the builders, without the planned-only steps", () => {
    const plan = builderPlan("failover", { mode: "unplanned", force: false, trigger: "operator" }, "us-west-2");
    const names = topLevelSteps(plan);
    expect(
      inOrder(names, ["Start", "Describe replica", "Notify start", "Recover", "Fence the primary", "Fence the primary: alarm", "DR health", "Notify success"]),
    ).to.equal(true);
    expect(names).not.to.include("Stop writes in primary");
    expect(names.at(-1)).to.equal("Failed over");
    expect(plan.steps.at(-1)?.kind).to.equal("succeed");
    // Poll loops are one step each; Choice states are not steps.
    expect(names.filter((name) => / (start|check|measure|done\?|wait|count)$/.test(name) && name.includes(": "))).to.deep.equal([]);
    expect(names.filter((name) => name.endsWith("?"))).to.deep.equal([]);
    const promotion = plan.steps
      .find((step) => step.name === "Recover")
      ?.branches?.flat()
      .find((step) => step.name === "Promotion");
    expect(promotion?.kind).to.equal("poll");
    expect(promotion?.detail).to.match(/^rds:describeDBInstances every \d+ s, at most \d+ checks \(\d\d:\d\d\)$/);
    const branches = branchNames(plan, "Recover");
    expect(branches).to.have.length(2);
    expect(branches.some((branch) => inOrder(branch, ["Promote replica", "Promotion"]))).to.equal(true);
  });

  it("includes stopping writes and the catch-up for a planned switchover", () => {
    const names = topLevelSteps(builderPlan("failover", { mode: "planned", force: true, trigger: "operator" }, "us-west-2"));
    expect(inOrder(names, ["Notify start", "Stop writes in primary", "Replica catch-up", "Recover"])).to.equal(true);
  });

  it("walks failback and drill to their Succeed states", () => {
    const failback = topLevelSteps(builderPlan("failback", { force: false }, "us-west-2"));
    expect(
      inOrder(failback, ["Scale primary capacity", "Stop writes in DR", "Promote primary database", "Serve DNS from primary", "Return DR to standby"]),
    ).to.equal(true);
    expect(failback.at(-1)).to.equal("Succeeded");
    const drill = builderPlan("drill", {}, "us-west-2");
    expect(inOrder(topLevelSteps(drill), ["Shift traffic", "Observe", "Roll back", "Report", "Drill passed"])).to.equal(true);
    expect(topLevelSteps(drill)).not.to.include("Roll back on alarm");
    expect(drill.notes.join(" ")).to.contain("placeholder");
  });

  it("gives the same steps for a deployed definition as for the builders", () => {
    const targets = recoveryTargetsFixture();
    const input = { mode: "unplanned", force: false, trigger: "operator" } as const;
    const deployed = planFromDefinition("failover", JSON.parse(JSON.stringify(failoverDefinition(targets, 3600))), input, "deployed");
    expect(topLevelSteps(deployed)).to.deep.equal(topLevelSteps(builderPlan("failover", input, "us-west-2")));
    expect(() => planFromDefinition("failback", failbackDefinition(targets), { force: false }, "deployed")).not.to.throw();
    expect(() => planFromDefinition("drill", drillDefinition(targets), {}, "deployed")).not.to.throw();
  });

  it("decides Choices on the input alone, and refuses an input the definition would refuse", () => {
    const definition = {
      StartAt: "Valid?",
      States: {
        "Valid?": { Type: "Choice", Choices: [{ Variable: "$.ok", BooleanEquals: true, Next: "Ready?" }], Default: "Invalid" },
        "Ready?": { Type: "Choice", Choices: [{ Variable: "$.replica.ready", BooleanEquals: false, Next: "Not ready" }], Default: "Done" },
        Done: { Type: "Succeed" },
        Invalid: { Type: "Fail" },
        "Not ready": { Type: "Fail" },
      },
    };
    expect(topLevelSteps(planFromDefinition("drill", definition, { ok: true } as never, "test"))).to.deep.equal(["Done"]);
    expect(() => planFromDefinition("drill", definition, { ok: false } as never, "test")).to.throw(
      PlanError,
      /with this input, Choice Valid\? goes to Invalid, which cannot succeed/,
    );
  });

  it("takes the branch doing the most where the input does not decide (not the shortcut)", () => {
    const definition = {
      StartAt: "Already done?",
      States: {
        "Already done?": { Type: "Choice", Choices: [{ Variable: "$.done", IsPresent: true, Next: "Report" }], Default: "Work" },
        Work: { Type: "Pass", Next: "Report" },
        Report: { Type: "Pass", Next: "End" },
        End: { Type: "Succeed" },
      },
    };
    expect(topLevelSteps(planFromDefinition("drill", definition, {}, "test"))).to.deep.equal(["Work", "Report", "End"]);
  });

  it("names poll loop states by their loop", () => {
    expect(stepOf("Promotion: done?")).to.equal("Promotion");
    expect(stepOf("DR capacity: count")).to.equal("DR capacity");
    expect(stepOf("Readiness: DR health")).to.equal("Readiness: DR health");
    expect(stepOf("Failure: notify")).to.equal("Failure: notify");
  });
});
