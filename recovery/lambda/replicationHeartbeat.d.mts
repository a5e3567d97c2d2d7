/** Types of the replication heartbeat function (replicationHeartbeat.mjs), for TypeScript callers and tests. */
import type { AwsClients, Connection, ConnectionTarget, Engine, Queryable } from "./databaseConnection.mjs";

export type { AwsClients, Connection, ConnectionTarget, Credentials, DatabaseDescription, Engine, Queryable } from "./databaseConnection.mjs";
export { AWS_CLIENTS, describeDatabase, findCredentials, isWritable, resolveConnection } from "./databaseConnection.mjs";

/** Environment variable names the function reads (besides `AWS_REGION`, which Lambda sets). */
export declare const HEARTBEAT_ENVIRONMENT: Readonly<{
  databaseIdentifier: "DATABASE_IDENTIFIER";
  engine: "DATABASE_ENGINE";
  databaseName: "DATABASE_NAME";
  intervalSeconds: "HEARTBEAT_INTERVAL_SECONDS";
  windowSeconds: "HEARTBEAT_WINDOW_SECONDS";
}>;

/** Defaults of the optional variables. */
export declare const HEARTBEAT_DEFAULTS: Readonly<{ intervalSeconds: 5; windowSeconds: 50 }>;

/** The engines the function supports. */
export declare const HEARTBEAT_ENGINES: readonly Engine[];

/** Seconds a heartbeat must be stamped after `since` to count (Step Functions' clock against the database host's). */
export declare const CLOCK_SKEW_MARGIN_SECONDS: 1;

export interface BeatOptions {
  intervalSeconds: number;
  windowSeconds: number;
  /** Waits that many milliseconds (default: a timer). */
  sleep?: (milliseconds: number) => Promise<unknown>;
  /** Milliseconds since the epoch (default: `Date.now`). */
  now?: () => number;
}

export type BeatAnswer = { role: "replica"; wrote: 0 } | { role: "writer"; wrote: number; lastBeatAt: string | null };

export interface ReplayedSinceAnswer {
  caughtUp: boolean;
  /** The replayed heartbeat's time (ISO 8601, UTC), null when there is none yet. */
  beatAt: string | null;
  /** `since`, as ISO 8601 in UTC. */
  since: string;
}

export interface HeartbeatSettings {
  identifier: string;
  region: string;
  engine: Engine;
  databaseName: string | null;
  intervalSeconds: number;
  windowSeconds: number;
}

export interface InvokeDependencies {
  environment?: Record<string, string | undefined>;
  clients?: AwsClients;
  connect?: (engine: Engine, target: ConnectionTarget, databaseName: string | null) => Promise<Connection>;
  sleep?: BeatOptions["sleep"];
  now?: BeatOptions["now"];
}

export declare function readBeat(db: Queryable, engine: Engine): Promise<Date | null>;
export declare function beat(db: Queryable, engine: Engine, options: BeatOptions): Promise<BeatAnswer>;
export declare function replayedSince(db: Queryable, engine: Engine, since: Date | string): Promise<ReplayedSinceAnswer>;
export declare function driverOptions(engine: Engine, target: ConnectionTarget, databaseName: string | null): Record<string, unknown>;
export declare function openConnection(engine: Engine, target: ConnectionTarget, databaseName: string | null): Promise<Connection>;
export declare function heartbeatSettings(environment?: Record<string, string | undefined>): HeartbeatSettings;
export declare function requestOf(event: unknown): { action: "beat" } | { action: "replayedSince"; since: Date };
export declare function invoke(event: { action: "beat" } & Record<string, unknown>, dependencies?: InvokeDependencies): Promise<BeatAnswer>;
export declare function invoke(event: { action: "replayedSince" } & Record<string, unknown>, dependencies?: InvokeDependencies): Promise<ReplayedSinceAnswer>;
export declare function invoke(event: unknown, dependencies?: InvokeDependencies): Promise<BeatAnswer | ReplayedSinceAnswer>;
export declare function handler(event: { action: "beat" } & Record<string, unknown>): Promise<BeatAnswer>;
export declare function handler(event: { action: "replayedSince" } & Record<string, unknown>): Promise<ReplayedSinceAnswer>;
export declare function handler(event: unknown): Promise<BeatAnswer | ReplayedSinceAnswer>;
