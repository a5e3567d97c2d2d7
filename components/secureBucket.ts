/**
 * SecureBucket: one S3 bucket with every control the checks catalogue asks of a bucket: versioning,
 * default encryption, all four public-access blocks, ACLs disabled, TLS-only policy, lifecycle for
 * noncurrent versions and incomplete uploads, and server access logging. Used for the replicated
 * data buckets and for each region's log archive, so the controls are written once.
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
  /** Protect with Pulumi `protect`; the bucket keeps `forceDestroy: false` either way. */
  protect: boolean;
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

  /** @throws Error when a day count is not a positive whole number. */
  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:storage:SecureBucket", name, {}, opts);
    for (const [key, days] of [
      ["noncurrentVersionExpirationDays", args.noncurrentVersionExpirationDays],
      ["currentVersionExpirationDays", args.currentVersionExpirationDays ?? 1],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) throw new Error(`SecureBucket ${name}: ${key} must be a whole number of days >= 1, got ${days}`);
    }
    const child = { parent: this };
    const bucket = new aws.s3.Bucket(`${name}`, { forceDestroy: false }, { parent: this, protect: args.protect });
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
