/**
 * MonitoringCluster: the EKS cluster of one region that runs Prometheus and Grafana
 * (`PrometheusGrafana`). Built with `eks.Cluster` and `eks.ManagedNodeGroup`: private API endpoint
 * (a public one only for listed CIDRs, such as the deploy runner's, docs/deploying.md; Security Hub
 * EKS.1 flags any public endpoint), secrets encrypted with the region's key,
 * audit, api and authenticator logs (EKS.8), a pinned version in standard support (EKS.2) with the
 * STANDARD upgrade policy (no extended-support charges), access entries instead of aws-auth, and a
 * managed node group in the private subnets of two zones, from a launch template with IMDSv2
 * required and root volumes encrypted with the region's key. Cluster services, each an EKS add-on
 * created after the node group (they run as pods): CoreDNS, the EKS Pod Identity agent, and the EBS
 * CSI driver (its own pod identity) behind an encrypted gp3 StorageClass for Prometheus' and
 * Grafana's volumes. Workloads reach the cluster through `kubernetesProvider`, built from the
 * cluster's kubeconfig, and wait for `podIdentityReady`.
 *
 * CoreDNS is ours, not eks.Cluster's: eks.Cluster creates its CoreDNS add-on inside the cluster
 * component, before any node of ours exists ("We can only enable the coredns addon if we have a node
 * group to place it on", pulumi-eks nodejs/eks/cluster/cluster.ts); with no node the add-on stays
 * DEGRADED and the first deploy fails after the provider's 20-minute create timeout
 * (pulumi/pulumi-eks#1819, #1525).
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EBS_CSI_MANAGED_POLICY, ebsCsiKeyPolicy } from "../monitoring/podIdentityPolicies";
import { accountContext } from "./account";
import { managedPolicyArn, serviceTrustPolicy } from "./policyDocuments";
import { PodIdentityRole } from "./podIdentityRole";

/** Control-plane log types sent to CloudWatch Logs. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"];
/** AWS managed policies a managed node's role needs (EKS User Guide, "Amazon EKS node IAM role"), plus SSM for operator access. */
export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"];
/** EKS add-ons this component installs, after its node group, besides those `eks.Cluster` manages (vpc-cni, kube-proxy). */
export const CLUSTER_ADDONS = { coreDns: "coredns", podIdentityAgent: "eks-pod-identity-agent", ebsCsiDriver: "aws-ebs-csi-driver" } as const;
/** The EBS CSI controller's service account (EKS User Guide, "Amazon EBS CSI driver"). */
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" } as const;
/** Root volume of each node, GiB (the EKS managed node group default). */
export const NODE_ROOT_VOLUME_GIB = 20;
/** The StorageClass every monitoring volume uses: gp3, encrypted with the region's key. */
export const ENCRYPTED_STORAGE_CLASS = "gp3-encrypted";

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
  /** Security group the cluster's managed nodes (and their pods) carry: the EKS cluster security group. The source of scrape rules into the app tier. */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  readonly nodeCount: number;
  /** Kubernetes provider for this cluster (kubeconfig from `eks.Cluster`, authenticating with `aws eks get-token`). */
  readonly kubernetesProvider: k8s.Provider;
  /** The encrypted StorageClass's name. */
  readonly storageClassName: string;
  /**
   * What workloads must wait for: the nodes, CoreDNS (every pod resolves names through it, AWS
   * endpoints included), the EKS Pod Identity agent, and the EBS CSI driver with the encrypted
   * StorageClass that their volumes name.
   */
  readonly podIdentityReady: pulumi.Resource[];

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
        // Not here: eks.Cluster would create CoreDNS before our node group (see the file comment).
        // The CoreDNS add-on below waits for the nodes; until then EKS runs its self-managed copy.
        corednsAddonOptions: { enabled: false },
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
    // Our own launch template: root volumes encrypted with the region's key (Security Hub EC2.3)
    // and IMDSv2 only, hop limit 2 so pods still reach it (EC2.8). The node group sets the type;
    // EKS adds the cluster security group since the template names none.
    const nodeTemplate = new aws.ec2.LaunchTemplate(
      `${name}-node-lt`,
      {
        description: `Managed nodes of ${args.clusterName}`,
        updateDefaultVersion: true,
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { encrypted: "true", kmsKeyId: args.kmsKeyArn, volumeSize: NODE_ROOT_VOLUME_GIB, volumeType: "gp3", deleteOnTermination: "true" },
          },
        ],
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled" },
      },
      child,
    );
    const nodeGroup = new eks.ManagedNodeGroup(
      `${name}-nodes`,
      {
        cluster,
        nodeRole,
        subnetIds: pulumi.output(args.privateSubnetIds).apply((ids) => ids.slice(0, 2)),
        instanceTypes: [args.nodeInstanceType],
        scalingConfig: { minSize: args.nodeCount, desiredSize: args.nodeCount, maxSize: args.nodeCount + 1 },
        launchTemplate: { id: nodeTemplate.id, version: pulumi.interpolate`${nodeTemplate.latestVersion}` },
      },
      { parent: this, dependsOn: attachments },
    );

    // Add-ons run as pods: they wait for the nodes. The agent comes before any pod identity is used.
    const addon = (
      role: string,
      addonName: string,
      extra: Partial<aws.eks.AddonArgs>,
      dependsOn: pulumi.Resource[],
      options: pulumi.CustomResourceOptions = {},
    ) =>
      new aws.eks.Addon(
        `${name}-${role}`,
        { clusterName: args.clusterName, addonName, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE", ...extra },
        { parent: this, dependsOn: [nodeGroup, ...dependsOn], ...options },
      );
    // CoreDNS at the default add-on version for the pinned Kubernetes version (DescribeAddonVersions;
    // EKS User Guide, "Manage CoreDNS": one version line per Kubernetes version), so an upgrade of
    // kubernetesVersion moves CoreDNS with it. OVERWRITE takes over the self-managed CoreDNS that EKS
    // installs with every cluster (EKS User Guide, "Create the CoreDNS Amazon EKS add-on"); preserve
    // keeps cluster DNS running should the add-on resource ever be deleted. The alias is the add-on
    // eks.Cluster created before, so an existing stack adopts it instead of replacing it.
    const coreDnsVersion = aws.eks.getAddonVersionOutput(
      { addonName: CLUSTER_ADDONS.coreDns, kubernetesVersion: args.kubernetesVersion, mostRecent: false },
      { parent: this },
    ).version;
    const coreDns = addon("coredns", CLUSTER_ADDONS.coreDns, { addonVersion: coreDnsVersion, preserve: true }, [], {
      aliases: [{ name: `${name}-eks-coredns`, parent: cluster }],
    });
    const podIdentityAgent = addon("pod-identity-agent", CLUSTER_ADDONS.podIdentityAgent, {}, []);
    const ebsCsiIdentity = new PodIdentityRole(
      `${name}-ebs-csi`,
      {
        clusterName: args.clusterName,
        namespace: EBS_CSI_SERVICE_ACCOUNT.namespace,
        serviceAccount: EBS_CSI_SERVICE_ACCOUNT.name,
        policy: pulumi.output(args.kmsKeyArn).apply(ebsCsiKeyPolicy),
        managedPolicies: [EBS_CSI_MANAGED_POLICY],
        associate: false,
      },
      { parent: this, dependsOn: [cluster] },
    );
    const ebsCsiDriver = addon(
      "ebs-csi-driver",
      CLUSTER_ADDONS.ebsCsiDriver,
      { podIdentityAssociations: [{ roleArn: ebsCsiIdentity.roleArn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT.name }] },
      // The controller resolves the EC2 endpoint through CoreDNS (its pods use the cluster DNS).
      [coreDns, podIdentityAgent, ...ebsCsiIdentity.policies],
    );

    this.kubernetesProvider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true },
      { parent: this, dependsOn: [nodeGroup] },
    );
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-storage-class`,
      {
        metadata: { name: ENCRYPTED_STORAGE_CLASS },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", kmsKeyId: args.kmsKeyArn },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        // Keep Prometheus' and Grafana's volumes when a claim is deleted by mistake.
        reclaimPolicy: "Retain",
      },
      { parent: this, provider: this.kubernetesProvider, dependsOn: [ebsCsiDriver] },
    );
    this.storageClassName = ENCRYPTED_STORAGE_CLASS;
    this.podIdentityReady = [nodeGroup, coreDns, podIdentityAgent, ebsCsiDriver, storageClass];

    this.clusterName = args.clusterName;
    this.kubeconfig = cluster.kubeconfig;
    // Managed nodes carry the security group EKS creates for the cluster, not eks.Cluster's own
    // nodeSecurityGroup (pulumi-eks nodegroup.ts; EKS User Guide, "View Amazon EKS security group requirements").
    this.nodeSecurityGroupId = cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
    this.nodeCount = args.nodeCount;
    this.registerOutputs({ clusterName: this.clusterName, nodeSecurityGroupId: this.nodeSecurityGroupId, storageClassName: this.storageClassName });
  }
}
