/**
 * The Region switch plan's custom actions (components/regionSwitchPlan.ts): what no execution block does.
 * One copy runs in each of the plan's regions, and ARC invokes the activating region's copy (ARC Developer
 * Guide, "Custom action Lambda execution block": two functions, "one in each of the plan's Regions";
 * regionToRun `activatingRegion`) with the execution's metadata only (`InvokedBy`, `PlanArn`, `ExecutionId`,
 * `StepName`: ARC API Reference, `Lambdas` `payload`). The step name selects the action from `ACTIONS` (JSON,
 * step name -> action), set at deploy time and identical in both copies.
 *
 * - `stop-writes` (`stop-primary-writes` on failover, `stop-dr-writes` on failback), the Step Functions
 *   failback's "Stop writes in DR" and "Primary catch-up" (recovery/failback.ts) in one run:
 *   1. nothing changes unless the activating region's database is an `available` read replica of the other
 *      region's (`NotAReplica`: on failback, the re-protection has not happened) and has replayed a heartbeat of
 *      the last `HEARTBEAT_READY_SECONDS` (`HeartbeatNotReady`: catch-up could not be proven later);
 *   2. the deactivating region's group to 0 (UpdateAutoScalingGroup), then wait until its last instance is gone:
 *      an instance writes until it is terminated (EC2 Auto Scaling User Guide, "Use Elastic Load Balancing to
 *      distribute incoming application traffic in your Auto Scaling group": deregistration, then termination);
 *   3. at `t` (all gone), wait until the activating region's heartbeat function says its replica replayed a
 *      heartbeat committed after `t` (recovery/lambda/replicationHeartbeat.mjs `replayedSince`): every earlier
 *      commit is then replayed;
 *   4. past `STOP_WRITES_DEADLINE_SECONDS`, or on any error after step 2 began, the group gets `restore` back and
 *      the run throws (`CatchUpTimeout` or the error): the step fails and the plan pauses, the old writer serving.
 * - `set-capacity` (`return-dr-to-standby`): the group set to `capacity`; idempotent.
 *
 * Every call goes to the region it names (the group's, the database's, the heartbeat function's).
 */
import console from "node:console";
import { Buffer } from "node:buffer";
import process from "node:process";
import { setTimeout as delay } from "node:timers/promises";

/** The environment variable holding the actions. */
export const ACTIONS_VARIABLE = "ACTIONS";
/**
 * Seconds a stop-writes run waits for the drain and the catch-up before it restores the group: under Lambda's 900 s
 * limit (the function's timeout, components/regionSwitchPlan.ts) with room for the restore. The drain is the target
 * group's deregistration delay (300 s by default: ELB User Guide, "Deregistration delay") plus the termination.
 */
export const STOP_WRITES_DEADLINE_SECONDS = 780;
/** Seconds between two looks at the group or the heartbeat. */
export const POLL_SECONDS = 10;
/** The readiness window of the heartbeat before anything stops (recovery/heartbeat.ts `HEARTBEAT_READY_SECONDS`). */
export const HEARTBEAT_READY_SECONDS = 120;

/** An Error with a `name` the step's failure shows. */
function namedError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * @param {string | undefined} text the ACTIONS variable
 * @throws Error when it is missing or not a JSON object.
 */
export function parseActions(text) {
  if (!text) throw new Error(`${ACTIONS_VARIABLE} is not set`);
  const actions = JSON.parse(text);
  if (actions === null || typeof actions !== "object" || Array.isArray(actions))
    throw new Error(`${ACTIONS_VARIABLE} must be a JSON object of step name -> action`);
  return actions;
}

/** UpdateAutoScalingGroup to `capacity` (min, desired, max). */
async function setCapacity(clients, group, capacity) {
  await clients.autoScalingIn(group.region).updateGroup({
    AutoScalingGroupName: group.name,
    MinSize: capacity.minSize,
    DesiredCapacity: capacity.desiredCapacity,
    MaxSize: capacity.maxSize,
  });
}

/** Instances of the group in any lifecycle state (DescribeAutoScalingGroups `Instances`). */
async function instanceCount(clients, group) {
  const answer = await clients.autoScalingIn(group.region).describeGroups({ AutoScalingGroupNames: [group.name] });
  const found = answer?.AutoScalingGroups?.[0];
  if (!found) throw namedError("GroupNotFound", `Auto Scaling group ${group.name} not found in ${group.region}`);
  return (found.Instances ?? []).length;
}

/**
 * The pre-check: the activating region's database is an available read replica of `replica.sourceArn`.
 * A cross-region replica names its source by ARN (RDS API Reference, DBInstance `ReadReplicaSourceDBInstanceIdentifier`).
 */
async function checkReplica(clients, replica) {
  const answer = await clients.rdsIn(replica.region).describeInstances({ DBInstanceIdentifier: replica.identifier });
  const instance = answer?.DBInstances?.[0];
  const source = instance?.ReadReplicaSourceDBInstanceIdentifier;
  if (!instance || source !== replica.sourceArn || instance.DBInstanceStatus !== "available")
    throw namedError(
      "NotAReplica",
      `${replica.identifier} in ${replica.region} is not an available read replica of ${replica.sourceArn} ` +
        `(source ${JSON.stringify(source ?? null)}, status ${JSON.stringify(instance?.DBInstanceStatus ?? null)}): re-protect first (docs/runbook.md); nothing was changed`,
    );
}

/** The heartbeat function's `replayedSince` answer: `{ caughtUp, beatAt }`. */
async function replayed(clients, functionArn, request) {
  const answer = await clients.invoke(functionArn, { action: "replayedSince", ...request });
  return answer?.caughtUp === true;
}

/** Polls `check` every POLL_SECONDS until it is true or the deadline passes. */
async function until(clients, deadline, check) {
  for (;;) {
    if (await check()) return true;
    if (clients.now() + POLL_SECONDS * 1000 > deadline) return false;
    await clients.sleep(POLL_SECONDS * 1000);
  }
}

/** The stop-writes action (module comment). */
export async function stopWrites(action, clients) {
  // From the invocation's start, so the pre-checks' time counts too and the restore still fits in Lambda's 900 s.
  const deadline = clients.now() + STOP_WRITES_DEADLINE_SECONDS * 1000;
  await checkReplica(clients, action.replica);
  if (!(await replayed(clients, action.heartbeatFunctionArn, { withinSeconds: HEARTBEAT_READY_SECONDS })))
    throw namedError(
      "HeartbeatNotReady",
      `${action.replica.identifier} has replayed no heartbeat of the last ${HEARTBEAT_READY_SECONDS} s, so its catch-up could not be proven; nothing was changed`,
    );
  try {
    await setCapacity(clients, action.group, { minSize: 0, desiredCapacity: 0, maxSize: 0 });
    if (!(await until(clients, deadline, async () => (await instanceCount(clients, action.group)) === 0)))
      throw namedError("CatchUpTimeout", `${action.group.name} in ${action.group.region} still had instances after ${STOP_WRITES_DEADLINE_SECONDS} s`);
    const since = new Date(clients.now()).toISOString();
    if (!(await until(clients, deadline, () => replayed(clients, action.heartbeatFunctionArn, { since }))))
      throw namedError(
        "CatchUpTimeout",
        `${action.replica.identifier} replayed no heartbeat committed after ${since} within ${STOP_WRITES_DEADLINE_SECONDS} s`,
      );
    return { stoppedAt: since };
  } catch (error) {
    // Writes may be stopped: the old writer gets its capacity back before the step fails.
    try {
      await setCapacity(clients, action.group, action.restore);
    } catch (restoreError) {
      throw namedError(
        "RestoreFailed",
        `${error instanceof Error ? error.message : String(error)}; and restoring ${action.group.name} in ${action.group.region} failed too ` +
          `(${restoreError instanceof Error ? restoreError.message : String(restoreError)}): its writes stay stopped until you set it back to ` +
          `min ${action.restore.minSize}, desired ${action.restore.desiredCapacity}, max ${action.restore.maxSize}`,
      );
    }
    throw error;
  }
}

/**
 * Runs the action of `event.StepName`.
 * @param {{ StepName?: string }} event ARC's execution metadata
 * @param {object} clients `actions`, `autoScalingIn(region)` ({ updateGroup, describeGroups }), `rdsIn(region)`
 *   ({ describeInstances }), `invoke(functionArn, payload)` (the parsed answer), `now()` (ms), `sleep(ms)`
 * @throws Error naming the step when it has no action, or the action's error.
 */
export async function runAction(event, clients) {
  const step = event?.StepName;
  const action = step === undefined ? undefined : clients.actions[step];
  if (!action) throw new Error(`no action for step ${JSON.stringify(step)}; known steps: ${Object.keys(clients.actions).join(", ")}`);
  if (action.kind === "stop-writes") return { step, ...(await stopWrites(action, clients)) };
  if (action.kind === "set-capacity") {
    await setCapacity(clients, action.group, action.capacity);
    return { step, capacity: action.capacity };
  }
  throw new Error(`step ${step}: unknown action kind ${JSON.stringify(action.kind)}`);
}

export async function handler(event) {
  const actions = parseActions(process.env[ACTIONS_VARIABLE]);
  // The Lambda runtime's AWS SDK v3 (Lambda Developer Guide, "Building Lambda functions with Node.js").
  const autoScaling = await import("@aws-sdk/client-auto-scaling");
  const rds = await import("@aws-sdk/client-rds");
  const lambda = await import("@aws-sdk/client-lambda");
  const regionOf = (arn) => arn.split(":")[3];
  const clients = {
    actions,
    autoScalingIn: (region) => {
      const client = new autoScaling.AutoScalingClient({ region });
      return {
        updateGroup: (input) => client.send(new autoScaling.UpdateAutoScalingGroupCommand(input)),
        describeGroups: (input) => client.send(new autoScaling.DescribeAutoScalingGroupsCommand(input)),
      };
    },
    rdsIn: (region) => {
      const client = new rds.RDSClient({ region });
      return { describeInstances: (input) => client.send(new rds.DescribeDBInstancesCommand(input)) };
    },
    invoke: async (functionArn, payload) => {
      const client = new lambda.LambdaClient({ region: regionOf(functionArn) });
      const answer = await client.send(new lambda.InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(payload) }));
      const body = answer.Payload ? JSON.parse(Buffer.from(answer.Payload).toString("utf8")) : null;
      if (answer.FunctionError) throw namedError(body?.errorType ?? "HeartbeatError", body?.errorMessage ?? `${functionArn} failed`);
      return body;
    },
    now: () => Date.now(),
    sleep: (milliseconds) => delay(milliseconds),
  };
  const result = await runAction(event, clients);
  console.log(JSON.stringify({ message: "region switch action done", ...result }));
  return result;
}
