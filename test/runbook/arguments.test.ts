import { expect } from "chai";
import { ArgumentError, parseRunbookArguments, type RunbookArguments } from "../../runbook/arguments";
import { EXECUTION_NAME, executionInput, executionName } from "../../runbook/execution";
import { harness } from "./harness";

function parsed(argv: string[]): RunbookArguments {
  const command = parseRunbookArguments(argv);
  if (command.kind !== "run") throw new Error("expected a run command");
  return command.arguments;
}

describe("runbook arguments", () => {
  it("parses a failover with its defaults", () => {
    expect(parsed(["failover", "--unplanned"])).to.deep.equal({
      workflow: "failover",
      mode: "unplanned",
      force: false,
      stack: "dr",
      dryRun: false,
      yes: false,
      pollSeconds: 5,
    });
    expect(parsed(["failover", "--force", "--planned", "--stack", "staging", "--region", "us-gov-west-1", "--yes", "--poll-seconds=12"])).to.include({
      mode: "planned",
      force: true,
      stack: "staging",
      region: "us-gov-west-1",
      yes: true,
      pollSeconds: 12,
    });
  });

  it("makes a drill a dry run unless --live", () => {
    expect(parsed(["drill"]).dryRun).to.equal(true);
    expect(parsed(["drill", "--live"]).dryRun).to.equal(false);
    expect(parsed(["drill", "--live", "--dry-run"]).dryRun).to.equal(true);
    expect(parsed(["failback", "--dry-run"]).dryRun).to.equal(true);
  });

  it("returns help for --help and -h", () => {
    expect(parseRunbookArguments(["--help"])).to.deep.equal({ kind: "help" });
    expect(parseRunbookArguments(["failover", "-h"])).to.deep.equal({ kind: "help" });
  });

  const errors: [string, string[], string][] = [
    ["no workflow", [], "missing the workflow: failover, failback, drill"],
    ["unknown workflow", ["failsafe"], 'unknown workflow "failsafe": expected failover, failback, drill'],
    [
      "missing mode",
      ["failover"],
      "failover needs exactly one of --planned (switchover: the primary is healthy, no data loss) or --unplanned (the primary is impaired)",
    ],
    ["both modes", ["failover", "--planned", "--unplanned"], "--planned and --unplanned exclude each other: choose one"],
    ["a mode on failback", ["failback", "--planned"], "--planned applies to failover only"],
    ["--force on a drill", ["drill", "--force"], "--force applies to failover and failback only"],
    ["--live on failover", ["failover", "--unplanned", "--live"], "--live applies to drill only (failover and failback run unless --dry-run)"],
    ["non-numeric --poll-seconds", ["failback", "--poll-seconds", "soon"], '--poll-seconds must be a whole number of seconds from 1 to 300, got "soon"'],
    ["zero --poll-seconds", ["failback", "--poll-seconds", "0"], '--poll-seconds must be a whole number of seconds from 1 to 300, got "0"'],
    ["fractional --poll-seconds", ["failback", "--poll-seconds=2.5"], '--poll-seconds must be a whole number of seconds from 1 to 300, got "2.5"'],
    ["too large --poll-seconds", ["failback", "--poll-seconds", "301"], '--poll-seconds must be a whole number of seconds from 1 to 300, got "301"'],
    ["unknown flag", ["failover", "--unplanned", "--now"], "unknown option --now"],
    ["missing value", ["failback", "--region"], "--region needs a value"],
    ["bad region", ["failback", "--region", "west"], '--region must be an AWS region such as us-west-2, got "west"'],
    ["extra positional", ["failback", "now"], 'unexpected argument "now": options start with --'],
    ["bad ARN", ["failback", "--state-machine-arn", "arn:aws:lambda:us-west-2:123456789012:function:x"], "--state-machine-arn must look like"],
    [
      "region contradicting the ARN",
      ["failback", "--region", "us-east-1", "--state-machine-arn", "arn:aws:states:us-west-2:123456789012:stateMachine:x-failback"],
      "--region us-east-1 contradicts --state-machine-arn, which is in us-west-2: drop one",
    ],
  ];
  for (const [title, argv, message] of errors) {
    it(`rejects ${title}`, () => {
      let caught: unknown;
      try {
        parseRunbookArguments(argv);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(ArgumentError);
      expect((caught as ArgumentError).exitCode).to.equal(1);
      expect((caught as ArgumentError).message).to.contain(message);
      expect((caught as ArgumentError).message).to.contain("Run with --help for the usage.");
    });
  }

  it("exits 1 with the message and makes no AWS call for a bad command line", async () => {
    const h = harness();
    expect(await h.run(["failover"])).to.equal(1);
    expect(h.output.errors.join("\n")).to.contain("failover needs exactly one of --planned");
    expect(h.regions).to.deep.equal([]);
    expect(h.sfnMock.calls()).to.have.length(0);
  });

  it("prints the usage with exit 0 for --help", async () => {
    const h = harness();
    expect(await h.run(["--help"])).to.equal(0);
    expect(h.output.lines.join("\n")).to.contain("tsx runbook/cli.ts failover (--planned | --unplanned) [--force] [options]");
  });
});

describe("runbook execution input and name", () => {
  it("builds each workflow's input with trigger operator", () => {
    expect(executionInput({ workflow: "failover", mode: "planned", force: false })).to.deep.equal({ mode: "planned", force: false, trigger: "operator" });
    expect(executionInput({ workflow: "failback", force: true })).to.deep.equal({ force: true });
    expect(executionInput({ workflow: "drill", force: false })).to.deep.equal({});
  });

  it("names executions <workflow>-<mode>-<UTC timestamp> within Step Functions' rules", () => {
    const at = new Date("2026-03-14T09:15:02.345Z");
    expect(executionName({ workflow: "failover", mode: "unplanned", force: false }, at)).to.equal("failover-unplanned-20260314T091502Z");
    expect(executionName({ workflow: "failover", mode: "planned", force: true }, at)).to.equal("failover-planned-force-20260314T091502Z");
    expect(executionName({ workflow: "failback", force: false }, at)).to.equal("failback-standard-20260314T091502Z");
    expect(executionName({ workflow: "drill", force: false }, at)).to.equal("drill-live-20260314T091502Z");
    for (const name of ["failover-planned-force-20260314T091502Z", "drill-live-20260314T091502Z"]) {
      expect(name).to.match(EXECUTION_NAME);
      expect(name.length).to.be.at.most(80);
    }
  });
});
