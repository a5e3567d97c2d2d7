// S3 object protection in the components: SecureBucket's Object Lock option (validation, the
// resource it creates and what it leaves alone), the config mapping, BucketReplication's Object
// Lock permissions and rule id, and RegionalKey's multi-Region options, each built alone under
// Pulumi mocks (synth/recordStack.ts) and checked input by input.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { BucketReplication, DEFAULT_REPLICATION_RULE_ID, objectLockReplicationStatement, replicationPermissions } from "../components/bucketReplication";
import { type PolicyDocument, replicationRolePolicy } from "../components/policyDocuments";
import { RegionalKey } from "../components/regionalKey";
import {
  MAX_OBJECT_LOCK_RETENTION_DAYS,
  OBJECT_LOCK_MODES,
  objectLockFromConfig,
  objectLockProblems,
  SecureBucket,
  type SecureBucketArgs,
} from "../components/secureBucket";
import { synthesizedStacks } from "./policy/fixtures";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";
import { EAST_KEY, WEST_KEY, replicationArgs } from "./fixtures/regionalKeys";

const T = {
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  replicationConfig: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  key: "aws:kms/key:Key",
  replicaKey: "aws:kms/replicaKey:ReplicaKey",
  alias: "aws:kms/alias:Alias",
} as const;

function plan(region: string, build: (opts: pulumi.ComponentResourceOptions) => Record<string, unknown> | void): Promise<StackPlan> {
  return recordStack({
    project: "components",
    stack: "test",
    role: "dr",
    region,
    program: () => {
      const provider = new aws.Provider("provider", { region });
      return build({ providers: { aws: provider } }) ?? {};
    },
  });
}

async function buildError(region: string, build: (opts: pulumi.ComponentResourceOptions) => void): Promise<Error> {
  let thrown: unknown;
  try {
    await plan(region, build);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected the component to throw").to.be.instanceOf(Error);
  return thrown as Error;
}

function ofType(resources: PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((resource) => resource.type === type);
}

function one(resources: PlannedResource[], type: string): PlannedResource {
  const matches = ofType(resources, type);
  expect(
    matches.map((resource) => resource.name),
    type,
  ).to.have.length(1);
  return matches[0];
}

function policyOf(resource: PlannedResource): PolicyDocument {
  return JSON.parse(resource.inputs.policy as string) as PolicyDocument;
}

const dataBucket = (overrides: Partial<SecureBucketArgs> = {}): SecureBucketArgs => ({
  encryption: { kind: "kms", keyArn: WEST_KEY },
  noncurrentVersionExpirationDays: 30,
  accessLogBucket: "dr-log-archive",
  protect: true,
  ...overrides,
});

describe("SecureBucket Object Lock", () => {
  describe("with GOVERNANCE, 30 days", () => {
    let resources: PlannedResource[];
    let bucketName: string;
    before(async () => {
      const built = await plan("us-west-2", (opts) => {
        const bucket = new SecureBucket("dr-data", dataBucket({ objectLock: { mode: "GOVERNANCE", retentionDays: 30 } }), opts);
        return { bucketName: bucket.bucketName, locked: bucket.objectLock?.retentionDays };
      });
      resources = built.resources;
      bucketName = built.outputs.bucketName as string;
      expect(built.outputs.locked).to.equal(30);
    });

    it("enables Object Lock with a default retention through BucketObjectLockConfiguration on the bucket", () => {
      const lock = one(resources, T.objectLock);
      expect(lock.name).to.equal("dr-data-object-lock");
      expect(lock.region).to.equal("us-west-2");
      expect(lock.inputs.bucket).to.equal(bucketName);
      expect(lock.inputs.objectLockEnabled).to.equal("Enabled");
      expect(lock.inputs.rule).to.deep.equal({ defaultRetention: { mode: "GOVERNANCE", days: 30 } });
      expect(lock.inputs.token).to.equal(undefined);
    });

    it("never sets objectLockEnabled on the bucket itself (that would replace an existing bucket)", () => {
      const bucket = one(resources, T.bucket);
      expect(bucket.inputs).to.not.have.property("objectLockEnabled");
      expect(bucket.inputs).to.not.have.property("objectLockConfiguration");
      expect(bucket.inputs).to.deep.equal({ forceDestroy: false });
    });

    it("is configured after versioning (S3 needs versioning on before Object Lock on an existing bucket) and protected like the bucket", () => {
      const lock = one(resources, T.objectLock);
      expect(lock.dependencies).to.include(one(resources, T.versioning).urn);
      expect(lock.protect).to.equal(true);
    });

    it("keeps the noncurrent-version lifecycle as it is (S3 never expires a locked version before its retention ends)", () => {
      const rules = one(resources, T.lifecycle).inputs.rules as Record<string, unknown>[];
      expect(rules).to.have.length(1);
      expect(rules[0].noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 30 });
    });
  });

  it("creates no Object Lock resource and the same bucket inputs without the option", async () => {
    const { resources } = await plan("us-west-2", (opts) => void new SecureBucket("dr-data", dataBucket(), opts));
    expect(ofType(resources, T.objectLock)).to.have.length(0);
    expect(one(resources, T.bucket).inputs).to.deep.equal({ forceDestroy: false });
    expect(resources.map((resource) => resource.name).sort()).to.deep.equal(
      [
        "dr-data",
        "dr-data",
        "dr-data-access-logging",
        "dr-data-encryption",
        "dr-data-lifecycle",
        "dr-data-ownership",
        "dr-data-policy",
        "dr-data-public-access",
        "dr-data-versioning",
        "provider",
      ].sort(),
    );
  });

  it("applies COMPLIANCE and leaves the lock unprotected when the bucket is", async () => {
    const { resources } = await plan("us-east-1", (opts) => {
      new SecureBucket("scratch", dataBucket({ protect: false, objectLock: { mode: "COMPLIANCE", retentionDays: MAX_OBJECT_LOCK_RETENTION_DAYS } }), opts);
    });
    const lock = one(resources, T.objectLock);
    expect(lock.inputs.rule).to.deep.equal({ defaultRetention: { mode: "COMPLIANCE", days: 36500 } });
    expect(lock.protect).to.equal(false);
    expect(lock.region).to.equal("us-east-1");
  });

  for (const [label, objectLock, pattern] of [
    ["a lower-case mode", { mode: "governance", retentionDays: 30 }, /SecureBucket b: objectLock.mode is "governance": use GOVERNANCE or COMPLIANCE/],
    ["0 days", { mode: "GOVERNANCE", retentionDays: 0 }, /objectLock.retentionDays is 0: use a whole number of days from 1 to 36500/],
    ["36501 days", { mode: "COMPLIANCE", retentionDays: 36501 }, /objectLock.retentionDays is 36501/],
    ["a fractional day count", { mode: "COMPLIANCE", retentionDays: 1.5 }, /objectLock.retentionDays is 1.5/],
  ] as const) {
    it(`rejects ${label} before creating anything`, async () => {
      const error = await buildError("us-west-2", (opts) => void new SecureBucket("b", dataBucket({ objectLock: objectLock as never }), opts));
      expect(error.message).to.match(pattern);
    });
  }
});

describe("noncurrent versions of the data buckets, DR copy included", () => {
  it("expire in both regions' data buckets: S3 does not replicate lifecycle actions, so the DR copy carries its own rule", async () => {
    const { primary, dr } = await synthesizedStacks();
    for (const [stack, name, region] of [
      [primary, "primary-data-lifecycle", "us-east-1"],
      [dr, "dr-data-lifecycle", "us-west-2"],
    ] as const) {
      const lifecycle = stack.resources.find((resource) => resource.type === T.lifecycle && resource.name === name);
      expect(lifecycle, name).to.not.equal(undefined);
      expect(lifecycle!.region).to.equal(region);
      const rules = lifecycle!.inputs.rules as Record<string, unknown>[];
      expect(rules.find((rule) => rule.status === "Enabled" && JSON.stringify(rule.filter) === "{}")?.noncurrentVersionExpiration).to.deep.equal({
        noncurrentDays: 30,
      });
    }
    // The DR lifecycle belongs to the bucket replication writes into.
    const drBucket = dr.resources.find((resource) => resource.type === T.bucket && resource.name === "dr-data");
    const drLifecycle = dr.resources.find((resource) => resource.type === T.lifecycle && resource.name === "dr-data-lifecycle");
    expect(drLifecycle!.inputs.bucket).to.equal(drBucket!.outputs.bucket);
    const replication = dr.resources.find((resource) => resource.type === T.replicationConfig);
    const destination = ((replication!.inputs.rules as Record<string, unknown>[])[0].destination as Record<string, unknown>).bucket;
    expect(destination).to.equal(drBucket!.outputs.arn);
  });
});

describe("objectLockProblems and objectLockFromConfig", () => {
  it("accepts both modes at the edges of 1..36500 days", () => {
    expect(OBJECT_LOCK_MODES).to.deep.equal(["GOVERNANCE", "COMPLIANCE"]);
    for (const mode of OBJECT_LOCK_MODES) {
      expect(objectLockProblems({ mode, retentionDays: 1 })).to.deep.equal([]);
      expect(objectLockProblems({ mode, retentionDays: 36500 })).to.deep.equal([]);
    }
  });

  it("names every problem once", () => {
    expect(objectLockProblems({ mode: "LEGAL_HOLD", retentionDays: "30" })).to.deep.equal([
      'objectLock.mode is "LEGAL_HOLD": use GOVERNANCE or COMPLIANCE',
      'objectLock.retentionDays is "30": use a whole number of days from 1 to 36500',
    ]);
    expect(objectLockProblems({})).to.have.length(2);
  });

  it("maps none to no Object Lock and the two modes to S3's upper-case modes", () => {
    expect(objectLockFromConfig({ mode: "none", retentionDays: 30 })).to.equal(undefined);
    expect(objectLockFromConfig({ mode: "governance", retentionDays: 30 })).to.deep.equal({ mode: "GOVERNANCE", retentionDays: 30 });
    expect(objectLockFromConfig({ mode: "compliance", retentionDays: 365 })).to.deep.equal({ mode: "COMPLIANCE", retentionDays: 365 });
  });

  it("throws naming objectLock for days out of range or an unknown mode", () => {
    expect(() => objectLockFromConfig({ mode: "governance", retentionDays: 0 })).to.throw(/^objectLock: objectLock.retentionDays is 0/);
    expect(() => objectLockFromConfig({ mode: "legal-hold" as never, retentionDays: 30 })).to.throw(/objectLock.mode is "LEGAL-HOLD"/);
  });
});

describe("BucketReplication into a locked destination", () => {
  it("lets the role read the source versions' retention and legal holds", async () => {
    const { resources } = await plan("us-west-2", (opts) => void new BucketReplication("replication", replicationArgs({ destinationObjectLock: true }), opts));
    const statements = policyOf(one(resources, T.rolePolicy)).Statement;
    const lock = statements.find((statement) => statement.Sid === "ReadSourceObjectLock");
    expect(lock).to.deep.equal({
      Sid: "ReadSourceObjectLock",
      Effect: "Allow",
      Action: ["s3:GetObjectRetention", "s3:GetObjectLegalHold"],
      Resource: "arn:aws:s3:::primary-data-0a1b2c3/*",
    });
    expect(statements).to.have.length(6);
  });

  it("grants exactly replicationRolePolicy without Object Lock, and keeps the rule id", async () => {
    const { resources } = await plan("us-west-2", (opts) => void new BucketReplication("replication", replicationArgs(), opts));
    const expected = replicationRolePolicy({
      sourceBucketArn: "arn:aws:s3:::primary-data-0a1b2c3",
      destinationBucketArn: "arn:aws:s3:::dr-data-4d5e6f7",
      sourceKeyArn: EAST_KEY,
      destinationKeyArn: WEST_KEY,
      sourceRegion: "us-east-1",
      destinationRegion: "us-west-2",
    });
    expect(policyOf(one(resources, T.rolePolicy))).to.deep.equal(expected);
    const rules = one(resources, T.replicationConfig).inputs.rules as Record<string, unknown>[];
    expect(rules[0].id).to.equal(DEFAULT_REPLICATION_RULE_ID);
    expect(DEFAULT_REPLICATION_RULE_ID).to.equal("replicate-everything-to-dr");
  });

  it("waits for the destination's Object Lock configuration when given it", async () => {
    const { resources } = await plan("us-west-2", (opts) => {
      const bucket = new SecureBucket("dr-data", dataBucket({ objectLock: { mode: "GOVERNANCE", retentionDays: 30 } }), opts);
      new BucketReplication(
        "replication",
        replicationArgs({
          destinationBucketArn: bucket.bucketArn,
          destinationObjectLock: true,
          dependsOn: [bucket.versioning, bucket.objectLockConfiguration!],
        }),
        opts,
      );
    });
    const config = one(resources, T.replicationConfig);
    expect(config.dependencies).to.include(one(resources, T.objectLock).urn);
    expect(config.dependencies).to.include(one(resources, T.versioning).urn);
  });

  it("takes another rule id and rejects an empty or over-long one", async () => {
    const { resources } = await plan(
      "us-west-2",
      (opts) => void new BucketReplication("replication", replicationArgs({ ruleId: "replicate-pulumi-state" }), opts),
    );
    expect((one(resources, T.replicationConfig).inputs.rules as Record<string, unknown>[])[0].id).to.equal("replicate-pulumi-state");
    expect((await buildError("us-west-2", (opts) => void new BucketReplication("r", replicationArgs({ ruleId: "" }), opts))).message).to.match(
      /ruleId "" must be 1 to 255 characters/,
    );
    expect((await buildError("us-west-2", (opts) => void new BucketReplication("r", replicationArgs({ ruleId: "x".repeat(256) }), opts))).message).to.match(
      /must be 1 to 255 characters/,
    );
  });

  it("replicationPermissions appends the Object Lock statement only when asked", () => {
    const sides = {
      sourceBucketArn: "arn:aws:s3:::a",
      destinationBucketArn: "arn:aws:s3:::b",
      sourceKeyArn: EAST_KEY,
      destinationKeyArn: WEST_KEY,
      sourceRegion: "us-east-1",
      destinationRegion: "us-west-2",
    };
    expect(replicationPermissions({ ...sides, objectLock: false })).to.deep.equal(replicationRolePolicy(sides));
    expect(replicationPermissions({ ...sides, objectLock: true }).Statement.at(-1)).to.deep.equal(objectLockReplicationStatement("arn:aws:s3:::a"));
  });
});

describe("RegionalKey multi-Region options", () => {
  it("creates a multi-Region primary key when asked, with rotation, and its replica in another region", async () => {
    const { resources, outputs } = await recordStack({
      project: "components",
      stack: "test",
      role: "dr",
      region: "us-west-2",
      program: () => {
        const west = new aws.Provider("west", { region: "us-west-2" });
        const east = new aws.Provider("east", { region: "us-east-1" });
        const primary = new RegionalKey(
          "state-key-west",
          { region: "us-west-2", aliasName: "state", protect: true, multiRegion: true },
          { providers: { aws: west } },
        );
        const replica = new RegionalKey(
          "state-key-east",
          { region: "us-east-1", aliasName: "state", protect: true, replicaOf: primary.keyArn },
          { providers: { aws: east } },
        );
        return { primaryArn: primary.keyArn, replicaArn: replica.keyArn, primaryMulti: primary.multiRegion, replicaMulti: replica.multiRegion };
      },
    });
    const key = one(resources, T.key);
    expect(key.inputs.multiRegion).to.equal(true);
    expect(key.inputs.enableKeyRotation).to.equal(true);
    expect(key.region).to.equal("us-west-2");
    const replica = one(resources, T.replicaKey);
    expect(replica.name).to.equal("state-key-east-key");
    expect(replica.region).to.equal("us-east-1");
    expect(replica.inputs.primaryKeyArn).to.equal(outputs.primaryArn);
    expect(replica.inputs.deletionWindowInDays).to.equal(30);
    expect(replica.inputs).to.not.have.property("enableKeyRotation");
    expect(replica.protect).to.equal(true);
    const aliases = ofType(resources, T.alias);
    expect(aliases.map((alias) => [alias.region, alias.inputs.name]).sort()).to.deep.equal([
      ["us-east-1", "alias/state"],
      ["us-west-2", "alias/state"],
    ]);
    expect(aliases.find((alias) => alias.region === "us-east-1")?.inputs.targetKeyId).to.equal(outputs.replicaArn);
    expect([outputs.primaryMulti, outputs.replicaMulti]).to.deep.equal([true, true]);
  });

  it("uses the given key policy builder instead of the data key's", async () => {
    const { resources } = await plan("us-west-2", (opts) => {
      new RegionalKey(
        "k",
        {
          region: "us-west-2",
          aliasName: "narrow",
          protect: false,
          keyPolicy: ({ partition, accountId, region }) => ({
            Version: "2012-10-17",
            Statement: [
              { Sid: `Only-${region}`, Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" },
            ],
          }),
        },
        opts,
      );
    });
    const statements = policyOf(one(resources, T.key)).Statement;
    expect(statements.map((statement) => statement.Sid)).to.deep.equal(["Only-us-west-2"]);
    expect(one(resources, T.key).inputs.multiRegion).to.equal(false);
  });

  it("rejects multiRegion together with replicaOf", async () => {
    const error = await buildError(
      "us-east-1",
      (opts) => void new RegionalKey("k", { region: "us-east-1", aliasName: "x", protect: false, multiRegion: true, replicaOf: WEST_KEY }, opts),
    );
    expect(error.message).to.match(/RegionalKey k: set either multiRegion .* or replicaOf .*, not both/);
  });
});
