/**
 * MonitoringHeartbeat: the dead man's switch of one region's monitoring, placed in ANOTHER region.
 *
 * The chart's `Watchdog` alert is always firing (kube-prometheus-stack 88.5.3,
 * templates/prometheus/rules-1.14/general.rules.yaml: `expr: vector(1)`, "meant to ensure that the
 * entire alerting pipeline is functional"). The watched region's Alertmanager sends it every 1 to 2
 * minutes to this component's SNS topic (monitoring/chartValues.ts, `alertmanagerConfig`: receiver
 * `heartbeat`, SigV4 signed for this topic's region). SNS counts every publish in the topic's region
 * as AWS/SNS `NumberOfMessagesPublished` by `TopicName` (SNS Developer Guide, "Monitoring Amazon SNS
 * topics using CloudWatch"). The alarm here pages when fewer than one message arrived in each of
 * {@link HEARTBEAT_ALARM}'s periods, and treats missing data as breaching (CloudWatch User Guide,
 * "Configuring how CloudWatch alarms treat missing data"): a topic nobody publishes to has no
 * datapoint at all, which is exactly what a lost Prometheus, Alertmanager, EKS cluster, pod
 * identity or region looks like from here. Prometheus down stops Watchdog too: Prometheus stops
 * re-sending the alert, its end time passes, and Alertmanager resolves it and stops sending.
 *
 * The alarm lives beside the topic (an alarm reads metrics of its own region only) and notifies a
 * topic of that region (an alarm's SNS action must be in the alarm's region), so a regional outage of
 * the watched region cannot silence the page.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NotificationTopic } from "./notificationTopic";

/**
 * The alarm: ALARM after 3 consecutive 5-minute periods with fewer than 1 Watchdog message (15
 * minutes of silence; Alertmanager sends one every 1 to 2 minutes, so a single lost publish or an
 * Alertmanager restart does not page). SNS publishes its topic metrics at 5-minute granularity or
 * finer, so 300 s periods always hold a datapoint while messages arrive.
 */
export const HEARTBEAT_ALARM = { periodSeconds: 300, evaluationPeriods: 3, threshold: 1 } as const;

export interface MonitoringHeartbeatArgs {
  /** The heartbeat topic's name (unique in the account and this region). */
  topicName: string;
  /** This region's KMS key for the topic (Security Hub SNS.1); the watched Alertmanager needs `kms:GenerateDataKey*` on it through SNS. */
  kmsKeyArn: pulumi.Input<string>;
  /** The alarm's name. */
  alarmName: string;
  /** Topic of THIS region the alarm notifies (ALARM and OK). */
  pageTopicArn: pulumi.Input<string>;
  /** The watched region and role, for the alarm's description, e.g. `us-east-1`, `primary`. */
  watchedRegion: string;
  watchedRole: "primary" | "dr";
  /**
   * Resources the alarm waits for: the watched Alertmanager's release when the same stack deploys it.
   * Missing data counts as breaching, so an alarm created before the first Watchdog can arrive pages
   * "monitoring lost" on every fresh deploy (EKS and the chart take well over 15 minutes to come up).
   */
  armAfter?: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
}

export class MonitoringHeartbeat extends pulumi.ComponentResource {
  /** The topic the watched Alertmanager publishes Watchdog to. */
  readonly topicArn: pulumi.Output<string>;
  readonly alarmName: string;

  /** @throws Error for an empty topic or alarm name. */
  constructor(name: string, args: MonitoringHeartbeatArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:monitoring:MonitoringHeartbeat", name, {}, opts);
    for (const [key, value] of [
      ["topicName", args.topicName],
      ["alarmName", args.alarmName],
    ] as const) {
      if (value.trim() === "") throw new Error(`MonitoringHeartbeat ${name}: ${key} is empty`);
    }
    const topic = new NotificationTopic(`${name}-topic`, { topicName: args.topicName, kmsKeyArn: args.kmsKeyArn }, { parent: this });
    new aws.cloudwatch.MetricAlarm(
      `${name}-silent`,
      {
        name: args.alarmName,
        alarmDescription: `The ${args.watchedRole} region's monitoring (${args.watchedRegion}) has sent no Watchdog heartbeat for ${(HEARTBEAT_ALARM.periodSeconds * HEARTBEAT_ALARM.evaluationPeriods) / 60} minutes: its Prometheus, Alertmanager, EKS cluster or the whole region is down, so nothing there pages. See docs/monitoring.md#alert-monitoringheartbeatmissing`,
        namespace: "AWS/SNS",
        metricName: "NumberOfMessagesPublished",
        dimensions: { TopicName: args.topicName },
        statistic: "Sum",
        period: HEARTBEAT_ALARM.periodSeconds,
        evaluationPeriods: HEARTBEAT_ALARM.evaluationPeriods,
        datapointsToAlarm: HEARTBEAT_ALARM.evaluationPeriods,
        threshold: HEARTBEAT_ALARM.threshold,
        comparisonOperator: "LessThanThreshold",
        // No publish, no datapoint: silence is the failure this alarm exists for.
        treatMissingData: "breaching",
        actionsEnabled: true,
        alarmActions: [args.pageTopicArn],
        okActions: [args.pageTopicArn],
      },
      { parent: this, ...(args.armAfter !== undefined ? { dependsOn: args.armAfter } : {}) },
    );
    this.topicArn = topic.topicArn;
    this.alarmName = args.alarmName;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
