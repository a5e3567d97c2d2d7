/**
 * BucketReplication: cross-region replication from the primary's data bucket into the DR bucket,
 * owned by the DR stack. A least-privilege IAM role, and a replication configuration on the source
 * bucket (placed in the source's region with the v7 per-resource `region`) with one rule for all
 * objects: delete markers replicated, SSE-KMS objects replicated and re-encrypted with the DR key,
 * Replication Time Control (99.99% of objects within 15 minutes) with its required metrics
 * (S3 User Guide, "Meeting compliance requirements with S3 Replication Time Control").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { replicationRolePolicy, serviceTrustPolicy } from "./policyDocuments";

/** RTC's fixed threshold, minutes: S3 accepts only 15 for both time and metrics event threshold. */
export const REPLICATION_TIME_CONTROL_MINUTES = 15;

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
  /** Resources (the destination's versioning) that must exist before replication is configured. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class BucketReplication extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  /** The single rule's id. */
  readonly ruleId: string;

  /** @throws Error when source and destination are in the same region (that is not DR). */
  constructor(name: string, args: BucketReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:storage:BucketReplication", name, {}, opts);
    if (args.sourceRegion === args.destinationRegion) {
      throw new Error(`BucketReplication ${name}: source and destination are both in ${args.sourceRegion}; replicate into another region`);
    }
    const child = { parent: this };
    this.ruleId = "replicate-everything-to-dr";
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("s3.amazonaws.com")) }, child);
    const policy = new aws.iam.RolePolicy(
      `${name}-permissions`,
      {
        role: role.id,
        policy: pulumi
          .all([args.sourceBucketArn, args.destinationBucketArn, args.sourceKeyArn, args.destinationKeyArn])
          .apply(([sourceBucketArn, destinationBucketArn, sourceKeyArn, destinationKeyArn]) =>
            JSON.stringify(
              replicationRolePolicy({
                sourceBucketArn,
                destinationBucketArn,
                sourceKeyArn,
                destinationKeyArn,
                sourceRegion: args.sourceRegion,
                destinationRegion: args.destinationRegion,
              }),
            ),
          ),
      },
      child,
    );
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
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn, ruleId: this.ruleId });
  }
}
