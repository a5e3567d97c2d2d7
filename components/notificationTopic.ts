/**
 * NotificationTopic: an SNS topic encrypted with a customer-managed key of its region (Security Hub
 * SNS.1), open to this account's principals, CloudWatch alarms and RDS event subscriptions. An
 * alarm can only notify a topic of its own region, so the DR stack has one in the DR region and,
 * for alarms that must live elsewhere (Route 53 health-check metrics in us-east-1, S3 replication
 * metrics in the source bucket's region), one per such region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "./account";
import { notificationTopicPolicy } from "./policyDocuments";

export interface NotificationTopicArgs {
  /** Topic name, e.g. `multi-region-dr-dr-dr-recovery`. */
  topicName: string;
  /** ARN of a KMS key of the topic's region whose policy lets CloudWatch and RDS events use it (`regionalKeyPolicy`). */
  kmsKeyArn: pulumi.Input<string>;
  /** E-mail addresses subscribed to the topic; each must confirm the subscription. Default none. */
  emailSubscribers?: string[];
}

export class NotificationTopic extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: NotificationTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:NotificationTopic", name, {}, opts);
    const topic = new aws.sns.Topic(`${name}-topic`, { name: args.topicName, kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
    const account = accountContext(this);
    new aws.sns.TopicPolicy(
      `${name}-policy`,
      {
        arn: topic.arn,
        policy: pulumi.all([topic.arn, account]).apply(([topicArn, { accountId }]) => JSON.stringify(notificationTopicPolicy({ topicArn, accountId }))),
      },
      { parent: this },
    );
    (args.emailSubscribers ?? []).forEach((address, index) => {
      new aws.sns.TopicSubscription(`${name}-email-${index}`, { topic: topic.arn, protocol: "email", endpoint: address }, { parent: this });
    });
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
