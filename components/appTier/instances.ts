/**
 * The app tier's instances: their IAM role (SSM Session Manager instead of SSH, and reads of this
 * region's copies of the app's secrets and parameters only), a launch template (the region's app
 * image, IMDSv2 required, encrypted gp3 root volume with the region's key, no public IP, the rendered
 * user data) and an Auto Scaling Group in the private subnets with ELB health checks and a
 * target-tracking CPU policy.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "../account";
import { managedPolicyArn, policyDocument, type PolicyDocument, serviceTrustPolicy } from "../policyDocuments";

/** What the instances may read, all in their own region. */
export interface AppAccess {
  /** ARNs of this region's copies of the app's secrets (the database credentials and `app.secrets`). */
  secretArns: pulumi.Input<pulumi.Input<string>[]>;
  /** The KMS key of this region that encrypts those copies. */
  secretsKeyArn: pulumi.Input<string>;
  /** The app's SSM parameter path in this region, e.g. `/multi-region-dr-primary-primary/app/`. */
  parameterPath: string;
  /** This region's data bucket (`{{bucketName}}`) and the key that encrypts it. */
  dataBucketArn: pulumi.Input<string>;
  dataKeyArn: pulumi.Input<string>;
}

/**
 * The instances' own-region read policy: GetSecretValue on exactly the app's secrets, Decrypt on
 * their key only through Secrets Manager of this region (`kms:ViaService`, KMS Developer Guide), and
 * the Parameter Store reads under the app's path (parameter ARNs drop the name's leading `/`:
 * `arn:aws:ssm:<region>:<account>:parameter/<path>`, Systems Manager User Guide, "Restricting access
 * to Parameter Store parameters using IAM policies"), and the objects of this region's data bucket
 * with its key through S3 of this region (SSE-KMS needs kms:GenerateDataKey to write and kms:Decrypt
 * to read; S3 User Guide, "Using server-side encryption with AWS KMS keys"). In the DR region the
 * bucket is the replication's destination: objects written there before a failover do not flow back.
 */
export function appAccessPolicy(args: {
  region: string;
  partition: string;
  accountId: string;
  secretArns: string[];
  secretsKeyArn: string;
  parameterPath: string;
  dataBucketArn: string;
  dataKeyArn: string;
}): PolicyDocument {
  const parameterArn = (suffix: string) => `arn:${args.partition}:ssm:${args.region}:${args.accountId}:parameter${suffix}`;
  return policyDocument([
    { Sid: "ReadAppSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: args.secretArns },
    {
      Sid: "DecryptAppSecrets",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [args.secretsKeyArn],
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
    },
    {
      Sid: "ReadAppParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
      Resource: [parameterArn(args.parameterPath.replace(/\/$/, "")), parameterArn(`${args.parameterPath}*`)],
    },
    { Sid: "ListDataBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [args.dataBucketArn] },
    { Sid: "UseDataObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`${args.dataBucketArn}/*`] },
    {
      Sid: "UseDataKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [args.dataKeyArn],
      Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
    },
  ]);
}

export interface InstancesArgs {
  region: string;
  role: "primary" | "dr";
  privateSubnetIds: pulumi.Input<string[]>;
  instanceSecurityGroupId: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  instanceType: string;
  imageId: pulumi.Input<string>;
  /** The image's root device, which gets the encrypted gp3 volume (e.g. /dev/xvda). */
  rootDeviceName: pulumi.Input<string>;
  /** The root volume's size, GiB; unset: the image's root snapshot's size. */
  rootVolumeSizeGib?: number;
  /** The user-data script, plain text (base64-encoded here); empty for an image that needs none. */
  userData: pulumi.Input<string>;
  access: AppAccess;
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
  targetCpuUtilizationPercent: number;
}

/** Builds the role, the launch template, the group and its scaling policy under `parent`. */
export function appInstances(
  name: string,
  args: InstancesArgs,
  parent: pulumi.Resource,
): { group: aws.autoscaling.Group; launchTemplate: aws.ec2.LaunchTemplate } {
  const child = { parent };
  const account = accountContext(parent);
  const instanceRole = new aws.iam.Role(`${name}-instance-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")) }, child);
  new aws.iam.RolePolicyAttachment(
    `${name}-instance-ssm`,
    { role: instanceRole.name, policyArn: account.apply(({ partition }) => managedPolicyArn(partition, "AmazonSSMManagedInstanceCore")) },
    child,
  );
  new aws.iam.RolePolicy(
    `${name}-instance-app-access`,
    {
      role: instanceRole.name,
      policy: pulumi
        .all([account, pulumi.output(args.access.secretArns), args.access.secretsKeyArn, args.access.dataBucketArn, args.access.dataKeyArn])
        .apply(([{ partition, accountId }, secretArns, secretsKeyArn, dataBucketArn, dataKeyArn]) =>
          JSON.stringify(
            appAccessPolicy({
              region: args.region,
              partition,
              accountId,
              secretArns,
              secretsKeyArn,
              parameterPath: args.access.parameterPath,
              dataBucketArn,
              dataKeyArn,
            }),
          ),
        ),
    },
    child,
  );
  const instanceProfile = new aws.iam.InstanceProfile(`${name}-instance-profile`, { role: instanceRole.name }, child);
  const launchTemplate = new aws.ec2.LaunchTemplate(
    `${name}-lt`,
    {
      imageId: args.imageId,
      instanceType: args.instanceType,
      iamInstanceProfile: { arn: instanceProfile.arn },
      updateDefaultVersion: true,
      userData: pulumi.output(args.userData).apply((script) => (script === "" ? undefined : Buffer.from(script, "utf8").toString("base64"))),
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      monitoring: { enabled: true },
      networkInterfaces: [{ associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [args.instanceSecurityGroupId] }],
      blockDeviceMappings: [
        {
          deviceName: args.rootDeviceName,
          ebs: {
            ...(args.rootVolumeSizeGib !== undefined ? { volumeSize: args.rootVolumeSizeGib } : {}),
            volumeType: "gp3",
            encrypted: "true",
            kmsKeyId: args.kmsKeyArn,
            deleteOnTermination: "true",
          },
        },
      ],
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: `${name}-${args.role}` } },
        { resourceType: "volume", tags: { Name: `${name}-${args.role}` } },
      ],
    },
    child,
  );
  const group = new aws.autoscaling.Group(
    `${name}-asg`,
    {
      vpcZoneIdentifiers: args.privateSubnetIds,
      minSize: args.minSize,
      desiredCapacity: args.desiredCapacity,
      maxSize: args.maxSize,
      healthCheckType: "ELB",
      healthCheckGracePeriod: 120,
      targetGroupArns: [args.targetGroupArn],
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
      enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize", "GroupMinSize"],
    },
    // Target tracking and the failover workflow move the desired count; a deploy must not undo them.
    { parent, ignoreChanges: ["desiredCapacity"] },
  );
  new aws.autoscaling.Policy(
    `${name}-cpu-target`,
    {
      autoscalingGroupName: group.name,
      policyType: "TargetTrackingScaling",
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
        targetValue: args.targetCpuUtilizationPercent,
      },
    },
    child,
  );
  return { group, launchTemplate };
}
