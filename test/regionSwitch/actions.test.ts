/**
 * The Region switch actions function (recovery/lambda/regionSwitchActions.mjs) on a simulated pair: a group that
 * drains, a replica that replays the heartbeat, the refusals before anything changes, and the restore when the
 * catch-up is not proven; and the primary outputs a plan needs (recovery/regionSwitch/requirements.ts).
 */
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { planActions } from "../../components/regionSwitchPlan";
import { type ActionClients, runAction, STOP_WRITES_DEADLINE_SECONDS, type StopWritesAction } from "../../recovery/lambda/regionSwitchActions.mjs";
import { assertRegionSwitchPrimary } from "../../recovery/regionSwitch/requirements";
import { STEP_NAMES } from "../../recovery/regionSwitch/workflows";

const PRIMARY_DB = "arn:aws:rds:eu-west-2:123456789012:db:primary-db";
const STOP: StopWritesAction = {
  kind: "stop-writes",
  group: { name: "primary-app", region: "eu-west-2" },
  restore: { minSize: 2, desiredCapacity: 3, maxSize: 6 },
  replica: { identifier: "dr-db", region: "eu-west-3", sourceArn: PRIMARY_DB },
  heartbeatFunctionArn: "arn:aws:lambda:eu-west-3:123456789012:function:dr-heartbeat",
};

/** A simulated pair: `drainAfter` looks until the group is empty, `replayAfter` catch-up reads until caught up (Infinity: never). */
function pair(options: { source?: string; status?: string; ready?: boolean; drainAfter?: number; replayAfter?: number } = {}) {
  const calls: string[] = [];
  let clock = 0;
  let looks = 0;
  let reads = 0;
  const clients: ActionClients = {
    actions: { [STEP_NAMES.stopPrimaryWrites]: STOP },
    autoScalingIn: (region) => ({
      updateGroup: async (input) => void calls.push(`${region} update ${JSON.stringify(input)}`),
      describeGroups: async () => ({ AutoScalingGroups: [{ Instances: looks++ >= (options.drainAfter ?? 2) ? [] : [{}] }] }),
    }),
    rdsIn: (region) => ({
      describeInstances: async () => {
        calls.push(`${region} describe`);
        return { DBInstances: [{ ReadReplicaSourceDBInstanceIdentifier: options.source ?? PRIMARY_DB, DBInstanceStatus: options.status ?? "available" }] };
      },
    }),
    invoke: async (_arn, payload) => {
      const request = payload as { withinSeconds?: number; since?: string };
      if (request.withinSeconds !== undefined) return { caughtUp: options.ready ?? true };
      calls.push(`replayedSince ${request.since}`);
      return { caughtUp: reads++ >= (options.replayAfter ?? 1) };
    },
    now: () => clock,
    sleep: async (milliseconds) => void (clock += milliseconds),
  };
  return { clients, calls };
}

const run = (clients: ActionClients, step: string = STEP_NAMES.stopPrimaryWrites) => runAction({ StepName: step }, clients);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => error,
  );

describe("Region switch actions function", () => {
  it("stops the writes, waits for the last instance, then for a heartbeat committed after it", async () => {
    const { clients, calls } = pair();
    const result = await run(clients);
    expect(result.step).to.equal(STEP_NAMES.stopPrimaryWrites);
    expect(calls[0]).to.equal("eu-west-3 describe");
    expect(calls[1]).to.equal(`eu-west-2 update ${JSON.stringify({ AutoScalingGroupName: "primary-app", MinSize: 0, DesiredCapacity: 0, MaxSize: 0 })}`);
    // The drain took two looks (20 s): the catch-up asks for heartbeats after that moment, never before.
    expect(result.stoppedAt).to.equal(new Date(20_000).toISOString());
    expect(calls.filter((call) => call.startsWith("replayedSince")).every((call) => call === `replayedSince ${result.stoppedAt}`)).to.equal(true);
    expect(calls.some((call) => call.includes('"MinSize":2'))).to.equal(false);
  });

  it("changes nothing when the activating database is not a replica of the other (no re-protection), or the heartbeat is not ready", async () => {
    for (const options of [{ source: undefined as unknown as string, status: "available" }, { source: "arn:other" }, { status: "modifying" }]) {
      const { clients, calls } = pair(options.source === undefined ? { ...options, source: "" } : options);
      const error = await failure(run(clients));
      expect(error?.name, JSON.stringify(options)).to.equal("NotAReplica");
      expect(calls.filter((call) => call.includes("update"))).to.deep.equal([]);
    }
    const { clients, calls } = pair({ ready: false });
    expect((await failure(run(clients)))?.name).to.equal("HeartbeatNotReady");
    expect(calls.filter((call) => call.includes("update"))).to.deep.equal([]);
  });

  it("restores the group's capacity and fails when the replica does not catch up before its deadline", async () => {
    const { clients, calls } = pair({ replayAfter: Infinity });
    const error = await failure(run(clients));
    expect(error?.name).to.equal("CatchUpTimeout");
    expect(clients.now()).to.be.at.most(STOP_WRITES_DEADLINE_SECONDS * 1000);
    expect(calls.at(-1)).to.equal(`eu-west-2 update ${JSON.stringify({ AutoScalingGroupName: "primary-app", MinSize: 2, DesiredCapacity: 3, MaxSize: 6 })}`);
  });

  it("restores the group when the drain never ends", async () => {
    const { clients, calls } = pair({ drainAfter: Infinity });
    expect((await failure(run(clients)))?.message).to.match(/still had instances/);
    expect(calls.at(-1)).to.include('"MinSize":2');
  });

  it("counts its pre-checks in the deadline, and names both failures with the capacity to set back when the restore fails too", async () => {
    const { clients } = pair({ drainAfter: Infinity });
    const slowChecks = clients.rdsIn;
    clients.rdsIn = (region) => ({
      describeInstances: async () => {
        await clients.sleep(100_000);
        return slowChecks(region).describeInstances({} as never);
      },
    });
    const updates: string[] = [];
    const base = clients.autoScalingIn;
    clients.autoScalingIn = (region) => ({
      ...base(region),
      updateGroup: async (input) => {
        updates.push(JSON.stringify(input));
        if (updates.length > 1) throw new Error("Rate exceeded");
      },
    });
    const error = await failure(run(clients));
    expect(clients.now()).to.be.at.most(STOP_WRITES_DEADLINE_SECONDS * 1000);
    expect(error?.name).to.equal("RestoreFailed");
    expect(error?.message).to.match(/still had instances.*restoring primary-app in eu-west-2 failed too \(Rate exceeded\).*min 2, desired 3, max 6/);
  });

  it("sets a capacity, and refuses an unknown step", async () => {
    const { clients, calls } = pair();
    clients.actions[STEP_NAMES.returnDrToStandby] = {
      kind: "set-capacity",
      group: { name: "dr-app", region: "eu-west-3" },
      capacity: { minSize: 1, desiredCapacity: 1, maxSize: 6 },
    };
    await run(clients, STEP_NAMES.returnDrToStandby);
    expect(calls).to.deep.equal([`eu-west-3 update ${JSON.stringify({ AutoScalingGroupName: "dr-app", MinSize: 1, DesiredCapacity: 1, MaxSize: 6 })}`]);
    expect((await failure(run(clients, "point-database-name")))?.message).to.match(/no action for step "point-database-name"/);
  });
});

describe("Region switch plan actions and requirements", () => {
  const targets = {
    partition: "aws",
    accountId: "123456789012",
    primaryRegion: "eu-west-2",
    drRegion: "eu-west-3",
    rtoSeconds: 1800,
    replica: { identifier: "dr-db", arn: "arn:aws:rds:eu-west-3:123456789012:db:dr-db", backupRetentionDays: 7 },
    database: { engineMode: "instance" as const },
    drAutoScalingGroup: {
      name: "dr-app",
      arn: "arn:dr-asg",
      standby: { minSize: 1, desiredCapacity: 1, maxSize: 6 },
      recovery: { minSize: 2, desiredCapacity: 3, maxSize: 6 },
    },
    primary: { databaseArn: PRIMARY_DB, autoScalingGroupName: "primary-app", autoScalingGroupArn: "arn:primary-asg" },
    dns: { hostedZoneId: "Z", applicationName: "app.example.com", primarySetIdentifier: "p", secondarySetIdentifier: "s" },
    automatic: false,
  };

  it("stops each direction's writer and proves the catch-up with the activating region's heartbeat", () => {
    const actions = planActions("t", targets, { primary: "arn:hb-primary", dr: "arn:hb-dr" }, { minSize: 2, desiredCapacity: 3, maxSize: 6 });
    expect(actions[STEP_NAMES.stopPrimaryWrites]).to.deep.include({ heartbeatFunctionArn: "arn:hb-dr", group: { name: "primary-app", region: "eu-west-2" } });
    expect(actions[STEP_NAMES.stopDrWrites]).to.deep.include({
      heartbeatFunctionArn: "arn:hb-primary",
      group: { name: "dr-app", region: "eu-west-3" },
      replica: { identifier: "primary-db", region: "eu-west-2", sourceArn: targets.replica.arn },
      restore: targets.drAutoScalingGroup.recovery,
    });
    expect(() => planActions("t", targets, { primary: "", dr: "arn:hb-dr" }, { minSize: 1, desiredCapacity: 1, maxSize: 1 })).to.throw(RangeError, /heartbeat/);
  });

  it("refuses, naming recovery.orchestrator, a primary without its group's ARN or its heartbeat", () => {
    expect(() => assertRegionSwitchPrimary({ autoScalingGroupArn: undefined, dbEngineMode: "instance", dbHeartbeatFunctionArn: undefined })).to.throw(
      ConfigError,
      /multi-region-dr:recovery\.orchestrator[\s\S]*autoScalingGroupArn[\s\S]*dbHeartbeatFunctionArn/,
    );
    expect(() => assertRegionSwitchPrimary({ autoScalingGroupArn: "arn:a", dbEngineMode: "aurora-global", dbHeartbeatFunctionArn: undefined })).to.not.throw();
  });
});
