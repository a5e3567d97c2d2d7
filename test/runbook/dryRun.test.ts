import { DescribeStateMachineCommand, ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { failoverDefinition } from "../../recovery/failover";
import { NO_CREDENTIALS_MESSAGE } from "../../runbook/errors";
import { recoveryTargetsFixture } from "../fixtures/recoveryTargets";
import { awsError, FAILOVER_ARN, harness, START } from "./harness";

/** Every SDK command a mock received, by name: a dry run sends only reads. */
function commandNames(h: ReturnType<typeof harness>): string[] {
  return [...h.sfnMock.calls(), ...h.stsMock.calls()].map((call) => (call.args[0] as object).constructor.name);
}

describe("runbook dry run", () => {
  it("prints region, state machine, input and steps from the deployed definition, and never starts", async () => {
    const h = harness();
    h.sfnMock.on(DescribeStateMachineCommand).resolves({
      stateMachineArn: FAILOVER_ARN,
      name: "multi-region-dr-dr-dr-failover",
      status: "ACTIVE",
      definition: JSON.stringify(failoverDefinition(recoveryTargetsFixture(), 3600)),
      roleArn: "arn:aws:iam::123456789012:role/x",
      type: "STANDARD",
      creationDate: START,
    });
    expect(await h.run(["failover", "--planned", "--dry-run"])).to.equal(0);
    const text = h.output.lines.join("\n");
    expect(text).to.contain("DRY RUN: nothing will be started");
    expect(text).to.contain("  region          us-west-2 (aws:region in Pulumi.dr.yaml)");
    expect(text).to.contain(`  state machine   ${FAILOVER_ARN} (from caller identity)`);
    expect(text).to.contain("deployed: ACTIVE, created 2026-03-14T09:15:00.000Z");
    expect(text).to.contain('  input           {"mode":"planned","force":false,"trigger":"operator"}');
    expect(text).to.contain('  confirmation    type "failover" at the prompt, or pass --yes');
    expect(text).to.contain("Planned switchover to us-west-2");
    expect(text).to.match(/Steps on the happy path \(from the deployed definition\)/);
    expect(text).to.match(/\d+\. Stop writes in primary/);
    expect(text).to.contain("To start it: tsx runbook/cli.ts failover --planned");
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);
    expect(commandNames(h).sort()).to.deep.equal(["DescribeStateMachineCommand", "GetCallerIdentityCommand", "ListExecutionsCommand"]);
  });

  it("works without credentials: says the ARN could not be resolved and prints the name pattern", async () => {
    const h = harness();
    h.stsMock.on(GetCallerIdentityCommand).rejects(awsError("CredentialsProviderError", "Could not load credentials from any providers"));
    expect(await h.run(["failover", "--unplanned", "--force", "--dry-run"])).to.equal(0);
    const text = h.output.lines.join("\n");
    expect(text).to.contain(`  state machine   could not be resolved: ${NO_CREDENTIALS_MESSAGE}`);
    expect(text).to.contain("expected arn:aws:states:us-west-2:<account>:stateMachine:multi-region-dr-dr-dr-failover");
    expect(text).to.contain("--force: the replica state and lag checks are SKIPPED");
    expect(text).to.match(/Steps on the happy path \(from the definition builders \(placeholder targets\)\)/);
    expect(text).to.match(/\d+\. Recover +branches run in parallel/);
    expect(h.sfnMock.calls()).to.have.length(0);
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);
  });

  it("needs neither a terminal nor --yes", async () => {
    const h = harness({ interactive: false });
    expect(await h.run(["failback", "--dry-run"])).to.equal(0);
    expect(h.prompts).to.deep.equal([]);
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);
  });

  it("is what a drill without --live does", async () => {
    const h = harness();
    h.sfnMock.on(DescribeStateMachineCommand).rejects(awsError("AccessDeniedException", "not authorized"));
    expect(await h.run(["drill"])).to.equal(0);
    const text = h.output.lines.join("\n");
    expect(text).to.contain("DRY RUN");
    expect(text).to.contain(
      "not checked: Access denied: states:DescribeStateMachine on arn:aws:states:us-west-2:123456789012:stateMachine:multi-region-dr-dr-dr-drill",
    );
    expect(text).to.contain("Non-disruptive drill of us-west-2");
    expect(text).to.contain("To start it: tsx runbook/cli.ts drill --live");
    expect(text).not.to.contain("confirmation");
    expect(h.sfnMock.commandCalls(StartExecutionCommand)).to.have.length(0);
  });

  it("warns when an execution is already running", async () => {
    const h = harness();
    h.sfnMock
      .on(ListExecutionsCommand)
      .resolves({ executions: [{ executionArn: "arn:e", stateMachineArn: FAILOVER_ARN, name: "failover-x", status: "RUNNING", startDate: START }] });
    expect(await h.run(["failover", "--unplanned", "--dry-run"])).to.equal(0);
    expect(h.output.lines.join("\n")).to.contain(
      "Another failover execution is running since 2026-03-14T09:15:00.000Z: failover-x Starting now would be refused (exit 3).",
    );
  });
});
