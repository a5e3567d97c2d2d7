/**
 * Pure builders of the IAM and resource policy documents this program attaches. Kept apart from the
 * components so tests (and an IAM simulator) can read the exact JSON without running Pulumi.
 */

/** An IAM policy statement (IAM JSON policy reference, "Elements"). */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]> | "*";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** An IAM policy document, version 2012-10-17. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy letting one AWS service (e.g. `ec2.amazonaws.com`) assume a role. */
export function serviceTrustPolicy(service: string, sourceAccountId?: string): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      ...(sourceAccountId ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccountId } } } : {}),
    },
  ]);
}

/** Where a regional key lives and who owns it. */
export interface KeyPolicyContext {
  partition: string;
  accountId: string;
  region: string;
}

/**
 * The policy of a region's data key:
 * - the account's IAM policies govern use of the key (KMS "Default key policy");
 * - CloudWatch Logs of this region may encrypt log groups of this account (CloudWatch Logs,
 *   "Encrypt log data using AWS KMS"), scoped by the encryption context;
 * - the EC2 Auto Scaling service-linked role may use it for encrypted EBS volumes (EC2 Auto Scaling,
 *   "Required AWS KMS key policy for use with encrypted volumes"). The role is named through
 *   `aws:PrincipalArn` with a `*` principal scoped to this account because KMS rejects a policy
 *   naming a role that does not exist yet, and that role is created on first use of Auto Scaling.
 */
export function regionalKeyPolicy({ partition, accountId, region }: KeyPolicyContext): PolicyDocument {
  const autoScalingRole = `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
  const accountScope = { "kms:CallerAccount": accountId };
  return policyDocument([
    {
      Sid: "AccountAdministersKeyThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:*` } },
    },
    {
      // CloudWatch alarms and RDS event subscriptions publish to topics encrypted with this key
      // (SNS Developer Guide, "Enable compatibility between event sources from AWS services and encrypted topics").
      Sid: "AlarmsAndDatabaseEventsPublishToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    },
    {
      Sid: "AutoScalingUsesKeyForEncryptedVolumes",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
      Condition: { StringEquals: accountScope, ArnEquals: { "aws:PrincipalArn": autoScalingRole } },
    },
    {
      Sid: "AutoScalingCreatesGrantsForAwsResources",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: {
        StringEquals: accountScope,
        ArnEquals: { "aws:PrincipalArn": autoScalingRole },
        Bool: { "kms:GrantIsForAWSResource": true },
      },
    },
  ]);
}

/** Denies any request to a bucket that does not use TLS (Security Hub S3.5). */
export function tlsOnlyStatement(bucketArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": false } },
  };
}

/**
 * Lets S3 server access logging and ALB access logging write into a log bucket. S3 logging uses
 * the `logging.s3.amazonaws.com` service principal (S3 User Guide, "Enabling server access
 * logging"); ALB uses the regional Elastic Load Balancing account (ELB User Guide, "Enable access
 * logs for your Application Load Balancer", regions available before August 2022).
 */
export function logDeliveryStatements(args: { logBucketArn: string; accountId: string; elbServiceAccountArn: string }): PolicyStatement[] {
  return [
    {
      Sid: "S3ServerAccessLogs",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${args.logBucketArn}/s3/*`,
      Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
    },
    {
      Sid: "AlbAccessLogs",
      Effect: "Allow",
      Principal: { AWS: args.elbServiceAccountArn },
      Action: "s3:PutObject",
      Resource: `${args.logBucketArn}/alb/AWSLogs/${args.accountId}/*`,
    },
  ];
}

/** What the S3 replication role needs to know about both sides. */
export interface ReplicationPolicyArgs {
  sourceBucketArn: string;
  destinationBucketArn: string;
  sourceKeyArn: string;
  destinationKeyArn: string;
  sourceRegion: string;
  destinationRegion: string;
}

/**
 * Least-privilege permissions of the S3 replication role for SSE-KMS objects (S3 User Guide,
 * "Setting up permissions for live replication" and "Replicating encrypted objects"): read the
 * source's configuration and object versions, write replicas, delete markers and tags into the
 * destination, decrypt with the source key only through S3 of the source region, and encrypt with
 * the destination key only through S3 of the destination region. The encryption context is the
 * object ARN, or the bucket ARN when the bucket uses an S3 Bucket Key (S3 User Guide, "Configuring
 * your bucket to use an S3 Bucket Key"), so both are allowed.
 */
export function replicationRolePolicy(args: ReplicationPolicyArgs): PolicyDocument {
  return policyDocument([
    {
      Sid: "ReadSourceConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: args.sourceBucketArn,
    },
    {
      Sid: "ReadSourceObjectVersions",
      Effect: "Allow",
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
      Resource: `${args.sourceBucketArn}/*`,
    },
    {
      Sid: "WriteReplicas",
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
      Resource: `${args.destinationBucketArn}/*`,
    },
    {
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: args.sourceKeyArn,
      Condition: {
        StringLike: {
          "kms:ViaService": `s3.${args.sourceRegion}.amazonaws.com`,
          "kms:EncryptionContext:aws:s3:arn": [args.sourceBucketArn, `${args.sourceBucketArn}/*`],
        },
      },
    },
    {
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: args.destinationKeyArn,
      Condition: {
        StringLike: {
          "kms:ViaService": `s3.${args.destinationRegion}.amazonaws.com`,
          "kms:EncryptionContext:aws:s3:arn": [args.destinationBucketArn, `${args.destinationBucketArn}/*`],
        },
      },
    },
  ]);
}

/** Managed policies by name, so ARNs are built for the stack's partition. */
export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/**
 * The access policy of a notification topic: the account's own principals (the SNS default), plus
 * CloudWatch alarms and RDS event subscriptions of this account (SNS Developer Guide, "Example cases
 * for Amazon SNS access control"; RDS User Guide, "Granting permissions to publish notifications to
 * an Amazon SNS topic"), and nothing over plain HTTP.
 */
export function notificationTopicPolicy(args: { topicArn: string; accountId: string }): PolicyDocument {
  return policyDocument([
    {
      Sid: "AccountPrincipalsUseTheTopic",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"],
      Resource: args.topicArn,
      Condition: { StringEquals: { "aws:PrincipalAccount": args.accountId } },
    },
    {
      Sid: "AlarmsAndDatabaseEventsPublish",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"] },
      Action: "sns:Publish",
      Resource: args.topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
    },
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: args.topicArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ]);
}
