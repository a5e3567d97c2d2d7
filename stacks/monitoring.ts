/**
 * What each region's operators look at: Prometheus and Grafana on the region's MonitoringCluster
 * (when its strategy runs one) and, in every region, a CloudWatch dashboard with the same DR
 * signals for operators who live in the AWS console. Both are drawn from one `DrSignalScope`, which
 * each stack fills with the identifiers it knows (`monitoring/drSignals.ts`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ResolvedDrConfig } from "../config/drStrategy";
import { type PrimaryConfig } from "../config/schema";
import { STRATEGY_PROFILES } from "../config/strategies";
import { loadBalancerDimensions } from "../components/recoveryAlarms";
import { MonitoringHeartbeat } from "../components/monitoringHeartbeat";
import { NotificationTopic } from "../components/notificationTopic";
import { PrometheusGrafana } from "../components/prometheusGrafana";
import { RegionalKey } from "../components/regionalKey";
import { type GrafanaExposure } from "../monitoring/chartValues";
import { cloudWatchDashboardBody } from "../monitoring/cloudWatchDashboard";
import { drPanels, type DrSignalScope, type RegionResourceIds } from "../monitoring/drSignals";
import { type RegionResources } from "./region";
import { inRegion, otherRegionProvider, resourcePrefix } from "./regionalProvider";

export interface MonitoringInputs {
  config: PrimaryConfig | ResolvedDrConfig;
  stackName: string;
  provider: aws.Provider;
  region: RegionResources;
  scope: pulumi.Input<DrSignalScope>;
  /** The primary stack: its provider of the standby region (`standbyRegion`), for the primary's dead man's switch there. */
  standbyProvider?: aws.Provider;
  /** The DR stack: where its Alertmanager sends Watchdog (the primary's `drMonitoringHeartbeat` output), when the primary built a switch for it. */
  heartbeatTarget?: { topicArn: pulumi.Input<string>; keyArn: pulumi.Input<string>; region: string };
}

export interface MonitoringResources {
  /** Absent where the strategy runs no monitoring cluster (a backup-restore DR region). */
  prometheusGrafana?: PrometheusGrafana;
  cloudWatchDashboard: aws.cloudwatch.Dashboard;
  /**
   * The primary stack's dead man's switch in the standby region: the heartbeat topic its
   * Alertmanager sends Watchdog to, the alarm on its silence, and the standby-region topic that
   * alarm pages (with `monitoring.alertEmails`). Absent without `standbyRegion` and in the DR stack.
   */
  heartbeat?: { heartbeat: MonitoringHeartbeat; pageTopicArn: pulumi.Output<string>; region: string };
  /**
   * The primary stack only: the DR region's dead man's switch, in the primary region (built when the
   * DR strategy runs a monitoring cluster and `standbyRegion` is set). The DR stack's Alertmanager
   * sends Watchdog to its topic.
   */
  drHeartbeat?: HeartbeatWatch;
}

/** A built dead man's switch: its heartbeat component, the topic it pages, its region and the topic's key. */
export interface HeartbeatWatch {
  heartbeat: MonitoringHeartbeat;
  pageTopicArn: pulumi.Output<string>;
  region: string;
  keyArn: pulumi.Output<string>;
}

/** Names of the primary's dead man's switch in the standby region, from the stack's resource prefix. */
export function heartbeatNames(prefix: string): { keyAlias: string; topic: string; pageTopic: string; alarm: string } {
  return {
    keyAlias: `${prefix}-monitoring-watch`,
    topic: `${prefix}-monitoring-heartbeat`,
    pageTopic: `${prefix}-monitoring-watch-alerts`,
    alarm: `${prefix}-monitoring-heartbeat-missing`,
  };
}

/** The region's identifiers as the DR signals name them, from an ALB ARN, a target group ARN and the ASG name. */
export function regionResourceIds(region: string, albArn: string, targetGroupArn: string, autoScalingGroupName: string): RegionResourceIds {
  const { LoadBalancer, TargetGroup } = loadBalancerDimensions(albArn, targetGroupArn);
  return { region, loadBalancer: LoadBalancer, targetGroup: TargetGroup, autoScalingGroupName };
}

/**
 * How Grafana is exposed, from `monitoring.grafanaAccessCidrs` and `monitoring.grafanaCertificateArn`
 * (the schema already requires the certificate with the CIDRs).
 */
export function grafanaExposure(config: PrimaryConfig | ResolvedDrConfig): GrafanaExposure {
  const { grafanaAccessCidrs, grafanaCertificateArn } = config.monitoring;
  if (grafanaAccessCidrs.length === 0) return { kind: "internal", vpcCidrBlock: config.network.cidrBlock };
  if (grafanaCertificateArn === undefined) throw new Error("monitoring.grafanaCertificateArn is required with monitoring.grafanaAccessCidrs");
  return { kind: "internet-facing", sourceCidrs: grafanaAccessCidrs, certificateArn: grafanaCertificateArn };
}

/** Builds the region's Prometheus, Grafana and CloudWatch dashboard. */
export function buildMonitoring({ config, stackName, provider, region, scope, heartbeatTarget, standbyProvider }: MonitoringInputs): MonitoringResources {
  const role = config.role;
  const prefix = resourcePrefix(stackName, role);
  const opts = inRegion(provider);
  const cluster = region.monitoring;
  // Losing a region's monitoring (its Prometheus, Alertmanager, cluster or region) must page from the
  // other region: the heartbeat topic, its alarm and the topic it pages all live there
  // (components/monitoringHeartbeat.ts). The primary stack owns both switches: the primary's, in the
  // standby region, and the DR region's, in the primary region (the DR stack places nothing in the
  // primary region, so that its outage mode can drop it); the DR stack's Alertmanager sends to the
  // latter through the primary's outputs (`drMonitoringHeartbeat`).
  const standbyRegion = config.role === "primary" ? config.standbyRegion : undefined;
  // The primary's switch is armed once its Alertmanager is deployed (below): created earlier, its alarm
  // would page "monitoring lost" on every fresh deploy before the first Watchdog can arrive.
  let armPrimaryWatch: (resources: pulumi.Resource[]) => void = () => undefined;
  const primaryAlertmanagerDeployed = new Promise<pulumi.Resource[]>((resolve) => (armPrimaryWatch = resolve));
  const heartbeat =
    cluster && standbyRegion !== undefined && standbyRegion !== config.region
      ? monitoringWatch({
          config,
          stackName,
          role,
          watchedRegion: config.region,
          names: heartbeatNames(prefix),
          watchRegion: standbyRegion,
          ...(standbyProvider ? { provider: standbyProvider } : {}),
          armAfter: primaryAlertmanagerDeployed,
        })
      : undefined;
  const drWatch =
    config.role === "primary" && standbyRegion !== undefined && standbyRegion !== config.region && STRATEGY_PROFILES[config.recovery.strategy].monitoringCluster
      ? monitoringWatch({
          config,
          stackName,
          role: "dr",
          watchedRegion: standbyRegion,
          names: heartbeatNames(`${prefix}-dr`),
          watchRegion: config.region,
          provider,
        })
      : undefined;
  // The DR stack's Alertmanager: the switch the primary built for it, when there is one.
  const sendHeartbeatTo = heartbeat ? { topicArn: heartbeat.heartbeat.topicArn, keyArn: heartbeat.keyArn, region: heartbeat.region } : heartbeatTarget;
  const appCapacity = config.app.desiredCapacity ?? config.app.minSize;
  const prometheusGrafana =
    cluster &&
    new PrometheusGrafana(
      `${role}-prometheus-grafana`,
      {
        clusterName: cluster.clusterName,
        kubernetesProvider: cluster.kubernetesProvider,
        storageClassName: cluster.storageClassName,
        region: config.region,
        role,
        kmsKeyArn: region.key.keyArn,
        namePrefix: prefix,
        autoScalingGroupName: region.app.autoScalingGroupName,
        signalScope: scope,
        grafanaExposure: grafanaExposure(config),
        prometheusRetentionDays: config.monitoring.prometheusRetentionDays,
        prometheusStorageGib: config.monitoring.prometheusStorageGib,
        alertEmails: config.monitoring.alertEmails,
        clusterReady: cluster.podIdentityReady,
        appInstancesExpected: appCapacity === undefined || appCapacity > 0,
        ...(config.monitoring.runbookBaseUrl !== undefined ? { runbookBaseUrl: config.monitoring.runbookBaseUrl } : {}),
        ...(sendHeartbeatTo ? { heartbeat: sendHeartbeatTo } : {}),
      },
      opts,
    );
  armPrimaryWatch(prometheusGrafana ? [prometheusGrafana] : []);
  // The region's own load balancer: its 5xx and (where instances are expected) its healthy hosts page
  // the region's monitoring topic; a region without a monitoring cluster gets a topic of its own.
  const alertTopicArn =
    prometheusGrafana?.alertTopicArn ??
    new NotificationTopic(
      `${role}-monitoring-alerts`,
      { topicName: `${prefix}-monitoring-alerts`, kmsKeyArn: region.key.keyArn, emailSubscribers: config.monitoring.alertEmails },
      opts,
    ).topicArn;
  loadBalancerAlarms({
    name: `${role}-alb-alarms`,
    prefix,
    role,
    region: config.region,
    loadBalancerArn: region.app.albArn,
    targetGroupArn: region.app.targetGroupArn,
    topicArn: alertTopicArn,
    instancesExpected: appCapacity === undefined || appCapacity > 0,
    provider,
  });
  const cloudWatchDashboard = new aws.cloudwatch.Dashboard(
    `${role}-dr-dashboard`,
    {
      dashboardName: `${prefix}-disaster-recovery`,
      dashboardBody: pulumi.output(scope).apply((resolved) =>
        cloudWatchDashboardBody({
          panels: drPanels(resolved),
          title: `Disaster recovery (${role} ${config.region})`,
          notes: resolved.standby
            ? `Primary ${resolved.primary.region}, standby ${resolved.standby.region}. Same signals as the Grafana dashboard "Disaster recovery".`
            : `Primary ${resolved.primary.region}. Set standbyRegion in the primary stack to show the standby's signals here too.`,
        }),
      ),
    },
    { provider },
  );
  return {
    prometheusGrafana,
    cloudWatchDashboard,
    ...(heartbeat ? { heartbeat: { heartbeat: heartbeat.heartbeat, pageTopicArn: heartbeat.pageTopicArn, region: heartbeat.region } } : {}),
    ...(drWatch ? { drHeartbeat: drWatch } : {}),
  };
}

/** A dead man's switch of `role`'s monitoring, built in `watchRegion` (another region than the watched one). */
interface WatchArgs {
  config: PrimaryConfig | ResolvedDrConfig;
  stackName: string;
  /** The watched role, for names and the alarm's text. */
  role: "primary" | "dr";
  watchedRegion: string;
  names: ReturnType<typeof heartbeatNames>;
  watchRegion: string;
  /** A provider already deploying in `watchRegion`; default a new one for it. */
  provider?: aws.Provider;
  /** What the alarm waits for (the watched Alertmanager, when this stack deploys it). */
  armAfter?: pulumi.Input<pulumi.Resource[]>;
}

/** The switch: a key, the topic it pages (with `monitoring.alertEmails`), and the heartbeat topic with its alarm, all in `watchRegion`. */
function monitoringWatch({ config, stackName, role, watchedRegion, names, watchRegion, provider, armAfter }: WatchArgs): HeartbeatWatch {
  const watchOpts = inRegion(provider ?? otherRegionProvider(`${config.role}-monitoring-watch-${watchRegion}`, watchRegion, config, stackName));
  const id = role === config.role ? `${role}-monitoring` : `${role}-monitoring-from-${config.role}`;
  const key = new RegionalKey(`${id}-watch-key`, { region: watchRegion, aliasName: names.keyAlias, protect: config.protect }, watchOpts);
  const page = new NotificationTopic(
    `${id}-watch-alerts`,
    { topicName: names.pageTopic, kmsKeyArn: key.keyArn, emailSubscribers: config.monitoring.alertEmails },
    watchOpts,
  );
  const watch = new MonitoringHeartbeat(
    `${id}-heartbeat`,
    {
      topicName: names.topic,
      kmsKeyArn: key.keyArn,
      alarmName: names.alarm,
      pageTopicArn: page.topicArn,
      watchedRegion,
      watchedRole: role,
      ...(armAfter !== undefined ? { armAfter } : {}),
    },
    // Under the topic it pages: the switch is the pair's wiring, like the DR stack's recovery
    // topics and alarms, not regional footprint (invariant 7 skips what sits under a NotificationTopic).
    { ...watchOpts, parent: page },
  );
  return { heartbeat: watch, pageTopicArn: page.topicArn, region: watchRegion, keyArn: key.keyArn };
}

/** ALB 5xx responses per minute (the load balancer's own, not the targets') above which {@link loadBalancerAlarms} pages, for 3 minutes in a row. */
export const ALB_5XX_PER_MINUTE = 10;

/**
 * The region's own ALB alarms, each on AWS/ApplicationELB in the region ("CloudWatch metrics for
 * your Application Load Balancer"):
 * both only where instances are expected (desired capacity above 0): a pilot-light DR region runs
 * none, and its load balancer answers every Route 53 health check itself with a 503, several a
 * second ("Route 53 health checkers ... don't coordinate", Route 53 Developer Guide), which would
 * breach the 5xx alarm for good. After a pilot-light failover, redeploying the DR stack with its
 * capacity (the outage runbook's step) adds them.
 * - `<prefix>-alb-5xx`: HTTPCode_ELB_5XX_Count (by LoadBalancer), Sum per minute over
 *   {@link ALB_5XX_PER_MINUTE} for 3 minutes: 5xx the load balancer generates itself (502/503/504:
 *   no healthy target, a target that closed or timed out), which the targets' own metrics never see.
 *   No request, no datapoint: not a breach.
 * - `<prefix>-alb-no-healthy-hosts`: HealthyHostCount (by TargetGroup and LoadBalancer), Minimum
 *   below 1 for 2 minutes: nothing behind the load balancer can serve. Missing data is breaching:
 *   instances are expected wherever this alarm exists, and "missing" would leave the alarm in
 *   INSUFFICIENT_DATA, which notifies nobody (CloudWatch User Guide, "Configuring how CloudWatch
 *   alarms treat missing data").
 */
export function loadBalancerAlarms(args: {
  name: string;
  prefix: string;
  role: "primary" | "dr";
  region: string;
  loadBalancerArn: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  topicArn: pulumi.Input<string>;
  instancesExpected: boolean;
  provider: aws.Provider;
}): aws.cloudwatch.MetricAlarm[] {
  const dimensions = pulumi
    .all([args.loadBalancerArn, args.targetGroupArn])
    .apply(([loadBalancer, targetGroup]) => loadBalancerDimensions(loadBalancer, targetGroup));
  const actions = { actionsEnabled: true, alarmActions: [args.topicArn], okActions: [args.topicArn] };
  if (!args.instancesExpected) return [];
  const alarms = [
    new aws.cloudwatch.MetricAlarm(
      `${args.name}-5xx`,
      {
        name: `${args.prefix}-alb-5xx`,
        alarmDescription: `The ${args.role} load balancer (${args.region}) answers more than ${ALB_5XX_PER_MINUTE} 5xx of its own a minute: no healthy target, or targets closing or timing out. See docs/monitoring.md#alert-albelb5xx`,
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_ELB_5XX_Count",
        dimensions: dimensions.apply(({ LoadBalancer }) => ({ LoadBalancer })),
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: ALB_5XX_PER_MINUTE,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      },
      { provider: args.provider },
    ),
  ];
  alarms.push(
    new aws.cloudwatch.MetricAlarm(
      `${args.name}-no-healthy-hosts`,
      {
        name: `${args.prefix}-alb-no-healthy-hosts`,
        alarmDescription: `No healthy target behind the ${args.role} load balancer (${args.region}) for 2 minutes: the region serves only errors. See docs/monitoring.md#alert-albnohealthyhosts`,
        namespace: "AWS/ApplicationELB",
        metricName: "HealthyHostCount",
        dimensions,
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        ...actions,
      },
      { provider: args.provider },
    ),
  );
  return alarms;
}

/** Stack outputs an operator needs to reach the monitoring: the admin-password secret, the alert topic, the dashboards. */
export function monitoringOutputs(monitoring: MonitoringResources): Record<string, pulumi.Input<unknown>> {
  const stack = monitoring.prometheusGrafana;
  return {
    cloudWatchDashboardName: monitoring.cloudWatchDashboard.dashboardName,
    ...(stack
      ? {
          grafanaAdminSecretArn: stack.grafanaAdminSecretArn,
          monitoringAlertTopicArn: stack.alertTopicArn,
          grafanaService: `${stack.namespace}/${stack.grafanaServiceName}`,
          prometheusService: `${stack.namespace}/${stack.prometheusServiceName}`,
        }
      : {}),
    ...(monitoring.heartbeat
      ? {
          monitoringHeartbeatTopicArn: monitoring.heartbeat.heartbeat.topicArn,
          monitoringHeartbeatAlarmName: monitoring.heartbeat.heartbeat.alarmName,
          monitoringWatchAlertTopicArn: monitoring.heartbeat.pageTopicArn,
        }
      : {}),
    ...(monitoring.drHeartbeat
      ? {
          drMonitoringHeartbeat: pulumi
            .all([monitoring.drHeartbeat.heartbeat.topicArn, monitoring.drHeartbeat.keyArn])
            .apply(([topicArn, keyArn]) => ({ topicArn, keyArn, region: monitoring.drHeartbeat!.region })),
          drMonitoringWatchAlertTopicArn: monitoring.drHeartbeat.pageTopicArn,
        }
      : {}),
  };
}
