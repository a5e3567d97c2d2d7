import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { expect } from "chai";
import { harness, HistoryScript, scriptExecution } from "./harness";

function quickSuccess(h: ReturnType<typeof harness>): void {
  const s = new HistoryScript();
  s.add(0, "ExecutionStarted", {}, 0);
  s.add(1, "ExecutionSucceeded");
  scriptExecution(h.sfnMock, s, [{ visible: s.length, status: "SUCCEEDED" }]);
}

describe("runbook confirmation", () => {
  for (const argv of [
    ["failover", "--unplanned"],
    ["failback", "--force"],
  ]) {
    it(`refuses ${argv.join(" ")} without --yes when stdin is not a terminal (exit 1, no AWS call)`, async () => {
      const h = harness({ interactive: false });
      expect(await h.run(argv)).to.equal(1);
      const message = h.output.errors.join("\n");
      expect(message).to.match(new RegExp(`^Refusing to start ${argv[0]} without confirmation: stdin is not a terminal`));
      expect(message).to.contain("pass --yes");
      expect(message).to.contain("Nothing was started.");
      expect(h.regions).to.deep.equal([]);
      expect(h.sfnMock.calls()).to.have.length(0);
      expect(h.stsMock.calls()).to.have.length(0);
    });
  }

  it("starts when the operator types the workflow's name", async () => {
    const h = harness({ interactive: true, answer: "failover\n" });
    quickSuccess(h);
    expect(await h.run(["failover", "--planned"])).to.equal(0);
    expect(h.prompts).to.deep.equal(['Type "failover" to start it (anything else cancels): ']);
    expect(h.output.lines[0]).to.equal("FAILOVER (planned) to us-west-2: promotes the DR database and moves the application's DNS to us-west-2.");
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(1);
  });

  it("cancels on any other answer (exit 1, nothing started)", async () => {
    const h = harness({ interactive: true, answer: "yes" });
    expect(await h.run(["failback"])).to.equal(1);
    expect(h.output.errors).to.deep.equal(['Not confirmed (expected "failback"): nothing was started.']);
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);
  });

  it("spells out --force and its data loss, and wants 'force failover'", async () => {
    const refused = harness({ interactive: true, answer: "failover" });
    expect(await refused.run(["failover", "--unplanned", "--force"])).to.equal(1);
    expect(refused.prompts).to.deep.equal(['Type "force failover" to start it (anything else cancels): ']);
    const explanation = refused.output.lines.join("\n");
    expect(explanation).to.contain("--force: the replica state and replica lag checks are SKIPPED");
    expect(explanation).to.contain("are LOST. You accept this data loss.");
    expect(explanation).to.contain('input          {"mode":"unplanned","force":true,"trigger":"operator"}');
    expect(refused.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);

    const accepted = harness({ interactive: true, answer: "force failover" });
    quickSuccess(accepted);
    expect(await accepted.run(["failover", "--unplanned", "--force"])).to.equal(0);
    expect(accepted.sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.name).to.match(/^failover-unplanned-force-/);
  });

  it("asks nothing with --yes, nor for a live drill", async () => {
    for (const argv of [
      ["failback", "--yes"],
      ["drill", "--live"],
    ]) {
      const h = harness({ interactive: true, answer: "" });
      quickSuccess(h);
      expect(await h.run(argv)).to.equal(0);
      expect(h.prompts).to.deep.equal([]);
    }
  });
});
