// The cache's configuration (config/cache.ts): defaults, what a global datastore refuses (node types,
// engine versions, replica counts), the DR stack's fragment, and the ConfigError that names each key.
import { expect } from "chai";
import {
  CACHE_DEFAULT_NODE_TYPE,
  CACHE_DEFAULT_VERSIONS,
  cacheEngineVersionProblem,
  cacheNodeTypeProblem,
  cacheSchema,
  drCacheSchema,
  enabledCache,
  NODES_PER_CLUSTER_QUOTA,
  parseCacheConfig,
  primaryCacheOutputSchema,
} from "../../config/cache";
import { ConfigError } from "../../config/errors";
import { globalCacheOutput } from "./fixtures";

/** The ConfigError `parseCacheConfig` raises for `value`, as key -> message. */
function problemsOf(role: "primary" | "dr", value: unknown): Record<string, string> {
  try {
    if (role === "primary") parseCacheConfig("primary", value);
    else parseCacheConfig("dr", value);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).problems.map((problem) => [problem.key, problem.message]));
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe("config/cache", () => {
  describe("defaults", () => {
    it("has no cache unless asked: engine none, nothing enabled", () => {
      const cache = cacheSchema.parse(undefined);
      expect(cache).to.deep.equal({ engine: "none", nodeType: CACHE_DEFAULT_NODE_TYPE, shards: 1, replicasPerShard: 1, globalDatastore: true });
      expect(enabledCache(cache)).to.equal(undefined);
    });

    it("resolves a chosen engine to a global datastore of one shard with one replica, on cache.m7g.large, at the engine's default version", () => {
      expect(enabledCache(cacheSchema.parse({ engine: "valkey" }))).to.deep.include({
        engine: "valkey",
        engineVersion: CACHE_DEFAULT_VERSIONS.valkey,
        globalDatastore: true,
      });
      expect(enabledCache(cacheSchema.parse({ engine: "redis", engineVersion: "6.2" }))).to.deep.include({ engine: "redis", engineVersion: "6.2" });
    });

    it("gives the DR stack the primary's replica count, not detached, and the app's root to warm up", () => {
      expect(drCacheSchema.parse(undefined)).to.deep.equal({ detached: false, warmUp: { paths: ["/"] } });
      expect(drCacheSchema.parse({ replicasPerShard: 2, warmUp: { paths: ["/", "/products?top=10"] } })).to.deep.include({ replicasPerShard: 2 });
    });
  });

  describe("node types (ElastiCache global datastores: M5, M6g, M7g, R5, R6g, R6gd, R7g, C7gn, large and above)", () => {
    for (const nodeType of [
      "cache.m5.large",
      "cache.m6g.xlarge",
      "cache.m7g.large",
      "cache.r5.2xlarge",
      "cache.r6g.large",
      "cache.r6gd.xlarge",
      "cache.r7g.16xlarge",
      "cache.c7gn.large",
    ]) {
      it(`accepts ${nodeType}`, () => expect(cacheNodeTypeProblem(nodeType, true)).to.equal(undefined));
    }
    for (const nodeType of ["cache.t4g.micro", "cache.t3.medium", "cache.m4.large", "cache.r4.large", "cache.m7g.medium", "cache.x2gd.large"]) {
      it(`refuses ${nodeType} with a global datastore, and accepts it for a regional cache`, () => {
        expect(cacheNodeTypeProblem(nodeType, true)).to.match(/cannot run a global datastore/);
        expect(cacheNodeTypeProblem(nodeType, false)).to.equal(undefined);
      });
    }
    it("refuses what is no node type at all", () => expect(cacheNodeTypeProblem("m7g.large", false)).to.match(/not an ElastiCache node type/));
  });

  describe("engine versions (Valkey 7.2 or later, Redis OSS 5.0.6 or later)", () => {
    for (const [engine, version] of [
      ["valkey", "7.2"],
      ["valkey", "8.0"],
      ["valkey", "8.1"],
      ["redis", "5.0.6"],
      ["redis", "6.x"],
      ["redis", "6.2"],
      ["redis", "7.0"],
      ["redis", "7.1"],
    ] as const) {
      it(`accepts ${engine} ${version}`, () => expect(cacheEngineVersionProblem(engine, version)).to.equal(undefined));
    }
    for (const [engine, version, pattern] of [
      ["valkey", "7.1", /older than Valkey 7\.2/],
      ["valkey", "8.0.1", /major\.minor/],
      ["redis", "5.0.5", /older than Redis OSS 5\.0\.6/],
      ["redis", "4.0.10", /older than Redis OSS 5\.0\.6/],
      ["redis", "5.0", /5\.0\.6/],
      ["redis", "7.1.0", /major\.minor from Redis OSS 7/],
      ["redis", "latest", /not an engine version/],
    ] as const) {
      it(`refuses ${engine} ${version}`, () => expect(cacheEngineVersionProblem(engine, version)).to.match(pattern));
    }
  });

  describe("refusals name the key (ConfigError before any resource)", () => {
    it("a burstable node type with a global datastore: cache.nodeType", () => {
      expect(problemsOf("primary", { engine: "valkey", nodeType: "cache.t4g.small" })).to.have.keys("multi-region-dr:cache.nodeType");
    });

    it("an old version: cache.engineVersion; an unknown engine: cache.engine", () => {
      expect(problemsOf("primary", { engine: "redis", engineVersion: "4.0.10" })).to.have.keys("multi-region-dr:cache.engineVersion");
      expect(problemsOf("primary", { engine: "memcached" })["multi-region-dr:cache.engine"]).to.match(/none, valkey, redis/);
    });

    it("no replica (automatic failover needs one, and a secondary inherits it): cache.replicasPerShard, in both stacks", () => {
      expect(problemsOf("primary", { engine: "valkey", replicasPerShard: 0 })["multi-region-dr:cache.replicasPerShard"]).to.match(/at least 1/);
      expect(problemsOf("dr", { replicasPerShard: 0 })["multi-region-dr:cache.replicasPerShard"]).to.match(/at least 1/);
      expect(problemsOf("primary", { engine: "valkey", replicasPerShard: 6 })["multi-region-dr:cache.replicasPerShard"]).to.match(/at most 5/);
    });

    it(`more nodes than the ${NODES_PER_CLUSTER_QUOTA} a replication group may have: cache.shards`, () => {
      expect(problemsOf("primary", { engine: "valkey", shards: 31, replicasPerShard: 2 })["multi-region-dr:cache.shards"]).to.match(/quota/);
      expect(cacheSchema.parse({ engine: "valkey", shards: 30, replicasPerShard: 1 }).shards).to.equal(30);
    });

    it("a DR-only key in the primary's file, and a primary key in the DR's: refused by name", () => {
      expect(problemsOf("primary", { engine: "valkey", warmUp: { paths: ["/"] } })["multi-region-dr:cache"]).to.match(/warmUp/);
      expect(problemsOf("dr", { engine: "valkey" })["multi-region-dr:cache"]).to.match(/engine/);
    });

    it("warm-up paths: absolute paths only, 1 to 20", () => {
      expect(problemsOf("dr", { warmUp: { paths: ["https://app.example.com/"] } })).to.have.keys("multi-region-dr:cache.warmUp.paths.0");
      expect(problemsOf("dr", { warmUp: { paths: [] } })).to.have.keys("multi-region-dr:cache.warmUp.paths");
      expect(Object.keys(problemsOf("dr", { warmUp: { paths: Array.from({ length: 21 }, (_, index) => `/p${index}`) } }))).to.deep.equal([
        "multi-region-dr:cache.warmUp.paths",
      ]);
    });

    it("engine none takes no node-type check (nothing is built)", () => {
      expect(cacheSchema.parse({ engine: "none", nodeType: "cache.t4g.micro" }).engine).to.equal("none");
    });
  });

  describe("the primary's output cache", () => {
    // The fixture's output without the two keys these tests set.
    const { globalDatastore, globalReplicationGroupId, ...output } = globalCacheOutput();
    it("needs the global datastore's id with globalDatastore", () => {
      expect(primaryCacheOutputSchema.safeParse({ ...output, globalDatastore: true }).success).to.equal(false);
      expect(primaryCacheOutputSchema.safeParse({ ...output, globalDatastore: true, globalReplicationGroupId: "ldgnf-x-cache" }).success).to.equal(true);
      expect(primaryCacheOutputSchema.safeParse({ ...output, globalDatastore: false }).success).to.equal(true);
    });
  });
});
