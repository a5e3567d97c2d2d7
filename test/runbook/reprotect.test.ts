// Tests of `npm run reprotect` (runbook/reprotect.ts): a fake Pulumi CLI (the injected runner, which
// records every command), RDS clients of the DR and primary regions wrapped by aws-sdk-client-mock, and a
// clock whose `sleep` only advances time. The happy paths' exact command sequences and SDK calls, every
// refusal, a Pulumi command failing midway, the dry run, already re-protected, Aurora, and the pure parts.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateDBSnapshotCommand,
  type DBInstance,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeGlobalClustersCommand,
  type GlobalCluster,
  RDSClient,
} from "@aws-sdk/client-rds";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { EXIT } from "../../runbook/errors";
import { type CollectedOutput, collectOutput } from "../../runbook/output";
import {
  checkDrOutputs,
  type CommandResult,
  commandLine,
  commandRunner,
  databaseConfig,
  dependentsOf,
  deploymentWithout,
  findInstanceUrns,
  isRegionUnreachable,
  reprotectServices,
  reprotectSnapshotIdentifier,
  runReprotect,
  shellQuote,
} from "../../runbook/reprotect";
import { parseReprotectArguments, REPROTECT_USAGE } from "../../runbook/reprotectArguments";
import { awsError, harness as runbookHarness } from "./harness";

const ACCOUNT = "123456789012";
const NOW = new Date("2026-03-14T12:34:56.000Z");
const DR_ARN = `arn:aws:rds:us-west-2:${ACCOUNT}:db:dr-db-instance-5f2a`;
const OLD_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:db:primary-db-instance-9c1e`;
const OLD_ID = "primary-db-instance-9c1e";
const DR_ID = "dr-db-instance-5f2a";
const SNAPSHOT_ID = "primary-db-instance-9c1e-before-reprotect-202603141234";
const SNAPSHOT_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:${SNAPSHOT_ID}`;
const PRIMARY_CLUSTER = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:primary-cluster`;
const DR_CLUSTER = `arn:aws:rds:us-west-2:${ACCOUNT}:cluster:dr-cluster`;

const PREFIX = "urn:pulumi:primary::multi-region-dr::";
const STACK_URN = `${PREFIX}pulumi:pulumi:Stack::multi-region-dr-primary`;
const COMPONENT_URN = `${PREFIX}multi-region-dr:data:ReplicatedDatabase::primary-db`;
const INSTANCE_URN = `${PREFIX}multi-region-dr:data:ReplicatedDatabase$aws:rds/instance:Instance::primary-db-instance`;
const PARAMETERS_URN = `${PREFIX}multi-region-dr:data:ReplicatedDatabase$aws:rds/parameterGroup:ParameterGroup::primary-db-parameters`;
const RECORD_URN = `${PREFIX}multi-region-dr:dns:StableDatabaseName$aws:route53/record:Record::db-name-record`;
const HEARTBEAT_URN = `${PREFIX}aws:lambda/function:Function::heartbeat`;

function drOutputs(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    role: "dr",
    region: "us-west-2",
    primaryStack: "primary",
    primaryRegion: "us-east-1",
    replicaArn: DR_ARN,
    replicaIdentifier: DR_ID,
    replicaSourceArn: OLD_ARN,
    dbEngineMode: "instance",
    databasePromoted: true,
    ...patch,
  };
}

/** A primary stack's export: the stack, the database component, its parameter group and instance, and (by default) two dependents. */
function deployment(options: { dependents?: boolean; instances?: number } = {}): Record<string, unknown> {
  const instance = (index: number) => ({
    urn: index === 0 ? INSTANCE_URN : `${INSTANCE_URN}-${index}`,
    custom: true,
    id: OLD_ID,
    type: "aws:rds/instance:Instance",
    outputs: { arn: OLD_ARN, identifier: OLD_ID },
    parent: COMPONENT_URN,
    protect: true,
    dependencies: [PARAMETERS_URN],
    propertyDependencies: { parameterGroupName: [PARAMETERS_URN] },
  });
  const dependents =
    options.dependents === false
      ? []
      : [
          {
            urn: RECORD_URN,
            custom: true,
            type: "aws:route53/record:Record",
            outputs: { records: ["primary-db.abc.us-east-1.rds.amazonaws.com"] },
            parent: STACK_URN,
            dependencies: [INSTANCE_URN, PARAMETERS_URN],
            propertyDependencies: { records: [INSTANCE_URN], zoneId: [] },
          },
          {
            urn: HEARTBEAT_URN,
            custom: true,
            type: "aws:lambda/function:Function",
            outputs: {},
            parent: STACK_URN,
            dependencies: [INSTANCE_URN],
            deletedWith: INSTANCE_URN,
          },
        ];
  return {
    version: 3,
    deployment: {
      manifest: { time: "2026-03-01T00:00:00Z", version: "v3.270.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:abc" } },
      resources: [
        { urn: STACK_URN, custom: false, type: "pulumi:pulumi:Stack" },
        { urn: COMPONENT_URN, custom: false, type: "multi-region-dr:data:ReplicatedDatabase", parent: STACK_URN, protect: true },
        { urn: PARAMETERS_URN, custom: true, type: "aws:rds/parameterGroup:ParameterGroup", parent: COMPONENT_URN, outputs: { arn: "x" } },
        ...Array.from({ length: options.instances ?? 1 }, (_, index) => instance(index)),
        ...dependents,
      ],
    },
  };
}

function configJson(database?: Record<string, unknown>): string {
  return JSON.stringify({
    "aws:region": { value: "us-east-1", secret: false },
    "multi-region-dr:role": { value: "primary", secret: false },
    ...(database ? { "multi-region-dr:database": { value: JSON.stringify(database), objectValue: database, secret: false } } : {}),
  });
}

interface Call {
  command: string;
  args: string[];
  stream: boolean;
}

interface ReprotectHarness {
  drMock: AwsClientStub<RDSClient>;
  primaryMock: AwsClientStub<RDSClient>;
  output: CollectedOutput;
  calls: Call[];
  prompts: string[];
  sleeps: number[];
  files: Map<string, string>;
  /** The pulumi commands run, as lines (`stack export --stack primary`). */
  pulumi(): string[];
  run(argv: string[]): Promise<number>;
}

type Responder = (args: string[]) => Partial<CommandResult> | undefined;

function harness(
  options: {
    interactive?: boolean;
    answer?: string;
    outputs?: Record<string, unknown>;
    exported?: Record<string, unknown> | (() => Record<string, unknown>);
    config?: Record<string, unknown>;
    /** Answers a command before the defaults; return undefined to fall through. */
    respond?: Responder;
    files?: Record<string, string>;
  } = {},
): ReprotectHarness {
  const dr = new RDSClient({ region: "us-west-2" });
  const primary = new RDSClient({ region: "us-east-1" });
  const drMock = mockClient(dr);
  const primaryMock = mockClient(primary);
  const output = collectOutput();
  const calls: Call[] = [];
  const prompts: string[] = [];
  const sleeps: number[] = [];
  const files = new Map<string, string>(Object.entries(options.files ?? {}));
  let now = NOW.getTime();
  const exported = () => (typeof options.exported === "function" ? options.exported() : (options.exported ?? deployment()));
  const run = async (command: string, args: readonly string[], runOptions?: { stream?: boolean }): Promise<CommandResult> => {
    calls.push({ command, args: [...args], stream: runOptions?.stream ?? false });
    const special = options.respond?.([...args]);
    if (special) return { code: 0, stdout: "", stderr: "", ...special };
    const line = args.join(" ");
    if (line.startsWith("stack output --json")) return { code: 0, stdout: JSON.stringify(options.outputs ?? drOutputs()), stderr: "" };
    if (line.startsWith("stack export")) return { code: 0, stdout: JSON.stringify(exported()), stderr: "" };
    if (line.startsWith("config --json")) return { code: 0, stdout: configJson(options.config ?? { instanceClass: "db.r6g.large" }), stderr: "" };
    return { code: 0, stdout: "", stderr: "" };
  };
  const deps = {
    rds: (region: string) => (region === "us-west-2" ? dr : region === "us-east-1" ? primary : assert.fail(`no RDS client for ${region}`)),
    run,
    readFile: (file: string) => {
      const text = files.get(file);
      if (text === undefined) throw new Error(`ENOENT: no such file ${file}`);
      return text;
    },
    writeFile: (file: string, text: string) => {
      files.set(file, text);
    },
    stateDirectory: () => "/state",
    output,
    interactive: options.interactive ?? false,
    prompt: async (question: string) => {
      prompts.push(question);
      return options.answer ?? "";
    },
    now: () => new Date(now),
    sleep: async (milliseconds: number) => {
      sleeps.push(milliseconds);
      now += milliseconds;
    },
  };
  return {
    drMock,
    primaryMock,
    output,
    calls,
    prompts,
    sleeps,
    files,
    pulumi: () => calls.map((call) => `${call.command === "pulumi" ? "" : `${call.command} `}${call.args.join(" ")}`),
    run: (argv) => runReprotect(argv, deps),
  };
}

const drInstance = (patch: DBInstance = {}): DBInstance => ({
  DBInstanceIdentifier: DR_ID,
  DBInstanceArn: DR_ARN,
  DBInstanceStatus: "available",
  ReadReplicaDBInstanceIdentifiers: [],
  ...patch,
});
const oldInstance = (patch: DBInstance = {}): DBInstance => ({
  DBInstanceIdentifier: OLD_ID,
  DBInstanceArn: OLD_ARN,
  DBInstanceStatus: "available",
  DeletionProtection: true,
  ...patch,
});

/** Scripts both regions: the DR database, the old primary (or an error), the snapshot's statuses. */
function script(h: ReprotectHarness, options: { dr?: DBInstance; old?: DBInstance | Error; snapshots?: string[] } = {}): void {
  h.drMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [options.dr ?? drInstance()] });
  if (options.old instanceof Error) h.primaryMock.on(DescribeDBInstancesCommand).rejects(options.old);
  else h.primaryMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [options.old ?? oldInstance()] });
  h.primaryMock.on(CreateDBSnapshotCommand).resolves({ DBSnapshot: { DBSnapshotIdentifier: SNAPSHOT_ID, DBSnapshotArn: SNAPSHOT_ARN, Status: "creating" } });
  const statuses = options.snapshots ?? ["creating", "available"];
  let poll = 0;
  h.primaryMock.on(DescribeDBSnapshotsCommand).callsFake(() => ({
    DBSnapshots: [
      { DBSnapshotIdentifier: SNAPSHOT_ID, DBSnapshotArn: SNAPSHOT_ARN, Status: statuses[Math.min(poll++, statuses.length - 1)], PercentProgress: 50 },
    ],
  }));
}

const MUTATING_PULUMI = /^(state |stack import|config set|config rm|up )/;

describe("npm run reprotect (runbook/reprotect.ts)", () => {
  describe("the happy path", () => {
    it("without dependents: checks, snapshots, unprotects and deletes the URN, sets replicaSourceArn, prints pulumi up and the rest of the failback", async () => {
      const h = harness({ exported: deployment({ dependents: false }) });
      script(h);
      expect(await h.run(["--yes"])).to.equal(EXIT.succeeded);
      expect(h.pulumi()).to.deep.equal([
        "stack output --json --stack dr",
        "stack export --stack primary",
        "config --json --stack primary",
        `state unprotect ${INSTANCE_URN} --stack primary --yes`,
        `state delete ${INSTANCE_URN} --stack primary --yes`,
        `config set --path multi-region-dr:database.replicaSourceArn ${DR_ARN} --stack primary --plaintext`,
      ]);
      expect(h.calls.every((call) => call.command === "pulumi" && !call.stream)).to.equal(true);
      expect(h.drMock.commandCalls(DescribeDBInstancesCommand).map((call) => call.args[0].input)).to.deep.equal([{ DBInstanceIdentifier: DR_ID }]);
      expect(h.primaryMock.commandCalls(DescribeDBInstancesCommand).map((call) => call.args[0].input)).to.deep.equal([{ DBInstanceIdentifier: OLD_ID }]);
      expect(h.primaryMock.commandCalls(CreateDBSnapshotCommand).map((call) => call.args[0].input)).to.deep.equal([
        { DBInstanceIdentifier: OLD_ID, DBSnapshotIdentifier: SNAPSHOT_ID },
      ]);
      expect(h.primaryMock.commandCalls(DescribeDBSnapshotsCommand)).to.have.length(2);
      expect(h.drMock.commandCalls(CreateDBSnapshotCommand)).to.have.length(0);
      expect(h.sleeps).to.deep.equal([30_000]);
      const text = h.output.text();
      expect(text).to.include(`snapshot available after 00:30: ${SNAPSHOT_ARN}`);
      expect(text).to.include(`The old primary ${OLD_ID} stays in us-east-1, no longer managed by primary, deletion protection on`);
      expect(text).to.include(`aws rds delete-db-instance --db-instance-identifier ${OLD_ID}`);
      expect(text).to.include("pulumi up --stack primary --yes: creates the cross-region replica of the DR database (30 minutes to hours");
      expect(text).to.include("pulumi up -s dr");
      expect(text).to.include("npm run failback");
      expect(h.output.errors).to.deep.equal([]);
    });

    it("with dependents (the real primary stack): exports, keeps the export, imports it without the instance and the references to it", async () => {
      const h = harness();
      script(h);
      expect(await h.run(["--yes", "--no-snapshot"])).to.equal(EXIT.succeeded);
      expect(h.pulumi()).to.deep.equal([
        "stack output --json --stack dr",
        "stack export --stack primary",
        "config --json --stack primary",
        "stack export --stack primary",
        "stack import --stack primary --file /state/primary-state-reprotected.json",
        `config set --path multi-region-dr:database.replicaSourceArn ${DR_ARN} --stack primary --plaintext`,
      ]);
      expect(h.primaryMock.commandCalls(CreateDBSnapshotCommand)).to.have.length(0);
      expect(JSON.parse(h.files.get("/state/primary-state-before-reprotect.json") as string)).to.deep.equal(deployment());
      const imported = JSON.parse(h.files.get("/state/primary-state-reprotected.json") as string) as ReturnType<typeof deployment>;
      const resources = (imported.deployment as { resources: Record<string, unknown>[] }).resources;
      expect(resources.map((resource) => resource.urn)).to.deep.equal([STACK_URN, COMPONENT_URN, PARAMETERS_URN, RECORD_URN, HEARTBEAT_URN]);
      expect(JSON.stringify(imported)).not.to.include(INSTANCE_URN);
      expect(resources[3]).to.deep.include({ dependencies: [PARAMETERS_URN], propertyDependencies: { records: [], zoneId: [] } });
      expect(resources[4]).not.to.have.property("deletedWith");
      expect(h.output.text()).to.include("to undo: pulumi stack import --stack primary --file /state/primary-state-before-reprotect.json");
      expect(h.output.text()).to.include("2 resource(s) depend on it");
    });

    it("asks for the typed confirmation on a terminal, removes database.promoted, and with --up runs pulumi up streamed", async () => {
      const h = harness({ interactive: true, answer: "reprotect", config: { replicaSourceArn: OLD_ARN.replace("us-east-1", "eu-west-1"), promoted: true } });
      script(h);
      expect(await h.run(["--up", "--no-snapshot"])).to.equal(EXIT.succeeded);
      expect(h.prompts).to.deep.equal(['Type "reprotect" to make these changes (anything else cancels): ']);
      expect(h.pulumi().slice(-3)).to.deep.equal([
        `config set --path multi-region-dr:database.replicaSourceArn ${DR_ARN} --stack primary --plaintext`,
        "config rm --path multi-region-dr:database.promoted --stack primary",
        "up --stack primary --yes",
      ]);
      expect(h.calls.at(-1)?.stream).to.equal(true);
      expect(h.output.text()).not.to.include("Next:\n  - pulumi up --stack primary");
    });

    it("reads the outputs from --outputs-file and names a non-default DR stack in the next steps", async () => {
      const h = harness({ files: { "dr.json": JSON.stringify(drOutputs()) }, exported: deployment({ dependents: false }) });
      script(h);
      expect(await h.run(["--yes", "--no-snapshot", "--outputs-file", "dr.json", "--stack", "dr-west"])).to.equal(EXIT.succeeded);
      expect(h.pulumi()[0]).to.equal("stack export --stack primary");
      expect(h.output.text()).to.include("pulumi up -s dr-west");
    });

    it("resumes after an earlier run removed the instance and set the config: no snapshot, no state change, only pulumi up is left", async () => {
      const exported = deployment({ dependents: false });
      (exported.deployment as { resources: unknown[] }).resources.splice(3, 1);
      const h = harness({ exported, config: { replicaSourceArn: DR_ARN } });
      script(h);
      expect(await h.run(["--yes", "--up"])).to.equal(EXIT.succeeded);
      expect(h.pulumi().filter((line) => MUTATING_PULUMI.test(line))).to.deep.equal(["up --stack primary --yes"]);
      expect(h.primaryMock.commandCalls(CreateDBSnapshotCommand)).to.have.length(0);
      expect(h.output.text()).to.include("an earlier run got this far");
    });
  });

  describe("refusals (nothing changed, exit 1)", () => {
    const refuses = async (h: ReprotectHarness, argv: string[], message: string | RegExp) => {
      const code = await h.run(argv);
      expect(code, h.output.text()).to.equal(EXIT.refused);
      const errors = h.output.errors.join("\n");
      if (typeof message === "string") expect(errors).to.include(message);
      else expect(errors).to.match(message);
      expect(h.pulumi().filter((line) => MUTATING_PULUMI.test(line))).to.deep.equal([]);
      expect(h.primaryMock.commandCalls(CreateDBSnapshotCommand)).to.have.length(0);
    };

    it("the DR database was not promoted", async () => {
      const h = harness({ outputs: drOutputs({ databasePromoted: false }) });
      script(h);
      await refuses(h, ["--yes"], "The DR database was not promoted: nothing to re-protect");
      expect(h.drMock.calls()).to.have.length(0);
    });

    it("outputs of a stack that is not the DR one, or without the ARNs, region or stack", async () => {
      for (const [outputs, message] of [
        [drOutputs({ role: "primary" }), 'role "primary", not "dr"'],
        [drOutputs({ replicaArn: undefined, primaryStack: "" }), "have no primaryStack, replicaArn"],
        [drOutputs({ replicaArn: "db-1" }), "Output replicaArn of stack dr is db-1, not arn:aws:rds:<region>:<account>:db:<id>"],
        [drOutputs({ primaryRegion: "eu-west-1" }), "is not in primaryRegion eu-west-1"],
      ] as const) {
        const h = harness({ outputs });
        script(h);
        await refuses(h, ["--yes"], message);
      }
    });

    it("the outputs cannot be read: the Pulumi CLI fails, or is not installed", async () => {
      const failing = harness({
        respond: (args) => (args[0] === "stack" && args[1] === "output" ? { code: 255, stderr: "error: no stack named 'dr' found" } : undefined),
      });
      await refuses(failing, ["--yes"], "Cannot read the outputs of stack dr (error: no stack named 'dr' found). Log in to the state backend");
      const h = harness();
      const result = await runReprotect(["--yes"], {
        rds: () => new RDSClient({ region: "us-west-2" }),
        run: () => Promise.reject(Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" })),
        readFile: () => "",
        writeFile: () => undefined,
        stateDirectory: () => "/state",
        output: h.output,
        interactive: false,
        prompt: async () => "",
        now: () => NOW,
        sleep: async () => undefined,
      });
      expect(result).to.equal(EXIT.refused);
      expect(h.output.errors.join("\n")).to.include("pulumi could not be started: spawn pulumi ENOENT (is the Pulumi CLI installed and on PATH?)");
    });

    for (const [label, error] of [
      ["a timeout", awsError("TimeoutError", "socket did not establish a connection within 5000 ms")],
      ["a refused connection", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })],
      ["HTTP 503", Object.assign(awsError("ServiceUnavailable"), { $metadata: { httpStatusCode: 503 } })],
    ] as const) {
      it(`the primary region does not answer (${label})`, async () => {
        const h = harness();
        script(h, { old: error });
        await refuses(h, ["--yes"], "The primary region does not answer yet: re-run once it is back");
        expect(h.pulumi()).to.deep.equal(["stack output --json --stack dr"]);
      });
    }

    it("the primary region refuses the credentials: explained, not taken for an outage", async () => {
      const h = harness();
      script(h, { old: awsError("AccessDenied", "not authorized to perform rds:DescribeDBInstances") });
      await refuses(h, ["--yes"], `Access denied: rds:DescribeDBInstances on ${OLD_ID} is needed`);
    });

    it("the DR database is not standalone, not available, or missing", async () => {
      for (const [dr, message] of [
        [drInstance({ ReadReplicaSourceDBInstanceIdentifier: OLD_ARN }), `is not standalone: it is still a read replica of ${OLD_ARN}`],
        [drInstance({ DBInstanceStatus: "modifying" }), "is modifying, not available"],
      ] as const) {
        const h = harness();
        script(h, { dr });
        await refuses(h, ["--yes"], message);
        expect(h.primaryMock.calls()).to.have.length(0);
      }
      const h = harness();
      script(h);
      h.drMock.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault"));
      await refuses(h, ["--yes"], `The DR database ${DR_ID} does not exist in us-west-2`);
    });

    it("the old primary is gone, or is a replica of something else", async () => {
      const gone = harness();
      script(gone);
      gone.primaryMock.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault"));
      await refuses(gone, ["--yes"], `The old primary database ${OLD_ID} does not exist in us-east-1`);
      const other = harness();
      script(other, { old: oldInstance({ ReadReplicaSourceDBInstanceIdentifier: "arn:aws:rds:eu-west-1:123456789012:db:x" }) });
      await refuses(other, ["--yes"], "not the diverged old primary");
    });

    it("no instance in the primary stack's state has the old primary's ARN (and the config is not set)", async () => {
      const exported = deployment({ dependents: false });
      (exported.deployment as { resources: unknown[] }).resources.splice(3, 1);
      const h = harness({ exported });
      script(h);
      await refuses(h, ["--yes"], `No aws:rds/instance:Instance in the state of primary has arn ${OLD_ARN}`);
      expect(h.output.errors.join("\n")).to.include(`pulumi config set --path multi-region-dr:database.replicaSourceArn ${DR_ARN} --stack primary --plaintext`);
    });

    it("several instances in the state have the old primary's ARN", async () => {
      const h = harness({ exported: deployment({ instances: 2 }) });
      script(h);
      await refuses(h, ["--yes"], `2 aws:rds/instance:Instance resources in the state of primary have arn ${OLD_ARN}`);
    });

    it("the primary stack's state or config cannot be read", async () => {
      const state = harness({ respond: (args) => (args[1] === "export" ? { code: 255, stderr: "error: stack 'primary' not found" } : undefined) });
      script(state);
      await refuses(state, ["--yes"], "Cannot read the state of primary (pulumi stack export: error: stack 'primary' not found)");
      const config = harness({ respond: (args) => (args[0] === "config" ? { code: 255, stderr: "error: decrypting" } : undefined) });
      script(config);
      await refuses(config, ["--yes"], "Cannot read the config of primary (pulumi config --json: error: decrypting)");
    });

    it("no terminal and no --yes: refused before anything is read", async () => {
      const h = harness();
      script(h);
      await refuses(h, [], 'stdin is not a terminal, so "reprotect" cannot be typed');
      expect(h.calls).to.deep.equal([]);
    });

    it("not confirmed: the checks ran, nothing changed", async () => {
      const h = harness({ interactive: true, answer: "yes" });
      script(h);
      await refuses(h, [], 'Not confirmed (expected "reprotect"): nothing was changed.');
      expect(h.prompts).to.have.length(1);
    });

    it("bad arguments", async () => {
      for (const [argv, message] of [
        [["--bogus"], "unknown option --bogus for reprotect"],
        [["now"], 'unexpected argument "now"'],
        [["--snapshot-timeout-minutes", "2"], "--snapshot-timeout-minutes must be a whole number from 5 to 1440"],
        [["--no-snapshot", "--snapshot-timeout-minutes", "30"], "has no effect with --no-snapshot"],
        [["--stack", "-x"], "--stack needs a value"],
      ] as const) {
        const h = harness();
        await refuses(h, [...argv], message);
        expect(h.calls).to.deep.equal([]);
      }
    });
  });

  describe("failures midway (exit 2): what was done and what is left", () => {
    it("pulumi state delete fails after the snapshot and the unprotect: reports both done and the commands left", async () => {
      const h = harness({
        exported: deployment({ dependents: false }),
        respond: (args) =>
          args[0] === "state" && args[1] === "delete"
            ? { code: 255, stderr: "warning: x\nerror: the current deployment has 1 resource(s) with pending operations" }
            : undefined,
      });
      script(h);
      expect(await h.run(["--yes"])).to.equal(EXIT.executionFailed);
      const message = h.output.errors.join("\n");
      expect(message).to.include("Step 2 failed: Remove the old database from the state of primary (it stays in AWS)");
      expect(message).to.include("error: the current deployment has 1 resource(s) with pending operations");
      expect(message).to.include(`done: Snapshot ${SNAPSHOT_ID}`);
      expect(message).to.include(`pulumi state delete '${INSTANCE_URN}' --stack primary --yes`);
      expect(message).to.include(`pulumi config set --path multi-region-dr:database.replicaSourceArn ${DR_ARN} --stack primary --plaintext`);
      expect(message).to.include("pulumi up --stack primary --yes");
      expect(message).to.include("Left to do (fix the cause, then re-run npm run reprotect -- --no-snapshot (the snapshot is done), or run these by hand):");
      expect(h.pulumi().some((line) => line.startsWith("config set"))).to.equal(false);
    });

    it("pulumi stack import fails: the state is unchanged, the export is kept", async () => {
      const h = harness({ respond: (args) => (args[1] === "import" ? { code: 255, stderr: "error: could not import deployment: integrity" } : undefined) });
      script(h);
      expect(await h.run(["--yes", "--no-snapshot"])).to.equal(EXIT.executionFailed);
      const message = h.output.errors.join("\n");
      expect(message).to.include("Step 1 failed");
      expect(message).to.include("Nothing was changed before it.");
      expect(message).to.include("error: could not import deployment: integrity");
      expect(h.files.has("/state/primary-state-before-reprotect.json")).to.equal(true);
    });

    it("pulumi config set fails after the state change", async () => {
      const h = harness({
        exported: deployment({ dependents: false }),
        respond: (args) => (args[1] === "set" ? { code: 1, stderr: "error: permission denied: Pulumi.primary.yaml" } : undefined),
      });
      script(h);
      expect(await h.run(["--yes", "--no-snapshot"])).to.equal(EXIT.executionFailed);
      const message = h.output.errors.join("\n");
      expect(message).to.include("done: Remove the old database from the state of primary");
      expect(message).to.include("Step 2 failed: Set multi-region-dr:database.replicaSourceArn");
      expect(message).to.include("Left to do (fix the cause, then run these by hand):");
    });

    it("pulumi up fails: everything before it is done", async () => {
      const h = harness({
        exported: deployment({ dependents: false }),
        respond: (args) => (args[0] === "up" ? { code: 255, stderr: "error: creating RDS DB Instance: timeout" } : undefined),
      });
      script(h);
      expect(await h.run(["--yes", "--no-snapshot", "--up"])).to.equal(EXIT.executionFailed);
      const message = h.output.errors.join("\n");
      expect(message).to.include("Step 3 failed: pulumi up of primary");
      expect(message).to.include("  - pulumi up of primary");
    });

    it("the snapshot fails, or outlasts its bound: nothing in the stack was changed", async () => {
      const failed = harness();
      script(failed, { snapshots: ["creating", "failed"] });
      expect(await failed.run(["--yes"])).to.equal(EXIT.executionFailed);
      expect(failed.output.errors.join("\n")).to.include(`snapshot ${SNAPSHOT_ID} is failed`);
      expect(failed.pulumi().filter((line) => MUTATING_PULUMI.test(line))).to.deep.equal([]);

      const slow = harness();
      script(slow, { snapshots: ["creating"] });
      expect(await slow.run(["--yes", "--snapshot-timeout-minutes", "5", "--poll-seconds", "60"])).to.equal(EXIT.executionFailed);
      expect(slow.output.errors.join("\n")).to.include("is still creating after 5 min (--snapshot-timeout-minutes); it goes on");
      expect(slow.sleeps).to.deep.equal([60_000, 60_000, 60_000, 60_000, 60_000]);
      expect(slow.pulumi().filter((line) => MUTATING_PULUMI.test(line))).to.deep.equal([]);

      const refused = harness();
      script(refused);
      refused.primaryMock.on(CreateDBSnapshotCommand).rejects(awsError("InvalidDBInstanceState", "must be available"));
      expect(await refused.run(["--yes"])).to.equal(EXIT.executionFailed);
      expect(refused.output.errors.join("\n")).to.include("rds:CreateDBSnapshot on primary-db-instance-9c1e in us-east-1 failed: InvalidDBInstanceState");
      expect(refused.output.errors.join("\n")).to.include("Nothing was changed before it.");
      expect(refused.output.errors.join("\n")).to.include("or add --no-snapshot to go without the snapshot");
    });
  });

  describe("dry run", () => {
    it("prints every check, command and change, makes only read calls, exits 0", async () => {
      const h = harness({ config: { promoted: false, replicaSourceArn: "arn:aws:rds:us-west-2:123456789012:db:older" } });
      script(h);
      expect(await h.run(["--dry-run", "--up"])).to.equal(EXIT.succeeded);
      expect(h.pulumi()).to.deep.equal(["stack output --json --stack dr", "stack export --stack primary", "config --json --stack primary"]);
      expect(h.primaryMock.commandCalls(CreateDBSnapshotCommand)).to.have.length(0);
      expect(h.primaryMock.commandCalls(DescribeDBSnapshotsCommand)).to.have.length(0);
      expect(h.files.size).to.equal(0);
      expect(h.prompts).to.deep.equal([]);
      const text = h.output.text();
      expect(text).to.include("DRY RUN: nothing will be changed");
      expect(text).to.include(`check  DR database ${DR_ID} (us-west-2) is available and standalone`);
      expect(text).to.include("check  the primary region us-east-1 answers");
      expect(text).to.include(`aws rds create-db-snapshot --db-instance-identifier ${OLD_ID} --db-snapshot-identifier ${SNAPSHOT_ID} --region us-east-1`);
      expect(text).to.include("pulumi stack import --stack primary --file primary-state-reprotected.json");
      expect(text).to.include("pulumi config rm --path multi-region-dr:database.promoted --stack primary");
      expect(text).to.include("pulumi up --stack primary --yes");
      expect(text).to.include("To run it: npm run reprotect -- --up");
    });
  });

  describe("already re-protected (exit 0, nothing changed)", () => {
    it("the old primary is itself a replica of the DR database", async () => {
      const h = harness();
      script(h, { old: oldInstance({ ReadReplicaSourceDBInstanceIdentifier: DR_ARN }) });
      expect(await h.run(["--yes"])).to.equal(EXIT.succeeded);
      expect(h.output.text()).to.include(`Already re-protected: ${OLD_ID} in us-east-1 is a read replica of the DR database`);
      expect(h.pulumi()).to.deep.equal(["stack output --json --stack dr"]);
      expect(h.primaryMock.commandCalls(CreateDBSnapshotCommand)).to.have.length(0);
    });

    it("the DR database lists a replica in the primary region (the stack already made it)", async () => {
      const replica = `arn:aws:rds:us-east-1:${ACCOUNT}:db:primary-db-instance-77aa`;
      const h = harness();
      script(h, { dr: drInstance({ ReadReplicaDBInstanceIdentifiers: ["dr-local-reader", replica] }) });
      expect(await h.run(["--yes"])).to.equal(EXIT.succeeded);
      expect(h.output.text()).to.include(`Already re-protected: ${replica} is a read replica of the DR database`);
      expect(h.primaryMock.calls()).to.have.length(0);
    });
  });

  describe("Aurora global database (changes nothing)", () => {
    const auroraOutputs = drOutputs({ dbEngineMode: "aurora-global", databasePromoted: false, replicaArn: DR_CLUSTER, replicaSourceArn: PRIMARY_CLUSTER });
    const global = (members: GlobalCluster["GlobalClusterMembers"]): GlobalCluster => ({
      GlobalClusterIdentifier: "app-global",
      GlobalClusterMembers: members,
    });

    it("the primary cluster is a member again: says so and points at npm run failback", async () => {
      const h = harness({ outputs: auroraOutputs });
      h.drMock
        .on(DescribeGlobalClustersCommand, {})
        .resolves({ GlobalClusters: [global([{ DBClusterArn: "arn:aws:rds:us-west-2:123456789012:cluster:other" }])], Marker: "m1" })
        .on(DescribeGlobalClustersCommand, { Marker: "m1" })
        .resolves({
          GlobalClusters: [
            global([
              { DBClusterArn: DR_CLUSTER, IsWriter: true },
              { DBClusterArn: PRIMARY_CLUSTER, IsWriter: false, SynchronizationStatus: "pending-resync" },
            ]),
          ],
        });
      expect(await h.run(["--yes"])).to.equal(EXIT.succeeded);
      expect(h.output.text()).to.include("Aurora re-added it after the failover; run npm run failback");
      expect(h.output.text()).to.include("synchronization pending-resync: wait until connected");
      expect(h.drMock.commandCalls(DescribeGlobalClustersCommand)).to.have.length(2);
      expect(h.pulumi()).to.deep.equal(["stack output --json --stack dr"]);
      expect(h.primaryMock.calls()).to.have.length(0);
    });

    it("not a member yet: says what to do, exit 1", async () => {
      const h = harness({ outputs: auroraOutputs });
      h.drMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global([{ DBClusterArn: DR_CLUSTER, IsWriter: true }])] });
      expect(await h.run(["--yes"])).to.equal(EXIT.refused);
      expect(h.output.errors.join("\n")).to.include("is not a member of app-global yet");
      expect(h.output.errors.join("\n")).to.include('docs/outage-runbook.md, "Aurora global database"');
    });

    it("the DR cluster is in no global cluster, or DescribeGlobalClusters is denied", async () => {
      const detached = harness({ outputs: auroraOutputs });
      detached.drMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
      expect(await detached.run(["--yes"])).to.equal(EXIT.refused);
      expect(detached.output.errors.join("\n")).to.include("is in no global cluster");
      const denied = harness({ outputs: auroraOutputs });
      denied.drMock.on(DescribeGlobalClustersCommand).rejects(awsError("AccessDenied"));
      expect(await denied.run(["--yes"])).to.equal(EXIT.refused);
      expect(denied.output.errors.join("\n")).to.include("Access denied: rds:DescribeGlobalClusters");
    });
  });

  describe("the CLI", () => {
    it("dispatches reprotect and prints its usage; the runbook usage names it", async () => {
      const h = runbookHarness();
      expect(await h.run(["reprotect", "--help"])).to.equal(EXIT.succeeded);
      expect(h.output.lines).to.deep.equal([REPROTECT_USAGE]);
      const usage = runbookHarness();
      expect(await usage.run(["--help"])).to.equal(EXIT.succeeded);
      expect(usage.output.text()).to.include("tsx runbook/cli.ts reprotect");
    });

    it("parses the defaults", () => {
      expect(parseReprotectArguments([])).to.deep.equal({
        kind: "run",
        arguments: { stack: "dr", noSnapshot: false, snapshotTimeoutMinutes: 60, pollSeconds: 30, up: false, dryRun: false, yes: false },
      });
    });

    it("the default runner runs without a shell and reports exit codes and output; a missing program rejects", async () => {
      const run = commandRunner(process.cwd());
      const result = await run(process.execPath, ["-e", "process.stdout.write('out $HOME'); process.stderr.write('err'); process.exit(3)"]);
      expect(result).to.deep.equal({ code: 3, stdout: "out $HOME", stderr: "err" });
      const chunks: string[] = [];
      const sink = { write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WritableStream;
      const streamed = await commandRunner(process.cwd(), sink)(process.execPath, ["-e", "console.log('line')"], { stream: true });
      expect(streamed.code).to.equal(0);
      expect(chunks.join("")).to.equal("line\n");
      let rejected: unknown;
      await run("definitely-not-a-program-reprotect", []).catch((error: unknown) => (rejected = error));
      expect((rejected as { code?: string }).code).to.equal("ENOENT");
    });

    it("the default services keep state files in a private directory and clients per region", () => {
      const services = reprotectServices(mkdtempSync(path.join(tmpdir(), "reprotect-test-")));
      const directory = services.stateDirectory();
      expect(existsSync(directory)).to.equal(true);
      expect(statSync(directory).mode & 0o777).to.equal(0o700);
      const file = path.join(directory, "x.json");
      services.writeFile(file, "{}");
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(services.readFile(file)).to.equal("{}");
      expect(services.rds("eu-central-1")).to.be.instanceOf(RDSClient);
    });
  });

  describe("the pure parts", () => {
    it("reprotectSnapshotIdentifier: <id>-before-reprotect-<yyyymmddhhmm> UTC, within RDS's 255 characters", () => {
      expect(reprotectSnapshotIdentifier(OLD_ID, NOW)).to.equal(SNAPSHOT_ID);
      const longest = reprotectSnapshotIdentifier(`a${"b".repeat(62)}`, NOW);
      expect(longest.length).to.be.at.most(255);
      expect(longest).to.match(/^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/);
    });

    it("findInstanceUrns and dependentsOf read the export as Pulumi's dependency graph does", () => {
      expect(findInstanceUrns(deployment(), OLD_ARN, "primary")).to.deep.equal([INSTANCE_URN]);
      expect(findInstanceUrns(deployment(), DR_ARN, "primary")).to.deep.equal([]);
      expect(findInstanceUrns({ version: 3, deployment: {} }, OLD_ARN, "primary")).to.deep.equal([]);
      expect(dependentsOf(deployment(), INSTANCE_URN, "primary")).to.deep.equal([RECORD_URN, HEARTBEAT_URN]);
      expect(dependentsOf(deployment({ dependents: false }), INSTANCE_URN, "primary")).to.deep.equal([]);
      expect(dependentsOf(deployment(), PARAMETERS_URN, "primary")).to.deep.equal([INSTANCE_URN, RECORD_URN]);
      expect(() => findInstanceUrns({ deployment: { resources: "x" } }, OLD_ARN, "primary")).to.throw("no deployment.resources list");
    });

    it("deploymentWithout leaves its input alone and refuses a missing URN or a parent", () => {
      const input = deployment();
      const before = JSON.stringify(input);
      deploymentWithout(input, INSTANCE_URN, "primary");
      expect(JSON.stringify(input)).to.equal(before);
      expect(() => deploymentWithout(input, `${INSTANCE_URN}-x`, "primary")).to.throw("is no longer in the state of primary");
      expect(() => deploymentWithout(input, COMPONENT_URN, "primary")).to.throw("has children in the state of primary");
    });

    it("checkDrOutputs: instance and aurora-global shapes", () => {
      expect(checkDrOutputs(drOutputs(), "stack dr")).to.deep.equal({
        engineMode: "instance",
        drArn: DR_ARN,
        oldPrimaryArn: OLD_ARN,
        primaryRegion: "us-east-1",
        primaryStack: "primary",
        promoted: true,
      });
      expect(() => checkDrOutputs(drOutputs({ replicaArn: OLD_ARN }), "stack dr")).to.throw("is in the primary region us-east-1");
      expect(() => checkDrOutputs(drOutputs({ dbEngineMode: "aurora-global", replicaArn: DR_ARN, replicaSourceArn: PRIMARY_CLUSTER }), "stack dr")).to.throw(
        "not arn:aws:rds:<region>:<account>:cluster:<id>",
      );
    });

    it("databaseConfig reads objectValue or the JSON value, and refuses a non-object", () => {
      expect(databaseConfig(configJson({ promoted: true }), "primary")).to.deep.equal({ promoted: true });
      expect(databaseConfig(JSON.stringify({ "multi-region-dr:database": { value: '{"a":1}', secret: false } }), "primary")).to.deep.equal({ a: 1 });
      expect(databaseConfig(configJson(), "primary")).to.deep.equal({});
      expect(() => databaseConfig(JSON.stringify({ "multi-region-dr:database": { value: "x", secret: false } }), "org/proj/primary")).to.throw(
        "fix Pulumi.primary.yaml",
      );
      expect(() => databaseConfig("not json", "primary")).to.throw("printed no JSON");
    });

    it("isRegionUnreachable: the SDK's transient errors, not service refusals", () => {
      expect(isRegionUnreachable(awsError("TimeoutError"))).to.equal(true);
      expect(isRegionUnreachable(Object.assign(new Error("x"), { code: "ENOTFOUND" }))).to.equal(true);
      expect(isRegionUnreachable(Object.assign(awsError("InternalFailure"), { $metadata: { httpStatusCode: 500 } }))).to.equal(true);
      expect(isRegionUnreachable(awsError("AccessDenied"))).to.equal(false);
      expect(isRegionUnreachable(Object.assign(awsError("Throttling"), { $metadata: { httpStatusCode: 400 } }))).to.equal(false);
      expect(isRegionUnreachable(undefined)).to.equal(false);
    });

    it("shellQuote and commandLine quote what a shell would expand", () => {
      expect(shellQuote("primary")).to.equal("primary");
      expect(shellQuote(INSTANCE_URN)).to.equal(`'${INSTANCE_URN}'`);
      expect(shellQuote("it's")).to.equal(`'it'\\''s'`);
      expect(commandLine("pulumi", ["state", "delete", "a$b"])).to.equal("pulumi state delete 'a$b'");
    });
  });
});
