// The stack functions of the cache (stacks/cache.ts) under Pulumi mocks: what the primary builds and
// exports for each `cache` config, how the DR stack picks its member's mode from the primary's output and
// its own `cache` key, the refusals before any resource, and the recovery targets and alarm they give.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { cacheSchema, drCacheSchema, type PrimaryCacheOutput } from "../../config/cache";
import {
  buildDrCache,
  buildPrimaryCache,
  cacheAlarm,
  type CachePlacement,
  cacheTargets,
  drCacheProblems,
  type DrCacheResources,
  globalDatastoreSuffix,
  primaryCacheOutput,
} from "../../stacks/cache";
import type { CacheTargets } from "../../recovery/targets";
import { MOCK_ACCOUNT_ID } from "../../synth/mockCloud";
import { type PlannedResource, recordStack } from "../../synth/recordStack";
import { globalCacheOutput } from "./fixtures";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const PARAMETER = "aws:ssm/parameter:Parameter";

function placement(region: string): CachePlacement {
  return {
    region,
    network: { vpcId: pulumi.output("vpc-1"), isolatedSubnetIds: pulumi.output(["subnet-a", "subnet-b"]) },
    key: { keyArn: pulumi.output(`arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) },
    clientSecurityGroupId: "sg-app",
    appParameterPath: "/multi-region-dr/app/",
    prefix: region === "us-east-1" ? "multi-region-dr-primary-primary" : "multi-region-dr-dr-dr",
  };
}

/** Runs `build` under mocks in `region`; returns the resources and what `build` returned, resolved. */
async function run<T>(
  region: string,
  build: (opts: pulumi.ComponentResourceOptions) => pulumi.Input<T> | undefined,
): Promise<{ resources: PlannedResource[]; value: T | undefined }> {
  let value: T | undefined;
  const { resources } = await recordStack({
    project: "cache",
    stack: "test",
    role: region === "us-east-1" ? "primary" : "dr",
    region,
    program: async () => {
      const built = build({ providers: { aws: new aws.Provider("provider", { region }) } });
      if (built !== undefined) value = await new Promise<T>((resolve) => pulumi.output(built).apply((resolved) => resolve(resolved as T)));
      return {};
    },
  });
  return { resources, value };
}

const GLOBAL_OUTPUT: PrimaryCacheOutput = globalCacheOutput();

describe("stacks/cache", function () {
  this.timeout(60000);

  it("builds nothing for engine none", async () => {
    const { resources } = await run("us-east-1", (opts) => {
      expect(buildPrimaryCache(cacheSchema.parse(undefined), placement("us-east-1"), opts)).to.equal(undefined);
      return undefined;
    });
    expect(resources.filter((resource) => resource.type.startsWith("aws:elasticache"))).to.have.length(0);
  });

  it("primary: the group, the global datastore named after the stack, the endpoint parameter, and the output the DR stack reads", async () => {
    const { resources, value } = await run<PrimaryCacheOutput>("us-east-1", (opts) => {
      const built = buildPrimaryCache(cacheSchema.parse({ engine: "valkey" }), placement("us-east-1"), opts);
      return built && primaryCacheOutput(built);
    });
    expect(resources.filter((resource) => resource.type === GROUP)).to.have.length(1);
    const global = resources.find((resource) => resource.type === "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup");
    expect(global?.inputs.globalReplicationGroupIdSuffix).to.equal("multi-region-dr-primary-primary-cache");
    expect(resources.find((resource) => resource.type === PARAMETER)?.inputs).to.include({ name: "/multi-region-dr/app/cache-endpoint", type: "String" });
    expect(value).to.include({
      engine: "valkey",
      engineVersion: "8.0",
      nodeType: "cache.m7g.large",
      shards: 1,
      replicasPerShard: 1,
      port: 6379,
      globalDatastore: true,
    });
  });

  it("names the global datastore's suffix within ElastiCache's 40 characters, lower case, single hyphens", () => {
    expect(globalDatastoreSuffix("Multi-Region-DR--a-very-long-stack-name-for-the-primary")).to.match(/^[a-z](?!.*--)[a-z0-9-]{0,39}(?<!-)$/);
  });

  describe("DR", () => {
    it("refuses a DR cache key without a primary cache, and detached without a global datastore; accepts the defaults", () => {
      expect(drCacheProblems(drCacheSchema.parse({ replicasPerShard: 2 }), true, undefined)[0]).to.include({ key: "multi-region-dr:cache" });
      expect(drCacheProblems(drCacheSchema.parse(undefined), false, undefined)).to.deep.equal([]);
      expect(drCacheProblems(drCacheSchema.parse({ detached: true }), true, { ...GLOBAL_OUTPUT, globalDatastore: false })[0]).to.include({
        key: "multi-region-dr:cache.detached",
      });
      expect(drCacheProblems(drCacheSchema.parse({ detached: true }), true, GLOBAL_OUTPUT)).to.deep.equal([]);
    });

    const drRun = (drCache: unknown, primary: PrimaryCacheOutput) => {
      let built: DrCacheResources | undefined;
      return run<CacheTargets>("us-west-2", (opts) => {
        built = buildDrCache(drCacheSchema.parse(drCache), primary, placement("us-west-2"), 30, opts);
        return built && cacheTargets(built, primary, { name: "app.dr.example.com", protocol: "HTTPS", paths: drCacheSchema.parse(drCache).warmUp.paths });
      }).then((result) => ({ ...result, built: built! }));
    };

    it("global: a secondary of the primary's global datastore with the DR replica count, global-datastore targets and a lag alarm", async () => {
      const { resources, value, built } = await drRun({ replicasPerShard: 2 }, GLOBAL_OUTPUT);
      const group = resources.find((resource) => resource.type === GROUP)!;
      expect(group.inputs).to.include({ globalReplicationGroupId: GLOBAL_OUTPUT.globalReplicationGroupId, numCacheClusters: 3 });
      expect(value).to.include({
        mode: "global-datastore",
        globalReplicationGroupId: GLOBAL_OUTPUT.globalReplicationGroupId,
        primaryReplicationGroupId: "primary-cache-group-1",
      });
      expect(cacheAlarm(built, "multi-region-dr-dr-dr")).to.deep.include({ cacheReplicationLag: "multi-region-dr-dr-dr-cache-replication-lag" });
      expect(cacheAlarm(built, "p")!.cache.nodeCount).to.equal(3);
    });

    it("detached: a standalone group with the global datastore's settings, the same targets, no lag alarm", async () => {
      const { resources, value, built } = await drRun({ detached: true }, GLOBAL_OUTPUT);
      expect(resources.find((resource) => resource.type === GROUP)!.inputs)
        .to.include({ engine: "valkey", nodeType: "cache.m7g.large" })
        .and.not.have.property("globalReplicationGroupId");
      expect(value?.mode).to.equal("global-datastore");
      expect(cacheAlarm(built, "p")).to.equal(undefined);
    });

    it("regional: its own group, the warm-up function, and warm-up URLs under the application's name with the listener's scheme", async () => {
      const { resources, value, built } = await drRun(
        { warmUp: { paths: ["/", "/products?top=10"] } },
        { ...GLOBAL_OUTPUT, globalDatastore: false, globalReplicationGroupId: undefined, nodeType: "cache.t4g.small" },
      );
      expect(resources.find((resource) => resource.type === "aws:lambda/function:Function")?.inputs.name).to.equal("multi-region-dr-dr-dr-cache-warm-up");
      expect(value?.mode).to.equal("regional");
      expect((value as Extract<CacheTargets, { mode: "regional" }>).warmUp.urls).to.deep.equal([
        "https://app.dr.example.com/",
        "https://app.dr.example.com/products?top=10",
      ]);
      expect(cacheAlarm(built, "p")).to.equal(undefined);
    });

    it("builds nothing when the primary exports no cache", async () => {
      const { resources } = await run("us-west-2", (opts) => {
        expect(buildDrCache(drCacheSchema.parse(undefined), undefined, placement("us-west-2"), 30, opts)).to.equal(undefined);
        return undefined;
      });
      expect(resources.filter((resource) => resource.type.startsWith("aws:elasticache"))).to.have.length(0);
    });
  });
});
