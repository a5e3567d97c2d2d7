import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { FAILOVER_ERRORS } from "../../recovery/failover";
import { NO_CREDENTIALS_MESSAGE } from "../../runbook/errors";
import { ACCOUNT, awsError, FAILOVER_ARN, harness, HistoryScript, scriptExecution, START } from "./harness";

describe("runbook start and its errors", () => {
  it("refuses with exit 3 when another execution is running, without starting one", async () => {
    const h = harness();
    h.sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `arn:aws:states:us-west-2:${ACCOUNT}:execution:multi-region-dr-dr-dr-failover:failover-alarm-1`,
          stateMachineArn: FAILOVER_ARN,
          name: "failover-alarm-1",
          status: "RUNNING",
          startDate: START,
        },
      ],
    });
    expect(await h.run(["failover", "--unplanned", "--yes"])).to.equal(3);
    expect(h.output.errors.join("\n")).to.contain("Another failover execution is running since 2026-03-14T09:15:00.000Z: failover-alarm-1");
    expect(h.output.errors.join("\n")).to.contain("Nothing was started.");
    expect(h.sfnMock.commandCalls(ListExecutionsCommand)[0].args[0].input).to.deep.equal({
      stateMachineArn: FAILOVER_ARN,
      statusFilter: "RUNNING",
      maxResults: 1,
    });
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);
  });

  it("exits 3 when the execution refuses itself with ExecutionAlreadyRunning", async () => {
    const h = harness();
    const s = new HistoryScript();
    s.add(0, "ExecutionStarted", {}, 0);
    s.task(0, 1, "List running executions");
    s.instant(1, "Choice", "Another execution running?");
    s.entered(1, "Fail", "Already running");
    s.add(1, "ExecutionFailed", { executionFailedEventDetails: { error: "ExecutionAlreadyRunning", cause: FAILOVER_ERRORS.ExecutionAlreadyRunning } });
    scriptExecution(h.sfnMock, s, [{ visible: s.length, status: "FAILED", error: "ExecutionAlreadyRunning", cause: FAILOVER_ERRORS.ExecutionAlreadyRunning }]);
    expect(await h.run(["failover", "--planned", "--yes"])).to.equal(3);
    expect(h.output.lines).to.include("Error:       ExecutionAlreadyRunning");
    expect(h.output.lines).to.include(`Meaning:     ${FAILOVER_ERRORS.ExecutionAlreadyRunning}`);
  });

  it("exits 1 with the credentials message when there are none, before any Step Functions call", async () => {
    const h = harness();
    h.stsMock.on(GetCallerIdentityCommand).rejects(awsError("CredentialsProviderError", "Could not load credentials from any providers"));
    expect(await h.run(["failover", "--unplanned", "--yes"])).to.equal(1);
    expect(h.output.errors[0].split("\n")[0]).to.equal(NO_CREDENTIALS_MESSAGE);
    expect(NO_CREDENTIALS_MESSAGE).to.equal("No AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login");
    expect(h.sfnMock.calls()).to.have.length(0);
  });

  it("explains expired credentials", async () => {
    const h = harness();
    h.stsMock.on(GetCallerIdentityCommand).rejects(awsError("ExpiredToken", "The security token included in the request is expired"));
    expect(await h.run(["failback", "--yes"])).to.equal(1);
    expect(h.output.errors[0]).to.match(/^AWS rejected the credentials \(ExpiredToken: .*\): refresh them/);
  });

  it("names the missing permission when StartExecution is denied (exit 1)", async () => {
    const h = harness();
    h.sfnMock.on(StartExecutionCommand).rejects(awsError("AccessDeniedException", "User is not authorized to perform: states:StartExecution"));
    expect(await h.run(["failover", "--unplanned", "--yes"])).to.equal(1);
    const message = h.output.errors.join("\n");
    expect(message).to.contain(`Access denied: states:StartExecution on ${FAILOVER_ARN} is needed by arn:aws:iam::${ACCOUNT}:user/operator.`);
    expect(h.sfnMock.commandCalls(DescribeExecutionCommand)).to.have.length(0);
  });

  it("says the DR stack may not be deployed when the state machine does not exist (exit 1)", async () => {
    const h = harness();
    h.sfnMock.on(StartExecutionCommand).rejects(awsError("StateMachineDoesNotExist", "State Machine Does Not Exist"));
    expect(await h.run(["failback", "--yes"])).to.equal(1);
    expect(h.output.errors.join("\n")).to.match(
      /^State machine arn:aws:states:us-west-2:123456789012:stateMachine:multi-region-dr-dr-dr-failback does not exist in us-west-2: the DR stack may not be deployed, or --stack\/--region point at the wrong stack or region/,
    );
  });

  it("reports the same when the running-execution check finds no state machine", async () => {
    const h = harness();
    h.sfnMock.on(ListExecutionsCommand).rejects(awsError("StateMachineDoesNotExist", "State Machine Does Not Exist"));
    expect(await h.run(["drill", "--live"])).to.equal(1);
    expect(h.output.errors.join("\n")).to.contain("the DR stack may not be deployed");
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);
  });

  it("goes ahead when the caller may not list executions", async () => {
    const h = harness();
    h.sfnMock.on(ListExecutionsCommand).rejects(awsError("AccessDeniedException", "no"));
    const s = new HistoryScript();
    s.add(0, "ExecutionStarted", {}, 0);
    s.add(1, "ExecutionSucceeded");
    scriptExecution(h.sfnMock, s, [{ visible: s.length, status: "SUCCEEDED" }]);
    expect(await h.run(["drill", "--live"])).to.equal(0);
    expect(h.sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.input).to.equal("{}");
    expect(h.output.lines).to.include("Total time:  00:01 (a drill is not measured against the RTO)");
  });

  it("exits 3 when an execution of the same name exists", async () => {
    const h = harness();
    h.sfnMock.on(StartExecutionCommand).rejects(awsError("ExecutionAlreadyExists", "Execution Already Exists"));
    expect(await h.run(["failback", "--yes"])).to.equal(3);
  });
});
