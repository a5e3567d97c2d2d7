// The state-backend bootstrap (bootstrap/state-backend): its configuration (defaults and every
// error naming its key), the login and secrets-provider URLs, and the program under Pulumi mocks:
// one bucket per region with the controls of SecureBucket, the multi-Region key and its replica,
// replication from the writable bucket with RTC and delete markers, Object Lock on both sides when
// asked, logical names that survive a swap of the writable region, and the storage policies.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../config/errors";
import { ALL_POLICIES, POLICY_GROUPS } from "../policy/policies";
import { evaluatePolicies } from "../policy/offline";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";
import {
  backendUrl,
  buildStateBackend,
  DEFAULT_STATE_KEY_ALIAS,
  DEFAULT_STATE_NONCURRENT_VERSION_DAYS,
  parseStateBackendConfig,
  secretsProviderUrl,
  stateBackendValues,
  stateKeyPolicy,
} from "../bootstrap/state-backend/stateBackend";

const T = {
  provider: "pulumi:providers:aws",
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  logging: "aws:s3/bucketLogging:BucketLogging",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  key: "aws:kms/key:Key",
  replicaKey: "aws:kms/replicaKey:ReplicaKey",
  alias: "aws:kms/alias:Alias",
} as const;

// Provider inputs are untyped JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const WEST = "us-west-2";
const EAST = "us-east-1";

interface Built {
  plan: StackPlan;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

async function build(raw: Record<string, unknown>): Promise<Built> {
  const plan = await recordStack({
    project: "state-backend",
    stack: "bootstrap",
    role: "bootstrap",
    region: WEST,
    program: () => {
      const backend = buildStateBackend(parseStateBackendConfig(raw));
      return {
        backendUrl: backend.backendUrl,
        replicaBackendUrl: backend.replicaBackendUrl,
        secretsProvider: backend.secretsProvider,
        regionalSecretsProviders: backend.regionalSecretsProviders,
        writableBucketName: backend.writableBucket.bucketName,
        replicaBucketName: backend.replicaBucket.bucketName,
        writableBucketArn: backend.writableBucket.bucketArn,
        replicaBucketArn: backend.replicaBucket.bucketArn,
        primaryKeyArn: backend.primaryKey.keyArn,
        replicaKeyArn: backend.replicaKey.keyArn,
        ruleId: backend.replication.ruleId,
        writableRegion: backend.writableRegion,
        replicaRegion: backend.replicaRegion,
      };
    },
  });
  return { plan, resources: plan.resources, outputs: plan.outputs };
}

function ofType(resources: PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((resource) => resource.type === type);
}

function one(resources: PlannedResource[], type: string, name?: string): PlannedResource {
  const matches = ofType(resources, type).filter((resource) => name === undefined || resource.name === name);
  expect(
    matches.map((resource) => resource.name),
    `${type}${name ? ` ${name}` : ""}`,
  ).to.have.length(1);
  return matches[0];
}

function inRegion(resources: PlannedResource[], type: string, region: string): PlannedResource {
  const matches = ofType(resources, type).filter((resource) => resource.region === region);
  expect(
    matches.map((resource) => resource.name),
    `${type} in ${region}`,
  ).to.have.length(1);
  return matches[0];
}

function configError(raw: Record<string, unknown>): ConfigError {
  try {
    parseStateBackendConfig(raw);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("state-backend bootstrap", () => {
  describe("configuration", () => {
    it("defaults the writable region to the first, the alias, 90 noncurrent days, no Object Lock and protect", () => {
      expect(parseStateBackendConfig({ regions: [WEST, EAST] })).to.deep.equal({
        regions: [WEST, EAST],
        writableRegion: WEST,
        aliasName: DEFAULT_STATE_KEY_ALIAS,
        noncurrentVersionExpirationDays: DEFAULT_STATE_NONCURRENT_VERSION_DAYS,
        objectLock: { mode: "none", retentionDays: 30 },
        protect: true,
      });
      expect(DEFAULT_STATE_NONCURRENT_VERSION_DAYS).to.equal(90);
    });

    it("takes the second region as writable", () => {
      expect(parseStateBackendConfig({ regions: [WEST, EAST], writableRegion: EAST }).writableRegion).to.equal(EAST);
    });

    for (const [label, raw, key, pattern] of [
      ["missing regions", {}, "state-backend:regions", /list of two region codes/],
      ["one region", { regions: [WEST] }, "state-backend:regions", /list of two region codes/],
      ["the same region twice", { regions: [WEST, WEST] }, "state-backend:regions", /names the same region twice/],
      ["a region that is not a region code", { regions: [WEST, "mars-1"] }, "state-backend:regions.1", /is not an AWS region code/],
      [
        "a writable region outside the pair",
        { regions: [WEST, EAST], writableRegion: "eu-west-1" },
        "state-backend:writableRegion",
        /must be one of regions \(us-west-2, us-east-1\)/,
      ],
      ["an alias in the aws/ namespace", { regions: [WEST, EAST], aliasName: "aws/s3" }, "state-backend:aliasName", /must not start with aws\//],
      ["0 noncurrent days", { regions: [WEST, EAST], noncurrentVersionExpirationDays: 0 }, "state-backend:noncurrentVersionExpirationDays", /at least 1 day/],
      [
        "an Object Lock mode S3 does not know",
        { regions: [WEST, EAST], objectLock: { mode: "legal-hold" } },
        "state-backend:objectLock.mode",
        /none, governance or compliance/,
      ],
      [
        "a retention over 100 years",
        { regions: [WEST, EAST], objectLock: { mode: "compliance", retentionDays: 36501 } },
        "state-backend:objectLock.retentionDays",
        /at most 36500/,
      ],
      ["an unknown key", { regions: [WEST, EAST], region: WEST }, "state-backend:(root)", /region/],
    ] as const) {
      it(`rejects ${label}, naming ${key}`, () => {
        const error = configError(raw);
        expect(error.problems.map((problem) => problem.key)).to.include(key);
        expect(error.message).to.match(pattern);
        expect(error.message).to.match(/^Invalid configuration of the state-backend bootstrap:/);
      });
    }

    it("reads only its own namespace from the stack config, JSON values parsed and scalars as text", () => {
      const values = stateBackendValues({
        "state-backend:regions": '["us-west-2","us-east-1"]',
        "state-backend:writableRegion": "us-east-1",
        "state-backend:protect": "false",
        "state-backend:writeableRegion": "us-east-1",
        "aws:region": "us-west-2",
      });
      expect(values).to.deep.equal({ regions: [WEST, EAST], writableRegion: EAST, protect: false, writeableRegion: EAST });
      expect(configError(values).problems.map((problem) => problem.key)).to.deep.equal(["state-backend:(root)"]);
      expect(configError(values).message).to.include("writeableRegion");
    });

    it("reports every problem at once", () => {
      const error = configError({ regions: [WEST, EAST], writableRegion: "eu-west-1", noncurrentVersionExpirationDays: -1, protect: "yes" });
      expect(error.problems.map((problem) => problem.key).sort()).to.deep.equal([
        "state-backend:noncurrentVersionExpirationDays",
        "state-backend:protect",
        "state-backend:writableRegion",
      ]);
    });
  });

  describe("URLs", () => {
    it("logs in to a bucket through its region with the AWS SDK v2", () => {
      expect(backendUrl("state-bucket", WEST)).to.equal("s3://state-bucket?region=us-west-2&awssdk=v2");
    });
    it("names the secrets key by alias, region-free or pinned to a region", () => {
      expect(secretsProviderUrl("pulumi-state")).to.equal("awskms://alias/pulumi-state");
      expect(secretsProviderUrl("pulumi-state", EAST)).to.equal("awskms://alias/pulumi-state?region=us-east-1");
    });
    it("gives the state key the KMS default key policy only", () => {
      expect(stateKeyPolicy({ partition: "aws", accountId: MOCK_ACCOUNT_ID, region: WEST })).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` },
            Action: "kms:*",
            Resource: "*",
          },
        ],
      });
    });
  });

  describe("program, writable in us-west-2 (the DR region)", () => {
    let built: Built;
    before(async () => {
      built = await build({ regions: [WEST, EAST], writableRegion: WEST });
    });

    it("has one explicit provider per region", () => {
      expect(
        ofType(built.resources, T.provider)
          .map((provider) => provider.inputs.region)
          .sort(),
      ).to.deep.equal([EAST, WEST]);
    });

    it("creates one bucket per region, protected, never force-destroyed, with no Object Lock", () => {
      const buckets = ofType(built.resources, T.bucket);
      expect(buckets.map((bucket) => bucket.region).sort()).to.deep.equal([EAST, WEST]);
      for (const bucket of buckets) {
        expect(bucket.protect, bucket.name).to.equal(true);
        expect(bucket.inputs).to.deep.equal({ forceDestroy: false });
      }
      expect(ofType(built.resources, T.objectLock)).to.have.length(0);
      expect(inRegion(built.resources, T.bucket, WEST).outputs.bucket).to.equal(built.outputs.writableBucketName);
      expect(inRegion(built.resources, T.bucket, EAST).outputs.bucket).to.equal(built.outputs.replicaBucketName);
    });

    it("versions, blocks public access, disables ACLs and denies plain HTTP on both buckets", () => {
      for (const region of [WEST, EAST]) {
        expect(inRegion(built.resources, T.versioning, region).inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
        expect(inRegion(built.resources, T.publicAccess, region).inputs).to.include({
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });
        expect(inRegion(built.resources, T.ownership, region).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        const policy = JSON.parse(String(inRegion(built.resources, T.bucketPolicy, region).inputs.policy));
        expect(policy.Statement[0]).to.include({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*" });
      }
    });

    it("encrypts each bucket with its own region's key: the multi-Region primary in us-west-2, the replica in us-east-1", () => {
      const west = inRegion(built.resources, T.encryption, WEST).inputs.rules as Record<string, Any>[];
      const east = inRegion(built.resources, T.encryption, EAST).inputs.rules as Record<string, Any>[];
      expect(west[0]).to.deep.equal({
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: built.outputs.primaryKeyArn },
        bucketKeyEnabled: true,
      });
      expect(east[0]).to.deep.equal({
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: built.outputs.replicaKeyArn },
        bucketKeyEnabled: true,
      });
      expect(String(built.outputs.primaryKeyArn)).to.match(/^arn:aws:kms:us-west-2:/);
      expect(String(built.outputs.replicaKeyArn)).to.match(/^arn:aws:kms:us-east-1:/);
    });

    it("makes the key multi-Region with rotation, replicates it into us-east-1, and gives both the same alias", () => {
      const key = one(built.resources, T.key);
      expect(key.region).to.equal(WEST);
      expect(key.inputs).to.include({ multiRegion: true, enableKeyRotation: true, deletionWindowInDays: 30 });
      expect(key.protect).to.equal(true);
      expect(JSON.parse(String(key.inputs.policy))).to.deep.equal(stateKeyPolicy({ partition: "aws", accountId: MOCK_ACCOUNT_ID, region: WEST }));
      const replica = one(built.resources, T.replicaKey);
      expect(replica.region).to.equal(EAST);
      expect(replica.inputs.primaryKeyArn).to.equal(built.outputs.primaryKeyArn);
      expect(replica.protect).to.equal(true);
      expect(
        ofType(built.resources, T.alias)
          .map((alias) => `${alias.region} ${alias.inputs.name}`)
          .sort(),
      ).to.deep.equal([`${EAST} alias/${DEFAULT_STATE_KEY_ALIAS}`, `${WEST} alias/${DEFAULT_STATE_KEY_ALIAS}`]);
    });

    it("expires noncurrent checkpoint versions after 90 days and aborts incomplete uploads", () => {
      for (const region of [WEST, EAST]) {
        const rules = inRegion(built.resources, T.lifecycle, region).inputs.rules as Record<string, Any>[];
        expect(rules[0]).to.deep.include({ status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } });
        expect(rules[0].expiration).to.equal(undefined);
      }
    });

    it("replicates the writable bucket into the replica with RTC, delete markers and the replica key", () => {
      const config = one(built.resources, T.replication);
      expect(config.region).to.equal(WEST);
      expect(config.inputs.bucket).to.equal(built.outputs.writableBucketName);
      const rules = config.inputs.rules as Record<string, Any>[];
      expect(rules).to.have.length(1);
      expect(rules[0]).to.deep.include({ id: "replicate-pulumi-state", status: "Enabled", deleteMarkerReplication: { status: "Enabled" } });
      expect(rules[0].destination).to.deep.include({
        bucket: built.outputs.replicaBucketArn,
        encryptionConfiguration: { replicaKmsKeyId: built.outputs.replicaKeyArn },
        replicationTime: { status: "Enabled", time: { minutes: 15 } },
        metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
      });
      expect(config.dependencies).to.include(inRegion(built.resources, T.versioning, EAST).urn);
      expect(built.outputs.ruleId).to.equal("replicate-pulumi-state");
    });

    it("lets the replication role decrypt with the writable region's key and encrypt with the replica's, without Object Lock permissions", () => {
      const statements = JSON.parse(String(one(built.resources, T.rolePolicy).inputs.policy)).Statement as Record<string, Any>[];
      const bySid = Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
      expect(bySid.DecryptSourceObjects.Resource).to.equal(built.outputs.primaryKeyArn);
      expect(bySid.DecryptSourceObjects.Condition.StringLike["kms:ViaService"]).to.equal("s3.us-west-2.amazonaws.com");
      expect(bySid.EncryptReplicas.Resource).to.equal(built.outputs.replicaKeyArn);
      expect(bySid.WriteReplicas.Resource).to.equal(`${built.outputs.replicaBucketArn}/*`);
      expect(bySid.ReadSourceObjectLock).to.equal(undefined);
    });

    it("exports the login URLs of both buckets and the region-free secrets provider", () => {
      expect(built.outputs.backendUrl).to.equal(`s3://${built.outputs.writableBucketName}?region=us-west-2&awssdk=v2`);
      expect(built.outputs.replicaBackendUrl).to.equal(`s3://${built.outputs.replicaBucketName}?region=us-east-1&awssdk=v2`);
      expect(built.outputs.secretsProvider).to.equal(`awskms://alias/${DEFAULT_STATE_KEY_ALIAS}`);
      expect(built.outputs.regionalSecretsProviders).to.deep.equal({
        [WEST]: `awskms://alias/${DEFAULT_STATE_KEY_ALIAS}?region=us-west-2`,
        [EAST]: `awskms://alias/${DEFAULT_STATE_KEY_ALIAS}?region=us-east-1`,
      });
    });

    it("passes every storage policy, with only the access-logging advisory left", async () => {
      // The mock cloud may give a ReplicaKey a generic ARN; AWS gives a replica the primary's key id
      // in its own region (KMS Developer Guide, "Multi-Region key ARNs"). Use that form.
      const primaryId = String(built.outputs.primaryKeyArn).split(":key/")[1];
      const realistic = JSON.parse(
        JSON.stringify(built.plan).split(String(built.outputs.replicaKeyArn)).join(`arn:aws:kms:${EAST}:${MOCK_ACCOUNT_ID}:key/${primaryId}`),
      ) as StackPlan;
      const report = await evaluatePolicies(realistic, {}, POLICY_GROUPS.storage);
      expect(report.policiesRun).to.equal(POLICY_GROUPS.storage.length);
      const mandatory = report.violations.filter((violation) => violation.enforcementLevel === "mandatory");
      expect(mandatory.map((violation) => `${violation.policy}: ${violation.message}`)).to.deep.equal([]);
      expect([...new Set(report.violations.map((violation) => violation.policy))]).to.deep.equal(["s3-logging-and-lifecycle"]);
      expect(ALL_POLICIES.length).to.be.greaterThan(POLICY_GROUPS.storage.length);
    });
  });

  describe("program, writable region swapped to us-east-1 after an outage", () => {
    let west: Built;
    let east: Built;
    before(async () => {
      west = await build({ regions: [WEST, EAST] });
      east = await build({ regions: [WEST, EAST], writableRegion: EAST });
    });

    it("keeps every bucket and key under the same logical name and type (nothing is replaced but the replication)", () => {
      const identity = (built: Built) =>
        built.resources
          .filter((resource) => resource.type !== T.replication)
          .map((resource) => `${resource.type} ${resource.name} ${resource.region}`)
          .sort();
      expect(identity(east)).to.deep.equal(identity(west));
      expect(one(east.resources, T.key).region).to.equal(WEST);
      expect(one(east.resources, T.replicaKey).region).to.equal(EAST);
    });

    it("puts the replication after the versioning of both buckets, source and destination (S3 refuses it on an unversioned source)", () => {
      for (const built of [west, east]) {
        const config = one(built.resources, T.replication);
        for (const region of [WEST, EAST]) expect(config.dependencies, region).to.include(inRegion(built.resources, T.versioning, region).urn);
      }
    });

    it("replicates from the us-east-1 bucket into the us-west-2 bucket, with the keys of those regions", () => {
      const config = one(east.resources, T.replication);
      expect(config.region).to.equal(EAST);
      expect(config.inputs.bucket).to.equal(inRegion(east.resources, T.bucket, EAST).outputs.bucket);
      const destination = (config.inputs.rules as Record<string, Any>[])[0].destination;
      expect(destination.bucket).to.equal(inRegion(east.resources, T.bucket, WEST).outputs.arn);
      expect(destination.encryptionConfiguration.replicaKmsKeyId).to.equal(east.outputs.primaryKeyArn);
      expect(east.outputs.backendUrl).to.match(/\?region=us-east-1&awssdk=v2$/);
      expect(east.outputs.replicaBackendUrl).to.match(/\?region=us-west-2&awssdk=v2$/);
      expect([east.outputs.writableRegion, east.outputs.replicaRegion]).to.deep.equal([EAST, WEST]);
    });
  });

  describe("entry point (bootstrap/state-backend/index.ts) with the shipped Pulumi.bootstrap.yaml", () => {
    it("reads the stack file's config and exports what the stacks need to log in", async () => {
      const directory = path.join(__dirname, "..", "bootstrap", "state-backend");
      const project = parse(readFileSync(path.join(directory, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
      expect(project).to.include({ name: "state-backend", main: "index.ts" });
      expect((project.runtime as Record<string, unknown>).name).to.equal("nodejs");
      const stackConfig = (parse(readFileSync(path.join(directory, "Pulumi.bootstrap.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
      const allConfig = Object.fromEntries(Object.entries(stackConfig).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
      const plan = await recordStack({
        project: "state-backend",
        stack: "bootstrap",
        role: "bootstrap",
        region: WEST,
        program: () => {
          pulumi.runtime.setAllConfig(allConfig);
          // The entry point builds at load time and exports the stack outputs: load it after the mocks are set.
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          return { ...(require(path.join(directory, "index.ts")) as Record<string, unknown>) };
        },
      });
      expect(plan.outputs).to.include({
        writableRegion: WEST,
        replicaRegion: EAST,
        objectLockMode: "none",
        secretsProvider: `awskms://alias/${DEFAULT_STATE_KEY_ALIAS}`,
      });
      expect(plan.outputs.backendUrl).to.equal(`s3://${plan.outputs.writableBucketName}?region=us-west-2&awssdk=v2`);
      expect(plan.outputs.replicaBackendUrl).to.equal(`s3://${plan.outputs.replicaBucketName}?region=us-east-1&awssdk=v2`);
      expect(ofType(plan.resources, T.bucket)).to.have.length(2);
      expect(one(plan.resources, T.replication).region).to.equal(WEST);
    });
  });

  describe("program with Object Lock (governance, 30 days)", () => {
    let built: Built;
    before(async () => {
      built = await build({ regions: [WEST, EAST], objectLock: { mode: "governance", retentionDays: 30 }, protect: false });
    });

    it("locks both buckets (a locked source replicates only into a locked destination) with a default retention", () => {
      const locks = ofType(built.resources, T.objectLock);
      expect(locks.map((lock) => lock.region).sort()).to.deep.equal([EAST, WEST]);
      for (const lock of locks) {
        expect(lock.inputs).to.deep.include({ objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } });
        expect(lock.protect).to.equal(false);
      }
    });

    it("lets the replication role read retention and legal holds, and waits for the destination's lock", () => {
      const statements = JSON.parse(String(one(built.resources, T.rolePolicy).inputs.policy)).Statement as Record<string, Any>[];
      const lock = statements.find((statement) => statement.Sid === "ReadSourceObjectLock");
      expect(lock?.Action).to.deep.equal(["s3:GetObjectRetention", "s3:GetObjectLegalHold"]);
      expect(lock?.Resource).to.equal(`${built.outputs.writableBucketArn}/*`);
      expect(one(built.resources, T.replication).dependencies).to.include(inRegion(built.resources, T.objectLock, EAST).urn);
    });

    it("passes the Object Lock policies", async () => {
      const report = await evaluatePolicies(built.plan, {}, POLICY_GROUPS.storage);
      const lockViolations = report.violations.filter((violation) => violation.policy.startsWith("s3-object-lock"));
      expect(lockViolations.map((violation) => violation.message)).to.deep.equal([]);
    });
  });
});
