/**
 * PrometheusGrafana: kube-prometheus-stack on a region's MonitoringCluster, as one Helm release
 * with a pinned chart version (`monitoring/chartValues.ts`), and around it what the chart needs
 * from AWS:
 * - three pod identities (EKS Pod Identity), each with only its calls: Prometheus describes the
 *   region's instances (EC2 service discovery of the app tier), Grafana reads CloudWatch metrics,
 *   Alertmanager publishes to this region's alert topic;
 * - Grafana's admin password: generated, kept in Secrets Manager under the region's key, and handed
 *   to Grafana through a Kubernetes Secret, never through plain config or the chart's values;
 * - the "Disaster recovery" dashboard as code, loaded by Grafana's dashboard sidecar from a ConfigMap;
 * - an SNS alert topic (encrypted with the region's key) that Alertmanager, and through it Grafana's
 *   alert rules, deliver to.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { prometheusAlertRules, grafanaAlertProvisioning } from "../monitoring/alertRules";
import {
  alertmanagerUrl,
  chartValues,
  DATASOURCE_UIDS,
  type GrafanaExposure,
  KUBE_PROMETHEUS_STACK,
  MONITORING_NAMESPACE,
  RELEASE_FULLNAME,
  SERVICE_ACCOUNTS,
} from "../monitoring/chartValues";
import { appPanels, drPanels, type DrSignalScope } from "../monitoring/drSignals";
import { grafanaDashboard } from "../monitoring/grafanaDashboard";
import { alertPublishPolicy, grafanaCloudWatchReadPolicy, prometheusDiscoveryPolicy } from "../monitoring/podIdentityPolicies";
import { appScrapeConfigs } from "../monitoring/scrapeConfigs";
import { NotificationTopic } from "./notificationTopic";
import { PodIdentityRole, type PodIdentityRoleArgs } from "./podIdentityRole";

/** The Grafana dashboard's uid and title; the README links to it. */
export const DR_DASHBOARD = { uid: "disaster-recovery", title: "Disaster recovery" } as const;
/** Grafana's admin user name. */
export const GRAFANA_ADMIN_USER = "admin";
/** Length of the generated Grafana admin password, characters (letters and digits). */
export const GRAFANA_PASSWORD_LENGTH = 32;
/** Days Secrets Manager keeps a deleted admin-password secret recoverable: 7 to 30 (Secrets Manager `DeleteSecret`). */
export const SECRET_RECOVERY_WINDOW_DAYS = 30;

export interface PrometheusGrafanaArgs {
  /** The MonitoringCluster's name, for the pod identity associations. */
  clusterName: string;
  kubernetesProvider: k8s.Provider;
  /** The encrypted StorageClass (MonitoringCluster.storageClassName). */
  storageClassName: string;
  /** Region code of the cluster, e.g. `us-east-1`. */
  region: string;
  role: "primary" | "dr";
  /** This region's KMS key: the alert topic and the admin-password secret. */
  kmsKeyArn: pulumi.Input<string>;
  /** Name prefix for AWS names (topic, secret), e.g. `multi-region-dr-primary`. */
  namePrefix: string;
  /** The region's app tier Auto Scaling group: EC2 discovery scrapes its instances. */
  autoScalingGroupName: pulumi.Input<string>;
  /** What the DR dashboard and alert rules draw (`monitoring/drSignals.ts`). */
  signalScope: pulumi.Input<DrSignalScope>;
  /** How Grafana is reached. */
  grafanaExposure: GrafanaExposure;
  /** Prometheus retention, days (1-90), and its volume, GiB (10-1000). */
  prometheusRetentionDays: number;
  prometheusStorageGib: number;
  /** E-mail subscribers of the alert topic. Default none. */
  alertEmails?: string[];
  /**
   * What must exist before the release installs (MonitoringCluster.podIdentityReady): the nodes,
   * CoreDNS, the Pod Identity agent, the EBS CSI add-on and the encrypted StorageClass that every
   * volume claim of the chart names (a claim made before its StorageClass exists stays Pending).
   */
  clusterReady: pulumi.Resource[];
  /** Whether the region's app tier runs instances (desired capacity above 0): adds AppScrapeTargetsMissing. Default true. */
  appInstancesExpected?: boolean;
  /** Absolute base URL of the docs for each rule's `runbook_url` (`prometheusAlertRules`). Default none. */
  runbookBaseUrl?: string;
  /**
   * The dead man's switch: the heartbeat topic in ANOTHER region (components/monitoringHeartbeat.ts)
   * that Alertmanager sends Watchdog to, and that topic's KMS key. Absent: Watchdog is dropped.
   */
  heartbeat?: { topicArn: pulumi.Input<string>; keyArn: pulumi.Input<string>; region: string };
}

export class PrometheusGrafana extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly releaseName: pulumi.Output<string>;
  /** Secrets Manager secret (`<namePrefix>/grafana-admin-<suffix>`) holding `{"username","password"}` of Grafana's admin. */
  readonly grafanaAdminSecretArn: pulumi.Output<string>;
  readonly alertTopicArn: pulumi.Output<string>;
  /** Kubernetes services operators port-forward to: `kps-grafana` (port 80 or 443) and `kps-prometheus` (9090). */
  readonly grafanaServiceName: string;
  readonly prometheusServiceName: string;

  constructor(name: string, args: PrometheusGrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:monitoring:PrometheusGrafana", name, {}, opts);
    const child = { parent: this };
    const inCluster = { parent: this, provider: args.kubernetesProvider };

    const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: MONITORING_NAMESPACE } }, inCluster);

    const topic = new NotificationTopic(
      `${name}-alerts`,
      { topicName: `${args.namePrefix}-monitoring-alerts`, kmsKeyArn: args.kmsKeyArn, emailSubscribers: args.alertEmails ?? [] },
      child,
    );

    const identity = (serviceAccount: string, policy: PodIdentityRoleArgs["policy"]) =>
      new PodIdentityRole(
        `${name}-${serviceAccount}`,
        { clusterName: args.clusterName, namespace: MONITORING_NAMESPACE, serviceAccount, policy, associationDependsOn: args.clusterReady },
        child,
      );
    const identities = [
      identity(SERVICE_ACCOUNTS.prometheus, prometheusDiscoveryPolicy(args.region)),
      identity(SERVICE_ACCOUNTS.grafana, grafanaCloudWatchReadPolicy()),
      identity(
        SERVICE_ACCOUNTS.alertmanager,
        pulumi
          .all([topic.topicArn, args.kmsKeyArn, args.heartbeat?.topicArn, args.heartbeat?.keyArn])
          .apply(([topicArn, keyArn, heartbeatTopicArn, heartbeatKeyArn]) =>
            alertPublishPolicy({
              topicArn,
              keyArn,
              region: args.region,
              ...(args.heartbeat && heartbeatTopicArn && heartbeatKeyArn
                ? { heartbeat: { topicArn: heartbeatTopicArn, keyArn: heartbeatKeyArn, region: args.heartbeat.region } }
                : {}),
            }),
          ),
      ),
    ];

    const password = new random.RandomPassword(`${name}-grafana-password`, { length: GRAFANA_PASSWORD_LENGTH, special: false }, child);
    const secret = new aws.secretsmanager.Secret(
      `${name}-grafana-admin`,
      {
        // A prefix, not a name: a deleted secret's name stays taken for the recovery window.
        namePrefix: `${args.namePrefix}/grafana-admin-`,
        description: `Grafana admin of the ${args.role} region's monitoring cluster`,
        kmsKeyId: args.kmsKeyArn,
        recoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS,
      },
      child,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-grafana-admin-value`,
      { secretId: secret.id, secretString: pulumi.secret(pulumi.jsonStringify({ username: GRAFANA_ADMIN_USER, password: password.result })) },
      child,
    );
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin-secret`,
      {
        metadata: { name: "grafana-admin", namespace: namespace.metadata.name },
        type: "Opaque",
        stringData: { "admin-user": GRAFANA_ADMIN_USER, "admin-password": password.result },
      },
      inCluster,
    );

    const scope = pulumi.output(args.signalScope);
    // The alert rules come from the CloudWatch panels; the app panels' alerts are Prometheus rules.
    const signalPanels = scope.apply(drPanels);
    const panels = signalPanels.apply((list) => [...list, ...appPanels()]);
    const dashboard = new k8s.core.v1.ConfigMap(
      `${name}-dr-dashboard`,
      {
        metadata: { name: "disaster-recovery-dashboard", namespace: namespace.metadata.name, labels: { grafana_dashboard: "1" } },
        data: {
          "disaster-recovery.json": panels.apply((list) =>
            JSON.stringify(
              grafanaDashboard({
                uid: DR_DASHBOARD.uid,
                title: DR_DASHBOARD.title,
                panels: list,
                cloudWatchDatasourceUid: DATASOURCE_UIDS.cloudWatch,
                prometheusDatasourceUid: DATASOURCE_UIDS.prometheus,
                tags: ["disaster-recovery", args.role],
              }),
            ),
          ),
        },
      },
      inCluster,
    );

    const values = pulumi
      .all([args.autoScalingGroupName, signalPanels, topic.topicArn, args.heartbeat?.topicArn])
      .apply(([autoScalingGroupName, list, alertTopicArn, heartbeatTopicArn]) =>
        chartValues({
          region: args.region,
          role: args.role,
          scrapeConfigs: appScrapeConfigs({ region: args.region, role: args.role, autoScalingGroupName }),
          storageClassName: args.storageClassName,
          prometheus: { retentionDays: args.prometheusRetentionDays, storageGib: args.prometheusStorageGib },
          grafana: {
            adminSecretName: "grafana-admin",
            exposure: args.grafanaExposure,
            alerting: grafanaAlertProvisioning({
              panels: list,
              cloudWatchDatasourceUid: DATASOURCE_UIDS.cloudWatch,
              alertmanagerUrl: alertmanagerUrl(),
              folder: DR_DASHBOARD.title,
            }),
          },
          prometheusRules: prometheusAlertRules({ appInstancesExpected: args.appInstancesExpected ?? true, runbookBaseUrl: args.runbookBaseUrl }),
          alertTopicArn,
          ...(args.heartbeat && heartbeatTopicArn ? { heartbeat: { topicArn: heartbeatTopicArn, region: args.heartbeat.region } } : {}),
        }),
      );
    const release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: RELEASE_FULLNAME,
        chart: KUBE_PROMETHEUS_STACK.chart,
        version: KUBE_PROMETHEUS_STACK.version,
        repositoryOpts: { repo: KUBE_PROMETHEUS_STACK.repository },
        namespace: namespace.metadata.name,
        values,
        // Roll back a failed upgrade; the first install waits for the load balancer and volumes.
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
        maxHistory: 10,
      },
      { ...inCluster, dependsOn: [adminSecret, dashboard, ...identities, ...args.clusterReady] },
    );

    this.namespace = MONITORING_NAMESPACE;
    this.releaseName = release.name;
    this.grafanaAdminSecretArn = secret.arn;
    this.alertTopicArn = topic.topicArn;
    this.grafanaServiceName = `${RELEASE_FULLNAME}-grafana`;
    this.prometheusServiceName = `${RELEASE_FULLNAME}-prometheus`;
    this.registerOutputs({
      releaseName: this.releaseName,
      grafanaAdminSecretArn: this.grafanaAdminSecretArn,
      alertTopicArn: this.alertTopicArn,
    });
  }
}
