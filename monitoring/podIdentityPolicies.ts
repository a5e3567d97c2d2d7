/**
 * The IAM documents of the monitoring stack's pod identities (EKS Pod Identity), pure so the IAM
 * simulator tests read the exact JSON. Each pod gets one role with only what it uses:
 *
 * | pod (service account)            | may                                                        |
 * |----------------------------------|------------------------------------------------------------|
 * | Prometheus (EC2 discovery)       | `ec2:DescribeInstances` in its own region                  |
 * | Grafana (CloudWatch data source) | `cloudwatch:GetMetricData`, `cloudwatch:ListMetrics`        |
 * | Alertmanager (alert delivery)    | `sns:Publish` to its region's alert topic, through its key  |
 * | EBS CSI controller (volumes)     | the AWS managed driver policy, plus grants on the region key |
 */
import { policyDocument, type PolicyDocument } from "../components/policyDocuments";

/** The service principal EKS Pod Identity assumes roles as (EKS User Guide, "Create IAM role with trust policy required by EKS Pod Identity"). */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/**
 * Trust policy of a pod identity role: the EKS Pod Identity service may assume it and tag the
 * session (it adds the cluster, namespace and service account as session tags), from this account only.
 */
export function podIdentityTrustPolicy(accountId: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "EksPodIdentityAssumes",
      Effect: "Allow",
      Principal: { Service: POD_IDENTITY_PRINCIPAL },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  ]);
}

/**
 * Prometheus' EC2 service discovery: `ec2:DescribeInstances` only, in the cluster's own region.
 * DescribeInstances supports no resource-level permissions, so the region condition is the bound
 * (Service Authorization Reference, "Actions defined by Amazon EC2"; Prometheus `ec2_sd_config`).
 */
export function prometheusDiscoveryPolicy(region: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "DiscoverAppInstancesInThisRegion",
      Effect: "Allow",
      Action: "ec2:DescribeInstances",
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": region } },
    },
  ]);
}

/**
 * The actions Grafana's CloudWatch data source uses for metrics, in its query editor too: the
 * metrics part of AWS's managed policy for it (AmazonGrafanaCloudWatchAccess, AWS Managed Policy
 * Reference; the Grafana CloudWatch data source docs, "IAM policies", list the same): metric data and
 * statistics, the metric lists, the alarms annotations read, Contributor Insights, and the EC2
 * regions, instances and tags and the tagged resources its dimension pickers offer. No logs and no
 * cross-account (OAM) actions: the dashboards read metrics only, in this account.
 */
export const GRAFANA_CLOUDWATCH_ACTIONS = [
  "cloudwatch:DescribeAlarmsForMetric",
  "cloudwatch:DescribeAlarmHistory",
  "cloudwatch:DescribeAlarms",
  "cloudwatch:ListMetrics",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:GetMetricData",
  "cloudwatch:GetInsightRuleReport",
  "ec2:DescribeTags",
  "ec2:DescribeInstances",
  "ec2:DescribeRegions",
  "tag:GetResources",
] as const;

/**
 * Grafana's CloudWatch data source: {@link GRAFANA_CLOUDWATCH_ACTIONS} in any region (the DR
 * dashboard reads both regions, and Route 53 health-check metrics live in us-east-1). None of them
 * supports resource-level permissions (Service Authorization Reference, "Actions defined by Amazon
 * CloudWatch", "... Amazon EC2", "... AWS Resource Groups Tagging API").
 */
export function grafanaCloudWatchReadPolicy(): PolicyDocument {
  return policyDocument([{ Sid: "CloudWatchDataSource", Effect: "Allow", Action: [...GRAFANA_CLOUDWATCH_ACTIONS], Resource: "*" }]);
}

/**
 * Alertmanager's SNS receivers: publish to the region's alert topic and, with a dead man's switch,
 * to the heartbeat topic in the other region (components/monitoringHeartbeat.ts), nothing else. The
 * topics are encrypted with their region's key, so the publisher also needs `kms:GenerateDataKey*`
 * and `kms:Decrypt` on each, through SNS of that key's region only (SNS Developer Guide, "Encryption
 * at rest: key management").
 */
export function alertPublishPolicy(args: {
  topicArn: string;
  keyArn: string;
  region: string;
  heartbeat?: { topicArn: string; keyArn: string; region: string };
}): PolicyDocument {
  const viaSns = (keyArn: string, region: string, sid: string) => ({
    Sid: sid,
    Effect: "Allow" as const,
    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    Resource: keyArn,
    Condition: { StringEquals: { "kms:ViaService": `sns.${region}.amazonaws.com` } },
  });
  const heartbeat = args.heartbeat;
  return policyDocument([
    { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: heartbeat ? [args.topicArn, heartbeat.topicArn] : args.topicArn },
    viaSns(args.keyArn, args.region, "UseTheTopicKeyThroughSns"),
    ...(heartbeat ? [viaSns(heartbeat.keyArn, heartbeat.region, "UseTheHeartbeatKeyThroughSns")] : []),
  ]);
}

/** The AWS managed policy of the EBS CSI driver's controller (EKS User Guide, "Amazon EBS CSI driver"). */
export const EBS_CSI_MANAGED_POLICY = "service-role/AmazonEBSCSIDriverPolicy";

/**
 * What the EBS CSI controller needs on top of its managed policy to create volumes encrypted with a
 * customer managed key: grants for AWS resources, and data-key use, on that key only (EKS User
 * Guide, "Create an Amazon EBS CSI driver IAM role", custom KMS key).
 */
export function ebsCsiKeyPolicy(keyArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "GrantsForEncryptedVolumes",
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: keyArn,
      Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
    {
      Sid: "EncryptVolumes",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: keyArn,
    },
  ]);
}
