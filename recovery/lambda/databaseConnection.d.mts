/** Types of the database connection module the database functions share (databaseConnection.mjs), for TypeScript callers and tests. */

export type Engine = "postgres" | "mysql";

/** The engines the functions support. */
export declare const DATABASE_ENGINES: readonly Engine[];

/** Queries answering one row with `read_only`: `instance` recognizes an RDS read replica, `any` also an Aurora reader. */
export declare const READ_ONLY_QUERIES: Readonly<{ instance: Readonly<Record<Engine, string>>; any: Readonly<Record<Engine, string>> }>;

/** An open connection: a `pg` Client, a `mysql2/promise` Connection, or anything answering rows. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export type Connection = Queryable & { end(): Promise<unknown> };

export interface DatabaseDescription {
  identifier: string;
  region: string;
  host: string | null;
  port: number | null;
  /** `ReadReplicaSourceDBInstanceIdentifier`: set on a read replica (an ARN for a cross-region one). */
  sourceIdentifier: string | null;
  /** `MasterUserSecret.SecretArn`. */
  secretArn: string | null;
}

export interface Credentials {
  username: string;
  password: string;
  secretArn: string;
}

export type ConnectionTarget = { host: string; port: number } & Credentials;

/** Anything with `send`, e.g. an SDK client or its aws-sdk-client-mock. */
export interface AwsClients {
  rds(region: string): { send(command: never): Promise<unknown> };
  secretsManager(region: string): { send(command: never): Promise<unknown> };
}

export declare const AWS_CLIENTS: Readonly<AwsClients>;

export declare function namedError(name: string, message: string): Error;
export declare function engineOf(engine: unknown): Engine;
export declare function environmentReader(environment: Record<string, string | undefined>): {
  required(name: string): string;
  engine(name: string): Engine;
};
export declare function rowsOf(answer: unknown): Record<string, unknown>[];
export declare function isWritable(db: Queryable, engine: Engine, queries?: Readonly<Record<Engine, string>>): Promise<boolean>;
export declare function regionOfArn(value: string): string | null;
export declare function describeDatabase(identifier: string, region: string, clients?: AwsClients): Promise<DatabaseDescription>;
export declare function readSecretCredentials(
  secretArn: string,
  options: { description: string; fallbackRegion?: string; versionId?: string },
  clients?: AwsClients,
): Promise<Credentials>;
export declare function findCredentials(database: DatabaseDescription, clients?: AwsClients): Promise<Credentials>;
export declare function resolveConnection(
  target: { identifier: string; region: string },
  clients?: AwsClients,
): Promise<ConnectionTarget & { sourceIdentifier: string | null }>;
export declare function endpointOf(database: DatabaseDescription): { host: string; port: number };
export declare function driverOptions(engine: Engine, target: ConnectionTarget, databaseName: string | null, applicationName: string): Record<string, unknown>;
export declare function openConnection(engine: Engine, target: ConnectionTarget, databaseName: string | null, applicationName: string): Promise<Connection>;
