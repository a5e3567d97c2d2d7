/** Types of the app database user function (appDatabaseUser.mjs), for TypeScript callers and tests. */
import type { AwsClients, Connection, ConnectionTarget, Engine, Queryable } from "./databaseConnection.mjs";

/** Environment variable names the function reads (besides `AWS_REGION`, which Lambda sets). */
export declare const APP_USER_ENVIRONMENT: Readonly<{
  engine: "DATABASE_ENGINE";
  databaseName: "DATABASE_NAME";
  databaseIdentifier: "DATABASE_IDENTIFIER";
  masterSecretArn: "MASTER_SECRET_ARN";
  endpoint: "DATABASE_ENDPOINT";
  port: "DATABASE_PORT";
  appSecretArn: "APP_CREDENTIALS_SECRET_ARN";
}>;

/** Longest user name by engine (PostgreSQL 63 bytes, MySQL 32 characters). */
export declare const USERNAME_LIMITS: Readonly<Record<Engine, number>>;
/** Names the app user may not take (compared without case). */
export declare const RESERVED_USERNAMES: readonly string[];
/** Prefixes the app user may not take (`pg_`, `rds`). */
export declare const RESERVED_USERNAME_PREFIXES: readonly string[];
/** PostgreSQL's default SCRAM iteration count. */
export declare const SCRAM_ITERATIONS: 4096;

/** The app's user: its name and password (from the app credentials secret) and the app's database. */
export interface AppUser {
  username: string;
  password: string;
  databaseName: string;
}

/** One statement of the sequence: what it does, its SQL, and its placeholder values (MySQL). */
export interface Statement {
  step: "role" | "password" | "connect" | "membership" | "schema" | "schemaOwner" | "database" | "grant";
  sql: string;
  params?: unknown[];
}

/** The function's answer: no secrets. */
export interface AppUserSummary {
  engine: Engine;
  database: string;
  username: string;
  /** The user did not exist before this run. */
  created: boolean;
  passwordSet: true;
  /** PostgreSQL: the user's schema (its name); MySQL: the app's database. */
  schema: string;
  /** The schema (database) did not exist before this run. */
  schemaCreated: boolean;
}

export type AppUserSettings = { engine: Engine; region: string; databaseName: string; appSecretArn: string } & (
  { mode: "instance"; identifier: string } | { mode: "cluster"; masterSecretArn: string; host: string; port: number }
);

export interface InvokeDependencies {
  environment?: Record<string, string | undefined>;
  clients?: AwsClients;
  connect?: (engine: Engine, target: ConnectionTarget, databaseName: string | null) => Promise<Connection>;
}

export declare function checkUsername(engine: Engine, username: unknown, masterUsername?: string): string;
export declare function checkAppUser(engine: Engine, user: AppUser, masterUsername?: string): AppUser;
export declare function scramSha256Verifier(password: string, options?: { salt?: Buffer; iterations?: number }): string;
export declare function appUserStatements(engine: Engine, user: AppUser): Statement[];
export declare function appUserProbe(engine: Engine, user: AppUser): { sql: string; params: unknown[] };
export declare function ensureAppUser(
  db: Queryable,
  engine: Engine,
  user: AppUser,
  options?: { masterUsername?: string; verifier?: (password: string) => string },
): Promise<AppUserSummary>;
export declare function appUserSettings(environment?: Record<string, string | undefined>): AppUserSettings;
export declare function requestOf(event: unknown): { action: "ensure"; appCredentialsVersionId: string | undefined };
export declare function invoke(event: unknown, dependencies?: InvokeDependencies): Promise<AppUserSummary>;
export declare function handler(event: unknown): Promise<AppUserSummary>;
