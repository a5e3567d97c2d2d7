/**
 * Entry point of the state-backend bootstrap: reads the `state-backend:` config, builds the two
 * buckets, the multi-Region key and the replication (stateBackend.ts), and exports what each stack
 * needs to log in (`backendUrl`, `secretsProvider`) and what an operator needs to switch regions.
 */
import { buildStateBackend, readStateBackendConfig } from "./stateBackend";

const config = readStateBackendConfig();
const backend = buildStateBackend(config);

export const writableRegion = backend.writableRegion;
export const replicaRegion = backend.replicaRegion;
export const backendUrl = backend.backendUrl;
export const replicaBackendUrl = backend.replicaBackendUrl;
export const secretsProvider = backend.secretsProvider;
export const regionalSecretsProviders = backend.regionalSecretsProviders;
export const writableBucketName = backend.writableBucket.bucketName;
export const replicaBucketName = backend.replicaBucket.bucketName;
export const primaryKeyArn = backend.primaryKey.keyArn;
export const replicaKeyArn = backend.replicaKey.keyArn;
export const replicationRuleId = backend.replication.ruleId;
export const objectLockMode = config.objectLock.mode;
