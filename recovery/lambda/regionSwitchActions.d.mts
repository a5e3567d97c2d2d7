/** Types of the Region switch plan's custom actions function (regionSwitchActions.mjs), for TypeScript callers and tests. */

/** An Auto Scaling group by name and region. */
export interface ActionGroup {
  name: string;
  region: string;
}

/** Min, desired and max instances. */
export interface ActionCapacity {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

/** Stop the deactivating region's writes and wait until the activating region's replica replayed them. */
export interface StopWritesAction {
  kind: "stop-writes";
  /** The deactivating region's group: set to 0, then back to `restore` when the catch-up is not proven. */
  group: ActionGroup;
  restore: ActionCapacity;
  /** The activating region's DB instance, which must be an available read replica of `sourceArn` (the other region's). */
  replica: { identifier: string; region: string; sourceArn: string };
  /** The activating region's replication heartbeat function (its `replayedSince` action). */
  heartbeatFunctionArn: string;
}

/** Set a group's capacity. */
export interface SetCapacityAction {
  kind: "set-capacity";
  group: ActionGroup;
  capacity: ActionCapacity;
}

export type RegionSwitchAction = StopWritesAction | SetCapacityAction;

/** What the function's logic calls; the handler builds them from the runtime's AWS SDK. */
export interface ActionClients {
  actions: Record<string, RegionSwitchAction>;
  autoScalingIn: (region: string) => { updateGroup: (input: object) => Promise<unknown>; describeGroups: (input: object) => Promise<unknown> };
  rdsIn: (region: string) => { describeInstances: (input: object) => Promise<unknown> };
  invoke: (functionArn: string, payload: object) => Promise<unknown>;
  now: () => number;
  sleep: (milliseconds: number) => Promise<unknown>;
}

export declare const ACTIONS_VARIABLE: "ACTIONS";
export declare const STOP_WRITES_DEADLINE_SECONDS: number;
export declare const POLL_SECONDS: number;
export declare const HEARTBEAT_READY_SECONDS: number;
export declare function parseActions(text: string | undefined): Record<string, RegionSwitchAction>;
export declare function stopWrites(action: StopWritesAction, clients: ActionClients): Promise<{ stoppedAt: string }>;
export declare function runAction(event: { StepName?: string }, clients: ActionClients): Promise<{ step: string } & Record<string, unknown>>;
export declare function handler(event: { StepName?: string }): Promise<{ step: string } & Record<string, unknown>>;
