/**
 * Monitoring policies: the kube-prometheus-stack release pinned to an exact chart version from an
 * HTTPS repository, Grafana's admin password from a Kubernetes Secret and its load balancer limited
 * to listed networks (over TLS when internet-facing), Prometheus' and Grafana's data on encrypted
 * persistent volumes, EKS Pod Identity roles with only what each pod calls, scrape rules into the
 * app tier on exactly the exporter ports, IMDSv2 on the cluster's nodes, and CloudWatch dashboards
 * that query only metrics AWS publishes and show the DR signals. Each applies only where its
 * resources exist: a backup-restore DR stack has no monitoring cluster and passes all but the
 * dashboard policy on its own dashboard.
 */
import type { PolicyResource } from "@pulumi/policy";
import { APP_METRICS_PORT, NODE_EXPORTER_PORT } from "../../config/conventions";
import { coversWholeInternet } from "../../config/rules";
import { SERVICE_ACCOUNTS } from "../../monitoring/chartValues";
import { type CloudWatchDashboardMetric, cloudWatchDashboardMetrics } from "../../monitoring/cloudWatchDashboard";
import { metricQueryProblem, publishedMetric } from "../../monitoring/cloudWatchMetrics";
import { GRAFANA_CLOUDWATCH_ACTIONS, POD_IDENTITY_PRINCIPAL } from "../../monitoring/podIdentityPolicies";
import { isCustomerKeyArn, isReplica } from "./database";
import { GLOBAL_TABLE_TYPES, tableArnParts } from "./globalTable";
import { asList, dependsOn, ofType, parseJson, regionOf, resourcePolicy, stackPolicy, TYPES } from "./kit";
import { manifestOf } from "./manifest";

/** Resource types these policies read besides the kit's. */
export const MONITORING_TYPES = {
  helmRelease: "kubernetes:helm.sh/v3:Release",
  storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
  managedNodeGroup: "eks:index:ManagedNodeGroup",
  nodeGroup: "eks:index:NodeGroup",
  nodeGroupV2: "eks:index:NodeGroupV2",
  podIdentityAssociation: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  eksAddon: "aws:eks/addon:Addon",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  rdsCluster: "aws:rds/cluster:Cluster",
} as const;

// ---------------------------------------------------------------------------------------------
// Helm releases: the chart and its values.
// ---------------------------------------------------------------------------------------------

/** An exact SemVer 2 version (an optional leading `v`, as some charts tag): no range, wildcard or partial version. */
export function isExactChartVersion(version: unknown): boolean {
  return (
    typeof version === "string" &&
    /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/.test(version)
  );
}

const chartPinned = resourcePolicy({
  name: "monitoring-helm-chart-pinned",
  description:
    "Helm releases install an exact chart version from an HTTPS repository, so both regions run the chart that was tested and a new upstream release changes nothing unplanned (Helm install docs: without --version the latest chart is installed; design)",
  enforcementLevel: "mandatory",
  type: MONITORING_TYPES.helmRelease,
  check: (props, _config, report) => {
    const chart = String(props.chart ?? "");
    if (!isExactChartVersion(props.version)) {
      report(
        `version is ${JSON.stringify(props.version ?? "")}: pin an exact chart version (e.g. 88.5.3), not a range, a wildcard or nothing (which installs the latest chart)`,
      );
    }
    // An OCI chart names its registry in `chart` (oci:// is always TLS); a repository chart needs an https repo.
    if (chart.startsWith("oci://")) return;
    const repo = props.repositoryOpts?.repo;
    if (typeof repo !== "string" || repo === "") report(`repositoryOpts.repo is not set: install ${chart || "the chart"} from its HTTPS chart repository`);
    else if (!/^https:\/\/[^\s/]+/i.test(repo))
      report(`repositoryOpts.repo is ${repo}: use the chart repository's https:// URL, so the chart cannot be altered in transit`);
  },
});

/** True for the kube-prometheus-stack chart, by name or repository path. */
function isKubePrometheusStack(chart: unknown): boolean {
  return typeof chart === "string" && /(^|\/)kube-prometheus-stack$/.test(chart);
}

/**
 * A release's values block for Grafana (the Grafana subchart, in any chart) or Prometheus (the
 * operator's, with a prometheusSpec: other charts' `prometheus` blocks, such as cert-manager's, only
 * toggle metrics), unless it is absent (and not implied by kube-prometheus-stack) or disabled.
 */
function enabledBlock(props: Record<string, any>, key: "grafana" | "prometheus"): Record<string, any> | undefined {
  const block = props.values?.[key];
  const declared = typeof block === "object" && block !== null && (key === "grafana" || block.prometheusSpec !== undefined);
  const present = declared || isKubePrometheusStack(props.chart);
  if (!present || block?.enabled === false) return undefined;
  return typeof block === "object" && block !== null ? block : {};
}

/** Keys that hand Grafana its admin password in plain text: the chart's `adminPassword`, grafana.ini's `admin_password`, the env override. */
const PLAIN_PASSWORD_KEYS = new Set(["adminpassword", "admin_password", "gf_security_admin_password"]);

/** A value Grafana expands from a file, the environment or Vault at start (Grafana configuration docs, "Variable expansion"), not a password. */
function isExpansion(value: unknown): boolean {
  return typeof value === "string" && /^\$__(file|env|vault)\{[^}]+\}$/.test(value.trim());
}

/** Paths under `value` (prefixed by `path`) of plain admin-password keys with a value. */
function plainPasswordPaths(value: unknown, path: string): string[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}["${key}"]`;
    const plain = PLAIN_PASSWORD_KEYS.has(key.toLowerCase()) && child !== undefined && child !== null && child !== "" && !isExpansion(child);
    return plain ? [childPath] : plainPasswordPaths(child, childPath);
  });
}

const grafanaAdminSecret = resourcePolicy({
  name: "monitoring-grafana-admin-secret",
  description:
    "Grafana's admin password comes from a Kubernetes Secret (grafana.admin.existingSecret), never from chart values, grafana.ini or env, which Helm keeps readable in the release (Grafana Helm chart values; WA SEC02-BP03)",
  enforcementLevel: "mandatory",
  type: MONITORING_TYPES.helmRelease,
  check: (props, _config, report) => {
    // kube-prometheus-stack runs Grafana unless told not to, with the chart's default password.
    const grafana = enabledBlock(props, "grafana");
    if (!grafana) return;
    const secret = grafana.admin?.existingSecret;
    if (typeof secret !== "string" || secret.trim() === "")
      report("grafana.admin.existingSecret is not set: keep the admin user and password in a Kubernetes Secret and name it there");
    for (const path of plainPasswordPaths(grafana, "grafana")) {
      report(`${path} holds the admin password in the release's values (stored in plain text by Helm): remove it and use grafana.admin.existingSecret`);
    }
  },
});

const LB_ANNOTATIONS = {
  internal: "service.beta.kubernetes.io/aws-load-balancer-internal",
  scheme: "service.beta.kubernetes.io/aws-load-balancer-scheme",
  certificate: "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
} as const;

/**
 * True when a LoadBalancer service's AWS load balancer is internet-facing: the AWS Load Balancer
 * Controller's `aws-load-balancer-scheme` when set, else the cloud provider's
 * `aws-load-balancer-internal`, whose absence (or "false") means internet-facing.
 */
export function isInternetFacing(annotations: Record<string, unknown> | undefined): boolean {
  const scheme = annotations?.[LB_ANNOTATIONS.scheme];
  if (scheme === "internet-facing") return true;
  if (scheme === "internal") return false;
  const internal = annotations?.[LB_ANNOTATIONS.internal];
  return internal === undefined || internal === null || String(internal) === "false" || String(internal) === "";
}

const grafanaExposure = resourcePolicy({
  name: "monitoring-grafana-exposure",
  description:
    "A LoadBalancer Grafana is open only to listed networks (loadBalancerSourceRanges without 0.0.0.0/0 or ::/0) and, internet-facing, only over TLS with a certificate (cloud-provider-aws service annotations; SH EC2.18, WA SEC09-BP02)",
  enforcementLevel: "mandatory",
  type: MONITORING_TYPES.helmRelease,
  check: (props, _config, report) => {
    const grafana = props.values?.grafana;
    if (typeof grafana !== "object" || grafana === null || grafana.enabled === false) return;
    const service = grafana.service ?? {};
    if (service.type !== "LoadBalancer") return;
    const ranges = asList<string>(service.loadBalancerSourceRanges);
    if (ranges.length === 0)
      report("grafana.service.loadBalancerSourceRanges is empty: the load balancer would accept the whole internet; list the VPC or your operators' networks");
    for (const range of ranges.filter((candidate) => coversWholeInternet(String(candidate))))
      report(`grafana.service.loadBalancerSourceRanges contains ${range}: list your operators' networks instead`);
    const annotations = service.annotations ?? {};
    if (isInternetFacing(annotations)) {
      const certificate = annotations[LB_ANNOTATIONS.certificate];
      if (typeof certificate !== "string" || !/^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate\/|iam::\d{12}:server-certificate\/)/.test(certificate)) {
        report(
          `grafana.service is an internet-facing load balancer without TLS: set the ${LB_ANNOTATIONS.certificate} annotation to an ACM certificate ARN (or make it internal with ${LB_ANNOTATIONS.internal}: "true")`,
        );
      }
    }
  },
});

/** EBS provisioners: the CSI driver, and the in-tree one EKS migrates to it (same parameters). */
const EBS_PROVISIONERS = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];

const persistentStorage = resourcePolicy({
  name: "monitoring-persistent-storage",
  description:
    "Prometheus and Grafana keep their data on persistent volumes of a named StorageClass, and every EBS StorageClass encrypts with a customer-managed key (kube-prometheus-stack storageSpec, Grafana chart persistence, EBS CSI driver parameters; SH EC2.3)",
  enforcementLevel: "mandatory",
  type: [MONITORING_TYPES.helmRelease, MONITORING_TYPES.storageClass],
  check: (props, _config, report, resource) => {
    if (resource.type === MONITORING_TYPES.storageClass) {
      if (!EBS_PROVISIONERS.includes(String(props.provisioner))) return;
      const parameters = props.parameters ?? {};
      const name = props.metadata?.name ?? resource.name;
      if (String(parameters.encrypted) !== "true")
        report(`StorageClass ${name}: parameters.encrypted is ${JSON.stringify(parameters.encrypted)}: set "true" so every volume is encrypted`);
      if (!isCustomerKeyArn(parameters.kmsKeyId))
        report(`StorageClass ${name}: parameters.kmsKeyId must be the region's customer-managed KMS key ARN, not the AWS-managed aws/ebs key`);
      return;
    }
    const prometheus = enabledBlock(props, "prometheus");
    if (prometheus) {
      const template = prometheus.prometheusSpec?.storageSpec?.volumeClaimTemplate;
      if (typeof template !== "object" || template === null) {
        report("prometheus.prometheusSpec.storageSpec.volumeClaimTemplate is not set: Prometheus would keep its data in an emptyDir and lose it with the pod");
      } else if (!template.spec?.storageClassName) {
        report(
          "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName is not set: name the encrypted StorageClass (a cluster may have no default, or an unencrypted one)",
        );
      }
    }
    const grafana = enabledBlock(props, "grafana");
    if (grafana) {
      const persistence = grafana.persistence ?? {};
      if (persistence.enabled !== true)
        report("grafana.persistence.enabled is not true: Grafana would lose its database (users, alert state, annotations) with the pod");
      else if (!persistence.storageClassName)
        report("grafana.persistence.storageClassName is not set: name the encrypted StorageClass (a cluster may have no default, or an unencrypted one)");
    }
  },
});

const NODE_GROUP_TYPES = [MONITORING_TYPES.managedNodeGroup, MONITORING_TYPES.nodeGroupV2, MONITORING_TYPES.nodeGroup] as const;

const nodeImdsV2 = resourcePolicy({
  name: "monitoring-eks-node-imdsv2",
  description:
    "EKS node groups require IMDSv2 (enableIMDSv2), so a pod cannot read the node role's credentials through IMDSv1; a node group on its own launch template is judged by launch-template-imdsv2 (SH EC2.8, EKS best practices)",
  enforcementLevel: "mandatory",
  type: NODE_GROUP_TYPES,
  check: (props, _config, report) => {
    if (props.launchTemplate) return;
    if (props.enableIMDSv2 !== true) report(`enableIMDSv2 is ${JSON.stringify(props.enableIMDSv2 ?? false)}: set true so the nodes require IMDSv2 tokens`);
  },
});

// ---------------------------------------------------------------------------------------------
// Pod identity roles.
// ---------------------------------------------------------------------------------------------

/** What a policy statement's Resource must be for an action: anything (no resource-level permissions), a topic ARN, or a KMS key ARN. */
export type ResourceKind = "any" | "sns-topic" | "kms-key";

export interface PodIdentityGrant {
  /** Actions the pod may be allowed (as written in policies; compared without regard to case), with what their Resource must be. */
  actions: Record<string, ResourceKind>;
  /** AWS managed policies (path and name) that may be attached. */
  managedPolicies?: string[];
}

const EBS_CSI_KEY_ACTIONS = [
  "kms:CreateGrant",
  "kms:ListGrants",
  "kms:RevokeGrant",
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
];

/**
 * The allowlist of pod identities, by Kubernetes service account: everything a monitoring pod may
 * call (Service Authorization Reference; EKS User Guide, "Amazon EBS CSI driver"). A new pod
 * identity needs an entry here before the pack lets it deploy.
 */
export const POD_IDENTITY_ALLOWLIST: Record<string, PodIdentityGrant> = {
  // EC2 service discovery of the app instances (Prometheus ec2_sd_config); DescribeInstances has no resource-level permissions.
  [SERVICE_ACCOUNTS.prometheus]: { actions: { "ec2:DescribeInstances": "any" } },
  // The CloudWatch data source and its query editor (AmazonGrafanaCloudWatchAccess, metrics part); none has resource-level permissions.
  [SERVICE_ACCOUNTS.grafana]: { actions: Object.fromEntries(GRAFANA_CLOUDWATCH_ACTIONS.map((action) => [action, "any" as const])) },
  // The SNS receiver: publish to the alert topic, through its key.
  [SERVICE_ACCOUNTS.alertmanager]: { actions: { "sns:Publish": "sns-topic", "kms:GenerateDataKey*": "kms-key", "kms:Decrypt": "kms-key" } },
  // The EBS CSI controller: its managed policy, plus grants and data keys on the customer key of encrypted volumes.
  "ebs-csi-controller-sa": {
    actions: Object.fromEntries(EBS_CSI_KEY_ACTIONS.map((action) => [action, "kms-key" as const])),
    managedPolicies: ["service-role/AmazonEBSCSIDriverPolicy"],
  },
};

const RESOURCE_KINDS: Record<Exclude<ResourceKind, "any">, { what: string; matches: (resource: string) => boolean }> = {
  "sns-topic": { what: "an SNS topic ARN", matches: (resource) => /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/.test(resource) },
  "kms-key": { what: "a KMS key ARN", matches: isCustomerKeyArn },
};

/** One pod identity association: from an `aws.eks.PodIdentityAssociation`, or one entry of an add-on's `podIdentityAssociations`. */
interface Association {
  source: PolicyResource;
  namespace: string;
  serviceAccount: string;
  roleArn: unknown;
}

function associationsOf(resources: PolicyResource[]): Association[] {
  const direct = ofType(resources, MONITORING_TYPES.podIdentityAssociation).map((source) => ({
    source,
    namespace: String(source.props.namespace ?? ""),
    serviceAccount: String(source.props.serviceAccount ?? ""),
    roleArn: source.props.roleArn,
  }));
  // An EKS add-on's associations are in the add-on's own namespace, kube-system for the AWS add-ons.
  const fromAddons = ofType(resources, MONITORING_TYPES.eksAddon).flatMap((source) =>
    asList<Record<string, any>>(source.props.podIdentityAssociations).map((entry) => ({
      source,
      namespace: "kube-system",
      serviceAccount: String(entry.serviceAccount ?? ""),
      roleArn: entry.roleArn,
    })),
  );
  return [...direct, ...fromAddons];
}

/** The role an association names: by ARN, else the one role its roleArn (or podIdentityAssociations) came from. */
function roleOf(association: Association, resources: PolicyResource[]): PolicyResource | undefined {
  const roles = ofType(resources, TYPES.iamRole);
  const byArn = roles.find((role) => typeof association.roleArn === "string" && role.props.arn === association.roleArn);
  if (byArn) return byArn;
  const property = association.source.type === MONITORING_TYPES.eksAddon ? "podIdentityAssociations" : "roleArn";
  const linked = roles.filter((role) => dependsOn(association.source, role, property));
  return linked.length === 1 ? linked[0] : undefined;
}

/** Resources of `type` whose `role` input is the role (by dependency or by name). */
function attachedTo(role: PolicyResource, resources: PolicyResource[], type: string): PolicyResource[] {
  return ofType(resources, type).filter(
    (candidate) => dependsOn(candidate, role, "role") || (typeof candidate.props.role === "string" && candidate.props.role === role.props.name),
  );
}

/** An IAM document's statements, Allow only. */
function allowStatements(document: unknown): Record<string, any>[] {
  return asList<Record<string, any>>((document as { Statement?: unknown } | undefined)?.Statement as Record<string, any>[]).filter(
    (statement) => statement.Effect === "Allow",
  );
}

/** Why a pod identity role's trust policy lets more than EKS Pod Identity assume it, or omits what it needs. */
export function trustPolicyProblems(document: unknown): string[] {
  if (document === undefined) return ["its trust policy is not JSON"];
  const problems: string[] = [];
  const allowed = allowStatements(document);
  const actions = new Set<string>();
  for (const statement of allowed) {
    if (statement.NotPrincipal !== undefined || statement.NotAction !== undefined) {
      problems.push("its trust policy uses NotPrincipal or NotAction, which trust everyone else");
      continue;
    }
    const principal = statement.Principal;
    const services = typeof principal === "object" && principal !== null ? asList<string>(principal.Service) : [];
    const others =
      typeof principal === "object" && principal !== null ? Object.keys(principal).filter((key) => key !== "Service") : [JSON.stringify(principal)];
    for (const other of [...services.filter((service) => service !== POD_IDENTITY_PRINCIPAL), ...others]) {
      problems.push(`its trust policy lets ${other} assume it; a pod identity role trusts only ${POD_IDENTITY_PRINCIPAL}`);
    }
    for (const action of asList<string>(statement.Action)) {
      if (!["sts:assumerole", "sts:tagsession"].includes(action.toLowerCase()))
        problems.push(`its trust policy allows ${action}; EKS Pod Identity needs only sts:AssumeRole and sts:TagSession`);
      actions.add(action.toLowerCase());
    }
  }
  for (const needed of ["sts:AssumeRole", "sts:TagSession"]) {
    if (!actions.has(needed.toLowerCase())) problems.push(`its trust policy does not allow ${POD_IDENTITY_PRINCIPAL} ${needed}, which EKS Pod Identity needs`);
  }
  return problems;
}

/** Why an identity policy allows more than `grant` lets a pod do. */
export function grantProblems(document: unknown, grant: PodIdentityGrant, serviceAccount: string): string[] {
  if (document === undefined) return ["the policy is not JSON"];
  const problems: string[] = [];
  const allowedActions = new Map(Object.entries(grant.actions).map(([action, kind]) => [action.toLowerCase(), { action, kind }]));
  const listed = Object.keys(grant.actions).join(", ");
  for (const statement of allowStatements(document)) {
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      problems.push(`a statement uses NotAction or NotResource, which allow everything else; list the actions and resources`);
      continue;
    }
    const resources = asList<string>(statement.Resource);
    for (const action of asList<string>(statement.Action)) {
      if (action === "*") {
        problems.push(`allows every action (*); ${serviceAccount} may use only ${listed}`);
        continue;
      }
      if (/^[^:]+:\*$/.test(action)) {
        problems.push(`allows every ${action.split(":")[0]} action (${action}); ${serviceAccount} may use only ${listed}`);
        continue;
      }
      const allowed = allowedActions.get(action.toLowerCase());
      if (!allowed) {
        problems.push(`allows ${action}, which ${serviceAccount} does not need; it may use only ${listed}`);
        continue;
      }
      if (allowed.kind === "any") continue;
      const kind = RESOURCE_KINDS[allowed.kind];
      if (resources.some((resource) => resource.includes("*")))
        problems.push(`allows ${action} on ${resources.filter((resource) => resource.includes("*")).join(", ")}: name ${kind.what} instead`);
      else if (!resources.some(kind.matches)) problems.push(`allows ${action} on ${resources.join(", ") || "no resource"}: name ${kind.what}`);
    }
  }
  return problems;
}

/** The managed policy's path and name from its ARN (`arn:aws:iam::aws:policy/service-role/X` -> `service-role/X`), or undefined for a customer managed policy. */
function awsManagedPolicyName(arn: unknown): string | undefined {
  const match = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(String(arn ?? ""));
  return match ? match[1] : undefined;
}

const podIdentityLeastPrivilege = stackPolicy({
  name: "monitoring-pod-identity-least-privilege",
  description:
    "Each EKS Pod Identity role trusts only pods.eks.amazonaws.com and allows only its service account's listed actions, on the topic or key they need, never * or service:* (EKS User Guide, EKS Pod Identity; SH IAM.1, IAM.21)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    for (const association of associationsOf(resources)) {
      const who = `${association.source.name} (${association.namespace}/${association.serviceAccount})`;
      const grant = POD_IDENTITY_ALLOWLIST[association.serviceAccount];
      if (!grant) {
        report(
          `${who}: service account ${association.serviceAccount} is not in the pod identity allowlist; add it with the actions the pod needs to POD_IDENTITY_ALLOWLIST in policy/policies/monitoring.ts`,
          association.source.urn,
        );
        continue;
      }
      const role = roleOf(association, resources);
      if (!role) {
        report(
          `${who}: role ${String(association.roleArn)} is not a role of this stack, so its permissions cannot be checked; manage it with the association`,
          association.source.urn,
        );
        continue;
      }
      for (const problem of trustPolicyProblems(parseJson(role.props.assumeRolePolicy))) report(`${who}: role ${role.name}: ${problem}`, role.urn);
      const inline = [
        ...attachedTo(role, resources, TYPES.iamRolePolicy).map((policy) => ({ name: policy.name, document: policy.props.policy, urn: policy.urn })),
        ...asList<Record<string, any>>(role.props.inlinePolicies).map((policy) => ({
          name: `${role.name}/${policy.name}`,
          document: policy.policy,
          urn: role.urn,
        })),
      ];
      for (const policy of inline) {
        for (const problem of grantProblems(parseJson(policy.document), grant, association.serviceAccount))
          report(`${who}: ${policy.name}: ${problem}`, policy.urn);
      }
      const managed = [
        ...attachedTo(role, resources, MONITORING_TYPES.rolePolicyAttachment).map((attachment) => attachment.props.policyArn),
        ...asList(role.props.managedPolicyArns),
      ];
      for (const arn of managed) {
        const name = awsManagedPolicyName(arn);
        if (name === undefined || !(grant.managedPolicies ?? []).includes(name)) {
          report(
            `${who}: role ${role.name} has ${String(arn)} attached; ${association.serviceAccount} may have ${grant.managedPolicies?.length ? `only ${grant.managedPolicies.join(", ")}` : "no managed policy"}: put what it needs in its inline policy`,
            role.urn,
          );
        }
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Scrape rules into the app tier.
// ---------------------------------------------------------------------------------------------

/** The scrape ports Prometheus reaches the app instances on: the app's exporter and the node exporter. */
export const SCRAPE_PORTS = [
  { port: APP_METRICS_PORT, what: "app metrics" },
  { port: NODE_EXPORTER_PORT, what: "node exporter" },
] as const;

/** The security group the cluster's managed nodes carry (the EKS cluster security group), when known. */
function clusterSecurityGroupId(cluster: PolicyResource): unknown {
  return cluster.type === TYPES.eksComponentCluster
    ? cluster.props.eksCluster?.vpcConfig?.clusterSecurityGroupId
    : cluster.props.vpcConfig?.clusterSecurityGroupId;
}

/** The security group ids a launch template puts on its instances, and the group resources they came from. */
function instanceGroups(resources: PolicyResource[]): { ids: Set<string>; groups: PolicyResource[] } {
  const ids = new Set<string>();
  const groups = new Set<PolicyResource>();
  for (const template of ofType(resources, TYPES.launchTemplate)) {
    for (const id of [
      ...asList<string>(template.props.vpcSecurityGroupIds),
      ...asList<Record<string, any>>(template.props.networkInterfaces).flatMap((nic) => asList<string>(nic.securityGroups)),
    ]) {
      if (typeof id === "string") ids.add(id);
    }
    for (const property of ["vpcSecurityGroupIds", "networkInterfaces", "securityGroupNames"]) {
      for (const group of template.propertyDependencies[property] ?? []) if (group.type === TYPES.securityGroup) groups.add(group);
    }
  }
  return { ids, groups: [...groups] };
}

/** One ingress permission from a referenced security group into another. */
interface GroupIngress {
  resource: PolicyResource;
  protocol: string;
  fromPort: number;
  toPort: number;
  /** The referenced (source) group id, when known. */
  source: unknown;
  /** True when the source group id came from the resource `cluster` (by dependency). */
  fromCluster: (cluster: PolicyResource) => boolean;
}

function groupIngress(resources: PolicyResource[], into: (target: unknown, resource: PolicyResource) => boolean): GroupIngress[] {
  const permission = (resource: PolicyResource, protocol: unknown, fromPort: unknown, toPort: unknown, source: unknown, property: string): GroupIngress => ({
    resource,
    protocol: String(protocol ?? "-1").toLowerCase(),
    fromPort: Number(fromPort ?? 0),
    toPort: Number(toPort ?? fromPort ?? 65535),
    source,
    fromCluster: (cluster) => dependsOn(resource, cluster, property),
  });
  const vpcRules = ofType(resources, TYPES.ingressRule)
    .filter((rule) => rule.props.referencedSecurityGroupId !== undefined && into(rule.props.securityGroupId, rule))
    .map((rule) =>
      permission(rule, rule.props.ipProtocol, rule.props.fromPort, rule.props.toPort, rule.props.referencedSecurityGroupId, "referencedSecurityGroupId"),
    );
  const groupRules = ofType(resources, TYPES.securityGroupRule)
    .filter((rule) => rule.props.type === "ingress" && rule.props.sourceSecurityGroupId !== undefined && into(rule.props.securityGroupId, rule))
    .map((rule) => permission(rule, rule.props.protocol, rule.props.fromPort, rule.props.toPort, rule.props.sourceSecurityGroupId, "sourceSecurityGroupId"));
  const inline = ofType(resources, TYPES.securityGroup)
    .filter((group) => into(/\/(sg-[0-9a-f]+)$/.exec(String(group.props.arn ?? ""))?.[1], group))
    .flatMap((group) =>
      asList<Record<string, any>>(group.props.ingress).flatMap((rule) =>
        asList<string>(rule.securityGroups).map((source) => permission(group, rule.protocol, rule.fromPort, rule.toPort, source, "ingress")),
      ),
    );
  return [...vpcRules, ...groupRules, ...inline];
}

const scrapeRulesExact = stackPolicy({
  name: "monitoring-scrape-rules-exact",
  description: `The app instances accept exactly tcp ${APP_METRICS_PORT} (app metrics) and ${NODE_EXPORTER_PORT} (node exporter) from the monitoring cluster's security group, and nothing else from it (WA SEC05-BP01: traffic only between adjacent layers, on what they use)`,
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const clusters = [...ofType(resources, TYPES.eksComponentCluster), ...ofType(resources, TYPES.eksCluster)];
    const { ids, groups } = instanceGroups(resources);
    if (clusters.length === 0 || (ids.size === 0 && groups.length === 0)) return;
    const intoInstances = (target: unknown, resource: PolicyResource) =>
      (typeof target === "string" && ids.has(target)) || groups.some((group) => group === resource || dependsOn(resource, group, "securityGroupId"));
    const rules = groupIngress(resources, intoInstances);
    for (const cluster of clusters) {
      const clusterGroup = clusterSecurityGroupId(cluster);
      const known = typeof clusterGroup === "string" && clusterGroup !== "";
      const fromCluster = rules.filter((rule) => (known ? rule.source === clusterGroup : rule.fromCluster(cluster)));
      // A rule wired to the cluster but to another of its groups (eks.Cluster's nodeSecurityGroupId) admits no managed node.
      for (const rule of rules.filter((candidate) => known && candidate.source !== clusterGroup && candidate.fromCluster(cluster))) {
        report(
          `${rule.resource.name}: admits ${String(rule.source)}, a security group of ${cluster.name} that its managed nodes do not carry; reference the EKS cluster security group ${clusterGroup}`,
          rule.resource.urn,
        );
      }
      for (const rule of fromCluster) {
        const exact = rule.protocol === "tcp" && rule.fromPort === rule.toPort && SCRAPE_PORTS.some(({ port }) => port === rule.fromPort);
        if (!exact) {
          const ports =
            rule.protocol === "-1" || rule.protocol === "all"
              ? "all traffic"
              : `${rule.protocol} ${rule.fromPort}${rule.toPort !== rule.fromPort ? `-${rule.toPort}` : ""}`;
          report(
            `${rule.resource.name}: admits ${ports} from ${cluster.name}'s nodes into the app instances; only tcp ${SCRAPE_PORTS.map(({ port }) => port).join(" and ")}, one port per rule`,
            rule.resource.urn,
          );
        }
      }
      for (const { port, what } of SCRAPE_PORTS) {
        if (!fromCluster.some((rule) => rule.protocol === "tcp" && rule.fromPort === port && rule.toPort === port)) {
          report(
            `no ingress rule admits tcp ${port} (${what}) from ${cluster.name}'s nodes into the app instances: Prometheus cannot scrape it; add one referencing the cluster security group`,
          );
        }
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// CloudWatch dashboards.
// ---------------------------------------------------------------------------------------------

/** The signals a DR or monitoring stack's dashboard shows, besides each read replica's lag. */
export const DASHBOARD_SIGNALS = [
  { namespace: "AWS/S3", metricName: "ReplicationLatency", what: "S3 replication latency" },
  { namespace: "AWS/Route53", metricName: "HealthCheckStatus", what: "the primary's health check" },
] as const;

const REPLICA_LAG = { namespace: "AWS/RDS", metricName: "ReplicaLag" } as const;
/**
 * The lag of an Aurora global database's secondary cluster: AuroraGlobalDBReplicationLag (Aurora MySQL
 * and PostgreSQL) or AuroraGlobalDBRPOLag (Aurora PostgreSQL; Aurora MySQL 3.04.0 / 2.12.0 and later),
 * milliseconds, by DBClusterIdentifier, published in the secondary's region only (Aurora User Guide,
 * "Cluster-level metrics for Amazon Aurora"). Either one shows the lag.
 */
const AURORA_GLOBAL_LAG = { namespace: "AWS/RDS", metricNames: ["AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"] } as const;
/** A DynamoDB global table's replication latency, by TableName and ReceivingRegion, published in the source (writing) region. */
const GLOBAL_TABLE_LATENCY = { namespace: "AWS/DynamoDB", metricName: "ReplicationLatency" } as const;

const draws = (metrics: CloudWatchDashboardMetric[], signal: { namespace: string; metricName: string }) =>
  metrics.some((metric) => metric.namespace === signal.namespace && metric.metricName === signal.metricName);

/**
 * True when a dashboard metric pins `name` to `expected`: an exact row must carry the value (when it
 * is known), a SEARCH may leave it open (a wildcard) but must not pin another value.
 */
function pins(metric: CloudWatchDashboardMetric, name: string, expected: string | undefined): boolean {
  const value = metric.dimensions[name];
  if (expected === undefined) return true;
  return value === undefined ? !metric.exact : value === expected;
}

/** The secondary clusters of Aurora global databases in a stack: clusters that join a global cluster. */
export function globalSecondaryClusters(resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, MONITORING_TYPES.rdsCluster).filter(
    (cluster) => typeof cluster.props.globalClusterIdentifier === "string" && cluster.props.globalClusterIdentifier !== "",
  );
}

const dashboardSignals = stackPolicy({
  name: "dr-dashboard-signals",
  description:
    "CloudWatch dashboards query only metrics AWS publishes, with their dimensions and in the region they are published in (Route 53 in us-east-1); a DR or monitoring stack's dashboard shows S3 replication latency, the health check, each read replica's or Aurora secondary cluster's lag, and each DynamoDB table replica's replication latency (WA REL06-BP01, REL13)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const parsed: { dashboard: PolicyResource; metrics: CloudWatchDashboardMetric[] }[] = [];
    for (const dashboard of ofType(resources, MONITORING_TYPES.dashboard)) {
      let metrics: CloudWatchDashboardMetric[];
      try {
        metrics = cloudWatchDashboardMetrics(String(dashboard.props.dashboardBody ?? ""));
      } catch (error) {
        report(`${dashboard.name}: dashboardBody cannot be read: ${(error as Error).message}`, dashboard.urn);
        continue;
      }
      parsed.push({ dashboard, metrics });
      for (const metric of metrics) {
        const problem = metricQueryProblem(metric);
        if (problem) {
          report(`${dashboard.name}: widget "${metric.widgetTitle}": ${problem}`, dashboard.urn);
          continue;
        }
        const publishedIn = publishedMetric(metric.namespace, metric.metricName)?.publishedIn;
        if (publishedIn && metric.region !== publishedIn) {
          report(
            `${dashboard.name}: widget "${metric.widgetTitle}": ${metric.namespace} ${metric.metricName} is published in ${publishedIn} only; the widget queries ${metric.region || "no region"}`,
            dashboard.urn,
          );
        }
      }
    }
    const role = manifestOf(resources)?.manifest?.role;
    const monitored = [TYPES.eksComponentCluster, TYPES.eksCluster, MONITORING_TYPES.helmRelease].some((type) => ofType(resources, type).length > 0);
    if (role !== "dr" && !monitored) return;
    // The DR stack's read replica. A primary-region replica exists only during a failback, whose
    // dashboards are not drawn for it (a known gap, docs/monitoring.md).
    const replicas = role === "dr" ? ofType(resources, TYPES.rdsInstance).filter((database) => isReplica(database.props)) : [];
    const why = role === "dr" ? "the DR stack" : "a stack with a monitoring cluster";
    if (parsed.length === 0) {
      report(
        `${why} has no readable CloudWatch dashboard; add one showing ${DASHBOARD_SIGNALS.map((signal) => signal.metricName).join(" and ")}${replicas.length ? " and ReplicaLag" : ""}`,
      );
      return;
    }
    // The dashboard that shows the most required signals is the DR dashboard; report what it lacks.
    const missingIn = (metrics: CloudWatchDashboardMetric[]) => DASHBOARD_SIGNALS.filter((signal) => !draws(metrics, signal));
    const best = parsed.reduce((a, b) => (missingIn(b.metrics).length < missingIn(a.metrics).length ? b : a));
    for (const signal of missingIn(best.metrics)) {
      report(`${best.dashboard.name}: does not show ${signal.what} (${signal.namespace} ${signal.metricName}); ${why} must show it`, best.dashboard.urn);
    }
    // backup-restore (and a promoted DR database) keeps no read replica: no lag to show.
    for (const replica of replicas) {
      const region = regionOf(replica);
      const identifier = typeof replica.props.identifier === "string" ? replica.props.identifier : undefined;
      const shown = parsed.some(({ metrics }) =>
        metrics.some(
          (metric) =>
            metric.namespace === REPLICA_LAG.namespace &&
            metric.metricName === REPLICA_LAG.metricName &&
            (region === undefined || metric.region === region) &&
            (!metric.exact || identifier === undefined || metric.dimensions.DBInstanceIdentifier === identifier),
        ),
      );
      if (!shown) {
        report(
          `no CloudWatch dashboard shows the read replica ${replica.name}'s lag (${REPLICA_LAG.namespace} ${REPLICA_LAG.metricName}${region ? ` in ${region}` : ""}${identifier ? ` for ${identifier}` : ""}); the DR dashboard must show it next to the RPO`,
          replica.urn,
        );
      }
    }
    if (role !== "dr") return;
    // aurora-global: the DR stack's secondary cluster; its lag is published in its own region only.
    for (const cluster of globalSecondaryClusters(resources)) {
      const region = regionOf(cluster);
      const identifier = typeof cluster.props.clusterIdentifier === "string" ? cluster.props.clusterIdentifier : undefined;
      const shown = parsed.some(({ metrics }) =>
        metrics.some(
          (metric) =>
            metric.namespace === AURORA_GLOBAL_LAG.namespace &&
            (AURORA_GLOBAL_LAG.metricNames as readonly string[]).includes(metric.metricName) &&
            (region === undefined || metric.region === region) &&
            pins(metric, "DBClusterIdentifier", identifier),
        ),
      );
      if (!shown) {
        report(
          `no CloudWatch dashboard shows the Aurora secondary cluster ${cluster.name}'s lag (${AURORA_GLOBAL_LAG.namespace} ${AURORA_GLOBAL_LAG.metricNames.join(" or ")}${region ? ` in ${region}` : ""}${identifier ? ` for ${identifier}` : ""}); the DR dashboard must show it next to the RPO`,
          cluster.urn,
        );
      }
    }
    // A DynamoDB global table replicated into the DR region: the primary's writes reaching it.
    for (const replica of ofType(resources, GLOBAL_TABLE_TYPES.tableReplica)) {
      const receivingRegion = regionOf(replica);
      const table = tableArnParts(replica.props.globalTableArn);
      const shown = parsed.some(({ metrics }) =>
        metrics.some(
          (metric) =>
            metric.namespace === GLOBAL_TABLE_LATENCY.namespace &&
            metric.metricName === GLOBAL_TABLE_LATENCY.metricName &&
            (table === undefined || metric.region === table.region) &&
            pins(metric, "TableName", table?.tableName) &&
            pins(metric, "ReceivingRegion", receivingRegion),
        ),
      );
      if (!shown) {
        report(
          `no CloudWatch dashboard shows the DynamoDB table replica ${replica.name}'s replication latency (${GLOBAL_TABLE_LATENCY.namespace} ${GLOBAL_TABLE_LATENCY.metricName}${table ? ` in ${table.region} for ${table.tableName}` : ""}${receivingRegion ? ` to ${receivingRegion}` : ""}); the DR dashboard must show it next to the RPO`,
          replica.urn,
        );
      }
    }
  },
});

export const monitoringPolicies = [
  chartPinned,
  grafanaAdminSecret,
  grafanaExposure,
  persistentStorage,
  podIdentityLeastPrivilege,
  scrapeRulesExact,
  nodeImdsV2,
  dashboardSignals,
];
