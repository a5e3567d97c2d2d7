/**
 * The self-managed Pulumi state backend of the multi-region-dr stacks, built so that the state
 * survives the loss of either region of the DR pair:
 *
 * - one S3 bucket per region (SecureBucket: versioned, SSE-KMS with an S3 Bucket Key, all public
 *   access blocked, ACLs off, TLS-only policy, noncurrent versions expired, optional Object Lock);
 * - one multi-Region KMS key: the primary in `regions[0]`, its replica in `regions[1]`, with the same
 *   alias in both, so the stacks' secrets (`awskms://alias/<alias>`) decrypt in either region
 *   (KMS Developer Guide, "Multi-Region keys in AWS KMS");
 * - S3 Cross-Region Replication from the writable bucket to the replica with Replication Time Control
 *   (99.99% of objects within 15 minutes) and delete-marker replication, so lock files that Pulumi
 *   deletes are deleted in the replica too (BucketReplication).
 *
 * Both stacks log in to the same (writable) bucket: a StackReference reads the backend the CLI is
 * logged in to, so the DR stack finds the primary's outputs only there (Pulumi docs, "Stack
 * references"; DIY backends name stacks `organization/<project>/<stack>`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BucketReplication } from "../../components/bucketReplication";
import { type KeyPolicyContext, type PolicyDocument, policyDocument } from "../../components/policyDocuments";
import { RegionalKey } from "../../components/regionalKey";
import { objectLockFromConfig, SecureBucket } from "../../components/secureBucket";
import { ConfigError, type ConfigProblem } from "../../config/errors";
import { regionProblem } from "../../config/rules";

/** The bootstrap's Pulumi project name (bootstrap/state-backend/Pulumi.yaml), also its config namespace. */
export const STATE_BACKEND_PROJECT = "state-backend";

/** Default days a checkpoint version is kept after Pulumi overwrites or deletes it. */
export const DEFAULT_STATE_NONCURRENT_VERSION_DAYS = 90;

/** Default KMS alias (without `alias/`) of the secrets key, the same in both regions. */
export const DEFAULT_STATE_KEY_ALIAS = "multi-region-dr-pulumi-state";

const regionSchema = z.string({ error: "must be a region code such as us-west-2" }).superRefine((region, context) => {
  const problem = regionProblem(region);
  if (problem) context.addIssue({ code: "custom", message: problem });
});

/** The `state-backend:` config keys (Pulumi.bootstrap.yaml), with their defaults and limits. */
export const stateBackendConfigSchema = z.strictObject({
  /**
   * The two regions of the DR pair, `[first, second]`: the first holds the multi-Region primary key,
   * the second its replica. Fixed for the life of the backend (reordering replaces both keys).
   */
  regions: z
    .tuple([regionSchema, regionSchema], { error: "must be a list of two region codes, e.g. [us-west-2, us-east-1]" })
    .refine(([first, second]) => first !== second, { message: "names the same region twice; use the two regions of the DR pair" }),
  /** Where Pulumi writes: one of `regions`; default `regions[0]`. Recommended: the DR stack's region. */
  writableRegion: regionSchema.optional(),
  /** KMS alias without `alias/`, the same in both regions; letters, digits, `/`, `_`, `-`, not `aws/...`. */
  aliasName: z
    .string()
    .regex(/^[A-Za-z0-9/_-]{1,250}$/, { message: "must use 1 to 250 letters, digits, /, _ or -" })
    .refine((alias) => !alias.startsWith("aws/"), { message: "must not start with aws/ (reserved for AWS managed keys)" })
    .default(DEFAULT_STATE_KEY_ALIAS),
  /** Days a replaced or deleted checkpoint version is kept, 1 to 36500. Default 90. */
  noncurrentVersionExpirationDays: z
    .number({ error: "must be a whole number of days" })
    .int({ message: "must be a whole number of days" })
    .min(1, { message: "must be at least 1 day" })
    .max(36500, { message: "must be at most 36500 days" })
    .default(DEFAULT_STATE_NONCURRENT_VERSION_DAYS),
  /** S3 Object Lock on both buckets (a locked source can only replicate into a locked destination). */
  objectLock: z
    .strictObject({
      mode: z.enum(["none", "governance", "compliance"], { error: "must be none, governance or compliance" }).default("none"),
      retentionDays: z
        .number({ error: "must be a whole number of days" })
        .int({ message: "must be a whole number of days" })
        .min(1, { message: "must be at least 1 day" })
        .max(36500, { message: "must be at most 36500 days (100 years)" })
        .default(30),
    })
    .prefault({}),
  /** Pulumi `protect` on the buckets, keys and Object Lock configurations. Default true. */
  protect: z.boolean({ error: "must be true or false" }).default(true),
});

/** The validated configuration, defaults applied. */
export interface StateBackendConfig {
  regions: [string, string];
  writableRegion: string;
  aliasName: string;
  noncurrentVersionExpirationDays: number;
  objectLock: { mode: "none" | "governance" | "compliance"; retentionDays: number };
  protect: boolean;
}

/**
 * Validates raw config values (as `pulumi config` holds them under `state-backend:`).
 * @throws ConfigError listing every problem with its full key (`state-backend:<path>`), the value and the fix.
 */
export function parseStateBackendConfig(raw: Record<string, unknown>): StateBackendConfig {
  const parsed = stateBackendConfigSchema.safeParse(raw);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const path = issue.path.map(String);
        const key = `${STATE_BACKEND_PROJECT}:${path.length > 0 ? path.join(".") : "(root)"}`;
        return { key, value: valueAt(raw, path), message: issue.message };
      });
  // Checked on the raw values so that it is reported together with every other problem.
  const { regions, writableRegion } = raw;
  if (Array.isArray(regions) && typeof writableRegion === "string" && !regions.includes(writableRegion)) {
    problems.push({ key: `${STATE_BACKEND_PROJECT}:writableRegion`, value: writableRegion, message: `must be one of regions (${regions.join(", ")})` });
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError("Invalid configuration of the state-backend bootstrap", problems);
  const { regions: pair, writableRegion: writable, ...rest } = parsed.data;
  return { ...rest, regions: [pair[0], pair[1]], writableRegion: writable ?? pair[0] };
}

function valueAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (current, step) => (current !== null && typeof current === "object" ? (current as Record<string, unknown>)[step] : undefined),
    value,
  );
}

/**
 * Picks the `state-backend:` keys out of a stack's whole config (`pulumi.runtime.allConfig()`: structured
 * values as JSON text, scalars as plain text), so a misspelt key is reported rather than ignored.
 */
export function stateBackendValues(allConfig: Readonly<Record<string, string>>): Record<string, unknown> {
  const prefix = `${STATE_BACKEND_PROJECT}:`;
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(allConfig)) {
    if (!fullKey.startsWith(prefix)) continue;
    try {
      values[fullKey.slice(prefix.length)] = JSON.parse(text);
    } catch {
      values[fullKey.slice(prefix.length)] = text;
    }
  }
  return values;
}

/**
 * Reads and validates the running stack's `state-backend:` config.
 * @throws ConfigError as {@link parseStateBackendConfig}.
 */
export function readStateBackendConfig(): StateBackendConfig {
  return parseStateBackendConfig(stateBackendValues(pulumi.runtime.allConfig()));
}

/**
 * The `pulumi login` URL of a state bucket: `s3://<bucket>?region=<region>&awssdk=v2` (Pulumi docs,
 * "Using a DIY backend", AWS S3). The region pins the bucket's endpoint; `awssdk=v2` selects the AWS SDK
 * for Go v2.
 */
export function backendUrl(bucketName: string, region: string): string {
  return `s3://${bucketName}?region=${region}&awssdk=v2`;
}

/**
 * The `--secrets-provider` URL of the state key (Pulumi docs, "pulumi stack init"). Without a region
 * (recommended) the KMS region is the AWS SDK's (`AWS_REGION` or the profile's): the stack config and
 * every checkpoint record this URL verbatim, so a region-free URL lets an operator decrypt in the
 * other region by changing `AWS_REGION` only. With a region, the URL is pinned to that region.
 */
export function secretsProviderUrl(aliasName: string, region?: string): string {
  return `awskms://alias/${aliasName}${region === undefined ? "" : `?region=${region}`}`;
}

/**
 * The state key's policy: the KMS default key policy, under which the account's IAM policies alone
 * decide who may use the key (KMS Developer Guide, "Default key policy"). No service principal needs
 * it: S3 and Pulumi use it with the caller's (or the replication role's) IAM permissions.
 */
export function stateKeyPolicy({ partition, accountId }: KeyPolicyContext): PolicyDocument {
  return policyDocument([
    {
      Sid: "AccountAdministersKeyThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ]);
}

/** What the bootstrap built. */
export interface StateBackend {
  writableRegion: string;
  replicaRegion: string;
  /** Bucket Pulumi writes to, and its replica in the other region. */
  writableBucket: SecureBucket;
  replicaBucket: SecureBucket;
  /** The multi-Region primary key (in `regions[0]`) and its replica (in `regions[1]`). */
  primaryKey: RegionalKey;
  replicaKey: RegionalKey;
  replication: BucketReplication;
  /** `pulumi login` URLs of the writable bucket and of the replica. */
  backendUrl: pulumi.Output<string>;
  replicaBackendUrl: pulumi.Output<string>;
  /** Region-free secrets provider URL for `pulumi stack init --secrets-provider`. */
  secretsProvider: string;
  /** Region-pinned secrets provider URLs by region. */
  regionalSecretsProviders: Record<string, string>;
}

/**
 * Builds the state backend: a provider per region, the multi-Region key and its replica, a bucket
 * per region, and replication from the writable bucket into the other one.
 * @throws Error from the components (for example an Object Lock retention out of range), before any resource.
 */
export function buildStateBackend(config: StateBackendConfig): StateBackend {
  const [keyRegion, replicaKeyRegion] = config.regions;
  const replicaRegion = config.writableRegion === keyRegion ? replicaKeyRegion : keyRegion;
  const objectLock = objectLockFromConfig(config.objectLock);
  const tags = { Project: STATE_BACKEND_PROJECT, Purpose: "pulumi-state", ManagedBy: "pulumi" };
  const providers = Object.fromEntries(
    config.regions.map((region) => [region, new aws.Provider(`state-${region}`, { region, defaultTags: { tags } })]),
  ) as Record<string, aws.Provider>;
  const inRegion = (region: string): pulumi.ComponentResourceOptions => ({ providers: { aws: providers[region] } });

  const primaryKey = new RegionalKey(
    `state-key-${keyRegion}`,
    { region: keyRegion, aliasName: config.aliasName, protect: config.protect, multiRegion: true, keyPolicy: stateKeyPolicy },
    inRegion(keyRegion),
  );
  const replicaKey = new RegionalKey(
    `state-key-${replicaKeyRegion}`,
    { region: replicaKeyRegion, aliasName: config.aliasName, protect: config.protect, replicaOf: primaryKey.keyArn, keyPolicy: stateKeyPolicy },
    inRegion(replicaKeyRegion),
  );
  const keyOf = (region: string) => (region === keyRegion ? primaryKey : replicaKey);

  const bucketIn = (region: string) =>
    new SecureBucket(
      `state-${region}`,
      {
        encryption: { kind: "kms", keyArn: keyOf(region).keyArn },
        noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
        protect: config.protect,
        ...(objectLock ? { objectLock } : {}),
      },
      inRegion(region),
    );
  const buckets = Object.fromEntries(config.regions.map((region) => [region, bucketIn(region)])) as Record<string, SecureBucket>;
  const writableBucket = buckets[config.writableRegion];
  const replicaBucket = buckets[replicaRegion];

  const replication = new BucketReplication(
    "state-replication",
    {
      sourceBucketName: writableBucket.bucketName,
      sourceBucketArn: writableBucket.bucketArn,
      sourceRegion: config.writableRegion,
      sourceKeyArn: keyOf(config.writableRegion).keyArn,
      destinationBucketArn: replicaBucket.bucketArn,
      destinationRegion: replicaRegion,
      destinationKeyArn: keyOf(replicaRegion).keyArn,
      destinationObjectLock: objectLock !== undefined,
      ruleId: "replicate-pulumi-state",
      // PutBucketReplication needs versioning on both the source and the destination bucket (S3 User
      // Guide, "Requirements and considerations for replication": "Both source and destination buckets
      // must have versioning enabled"), and a locked source needs a locked destination.
      dependsOn: [
        writableBucket.versioning,
        replicaBucket.versioning,
        ...(replicaBucket.objectLockConfiguration ? [replicaBucket.objectLockConfiguration] : []),
      ],
    },
    inRegion(config.writableRegion),
  );

  return {
    writableRegion: config.writableRegion,
    replicaRegion,
    writableBucket,
    replicaBucket,
    primaryKey,
    replicaKey,
    replication,
    backendUrl: writableBucket.bucketName.apply((name) => backendUrl(name, config.writableRegion)),
    replicaBackendUrl: replicaBucket.bucketName.apply((name) => backendUrl(name, replicaRegion)),
    secretsProvider: secretsProviderUrl(config.aliasName),
    regionalSecretsProviders: Object.fromEntries(config.regions.map((region) => [region, secretsProviderUrl(config.aliasName, region)])),
  };
}
