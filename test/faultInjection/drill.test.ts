/**
 * `npm run drill -- --fault <name> [--live]` (runbook/faults/drill.ts) against mocked FIS and
 * CloudWatch clients: the dry run calls nothing; the live run finds the template by its tags in its
 * region, starts it, follows it, and reports each DR alarm's state changes with their delay after the
 * fault began; failures (no template, several, access denied, a failed experiment, bad arguments) are
 * refused or reported with their exit codes.
 */
import { CloudWatchClient, DescribeAlarmHistoryCommand } from "@aws-sdk/client-cloudwatch";
import { FisClient, GetExperimentCommand, ListExperimentTemplatesCommand, StartExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { main } from "../../runbook/cli";
import { EXIT, RunbookError } from "../../runbook/errors";
import { faultDrillMain, faultStart, type FaultDrillOptions, onSigint, parseFaultArguments, renderSignals, runFaultDrill } from "../../runbook/faults/drill";
import { collectOutput } from "../../runbook/output";
import { readStackSettings } from "../../runbook/stack";
import { recoveryResourceNames } from "../../recovery/names";

const PREFIX = "multi-region-dr-dr-dr";
const names = recoveryResourceNames(PREFIX);
const BEGAN = new Date("2026-12-07T10:00:00Z");
const at = (seconds: number) => new Date(BEGAN.getTime() + seconds * 1000);

/** What the tests use of an aws-sdk-client-mock stub, loosely typed (see `fisStub`). */
interface LooseBehavior {
  resolves(output: unknown): LooseBehavior;
  callsFake(fake: (input: Record<string, unknown>) => unknown): LooseBehavior;
  resolvesOnce(output: unknown): LooseBehavior;
  rejects(error: unknown): LooseBehavior;
}
interface LooseStub {
  on(command: unknown, input?: unknown): LooseBehavior;
  calls(): unknown[];
  commandCalls(command: unknown): { args: [{ input: Record<string, unknown> }] }[];
  restore(): void;
}

/**
 * The FIS client's stub. @aws-sdk/client-fis 3.523.0 (the newest 3.x the npm registry serves here) is
 * typed against an older @smithy/types than aws-sdk-client-mock 4.1, so its classes do not type-check
 * as the mock's parameters; at run time the stub intercepts its `send` like any v3 client's (these
 * tests prove it), so it is typed through {@link LooseStub}.
 */
function fisStub(): LooseStub {
  return mockClient(FisClient as never) as unknown as LooseStub;
}

function harness() {
  const fis = fisStub();
  const cloudwatch = mockClient(CloudWatchClient);
  const regions: string[] = [];
  const output = collectOutput();
  const prompts: string[] = [];
  const answers: string[] = [];
  const interrupts = { handler: undefined as (() => void) | undefined, registered: 0, released: 0 };
  const deps = {
    clients: (region: string) => {
      regions.push(region);
      return { fis: new FisClient({ region }), cloudwatch: new CloudWatchClient({ region }) };
    },
    output,
    now: () => at(1500),
    sleep: async () => undefined as void,
    interactive: false,
    prompt: async (question: string) => {
      prompts.push(question);
      return answers.shift() ?? "";
    },
    // The Ctrl-C handler the drill registers; `interrupt()` fires it as a SIGINT would.
    onInterrupt: (handler: () => void) => {
      interrupts.handler = handler;
      interrupts.registered += 1;
      return () => {
        interrupts.handler = undefined;
        interrupts.released += 1;
      };
    },
  };
  const interrupt = () => interrupts.handler?.();
  return { fis, cloudwatch, regions, output, deps, prompts, answers, interrupts, interrupt };
}

const options = (overrides: Partial<FaultDrillOptions> = {}): FaultDrillOptions => ({
  fault: "s3-replication-pause",
  live: true,
  stack: "dr",
  prefix: PREFIX,
  drRegion: "us-west-2",
  primaryRegion: "us-east-1",
  pollSeconds: 1,
  yes: true,
  ...overrides,
});

const history = (oldState: string, newState: string, seconds: number) => ({
  Timestamp: at(seconds),
  HistoryItemType: "StateUpdate" as const,
  HistoryData: JSON.stringify({ oldState: { stateValue: oldState }, newState: { stateValue: newState } }),
});

describe("npm run drill -- --fault", () => {
  let mocks: ReturnType<typeof harness>;
  beforeEach(() => (mocks = harness()));
  afterEach(() => {
    mocks.fis.restore();
    mocks.cloudwatch.restore();
  });

  it("without --live prints what the experiment would do and calls nothing", async () => {
    const code = await runFaultDrill(options({ live: false, fault: "cross-region-connectivity" }), mocks.deps);
    expect(code).to.equal(EXIT.succeeded);
    expect(mocks.fis.calls()).to.have.length(0);
    expect(mocks.cloudwatch.calls()).to.have.length(0);
    const text = mocks.output.text();
    expect(text).to.include("aws:network:route-table-disrupt-cross-region-connectivity), template in us-west-2 (the DR region)");
    expect(text).to.include(`stops early when: ${names.unhealthyTargetsAlarm} or ${names.targetErrorsAlarm} goes to ALARM`);
    expect(text).to.include("Dry run: no AWS call was made");
  });

  it("starts the stack's template in its region, follows it and reports the DR signals with their delays", async () => {
    mocks.fis.on(ListExperimentTemplatesCommand).resolves({
      experimentTemplates: [
        { id: "EXTother", tags: { DrFault: "s3-replication-pause", Stack: "staging-dr" } },
        { id: "EXTs3", tags: { DrFault: "s3-replication-pause", Stack: "dr" } },
        { id: "EXTnet", tags: { DrFault: "cross-region-connectivity", Stack: "dr" } },
      ],
    });
    mocks.fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP1", state: { status: "initiating" } } });
    mocks.fis
      .on(GetExperimentCommand)
      .resolvesOnce({ experiment: { id: "EXP1", state: { status: "running" } } })
      .resolvesOnce({
        experiment: {
          id: "EXP1",
          state: { status: "stopped", reason: "Experiment stopped by a stop condition" },
          startTime: at(-20),
          endTime: at(1200),
          actions: { "s3-replication-pause": { startTime: BEGAN } },
        },
      });
    mocks.cloudwatch
      .on(DescribeAlarmHistoryCommand, { AlarmName: names.replicationLatencyAlarm })
      .resolves({ AlarmHistoryItems: [history("OK", "ALARM", 1140), history("ALARM", "OK", 1380)] });
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand, { AlarmName: names.replicationFailuresAlarm }).resolves({ AlarmHistoryItems: [] });

    const code = await runFaultDrill(options(), mocks.deps);

    expect(code).to.equal(EXIT.succeeded);
    expect(mocks.fis.commandCalls(StartExperimentCommand)[0].args[0].input).to.deep.include({ experimentTemplateId: "EXTs3" });
    expect(mocks.fis.commandCalls(StartExperimentCommand)[0].args[0].input.clientToken).to.match(/^[0-9a-f-]{36}$/);
    expect(mocks.regions).to.deep.equal(["us-east-1", "us-east-1", "us-east-1"]);
    const historyInput = mocks.cloudwatch.commandCalls(DescribeAlarmHistoryCommand)[0].args[0].input;
    expect(historyInput).to.deep.include({ HistoryItemType: "StateUpdate", StartDate: BEGAN, ScanBy: "TimestampAscending" });
    const text = mocks.output.text();
    expect(text).to.include("Started experiment EXP1 (s3-replication-pause) from template EXTs3 in us-east-1.");
    expect(text).to.include("Experiment stopped after +20:00 of fault (Experiment stopped by a stop condition).");
    expect(text).to.include(`${names.replicationLatencyAlarm} (us-east-1): OK -> ALARM at +19:00, ALARM -> OK at +23:00`);
    expect(text).to.include(`${names.replicationFailuresAlarm} (us-east-1): no state change`);
  });

  it("reads the DR signals of the connectivity fault in the DR region", async () => {
    mocks.fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP2", state: { status: "completed" }, startTime: BEGAN } });
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({});
    const code = await runFaultDrill(options({ fault: "cross-region-connectivity", templateId: "EXTnet" }), mocks.deps);
    expect(code).to.equal(EXIT.succeeded);
    expect(mocks.fis.commandCalls(ListExperimentTemplatesCommand)).to.have.length(0);
    expect(mocks.cloudwatch.commandCalls(DescribeAlarmHistoryCommand).map((call) => call.args[0].input.AlarmName)).to.deep.equal([
      names.unhealthyTargetsAlarm,
      names.targetErrorsAlarm,
      names.primaryEndpointProbeAlarm,
      names.replicaLagOverRpoAlarm,
    ]);
    expect(mocks.regions.every((region) => region === "us-west-2")).to.equal(true);
  });

  it("exits 2 when the experiment fails", async () => {
    mocks.fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP3", state: { status: "initiating" } } });
    mocks.fis
      .on(GetExperimentCommand)
      .resolves({ experiment: { id: "EXP3", state: { status: "failed", reason: "Target resolution failed" }, startTime: BEGAN } });
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({});
    expect(await runFaultDrill(options({ templateId: "EXTs3" }), mocks.deps)).to.equal(EXIT.executionFailed);
    expect(mocks.output.text()).to.include("failed: Target resolution failed");
  });

  it("refuses when the stack has no template for the fault, or several", async () => {
    mocks.fis.on(ListExperimentTemplatesCommand).resolvesOnce({ experimentTemplates: [], nextToken: "n" }).resolvesOnce({ experimentTemplates: [] });
    const none = await runFaultDrill(options({ fault: "dynamodb-replication-pause" }), mocks.deps).catch((error: unknown) => error);
    expect(none).to.be.instanceOf(RunbookError);
    expect((none as RunbookError).message).to.match(
      /No FIS experiment template for dynamodb-replication-pause of stack dr in us-east-1.*faultInjection.enabled/,
    );
    expect(mocks.fis.commandCalls(ListExperimentTemplatesCommand)[1].args[0].input).to.deep.equal({ nextToken: "n" });
    expect(mocks.fis.commandCalls(StartExperimentCommand)).to.have.length(0);

    mocks.fis.on(ListExperimentTemplatesCommand).resolves({
      experimentTemplates: [
        { id: "A", tags: { DrFault: "s3-replication-pause", Stack: "dr" } },
        { id: "B", tags: { DrFault: "s3-replication-pause", Stack: "dr" } },
      ],
    });
    const several = await runFaultDrill(options(), mocks.deps).catch((error: unknown) => error);
    expect((several as RunbookError).message).to.match(/Several FIS templates .*: A, B; pass --template-id/);
  });

  it("names the missing permission when FIS refuses the start", async () => {
    mocks.fis.on(StartExperimentCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const error = await runFaultDrill(options({ templateId: "EXTs3" }), mocks.deps).catch((caught: unknown) => caught);
    expect((error as RunbookError).message).to.match(/Access denied: fis:StartExperiment on experiment-template\/EXTs3 is needed/);
  });
});

describe("npm run drill -- --fault --live: the confirmation and Ctrl-C (R5)", () => {
  let mocks: ReturnType<typeof harness>;
  beforeEach(() => (mocks = harness()));
  afterEach(() => {
    mocks.fis.restore();
    mocks.cloudwatch.restore();
  });

  it("refuses a live experiment without --yes when stdin is not a terminal, before any AWS call", async () => {
    const error = await runFaultDrill(options({ yes: false }), mocks.deps).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(RunbookError);
    expect((error as RunbookError).message).to.equal(
      'Refusing to start the s3-replication-pause experiment without confirmation: stdin is not a terminal, so "s3-replication-pause" cannot be typed. ' +
        "Run it from a terminal, or pass --yes to confirm on the command line. Nothing was started.",
    );
    expect(mocks.fis.calls()).to.have.length(0);
    expect(mocks.regions).to.deep.equal([]);
  });

  it("asks the operator to type the fault's name after showing the template; any other answer starts nothing", async () => {
    mocks.deps.interactive = true;
    mocks.fis.on(ListExperimentTemplatesCommand).resolves({ experimentTemplates: [{ id: "EXTs3", tags: { DrFault: "s3-replication-pause", Stack: "dr" } }] });
    mocks.answers.push("yes");
    const refused = await runFaultDrill(options({ yes: false }), mocks.deps).catch((caught: unknown) => caught);
    expect((refused as RunbookError).message).to.equal('Not confirmed (expected "s3-replication-pause"): nothing was started.');
    expect(mocks.fis.commandCalls(StartExperimentCommand)).to.have.length(0);
    expect(mocks.prompts).to.deep.equal(['Type "s3-replication-pause" to start it (anything else cancels): ']);
    const text = mocks.output.text();
    expect(text).to.include("LIVE FAULT s3-replication-pause (aws:s3:bucket-pause-replication) in us-east-1, template EXTs3:");
    expect(text).to.include(`stops early when ${names.replicationLatencyAlarm}`);
    expect(text).to.include("Ctrl-C stops it too (StopExperiment)");

    mocks.answers.push("s3-replication-pause");
    mocks.fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP1", state: { status: "completed" }, startTime: BEGAN } });
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({});
    expect(await runFaultDrill(options({ yes: false }), mocks.deps)).to.equal(EXIT.succeeded);
    expect(mocks.fis.commandCalls(StartExperimentCommand)).to.have.length(1);
    expect(mocks.output.text()).to.include("Started experiment EXP1 (s3-replication-pause) from template EXTs3 in us-east-1. Ctrl-C stops the experiment.");
  });

  it("--yes starts without asking", async () => {
    mocks.fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP1", state: { status: "completed" }, startTime: BEGAN } });
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({});
    expect(await runFaultDrill(options({ templateId: "EXTs3" }), mocks.deps)).to.equal(EXIT.succeeded);
    expect(mocks.prompts).to.deep.equal([]);
  });

  it("stops the experiment on Ctrl-C (StopExperiment), follows it to stopped, reports the signals and exits 2", async () => {
    mocks.fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP4", state: { status: "running" } } });
    mocks.fis.on(StopExperimentCommand).resolves({ experiment: { id: "EXP4", state: { status: "stopping" } } });
    mocks.fis
      .on(GetExperimentCommand)
      .resolvesOnce({ experiment: { id: "EXP4", state: { status: "stopping" } } })
      .resolves({ experiment: { id: "EXP4", state: { status: "stopped", reason: "Experiment stopped by the user" }, startTime: BEGAN, endTime: at(300) } });
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [history("OK", "ALARM", 240)] });
    // The operator presses Ctrl-C during the first wait; the wait itself never ends (only the interruption wakes the drill).
    let waits = 0;
    mocks.deps.sleep = () => {
      waits += 1;
      if (waits === 1) {
        mocks.interrupt();
        return new Promise<void>(() => undefined);
      }
      return Promise.resolve();
    };
    const code = await runFaultDrill(options({ templateId: "EXTs3" }), mocks.deps);
    expect(code).to.equal(EXIT.executionFailed);
    expect(mocks.fis.commandCalls(StopExperimentCommand).map((call) => call.args[0].input)).to.deep.equal([{ id: "EXP4" }]);
    const text = mocks.output.text();
    expect(text).to.include("Ctrl-C: StopExperiment sent for EXP4; following it until FIS has stopped it");
    expect(text).to.include("stopped: Experiment stopped by the user");
    expect(text).to.include(`${names.replicationLatencyAlarm} (us-east-1): OK -> ALARM at +04:00`);
    expect(text).to.include("Stopped by Ctrl-C at");
    expect(mocks.interrupts).to.deep.include({ registered: 1, released: 1 });
  });

  it("stops an experiment whose start was in flight when Ctrl-C came, before following it", async () => {
    mocks.fis.on(StartExperimentCommand).callsFake(() => {
      mocks.interrupt();
      return { experiment: { id: "EXP6", state: { status: "initiating" } } };
    });
    mocks.fis.on(StopExperimentCommand).resolves({});
    mocks.fis.on(GetExperimentCommand).resolves({ experiment: { id: "EXP6", state: { status: "stopped" }, startTime: BEGAN } });
    mocks.cloudwatch.on(DescribeAlarmHistoryCommand).resolves({});
    expect(await runFaultDrill(options({ templateId: "EXTs3" }), mocks.deps)).to.equal(EXIT.executionFailed);
    const order = mocks.fis.calls().map((call) => (call as { args: [{ constructor: { name: string } }] }).args[0].constructor.name);
    expect(order).to.deep.equal(["StartExperimentCommand", "StopExperimentCommand", "GetExperimentCommand"]);
  });

  it("says the fault may still be active, with the command that stops it, when StopExperiment fails", async () => {
    mocks.fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP5", state: { status: "running" } } });
    mocks.fis.on(StopExperimentCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    mocks.deps.sleep = async () => mocks.interrupt();
    const error = await runFaultDrill(options({ templateId: "EXTs3" }), mocks.deps).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(RunbookError);
    expect((error as RunbookError).message).to.include("Access denied: fis:StopExperiment on experiment/EXP5 is needed");
    expect((error as RunbookError).message).to.include("THE FAULT MAY STILL BE ACTIVE. Stop it now: aws fis stop-experiment --id EXP5 --region us-east-1");
    expect(mocks.interrupts.released).to.equal(1);
  });

  it("registers one SIGINT listener for the run and removes it after", () => {
    const before = process.listenerCount("SIGINT");
    const release = onSigint(() => undefined);
    expect(process.listenerCount("SIGINT")).to.equal(before + 1);
    release();
    expect(process.listenerCount("SIGINT")).to.equal(before);
  });
});

describe("npm run drill -- --fault: the CLI entry", () => {
  const projectDirectory = path.resolve(__dirname, "../..");

  it("reads both regions from the repository's stack files and prints the dry run", async () => {
    const output = collectOutput();
    const code = await faultDrillMain(["--fault", "s3-replication-pause"], {
      projectDirectory,
      output,
      clients: () => {
        throw new Error("no client in a dry run");
      },
      now: () => BEGAN,
      sleep: async () => undefined,
    });
    expect(code).to.equal(EXIT.succeeded);
    const primaryRegion = readStackSettings(projectDirectory, "primary").region!;
    expect(output.text()).to.include(`template in ${primaryRegion} (the primary region)`);
  });

  it("is what `npm run drill -- --fault` runs: runbook/cli.ts dispatches to it, and prints a refusal as a message with exit 1", async () => {
    const deps = {
      projectDirectory,
      clients: () => {
        throw new Error("no workflow client for a fault drill");
      },
      faultClients: () => {
        throw new Error("no client in a dry run");
      },
      interactive: false,
      prompt: async () => "",
      now: () => BEGAN,
      sleep: async () => undefined,
    };
    const output = collectOutput();
    expect(await main(["drill", "--fault", "s3-replication-pause"], { ...deps, output })).to.equal(EXIT.succeeded);
    expect(output.text()).to.include("(the primary region)");
    const refused = collectOutput();
    expect(await main(["drill", "--fault", "no-such-fault"], { ...deps, output: refused })).to.equal(1);
    expect(refused.text()).to.include("Usage: npm run drill -- --fault");
  });

  it("refuses a stack whose region is nowhere", async () => {
    const error = await faultDrillMain(["--fault", "s3-replication-pause", "--stack", "nowhere"], {
      projectDirectory,
      output: collectOutput(),
      clients: () => {
        throw new Error("no client");
      },
      now: () => BEGAN,
      sleep: async () => undefined,
    }).catch((caught: unknown) => caught);
    expect((error as RunbookError).message).to.match(/No region for stack nowhere: set aws:region in Pulumi.nowhere.yaml or pass --dr-region/);
  });
});

describe("npm run drill -- --fault: arguments and report parts", () => {
  it("parses the fault, --live and the options", () => {
    expect(parseFaultArguments(["--fault", "cross-region-connectivity", "--live", "--primary-region", "us-east-1", "--poll-seconds", "5"])).to.deep.equal({
      fault: "cross-region-connectivity",
      live: true,
      pollSeconds: 5,
      primaryRegion: "us-east-1",
    });
    expect(parseFaultArguments(["--fault", "s3-replication-pause", "--live", "--yes"])).to.deep.include({ live: true, yes: true });
  });

  it("refuses an unknown fault, an unknown option, a missing value and a bad poll interval", () => {
    expect(() => parseFaultArguments(["--fault", "az-power"])).to.throw(RunbookError, /--fault must be one of cross-region-connectivity, s3-replication-pause/);
    expect(() => parseFaultArguments(["--fault", "s3-replication-pause", "--force"])).to.throw(RunbookError, /Unknown argument --force/);
    expect(() => parseFaultArguments(["--fault"])).to.throw(RunbookError, /--fault needs a value/);
    expect(() => parseFaultArguments(["--fault", "s3-replication-pause", "--poll-seconds", "0"])).to.throw(RunbookError, /--poll-seconds/);
    expect(() => parseFaultArguments(["--fault", "s3-replication-pause", "--yes"])).to.throw(RunbookError, /--yes confirms a live experiment: add --live/);
  });

  it("dates the fault from its action's start, else the experiment's", () => {
    expect(faultStart({ startTime: at(-20), actions: { "s3-replication-pause": { startTime: BEGAN } } }, "s3-replication-pause", at(99))).to.deep.equal(BEGAN);
    expect(faultStart({ startTime: at(-20) }, "s3-replication-pause", at(99))).to.deep.equal(at(-20));
    expect(faultStart({}, "s3-replication-pause", at(99))).to.deep.equal(at(99));
  });

  it("reports a change of an alarm under its own region only", () => {
    const alarm = { name: "a", region: "us-east-1" };
    const lines = renderSignals([alarm, { name: "a", region: "us-west-2" }], [{ alarm, at: at(65), from: "OK", to: "ALARM" }], BEGAN);
    expect(lines).to.deep.equal(["  a (us-east-1): OK -> ALARM at +01:05", "  a (us-west-2): no state change"]);
  });
});
