import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { locateStateMachine, parseStateMachineArn, resolveRegion } from "../../runbook/locate";
import { readStackSettings } from "../../runbook/stack";
import { ACCOUNT, FAILOVER_ARN, harness, HistoryScript, scriptExecution } from "./harness";

/** A one-poll successful execution, so that a run gets past StartExecution. */
function quickSuccess(h: ReturnType<typeof harness>): void {
  const script = new HistoryScript();
  script.add(0, "ExecutionStarted");
  script.instant(0, "Pass", "Start");
  script.add(1, "ExecutionSucceeded");
  scriptExecution(h.sfnMock, script, [{ visible: script.length, status: "SUCCEEDED" }]);
}

describe("runbook locate", () => {
  it("builds the ARN from the stack file's region and the caller's account and partition", async () => {
    const h = harness();
    quickSuccess(h);
    expect(await h.run(["failover", "--unplanned", "--yes"])).to.equal(0);
    expect(h.regions).to.deep.equal(["us-west-2"]);
    expect(h.stsMock.commandCalls(GetCallerIdentityCommand)).to.have.length(1);
    const start = h.sfnMock.commandCalls(StartExecutionCommand);
    expect(start).to.have.length(1);
    expect(start[0].args[0].input).to.deep.include({ stateMachineArn: FAILOVER_ARN, input: '{"mode":"unplanned","force":false,"trigger":"operator"}' });
    expect(start[0].args[0].input.name).to.match(/^failover-unplanned-\d{8}T\d{6}Z$/);
  });

  it("uses --state-machine-arn as given, with its region, without asking STS", async () => {
    const arn = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:custom-failback`;
    const h = harness();
    quickSuccess(h);
    expect(await h.run(["failback", "--yes", "--state-machine-arn", arn])).to.equal(0);
    expect(h.regions).to.deep.equal(["eu-west-1"]);
    expect(h.stsMock.commandCalls(GetCallerIdentityCommand)).to.have.length(0);
    expect(h.sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input).to.deep.include({ stateMachineArn: arn, input: '{"force":false}' });
  });

  it("takes the partition from the caller's ARN (aws-us-gov)", async () => {
    const sts = new STSClient({ region: "us-gov-west-1" });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: "210987654321", Arn: "arn:aws-us-gov:sts::210987654321:assumed-role/dr-operator/alice" });
    const location = await locateStateMachine({ workflow: "drill", stack: "dr", region: "us-gov-west-1", sts });
    expect(location).to.deep.include({
      arn: "arn:aws-us-gov:states:us-gov-west-1:210987654321:stateMachine:multi-region-dr-dr-dr-drill",
      partition: "aws-us-gov",
      accountId: "210987654321",
      caller: "arn:aws-us-gov:sts::210987654321:assumed-role/dr-operator/alice",
    });
  });

  it("names the state machine after the --stack, and reads that stack's file", async () => {
    const h = harness({ stackFiles: { staging: "config:\n  aws:region: eu-central-1\n" } });
    quickSuccess(h);
    expect(await h.run(["failback", "--yes", "--stack", "staging"])).to.equal(0);
    expect(h.regions).to.deep.equal(["eu-central-1"]);
    expect(h.sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).to.equal(
      `arn:aws:states:eu-central-1:${ACCOUNT}:stateMachine:multi-region-dr-staging-dr-failback`,
    );
  });

  it("--region overrides the stack file's region", async () => {
    const h = harness();
    quickSuccess(h);
    expect(await h.run(["failback", "--yes", "--region", "us-east-2"])).to.equal(0);
    expect(h.regions).to.deep.equal(["us-east-2"]);
  });

  it("exits 1 when the stack file is missing and no --region is given", async () => {
    const h = harness();
    expect(await h.run(["failback", "--yes", "--stack", "nowhere"])).to.equal(1);
    expect(h.output.errors.join("\n")).to.match(/Pulumi\.nowhere\.yaml not found: pass --stack <name> of an existing Pulumi\.<name>\.yaml, or --region/);
    expect(h.regions).to.deep.equal([]);
  });

  it("exits 1 when the stack file has no aws:region", async () => {
    const h = harness({ stackFiles: { dr: "config:\n  multi-region-dr:role: dr\n" } });
    expect(await h.run(["drill", "--live"])).to.equal(1);
    expect(h.output.errors.join("\n")).to.match(/Pulumi\.dr\.yaml has no aws:region: set it, or pass --region/);
  });

  it("reads the region and RTO of the repository's own Pulumi.dr.yaml", () => {
    const settings = readStackSettings(`${__dirname}/../..`, "dr");
    expect(settings.found).to.equal(true);
    expect(settings.region).to.match(/^[a-z]{2}-[a-z]+-\d$/);
    expect(settings.rtoSeconds).to.be.a("number").above(0);
    expect(resolveRegion({ settings }).source).to.equal("aws:region in Pulumi.dr.yaml");
  });

  it("defaults the RTO to 900 s when the stack file declares none", () => {
    const h = harness({
      stackFiles: { dr: "config:\n  aws:region: us-west-2\n", other: "config:\n  aws:region: us-west-2\n  multi-region-dr:recovery:\n    rtoSeconds: 600\n" },
    });
    expect(readStackSettings(h.projectDirectory, "dr")).to.include({ rtoSeconds: 900, rtoSource: "default 900 s" });
    expect(readStackSettings(h.projectDirectory, "other")).to.include({ rtoSeconds: 600, rtoSource: "recovery.rtoSeconds in Pulumi.other.yaml" });
  });

  it("parses state machine ARNs of every partition", () => {
    expect(parseStateMachineArn("arn:aws-cn:states:cn-north-1:123456789012:stateMachine:a_b-c")).to.deep.equal({
      partition: "aws-cn",
      region: "cn-north-1",
      accountId: "123456789012",
      name: "a_b-c",
    });
    expect(parseStateMachineArn("arn:aws:states:us-west-2:123456789012:execution:a:b")).to.equal(undefined);
  });
});
