/**
 * The values handed to the kube-prometheus-stack Helm chart in each region: Prometheus with the
 * app tier's scrape jobs and persistent storage, Alertmanager delivering to the region's SNS alert
 * topic, and Grafana with its admin password from a Kubernetes Secret, persistent storage, a
 * CloudWatch data source, the DR alert rules and a load balancer limited to configured networks.
 * Keys follow the chart's values.yaml at the pinned version (prometheus-community/helm-charts,
 * charts/kube-prometheus-stack/values.yaml, and the Grafana subchart's values.yaml).
 */
import { coversWholeInternet } from "../config/rules";
import { type ScrapeConfig } from "./scrapeConfigs";

/** The chart, its repository and the pinned version (tag kube-prometheus-stack-88.5.3: Prometheus v3.14.0, Alertmanager v0.34.0, Grafana 13.2.0). */
export const KUBE_PROMETHEUS_STACK = {
  chart: "kube-prometheus-stack",
  repository: "https://prometheus-community.github.io/helm-charts",
  version: "88.5.3",
} as const;

/** Short resource names in the cluster: `kps-prometheus`, `kps-alertmanager`, `kps-grafana`... */
export const RELEASE_FULLNAME = "kps";
/** Namespace of the release and its service accounts. */
export const MONITORING_NAMESPACE = "monitoring";
/** Service accounts the pod identities are associated with. */
export const SERVICE_ACCOUNTS = { prometheus: "prometheus", grafana: "grafana", alertmanager: "alertmanager" } as const;
/** Data source uids the dashboards and alert rules refer to. The chart provisions Prometheus with uid `prometheus`. */
export const DATASOURCE_UIDS = { prometheus: "prometheus", cloudWatch: "cloudwatch" } as const;
/** Port Alertmanager serves on inside the cluster (its default). */
export const ALERTMANAGER_PORT = 9093;
/** Grafana's container port (the chart's `service.targetPort`). */
export const GRAFANA_CONTAINER_PORT = 3000;
/** Size of Grafana's and Alertmanager's volumes, GiB. */
export const GRAFANA_STORAGE_GIB = 10;
export const ALERTMANAGER_STORAGE_GIB = 5;

/**
 * The chart's scrape jobs (and the default rules that go with them) for control-plane components EKS
 * runs out of the customer's reach: kube-scheduler, kube-controller-manager and etcd have no endpoint
 * in the cluster (aws/containers-roadmap#1298; prometheus-community/helm-charts#4106), so the chart's
 * `absent(up{job="kube-scheduler"})` and its siblings (templates/prometheus/rules-1.14/
 * kubernetes-system-scheduler.yaml, kubernetes-system-controller-manager.yaml, etcd.yaml at tag
 * kube-prometheus-stack-88.5.3) would fire forever. The EKS kube-proxy add-on serves its metrics on
 * 127.0.0.1:10249, kube-proxy's `metricsBindAddress` default, and the managed add-on resets a changed
 * config map (aws/containers-roadmap#657; kubernetes/kubernetes#74011), so Prometheus cannot reach it
 * from its pod and `KubeProxyDown` (kubernetes-system-kube-proxy.yaml,
 * `absent(up{job="kube-proxy"} == 1)`) would fire forever too. Each is turned off at the source: the
 * chart's component toggle (`<component>.enabled`, which the rule templates also test) and the rule
 * group toggle (`defaultRules.rules.<group>`).
 */
export const EKS_HIDDEN_COMPONENTS = {
  kubeScheduler: ["kubeSchedulerAlerting", "kubeSchedulerRecording"],
  kubeControllerManager: ["kubeControllerManager"],
  kubeEtcd: ["etcd"],
  kubeProxy: ["kubeProxy"],
} as const;

/**
 * Resource requests (and memory limits) of the chart's three servers, sized for the monitoring
 * nodes (default t3.medium: 2 vCPU, 4 GiB, of which EKS reserves about 0.5 GiB for the kubelet and
 * system, EKS AMI `max-pods` / kube-reserved formula): all three fit on one node with room for the
 * operator, kube-state-metrics and the node exporters. A node loss reschedules Grafana and the
 * stateless pods on the other node; Prometheus and Alertmanager keep their EBS volumes, which live in
 * one zone, so they wait Pending until a node returns to their zone.
 * Prometheus' memory grows with its series (the app tier's few hundred plus the cluster's tens of
 * thousands): 1 GiB requested, 2 GiB limit. Kubernetes units (`m` CPU, `Mi`/`Gi` memory).
 */
export const SERVER_RESOURCES = {
  prometheus: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  alertmanager: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
  grafana: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
} as const;

/** Alertmanager receiver names. */
export const RECEIVERS = { page: "sns", heartbeat: "heartbeat", drop: "null" } as const;
/**
 * How often Alertmanager re-sends the always-firing Watchdog to the heartbeat topic: each group
 * notification waits `group_interval` and then resends once `repeat_interval` has passed since the
 * last (Alertmanager configuration, `route`), so about every 1 to 2 minutes.
 */
export const HEARTBEAT_REPEAT_INTERVAL = "1m";

/** The in-cluster URL of Alertmanager, where Grafana sends its alerts. */
export function alertmanagerUrl(): string {
  return `http://${RELEASE_FULLNAME}-alertmanager.${MONITORING_NAMESPACE}.svc:${ALERTMANAGER_PORT}`;
}

/** How Grafana is reached: an internal NLB for the VPC, or an internet-facing one for listed networks over TLS. */
export type GrafanaExposure = { kind: "internal"; vpcCidrBlock: string } | { kind: "internet-facing"; sourceCidrs: string[]; certificateArn: string };

export interface ChartValuesArgs {
  /** Region the cluster runs in, e.g. `us-east-1`: Prometheus' external label and the CloudWatch data source's default region. */
  region: string;
  role: "primary" | "dr";
  /** `appScrapeConfigs(...)` for the region's app tier. */
  scrapeConfigs: ScrapeConfig[];
  /** Encrypted StorageClass for every volume. */
  storageClassName: string;
  prometheus: { retentionDays: number; storageGib: number };
  grafana: {
    /** Secret in the release namespace with keys `admin-user` and `admin-password`. */
    adminSecretName: string;
    exposure: GrafanaExposure;
    /** Grafana alerting provisioning files (`rules.yaml`, `contactpoints.yaml`, `policies.yaml`). */
    alerting: { rules: object; contactPoints: object; policies: object };
  };
  /** Prometheus alerting rule groups (`{ groups: [...] }`), installed as a PrometheusRule. */
  prometheusRules: object;
  /** SNS topic Alertmanager publishes to, in this region. */
  alertTopicArn: string;
  /**
   * The dead man's switch: an SNS topic in another region that receives this region's Watchdog,
   * watched there by a CloudWatch alarm (components/monitoringHeartbeat.ts). Absent: Watchdog is
   * dropped (no region watches this one).
   */
  heartbeat?: { topicArn: string; region: string };
}

const GIB = (size: number) => `${size}Gi`;

function volumeClaim(storageClassName: string, sizeGib: number) {
  return { volumeClaimTemplate: { spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: GIB(sizeGib) } } } } };
}

/**
 * Service settings for Grafana: an NLB through the cluster's built-in AWS load balancer controller
 * (kubernetes/cloud-provider-aws annotations), with `loadBalancerSourceRanges` applied to the nodes'
 * security group. Internal: reachable from the VPC only, on port 80. Internet-facing: only from the
 * listed networks, TLS on 443 with the ACM certificate.
 */
export function grafanaService(exposure: GrafanaExposure): Record<string, unknown> {
  const nlb = { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" };
  if (exposure.kind === "internal") {
    return {
      type: "LoadBalancer",
      port: 80,
      targetPort: GRAFANA_CONTAINER_PORT,
      annotations: { ...nlb, "service.beta.kubernetes.io/aws-load-balancer-internal": "true" },
      loadBalancerSourceRanges: [exposure.vpcCidrBlock],
    };
  }
  if (exposure.sourceCidrs.length === 0)
    throw new Error("Grafana: an internet-facing load balancer needs at least one source CIDR (monitoring.grafanaAccessCidrs)");
  const wholeInternet = exposure.sourceCidrs.find(coversWholeInternet);
  if (wholeInternet !== undefined) {
    throw new Error(
      `Grafana: monitoring.grafanaAccessCidrs must not contain ${wholeInternet}, a /0 block is the whole internet; list your operators' networks`,
    );
  }
  return {
    type: "LoadBalancer",
    port: 443,
    targetPort: GRAFANA_CONTAINER_PORT,
    annotations: {
      ...nlb,
      "service.beta.kubernetes.io/aws-load-balancer-internal": "false",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": exposure.certificateArn,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
    },
    loadBalancerSourceRanges: exposure.sourceCidrs,
  };
}

/**
 * The Alertmanager configuration (Alertmanager "Configuration": `route`, `receivers`, `sns_configs`).
 * Every alert pages through the region's SNS topic, except the chart's two always-firing alerts
 * (templates/prometheus/rules-1.14/general.rules.yaml): `Watchdog` goes to the heartbeat receiver,
 * an SNS topic in the other region whose silence pages there (the dead man's switch), and
 * `InfoInhibitor`, meant only to inhibit info alerts, is dropped. Without a heartbeat topic Watchdog
 * is dropped too. amtool check-config and `amtool config routes test` run on this in
 * test/monitoring/promtool.test.ts.
 */
export function alertmanagerConfig(args: Pick<ChartValuesArgs, "region" | "role" | "alertTopicArn" | "heartbeat">): Record<string, unknown> {
  const heartbeat = args.heartbeat;
  if (heartbeat !== undefined) {
    const match = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]+$/.exec(heartbeat.topicArn);
    if (!match) throw new Error(`Alertmanager heartbeat: "${heartbeat.topicArn}" is not an SNS topic ARN`);
    if (match[1] !== heartbeat.region)
      throw new Error(
        `Alertmanager heartbeat: the topic ${heartbeat.topicArn} is in ${match[1]}, not ${heartbeat.region}; SigV4 must sign for the topic's region`,
      );
    if (heartbeat.region === args.region)
      throw new Error(
        `Alertmanager heartbeat: the topic is in ${args.region}, this cluster's own region; a region cannot watch itself, use the other region's topic`,
      );
  }
  const sns = (topicArn: string, region: string, subject: string, sendResolved: boolean) => ({
    topic_arn: topicArn,
    sigv4: { region },
    subject,
    send_resolved: sendResolved,
  });
  return {
    route: {
      receiver: RECEIVERS.page,
      group_by: ["alertname", "region"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        heartbeat
          ? {
              matchers: ['alertname = "Watchdog"'],
              receiver: RECEIVERS.heartbeat,
              group_wait: "0s",
              group_interval: HEARTBEAT_REPEAT_INTERVAL,
              repeat_interval: HEARTBEAT_REPEAT_INTERVAL,
            }
          : { matchers: ['alertname = "Watchdog"'], receiver: RECEIVERS.drop },
        { matchers: ['alertname = "InfoInhibitor"'], receiver: RECEIVERS.drop },
      ],
    },
    receivers: [
      { name: RECEIVERS.drop },
      {
        name: RECEIVERS.page,
        sns_configs: [sns(args.alertTopicArn, args.region, `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} (${args.role} ${args.region})`, true)],
      },
      ...(heartbeat
        ? [{ name: RECEIVERS.heartbeat, sns_configs: [sns(heartbeat.topicArn, heartbeat.region, `Watchdog (${args.role} ${args.region})`, false)] }]
        : []),
    ],
  };
}

/**
 * The chart's values.
 * @throws RangeError for retention or storage outside what the config allows; Error for an unsafe Grafana exposure.
 */
export function chartValues(args: ChartValuesArgs): Record<string, unknown> {
  const { retentionDays, storageGib } = args.prometheus;
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new RangeError(`Prometheus retention must be a whole number of days >= 1, got ${retentionDays}`);
  if (!Number.isInteger(storageGib) || storageGib < 10) throw new RangeError(`Prometheus storage must be a whole number of GiB >= 10, got ${storageGib}`);
  // Keep 10% of the volume free: TSDB compaction needs headroom (Prometheus storage docs, "Operational aspects").
  const retentionSizeGib = Math.floor(storageGib * 0.9);
  return {
    fullnameOverride: RELEASE_FULLNAME,
    crds: { enabled: true },
    defaultRules: {
      create: true,
      rules: Object.fromEntries(Object.values(EKS_HIDDEN_COMPONENTS).flatMap((groups) => groups.map((group) => [group, false]))),
    },
    ...Object.fromEntries(Object.keys(EKS_HIDDEN_COMPONENTS).map((component) => [component, { enabled: false }])),
    windowsMonitoring: { enabled: false },
    kubeStateMetrics: { enabled: true },
    nodeExporter: { enabled: true },
    prometheus: {
      serviceAccount: { create: true, name: SERVICE_ACCOUNTS.prometheus },
      prometheusSpec: {
        retention: `${retentionDays}d`,
        retentionSize: `${retentionSizeGib}GiB`,
        externalLabels: { region: args.region, role: args.role },
        storageSpec: volumeClaim(args.storageClassName, storageGib),
        resources: SERVER_RESOURCES.prometheus,
        additionalScrapeConfigs: args.scrapeConfigs,
      },
    },
    additionalPrometheusRulesMap: { "disaster-recovery": args.prometheusRules },
    alertmanager: {
      serviceAccount: { create: true, name: SERVICE_ACCOUNTS.alertmanager },
      alertmanagerSpec: { storage: volumeClaim(args.storageClassName, ALERTMANAGER_STORAGE_GIB), resources: SERVER_RESOURCES.alertmanager },
      config: alertmanagerConfig(args),
    },
    grafana: {
      resources: SERVER_RESOURCES.grafana,
      admin: { existingSecret: args.grafana.adminSecretName, userKey: "admin-user", passwordKey: "admin-password" },
      serviceAccount: { create: true, name: SERVICE_ACCOUNTS.grafana },
      persistence: { enabled: true, type: "pvc", storageClassName: args.storageClassName, accessModes: ["ReadWriteOnce"], size: GIB(GRAFANA_STORAGE_GIB) },
      // One ReadWriteOnce volume: a rolling update would wait forever for the old pod's volume.
      deploymentStrategy: { type: "Recreate" },
      service: grafanaService(args.grafana.exposure),
      "grafana.ini": {
        analytics: { reporting_enabled: false, check_for_updates: false },
        users: { allow_sign_up: false },
        "auth.anonymous": { enabled: false },
        security: { cookie_secure: args.grafana.exposure.kind === "internet-facing", disable_gravatar: true },
      },
      additionalDataSources: [
        {
          name: "CloudWatch",
          type: "cloudwatch",
          uid: DATASOURCE_UIDS.cloudWatch,
          access: "proxy",
          editable: false,
          // The pod identity's credentials through the AWS SDK's default chain.
          jsonData: { authType: "default", defaultRegion: args.region },
        },
      ],
      sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: MONITORING_NAMESPACE } },
      alerting: {
        "rules.yaml": args.grafana.alerting.rules,
        "contactpoints.yaml": args.grafana.alerting.contactPoints,
        "policies.yaml": args.grafana.alerting.policies,
      },
    },
  };
}
