// Issue 22 review, the cache: what the DR member of a global datastore may declare (D1, R6) and how a
// detached DR cache re-joins (D3), under Pulumi mocks (synth/recordStack.ts).
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { drCacheSchema, type PrimaryCacheOutput } from "../../config/cache";
import { groupShape } from "../../components/cache/groupShape";
import { PrimaryCache } from "../../components/cache/primaryCache";
import { SecondaryCache, secondaryGroupIdentity, type SecondaryCacheArgs, type SecondaryCacheMode } from "../../components/cache/secondaryCache";
import { buildDrCache, type CachePlacement } from "../../stacks/cache";
import { MOCK_ACCOUNT_ID } from "../../synth/mockCloud";
import { type PlannedResource } from "../../synth/recordStack";
import { globalCacheOutput, planCache } from "./fixtures";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const WEST_KEY = `arn:aws:kms:us-west-2:${MOCK_ACCOUNT_ID}:key/abcd1234-ab12-cd34-ef56-abcdef123456`;
const EAST_KEY = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const GLOBAL_ID = "ldgnf-multi-region-dr-primary-primary-cache";

/**
 * The arguments the provider declares ConflictsWith `global_replication_group_id`, in Pulumi's names
 * (hashicorp/terraform-provider-aws internal/service/elasticache/replication_group.go: num_node_groups,
 * parameter_group_name, engine, engine_version, node_type, security_group_names, transit_encryption_enabled,
 * transit_encryption_mode, at_rest_encryption_enabled, snapshot_arns, snapshot_name).
 */
const CONFLICTS_WITH_GLOBAL_ID = [
  "numNodeGroups",
  "parameterGroupName",
  "engine",
  "engineVersion",
  "nodeType",
  "securityGroupNames",
  "transitEncryptionEnabled",
  "transitEncryptionMode",
  "atRestEncryptionEnabled",
  "snapshotArns",
  "snapshotName",
];

const plan = planCache;

const groupOf = (resources: PlannedResource[]) => {
  const groups = resources.filter((resource) => resource.type === GROUP);
  expect(groups).to.have.length(1);
  return groups[0];
};

function secondaryArgs(mode: SecondaryCacheMode, shards = 1): SecondaryCacheArgs {
  return {
    region: "us-west-2",
    mode,
    ...(mode === "global" ? { globalReplicationGroupId: GLOBAL_ID } : {}),
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: "cache.m7g.large",
    shards,
    replicasPerShard: 1,
    kmsKeyArn: WEST_KEY,
    vpcId: "vpc-0123",
    subnetIds: ["subnet-a", "subnet-b"],
    clientSecurityGroupIds: ["sg-app"],
    port: 6379,
  };
}

const GLOBAL_OUTPUT: PrimaryCacheOutput = globalCacheOutput(GLOBAL_ID);

function placement(): CachePlacement {
  return {
    region: "us-west-2",
    network: { vpcId: "vpc-1" as unknown as pulumi.Output<string>, isolatedSubnetIds: ["subnet-a"] as unknown as pulumi.Output<string[]> },
    key: { keyArn: WEST_KEY as unknown as pulumi.Output<string> },
    clientSecurityGroupId: "sg-app",
    appParameterPath: "/multi-region-dr/app/",
    prefix: "multi-region-dr-dr-dr",
  };
}

describe("cache review (issue 22)", function () {
  this.timeout(60000);

  describe("D1/R6: the DR member of a global datastore sets only what ElastiCache lets a secondary set", () => {
    for (const shards of [1, 3]) {
      it(`${shards} shard(s): nothing the provider declares ConflictsWith globalReplicationGroupId, and no cluster mode`, async () => {
        const group = groupOf(await plan("us-west-2", (opts) => void new SecondaryCache("dr-cache", secondaryArgs("global", shards), opts)));
        expect(group.inputs.globalReplicationGroupId).to.equal(GLOBAL_ID);
        for (const key of [...CONFLICTS_WITH_GLOBAL_ID, "clusterMode"]) expect(group.inputs, key).not.to.have.property(key);
        // Its own: the DR region's key and its replica count; the inherited Multi-AZ and automatic failover as they are.
        expect(group.inputs).to.include({ kmsKeyId: WEST_KEY, automaticFailoverEnabled: true, multiAzEnabled: true });
        expect(group.inputs).to.include(shards === 1 ? { numCacheClusters: 2 } : { replicasPerNodeGroup: 1 });
      });
    }

    it("a group of its own (primary, detached, regional) still turns both encryptions on", async () => {
      const primary = groupOf(
        await plan(
          "us-east-1",
          (opts) =>
            void new PrimaryCache(
              "primary-cache",
              { ...secondaryArgs("regional"), region: "us-east-1", kmsKeyArn: EAST_KEY, globalDatastore: true, globalDatastoreSuffix: "dr-cache" },
              opts,
            ),
        ),
      );
      expect(primary.inputs).to.include({ atRestEncryptionEnabled: true, transitEncryptionEnabled: true, kmsKeyId: EAST_KEY });
      for (const mode of ["detached", "regional"] as const) {
        const group = groupOf(await plan("us-west-2", (opts) => void new SecondaryCache("dr-cache", secondaryArgs(mode), opts)));
        expect(group.inputs, mode).to.include({ atRestEncryptionEnabled: true, transitEncryptionEnabled: true, kmsKeyId: WEST_KEY });
      }
    });

    it("groupShape: a secondary with shards gets its replica count alone", () => {
      expect(groupShape(2, 2, "secondary", "valkey", "8.0")).to.deep.equal({ replicasPerNodeGroup: 2 });
      expect(groupShape(2, 2, "primary", "valkey", "8.0")).to.include({
        numNodeGroups: 2,
        clusterMode: "enabled",
        parameterGroupName: "default.valkey8.cluster.on",
      });
    });
  });

  describe("D3: re-joining a detached DR cache replaces its group", () => {
    it("the group's logical name follows the mode; detached aliases the member's name so a detach adopts the group", () => {
      expect(secondaryGroupIdentity("dr-cache", "global")).to.deep.equal({ name: "dr-cache-group", aliases: [] });
      expect(secondaryGroupIdentity("dr-cache", "regional")).to.deep.equal({ name: "dr-cache-group", aliases: [] });
      expect(secondaryGroupIdentity("dr-cache", "detached")).to.deep.equal({ name: "dr-cache-group-detached", aliases: [{ name: "dr-cache-group" }] });
    });

    it("the DR stack declares a different group for detached true and false, so cache.detached: false is a new secondary", async () => {
      const declared = async (detached: boolean) =>
        groupOf(await plan("us-west-2", (opts) => void buildDrCache(drCacheSchema.parse({ detached }), GLOBAL_OUTPUT, placement(), 30, opts)));
      const detached = await declared(true);
      const rejoined = await declared(false);
      expect(detached.name).to.equal("dr-cache-group-detached");
      expect(detached.inputs).not.to.have.property("globalReplicationGroupId");
      expect(rejoined.name).to.equal("dr-cache-group");
      expect(rejoined.inputs.globalReplicationGroupId).to.equal(GLOBAL_ID);
      expect(rejoined.urn).not.to.equal(detached.urn);
    });
  });
});
