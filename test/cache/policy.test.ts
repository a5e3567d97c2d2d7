// The cache policies: the program's cache groups pass; a group without encryption, or under another region's key,
// fails; a global datastore's DR member without a lag alarm in its region fails.
import { expect } from "chai";
import { cachePolicies } from "../../policy/policies/cache";
import { evaluatePolicies } from "../../policy/offline";
import { planOf, type FixtureResource } from "../policy/fixtures";

async function violationsOf(policyName: string, resources: FixtureResource[]): Promise<string[]> {
  const policy = cachePolicies.filter((candidate) => candidate.name === policyName);
  if (policy.length !== 1) throw new Error(`no cache policy named ${policyName}`);
  return (await evaluatePolicies(planOf(resources, "dr", "us-west-2"), {}, policy)).violations.map((violation) => violation.message);
}

const KEY = "arn:aws:kms:us-west-2:123456789012:key/0a1b2c3d";
const member = (props: Record<string, unknown> = {}): FixtureResource => ({
  type: "aws:elasticache/replicationGroup:ReplicationGroup",
  name: "dr-cache-group",
  props: { globalReplicationGroupId: "ldgnf-x", kmsKeyId: KEY, ...props },
  region: "us-west-2",
});
const lagAlarm = (region = "us-west-2"): FixtureResource => ({
  type: "aws:cloudwatch/metricAlarm:MetricAlarm",
  name: "dr-alarms-cache-replication-lag",
  props: {
    metricQueries: [
      { id: "m0", metric: { namespace: "AWS/ElastiCache", metricName: "GlobalDatastoreReplicationLag", dimensions: { CacheClusterId: "dr-0001-001" } } },
      { id: "lag", expression: "MAX(METRICS())", returnData: true },
    ],
    region,
  },
  region,
});

describe("cache policies", () => {
  describe("cache-encrypted-own-region-key", () => {
    it("passes a group encrypted in transit and at rest under its region's key", async () => {
      expect(await violationsOf("cache-encrypted-own-region-key", [member()])).to.deep.equal([]);
    });

    it("fails a group of its own without encryption in transit or at rest, and one under another region's key; a global member inherits both", async () => {
      const own = { globalReplicationGroupId: undefined, atRestEncryptionEnabled: true, transitEncryptionEnabled: true };
      expect(await violationsOf("cache-encrypted-own-region-key", [member(own)])).to.deep.equal([]);
      expect(
        await violationsOf("cache-encrypted-own-region-key", [member({ ...own, transitEncryptionEnabled: false, atRestEncryptionEnabled: false })]),
      ).to.deep.equal([
        "dr-cache-group: encryption in transit is off: set transitEncryptionEnabled",
        "dr-cache-group: encryption at rest is off: set atRestEncryptionEnabled",
      ]);
      const [message] = await violationsOf("cache-encrypted-own-region-key", [member({ kmsKeyId: "arn:aws:kms:us-east-2:123456789012:key/0a1b2c3d" })]);
      expect(message).to.match(/kmsKeyId is a key of us-east-2, not of the group's region us-west-2/);
      expect(await violationsOf("cache-encrypted-own-region-key", [member({ kmsKeyId: undefined })])).to.deep.equal([
        "dr-cache-group: has no kmsKeyId: encrypt it under a customer managed key of its own region",
      ]);
    });
  });

  describe("cache-global-member-lag-alarm", () => {
    it("passes a member with a lag alarm in its region, and a regional group without one", async () => {
      expect(await violationsOf("cache-global-member-lag-alarm", [member(), lagAlarm()])).to.deep.equal([]);
      expect(await violationsOf("cache-global-member-lag-alarm", [member({ globalReplicationGroupId: undefined })])).to.deep.equal([]);
    });

    it("fails a member without one, or with one in another region", async () => {
      const [missing] = await violationsOf("cache-global-member-lag-alarm", [member()]);
      expect(missing).to.match(/^dr-cache-group: no alarm on AWS\/ElastiCache GlobalDatastoreReplicationLag in us-west-2/);
      expect(await violationsOf("cache-global-member-lag-alarm", [member(), lagAlarm("us-east-1")])).to.have.length(1);
    });
  });
});
