/**
 * MonitoringCluster: the EKS cluster of one region that runs Prometheus and Grafana (installed by a
 * later change). Built with `eks.Cluster` and `eks.ManagedNodeGroup`: private API endpoint (a public
 * one only for listed CIDRs, Security Hub EKS.1), secrets encrypted with the region's key, audit,
 * api and authenticator logs (EKS.8), a pinned version in standard support (EKS.2) with the
 * STANDARD upgrade policy (no extended-support charges), access entries instead of aws-auth, and
 * a managed node group in the private subnets of two zones.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "./account";
import { managedPolicyArn, serviceTrustPolicy } from "./policyDocuments";

/** Control-plane log types sent to CloudWatch Logs. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"];
/** AWS managed policies a managed node's role needs (EKS User Guide, "Amazon EKS node IAM role"), plus SSM for operator access. */
export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"];

export interface MonitoringClusterArgs {
  /** EKS cluster name, unique in the account and region: letters, digits, - and _, at most 100. */
  clusterName: string;
  vpcId: pulumi.Input<string>;
  /** Private subnets; the nodes use the first two (two zones). */
  privateSubnetIds: pulumi.Input<string[]>;
  /** This region's KMS key ARN for envelope encryption of Kubernetes secrets. */
  kmsKeyArn: pulumi.Input<string>;
  /** Pinned Kubernetes version, e.g. `1.35`. */
  kubernetesVersion: string;
  nodeInstanceType: string;
  /** Nodes, 2 or more. */
  nodeCount: number;
  /** CIDRs allowed to a public endpoint; empty keeps the endpoint private. Never 0.0.0.0/0. */
  publicAccessCidrs: string[];
}

export class MonitoringCluster extends pulumi.ComponentResource {
  readonly clusterName: string;
  readonly kubeconfig: pulumi.Output<unknown>;
  /** Security group of the cluster's nodes, for scrape rules into the app tier. */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  readonly nodeCount: number;

  /** @throws RangeError for fewer than 2 nodes; Error for a 0.0.0.0/0 public endpoint or a bad cluster name. */
  constructor(name: string, args: MonitoringClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:monitoring:MonitoringCluster", name, {}, opts);
    if (!Number.isInteger(args.nodeCount) || args.nodeCount < 2) {
      throw new RangeError(`MonitoringCluster ${name}: nodeCount must be 2 or more, got ${args.nodeCount}`);
    }
    if (args.publicAccessCidrs.includes("0.0.0.0/0")) {
      throw new Error(`MonitoringCluster ${name}: publicAccessCidrs must not contain 0.0.0.0/0 (Security Hub EKS.1); list your operators' networks`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(args.clusterName)) {
      throw new Error(`MonitoringCluster ${name}: clusterName "${args.clusterName}" must use letters, digits, - and _ (at most 100)`);
    }
    const child = { parent: this };
    const publicEndpoint = args.publicAccessCidrs.length > 0;
    const cluster = new eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        vpcId: args.vpcId,
        privateSubnetIds: args.privateSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicEndpoint,
        ...(publicEndpoint ? { publicAccessCidrs: args.publicAccessCidrs } : {}),
        encryptionConfigKeyArn: args.kmsKeyArn,
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        version: args.kubernetesVersion,
        upgradePolicy: { supportType: "STANDARD" },
        authenticationMode: "API",
        skipDefaultNodeGroup: true,
        nodeAssociatePublicIpAddress: false,
        createOidcProvider: true,
      },
      child,
    );
    const account = accountContext(this);
    const nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")) }, child);
    const attachments = NODE_ROLE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          { role: nodeRole.name, policyArn: account.apply(({ partition }) => managedPolicyArn(partition, policy)) },
          child,
        ),
    );
    new eks.ManagedNodeGroup(
      `${name}-nodes`,
      {
        cluster,
        nodeRole,
        subnetIds: pulumi.output(args.privateSubnetIds).apply((ids) => ids.slice(0, 2)),
        instanceTypes: [args.nodeInstanceType],
        scalingConfig: { minSize: args.nodeCount, desiredSize: args.nodeCount, maxSize: args.nodeCount + 1 },
      },
      { parent: this, dependsOn: attachments },
    );

    this.clusterName = args.clusterName;
    this.kubeconfig = cluster.kubeconfig;
    this.nodeSecurityGroupId = cluster.nodeSecurityGroupId;
    this.nodeCount = args.nodeCount;
    this.registerOutputs({ clusterName: this.clusterName, nodeSecurityGroupId: this.nodeSecurityGroupId });
  }
}
