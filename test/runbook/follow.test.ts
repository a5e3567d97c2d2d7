import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { FAILOVER_ERRORS } from "../../recovery/failover";
import { followExecution, progressText, readNewEvents } from "../../runbook/follow";
import { ExecutionHistory } from "../../runbook/history";
import { collectOutput } from "../../runbook/output";
import { awsError, harness, HistoryScript, scriptExecution, START } from "./harness";

/**
 * An unplanned failover in four polls: the promotion is refused once (the replica is backing-up)
 * and retried, the Parallel runs both branches, the promotion is polled twice.
 */
function failoverScript(): { script: HistoryScript; cuts: number[] } {
  const s = new HistoryScript();
  const cuts: number[] = [];
  s.add(0, "ExecutionStarted", { executionStartedEventDetails: { input: "{}", roleArn: "arn:aws:iam::123456789012:role/x" } }, 0);
  s.instant(0, "Pass", "Start");
  s.instant(0, "Choice", "Validate input");
  s.task(1, 2, "Describe replica");
  cuts.push(s.length);
  const choice = s.instant(2, "Choice", "Replica state?");
  s.entered(3, "Parallel", "Recover", choice);
  const started = s.add(3, "ParallelStateStarted");
  const scale = s.entered(3, "Task", "Scale DR capacity", started);
  const promote = s.entered(3, "Task", "Promote replica", started);
  const scaleScheduled = s.add(3, "TaskScheduled", {}, scale);
  const promoteScheduled = s.add(3, "TaskScheduled", {}, promote);
  const scaleSucceeded = s.add(4, "TaskSucceeded", {}, scaleScheduled);
  s.exited(4, "Task", "Scale DR capacity", scaleSucceeded);
  s.instant(4, "Pass", "DR capacity ready");
  const refused = s.add(
    5,
    "TaskFailed",
    {
      taskFailedEventDetails: {
        resourceType: "aws-sdk",
        resource: "rds:promoteReadReplica",
        error: "Rds.InvalidDbInstanceStateException",
        cause: "Instance is\n backing-up",
      },
    },
    promoteScheduled,
  );
  cuts.push(s.length);
  s.add(65, "TaskScheduled", {}, refused);
  s.add(66, "TaskSucceeded");
  s.exited(66, "Task", "Promote replica");
  s.instant(66, "Pass", "Promotion: start");
  s.task(66, 67, "Promotion: check");
  s.instant(67, "Choice", "Promotion: done?");
  s.entered(67, "Wait", "Promotion: wait");
  s.exited(97, "Wait", "Promotion: wait");
  s.instant(97, "Pass", "Promotion: count");
  s.task(97, 98, "Promotion: check");
  s.instant(98, "Choice", "Promotion: done?");
  s.instant(98, "Pass", "Promoted");
  cuts.push(s.length);
  s.add(98, "ParallelStateSucceeded");
  s.exited(98, "Parallel", "Recover");
  s.task(100, 101, "Serve DNS from DR");
  s.entered(101, "Succeed", "Failed over");
  s.exited(101, "Succeed", "Failed over");
  s.add(101, "ExecutionSucceeded", { executionSucceededEventDetails: { output: "{}" } });
  cuts.push(s.length);
  return { script: s, cuts };
}

const EXPECTED_PROGRESS = [
  "+00:00  entered  Start",
  "+00:00  exited   Start",
  "+00:01  entered  Describe replica",
  "+00:02  exited   Describe replica",
  "+00:03  entered  Recover",
  "+00:03  entered    Scale DR capacity",
  "+00:03  entered    Promote replica",
  "+00:04  exited     Scale DR capacity",
  "+00:04  entered    DR capacity ready",
  "+00:04  exited     DR capacity ready",
  "+00:05  failed     Promote replica: Rds.InvalidDbInstanceStateException: Instance is backing-up",
  "+01:05  retried    Promote replica (attempt 2)",
  "+01:06  exited     Promote replica",
  "+01:06  entered    Promotion (polling)",
  "+01:37  polling    Promotion (check 2)",
  "+01:38  exited     Promotion (2 checks)",
  "+01:38  entered    Promoted",
  "+01:38  exited     Promoted",
  "+01:38  exited   Recover",
  "+01:40  entered  Serve DNS from DR",
  "+01:41  exited   Serve DNS from DR",
  "+01:41  entered  Failed over",
  "+01:41  exited   Failed over",
  "+01:41  ended    SUCCEEDED",
];

const EXPECTED_TIMELINE = [
  "  Step                    Start  Duration",
  "  Start                  +00:00     00:00",
  "  Describe replica       +00:01     00:01",
  "  Recover                +00:03     01:35",
  "    Scale DR capacity    +00:03     00:01",
  "    DR capacity ready    +00:04     00:00",
  "    Promote replica      +00:03     01:03",
  "    Promotion            +01:06     00:32",
  "    Promoted             +01:38     00:00",
  "  Serve DNS from DR      +01:40     00:01",
  "  Failed over            +01:41     00:00",
];

describe("runbook follow", () => {
  it("follows a failover poll by poll, prints each state once, and ends with the timeline (exit 0)", async () => {
    const h = harness();
    const { script, cuts } = failoverScript();
    const { historyRequests, executionArn } = scriptExecution(h.sfnMock, script, [
      { visible: cuts[0], status: "RUNNING" },
      { visible: cuts[1], status: "RUNNING" },
      { visible: cuts[2], status: "RUNNING" },
      { visible: cuts[3], status: "SUCCEEDED" },
    ]);
    expect(await h.run(["failover", "--unplanned", "--yes", "--poll-seconds", "7"])).to.equal(0);

    const lines = h.output.lines;
    const progress = lines.filter((line) => /^\+\d\d:\d\d {2}/.test(line));
    expect(progress).to.deep.equal(EXPECTED_PROGRESS);
    expect(lines).to.include(`  ${executionArn}`);
    expect(lines).to.include(`  https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${executionArn}`);
    const timelineStart = lines.indexOf(EXPECTED_TIMELINE[0]);
    expect(timelineStart).to.be.above(0);
    expect(lines.slice(timelineStart, timelineStart + EXPECTED_TIMELINE.length)).to.deep.equal(EXPECTED_TIMELINE);
    expect(lines).to.include("Status:      SUCCEEDED");
    expect(lines).to.include("Total time:  01:41 against an RTO of 15:00 (recovery.rtoSeconds in Pulumi.dr.yaml): within the RTO, 13:19 to spare");

    // The progress indicator after each RUNNING poll, and no real waiting: three injected sleeps.
    expect(h.output.progressLines).to.have.length(3);
    // (The step numbers come from the failover definition's own step list: see the progressText test.)
    expect(h.output.progressLines[0]).to.match(/^\[RUNNING \+00:00\] step( \d+ of \d+)?: Describe replica$/);
    expect(h.output.progressLines[1]).to.match(/^\[RUNNING \+00:07\] step( \d+ of \d+)?: Recover › Promote replica$/);
    expect(h.output.progressLines[2]).to.match(/^\[RUNNING \+00:14\] step( \d+ of \d+)?: Recover$/);
    expect(h.sleeps).to.deep.equal([7000, 7000, 7000]);
    expect(h.sfnMock.commandCalls(DescribeExecutionCommand)).to.have.length(4);

    // Oldest first, and each poll resumes from the page it ended on instead of the first page.
    expect(historyRequests.every((request) => request.reverseOrder === false && request.executionArn === executionArn)).to.equal(true);
    // Poll 1 reads pages 0-9; each later poll starts from the page the previous one ended on (page:9, page:21, page:45).
    expect(historyRequests.map((request) => request.nextToken ?? "first")).to.deep.equal(
      ["first", "page:3", "page:6", "page:9"]
        .concat(["page:9", "page:12", "page:15", "page:18", "page:21"])
        .concat(["page:21", "page:24", "page:27", "page:30", "page:33", "page:36", "page:39", "page:42", "page:45"])
        .concat(["page:45", "page:48", "page:51", "page:54", "page:57"]),
    );
  });

  it("shows the current step, its place in the expected steps and a poll loop's check in the progress indicator", () => {
    const history = new ExecutionHistory(START);
    const { script, cuts } = failoverScript();
    history.add(script.events.slice(0, 31));
    const steps = ["Start", "Describe replica", "Recover", "Serve DNS from DR", "Failed over"];
    expect(progressText(history, new Date(START.getTime() + 70_000), steps)).to.equal("[RUNNING +01:10] step 3 of 5: Recover › Promotion (check 1)");
    history.add(script.events.slice(31, cuts[2]));
    expect(progressText(history, new Date(START.getTime() + 99_000), steps)).to.equal("[RUNNING +01:39] step 3 of 5: Recover");
    expect(progressText(history, new Date(START.getTime() + 99_000))).to.equal("[RUNNING +01:39] step: Recover");
    expect(progressText(new ExecutionHistory(START), START, steps)).to.equal("[RUNNING +00:00] step: starting");
  });

  it("reads every page of GetExecutionHistory through nextToken and keeps only new events", async () => {
    const sfn = new SFNClient({ region: "us-west-2" });
    const mock = mockClient(sfn);
    const event = (id: number) => ({ id, previousEventId: id - 1, timestamp: START, type: "PassStateEntered" as const });
    mock.on(GetExecutionHistoryCommand, { nextToken: undefined }).resolves({ events: [event(1), event(2)], nextToken: "t2" });
    mock.on(GetExecutionHistoryCommand, { nextToken: "t2" }).resolves({ events: [event(3), event(4)], nextToken: "t3" });
    mock.on(GetExecutionHistoryCommand, { nextToken: "t3" }).resolves({ events: [event(5)] });
    const all = await readNewEvents(sfn, "arn:execution", 0);
    expect(all.events.map((e) => e.id)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(all.resumeToken).to.equal("t3");
    const newer = await readNewEvents(sfn, "arn:execution", 4, all.resumeToken);
    expect(newer.events.map((e) => e.id)).to.deep.equal([5]);
    expect(mock.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input.nextToken)).to.deep.equal([undefined, "t2", "t3", "t3"]);
    expect(mock.commandCalls(GetExecutionHistoryCommand).every((call) => call.args[0].input.reverseOrder === false)).to.equal(true);
  });

  it("starts over from the first page when a resume token has expired (InvalidToken)", async () => {
    const sfn = new SFNClient({ region: "us-west-2" });
    const mock = mockClient(sfn);
    const event = (id: number) => ({ id, previousEventId: id - 1, timestamp: START, type: "PassStateEntered" as const });
    mock.on(GetExecutionHistoryCommand, { nextToken: "old" }).rejects(awsError("InvalidToken", "expired"));
    mock.on(GetExecutionHistoryCommand, { nextToken: undefined }).resolves({ events: [event(1), event(2), event(3)] });
    const read = await readNewEvents(sfn, "arn:execution", 2, "old");
    expect(read.events.map((e) => e.id)).to.deep.equal([3]);
  });

  it("ends FAILED with PromotionFailed: exit 2, the error, its operator meaning and the cause", async () => {
    const h = harness();
    const s = new HistoryScript();
    s.add(0, "ExecutionStarted", {}, 0);
    s.instant(0, "Pass", "Start");
    const parallel = s.entered(3, "Parallel", "Recover");
    const started = s.add(3, "ParallelStateStarted", {}, parallel);
    s.task(3, 4, "Promote replica", started);
    s.entered(4, "Fail", "Promotion failed");
    s.add(4, "ParallelStateFailed", { stateExitedEventDetails: undefined });
    s.exited(4, "Parallel", "Recover");
    s.instant(5, "Pass", "Failure: notify");
    s.entered(6, "Fail", "Failed");
    s.add(6, "ExecutionFailed", { executionFailedEventDetails: { error: "PromotionFailed", cause: FAILOVER_ERRORS.PromotionFailed } });
    scriptExecution(h.sfnMock, s, [
      { visible: s.length, status: "FAILED", error: "PromotionFailed", cause: "Rds.InvalidDbInstanceStateException: storage-full" },
    ]);

    expect(await h.run(["failover", "--unplanned", "--yes"])).to.equal(2);
    const lines = h.output.lines;
    expect(lines).to.include("+00:04  failed     Promotion failed");
    expect(lines).to.include("+00:04  failed   Recover: a branch failed");
    expect(lines).to.include("+00:06  ended    FAILED PromotionFailed");
    expect(lines).to.include("Status:      FAILED");
    expect(lines).to.include("Error:       PromotionFailed");
    expect(lines).to.include(`Meaning:     ${FAILOVER_ERRORS.PromotionFailed}`);
    expect(lines).to.include("Cause:       Rds.InvalidDbInstanceStateException: storage-full");
    expect(lines.find((line) => line.startsWith("Total time:"))).to.match(/: not recovered$/);
    expect(lines.find((line) => line.startsWith("  Recover "))).to.match(/FAILED$/);
  });

  it("exits 2 for TIMED_OUT and ABORTED executions", async () => {
    for (const status of ["TIMED_OUT", "ABORTED"] as const) {
      const h = harness();
      const s = new HistoryScript();
      s.add(0, "ExecutionStarted", {}, 0);
      s.entered(0, "Wait", "Cool down");
      s.add(30, status === "TIMED_OUT" ? "ExecutionTimedOut" : "ExecutionAborted");
      scriptExecution(h.sfnMock, s, [{ visible: s.length, status, ...(status === "TIMED_OUT" ? { error: "States.Timeout" } : {}) }]);
      expect(await h.run(["failback", "--yes"])).to.equal(2);
      expect(h.output.lines).to.include(`Status:      ${status}`);
      expect(h.output.lines.find((line) => line.startsWith("Meaning:"))).to.be.a("string");
    }
  });

  it("retries a failed poll, then gives up after five in a row (exit 1, the execution keeps running)", async () => {
    const sfn = new SFNClient({ region: "us-west-2" });
    const mock = mockClient(sfn);
    mock.on(DescribeExecutionCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
    const output = collectOutput();
    const sleeps: number[] = [];
    let caught: unknown;
    try {
      await followExecution({
        sfn,
        executionArn: "arn:x",
        region: "us-west-2",
        pollSeconds: 5,
        sleep: async (ms) => void sleeps.push(ms),
        now: () => START,
        output,
      });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.equal(
      "Lost track of the execution after 5 failed polls (ThrottlingException: Rate exceeded); it keeps running: arn:x",
    );
    expect(output.errors).to.have.length(4);
    expect(sleeps).to.deep.equal([5000, 5000, 5000, 5000]);
  });

  it("stops following at once when access to the history is denied", async () => {
    const sfn = new SFNClient({ region: "us-west-2" });
    mockClient(sfn).on(DescribeExecutionCommand).rejects(awsError("AccessDeniedException", "not authorized"));
    let caught: unknown;
    try {
      await followExecution({
        sfn,
        executionArn: "arn:x",
        region: "us-west-2",
        pollSeconds: 5,
        sleep: async () => undefined,
        now: () => START,
        output: collectOutput(),
      });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.contain("Access denied: states:DescribeExecution and states:GetExecutionHistory on arn:x is needed");
    expect((caught as Error).message).to.contain("The execution keeps running: arn:x");
  });
});
