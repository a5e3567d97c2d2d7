/**
 * What the cache tests share: components planned under Pulumi mocks in one region with an explicit
 * provider there, and the primary's `cache` output of a Valkey global datastore.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type PrimaryCacheOutput } from "../../config/cache";
import { type PlannedResource, recordStack } from "../../synth/recordStack";

/** The resources `build` declares in `region` (us-east-1 plays the primary, any other the DR). */
export function planCache(region: string, build: (opts: pulumi.ComponentResourceOptions) => void): Promise<PlannedResource[]> {
  return recordStack({
    project: "cache",
    stack: "test",
    role: region === "us-east-1" ? "primary" : "dr",
    region,
    program: () => {
      build({ providers: { aws: new aws.Provider("provider", { region }) } });
      return {};
    },
  }).then((result) => result.resources);
}

/** The primary's `cache` output: Valkey 8.0 on cache.m7g.large, one shard, one replica, in a global datastore `globalReplicationGroupId`. */
export function globalCacheOutput(globalReplicationGroupId = "ldgnf-multi-region-dr-primary-primary-cache"): PrimaryCacheOutput {
  return {
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: "cache.m7g.large",
    shards: 1,
    replicasPerShard: 1,
    port: 6379,
    globalDatastore: true,
    replicationGroupId: "primary-cache-group-1",
    globalReplicationGroupId,
  };
}
