/**
 * Test harness for the runbook CLI: a project folder with its own `Pulumi.dr.yaml`, SFN and STS
 * clients wrapped by aws-sdk-client-mock, a fake clock whose `sleep` only advances time, a
 * collecting output, and a scripted execution whose history grows poll by poll and is served in
 * small pages with `nextToken`s.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandInput,
  type HistoryEvent,
  type HistoryEventType,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { main, type RunbookDependencies } from "../../runbook/cli";
import { type CollectedOutput, collectOutput } from "../../runbook/output";

export const ACCOUNT = "123456789012";
export const START = new Date("2026-03-14T09:15:00.000Z");
export const FAILOVER_ARN = `arn:aws:states:us-west-2:${ACCOUNT}:stateMachine:multi-region-dr-dr-dr-failover`;

const STACK_FILE = `config:
  aws:region: us-west-2
  multi-region-dr:role: dr
  multi-region-dr:recovery:
    rtoSeconds: 900
    rpoSeconds: 60
`;

/** An AWS SDK-style error: the SDK sets `name` to the service's error code. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

export interface Harness {
  deps: RunbookDependencies;
  sfnMock: AwsClientStub<SFNClient>;
  stsMock: AwsClientStub<STSClient>;
  output: CollectedOutput;
  prompts: string[];
  sleeps: number[];
  /** Regions the clients were made for. */
  regions: string[];
  projectDirectory: string;
  run(argv: string[]): Promise<number>;
}

/**
 * A fresh harness. STS answers with account 123456789012 (partition `aws`) unless replaced.
 * @param options.stackFiles stack name -> YAML; default a `dr` stack in us-west-2 with an RTO of 900 s.
 */
export function harness(options: { interactive?: boolean; answer?: string; stackFiles?: Record<string, string> } = {}): Harness {
  const projectDirectory = mkdtempSync(path.join(tmpdir(), "runbook-test-"));
  for (const [stack, yaml] of Object.entries(options.stackFiles ?? { dr: STACK_FILE }))
    writeFileSync(path.join(projectDirectory, `Pulumi.${stack}.yaml`), yaml);
  const sfn = new SFNClient({ region: "us-west-2" });
  const sts = new STSClient({ region: "us-west-2" });
  const sfnMock = mockClient(sfn);
  const stsMock = mockClient(sts);
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/operator`, UserId: "AIDAEXAMPLE" });
  const output = collectOutput();
  const prompts: string[] = [];
  const sleeps: number[] = [];
  const regions: string[] = [];
  let now = START.getTime();
  const deps: RunbookDependencies = {
    projectDirectory,
    clients: (region) => {
      regions.push(region);
      return { sfn, sts };
    },
    output,
    interactive: options.interactive ?? false,
    prompt: async (question) => {
      prompts.push(question);
      return options.answer ?? "";
    },
    now: () => new Date(now),
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
      now += milliseconds;
    },
  };
  return { deps, sfnMock, stsMock, output, prompts, sleeps, regions, projectDirectory, run: (argv) => main(argv, deps) };
}

/** Builds history events with consecutive ids, times in seconds after `START`. */
export class HistoryScript {
  readonly events: HistoryEvent[] = [];

  /** Adds one event; `previous` defaults to the event before it. @returns its id. */
  add(seconds: number, type: HistoryEventType, details: Partial<HistoryEvent> = {}, previous?: number): number {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: previous ?? id - 1, timestamp: new Date(START.getTime() + seconds * 1000), type, ...details });
    return id;
  }

  entered(seconds: number, type: string, name: string, previous?: number): number {
    return this.add(seconds, `${type}StateEntered` as HistoryEventType, { stateEnteredEventDetails: { name, input: "{}" } }, previous);
  }

  exited(seconds: number, type: string, name: string, previous?: number): number {
    return this.add(seconds, `${type}StateExited` as HistoryEventType, { stateExitedEventDetails: { name, output: "{}" } }, previous);
  }

  /** A Task state that succeeds at once: entered, scheduled, started, succeeded, exited. @returns the exited event's id. */
  task(from: number, to: number, name: string, previous?: number): number {
    this.entered(from, "Task", name, previous);
    this.add(from, "TaskScheduled", { taskScheduledEventDetails: { resourceType: "aws-sdk", resource: "x", region: "us-west-2", parameters: "{}" } });
    this.add(from, "TaskStarted");
    this.add(to, "TaskSucceeded");
    return this.exited(to, "Task", name);
  }

  /** A Pass (or Choice) state entered and exited at once. */
  instant(seconds: number, type: "Pass" | "Choice", name: string, previous?: number): number {
    this.entered(seconds, type, name, previous);
    return this.exited(seconds, type, name);
  }

  /** How many events so far (a poll's cut). */
  get length(): number {
    return this.events.length;
  }
}

/** One DescribeExecution answer of the scripted execution: the events visible by then and the status. */
export interface ScriptedPoll {
  /** Number of events of the script visible at this poll. */
  visible: number;
  status: ExecutionStatus;
  error?: string;
  cause?: string;
}

/**
 * Scripts StartExecution, DescribeExecution and GetExecutionHistory: each DescribeExecution moves to
 * the next poll (the last one repeats); the history shows the events visible at the current poll in
 * pages of `pageSize` with `nextToken`s `page:<index>`.
 * @returns the history requests, to check tokens and ordering.
 */
export function scriptExecution(
  sfnMock: AwsClientStub<SFNClient>,
  script: HistoryScript,
  polls: ScriptedPoll[],
  options: { executionName?: string; pageSize?: number } = {},
): { executionArn: string; historyRequests: GetExecutionHistoryCommandInput[] } {
  const name = options.executionName ?? "failover-unplanned-20260314T091500Z";
  const executionArn = `arn:aws:states:us-west-2:${ACCOUNT}:execution:multi-region-dr-dr-dr-failover:${name}`;
  const pageSize = options.pageSize ?? 3;
  const historyRequests: GetExecutionHistoryCommandInput[] = [];
  let poll = -1;
  sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: START });
  sfnMock.on(DescribeExecutionCommand).callsFake(() => {
    poll = Math.min(poll + 1, polls.length - 1);
    const current = polls[poll];
    const last = script.events[current.visible - 1];
    return {
      executionArn,
      stateMachineArn: FAILOVER_ARN,
      name,
      status: current.status,
      startDate: START,
      ...(current.status === "RUNNING" ? {} : { stopDate: last?.timestamp }),
      ...(current.error ? { error: current.error } : {}),
      ...(current.cause ? { cause: current.cause } : {}),
    };
  });
  sfnMock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
    historyRequests.push(input);
    const visible = script.events.slice(0, polls[Math.max(poll, 0)].visible);
    const start = input.nextToken ? Number(input.nextToken.replace("page:", "")) : 0;
    const end = start + pageSize;
    return { events: visible.slice(start, end), ...(end < visible.length ? { nextToken: `page:${end}` } : {}) };
  });
  return { executionArn, historyRequests };
}
