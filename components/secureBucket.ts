/**
 * SecureBucket: one S3 bucket with every control the checks catalogue asks of a bucket: versioning,
 * default encryption, all four public-access blocks, ACLs disabled, TLS-only policy, lifecycle for
 * noncurrent versions and incomplete uploads, server access logging and, optionally, S3 Object Lock
 * with a default retention. Used for the replicated data buckets, each region's log archive and the
 * Pulumi state backend (bootstrap/state-backend), so the controls are written once.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyStatement, policyDocument, tlsOnlyStatement } from "./policyDocuments";

/** Default encryption: SSE-KMS with a customer-managed key, or SSE-S3 where AWS requires it. */
export type BucketEncryption =
  | { kind: "kms"; keyArn: pulumi.Input<string> }
  /** ALB access logs and S3 server access logs can only be delivered to SSE-S3 buckets. */
  | { kind: "s3-managed" };

export interface SecureBucketArgs {
  encryption: BucketEncryption;
  /** Days to keep noncurrent object versions before they expire (S3 lifecycle; Security Hub S3.13). */
  noncurrentVersionExpirationDays: number;
  /** Days after which current objects expire; unset keeps them (set only for log buckets). */
  currentVersionExpirationDays?: number;
  /** Log archive bucket name for S3 server access logs (Security Hub S3.9); unset for the archive itself. */
  accessLogBucket?: pulumi.Input<string>;
  /** Statements added to the bucket policy after the TLS-only deny, built from the bucket's ARN. */
  extraPolicyStatements?: (bucketArn: string) => pulumi.Input<PolicyStatement[]>;
  /**
   * Protect with Pulumi `protect` and keep `forceDestroy: false` (the default, true). False is the
   * teardown mode of a test pair: no `protect`, and `forceDestroy: true`, so that `pulumi destroy`
   * deletes every object version first (the provider's force_destroy deletes "all objects (including
   * any locked objects)", bypassing governance-mode Object Lock; compliance-mode versions cannot be
   * deleted before their retention ends, and then the destroy fails until they expire).
   */
  protect: boolean;
  /**
   * S3 Object Lock with a default retention for every new object version (replicas included); unset
   * for no Object Lock. Enabled through `aws.s3.BucketObjectLockConfiguration`, which S3 accepts on a new
   * or an existing versioned bucket, so turning it on never replaces the bucket. Once enabled, Object
   * Lock cannot be turned off and versioning cannot be suspended; removing this option later only
   * removes the default retention. Never set it on a bucket that receives server access logs (S3
   * refuses Object Lock log destinations). See {@link SecureBucketObjectLock} and {@link objectLockProblems}.
   */
  objectLock?: SecureBucketObjectLock;
  /**
   * Tags of the bucket itself, besides the provider's default tags; default none. The primary's data
   * bucket carries the tag AWS FIS finds it by (`aws:s3:bucket-pause-replication` targets buckets by
   * tag only: recovery/faults/catalogue.ts S3_FAULT_TARGET_TAG).
   */
  tags?: Record<string, string>;
}

/**
 * Object Lock default retention (S3 User Guide, "Locking objects with Object Lock"):
 * - `GOVERNANCE`: principals with `s3:BypassGovernanceRetention` can still delete a locked version or
 *   shorten its retention with the bypass header; everyone else cannot.
 * - `COMPLIANCE`: nobody, the root user included, can delete a locked version or shorten its retention
 *   until it ends.
 */
export interface SecureBucketObjectLock {
  mode: ObjectLockMode;
  /** Default retention of each new object version, whole days from its creation: 1 to 36500 (100 years, S3's maximum). */
  retentionDays: number;
}

/** The Object Lock retention modes S3 accepts (`DefaultRetention.Mode`, S3 API Reference). */
export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

/** The longest default retention S3 accepts, days: 100 years (S3 User Guide, "Setting limits on retention periods with a bucket policy"). */
export const MAX_OBJECT_LOCK_RETENTION_DAYS = 36500;

/**
 * What is wrong with an Object Lock setting, one sentence each naming the arg and the fix; empty when
 * it is valid: `mode` must be GOVERNANCE or COMPLIANCE, `retentionDays` a whole number from 1 to 36500.
 * Pure, so the component, the config mapping and the tests share it.
 */
export function objectLockProblems(lock: { mode?: unknown; retentionDays?: unknown }): string[] {
  const problems: string[] = [];
  if (!OBJECT_LOCK_MODES.includes(lock.mode as ObjectLockMode)) {
    problems.push(`objectLock.mode is ${JSON.stringify(lock.mode)}: use GOVERNANCE or COMPLIANCE`);
  }
  const days = lock.retentionDays;
  if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > MAX_OBJECT_LOCK_RETENTION_DAYS) {
    problems.push(`objectLock.retentionDays is ${JSON.stringify(days)}: use a whole number of days from 1 to ${MAX_OBJECT_LOCK_RETENTION_DAYS}`);
  }
  return problems;
}

/** The DR stack's `objectLock` config key (config/schema.ts): mode in lower case, or `none`. */
export interface ObjectLockConfig {
  mode: "none" | "governance" | "compliance";
  retentionDays: number;
}

/**
 * Maps the `objectLock` config key to SecureBucket's `objectLock` arg: `none` gives undefined (no
 * Object Lock), `governance`/`compliance` their upper-case S3 mode with the same retention.
 * @throws Error naming `objectLock` when the mode is unknown or the days are out of 1..36500.
 */
export function objectLockFromConfig(config: ObjectLockConfig): SecureBucketObjectLock | undefined {
  if (config.mode === "none") return undefined;
  const lock = { mode: String(config.mode).toUpperCase() as ObjectLockMode, retentionDays: config.retentionDays };
  const problems = objectLockProblems(lock);
  if (problems.length > 0) throw new Error(`objectLock: ${problems.join("; ")} (config mode none, governance or compliance; retentionDays 1..36500)`);
  return lock;
}

/** Days S3 waits before aborting an incomplete multipart upload. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

export class SecureBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** Bucket domain name, region-qualified. */
  readonly bucketRegionalDomainName: pulumi.Output<string>;
  /** The versioning resource: replication must wait until versioning is on. */
  readonly versioning: aws.s3.BucketVersioning;
  /** The Object Lock configuration when `objectLock` is set: replication into a locked bucket should wait for it. */
  readonly objectLockConfiguration?: aws.s3.BucketObjectLockConfiguration;
  /** The validated Object Lock setting, or undefined. */
  readonly objectLock?: SecureBucketObjectLock;

  /**
   * @throws Error when a day count is not a positive whole number, or `objectLock` has an unknown
   *   mode or a retention outside 1..36500 days (before any resource is created).
   */
  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:storage:SecureBucket", name, {}, opts);
    for (const [key, days] of [
      ["noncurrentVersionExpirationDays", args.noncurrentVersionExpirationDays],
      ["currentVersionExpirationDays", args.currentVersionExpirationDays ?? 1],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) throw new Error(`SecureBucket ${name}: ${key} must be a whole number of days >= 1, got ${days}`);
    }
    if (args.objectLock !== undefined) {
      const problems = objectLockProblems(args.objectLock);
      if (problems.length > 0) throw new Error(`SecureBucket ${name}: ${problems.join("; ")}`);
    }
    const child = { parent: this };
    const bucket = new aws.s3.Bucket(
      `${name}`,
      { forceDestroy: !args.protect, ...(args.tags ? { tags: args.tags } : {}) },
      { parent: this, protect: args.protect },
    );
    const bucketId = bucket.id;

    const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucketId, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    this.versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucketId, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucketId,
        rules: [
          args.encryption.kind === "kms"
            ? {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.encryption.keyArn },
                bucketKeyEnabled: true,
              }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucketId,
        rules: [
          {
            id: "expire-noncurrent-versions-and-abort-uploads",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
            ...(args.currentVersionExpirationDays !== undefined ? { expiration: { days: args.currentVersionExpirationDays } } : {}),
          },
        ],
      },
      { parent: this, dependsOn: [this.versioning] },
    );
    if (args.accessLogBucket !== undefined) {
      new aws.s3.BucketLogging(
        `${name}-access-logging`,
        { bucket: bucketId, targetBucket: args.accessLogBucket, targetPrefix: pulumi.interpolate`s3/${bucketId}/` },
        child,
      );
    }
    if (args.objectLock !== undefined) {
      // PutObjectLockConfiguration enables Object Lock on an existing bucket once versioning is on
      // (S3 User Guide, "Configuring S3 Object Lock"; the provider documents the token as no longer
      // needed). `objectLockEnabled` on aws.s3.Bucket would force a new bucket, so it is never set.
      // Lifecycle keeps working: S3 does not expire a locked version before its retention ends
      // (S3 User Guide, "Object Lock considerations", "Managing S3 Lifecycle policies with Object Lock"),
      // so noncurrent versions live max(noncurrent days after they become noncurrent, retention from creation).
      this.objectLock = { ...args.objectLock };
      this.objectLockConfiguration = new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket: bucketId,
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.retentionDays } },
        },
        // Deleting this resource would silently drop the default retention: protect it like the bucket.
        { parent: this, dependsOn: [this.versioning], protect: args.protect },
      );
    }
    const extra = args.extraPolicyStatements;
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucketId,
        policy: bucket.arn.apply((arn) =>
          pulumi.output(extra ? extra(arn) : []).apply((statements) => JSON.stringify(policyDocument([tlsOnlyStatement(arn), ...statements]))),
        ),
      },
      // S3 rejects a policy written while the public-access block is still being applied.
      { parent: this, dependsOn: [publicAccess, ownership] },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.bucketRegionalDomainName = bucket.bucketRegionalDomainName;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      bucketRegionalDomainName: this.bucketRegionalDomainName,
    });
  }
}
