// Tests for the DR signal alarms of components/recoveryAlarms.ts built under Pulumi mocks: the
// replica-lag alarm in both engine modes (one alarm name, seconds for an RDS read replica,
// milliseconds for an Aurora global database's secondary cluster), the database event subscription
// of each, and the DynamoDB global table's replication-latency alarm in the table's source region.
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import {
  CLUSTER_EVENT_CATEGORIES,
  DATABASE_EVENT_CATEGORIES,
  GLOBAL_TABLE_ALARM_PERIOD_SECONDS,
  RecoveryAlarms,
  type RecoveryAlarmsArgs,
} from "../../components/recoveryAlarms";
import { metricQueryProblem } from "../../monitoring/cloudWatchMetrics";
import { MOCK_ACCOUNT_ID } from "../../synth/mockCloud";
import { type PlannedResource, recordStack } from "../../synth/recordStack";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const EVENTS = "aws:rds/eventSubscription:EventSubscription";
const DR_REGION = "us-west-2";
const PRIMARY_REGION = "us-east-1";
const topic = (region: string) => `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:dr-notifications`;

const NAMES = {
  replicaLagOverRpo: "dr-replica-lag-over-rpo",
  unhealthyTargets: "dr-unhealthy-targets",
  targetErrors: "dr-target-5xx",
  replicationLatency: "dr-s3-replication-latency",
  replicationFailures: "dr-s3-replication-failures",
  primaryHealthCheck: "dr-primary-health-check",
};

type Overrides = Partial<RecoveryAlarmsArgs> & { withGlobalTable?: boolean };

/** Builds RecoveryAlarms in the DR region under mocks, with an us-east-1 provider for the primary's and Route 53's alarms. */
async function alarmsPlan(overrides: Overrides = {}): Promise<PlannedResource[]> {
  const { withGlobalTable, ...args } = overrides;
  const { resources } = await recordStack({
    project: "recovery-alarms",
    stack: "dr",
    role: "dr",
    region: DR_REGION,
    program: () => {
      const provider = new aws.Provider("dr", { region: DR_REGION });
      const east = new aws.Provider("east", { region: PRIMARY_REGION });
      const eastTopic = { topicArn: topic(PRIMARY_REGION), provider: east };
      new RecoveryAlarms(
        "dr-alarms",
        {
          names: { ...NAMES, ...(withGlobalTable ? { globalTableReplicationLatency: "dr-global-table-replication-latency" } : {}) },
          drTopic: { topicArn: topic(DR_REGION) },
          healthCheckTopic: eastTopic,
          replicationTopic: eastTopic,
          rpoSeconds: 45,
          loadBalancerArn: `arn:aws:elasticloadbalancing:${DR_REGION}:${MOCK_ACCOUNT_ID}:loadbalancer/app/dr-alb/0123456789abcdef`,
          targetGroupArn: `arn:aws:elasticloadbalancing:${DR_REGION}:${MOCK_ACCOUNT_ID}:targetgroup/dr-tg/0011223344556677`,
          sourceBucketName: "primary-data",
          destinationBucketName: "dr-data",
          replicationRuleId: "replicate-everything",
          healthCheckId: "abcdef12-3456-7890-abcd-ef1234567890",
          ...(withGlobalTable ? { globalTable: { tableName: "app-data", sourceRegion: PRIMARY_REGION, receivingRegion: DR_REGION, topic: eastTopic } } : {}),
          ...args,
        },
        { providers: { aws: provider } },
      );
      return {};
    },
  });
  return resources;
}

function alarmNamed(resources: PlannedResource[], name: string): PlannedResource {
  const found = resources.filter((resource) => resource.type === ALARM && resource.inputs.name === name);
  expect(found, `alarm ${name}`).to.have.length(1);
  return found[0];
}

/** The catalogue check of an alarm's metric: an alarm names every dimension, so it is an exact query. */
function alarmProblem(alarm: PlannedResource): string | undefined {
  return metricQueryProblem({
    namespace: String(alarm.inputs.namespace),
    metricName: String(alarm.inputs.metricName),
    dimensionNames: Object.keys(alarm.inputs.dimensions as Record<string, string>),
    exact: true,
  });
}

async function expectRefused(overrides: Overrides, pattern: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await alarmsPlan(overrides);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected RecoveryAlarms to throw").to.be.instanceOf(Error);
  expect((thrown as Error).message).to.match(pattern);
}

describe("components/recoveryAlarms", function () {
  this.timeout(60000);

  describe("engineMode instance (unchanged)", () => {
    it("alarms on the read replica's ReplicaLag over the RPO in seconds, and subscribes to its instance events", async () => {
      const resources = await alarmsPlan({ replicaIdentifier: "dr-db-replica" });
      const lag = alarmNamed(resources, NAMES.replicaLagOverRpo);
      expect(lag.inputs).to.include({
        namespace: "AWS/RDS",
        metricName: "ReplicaLag",
        statistic: "Maximum",
        period: 60,
        threshold: 45,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "missing",
      });
      expect(lag.inputs.dimensions).to.deep.equal({ DBInstanceIdentifier: "dr-db-replica" });
      expect(lag.region).to.equal(DR_REGION);
      expect(alarmProblem(lag)).to.equal(undefined);
      const events = resources.filter((resource) => resource.type === EVENTS);
      expect(events.map((event) => [event.inputs.sourceType, event.inputs.sourceIds, event.inputs.eventCategories])).to.deep.equal([
        ["db-instance", ["dr-db-replica"], DATABASE_EVENT_CATEGORIES],
      ]);
      expect(resources.filter((resource) => resource.type === ALARM && resource.inputs.namespace === "AWS/DynamoDB")).to.deep.equal([]);
    });

    it("has no replica-lag alarm and no event subscription without a DR database (backup-restore)", async () => {
      const resources = await alarmsPlan();
      expect(resources.filter((resource) => resource.type === ALARM && resource.inputs.name === NAMES.replicaLagOverRpo)).to.deep.equal([]);
      expect(resources.filter((resource) => resource.type === EVENTS)).to.deep.equal([]);
    });
  });

  describe("engineMode aurora-global", () => {
    it("keeps the alarm's name but watches the secondary cluster's AuroraGlobalDBReplicationLag against the RPO in milliseconds", async () => {
      const resources = await alarmsPlan({ replicaClusterIdentifier: "dr-db-secondary" });
      const lag = alarmNamed(resources, NAMES.replicaLagOverRpo);
      expect(lag.inputs).to.include({
        namespace: "AWS/RDS",
        metricName: "AuroraGlobalDBReplicationLag",
        statistic: "Maximum",
        period: 60,
        threshold: 45000,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "missing",
      });
      expect(lag.inputs.dimensions).to.deep.equal({ DBClusterIdentifier: "dr-db-secondary" });
      expect(lag.inputs.alarmActions).to.deep.equal([topic(DR_REGION)]);
      // Aurora publishes the lag in the secondary's region only: the alarm lives in the DR region.
      expect(lag.region).to.equal(DR_REGION);
      expect(String(lag.inputs.alarmDescription)).to.include("45000 ms = 45 s");
      expect(alarmProblem(lag)).to.equal(undefined);
    });

    it("subscribes the DR topic to the secondary cluster's events, global failover included", async () => {
      const resources = await alarmsPlan({ replicaClusterIdentifier: "dr-db-secondary" });
      const events = resources.filter((resource) => resource.type === EVENTS);
      expect(events.map((event) => [event.inputs.sourceType, event.inputs.sourceIds, event.inputs.snsTopic])).to.deep.equal([
        ["db-cluster", ["dr-db-secondary"], topic(DR_REGION)],
      ]);
      expect(events[0].inputs.eventCategories).to.deep.equal(CLUSTER_EVENT_CATEGORIES);
      expect(CLUSTER_EVENT_CATEGORIES).to.include("global-failover");
      expect(CLUSTER_EVENT_CATEGORIES).not.to.include("read replica");
    });

    it("refuses both an instance and a cluster identifier", async () => {
      await expectRefused(
        { replicaIdentifier: "dr-db-replica", replicaClusterIdentifier: "dr-db-secondary" },
        /both replicaIdentifier and replicaClusterIdentifier are set/,
      );
    });
  });

  describe("DynamoDB global table", () => {
    it("alarms in the table's source region, on its topic, when replication to the DR region exceeds the RPO in milliseconds", async () => {
      const resources = await alarmsPlan({ replicaIdentifier: "dr-db-replica", withGlobalTable: true });
      const latency = alarmNamed(resources, "dr-global-table-replication-latency");
      expect(latency.region).to.equal(PRIMARY_REGION);
      expect(latency.inputs).to.include({
        namespace: "AWS/DynamoDB",
        metricName: "ReplicationLatency",
        statistic: "Maximum",
        period: GLOBAL_TABLE_ALARM_PERIOD_SECONDS,
        evaluationPeriods: 1,
        threshold: 45000,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      });
      expect(GLOBAL_TABLE_ALARM_PERIOD_SECONDS).to.equal(300);
      expect(latency.inputs.dimensions).to.deep.equal({ TableName: "app-data", ReceivingRegion: DR_REGION });
      expect(latency.inputs.alarmActions).to.deep.equal([topic(PRIMARY_REGION)]);
      expect(latency.inputs.okActions).to.deep.equal([topic(PRIMARY_REGION)]);
      expect(alarmProblem(latency)).to.equal(undefined);
    });

    it("refuses a global table without the alarm name, or replicated to its own region", async () => {
      await expectRefused(
        { globalTable: { tableName: "app-data", sourceRegion: PRIMARY_REGION, receivingRegion: DR_REGION, topic: { topicArn: topic(PRIMARY_REGION) } } },
        /names.globalTableReplicationLatency is not/,
      );
      await expectRefused(
        {
          withGlobalTable: true,
          globalTable: { tableName: "app-data", sourceRegion: DR_REGION, receivingRegion: DR_REGION, topic: { topicArn: topic(DR_REGION) } },
        },
        /sourceRegion and receivingRegion are both us-west-2/,
      );
    });
  });

  it("the catalogue check rejects an alarm on a metric with another service's dimensions (negative control)", () => {
    const wrong = {
      inputs: { namespace: "AWS/RDS", metricName: "AuroraGlobalDBReplicationLag", dimensions: { DBInstanceIdentifier: "x" } },
    } as unknown as PlannedResource;
    expect(alarmProblem(wrong)).to.match(/published with dimensions/);
  });
});
