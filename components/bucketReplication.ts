/**
 * BucketReplication: cross-region replication from the primary's data bucket into the DR bucket,
 * owned by the DR stack. A least-privilege IAM role, and a replication configuration on the source
 * bucket (placed in the source's region with the v7 per-resource `region`) with one rule for all
 * objects: delete markers replicated, SSE-KMS objects replicated and re-encrypted with the DR key,
 * Replication Time Control (99.99% of objects within 15 minutes) with its required metrics
 * (S3 User Guide, "Meeting compliance requirements with S3 Replication Time Control").
 *
 * With `destinationObjectLock`, the role may also read the source versions' retention and legal hold
 * (S3 User Guide, "Object Lock considerations", "Using Object Lock with S3 Replication"): S3 copies a
 * source version's retention onto its replica, and applies the destination's default retention to
 * replicas of versions that have none (S3 User Guide, "What does Amazon S3 replicate?"). S3 accepts
 * Object Lock on a new or an existing destination bucket without a support token (the provider's
 * BucketObjectLockConfiguration documents the token as no longer needed); a source bucket with Object
 * Lock can only replicate into a destination with Object Lock (replication failure reason
 * DstBucketObjectLockConfigMissing).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyDocument, type PolicyStatement, replicationRolePolicy, type ReplicationPolicyArgs, serviceTrustPolicy } from "./policyDocuments";

/** RTC's fixed threshold, minutes: S3 accepts only 15 for both time and metrics event threshold. */
export const REPLICATION_TIME_CONTROL_MINUTES = 15;

/** Id of the single replication rule unless `ruleId` says otherwise (the data buckets' rule). */
export const DEFAULT_REPLICATION_RULE_ID = "replicate-everything-to-dr";

/**
 * The two permissions S3 Replication needs on the source's objects when Object Lock is involved:
 * `s3:GetObjectRetention` and `s3:GetObjectLegalHold` (S3 User Guide, "Object Lock considerations",
 * "Using Object Lock with S3 Replication").
 */
export function objectLockReplicationStatement(sourceBucketArn: string): PolicyStatement {
  return {
    Sid: "ReadSourceObjectLock",
    Effect: "Allow",
    Action: ["s3:GetObjectRetention", "s3:GetObjectLegalHold"],
    Resource: `${sourceBucketArn}/*`,
  };
}

/**
 * The replication role's policy: {@link replicationRolePolicy}, plus {@link objectLockReplicationStatement}
 * when the destination (or the source) uses Object Lock.
 */
export function replicationPermissions(args: ReplicationPolicyArgs & { objectLock: boolean }): PolicyDocument {
  const { objectLock, ...sides } = args;
  const document = replicationRolePolicy(sides);
  return objectLock ? { ...document, Statement: [...document.Statement, objectLockReplicationStatement(sides.sourceBucketArn)] } : document;
}

export interface BucketReplicationArgs {
  /** The primary bucket: name, ARN, region and its KMS key. */
  sourceBucketName: pulumi.Input<string>;
  sourceBucketArn: pulumi.Input<string>;
  sourceRegion: string;
  sourceKeyArn: pulumi.Input<string>;
  /** The DR bucket and the DR key that re-encrypts replicas. */
  destinationBucketArn: pulumi.Input<string>;
  destinationRegion: string;
  destinationKeyArn: pulumi.Input<string>;
  /** Resources (the destination's versioning, its Object Lock configuration) that must exist before replication is configured. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /**
   * True when the destination (or the source) bucket has S3 Object Lock: the role may then read the
   * source versions' retention and legal hold. Default false.
   */
  destinationObjectLock?: boolean;
  /** Id of the single rule, 1 to 255 characters. Default {@link DEFAULT_REPLICATION_RULE_ID}. */
  ruleId?: string;
  /**
   * False while the source region is down (the DR stack's outage mode): the role and its policy (IAM,
   * unchanged) are declared, the replication configuration on the source bucket is not, so nothing
   * calls the source region. Default true. The configuration deployed before stays on the bucket (it
   * is retained, see stacks/regionalProvider.ts RetainedInRegion) and replicates again when the region
   * returns; declaring it again then is a plain PutBucketReplication, which replaces the bucket's whole
   * replication configuration (S3 API Reference, PutBucketReplication), so it cannot collide.
   */
  configureSource?: boolean;
}

export class BucketReplication extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  /** The single rule's id. */
  readonly ruleId: string;

  /**
   * @throws Error when source and destination are in the same region (that is not DR), or `ruleId`
   *   is empty or longer than 255 characters (S3 API Reference, "ReplicationRule").
   */
  constructor(name: string, args: BucketReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:storage:BucketReplication", name, {}, opts);
    if (args.sourceRegion === args.destinationRegion) {
      throw new Error(`BucketReplication ${name}: source and destination are both in ${args.sourceRegion}; replicate into another region`);
    }
    const ruleId = args.ruleId ?? DEFAULT_REPLICATION_RULE_ID;
    if (ruleId.length < 1 || ruleId.length > 255) {
      throw new Error(`BucketReplication ${name}: ruleId "${ruleId}" must be 1 to 255 characters`);
    }
    const child = { parent: this };
    this.ruleId = ruleId;
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("s3.amazonaws.com")) }, child);
    const policy = new aws.iam.RolePolicy(
      `${name}-permissions`,
      {
        role: role.id,
        policy: pulumi
          .all([args.sourceBucketArn, args.destinationBucketArn, args.sourceKeyArn, args.destinationKeyArn])
          .apply(([sourceBucketArn, destinationBucketArn, sourceKeyArn, destinationKeyArn]) =>
            JSON.stringify(
              replicationPermissions({
                sourceBucketArn,
                destinationBucketArn,
                sourceKeyArn,
                destinationKeyArn,
                sourceRegion: args.sourceRegion,
                destinationRegion: args.destinationRegion,
                objectLock: args.destinationObjectLock ?? false,
              }),
            ),
          ),
      },
      child,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn, ruleId: this.ruleId });
    if (args.configureSource === false) return;
    new aws.s3.BucketReplicationConfig(
      `${name}-config`,
      {
        region: args.sourceRegion,
        bucket: args.sourceBucketName,
        role: role.arn,
        rules: [
          {
            id: this.ruleId,
            status: "Enabled",
            priority: 1,
            filter: {},
            deleteMarkerReplication: { status: "Enabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: args.destinationBucketArn,
              storageClass: "STANDARD",
              encryptionConfiguration: { replicaKmsKeyId: args.destinationKeyArn },
              replicationTime: { status: "Enabled", time: { minutes: REPLICATION_TIME_CONTROL_MINUTES } },
              metrics: { status: "Enabled", eventThreshold: { minutes: REPLICATION_TIME_CONTROL_MINUTES } },
            },
          },
        ],
      },
      { parent: this, dependsOn: [policy, ...(args.dependsOn ?? [])] },
    );
  }
}
