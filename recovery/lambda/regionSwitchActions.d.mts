/** Types of the Region switch plan's custom action function (regionSwitchActions.mjs), for TypeScript callers and tests. */

/** One action: point a stable database name at its region's database. */
export interface DatabaseNameAction {
  kind: "point-database-name";
  /** Private hosted zone id of the name. */
  zoneId: string;
  /** The stable name, e.g. `db.internal.example.com`. */
  fqdn: string;
  /** CNAME time to live, seconds. */
  ttlSeconds: number;
  /** The database's region. */
  region: string;
  /** A DB instance (its endpoint) or an Aurora DB cluster (its writer endpoint). */
  database: "instance" | "cluster";
  identifier: string;
}

export declare const ACTIONS_VARIABLE: "ACTIONS";
export declare function parseActions(text: string | undefined): Record<string, DatabaseNameAction>;
export declare function databaseAddress(rds: { send: (command: unknown) => Promise<unknown> }, action: DatabaseNameAction): Promise<string>;
export declare function runAction(
  event: { StepName?: string },
  clients: {
    actions: Record<string, DatabaseNameAction>;
    rdsIn: (region: string) => { send: (command: unknown) => Promise<unknown> };
    changeRecords: (input: object) => Promise<unknown>;
  },
): Promise<{ step: string; fqdn: string; address: string }>;
export declare function handler(event: { StepName?: string }): Promise<{ step: string; fqdn: string; address: string }>;
