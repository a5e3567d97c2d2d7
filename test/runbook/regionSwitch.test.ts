import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { defaultDependencies } from "../../runbook/cli";
import { NO_CREDENTIALS_MESSAGE } from "../../runbook/errors";
import { ArcRegionSwitchClient } from "../../runbook/regionSwitch/client";
import { DATA_PLANE_OPERATIONS, dataPlaneEndpoint } from "../../runbook/regionSwitch/endpoint";
import { ACTIVE_STATES } from "../../runbook/regionSwitch/operations";
import { chooseOrchestrator, type RegionSwitchPlanSummary } from "../../runbook/regionSwitch/outputs";
import { awsError, harness, START } from "./harness";
import { type Answer, APPROVER_CREDENTIALS, CREDENTIALS, type FakeArc, MODEL, startFakeArc } from "./regionSwitchServer";

const PLAN_ARN = "arn:aws:arc-region-switch::123456789012:plan/multi-region-dr-dr:abc123";
const EXECUTION_ID = "us-west-2/0123456789abcdef";
const APPROVER_ROLE = "arn:aws:iam::123456789012:role/dr-region-switch-approver-1a2b3c";
const PLAN: RegionSwitchPlanSummary = {
  arn: PLAN_ARN,
  name: "multi-region-dr-dr",
  primaryRegion: "us-east-1",
  drRegion: "us-west-2",
  approvalRequired: true,
  reportBucketName: "dr-region-switch-reports",
  approverRoleArn: APPROVER_ROLE,
  workflows: [
    {
      targetAction: "activate",
      targetRegion: "us-west-2",
      description: "failover",
      steps: [
        { name: "approve-failover", executionBlockType: "ManualApproval", description: "an operator approves" },
        {
          name: "recover-data-and-capacity",
          executionBlockType: "Parallel",
          description: "",
          parallel: [
            { name: "promote-database", executionBlockType: "RdsPromoteReadReplica", description: "promote the DR replica" },
            { name: "scale-dr-capacity", executionBlockType: "EC2AutoScaling", description: "scale to the primary's capacity" },
          ],
        },
        { name: "point-database-name", executionBlockType: "CustomActionLambda", description: "repoint the stable database name" },
        { name: "shift-traffic", executionBlockType: "Route53HealthCheck", description: "flip the failover records" },
      ],
    },
    {
      targetAction: "activate",
      targetRegion: "us-east-1",
      description: "failback",
      steps: [
        { name: "approve-failback", executionBlockType: "ManualApproval", description: "" },
        { name: "promote-database", executionBlockType: "RdsPromoteReadReplica", description: "" },
        { name: "shift-traffic", executionBlockType: "Route53HealthCheck", description: "" },
      ],
    },
  ],
};
const OUTPUTS = { role: "dr", recoveryOrchestrator: "region-switch", regionSwitchPlan: PLAN };
const seconds = (offset: number) => START.getTime() / 1000 + offset;

/** A workflow's steps as GetPlanInRegion returns them (names matter to the runbook; each carries a valid block configuration). */
function deployedSteps(names: string[]) {
  const approvalRole = "arn:aws:iam::123456789012:role/dr-operator";
  return names.map((name) => ({ name, executionBlockType: "ManualApproval", executionBlockConfiguration: { executionApprovalConfig: { approvalRole } } }));
}

/** A scripted execution: each GetPlanExecution moves to the next poll (the last repeats); events accumulate. */
interface Poll {
  state: string;
  steps: { name: string; status: string; start?: number; end?: number }[];
  events: { type: string; at: number; stepName?: string; executionBlockType?: string; error?: string }[];
}

function scriptPlan(fake: FakeArc, polls: Poll[], options: { running?: Answer; start?: Answer; planInRegion?: Answer } = {}) {
  let poll = -1;
  const approvals: Record<string, unknown>[] = [];
  fake.handlers.GetPlanInRegion = () =>
    options.planInRegion ?? {
      body: {
        plan: {
          arn: PLAN_ARN,
          name: PLAN.name,
          version: "7",
          regions: ["us-east-1", "us-west-2"],
          primaryRegion: "us-east-1",
          recoveryApproach: "activePassive",
          executionRole: "arn:aws:iam::123456789012:role/dr-region-switch-execution",
          owner: "123456789012",
          workflows: [
            {
              workflowTargetAction: "activate",
              workflowTargetRegion: "us-west-2",
              steps: deployedSteps(PLAN.workflows[0].steps.map((step) => step.name)),
            },
            { workflowTargetAction: "activate", workflowTargetRegion: "us-east-1", steps: deployedSteps(["approve-failback"]) },
          ],
        },
      },
    };
  fake.handlers.ListPlanExecutions = () => options.running ?? { body: { items: [] } };
  fake.handlers.StartPlanExecution = (body) =>
    options.start ?? { body: { executionId: EXECUTION_ID, plan: PLAN_ARN, planVersion: "7", activateRegion: String(body.targetRegion) } };
  fake.handlers.GetPlanExecution = (body, region) => {
    poll = Math.min(poll + 1, polls.length - 1);
    const current = polls[poll];
    const all = current.steps.map((step) => ({
      name: step.name,
      status: step.status,
      ...(step.start !== undefined ? { startTime: seconds(step.start) } : {}),
      ...(step.end !== undefined ? { endTime: seconds(step.end) } : {}),
    }));
    // Two step states a page, to exercise nextToken.
    const from = body.nextToken ? Number(body.nextToken) : 0;
    const final = ["completed", "failed", "canceled"].includes(current.state);
    const last = Math.max(0, ...current.events.map((event) => event.at));
    return {
      body: {
        planArn: PLAN_ARN,
        executionId: EXECUTION_ID,
        startTime: seconds(0),
        ...(final ? { endTime: seconds(last) } : {}),
        mode: "ungraceful",
        executionState: current.state,
        executionAction: "activate",
        executionRegion: region,
        stepStates: all.slice(from, from + 2),
        ...(from + 2 < all.length ? { nextToken: String(from + 2) } : {}),
        ...(current.state === "completed"
          ? {
              actualRecoveryTime: "PT10M",
              generatedReportDetails: [{ reportGenerationTime: seconds(last), reportOutput: { s3ReportOutput: { s3ObjectKey: "reports/x.pdf" } } }],
            }
          : {}),
      },
    };
  };
  fake.handlers.ListPlanExecutionEvents = () => ({
    body: {
      items: polls[Math.max(poll, 0)].events.map((event) => ({
        eventId: `${event.type}-${event.at}-${event.stepName ?? ""}`,
        timestamp: seconds(event.at),
        type: event.type,
        ...(event.stepName ? { stepName: event.stepName } : {}),
        ...(event.executionBlockType ? { executionBlockType: event.executionBlockType } : {}),
        ...(event.error ? { error: event.error } : {}),
      })),
    },
  });
  fake.handlers.ApprovePlanExecutionStep = (body) => {
    approvals.push(body);
    return { body: {} };
  };
  return { approvals };
}

const STARTED = [
  { type: "executionStarted", at: 0 },
  { type: "stepStarted", at: 1, stepName: "approve-failover", executionBlockType: "ManualApproval" },
  { type: "stepPendingApproval", at: 1, stepName: "approve-failover", executionBlockType: "ManualApproval" },
];
const WAITING: Poll = { state: "pendingManualApproval", steps: [{ name: "approve-failover", status: "pendingApproval", start: 1 }], events: STARTED };
const PROMOTING: Poll = {
  state: "inProgress",
  steps: [
    { name: "approve-failover", status: "completed", start: 1, end: 30 },
    { name: "recover-data-and-capacity", status: "running", start: 30 },
    { name: "promote-database", status: "running", start: 30 },
    { name: "scale-dr-capacity", status: "completed", start: 30, end: 200 },
  ],
  events: [
    ...STARTED,
    { type: "stepSucceeded", at: 30, stepName: "approve-failover" },
    { type: "stepStarted", at: 30, stepName: "promote-database", executionBlockType: "RdsPromoteReadReplica" },
    { type: "stepStarted", at: 30, stepName: "scale-dr-capacity", executionBlockType: "EC2AutoScaling" },
    { type: "stepSucceeded", at: 200, stepName: "scale-dr-capacity" },
  ],
};
const COMPLETED: Poll = {
  state: "completed",
  steps: [
    { name: "approve-failover", status: "completed", start: 1, end: 30 },
    { name: "recover-data-and-capacity", status: "completed", start: 30, end: 400 },
    { name: "promote-database", status: "completed", start: 30, end: 400 },
    { name: "scale-dr-capacity", status: "completed", start: 30, end: 200 },
    { name: "point-database-name", status: "completed", start: 400, end: 410 },
    { name: "shift-traffic", status: "completed", start: 410, end: 600 },
  ],
  events: [
    ...PROMOTING.events,
    { type: "stepSucceeded", at: 400, stepName: "promote-database" },
    { type: "stepStarted", at: 400, stepName: "point-database-name", executionBlockType: "CustomActionLambda" },
    { type: "stepSucceeded", at: 410, stepName: "point-database-name" },
    { type: "stepStarted", at: 410, stepName: "shift-traffic", executionBlockType: "Route53HealthCheck" },
    { type: "stepSucceeded", at: 600, stepName: "shift-traffic" },
    { type: "executionSucceeded", at: 600 },
  ],
};

describe("runbook with ARC Region switch", () => {
  let fake: FakeArc;
  beforeEach(async () => {
    fake = await startFakeArc();
  });
  afterEach(async () => {
    await fake.close();
  });

  /** A runbook harness whose outputs file is `outputs` and whose Region switch clients reach the fake. */
  function rig(options: { interactive?: boolean; answers?: string[]; outputs?: unknown } = {}) {
    const h = harness({ interactive: options.interactive ?? false });
    const answers = [...(options.answers ?? [])];
    h.deps.prompt = async (question) => {
      h.prompts.push(question);
      return answers.shift() ?? "";
    };
    const stackOutputsCalls: string[] = [];
    h.deps.regionSwitch = {
      stackOutputs: async (stack) => {
        stackOutputsCalls.push(stack);
        return (options.outputs ?? OUTPUTS) as Record<string, unknown>;
      },
      readFile: () => JSON.stringify(options.outputs ?? OUTPUTS),
      client: (region) => fake.client(region),
    };
    // STS hands out the approver role's temporary credentials (AssumeRole), valid an hour.
    const assumed: AssumeRoleCommandInput[] = [];
    h.stsMock.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
      assumed.push(input);
      return {
        Credentials: {
          AccessKeyId: APPROVER_CREDENTIALS.accessKeyId,
          SecretAccessKey: APPROVER_CREDENTIALS.secretAccessKey,
          SessionToken: APPROVER_CREDENTIALS.sessionToken,
          Expiration: new Date(h.deps.now().getTime() + 3600_000),
        },
      };
    });
    return { h, stackOutputsCalls, assumed, run: (argv: string[]) => h.run([...argv, "--outputs-file", "outputs.json"]) };
  }

  it("drives a whole unplanned failover from the DR region: approval, parallel steps, timeline against the RTO", async () => {
    const { h, run } = rig({ interactive: true, answers: ["failover", "approve"] });
    const { approvals } = scriptPlan(fake, [WAITING, PROMOTING, COMPLETED]);
    expect(await run(["failover", "--unplanned"])).to.equal(0);
    expect(fake.violations).to.deep.equal([]);
    // Every call went to the DR region's data plane: none to the primary (us-east-1) nor to a control plane.
    expect(new Set(fake.requests.map((request) => request.host))).to.deep.equal(new Set(["arc-region-switch.us-west-2.api.aws"]));
    // The busy check lists each active state (the API's filter), then the start.
    const operations = fake.requests.map((request) => request.operation);
    expect(operations.slice(0, operations.indexOf("StartPlanExecution") + 1)).to.deep.equal([
      "GetPlanInRegion",
      ...[...ACTIVE_STATES].map(() => "ListPlanExecutions"),
      "StartPlanExecution",
    ]);
    const start = fake.requests.find((request) => request.operation === "StartPlanExecution")!.body;
    expect(start).to.deep.include({ planArn: PLAN_ARN, targetRegion: "us-west-2", action: "activate", mode: "ungraceful" });
    expect(start.comment).to.match(/^npm run failover --unplanned at /);
    expect(h.prompts[0]).to.equal('Type "failover" to start it (anything else cancels): ');
    expect(h.prompts[1]).to.contain('Step "approve-failover" waits for approval.');
    expect(approvals).to.have.length(1);
    expect(approvals[0]).to.deep.include({ planArn: PLAN_ARN, executionId: EXECUTION_ID, stepName: "approve-failover", approval: "approve" });
    const text = h.output.text();
    expect(text).to.contain("Started failover execution us-west-2/0123456789abcdef");
    expect(text).to.contain("+00:01  approve-failover (ManualApproval) waits for approval");
    expect(text).to.contain("approve-failover APPROVED by the runbook");
    expect(text).to.contain("+06:40  promote-database succeeded");
    // Each event printed once although every poll lists them all.
    expect(h.output.lines.filter((line) => line.includes("scale-dr-capacity succeeded"))).to.have.length(1);
    expect(h.output.lines).to.include("  approve-failover             +00:01     00:29");
    expect(h.output.lines).to.include("    promote-database           +00:30     06:10");
    expect(text).to.contain("Status:      completed");
    expect(text).to.contain("Total time:  10:00 against an RTO of 15:00 (recovery.rtoSeconds in Pulumi.dr.yaml): within the RTO, 05:00 to spare");
    expect(text).to.contain("ARC recovery time: 10:00");
    expect(text).to.contain("Report:      s3://dr-region-switch-reports/reports/x.pdf");
    expect(text).to.contain("Traffic is now served from us-west-2. To return it to us-east-1: re-protect us-east-1 once it is back (npm run reprotect");
  });

  it("fails back by activating the primary region gracefully, in the primary region's data plane (not us-east-1's control plane)", async () => {
    const { run } = rig();
    scriptPlan(fake, [{ ...COMPLETED, steps: [{ name: "promote-database", status: "completed", start: 1, end: 100 }] }]);
    expect(await run(["failback", "--yes"])).to.equal(0);
    expect(fake.violations).to.deep.equal([]);
    expect(new Set(fake.requests.map((request) => request.host))).to.deep.equal(new Set(["arc-region-switch.us-east-1.api.aws"]));
    expect(fake.requests.find((request) => request.operation === "StartPlanExecution")!.body).to.deep.include({ targetRegion: "us-east-1", mode: "graceful" });
  });

  it("approves with --yes, and a planned failover is graceful", async () => {
    const { h, run } = rig();
    const { approvals } = scriptPlan(fake, [WAITING, COMPLETED]);
    expect(await run(["failover", "--planned", "--yes"])).to.equal(0);
    expect(fake.requests.find((request) => request.operation === "StartPlanExecution")!.body.mode).to.equal("graceful");
    expect(approvals.map((approval) => approval.approval)).to.deep.equal(["approve"]);
    expect(h.output.text()).to.contain("Approving approve-failover: --yes confirmed this failover on the command line.");
    expect(h.prompts).to.deep.equal([]);
  });

  it("approves as the approver role (D4): assumed through STS in the activating region before the start, the approve call signed with its key", async () => {
    const { h, assumed, run } = rig();
    const { approvals } = scriptPlan(fake, [WAITING, COMPLETED]);
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(0);
    expect(fake.violations).to.deep.equal([]);
    expect(approvals).to.have.length(1);
    const approve = fake.requests.find((request) => request.operation === "ApprovePlanExecutionStep")!;
    expect(approve.accessKeyId).to.equal(APPROVER_CREDENTIALS.accessKeyId);
    expect(approve.sessionToken).to.equal(APPROVER_CREDENTIALS.sessionToken);
    // Every other call is the operator's own.
    for (const request of fake.requests.filter((candidate) => candidate.operation !== "ApprovePlanExecutionStep"))
      expect(request.accessKeyId, request.operation).to.equal(CREDENTIALS.accessKeyId);
    expect(assumed).to.deep.equal([{ RoleArn: APPROVER_ROLE, RoleSessionName: "multi-region-dr-failover-approval", DurationSeconds: 3600 }]);
    // STS of the region being activated (us-west-2), asked before StartPlanExecution.
    expect(h.regions).to.deep.equal(["us-west-2"]);
    const text = h.output.text();
    expect(text.indexOf(`Approvals will be sent as ${APPROVER_ROLE} (assumed through STS in us-west-2).`)).to.be.lessThan(
      text.indexOf("Started failover execution"),
    );
  });

  it("assumes the approver role again when its credentials are near expiry at the approval", async () => {
    const { h, assumed, run } = rig();
    // The execution waits for its approval only after 58 minutes: the hour's credentials are then within the refresh margin.
    const early: Poll = { state: "inProgress", steps: [], events: [{ type: "executionStarted", at: 0 }] };
    scriptPlan(fake, [early, WAITING, COMPLETED]);
    const sleep = h.deps.sleep;
    h.deps.sleep = (milliseconds) => sleep(58 * 60_000 + milliseconds);
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(0);
    expect(assumed).to.have.length(2);
    expect(fake.violations).to.deep.equal([]);
    expect(fake.requests.find((request) => request.operation === "ApprovePlanExecutionStep")!.accessKeyId).to.equal(APPROVER_CREDENTIALS.accessKeyId);
  });

  it("refuses, naming the approver role, when the operator cannot assume it: nothing is started", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [WAITING, COMPLETED]);
    h.stsMock
      .on(AssumeRoleCommand)
      .rejects(awsError("AccessDenied", "User: arn:aws:iam::123456789012:user/operator is not authorized to perform: sts:AssumeRole"));
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(1);
    const message = h.output.errors.join("\n");
    expect(message).to.contain(
      `Cannot assume the approver role ${APPROVER_ROLE} through STS in us-west-2 (AccessDenied: User: arn:aws:iam::123456789012:user/operator`,
    );
    expect(message).to.contain(`ask for sts:AssumeRole on ${APPROVER_ROLE}`);
    expect(message).to.contain("The failover waits at approve-failover; nothing was started.");
    expect(fake.requests.map((request) => request.operation)).to.not.include("StartPlanExecution");
  });

  it("needs no approver role for a workflow without approval (automatic failover)", async () => {
    const automatic: RegionSwitchPlanSummary = {
      ...PLAN,
      approvalRequired: false,
      approverRoleArn: "",
      workflows: [{ ...PLAN.workflows[0], steps: PLAN.workflows[0].steps.slice(1) }, PLAN.workflows[1]],
    };
    const { h, assumed, run } = rig({ outputs: { ...OUTPUTS, regionSwitchPlan: { ...automatic, approverRoleArn: APPROVER_ROLE } } });
    scriptPlan(fake, [COMPLETED]);
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(0);
    expect(assumed).to.deep.equal([]);
    expect(h.output.text()).to.not.contain("Approvals will be sent as");
  });

  it("refuses a plan output without approverRoleArn while a workflow has a ManualApproval step", async () => {
    const { approverRoleArn: _dropped, ...withoutRole } = PLAN;
    const { h, run } = rig({ outputs: { ...OUTPUTS, regionSwitchPlan: withoutRole } });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(1);
    expect(h.output.errors[0]).to.contain("approverRoleArn undefined is not an IAM role ARN");
    expect(fake.requests).to.deep.equal([]);
  });

  it("the runbook's real STS client asks the activating region's endpoint, never the global sts.amazonaws.com in us-east-1", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    try {
      for (const region of ["us-east-1", "eu-central-1"]) {
        const sts = defaultDependencies().clients(region).sts;
        expect(sts).to.be.instanceOf(STSClient);
        const hosts: string[] = [];
        sts.middlewareStack.add(
          () => async (args) => {
            hosts.push((args.request as { hostname: string }).hostname);
            throw new Error("stop before the network");
          },
          { step: "finalizeRequest", priority: "low" },
        );
        await sts.send(new AssumeRoleCommand({ RoleArn: APPROVER_ROLE, RoleSessionName: "x" })).catch(() => undefined);
        expect(hosts, region).to.deep.equal([`sts.${region}.amazonaws.com`]);
      }
    } finally {
      for (const [name, value] of [
        ["AWS_ACCESS_KEY_ID", saved.id],
        ["AWS_SECRET_ACCESS_KEY", saved.secret],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });

  it("declines when the operator types decline, and reports the execution that ended", async () => {
    const { run } = rig({ interactive: true, answers: ["failover", "decline"] });
    const { approvals } = scriptPlan(fake, [WAITING, { ...WAITING, state: "canceled", events: [...STARTED, { type: "executionCanceled", at: 40 }] }]);
    expect(await run(["failover", "--unplanned"])).to.equal(2);
    expect(approvals.map((approval) => approval.approval)).to.deep.equal(["decline"]);
  });

  it("leaves an approval pending on any other answer: exit 2 with the command to approve later", async () => {
    const { h, run } = rig({ interactive: true, answers: ["failover", "wait"] });
    const { approvals } = scriptPlan(fake, [WAITING]);
    expect(await run(["failover", "--unplanned"])).to.equal(2);
    expect(approvals).to.deep.equal([]);
    expect(h.output.text()).to.contain(
      `aws arc-region-switch approve-plan-execution-step --plan-arn ${PLAN_ARN} --execution-id ${EXECUTION_ID} --region us-west-2 --step-name approve-failover --approval approve`,
    );
  });

  it("stops at a failed step that pauses the execution: exit 2, the error, and how to retry, skip or cancel", async () => {
    const { h, run } = rig();
    const failed: Poll = {
      state: "pausedByFailedStep",
      steps: [
        { name: "approve-failover", status: "completed", start: 1, end: 2 },
        { name: "promote-database", status: "failed", start: 2, end: 90 },
      ],
      events: [
        { type: "executionStarted", at: 0 },
        { type: "stepStarted", at: 2, stepName: "promote-database", executionBlockType: "RdsPromoteReadReplica" },
        { type: "stepFailed", at: 90, stepName: "promote-database", executionBlockType: "RdsPromoteReadReplica", error: "InvalidDBInstanceState: backing-up" },
        { type: "executionPaused", at: 90 },
      ],
    };
    scriptPlan(fake, [WAITING, failed]);
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(2);
    const text = h.output.text();
    expect(text).to.contain("+01:30  promote-database (RdsPromoteReadReplica) FAILED: InvalidDBInstanceState: backing-up");
    expect(text).to.contain("Status:      pausedByFailedStep (the execution is not over)");
    expect(text).to.contain("Failed step: promote-database: InvalidDBInstanceState: backing-up");
    expect(text).to.contain("not recovered");
    expect(text).to.contain("update-plan-execution-step");
    // A child of the Parallel step: indented under it, as the workflow nests it.
    expect(h.output.lines).to.include("    promote-database    +00:02     01:28  FAILED");
  });

  it("refuses with exit 3 when another execution is in progress, without starting one", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [COMPLETED], {
      running: {
        body: {
          items: [
            {
              planArn: PLAN_ARN,
              executionId: "us-west-2/fedcba9876543210",
              startTime: seconds(-60),
              mode: "ungraceful",
              executionState: "inProgress",
              executionAction: "activate",
              executionRegion: "us-west-2",
            },
          ],
        },
      },
    });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(3);
    expect(h.output.errors.join("\n")).to.contain("Another execution of the plan is inProgress in us-west-2: us-west-2/fedcba9876543210");
    expect(fake.requests.map((request) => request.operation)).to.not.include("StartPlanExecution");
  });

  it("finds a paused execution behind a page of the state-filtered listing (R6), and starts nothing", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [COMPLETED]);
    const paused = {
      planArn: PLAN_ARN,
      executionId: "us-west-2/0123456789abcdef",
      startTime: seconds(-3600),
      mode: "graceful",
      executionState: "pausedByFailedStep",
      executionAction: "activate",
      executionRegion: "us-west-2",
    };
    fake.handlers.ListPlanExecutions = (body) =>
      body.state !== "pausedByFailedStep"
        ? { body: { items: [] } }
        : body.nextToken === "page-2"
          ? { body: { items: [paused] } }
          : { body: { items: [], nextToken: "page-2" } };
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(3);
    expect(h.output.errors.join("\n")).to.contain("Another execution of the plan is pausedByFailedStep in us-west-2: us-west-2/0123456789abcdef");
    const listings = fake.requests.filter((request) => request.operation === "ListPlanExecutions").map((request) => request.body);
    expect(listings.map((body) => body.state)).to.include.members([...ACTIVE_STATES]);
    expect(listings.filter((body) => body.nextToken === "page-2")).to.have.length(1);
    expect(fake.requests.map((request) => request.operation)).to.not.include("StartPlanExecution");
  });

  it("exits 3 when StartPlanExecution refuses with IllegalStateException", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [COMPLETED], { start: { error: "IllegalStateException", message: "An execution is already in progress" } });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(3);
    expect(h.output.errors.join("\n")).to.contain("ARC Region switch refused to start");
  });

  it("exits 1 when the plan is not in the region, before anything is started", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [COMPLETED], { planInRegion: { error: "ResourceNotFoundException", message: "Plan not found", status: 404 } });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(1);
    expect(h.output.errors[0]).to.contain(
      `Region switch plan ${PLAN_ARN} was not found by ARC Region switch in us-west-2 (the region failover activates) (Plan not found)`,
    );
    expect(fake.requests.map((request) => request.operation)).to.deep.equal(["GetPlanInRegion"]);
  });

  it("names the missing permission when a call is denied", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [COMPLETED], { start: { error: "AccessDeniedException", message: "not authorized", status: 403 } });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(1);
    expect(h.output.errors[0]).to.match(/^Access denied: arc-region-switch:StartPlanExecution on Region switch plan arn:aws:arc-region-switch::/);
  });

  it("says the region does not answer when its endpoint is unreachable", async () => {
    const { h, run } = rig();
    await fake.close();
    h.deps.regionSwitch!.client = (region) =>
      new ArcRegionSwitchClient({ region, credentials: { accessKeyId: "A", secretAccessKey: "B" }, connectTo: { host: "127.0.0.1", port: fake.port } });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(1);
    expect(h.output.errors[0]).to.match(/^ARC Region switch in us-west-2 \(the region failover activates\) did not answer GetPlanInRegion: ECONNREFUSED/);
    fake = await startFakeArc();
  });

  it("gives the credentials message when the chain has nothing to sign with", async () => {
    const { h, run } = rig();
    h.deps.regionSwitch!.client = (region) =>
      new ArcRegionSwitchClient({
        region,
        credentials: () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })),
        connectTo: { host: "127.0.0.1", port: fake.port },
      });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(1);
    expect(h.output.errors[0].split("\n")[0]).to.equal(NO_CREDENTIALS_MESSAGE);
    expect(fake.requests).to.deep.equal([]);
  });

  it("prints the plan's steps on --dry-run without any AWS call", async () => {
    const { h, run } = rig();
    expect(await run(["failover", "--unplanned", "--dry-run"])).to.equal(0);
    expect(fake.requests).to.deep.equal([]);
    const text = h.output.text();
    expect(text).to.contain("StartPlanExecution action activate, targetRegion us-west-2, mode ungraceful");
    expect(text).to.contain("https://arc-region-switch.us-west-2.api.aws (the data plane of us-west-2, the region being activated)");
    expect(text).to.contain("the execution waits at approve-failover");
    expect(h.output.lines.some((line) => /^ {4}2a\. +promote-database +RdsPromoteReadReplica/.test(line))).to.equal(true);
    expect(text).to.contain("To start it: tsx runbook/cli.ts failover --unplanned --outputs-file outputs.json");
    expect(text).to.contain(
      "Skipped when ungraceful: point-database-name (Lambda steps): the promotion does not wait for the old writer to stop; writes it took that the replica had not replayed are lost.",
    );
  });

  it("the drill proves readiness from the DR region with read-only calls, and fails on an evaluation warning", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [COMPLETED]);
    fake.handlers.GetPlanEvaluationStatus = () => ({ body: { planArn: PLAN_ARN, evaluationState: "passed", lastEvaluationTime: seconds(-600), warnings: [] } });
    fake.handlers.ListRoute53HealthChecksInRegion = () => ({
      body: { healthChecks: [{ hostedZoneId: "Z1", recordName: "app.example.com", healthCheckId: "hc-1", status: "healthy", region: "us-west-2" }] },
    });
    const drillCode = await run(["drill", "--live"]);
    expect(drillCode).to.equal(0);
    expect(fake.violations).to.deep.equal([]);
    expect(h.output.text()).to.contain(`OK    ${"approver role".padEnd(26)} ${APPROVER_ROLE} assumed through STS in us-west-2`);
    expect(fake.requests.map((request) => request.operation)).to.deep.equal([
      "GetPlanInRegion",
      "GetPlanEvaluationStatus",
      "ListRoute53HealthChecksInRegion",
      "ListPlanExecutions",
    ]);
    expect(new Set(fake.requests.map((request) => request.region))).to.deep.equal(new Set(["us-west-2"]));
    expect(h.output.text()).to.contain("READY: the failover can be started from us-west-2 now");

    fake.handlers.GetPlanEvaluationStatus = () => ({
      body: {
        planArn: PLAN_ARN,
        evaluationState: "actionRequired",
        warnings: [{ stepName: "promote-database", warningStatus: "active", warningMessage: "the execution role cannot call rds:PromoteReadReplica" }],
      },
    });
    const second = rig();
    expect(await second.run(["drill", "--live"])).to.equal(2);
    expect(second.h.output.text()).to.contain("warning (promote-database): the execution role cannot call rds:PromoteReadReplica");
    expect(second.h.output.text()).to.contain("NOT READY");
  });

  it("the drill is not ready when the operator cannot assume the approver role the failover's approval needs", async () => {
    const { h, run } = rig();
    scriptPlan(fake, [COMPLETED]);
    fake.handlers.GetPlanEvaluationStatus = () => ({ body: { planArn: PLAN_ARN, evaluationState: "passed", warnings: [] } });
    fake.handlers.ListRoute53HealthChecksInRegion = () => ({
      body: { healthChecks: [{ hostedZoneId: "Z1", recordName: "app.example.com", healthCheckId: "hc-1", status: "healthy", region: "us-west-2" }] },
    });
    h.stsMock.on(AssumeRoleCommand).rejects(awsError("AccessDenied", "not authorized to perform: sts:AssumeRole"));
    expect(await run(["drill", "--live"])).to.equal(2);
    const text = h.output.text();
    expect(text).to.contain(`FAIL  ${"approver role".padEnd(26)} Cannot assume the approver role ${APPROVER_ROLE} through STS in us-west-2 (AccessDenied`);
    expect(text).to.contain("NOT READY");
  });

  it("refuses --force, --state-machine-arn and a contradicting --region with Region switch", async () => {
    for (const argv of [
      ["failover", "--unplanned", "--force", "--yes"],
      ["failover", "--unplanned", "--yes", "--state-machine-arn", "arn:aws:states:us-west-2:123456789012:stateMachine:x-failover"],
      ["failover", "--unplanned", "--yes", "--region", "eu-west-1"],
    ]) {
      const { h, run } = rig();
      expect(await run(argv)).to.equal(1);
      expect(h.output.errors[0]).to.match(/--force|--state-machine-arn|--region eu-west-1 contradicts/);
    }
    expect(fake.requests).to.deep.equal([]);
  });

  it("rejects an unusable regionSwitchPlan output, naming the fields", async () => {
    const { h, run } = rig({
      outputs: { recoveryOrchestrator: "region-switch", regionSwitchPlan: { ...PLAN, arn: "arn:aws:states:x", drRegion: "us-east-1" } },
    });
    expect(await run(["failover", "--unplanned", "--yes"])).to.equal(1);
    expect(h.output.errors[0]).to.contain("is not a Region switch plan ARN");
    expect(h.output.errors[0]).to.contain("primaryRegion and drRegion are the same region");
  });
});

describe("runbook Region switch: orchestrator choice and endpoints", () => {
  const readers = (outputs: unknown, calls: string[]) => ({
    stackOutputs: async (stack: string) => {
      calls.push(stack);
      return outputs as Record<string, unknown>;
    },
    readFile: () => JSON.stringify(outputs),
  });

  it("asks the Pulumi CLI only when the stack file declares region-switch", async () => {
    const calls: string[] = [];
    expect(await chooseOrchestrator({ stack: "dr" }, undefined, readers(OUTPUTS, calls))).to.deep.equal({ kind: "step-functions" });
    expect(await chooseOrchestrator({ stack: "dr" }, "step-functions", readers(OUTPUTS, calls))).to.deep.equal({ kind: "step-functions" });
    expect(calls).to.deep.equal([]);
    const choice = await chooseOrchestrator({ stack: "dr" }, "region-switch", readers(OUTPUTS, calls));
    expect(choice.kind).to.equal("region-switch");
    expect(calls).to.deep.equal(["dr"]);
  });

  it("drives what is deployed when the stack file disagrees, and says so", async () => {
    const choice = await chooseOrchestrator({ stack: "dr", outputsFile: "o.json" }, "region-switch", readers({ recoveryOrchestrator: "step-functions" }, []));
    expect(choice.kind).to.equal("step-functions");
    expect(choice.note).to.contain("the stack file declares recovery.orchestrator region-switch but o.json was deployed with step-functions");
  });

  it("uses only data-plane operations, at the regional endpoint of the rule set", () => {
    for (const operation of DATA_PLANE_OPERATIONS) {
      expect(MODEL.operations[operation], operation).to.not.equal(undefined);
      expect(MODEL.operations[operation].staticContextParams?.UseControlPlaneEndpoint, operation).to.equal(undefined);
    }
    expect(MODEL.operations.GetPlan.staticContextParams?.UseControlPlaneEndpoint).to.deep.equal({ value: true });
    expect(dataPlaneEndpoint("us-east-1")).to.equal("https://arc-region-switch.us-east-1.api.aws");
    expect(dataPlaneEndpoint("cn-north-1")).to.equal("https://arc-region-switch.cn-north-1.api.amazonwebservices.com.cn");
    expect(dataPlaneEndpoint("us-gov-west-1")).to.equal("https://arc-region-switch.us-gov-west-1.api.aws");
    expect(() => dataPlaneEndpoint("xx-nowhere-1")).to.throw("not a region of a known AWS partition");
  });
});
