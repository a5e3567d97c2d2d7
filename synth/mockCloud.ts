/**
 * A deterministic stand-in for AWS under Pulumi's mock runtime: for each resource it returns the
 * inputs plus the attributes AWS would compute (ARNs, ids, DNS names) in the resource's region, and it
 * answers the data-source calls the program makes. ARNs carry the real region so DR checks can tell
 * which region a reference points into. Ids are hashes of type and name, so plans are stable.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** IAM, Route 53 and CloudFront have no region: one list, shared with DR invariant 8 and the pack (invariants/globalTypes.ts). */
export { isGlobalType } from "../invariants/globalTypes";

/** The fake account every mocked ARN belongs to. */
export const MOCK_ACCOUNT_ID = "123456789012";

/**
 * The architecture DescribeImages gives an AMI id the mock is asked about: the examples' own AMIs
 * (examples/bring-your-own-app builds for Graviton), x86_64 for any other.
 */
export const MOCK_IMAGE_ARCHITECTURES: Readonly<Record<string, string>> = { "ami-0a1b2c3d4e5f67890": "arm64" };
const architectureOf = (imageId: unknown) => MOCK_IMAGE_ARCHITECTURES[String(imageId)] ?? "x86_64";

/** Regional ALB canonical hosted zone ids and ELB log-delivery accounts (ELB User Guide tables) for the default regions. */
const ALB_ZONE_IDS: Record<string, string> = { "us-east-1": "Z35SXDOTRQ7X7K", "us-west-2": "Z1H1FL5HABSF5" };
const ELB_ACCOUNTS: Record<string, string> = { "us-east-1": "127311923021", "us-west-2": "797873946194" };

/**
 * The EKS add-on version the mock answers `aws.eks.getAddonVersion` with: not a real version, but
 * one that names the add-on and the Kubernetes version asked for, so a test can tell that a version
 * came from the lookup for the right Kubernetes version.
 */
export function mockAddonVersion(addonName: string, kubernetesVersion: string): string {
  return `v0.0.0-mock.${addonName}.k8s-${kubernetesVersion}`;
}

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function zoneIdFor(seed: string): string {
  return `Z${hex(seed, 20).toUpperCase()}`;
}

/** Resolves which region a mocked call or resource runs in. */
export interface RegionResolver {
  /** Region of a provider reference (`urn::id`), when the provider is known. */
  regionOfProvider(providerReference: string | undefined): string | undefined;
  /** The stack's default region. */
  readonly defaultRegion: string;
}

/** Computed attributes AWS would return for a resource of `type` named `name` in `region`. */
export function computedState(type: string, name: string, region: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const id = `${name}-${hex(type + name, 8)}`;
  const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${MOCK_ACCOUNT_ID}:${resource}`;
  switch (type) {
    case "aws:kms/replicaKey:ReplicaKey": {
      // A replica of a multi-Region key keeps the primary key's id (KMS Developer Guide, "Multi-Region key ARNs").
      const keyId = String(inputs.primaryKeyArn ?? "").split(":key/")[1] ?? `mrk-${hex(name, 32)}`;
      return { keyId, arn: arnOf("kms", `key/${keyId}`) };
    }
    case "aws:kms/key:Key": {
      if (inputs.multiRegion === true) {
        const keyId = `mrk-${hex(name, 32)}`;
        return { keyId, arn: arnOf("kms", `key/${keyId}`) };
      }
      const keyId = `${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`;
      return { keyId, arn: arnOf("kms", `key/${keyId}`) };
    }
    case "aws:kms/alias:Alias":
      return { arn: arnOf("kms", String(inputs.name)) };
    case "aws:arcregionswitch/plan:Plan":
      // A plan's ARN has no region and ends with a 6-character suffix (ARC API Reference, ApprovePlanExecutionStep `planArn` pattern).
      return { arn: `arn:aws:arc-region-switch::${MOCK_ACCOUNT_ID}:plan/${String(inputs.name)}:${hex(name, 6)}` };
    case "awsx:ec2:Vpc": {
      const zones = Number(inputs.numberOfAvailabilityZones ?? 3);
      const subnets = (tier: string) => Array.from({ length: zones }, (_, index) => `subnet-${tier}${index}-${hex(name, 8)}`);
      return {
        vpcId: `vpc-${hex(name, 12)}`,
        publicSubnetIds: subnets("pub"),
        privateSubnetIds: subnets("prv"),
        isolatedSubnetIds: subnets("iso"),
      };
    }
    case "aws:s3/bucket:Bucket": {
      const bucket = `${name}-${hex(name, 7)}`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region };
    }
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        arn: arnOf("elasticloadbalancing", `loadbalancer/app/${name}/${hex(name, 16)}`),
        dnsName: `${name}-${hex(name, 10)}.${region}.elb.amazonaws.com`,
        zoneId: ALB_ZONE_IDS[region] ?? zoneIdFor(`alb-${region}`),
      };
    case "aws:lb/targetGroup:TargetGroup":
      return { arn: arnOf("elasticloadbalancing", `targetgroup/${name}/${hex(name, 16)}`) };
    case "aws:lb/listener:Listener":
      return { arn: arnOf("elasticloadbalancing", `listener/app/${name}/${hex(name, 16)}`) };
    case "aws:rds/instance:Instance": {
      const identifier = `${name}-${hex(name, 8)}`;
      const address = `${identifier}.c${hex(region, 10)}.${region}.rds.amazonaws.com`;
      return {
        identifier,
        arn: arnOf("rds", `db:${identifier}`),
        address,
        endpoint: `${address}:${inputs.port ?? 5432}`,
        masterUserSecrets: inputs.manageMasterUserPassword
          ? [{ secretArn: arnOf("secretsmanager", `secret:rds!db-${hex(name, 8)}`), secretStatus: "active", kmsKeyId: inputs.masterUserSecretKmsKeyId }]
          : [],
      };
    }
    case "aws:rds/globalCluster:GlobalCluster": {
      const identifier = String(inputs.globalClusterIdentifier ?? `${name}-${hex(name, 8)}`);
      // Global clusters have no region in their ARN (RDS User Guide, "Amazon Resource Names (ARNs) in Amazon RDS").
      return {
        globalClusterIdentifier: identifier,
        arn: `arn:aws:rds::${MOCK_ACCOUNT_ID}:global-cluster:${identifier}`,
        globalClusterResourceId: `cluster-${hex(name, 20)}`,
      };
    }
    case "aws:rds/cluster:Cluster": {
      const identifier = String(inputs.clusterIdentifier ?? `${name}-${hex(name, 8)}`);
      const host = (kind: string) => `${identifier}.${kind}-c${hex(region, 10)}.${region}.rds.amazonaws.com`;
      return {
        clusterIdentifier: identifier,
        arn: arnOf("rds", `cluster:${identifier}`),
        endpoint: host("cluster"),
        readerEndpoint: host("cluster-ro"),
        clusterResourceId: `cluster-${hex(name, 26).toUpperCase()}`,
        port: inputs.port ?? 5432,
        masterUserSecrets: inputs.manageMasterUserPassword
          ? [{ secretArn: arnOf("secretsmanager", `secret:rds!cluster-${hex(name, 8)}`), secretStatus: "active", kmsKeyId: inputs.masterUserSecretKmsKeyId }]
          : [],
      };
    }
    case "aws:rds/clusterInstance:ClusterInstance": {
      const identifier = String(inputs.identifier ?? `${name}-${hex(name, 8)}`);
      return { identifier, arn: arnOf("rds", `db:${identifier}`), endpoint: `${identifier}.c${hex(region, 10)}.${region}.rds.amazonaws.com` };
    }
    case "aws:rds/clusterParameterGroup:ClusterParameterGroup":
      return { name: id, arn: arnOf("rds", `cluster-pg:${id}`) };
    case "aws:dynamodb/table:Table": {
      const tableName = String(inputs.name ?? id);
      return {
        name: tableName,
        arn: arnOf("dynamodb", `table/${tableName}`),
        streamArn: arnOf("dynamodb", `table/${tableName}/stream/2026-11-21T00:00:00.000`),
        streamLabel: "2026-11-21T00:00:00.000",
      };
    }
    case "aws:dynamodb/tableReplica:TableReplica": {
      const tableName = String(inputs.globalTableArn ?? "").split("table/")[1] ?? id;
      return { arn: arnOf("dynamodb", `table/${tableName}`) };
    }
    case "aws:backup/vault:Vault": {
      const vaultName = String(inputs.name ?? id);
      return { name: vaultName, arn: arnOf("backup", `backup-vault:${vaultName}`), recoveryPoints: 0 };
    }
    case "aws:backup/plan:Plan": {
      const planId = `${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`;
      return { arn: arnOf("backup", `backup-plan:${planId}`), version: hex(name + "version", 32) };
    }
    case "aws:rds/subnetGroup:SubnetGroup":
    case "aws:rds/parameterGroup:ParameterGroup":
      return { name: id, arn: arnOf("rds", `${type.includes("subnet") ? "subgrp" : "pg"}:${id}`) };
    case "aws:route53/zone:Zone":
      return {
        zoneId: zoneIdFor(name),
        arn: `arn:aws:route53:::hostedzone/${zoneIdFor(name)}`,
        nameServers: [1, 2, 3, 4].map((n) => `ns-${n}.awsdns-${hex(name + n, 2)}.net`),
      };
    case "aws:route53/record:Record":
      return { fqdn: inputs.name };
    case "aws:cloudfront/distribution:Distribution":
      // CloudFront API Reference, Distribution: DomainName d<id>.cloudfront.net; its alias zone is Z2FDTNDATAQYW2 for every distribution.
      return {
        arn: `arn:aws:cloudfront::${MOCK_ACCOUNT_ID}:distribution/E${hex(name, 13).toUpperCase()}`,
        domainName: `d${hex(name, 13)}.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
      };
    case "aws:acm/certificate:Certificate": {
      // DNS validation: one CNAME per name (ACM User Guide, "DNS validation"): _<hash>.<name> -> _<hash>.<...>.acm-validations.aws.
      const domainName = String(inputs.domainName);
      return {
        arn: arnOf("acm", `certificate/${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`),
        domainValidationOptions: [
          {
            domainName,
            resourceRecordName: `_${hex(domainName, 32)}.${domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${hex(domainName + "v", 32)}.${hex(name, 10)}.acm-validations.aws.`,
          },
        ],
      };
    }
    case "aws:acm/certificateValidation:CertificateValidation":
      return { certificateArn: inputs.certificateArn };
    case "aws:wafv2/webAcl:WebAcl":
      return {
        arn: `arn:aws:wafv2:us-east-1:${MOCK_ACCOUNT_ID}:global/webacl/${String(inputs.name)}/${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`,
      };
    case "aws:elasticache/replicationGroup:ReplicationGroup": {
      // Endpoints <id>.<hash>.ng.0001.<short region>.cache.amazonaws.com; member clusters <id>-<shard>-<node> (ElastiCache User Guide, "Finding connection endpoints").
      const shards = Number(inputs.numNodeGroups ?? 1);
      const perShard = 1 + Number(inputs.replicasPerNodeGroup ?? 1);
      const members = Array.from(
        { length: shards * perShard },
        (_, index) => `${id}-${String(Math.floor(index / perShard) + 1).padStart(4, "0")}-${String((index % perShard) + 1).padStart(3, "0")}`,
      );
      return {
        arn: arnOf("elasticache", `replicationgroup:${id}`),
        primaryEndpointAddress: `master.${id}.${hex(name, 6)}.cache.amazonaws.com`,
        configurationEndpointAddress: `clustercfg.${id}.${hex(name, 6)}.cache.amazonaws.com`,
        memberClusters: members,
      };
    }
    case "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": {
      // ElastiCache prefixes the suffix with a region-specific id of letters (ElastiCache User Guide, "Creating a global datastore").
      const globalId = `${hex(region, 5).replace(/[0-9]/g, (digit) => "ghijklmnop"[Number(digit)])}-${String(inputs.globalReplicationGroupIdSuffix)}`;
      return { globalReplicationGroupId: globalId, arn: `arn:aws:elasticache::${MOCK_ACCOUNT_ID}:globalreplicationgroup:${globalId}` };
    }
    case "aws:route53/healthCheck:HealthCheck":
      return { arn: `arn:aws:route53:::healthcheck/${id}` };
    case "aws:iam/role:Role":
      return { name: id, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${id}` };
    case "aws:iam/instanceProfile:InstanceProfile":
      return { name: id, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:instance-profile/${id}` };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { arn: arnOf("ec2", `security-group/sg-${hex(name, 12)}`) };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { arn: arnOf("ec2", `launch-template/lt-${hex(name, 12)}`), latestVersion: 1 };
    case "aws:autoscaling/group:Group":
      return { name: id, arn: arnOf("autoscaling", `autoScalingGroup:${hex(name, 8)}:autoScalingGroupName/${id}`) };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: id, arn: arnOf("logs", `log-group:${id}`) };
    case "eks:index:Cluster": {
      const kubeconfig = { apiVersion: "v1", kind: "Config", clusters: [], contexts: [], users: [] };
      return {
        kubeconfig,
        kubeconfigJson: JSON.stringify(kubeconfig),
        nodeSecurityGroupId: `sg-${hex(name + "nodes", 12)}`,
        // What EKS itself creates and puts on managed nodes.
        eksCluster: {
          name: inputs.name,
          arn: arnOf("eks", `cluster/${String(inputs.name)}`),
          vpcConfig: { clusterSecurityGroupId: `sg-${hex(name + "eks", 12)}` },
        },
      };
    }
    case "random:index/randomPassword:RandomPassword":
      // Never a real secret: synthesis output is shared.
      return { result: `mock-${hex(name, 24)}` };
    case "aws:secretsmanager/secret:Secret": {
      // A namePrefix gets a generated suffix; the ARN adds "-" and six random characters (Secrets Manager User Guide, "Secret ARN").
      const secretName = String(inputs.name ?? (inputs.namePrefix !== undefined ? `${String(inputs.namePrefix)}${hex(name, 26)}` : name));
      return { name: secretName, arn: arnOf("secretsmanager", `secret:${secretName}-${hex(name, 6)}`) };
    }
    case "aws:secretsmanager/secretVersion:SecretVersion":
      return { versionId: `${hex(name, 8)}-${hex(name + "v", 4)}-${hex(name + "e", 4)}-${hex(name + "r", 4)}-${hex(name + "s", 12)}` };
    case "aws:ec2/amiCopy:AmiCopy":
      // CopyImage returns a new image id in the destination region; Amazon Linux's root device is /dev/xvda.
      return { arn: arnOf("ec2", `image/ami-${hex(name + region, 17)}`), rootDeviceName: "/dev/xvda", architecture: architectureOf(inputs.sourceAmiId) };
    case "aws:lambda/function:Function": {
      // Lambda API Reference, FunctionConfiguration: FunctionArn arn:aws:lambda:<region>:<account>:function:<name>.
      const functionName = String(inputs.name ?? `${name}-${hex(name, 7)}`);
      return {
        name: functionName,
        arn: arnOf("lambda", `function:${functionName}`),
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arnOf("lambda", `function:${functionName}`)}/invocations`,
      };
    }

    default:
      return { arn: arnOf(type.split(":")[1]?.split("/")[0] ?? "unknown", id) };
  }
}

/** The id AWS would give a resource. */
function physicalId(type: string, name: string, state: Record<string, unknown>): string {
  if (type === "aws:ec2/securityGroup:SecurityGroup") return `sg-${hex(name, 12)}`;
  if (type === "aws:route53/zone:Zone") return String(state.zoneId);
  if (type === "aws:s3/bucket:Bucket") return String(state.bucket);
  if (type === "aws:kms/key:Key" || type === "aws:kms/replicaKey:ReplicaKey") return String(state.keyId);
  if (type === "aws:ec2/amiCopy:AmiCopy") return String(state.arn).split(":image/")[1];
  if (type === "aws:secretsmanager/secret:Secret") return String(state.arn);
  if (type === "aws:rds/cluster:Cluster") return String(state.clusterIdentifier);
  if (type === "aws:rds/globalCluster:GlobalCluster") return String(state.globalClusterIdentifier);
  if (type === "aws:backup/plan:Plan") return String(state.arn).split(":backup-plan:")[1];
  if (type === "aws:route53/healthCheck:HealthCheck") return hex(name, 8) + "-" + hex(name + "hc", 4);
  return String(state.name ?? `${name}-${hex(type + name, 8)}`);
}

interface PlanRecord {
  hostedZoneId: string;
  recordName: string;
  region: string;
}

/** The record sets of a plan's Route53HealthCheck steps, a Parallel step's children included. */
function planRecords(state: Record<string, unknown>): PlanRecord[] {
  type Step = {
    route53HealthCheckConfigs?: { hostedZoneId: string; recordName: string; recordSets?: { region: string }[] }[];
    parallelConfigs?: { steps?: Step[] }[];
  };
  const workflows = (state.workflows ?? []) as { steps?: Step[] }[];
  const steps = workflows.flatMap((workflow) =>
    (workflow.steps ?? []).flatMap((step) => [step, ...(step.parallelConfigs ?? []).flatMap((p) => p.steps ?? [])]),
  );
  const records = steps.flatMap((step) =>
    (step.route53HealthCheckConfigs ?? []).flatMap((config) =>
      (config.recordSets ?? []).map((set) => ({ hostedZoneId: config.hostedZoneId, recordName: config.recordName, region: set.region })),
    ),
  );
  return records.filter((record, index) => records.findIndex((other) => other.region === record.region && other.recordName === record.recordName) === index);
}

/**
 * Pulumi `Mocks` for the AWS world above.
 * @param stackReferenceOutputs outputs served to `pulumi:pulumi:StackReference` by stack name.
 */
export function mockCloud(resolver: RegionResolver, stackReferenceOutputs: Record<string, Record<string, unknown>> = {}): pulumi.runtime.Mocks {
  const arcPlans = new Map<string, { records: PlanRecord[] }>();
  return {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
      if (args.type === "pulumi:pulumi:StackReference") {
        const stackName = String(args.inputs.name);
        const outputs = stackReferenceOutputs[stackName];
        if (outputs === undefined) {
          throw new Error(`mock: no outputs for stack ${stackName}; known stacks: ${Object.keys(stackReferenceOutputs).join(", ") || "none"}`);
        }
        return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
      }
      const region =
        (typeof args.inputs.region === "string" ? args.inputs.region : undefined) ?? resolver.regionOfProvider(args.provider) ?? resolver.defaultRegion;
      const computed = computedState(args.type, args.name, region, args.inputs);
      const state = { ...args.inputs, ...computed };
      if (args.type === "aws:arcregionswitch/plan:Plan") arcPlans.set(String(state.arn), { records: planRecords(state) });
      return { id: physicalId(args.type, args.name, state), state };
    },
    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
      const region =
        (typeof args.inputs.region === "string" ? args.inputs.region : undefined) ?? resolver.regionOfProvider(args.provider) ?? resolver.defaultRegion;
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:ssm/getParameter:getParameter":
          return { name: args.inputs.name, type: "String", value: `ami-${hex(String(args.inputs.name) + region, 17)}`, id: String(args.inputs.name) };
        case "aws:secretsmanager/getSecret:getSecret": {
          // DescribeSecret of a secret by ARN in this region: the mock knows every secret, replicas included.
          const arn = String(args.inputs.arn);
          return { arn, id: arn, name: arn.split(":secret:")[1]?.replace(/-[A-Za-z0-9]{6}$/, ""), region };
        }
        case "aws:ec2/getAmi:getAmi": {
          // DescribeImages by image id: the image and its root device (an Amazon Linux-style /dev/xvda).
          const filters = (args.inputs.filters ?? []) as { name: string; values: string[] }[];
          const imageId = filters.find((filter) => filter.name === "image-id")?.values[0] ?? `ami-${hex(region, 17)}`;
          return { id: imageId, imageId, rootDeviceName: "/dev/xvda", architecture: architectureOf(imageId), region };
        }
        case "aws:eks/getAddonVersion:getAddonVersion": {
          const addonName = String(args.inputs.addonName);
          const kubernetesVersion = String(args.inputs.kubernetesVersion);
          return {
            addonName,
            kubernetesVersion,
            mostRecent: args.inputs.mostRecent ?? false,
            version: mockAddonVersion(addonName, kubernetesVersion),
            id: addonName,
            region,
          };
        }
        case "aws:elb/getServiceAccount:getServiceAccount": {
          const account = ELB_ACCOUNTS[region] ?? "000000000000";
          return { arn: `arn:aws:iam::${account}:root`, id: account, region };
        }
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
          // DescribeManagedPrefixLists by name: an AWS-managed list has an id per region; CloudFront's origin-facing list weighs 55 (VPC User Guide, "AWS-managed prefix lists").
          return { id: `pl-${hex(String(args.inputs.name) + region, 8)}`, name: args.inputs.name, maxEntries: 55, addressFamily: "IPv4", region };
        case "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks": {
          // ListRoute53HealthChecks of a plan: one health check per region of the plan's Route53HealthCheck block, as Region switch
          // allocates them (ARC API Reference, Route53HealthCheck). The mock reads the plan's regions and record from its ARN's state.
          const planArn = String(args.inputs.planArn);
          const plan = arcPlans.get(planArn);
          const healthChecks = (plan?.records ?? []).map((record) => ({
            healthCheckId:
              hex(`${planArn}/${record.region}`, 8) +
              "-" +
              hex(record.region, 4) +
              "-" +
              hex(planArn, 4) +
              "-" +
              hex(record.recordName, 4) +
              "-" +
              hex(`${record.region}${planArn}`, 12),
            hostedZoneId: record.hostedZoneId,
            recordName: record.recordName,
            region: record.region,
            status: "unknown",
          }));
          return { planArn, healthChecks, region, id: planArn };
        }
        default:
          throw new Error(`mock: no answer for data source ${args.token}; add one to synth/mockCloud.ts`);
      }
    },
  };
}
