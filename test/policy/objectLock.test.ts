// Unit tests for the Object Lock and noncurrent-version policies of policy/policies/storage.ts: a
// compliant DR stack fixture (the DR data bucket with Object Lock, its log archive, the primary's
// replication into it) that passes, and for each rule a fixture broken in exactly that one way that
// fails with the expected message; then the exported pure helpers.
import { expect } from "chai";
import { TYPES } from "../../policy/policies/kit";
import { defaultRetentionOf, expiresNoncurrentVersions, OBJECT_LOCK_CONFIGURATION_TYPE, objectLockRetentionProblems } from "../../policy/policies/storage";
import { copyOf, type FixtureResource, violationsOf } from "./fixtures";

const ACCOUNT = "123456789012";
const PRIMARY_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/67b36b50-b2af-6baa-5415-7657811c9ffb`;
const DR_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/bedb6028-3f3e-89be-a7f0-2fa27b7a6c37`;
const PRIMARY_BUCKET = "primary-data-b00b7c7";
const DR_BUCKET = "dr-data-d594971";
const DR_LOGS = "dr-log-archive-36f0550";

type Props = Record<string, unknown>;

/** A bucket as SecureBucket builds it: the bucket, versioning and lifecycle (the companions these policies read). */
function bucket(name: string, bucketName: string, options: { versioning?: string; lifecycleRules?: Props[] | null; region?: string } = {}): FixtureResource[] {
  const companion = (suffix: string, type: string, props: Props): FixtureResource => ({
    type,
    name: `${name}-${suffix}`,
    region: options.region,
    props: { bucket: bucketName, ...props },
    propertyDependencies: { bucket: [name] },
  });
  const resources: FixtureResource[] = [
    { type: TYPES.s3Bucket, name, region: options.region, props: { arn: `arn:aws:s3:::${bucketName}`, bucket: bucketName, forceDestroy: false } },
    companion("versioning", TYPES.s3Versioning, { versioningConfiguration: { status: options.versioning ?? "Enabled" } }),
  ];
  const rules = options.lifecycleRules === undefined ? [lifecycleRule()] : options.lifecycleRules;
  if (rules !== null) resources.push(companion("lifecycle", TYPES.s3Lifecycle, { rules }));
  return resources;
}

function lifecycleRule(patch: Props = {}): Props {
  return {
    id: "expire-noncurrent-versions-and-abort-uploads",
    status: "Enabled",
    filter: {},
    noncurrentVersionExpiration: { noncurrentDays: 30 },
    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    ...patch,
  };
}

/** The Object Lock configuration SecureBucket adds, for `bucketName`, linked to the fixture `owner`. */
/** `rule` null: Object Lock enabled without a default retention. */
function objectLock(
  owner: string,
  bucketName: string,
  rule: Props | null = { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
  region?: string,
): FixtureResource {
  return {
    type: OBJECT_LOCK_CONFIGURATION_TYPE,
    name: `${owner}-object-lock`,
    region,
    props: { bucket: bucketName, objectLockEnabled: "Enabled", ...(rule === null ? {} : { rule }) },
    propertyDependencies: { bucket: [owner] },
  };
}

/** The primary's replication into `destination`, with its role; `lockStatement` false drops the Object Lock permissions. */
function replication(options: { source?: string; sourceRegion?: string; destination?: string; lockStatement?: boolean } = {}): FixtureResource[] {
  const source = options.source ?? PRIMARY_BUCKET;
  const destination = options.destination ?? DR_BUCKET;
  const statements: Props[] = [
    { Sid: "ReadSourceConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: `arn:aws:s3:::${source}` },
    {
      Sid: "ReadSourceObjectVersions",
      Effect: "Allow",
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
      Resource: `arn:aws:s3:::${source}/*`,
    },
    {
      Sid: "WriteReplicas",
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
      Resource: `arn:aws:s3:::${destination}/*`,
    },
    { Sid: "DecryptSourceObjects", Effect: "Allow", Action: "kms:Decrypt", Resource: PRIMARY_KEY },
    { Sid: "EncryptReplicas", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: DR_KEY },
  ];
  if (options.lockStatement !== false) {
    statements.push({
      Sid: "ReadSourceObjectLock",
      Effect: "Allow",
      Action: ["s3:GetObjectRetention", "s3:GetObjectLegalHold"],
      Resource: `arn:aws:s3:::${source}/*`,
    });
  }
  return [
    {
      type: TYPES.iamRole,
      name: "replication-role",
      props: { arn: `arn:aws:iam::${ACCOUNT}:role/replication-role-9af8d65e`, name: "replication-role-9af8d65e" },
    },
    {
      type: TYPES.iamRolePolicy,
      name: "replication-permissions",
      props: { role: "replication-role-9af8d65e", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
      propertyDependencies: { role: ["replication-role"] },
    },
    {
      type: TYPES.s3Replication,
      name: "replication-config",
      region: options.sourceRegion ?? "us-east-1",
      props: {
        bucket: source,
        role: `arn:aws:iam::${ACCOUNT}:role/replication-role-9af8d65e`,
        rules: [
          {
            id: "replicate-everything-to-dr",
            status: "Enabled",
            filter: {},
            deleteMarkerReplication: { status: "Enabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: { bucket: `arn:aws:s3:::${destination}`, encryptionConfiguration: { replicaKmsKeyId: DR_KEY } },
          },
        ],
      },
      propertyDependencies: { role: ["replication-role"] },
    },
  ];
}

/** The DR data bucket logging into the log archive (which must not be locked). */
function accessLogging(source: string, sourceName: string, target: string): FixtureResource {
  return {
    type: TYPES.s3Logging,
    name: `${source}-access-logging`,
    props: { bucket: sourceName, targetBucket: target, targetPrefix: `s3/${sourceName}/` },
    propertyDependencies: { bucket: [source] },
  };
}

/** The compliant DR stack: locked DR data bucket with default retention, log archive, replication with Object Lock permissions. */
function drStack(): FixtureResource[] {
  return [
    ...bucket("dr-data", DR_BUCKET),
    objectLock("dr-data", DR_BUCKET),
    accessLogging("dr-data", DR_BUCKET, DR_LOGS),
    ...bucket("dr-log-archive", DR_LOGS),
    ...replication(),
  ];
}

function replaced(resources: FixtureResource[], name: string, replacement: FixtureResource | undefined): FixtureResource[] {
  expect(resources.map((resource) => resource.name)).to.include(name);
  return copyOf(resources.flatMap((resource) => (resource.name === name ? (replacement ? [replacement] : []) : [resource])));
}

async function expectNone(policy: string, resources: FixtureResource[]): Promise<void> {
  const messages = await violationsOf(policy, resources);
  expect(messages, messages.join("\n")).to.deep.equal([]);
}

async function expectOnly(policy: string, resources: FixtureResource[], pattern: RegExp, count = 1): Promise<string[]> {
  const messages = await violationsOf(policy, resources);
  expect(messages, messages.join("\n")).to.have.length(count);
  for (const message of messages) expect(message).to.match(pattern);
  return messages;
}

describe("Object Lock and noncurrent-version policies", () => {
  describe("s3-object-lock-retention", () => {
    const lockWith = (props: Props): FixtureResource[] => [{ type: OBJECT_LOCK_CONFIGURATION_TYPE, name: "lock", props: { bucket: DR_BUCKET, ...props } }];
    it("passes GOVERNANCE 30 days, COMPLIANCE 1 year, and Object Lock without a default retention", async () => {
      await expectNone("s3-object-lock-retention", drStack());
      await expectNone("s3-object-lock-retention", lockWith({ objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", years: 1 } } }));
      await expectNone("s3-object-lock-retention", lockWith({ objectLockEnabled: "Enabled" }));
      await expectNone("s3-object-lock-retention", lockWith({ rule: { defaultRetention: { mode: "GOVERNANCE", days: 36500 } } }));
    });
    it("fails a mode S3 does not know", async () => {
      await expectOnly(
        "s3-object-lock-retention",
        lockWith({ rule: { defaultRetention: { mode: "governance", days: 30 } } }),
        /^rule.defaultRetention.mode is "governance": use GOVERNANCE or COMPLIANCE$/,
      );
    });
    it("fails 0 days, 36501 days and 101 years", async () => {
      await expectOnly(
        "s3-object-lock-retention",
        lockWith({ rule: { defaultRetention: { mode: "GOVERNANCE", days: 0 } } }),
        /days is 0: use a whole number from 1 to 36500/,
      );
      await expectOnly("s3-object-lock-retention", lockWith({ rule: { defaultRetention: { mode: "GOVERNANCE", days: 36501 } } }), /days is 36501/);
      await expectOnly(
        "s3-object-lock-retention",
        lockWith({ rule: { defaultRetention: { mode: "COMPLIANCE", years: 101 } } }),
        /years is 101: use a whole number from 1 to 100/,
      );
    });
    it("fails both days and years, and neither", async () => {
      await expectOnly(
        "s3-object-lock-retention",
        lockWith({ rule: { defaultRetention: { mode: "GOVERNANCE", days: 30, years: 1 } } }),
        /^rule.defaultRetention needs exactly one of days or years$/,
      );
      await expectOnly("s3-object-lock-retention", lockWith({ rule: { defaultRetention: { mode: "GOVERNANCE" } } }), /needs exactly one of days or years/);
    });
    it("fails a rule without a default retention and an objectLockEnabled other than Enabled", async () => {
      await expectOnly("s3-object-lock-retention", lockWith({ rule: {} }), /^rule has no defaultRetention/);
      await expectOnly(
        "s3-object-lock-retention",
        lockWith({ objectLockEnabled: "Disabled" }),
        /^objectLockEnabled is "Disabled": the only value S3 accepts is Enabled$/,
      );
    });
  });

  describe("s3-object-lock-replication", () => {
    it("passes the locked DR copy with a default retention and the Object Lock permissions", async () => {
      await expectNone("s3-object-lock-replication", drStack());
    });
    it("passes stacks without Object Lock, and a locked bucket that nothing replicates into without a default retention", async () => {
      await expectNone("s3-object-lock-replication", replaced(drStack(), "dr-data-object-lock", undefined));
      await expectNone("s3-object-lock-replication", [...bucket("vault", "vault-bucket"), objectLock("vault", "vault-bucket", null)]);
    });
    it("fails a locked replication destination without a default retention", async () => {
      await expectOnly(
        "s3-object-lock-replication",
        replaced(drStack(), "dr-data-object-lock", objectLock("dr-data", DR_BUCKET, null)),
        /^dr-data: is a replication destination with Object Lock but no default retention, so replicas of unlocked source versions are not locked/,
      );
    });
    it("fails a replication role that cannot read the source's retention and legal holds", async () => {
      const resources = [...drStack().filter((resource) => !resource.name.startsWith("replication-")), ...replication({ lockStatement: false })];
      const messages = await expectOnly(
        "s3-object-lock-replication",
        resources,
        /^replication-config: replicates into the locked dr-data-d594971 but its role may not s3:GetObject/,
        2,
      );
      expect(messages.map((message) => message.match(/may not (\S+)/)?.[1])).to.deep.equal(["s3:GetObjectRetention", "s3:GetObjectLegalHold"]);
    });
    it("fails a locked bucket that receives server access logs", async () => {
      const resources = [...drStack(), objectLock("dr-log-archive", DR_LOGS)];
      await expectOnly(
        "s3-object-lock-replication",
        resources,
        /^dr-log-archive: has Object Lock and receives access logs; S3 refuses log delivery into a locked bucket/,
      );
    });
    it("fails a locked source of this stack replicating into an unlocked destination", async () => {
      const resources = [
        ...bucket("state-west", "state-west-bucket"),
        objectLock("state-west", "state-west-bucket"),
        ...bucket("state-east", "state-east-bucket", { region: "us-east-1" }),
        ...replication({ source: "state-west-bucket", sourceRegion: "us-west-2", destination: "state-east-bucket" }),
      ];
      await expectOnly(
        "s3-object-lock-replication",
        resources,
        /^replication-config: the source state-west-bucket has Object Lock but the destination state-east-bucket does not; S3 cannot replicate locked objects there/,
      );
      await expectNone("s3-object-lock-replication", [
        ...resources,
        objectLock("state-east", "state-east-bucket", { defaultRetention: { mode: "GOVERNANCE", days: 30 } }, "us-east-1"),
      ]);
    });
  });

  describe("s3-versioned-noncurrent-expiration", () => {
    it("passes versioned buckets whose lifecycle expires noncurrent versions, and an unversioned bucket without lifecycle", async () => {
      await expectNone("s3-versioned-noncurrent-expiration", drStack());
      await expectNone("s3-versioned-noncurrent-expiration", bucket("plain", "plain-bucket", { versioning: "Suspended", lifecycleRules: null }));
    });
    it("fails a versioned bucket without a lifecycle", async () => {
      await expectOnly(
        "s3-versioned-noncurrent-expiration",
        bucket("dr-data", DR_BUCKET, { lifecycleRules: null }),
        /^dr-data: is versioned but no Enabled lifecycle rule expires the noncurrent versions of all its objects/,
      );
    });
    it("fails a lifecycle whose only noncurrent rule is Disabled, narrowed to a prefix or a tag, or without days", async () => {
      for (const rule of [
        lifecycleRule({ status: "Disabled" }),
        lifecycleRule({ filter: { prefix: "logs/" } }),
        lifecycleRule({ filter: { tag: { key: "k", value: "v" } } }),
        lifecycleRule({ noncurrentVersionExpiration: undefined }),
        lifecycleRule({ noncurrentVersionExpiration: { noncurrentDays: 0 } }),
      ]) {
        await expectOnly(
          "s3-versioned-noncurrent-expiration",
          bucket("dr-data", DR_BUCKET, { lifecycleRules: [rule] }),
          /is versioned but no Enabled lifecycle rule/,
        );
      }
    });
    it("passes when a second, whole-bucket rule carries the expiration", async () => {
      await expectNone(
        "s3-versioned-noncurrent-expiration",
        bucket("dr-data", DR_BUCKET, { lifecycleRules: [lifecycleRule({ filter: { prefix: "tmp/" } }), lifecycleRule({ id: "all", filter: { prefix: "" } })] }),
      );
    });
  });

  describe("helpers", () => {
    it("objectLockRetentionProblems reads objects and one-item lists alike", () => {
      expect(objectLockRetentionProblems({ objectLockEnabled: "Enabled", rule: [{ defaultRetention: [{ mode: "GOVERNANCE", days: 5 }] }] })).to.deep.equal([]);
      expect(objectLockRetentionProblems({ rule: { defaultRetention: { mode: "X", days: 1.5 } } })).to.deep.equal([
        'rule.defaultRetention.mode is "X": use GOVERNANCE or COMPLIANCE',
        "rule.defaultRetention.days is 1.5: use a whole number from 1 to 36500",
      ]);
    });
    it("defaultRetentionOf is undefined without a rule", () => {
      expect(defaultRetentionOf({ objectLockEnabled: "Enabled" })).to.equal(undefined);
      expect(defaultRetentionOf({ rule: { defaultRetention: { mode: "COMPLIANCE", days: 1 } } })).to.deep.equal({ mode: "COMPLIANCE", days: 1 });
    });
    it("expiresNoncurrentVersions needs an Enabled whole-bucket rule with whole days", () => {
      expect(expiresNoncurrentVersions({ rules: [lifecycleRule()] })).to.equal(true);
      expect(expiresNoncurrentVersions({ rules: [lifecycleRule({ filter: undefined })] })).to.equal(true);
      expect(expiresNoncurrentVersions({ rules: [lifecycleRule({ noncurrentVersionExpiration: { noncurrentDays: 2.5 } })] })).to.equal(false);
      expect(expiresNoncurrentVersions({ rules: [lifecycleRule({ filter: { objectSizeGreaterThan: 1024 } })] })).to.equal(false);
      expect(expiresNoncurrentVersions({})).to.equal(false);
    });
  });
});
