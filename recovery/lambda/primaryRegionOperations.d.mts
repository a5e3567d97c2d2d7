/** Types of the primary-region operations function (primaryRegionOperations.mjs), for TypeScript callers and tests. */

/** Environment variable names the targets are read from. */
export declare const ENVIRONMENT: Readonly<{
  region: "PRIMARY_REGION";
  databaseIdentifier: "PRIMARY_DATABASE_IDENTIFIER";
  autoScalingGroupName: "PRIMARY_AUTO_SCALING_GROUP_NAME";
  targetGroupArn: "PRIMARY_TARGET_GROUP_ARN";
  globalClusterIdentifier: "GLOBAL_CLUSTER_IDENTIFIER";
  drClusterArn: "DR_CLUSTER_ARN";
}>;

/** The operation names the function performs. */
export declare const OPERATION_NAMES: readonly string[];

export interface DatabaseDescription {
  status: string | null;
  isReplica: boolean;
  sourceArn: string | null;
  address: string | null;
}

export interface CapacitySizes {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

/** `{ operation, ...arguments }`; other fields are ignored. */
export type PrimaryRegionEvent = { operation?: unknown } & Record<string, unknown>;

export declare function handler(event: { operation: "describeDatabase" } & Record<string, unknown>): Promise<DatabaseDescription>;
export declare function handler(event: { operation: "promoteDatabase" } & Record<string, unknown>): Promise<{ promoted: true }>;
export declare function handler(event: { operation: "replicaLagSeconds" } & Record<string, unknown>): Promise<{ seconds: number | null }>;
export declare function handler(event: { operation: "setCapacity" } & Record<string, unknown>): Promise<CapacitySizes>;
export declare function handler(
  event: { operation: "describeCapacity" } & Record<string, unknown>,
): Promise<{ inService: number; desiredCapacity: number | null }>;
export declare function handler(event: { operation: "describeTargetHealth" } & Record<string, unknown>): Promise<{ healthyTargets: number }>;
export declare function handler(event: { operation: "switchoverGlobalCluster" } & Record<string, unknown>): Promise<{ switching: true }>;
export declare function handler(event: PrimaryRegionEvent): Promise<Record<string, unknown>>;
