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
import { loadBalancerDimensions } from "../components/recoveryAlarms";
import { PrometheusGrafana } from "../components/prometheusGrafana";
import { type GrafanaExposure } from "../monitoring/chartValues";
import { cloudWatchDashboardBody } from "../monitoring/cloudWatchDashboard";
import { drPanels, type DrSignalScope, type RegionResourceIds } from "../monitoring/drSignals";
import { type RegionResources } from "./region";
import { inRegion, resourcePrefix } from "./regionalProvider";

export interface MonitoringInputs {
  config: PrimaryConfig | ResolvedDrConfig;
  stackName: string;
  provider: aws.Provider;
  region: RegionResources;
  scope: pulumi.Input<DrSignalScope>;
}

export interface MonitoringResources {
  /** Absent where the strategy runs no monitoring cluster (a backup-restore DR region). */
  prometheusGrafana?: PrometheusGrafana;
  cloudWatchDashboard: aws.cloudwatch.Dashboard;
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
export function buildMonitoring({ config, stackName, provider, region, scope }: MonitoringInputs): MonitoringResources {
  const role = config.role;
  const prefix = resourcePrefix(stackName, role);
  const opts = inRegion(provider);
  const cluster = region.monitoring;
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
      },
      opts,
    );
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
  return { prometheusGrafana, cloudWatchDashboard };
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
  };
}
