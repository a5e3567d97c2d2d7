/**
 * The DNS/failover, keys/logs and recovery policies, one at a time, in the pattern of
 * pulumi/pulumi-policy-aws: for each policy a compliant fixture modelled on the synthesized plans
 * (out/synth/*.plan.json) that passes, and for each rule inside it a fixture broken in exactly that
 * one way, which fails with the expected message. Stack policies read the stack's recovery manifest,
 * an SSM parameter built here from the DR stack's real one.
 */
import { expect } from "chai";
import type { RecoveryManifest } from "../../config/recoveryManifest";
import { TYPES } from "../../policy/policies/kit";
import { primaryOutputsFixture } from "../fixtures/primaryOutputs";
import { copyOf, type FixtureResource, violationDetailsOf, violationsOf } from "./fixtures";
import { drRecoveryManifest } from "../fixtures/recoveryManifest";

const ACCOUNT = "123456789012";
const PRIMARY_REGION = "us-east-1";
const DR_REGION = "us-west-2";
const PRIMARY_ALB_DNS = "primary-app-alb-67cb55af85.us-east-1.elb.amazonaws.com";
const DR_ALB_DNS = "dr-app-alb-9a036907fa.us-west-2.elb.amazonaws.com";
const ZONE_ID = "Z3D24E63469A964639B46";
const APP_NAME = "app.dr.example.com";
const DR_KEY_ARN = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/bedb6028-3f3e-89be-a7f0-2fa27b7a6c37`;
const PRIMARY_KEY_ARN = `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/67b36b50-b2af-6baa-5415-7657811c9ffb`;
const PRIMARY_DB_ARN = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:primary-db-instance-9cb3a42d`;
const DR_TOPIC_ARN = `arn:aws:sns:${DR_REGION}:${ACCOUNT}:dr-notifications`;
const MANIFEST_NAME = "/multi-region-dr/dr/recovery-manifest";

/** The DR stack's recovery manifest, as `npm run synth` writes it into out/synth/dr.plan.json. */
const DR_MANIFEST: RecoveryManifest = drRecoveryManifest(
  DR_REGION,
  primaryOutputsFixture({
    region: PRIMARY_REGION,
    kmsKeyArn: PRIMARY_KEY_ARN,
    hostedZoneId: ZONE_ID,
    applicationName: APP_NAME,
    appUrl: `http://${PRIMARY_ALB_DNS}/`,
    albArn: `arn:aws:elasticloadbalancing:${PRIMARY_REGION}:${ACCOUNT}:loadbalancer/app/primary-app-alb/67cb55af858f814b`,
    albDnsName: PRIMARY_ALB_DNS,
    dbArn: PRIMARY_DB_ARN,
  }),
);

/** The primary stack's recovery manifest (out/synth/primary.plan.json). */
const PRIMARY_MANIFEST: RecoveryManifest = {
  schemaVersion: 1,
  project: "multi-region-dr",
  stack: "primary",
  role: "primary",
  region: PRIMARY_REGION,
  strategy: "warm-standby",
  rtoSeconds: 900,
  rpoSeconds: 60,
  objectRpoSeconds: 900,
};

/** Fixture properties as the engine hands them over: untyped JSON, edited deep inside by the tests (as the policies read them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A copy of the DR manifest with `edit` applied (to change one field). */
function drManifest(edit: (manifest: Json) => void = () => {}): Json {
  const manifest = copyOf(DR_MANIFEST) as Json;
  edit(manifest);
  return manifest;
}

/** The recovery manifest parameter holding `value` (an object as JSON, a string as it is). */
function manifestParameter(value: unknown = DR_MANIFEST, options: { name?: string; resourceName?: string; region?: string } = {}): FixtureResource {
  return {
    type: TYPES.ssmParameter,
    name: options.resourceName ?? "recovery-parameter",
    region: options.region,
    props: {
      name: options.name ?? MANIFEST_NAME,
      description: "Recovery manifest of stack dr (dr): declared RTO/RPO and the pair contract",
      type: "String",
      dataType: "text",
      tier: "Standard",
      insecureValue: typeof value === "string" ? value : JSON.stringify(value),
    },
  };
}

/** The fixtures with the one named `name` changed by `edit` (deep copies; the originals stay intact). */
function editing(resources: FixtureResource[], name: string, edit: (resource: FixtureResource & { props: Json }) => void): FixtureResource[] {
  const copies = copyOf(resources);
  const target = copies.find((resource) => resource.name === name);
  if (!target) throw new Error(`no fixture named ${name}`);
  edit(target as FixtureResource & { props: Json });
  return copies;
}

const without = (resources: FixtureResource[], ...names: string[]) => resources.filter((resource) => !names.includes(resource.name));

/** Asserts exactly `expected.length` violations, each containing its expected fragment (in any order). */
function expectViolations(messages: string[], ...expected: string[]): void {
  expect(messages, JSON.stringify(messages, null, 1)).to.have.length(expected.length);
  for (const fragment of expected)
    expect(
      messages.some((message) => message.includes(fragment)),
      `no violation contains ${JSON.stringify(fragment)}: ${JSON.stringify(messages)}`,
    ).to.equal(true);
}

// ---------------------------------------------------------------------------------------------
// Resources modelled on the synthesized DR stack.

function drLoadBalancer(): FixtureResource {
  return {
    type: TYPES.loadBalancer,
    name: "dr-app-alb",
    props: {
      loadBalancerType: "application",
      internal: false,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: true,
      accessLogs: { bucket: "dr-log-archive-36f0550", enabled: true, prefix: "alb" },
      dnsName: DR_ALB_DNS,
      zoneId: "Z1H1FL5HABSF5",
      arn: `arn:aws:elasticloadbalancing:${DR_REGION}:${ACCOUNT}:loadbalancer/app/dr-app-alb/9a036907fa8f814b`,
    },
  };
}

function primaryHealthCheck(): FixtureResource {
  return {
    type: TYPES.healthCheck,
    name: "failover-primary-health",
    props: {
      type: "HTTP",
      fqdn: PRIMARY_ALB_DNS,
      port: 80,
      resourcePath: "/health",
      requestInterval: 10,
      failureThreshold: 3,
      measureLatency: true,
      enableSni: false,
      tags: { Name: `${APP_NAME} primary (${PRIMARY_REGION})` },
    },
  };
}

/** The fence alarm: the DR region's alarm on the metric the workflows publish. */
function fenceAlarm(): FixtureResource {
  return {
    type: TYPES.metricAlarm,
    name: "failover-fence",
    props: {
      name: "multi-region-dr-dr-primary-fenced",
      namespace: "MultiRegionDR",
      metricName: "PrimaryFenced",
      dimensions: { Application: APP_NAME },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "ignore",
      alarmActions: [`arn:aws:sns:${DR_REGION}:123456789012:multi-region-dr-dr-recovery`],
    },
  };
}

/** The fence: a CLOUDWATCH_METRIC check of the fence alarm in the DR region (components/failoverRouting.ts). */
function fenceHealthCheck(): FixtureResource {
  return {
    type: TYPES.healthCheck,
    name: "failover-fence-health",
    props: {
      type: "CLOUDWATCH_METRIC",
      cloudwatchAlarmName: "multi-region-dr-dr-primary-fenced",
      cloudwatchAlarmRegion: DR_REGION,
      insufficientDataHealthStatus: "LastKnownStatus",
    },
    propertyDependencies: { cloudwatchAlarmName: ["failover-fence"] },
  };
}

/** The PRIMARY record's check: healthy only while the endpoint's check and the fence both are. */
function recordHealthCheck(): FixtureResource {
  return {
    type: TYPES.healthCheck,
    name: "failover-primary-record-health",
    props: { type: "CALCULATED", childHealthchecks: ["7ff4a5ea-776b", "f3nc3000-0001"], childHealthThreshold: 2 },
    propertyDependencies: { childHealthchecks: ["failover-primary-health", "failover-fence-health"] },
  };
}

/** The DR ALB's listener as synthesized without a certificate: HTTP 80, forwarding to the app's target group. */
function drListener(): FixtureResource {
  return {
    type: TYPES.listener,
    name: "dr-app-http",
    props: {
      loadBalancerArn: `arn:aws:elasticloadbalancing:${DR_REGION}:${ACCOUNT}:loadbalancer/app/dr-app-alb/9a036907fa8f814b`,
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "forward", targetGroupArn: `arn:aws:elasticloadbalancing:${DR_REGION}:${ACCOUNT}:targetgroup/dr-app-tg/09d963516280fb1f` }],
    },
    propertyDependencies: { loadBalancerArn: ["dr-app-alb"] },
  };
}

/** The DR ALB's `/health` check: the same rules as the primary's, through the DR listener. */
function drHealthCheck(): FixtureResource {
  return {
    type: TYPES.healthCheck,
    name: "failover-secondary-health",
    props: {
      type: "HTTP",
      fqdn: DR_ALB_DNS,
      port: 80,
      resourcePath: "/health",
      requestInterval: 10,
      failureThreshold: 3,
      measureLatency: false,
      enableSni: false,
      tags: { Name: `${APP_NAME} secondary (${DR_REGION})` },
    },
    propertyDependencies: { fqdn: ["dr-app-alb"] },
  };
}

/** The fence inverted: the same alarm, healthy while the primary is fenced. */
function fencedHealthCheck(): FixtureResource {
  const fence = fenceHealthCheck();
  return { ...fence, name: "failover-fenced-health", props: { ...fence.props, invertHealthcheck: true } };
}

/** The SECONDARY record's check: healthy while the DR ALB answers or the primary is fenced. */
function secondaryRecordHealthCheck(): FixtureResource {
  return {
    type: TYPES.healthCheck,
    name: "failover-secondary-record-health",
    props: { type: "CALCULATED", childHealthchecks: ["d7a0b5e1-2c4f", "f3nc3000-0002"], childHealthThreshold: 1 },
    propertyDependencies: { childHealthchecks: ["failover-secondary-health", "failover-fenced-health"] },
  };
}

function failoverRecord(role: "PRIMARY" | "SECONDARY", type = "A"): FixtureResource {
  const primary = role === "PRIMARY";
  const suffix = type === "A" ? "" : `-${type.toLowerCase()}`;
  return {
    type: TYPES.record,
    name: `failover-${role.toLowerCase()}${suffix}`,
    props: {
      zoneId: ZONE_ID,
      name: APP_NAME,
      type,
      setIdentifier: primary ? `primary-${PRIMARY_REGION}` : `secondary-${DR_REGION}`,
      failoverRoutingPolicies: [{ type: role }],
      aliases: [
        primary
          ? { name: PRIMARY_ALB_DNS, zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: false }
          : { name: DR_ALB_DNS, zoneId: "Z1H1FL5HABSF5", evaluateTargetHealth: false },
      ],
      healthCheckId: primary ? "7ff4a5ea-776b" : "5ec0d4a1-9b2e",
    },
    propertyDependencies: primary
      ? { healthCheckId: ["failover-primary-record-health"] }
      : { aliases: ["dr-app-alb"], healthCheckId: ["failover-secondary-record-health"] },
  };
}

/**
 * The DR stack's failover routing as synthesized: manifest, DR ALB and its listener, the PRIMARY's checks (endpoint,
 * fence, calculated), the SECONDARY's (DR endpoint, inverted fence, calculated), PRIMARY and SECONDARY.
 */
function failoverStack(manifest: unknown = DR_MANIFEST): FixtureResource[] {
  return [
    manifestParameter(manifest),
    drLoadBalancer(),
    drListener(),
    primaryHealthCheck(),
    fenceAlarm(),
    fenceHealthCheck(),
    recordHealthCheck(),
    drHealthCheck(),
    fencedHealthCheck(),
    secondaryRecordHealthCheck(),
    failoverRecord("PRIMARY"),
    failoverRecord("SECONDARY"),
  ];
}

function replica(): FixtureResource {
  return {
    type: TYPES.rdsInstance,
    name: "dr-db-instance",
    protect: true,
    props: {
      replicateSourceDb: PRIMARY_DB_ARN,
      instanceClass: "db.t4g.medium",
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: DR_KEY_ARN,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: DR_KEY_ARN,
      multiAz: true,
      publiclyAccessible: false,
      deletionProtection: true,
      // A read replica takes no final snapshot (RDS DeleteDBInstance); ReplicatedDatabase skips it.
      skipFinalSnapshot: true,
      backupRetentionPeriod: 7,
      port: 5432,
      monitoringInterval: 60,
      monitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/dr-db-monitoring-role-35312dff`,
    },
  };
}

function drKey(): FixtureResource {
  return {
    type: TYPES.kmsKey,
    name: "dr-key-key",
    protect: true,
    props: {
      description: "Data key of multi-region-dr-dr-dr in us-west-2",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      multiRegion: false,
      policy: JSON.stringify(keyPolicy()),
    },
  };
}

function dataBucket(): FixtureResource {
  return { type: TYPES.s3Bucket, name: "dr-data", protect: true, props: { bucket: "dr-data-d594971", forceDestroy: false } };
}

function flowLogGroup(): FixtureResource {
  return { type: TYPES.logGroup, name: "dr-network-flow-logs", props: { kmsKeyId: DR_KEY_ARN, retentionInDays: 365 } };
}

function autoScalingGroup(): FixtureResource {
  return {
    type: TYPES.autoScalingGroup,
    name: "dr-app-asg",
    props: { minSize: 1, maxSize: 6, desiredCapacity: 1, healthCheckType: "ELB", launchTemplate: { id: "dr-app-lt-597c3331", version: "1" } },
  };
}

function launchTemplate(): FixtureResource {
  return {
    type: TYPES.launchTemplate,
    name: "dr-app-lt",
    props: {
      instanceType: "t3.small",
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: DR_KEY_ARN, volumeType: "gp3" } }],
    },
  };
}

/** The primary bucket's replication configuration, which the DR stack creates in the primary region through its `region` property. */
function replicationConfig(): FixtureResource {
  return {
    type: TYPES.s3Replication,
    name: "replication-config",
    props: {
      region: PRIMARY_REGION,
      bucket: "primary-data-b00b7c7",
      role: `arn:aws:iam::${ACCOUNT}:role/replication-role-9af8d65e`,
      rules: [
        {
          id: "replicate-everything-to-dr",
          status: "Enabled",
          destination: { bucket: "arn:aws:s3:::dr-data-d594971", encryptionConfiguration: { replicaKmsKeyId: DR_KEY_ARN } },
        },
      ],
    },
  };
}

/** The replication role's policy: global, and naming keys of both regions by design. */
function replicationPolicy(): FixtureResource {
  return {
    type: TYPES.iamRolePolicy,
    name: "replication-permissions",
    props: {
      role: "replication-role-9af8d65e",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt"], Resource: [PRIMARY_KEY_ARN, DR_KEY_ARN] }],
      }),
    },
  };
}

/** The DR key's policy as synthesized: the account, CloudWatch Logs, and Auto Scaling through a `*` principal confined by conditions. */
function keyPolicy(...extra: Json[]): Json {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
        Effect: "Allow",
        Principal: { Service: "logs.us-west-2.amazonaws.com" },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-west-2:${ACCOUNT}:*` } },
      },
      {
        Sid: "AutoScalingUsesKeyForEncryptedVolumes",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: { "kms:CallerAccount": ACCOUNT },
          ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` },
        },
      },
      ...extra,
    ],
  };
}

function alarm(name: string, namespace: string, metricName: string, props: Json = {}, region?: string): FixtureResource {
  return {
    type: TYPES.metricAlarm,
    name,
    region,
    props: {
      namespace,
      metricName,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 3,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: [DR_TOPIC_ARN],
      okActions: [DR_TOPIC_ARN],
      ...props,
    },
  };
}

/** One alarm with an action per DR signal (invariant 6); the health-check alarm in us-east-1. */
function signalAlarms(): FixtureResource[] {
  return [
    alarm("replica-lag", "AWS/RDS", "ReplicaLag", { threshold: 60, dimensions: { DBInstanceIdentifier: "dr-db-instance-16b30767" } }),
    alarm("replication-latency", "AWS/S3", "ReplicationLatency", { threshold: 900 }),
    alarm("replication-failures", "AWS/S3", "OperationsFailedReplication"),
    alarm(
      "primary-health",
      "AWS/Route53",
      "HealthCheckStatus",
      { comparisonOperator: "LessThanThreshold", dimensions: { HealthCheckId: "7ff4a5ea-776b" } },
      "us-east-1",
    ),
    alarm("unhealthy-targets", "AWS/ApplicationELB", "UnHealthyHostCount"),
    alarm("primary-probe", "MultiRegionDR/PrimaryProbe", "PrimaryEndpointHealthy", { comparisonOperator: "LessThanThreshold", period: 30 }),
  ];
}

// ---------------------------------------------------------------------------------------------

describe("policy pack: DNS and failover", () => {
  describe("route53-health-check-parameters", () => {
    const policy = "route53-health-check-parameters";
    const withCheck = (edit: (props: Json) => void) => editing([primaryHealthCheck()], "failover-primary-health", (resource) => edit(resource.props));

    it("passes the synthesized health check (HTTP /health every 10 s, 3 failures)", async () => {
      expect(await violationsOf(policy, [primaryHealthCheck()])).to.deep.equal([]);
    });

    it("passes with Route 53's defaults (30 s, 3 failures) when interval and threshold are unset", async () => {
      expect(
        await violationsOf(
          policy,
          withCheck((props) => {
            delete props.requestInterval;
            delete props.failureThreshold;
          }),
        ),
      ).to.deep.equal([]);
    });

    it("fails an interval Route 53 does not accept (20 s)", async () => {
      expectViolations(
        await violationsOf(
          policy,
          withCheck((props) => (props.requestInterval = 20)),
        ),
        "requestInterval is 20 s: Route 53 accepts 10 or 30",
      );
    });

    it("fails a failure threshold of 0 and of 11", async () => {
      expectViolations(
        await violationsOf(
          policy,
          withCheck((props) => (props.failureThreshold = 0)),
        ),
        "failureThreshold is 0: Route 53 accepts 1 to 10",
      );
      expectViolations(
        await violationsOf(
          policy,
          withCheck((props) => (props.failureThreshold = 11)),
        ),
        "failureThreshold is 11",
      );
    });

    it("fails a TCP check, which sees the port and not the app", async () => {
      expectViolations(
        await violationsOf(
          policy,
          withCheck((props) => (props.type = "TCP")),
        ),
        'type is "TCP": use HTTP or HTTPS',
      );
    });

    it("passes the HTTPS and string-matching types", async () => {
      for (const type of ["HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH"])
        expect(
          await violationsOf(
            policy,
            withCheck((props) => (props.type = type)),
          ),
        ).to.deep.equal([]);
    });

    it("fails a check that probes another path than /health", async () => {
      expectViolations(
        await violationsOf(
          policy,
          withCheck((props) => (props.resourcePath = "/")),
        ),
        'resourcePath is "/": probe /health',
      );
    });

    it("uses a custom healthCheckPath setting", async () => {
      expectViolations(await violationsOf(policy, [primaryHealthCheck()], { healthCheckPath: "/healthz" }), 'resourcePath is "/health": probe /healthz');
      expect(
        await violationsOf(
          policy,
          withCheck((props) => (props.resourcePath = "/healthz")),
          { healthCheckPath: "/healthz" },
        ),
      ).to.deep.equal([]);
    });

    it("fails a check with neither fqdn nor ipAddress", async () => {
      expectViolations(
        await violationsOf(
          policy,
          withCheck((props) => delete props.fqdn),
        ),
        "set fqdn to the primary load balancer's DNS name",
      );
    });
  });

  describe("route53-failover-record", () => {
    const policy = "route53-failover-record";
    const records = () => [failoverRecord("PRIMARY"), failoverRecord("SECONDARY")];

    it("passes the synthesized PRIMARY and SECONDARY records", async () => {
      expect(await violationsOf(policy, records())).to.deep.equal([]);
    });

    it("ignores records of other routing policies", async () => {
      const simple: FixtureResource = {
        type: TYPES.record,
        name: "db",
        props: { zoneId: "Z393FD5FC3533D6B1903B", name: "db.app.internal", type: "CNAME", ttl: 30, records: ["x"] },
      };
      expect(await violationsOf(policy, [simple])).to.deep.equal([]);
    });

    it("fails a failover record without setIdentifier", async () => {
      const broken = editing(records(), "failover-secondary", (record) => delete record.props.setIdentifier);
      expectViolations(await violationsOf(policy, broken), "setIdentifier is required");
    });

    it("fails a failover record that is not an alias, or a SECONDARY alias that evaluates target health next to its health check", async () => {
      const noAlias = editing(records(), "failover-secondary", (record) => {
        delete record.props.aliases;
        record.props.records = ["203.0.113.10"];
        record.props.ttl = 60;
      });
      expectViolations(await violationsOf(policy, noAlias), "use an alias to the load balancer");
      // With both, a DR tier with no healthy target makes the SECONDARY unhealthy even while fenced: Route 53 then answers the old primary.
      const evaluating = editing(records(), "failover-secondary", (record) => (record.props.aliases[0].evaluateTargetHealth = true));
      expectViolations(await violationsOf(policy, evaluating), "the SECONDARY alias must have evaluateTargetHealth false");
      const unset = editing(records(), "failover-secondary", (record) => delete record.props.aliases[0].evaluateTargetHealth);
      expectViolations(await violationsOf(policy, unset), "the SECONDARY alias must have evaluateTargetHealth false");
    });

    it("fails a PRIMARY alias that evaluates target health next to its health check", async () => {
      // Route 53 then needs both to pass: a fail-open ALB with every target unhealthy keeps /health and the
      // failover alarm healthy while DNS already answers the DR region (Route 53 Developer Guide, "What happens
      // when you associate a health check with an alias record?").
      const evaluating = editing(records(), "failover-primary", (record) => (record.props.aliases[0].evaluateTargetHealth = true));
      expectViolations(await violationsOf(policy, evaluating), "the PRIMARY alias must have evaluateTargetHealth false");
      const unset = editing(records(), "failover-primary", (record) => delete record.props.aliases[0].evaluateTargetHealth);
      expectViolations(await violationsOf(policy, unset), "the PRIMARY alias must have evaluateTargetHealth false");
    });

    it("fails a PRIMARY or a SECONDARY without healthCheckId", async () => {
      const broken = editing(records(), "failover-primary", (record) => delete record.props.healthCheckId);
      expectViolations(await violationsOf(policy, broken), "the PRIMARY record needs healthCheckId");
      const unchecked = editing(records(), "failover-secondary", (record) => delete record.props.healthCheckId);
      expectViolations(await violationsOf(policy, unchecked), "the SECONDARY record needs healthCheckId");
    });
  });

  describe("health-check-alarms-in-us-east-1", () => {
    const policy = "health-check-alarms-in-us-east-1";
    const healthAlarm = (region?: string) => alarm("primary-health", "AWS/Route53", "HealthCheckStatus", {}, region);
    const queryAlarm = (region?: string): FixtureResource => ({
      type: TYPES.metricAlarm,
      name: "primary-health-query",
      region,
      props: {
        comparisonOperator: "LessThanThreshold",
        evaluationPeriods: 1,
        threshold: 1,
        alarmActions: [DR_TOPIC_ARN],
        metricQueries: [
          {
            id: "status",
            returnData: true,
            metric: { namespace: "AWS/Route53", metricName: "HealthCheckStatus", period: 60, stat: "Minimum", dimensions: { HealthCheckId: "7ff4a5ea-776b" } },
          },
        ],
      },
    });

    it("passes a Route 53 alarm in us-east-1 (namespace and metricQueries forms)", async () => {
      expect(await violationsOf(policy, [healthAlarm("us-east-1"), queryAlarm("us-east-1")])).to.deep.equal([]);
    });

    it("passes a Route 53 alarm placed in us-east-1 by its own region property", async () => {
      const own = editing([healthAlarm()], "primary-health", (resource) => (resource.props.region = "us-east-1"));
      expect(await violationsOf(policy, own)).to.deep.equal([]);
    });

    it("ignores alarms on other namespaces in the DR region", async () => {
      expect(await violationsOf(policy, [alarm("replica-lag", "AWS/RDS", "ReplicaLag")])).to.deep.equal([]);
    });

    it("fails a Route 53 alarm in us-west-2 (namespace form)", async () => {
      expectViolations(await violationsOf(policy, [healthAlarm()]), "must be created in us-east-1 (found us-west-2)");
    });

    it("fails a Route 53 alarm in us-west-2 (metricQueries form)", async () => {
      expectViolations(await violationsOf(policy, [queryAlarm()]), "must be created in us-east-1 (found us-west-2)");
    });
  });

  describe("dr-failover-pair", () => {
    const policy = "dr-failover-pair";

    it("passes the synthesized failover routing", async () => {
      expect(await violationsOf(policy, failoverStack())).to.deep.equal([]);
    });

    it("passes a stack with neither failover records nor a DR manifest (the primary)", async () => {
      expect(await violationsOf(policy, [manifestParameter(PRIMARY_MANIFEST, { region: PRIMARY_REGION })], undefined, PRIMARY_REGION)).to.deep.equal([]);
    });

    it("fails two PRIMARY records for one name", async () => {
      const second = copyOf(failoverRecord("PRIMARY"));
      second.name = "failover-primary-2";
      (second.props as Json).setIdentifier = "primary-us-east-1-b";
      expectViolations(await violationsOf(policy, [...failoverStack(), second]), "has 2 PRIMARY and 1 SECONDARY records; exactly one of each is needed");
    });

    it("fails a missing SECONDARY", async () => {
      expectViolations(await violationsOf(policy, without(failoverStack(), "failover-secondary")), "has 1 PRIMARY and 0 SECONDARY records");
    });

    it("fails a duplicate setIdentifier", async () => {
      const broken = editing(failoverStack(), "failover-secondary", (record) => (record.props.setIdentifier = `primary-${PRIMARY_REGION}`));
      expectViolations(await violationsOf(policy, broken), `set identifiers ["primary-us-east-1","primary-us-east-1"] must be distinct`);
    });

    it("fails a name mixing a simple record with the failover records", async () => {
      const simple: FixtureResource = {
        type: TYPES.record,
        name: "app-simple",
        props: { zoneId: ZONE_ID, name: APP_NAME, type: "A", ttl: 60, records: ["203.0.113.10"] },
      };
      expectViolations(await violationsOf(policy, [...failoverStack(), simple]), `${APP_NAME} A: also has app-simple; a name cannot mix failover`);
    });

    it("fails a CNAME at the name of the failover records", async () => {
      const cname: FixtureResource = {
        type: TYPES.record,
        name: "app-cname",
        props: { zoneId: ZONE_ID, name: APP_NAME, type: "CNAME", ttl: 60, records: [DR_ALB_DNS] },
      };
      expectViolations(await violationsOf(policy, [...failoverStack(), cname]), "also has app-cname");
    });

    it("passes other record types at the same name: a TXT record and an AAAA failover pair", async () => {
      const txt: FixtureResource = {
        type: TYPES.record,
        name: "app-txt",
        props: { zoneId: ZONE_ID, name: APP_NAME, type: "TXT", ttl: 300, records: ["v=spf1 -all"] },
      };
      const aaaa = [failoverRecord("PRIMARY", "AAAA"), failoverRecord("SECONDARY", "AAAA")];
      expect(await violationsOf(policy, [...failoverStack(), txt, ...aaaa])).to.deep.equal([]);
    });

    it("fails a SECONDARY alias that does not come from a load balancer of the stack", async () => {
      const broken = editing(failoverStack(), "failover-secondary", (record) => delete record.propertyDependencies!.aliases);
      expectViolations(await violationsOf(policy, broken), "failover-secondary: the SECONDARY alias is not a load balancer of this stack");
    });

    it("fails a SECONDARY alias to a load balancer in another region", async () => {
      const broken = editing(failoverStack(), "dr-app-alb", (loadBalancer) => (loadBalancer.region = PRIMARY_REGION));
      expectViolations(await violationsOf(policy, broken), "failover-secondary: the SECONDARY alias targets a load balancer in us-east-1, not us-west-2");
    });

    it("fails a PRIMARY alias that is not the manifest's primary albDnsName", async () => {
      const broken = editing(failoverStack(), "failover-primary", (record) => (record.props.aliases[0].name = DR_ALB_DNS));
      expectViolations(await violationsOf(policy, broken), `the PRIMARY alias ${DR_ALB_DNS} is not the primary ALB ${PRIMARY_ALB_DNS}`);
    });

    it("passes a PRIMARY alias to the primary ALB written with the dualstack. prefix, in upper case or with a trailing dot", async () => {
      for (const name of [`dualstack.${PRIMARY_ALB_DNS}`, PRIMARY_ALB_DNS.toUpperCase(), `${PRIMARY_ALB_DNS}.`]) {
        const variant = editing(failoverStack(), "failover-primary", (record) => (record.props.aliases[0].name = name));
        expect(await violationsOf(policy, variant), name).to.deep.equal([]);
      }
    });

    it("fails a PRIMARY whose health check is not a health check of the stack", async () => {
      const broken = editing(failoverStack(), "failover-primary", (record) => (record.propertyDependencies = {}));
      expectViolations(await violationsOf(policy, broken), "failover-primary: the PRIMARY record's health check is not a health check of this stack");
    });

    it("fails a health check on another host", async () => {
      const broken = editing(failoverStack(), "failover-primary-health", (check) => (check.props.fqdn = DR_ALB_DNS));
      expectViolations(await violationsOf(policy, broken), `fqdn is "${DR_ALB_DNS}", expected "${PRIMARY_ALB_DNS}"`);
    });

    it("fails a health check on another port", async () => {
      const broken = editing(failoverStack(), "failover-primary-health", (check) => (check.props.port = 8080));
      expectViolations(await violationsOf(policy, broken), "failover-primary-health: port is 8080, expected 80 (the primary ALB's)");
    });

    it("fails a health check of another protocol than the primary listener", async () => {
      const broken = editing(failoverStack(), "failover-primary-health", (check) => (check.props.type = "HTTPS"));
      expectViolations(await violationsOf(policy, broken), 'type is "HTTPS", expected "HTTP"');
    });

    it("passes an HTTP_STR_MATCH check, and a check whose port is Route 53's default for its protocol", async () => {
      const stringMatch = editing(failoverStack(), "failover-primary-health", (check) => {
        check.props.type = "HTTP_STR_MATCH";
        check.props.searchString = '"status": "ok"';
      });
      expect(await violationsOf(policy, stringMatch)).to.deep.equal([]);
      const defaultPort = editing(failoverStack(), "failover-primary-health", (check) => delete check.props.port);
      expect(await violationsOf(policy, defaultPort)).to.deep.equal([]);
      const https = drManifest((manifest) => {
        manifest.primary.listenerProtocol = "HTTPS";
        manifest.primary.listenerPort = 443;
      });
      const httpsDefault = editing(failoverStack(https), "failover-primary-health", (check) => {
        check.props.type = "HTTPS";
        delete check.props.port;
      });
      expect(await violationsOf(policy, httpsDefault)).to.deep.equal([]);
      const httpsOnDefault80 = editing(failoverStack(https), "failover-primary-health", (check) => delete check.props.port);
      expectViolations(await violationsOf(policy, httpsOnDefault80), "port is undefined, expected 443", 'type is "HTTP", expected "HTTPS"');
    });

    it("fails a disabled or inverted health check, which never fails over", async () => {
      const disabled = editing(failoverStack(), "failover-primary-health", (check) => (check.props.disabled = true));
      expectViolations(await violationsOf(policy, disabled), "failover-primary-health: is disabled");
      const inverted = editing(failoverStack(), "failover-primary-health", (check) => (check.props.invertHealthcheck = true));
      expectViolations(await violationsOf(policy, inverted), "invertHealthcheck is true");
    });

    it("fails detection too slow for the manifest's RTO (30 s x 10 with RTO 300)", async () => {
      const slow = (manifest: unknown) =>
        editing(failoverStack(manifest), "failover-primary-health", (check) => {
          check.props.requestInterval = 30;
          check.props.failureThreshold = 10;
        });
      const rto300 = drManifest((manifest) => {
        manifest.rtoSeconds = 300;
        manifest.primary.rtoSeconds = 300;
      });
      expectViolations(
        await violationsOf(policy, slow(rto300)),
        "health-check detection (30 s x 10 = 300 s) plus the 60 s alias TTL does not fit the 300 s RTO",
      );
      expect(await violationsOf(policy, slow(DR_MANIFEST)), "the same check fits the 900 s RTO").to.deep.equal([]);
    });

    it("fails a DR manifest with no failover records", async () => {
      expectViolations(await violationsOf(policy, [manifestParameter()]), "the DR stack has no failover records");
    });

    it("fails a PRIMARY record whose health check has no fence (the endpoint's check alone)", async () => {
      const unfenced = editing(
        failoverStack().filter((resource) => resource.name !== "failover-primary-record-health" && resource.name !== "failover-fence-health"),
        "failover-primary",
        (record) => (record.propertyDependencies = { healthCheckId: ["failover-primary-health"] }),
      );
      expectViolations(await violationsOf(policy, unfenced), "the PRIMARY record's health check has no fence");
    });

    it("fails a fence in another region, without the last known status, or a threshold that lets one child suffice", async () => {
      const elsewhere = editing(failoverStack(), "failover-fence-health", (check) => (check.props.cloudwatchAlarmRegion = PRIMARY_REGION));
      expectViolations(await violationsOf(policy, elsewhere), `the fence's alarm is in ${PRIMARY_REGION}, not the DR region ${DR_REGION}`);
      const forgetful = editing(failoverStack(), "failover-fence-health", (check) => (check.props.insufficientDataHealthStatus = "Healthy"));
      expectViolations(await violationsOf(policy, forgetful), "insufficientDataHealthStatus must be LastKnownStatus");
      const either = editing(failoverStack(), "failover-primary-record-health", (check) => (check.props.childHealthThreshold = 1));
      expectViolations(await violationsOf(policy, either), "childHealthThreshold must be 2");
      const otherMetric = editing(failoverStack(), "failover-fence", (alarm) => (alarm.props.metricName = "Errors"));
      expectViolations(await violationsOf(policy, otherMetric), "not the fence metric MultiRegionDR/PrimaryFenced");
      const noAlarm = failoverStack().filter((resource) => resource.name !== "failover-fence");
      expectViolations(
        await violationsOf(policy, noAlarm),
        "failover-fence-health: the fence's alarm is not an alarm of this stack",
        "failover-fenced-health: the fence's alarm is not an alarm of this stack",
      );
      const inverted = editing(failoverStack(), "failover-fence-health", (check) => (check.props.invertHealthcheck = true));
      expectViolations(await violationsOf(policy, inverted), "failover-fence-health: the PRIMARY's fence is inverted");
      const disabled = editing(failoverStack(), "failover-fence-health", (check) => (check.props.disabled = true));
      expectViolations(await violationsOf(policy, disabled), "failover-fence-health: the PRIMARY's fence is disabled");
    });

    it("fails a SECONDARY record without a health check of the stack, or with the DR endpoint's check alone", async () => {
      const unchecked = editing(failoverStack(), "failover-secondary", (record) => delete record.propertyDependencies!.healthCheckId);
      expectViolations(await violationsOf(policy, unchecked), "failover-secondary: the SECONDARY record's health check is not a health check of this stack");
      // Its DR endpoint check alone: unhealthy with the DR tier even while fenced, so Route 53 answers the old primary.
      const endpointOnly = editing(
        without(failoverStack(), "failover-secondary-record-health"),
        "failover-secondary",
        (record) => (record.propertyDependencies!.healthCheckId = ["failover-secondary-health"]),
      );
      expectViolations(await violationsOf(policy, endpointOnly), 'failover-secondary-health: the SECONDARY record\'s health check is "HTTP", not CALCULATED');
    });

    it("fails a SECONDARY check that needs both children, or lacks either", async () => {
      const both = editing(failoverStack(), "failover-secondary-record-health", (check) => (check.props.childHealthThreshold = 2));
      expectViolations(await violationsOf(policy, both), "failover-secondary-record-health: childHealthThreshold must be 1");
      const fenceOnly = editing(failoverStack(), "failover-secondary-record-health", (check) => {
        check.props.childHealthchecks = ["f3nc3000-0002"];
        check.propertyDependencies = { childHealthchecks: ["failover-fenced-health"] };
      });
      expectViolations(await violationsOf(policy, fenceOnly), "has 1 children (0 endpoint, 1 CLOUDWATCH_METRIC of this stack), expected 2");
      const endpointOnly = editing(failoverStack(), "failover-secondary-record-health", (check) => {
        check.props.childHealthchecks = ["d7a0b5e1-2c4f"];
        check.propertyDependencies = { childHealthchecks: ["failover-secondary-health"] };
      });
      expectViolations(await violationsOf(policy, endpointOnly), "has 1 children (1 endpoint, 0 CLOUDWATCH_METRIC of this stack), expected 2");
    });

    it("fails a SECONDARY fence child that is not inverted, follows another alarm, another region, or forgets", async () => {
      const upright = editing(failoverStack(), "failover-fenced-health", (check) => delete check.props.invertHealthcheck);
      expectViolations(await violationsOf(policy, upright), "failover-fenced-health: the SECONDARY's fence child must have invertHealthcheck true");
      const other = alarm("other-alarm", "MultiRegionDR", "PrimaryFenced", { name: "other-alarm" });
      const otherAlarm = editing([...failoverStack(), other], "failover-fenced-health", (check) => {
        check.props.cloudwatchAlarmName = "other-alarm";
        check.propertyDependencies = { cloudwatchAlarmName: ["other-alarm"] };
      });
      expectViolations(await violationsOf(policy, otherAlarm), "failover-fenced-health: does not follow the PRIMARY's fence alarm failover-fence");
      const elsewhere = editing(failoverStack(), "failover-fenced-health", (check) => (check.props.cloudwatchAlarmRegion = PRIMARY_REGION));
      expectViolations(
        await violationsOf(policy, elsewhere),
        `failover-fenced-health: the fence's alarm is in ${PRIMARY_REGION}, not the DR region ${DR_REGION}`,
      );
      const forgetful = editing(failoverStack(), "failover-fenced-health", (check) => (check.props.insufficientDataHealthStatus = "Unhealthy"));
      expectViolations(await violationsOf(policy, forgetful), "failover-fenced-health: insufficientDataHealthStatus must be LastKnownStatus");
    });

    it("fails a DR endpoint check on another host, a port or protocol no forwarding listener serves, disabled or inverted", async () => {
      const otherHost = editing(failoverStack(), "failover-secondary-health", (check) => (check.propertyDependencies = {}));
      expectViolations(await violationsOf(policy, otherHost), "failover-secondary-health: fqdn does not come from the DR load balancer dr-app-alb");
      const otherPort = editing(failoverStack(), "failover-secondary-health", (check) => (check.props.port = 8080));
      expectViolations(await violationsOf(policy, otherPort), "probes HTTP port 8080, not a listener of dr-app-alb that forwards to the app (HTTP 80)");
      const https = editing(failoverStack(), "failover-secondary-health", (check) => {
        check.props.type = "HTTPS";
        delete check.props.port;
      });
      expectViolations(await violationsOf(policy, https), "probes HTTPS port 443, not a listener of dr-app-alb that forwards to the app (HTTP 80)");
      // An HTTP listener that redirects to HTTPS answers 301, which Route 53 counts healthy: it says nothing about the app.
      const redirect = editing(failoverStack(), "dr-app-http", (listener) => {
        listener.props.defaultActions = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
      });
      expectViolations(await violationsOf(policy, redirect), "probes HTTP port 80, not a listener of dr-app-alb that forwards to the app (none)");
      const disabled = editing(failoverStack(), "failover-secondary-health", (check) => (check.props.disabled = true));
      expectViolations(await violationsOf(policy, disabled), "failover-secondary-health: the DR ALB's check is disabled");
      const inverted = editing(failoverStack(), "failover-secondary-health", (check) => (check.props.invertHealthcheck = true));
      expectViolations(await violationsOf(policy, inverted), "failover-secondary-health: the DR ALB's check is inverted");
    });

    it("passes a DR endpoint check over HTTPS 443 when the DR listener serves HTTPS (the HTTP listener redirecting)", async () => {
      const httpsListener: FixtureResource = {
        ...drListener(),
        name: "dr-app-https",
        props: { ...drListener().props, port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" },
      };
      const stack = editing([...failoverStack(), httpsListener], "dr-app-http", (listener) => {
        listener.props.defaultActions = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
      });
      const overHttps = editing(stack, "failover-secondary-health", (check) => {
        check.props.type = "HTTPS";
        check.props.port = 443;
        check.props.enableSni = true;
      });
      expect(await violationsOf(policy, overHttps)).to.deep.equal([]);
    });

    it("fails failover records with no DR manifest, and with the primary's manifest", async () => {
      expectViolations(await violationsOf(policy, without(failoverStack(), "recovery-parameter")), "failover records belong to the DR stack");
      const inPrimary = [...without(failoverStack(), "recovery-parameter"), manifestParameter(PRIMARY_MANIFEST)];
      expectViolations(await violationsOf(policy, inPrimary, undefined, PRIMARY_REGION), "none was found");
    });
  });

  describe("dr-signal-alarms", () => {
    const policy = "dr-signal-alarms";

    it("passes a DR stack alarming with actions on all six signals, and is mandatory", async () => {
      expect(await violationsOf(policy, [manifestParameter(), ...signalAlarms()])).to.deep.equal([]);
      const details = await violationDetailsOf(policy, [manifestParameter()]);
      expect(details).to.have.length(6);
      expect(details.every((violation) => violation.enforcementLevel === "mandatory")).to.equal(true);
    });

    it("fails without the DR region's probe of the primary endpoint (the page that survives us-east-1)", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter(), ...without(signalAlarms(), "primary-probe")]),
        "no alarm with an action watches the primary endpoint as the DR region's probe sees it (MultiRegionDR/PrimaryProbe PrimaryEndpointHealthy)",
      );
    });

    it("in the outage mode, asks nothing of the failed region: no S3 replication alarms, no us-east-1 health-check alarm, still the probe", async () => {
      const outage = manifestParameter({ ...DR_MANIFEST, databasePromoted: true, primaryRegionDown: true });
      const kept = without(signalAlarms(), "replication-latency", "replication-failures", "primary-health");
      expect(await violationsOf(policy, [outage, ...kept])).to.deep.equal([]);
      expectViolations(await violationsOf(policy, [outage, ...without(kept, "primary-probe")]), "the primary endpoint as the DR region's probe sees it");
      // Not in the outage mode, the same stack fails on the three.
      expect(await violationsOf(policy, [manifestParameter(), ...kept])).to.have.length(3);
    });

    it("does not apply to the primary stack", async () => {
      expect(await violationsOf(policy, [manifestParameter(PRIMARY_MANIFEST, { region: PRIMARY_REGION })], undefined, PRIMARY_REGION)).to.deep.equal([]);
    });

    it("fails when one signal has no alarm", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter(), ...without(signalAlarms(), "replica-lag")]),
        "no alarm with an action watches replica lag (AWS/RDS ReplicaLag)",
      );
    });

    it("does not count an alarm without actions", async () => {
      const silent = editing([manifestParameter(), ...signalAlarms()], "replication-failures", (resource) => (resource.props.alarmActions = []));
      expectViolations(await violationsOf(policy, silent), "S3 replication failures (AWS/S3 OperationsFailedReplication)");
    });

    it("does not count an alarm whose actions are disabled", async () => {
      const disabled = editing([manifestParameter(), ...signalAlarms()], "unhealthy-targets", (resource) => (resource.props.actionsEnabled = false));
      expectViolations(await violationsOf(policy, disabled), "unhealthy ALB targets (AWS/ApplicationELB UnHealthyHostCount)");
    });

    it("counts an alarm written with metricQueries", async () => {
      const asQuery = editing([manifestParameter(), ...signalAlarms()], "replication-latency", (resource) => {
        delete resource.props.namespace;
        delete resource.props.metricName;
        resource.props.metricQueries = [
          { id: "latency", returnData: true, metric: { namespace: "AWS/S3", metricName: "ReplicationLatency", period: 60, stat: "Maximum" } },
        ];
      });
      expect(await violationsOf(policy, asQuery)).to.deep.equal([]);
      const otherMetric = editing(
        asQuery,
        "replication-latency",
        (resource) => (resource.props.metricQueries[0].metric.metricName = "BytesPendingReplication"),
      );
      expectViolations(await violationsOf(policy, otherMetric), "S3 replication latency");
    });
  });
});

describe("policy pack: keys and logs", () => {
  describe("kms-key-rotation", () => {
    const policy = "kms-key-rotation";

    it("passes the synthesized DR key", async () => {
      expect(await violationsOf(policy, [drKey()])).to.deep.equal([]);
    });

    it("fails a key without rotation (false or unset)", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing([drKey()], "dr-key-key", (key) => (key.props.enableKeyRotation = false)),
        ),
        "set enableKeyRotation to true",
      );
      expectViolations(
        await violationsOf(
          policy,
          editing([drKey()], "dr-key-key", (key) => delete key.props.enableKeyRotation),
        ),
        "set enableKeyRotation to true",
      );
    });
  });

  describe("kms-key-policy-not-public", () => {
    const policy = "kms-key-policy-not-public";
    const keyWith = (...statements: Json[]) => editing([drKey()], "dr-key-key", (key) => (key.props.policy = JSON.stringify(keyPolicy(...statements))));
    const everyone = (principal: unknown, condition?: Json): Json => ({
      Sid: "Everyone",
      Effect: "Allow",
      Principal: principal,
      Action: "kms:Decrypt",
      Resource: "*",
      ...(condition ? { Condition: condition } : {}),
    });

    it("passes the synthesized key policy ({AWS: '*'} confined by kms:CallerAccount and aws:PrincipalArn)", async () => {
      expect(await violationsOf(policy, [drKey()])).to.deep.equal([]);
    });

    it("passes Principal '*' confined by kms:CallerAccount", async () => {
      expect(await violationsOf(policy, keyWith(everyone("*", { StringEquals: { "kms:CallerAccount": ACCOUNT } })))).to.deep.equal([]);
    });

    it("passes a confining key written in another case (condition keys are case-insensitive)", async () => {
      expect(await violationsOf(policy, keyWith(everyone("*", { StringEquals: { "kms:calleraccount": ACCOUNT } })))).to.deep.equal([]);
    });

    it("passes a '*' principal under StringNotLike '*', which matches no caller", async () => {
      expect(await violationsOf(policy, keyWith(everyone("*", { StringNotLike: { "aws:PrincipalArn": "*" } })))).to.deep.equal([]);
    });

    it("passes a Deny to everyone", async () => {
      expect(await violationsOf(policy, keyWith({ ...everyone("*"), Effect: "Deny" }))).to.deep.equal([]);
    });

    it("fails Principal '*' without a condition", async () => {
      expectViolations(await violationsOf(policy, keyWith(everyone("*"))), "statement Everyone allows everyone (*)");
    });

    it("fails the {AWS: '*'} and {AWS: ['*']} forms without a condition", async () => {
      expectViolations(await violationsOf(policy, keyWith(everyone({ AWS: "*" }))), "statement Everyone allows everyone (*)");
      expectViolations(await violationsOf(policy, keyWith(everyone({ AWS: ["*"] }))), "statement Everyone allows everyone (*)");
    });

    it("fails a '*' principal whose condition does not confine the caller", async () => {
      expectViolations(await violationsOf(policy, keyWith(everyone("*", { Bool: { "aws:SecureTransport": "true" } }))), "allows everyone (*)");
      expectViolations(await violationsOf(policy, keyWith(everyone("*", { Null: { "aws:PrincipalOrgID": "false" } }))), "allows everyone (*)");
      expectViolations(await violationsOf(policy, keyWith(everyone("*", { StringLike: { "aws:PrincipalArn": "*" } }))), "allows everyone (*)");
    });

    it("fails Allow with NotPrincipal, which grants to everyone else", async () => {
      const statement = { Sid: "AllButOne", Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/intruder` }, Action: "kms:*", Resource: "*" };
      expectViolations(await violationsOf(policy, keyWith(statement)), "statement AllButOne allows everyone (Allow with NotPrincipal)");
    });
  });

  describe("sns-topic-encrypted", () => {
    const policy = "sns-topic-encrypted";
    const topic = (props: Json): FixtureResource => ({ type: TYPES.snsTopic, name: "dr-notifications", props: { name: "dr-notifications", ...props } });

    it("passes a topic encrypted with the region's key", async () => {
      expect(await violationsOf(policy, [topic({ kmsMasterKeyId: DR_KEY_ARN })])).to.deep.equal([]);
    });

    it("fails an unencrypted topic", async () => {
      expectViolations(await violationsOf(policy, [topic({})]), "set kmsMasterKeyId");
    });
  });

  describe("state-machine-logging and state-machine-tracing", () => {
    const stateMachine = (edit: (props: Json) => void = () => {}): FixtureResource[] =>
      editing(
        [
          {
            type: TYPES.stateMachine,
            name: "failover-workflow",
            props: {
              roleArn: `arn:aws:iam::${ACCOUNT}:role/failover-workflow-role`,
              definition: JSON.stringify({ StartAt: "Promote", States: { Promote: { Type: "Pass", End: true } } }),
              loggingConfiguration: {
                level: "ALL",
                includeExecutionData: true,
                logDestination: `arn:aws:logs:${DR_REGION}:${ACCOUNT}:log-group:/dr/failover:*`,
              },
              tracingConfiguration: { enabled: true },
            },
          },
        ],
        "failover-workflow",
        (resource) => edit(resource.props),
      );

    it("passes a state machine logging ALL events to a log group, with tracing", async () => {
      expect(await violationsOf("state-machine-logging", stateMachine())).to.deep.equal([]);
      expect(await violationsOf("state-machine-tracing", stateMachine())).to.deep.equal([]);
    });

    it("passes logging level ERROR", async () => {
      expect(
        await violationsOf(
          "state-machine-logging",
          stateMachine((props) => (props.loggingConfiguration.level = "ERROR")),
        ),
      ).to.deep.equal([]);
    });

    it("fails logging level OFF", async () => {
      expectViolations(
        await violationsOf(
          "state-machine-logging",
          stateMachine((props) => (props.loggingConfiguration.level = "OFF")),
        ),
        'loggingConfiguration.level is "OFF"',
      );
    });

    it("fails logging without a destination", async () => {
      expectViolations(
        await violationsOf(
          "state-machine-logging",
          stateMachine((props) => delete props.loggingConfiguration.logDestination),
        ),
        "loggingConfiguration.logDestination must name a CloudWatch log group",
      );
    });

    it("fails tracing disabled or unset", async () => {
      expectViolations(
        await violationsOf(
          "state-machine-tracing",
          stateMachine((props) => (props.tracingConfiguration.enabled = false)),
        ),
        "set tracingConfiguration.enabled to true",
      );
      expectViolations(
        await violationsOf(
          "state-machine-tracing",
          stateMachine((props) => delete props.tracingConfiguration),
        ),
        "set tracingConfiguration.enabled to true",
      );
    });
  });

  describe("log-group-retention", () => {
    const policy = "log-group-retention";
    const logGroup = (edit: (props: Json) => void) => editing([flowLogGroup()], "dr-network-flow-logs", (resource) => edit(resource.props));

    it("passes the synthesized flow-log group (365 days, the region's key)", async () => {
      expect(await violationsOf(policy, [flowLogGroup()])).to.deep.equal([]);
    });

    it("passes retention 0 or unset, which never expires", async () => {
      expect(
        await violationsOf(
          policy,
          logGroup((props) => (props.retentionInDays = 0)),
        ),
      ).to.deep.equal([]);
      expect(
        await violationsOf(
          policy,
          logGroup((props) => delete props.retentionInDays),
        ),
      ).to.deep.equal([]);
    });

    it("fails 90 days against the default minimum of 365", async () => {
      expectViolations(
        await violationsOf(
          policy,
          logGroup((props) => (props.retentionInDays = 90)),
        ),
        "retentionInDays is 90: keep at least 365 days",
      );
    });

    it("uses a custom minimumRetentionDays", async () => {
      expect(
        await violationsOf(
          policy,
          logGroup((props) => (props.retentionInDays = 90)),
          { minimumRetentionDays: 30 },
        ),
      ).to.deep.equal([]);
      expectViolations(
        await violationsOf(
          policy,
          logGroup((props) => (props.retentionInDays = 7)),
          { minimumRetentionDays: 30 },
        ),
        "retentionInDays is 7: keep at least 30 days",
      );
    });

    it("fails an unencrypted log group", async () => {
      expectViolations(
        await violationsOf(
          policy,
          logGroup((props) => delete props.kmsKeyId),
        ),
        "set kmsKeyId to the region's KMS key",
      );
    });
  });

  describe("alarm-actions", () => {
    const policy = "alarm-actions";
    const replicaLag = (edit: (props: Json) => void = () => {}) =>
      editing([alarm("replica-lag", "AWS/RDS", "ReplicaLag")], "replica-lag", (resource) => edit(resource.props));

    it("passes an alarm that notifies the DR topic", async () => {
      expect(await violationsOf(policy, replicaLag())).to.deep.equal([]);
    });

    it("fails an alarm with actions disabled", async () => {
      expectViolations(
        await violationsOf(
          policy,
          replicaLag((props) => (props.actionsEnabled = false)),
        ),
        "actionsEnabled is false",
      );
    });

    it("fails an alarm with no alarmActions (empty or unset)", async () => {
      expectViolations(
        await violationsOf(
          policy,
          replicaLag((props) => (props.alarmActions = [])),
        ),
        "alarmActions is empty",
      );
      expectViolations(
        await violationsOf(
          policy,
          replicaLag((props) => delete props.alarmActions),
        ),
        "alarmActions is empty",
      );
    });
  });
});

describe("policy pack: recovery", () => {
  describe("dr-recovery-objectives-declared", () => {
    const policy = "dr-recovery-objectives-declared";

    it("passes the DR manifest and the primary's manifest", async () => {
      expect(await violationsOf(policy, [manifestParameter()])).to.deep.equal([]);
      expect(
        await violationsOf(policy, [manifestParameter(PRIMARY_MANIFEST, { name: "/multi-region-dr/primary/recovery-manifest" })], undefined, PRIMARY_REGION),
      ).to.deep.equal([]);
    });

    it("fails a stack with no manifest", async () => {
      expectViolations(await violationsOf(policy, [drKey()]), "the stack has 0 recovery manifests");
    });

    it("fails a stack with two manifests", async () => {
      const second = manifestParameter(DR_MANIFEST, { resourceName: "recovery-parameter-2", name: "/multi-region-dr/dr-copy/recovery-manifest" });
      expectViolations(await violationsOf(policy, [manifestParameter(), second]), "the stack has 2 recovery manifests");
    });

    it("ignores SSM parameters with other names", async () => {
      const other = manifestParameter("not a manifest", { resourceName: "notes", name: "/multi-region-dr/dr/notes" });
      expect(await violationsOf(policy, [manifestParameter(), other])).to.deep.equal([]);
    });

    it("fails a manifest that is not JSON", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter("{rtoSeconds: 900")]),
        "recovery-parameter: the recovery manifest is invalid: is not JSON",
      );
    });

    it("fails a manifest that does not match the schema", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter(drManifest((manifest) => delete manifest.rtoSeconds))]),
        "the recovery manifest is invalid: rtoSeconds:",
      );
      const badArn = drManifest((manifest) => (manifest.primary.dbArn = "primary-db-instance-9cb3a42d"));
      expectViolations(await violationsOf(policy, [manifestParameter(badArn)]), "primary.dbArn: must be an RDS DB instance or DB cluster ARN");
    });

    it("fails a DR manifest without primary", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter(drManifest((manifest) => delete manifest.primary))]),
        "primary: a DR stack's manifest must hold the primary's outputs",
      );
    });

    it("fails a primary manifest that carries a primary block (it would be compared with itself)", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter(drManifest((manifest) => (manifest.role = "primary")))]),
        "primary: only a DR stack's manifest holds a primary's outputs",
      );
    });

    it("fails a manifest that declares another region than the one it lives in", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter(drManifest((manifest) => (manifest.region = "eu-west-1")))]),
        "declares region eu-west-1 but lives in us-west-2",
      );
    });

    it("fails an RTO or RPO over the default maximums (14400 s, 3600 s), which leave room for backup-restore", async () => {
      const slowRto = drManifest((manifest) => (manifest.rtoSeconds = manifest.primary.rtoSeconds = 14401));
      expectViolations(await violationsOf(policy, [manifestParameter(slowRto)]), "declared RTO 14401 s exceeds the organization's target of 14400 s");
      const oldRpo = drManifest((manifest) => (manifest.rpoSeconds = manifest.primary.rpoSeconds = 3601));
      expectViolations(await violationsOf(policy, [manifestParameter(oldRpo)]), "declared RPO 3601 s exceeds the organization's target of 3600 s");
      const backupRestore = drManifest((manifest) => {
        manifest.rtoSeconds = manifest.primary.rtoSeconds = 14400;
        manifest.rpoSeconds = manifest.primary.rpoSeconds = 3600;
      });
      expect(await violationsOf(policy, [manifestParameter(backupRestore)])).to.deep.equal([]);
    });

    it("applies custom maximums", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter()], { maximumRtoSeconds: 600 }),
        "declared RTO 900 s exceeds the organization's target of 600 s",
      );
      expectViolations(
        await violationsOf(policy, [manifestParameter()], { maximumRpoSeconds: 30 }),
        "declared RPO 60 s exceeds the organization's target of 30 s",
      );
      expect(await violationsOf(policy, [manifestParameter()], { maximumRtoSeconds: 900, maximumRpoSeconds: 60 })).to.deep.equal([]);
    });

    it("fails an RTO or RPO different from the primary's", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter(drManifest((manifest) => (manifest.primary.rtoSeconds = 600)))]),
        "but its primary declares 600 s / 60 s",
      );
      expectViolations(
        await violationsOf(policy, [manifestParameter(drManifest((manifest) => (manifest.rpoSeconds = 30)))]),
        "declares RTO 900 s / RPO 30 s but its primary declares 900 s / 60 s",
      );
    });

    it("fails a DR manifest in the primary's region", async () => {
      const sameRegion = drManifest((manifest) => (manifest.region = PRIMARY_REGION));
      expectViolations(
        await violationsOf(policy, [manifestParameter(sameRegion)], undefined, PRIMARY_REGION),
        "the DR stack is in its primary's region us-east-1",
      );
    });
  });

  describe("dr-replica-wiring", () => {
    const policy = "dr-replica-wiring";
    const stack = (edit: (props: Json) => void = () => {}) => editing([manifestParameter(), replica()], "dr-db-instance", (resource) => edit(resource.props));

    it("passes the synthesized replica of the primary database", async () => {
      expect(await violationsOf(policy, stack())).to.deep.equal([]);
    });

    it("passes the primary stack, which has no replica", async () => {
      expect(await violationsOf(policy, [manifestParameter(PRIMARY_MANIFEST)], undefined, PRIMARY_REGION)).to.deep.equal([]);
    });

    it("fails a source named by identifier rather than ARN (and so not the primary's, which then has no replica)", async () => {
      expectViolations(
        await violationsOf(
          policy,
          stack((props) => (props.replicateSourceDb = "primary-db-instance-9cb3a42d")),
        ),
        "replicateSourceDb primary-db-instance-9cb3a42d is not an ARN",
        "is not the primary's database",
        "has 0 replicas in this DR stack",
      );
    });

    it("fails a replica in its source's region", async () => {
      const sameRegion = editing(
        stack((props) => (props.kmsKeyId = PRIMARY_KEY_ARN)),
        "dr-db-instance",
        (resource) => (resource.region = PRIMARY_REGION),
      );
      expectViolations(await violationsOf(policy, sameRegion), "dr-db-instance: the replica and its source are both in us-east-1");
    });

    it("fails a replica without kmsKeyId, and passes one with kmsKeyId and no storageEncrypted (ignored on cross-region replicas)", async () => {
      expectViolations(
        await violationsOf(
          policy,
          stack((props) => delete props.kmsKeyId),
        ),
        "must be encrypted with a KMS key of us-west-2",
      );
      expect(
        await violationsOf(
          policy,
          stack((props) => delete props.storageEncrypted),
        ),
      ).to.deep.equal([]);
    });

    it("fails a replica encrypted with a key of the primary region", async () => {
      expectViolations(
        await violationsOf(
          policy,
          stack((props) => (props.kmsKeyId = PRIMARY_KEY_ARN)),
        ),
        "kmsKeyId is a key of us-east-1; a cross-region replica needs a key of its own region us-west-2",
      );
    });

    it("fails a replica of another database than the manifest's primary", async () => {
      const other = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:legacy-db`;
      expectViolations(
        await violationsOf(
          policy,
          stack((props) => (props.replicateSourceDb = other)),
        ),
        `replicateSourceDb ${other} is not the primary's database ${PRIMARY_DB_ARN}`,
        "has 0 replicas",
      );
    });

    it("fails a smaller instance class, or one of another family", async () => {
      expectViolations(
        await violationsOf(
          policy,
          stack((props) => (props.instanceClass = "db.t4g.small")),
        ),
        "instance class db.t4g.small is smaller than or of another family than the primary's db.t4g.medium",
      );
      expectViolations(
        await violationsOf(
          policy,
          stack((props) => (props.instanceClass = "db.r6g.large")),
        ),
        "instance class db.r6g.large",
      );
    });

    it("passes a larger instance class of the same family", async () => {
      expect(
        await violationsOf(
          policy,
          stack((props) => (props.instanceClass = "db.t4g.large")),
        ),
      ).to.deep.equal([]);
    });

    it("fails storage below the primary's", async () => {
      expectViolations(
        await violationsOf(
          policy,
          stack((props) => (props.allocatedStorage = 20)),
        ),
        "allocatedStorage 20 GiB is below the primary's 50 GiB",
      );
    });

    it("fails a DR stack with no replica, or with two", async () => {
      expectViolations(
        await violationsOf(policy, [manifestParameter()]),
        `the primary database ${PRIMARY_DB_ARN} has 0 replicas in this DR stack; it needs exactly one`,
      );
      const second = copyOf(replica());
      second.name = "dr-db-instance-2";
      expectViolations(await violationsOf(policy, [...stack(), second]), "has 2 replicas");
    });
  });

  describe("dr-capacity-parity", () => {
    const policy = "dr-capacity-parity";
    const stack = () => [manifestParameter(), autoScalingGroup(), launchTemplate()];

    it("passes a DR app tier that can reach the primary's 6 t3.small instances", async () => {
      expect(await violationsOf(policy, stack())).to.deep.equal([]);
    });

    it("does not apply without the primary's outputs in a manifest", async () => {
      const small = editing(without(stack(), "recovery-parameter"), "dr-app-asg", (group) => (group.props.maxSize = 1));
      expect(await violationsOf(policy, small)).to.deep.equal([]);
    });

    it("fails a maximum size below the primary's", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-app-asg", (group) => (group.props.maxSize = 4)),
        ),
        "can reach 4 instances, below the primary's maximum 6",
      );
    });

    it("fails a DR stack with no Auto Scaling Group", async () => {
      expectViolations(await violationsOf(policy, without(stack(), "dr-app-asg")), "can reach 0 instances");
    });

    it("fails a launch template of another instance type", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-app-lt", (template) => (template.props.instanceType = "t3.micro")),
        ),
        "dr-app-lt: instance type t3.micro differs from the primary's t3.small",
      );
    });
  });

  describe("dr-region-isolation", () => {
    const policy = "dr-region-isolation";
    const stack = () => [manifestParameter(), drKey(), replica(), flowLogGroup(), launchTemplate(), replicationConfig(), replicationPolicy()];

    it("passes the DR stack: the replica's source and the manifest may name the primary region; global IAM and primary-region resources are skipped", async () => {
      expect(await violationsOf(policy, stack())).to.deep.equal([]);
    });

    it("passes the manifest stored in value rather than insecureValue", async () => {
      const inValue = editing(stack(), "recovery-parameter", (parameter) => {
        parameter.props.value = parameter.props.insecureValue;
        delete parameter.props.insecureValue;
      });
      expect(await violationsOf(policy, inValue)).to.deep.equal([]);
    });

    it("fails a DR log group using a us-east-1 key", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-network-flow-logs", (group) => (group.props.kmsKeyId = PRIMARY_KEY_ARN)),
        ),
        `dr-network-flow-logs: kmsKeyId uses ${PRIMARY_KEY_ARN} of us-east-1; use a resource of us-west-2`,
      );
    });

    it("fails a nested reference (a launch template's volume key)", async () => {
      const broken = editing(stack(), "dr-app-lt", (template) => (template.props.blockDeviceMappings[0].ebs.kmsKeyId = PRIMARY_KEY_ARN));
      expectViolations(await violationsOf(policy, broken), "dr-app-lt: blockDeviceMappings[0].ebs.kmsKeyId uses");
    });

    it("fails an ARN of the primary region inside a JSON document", async () => {
      const topic = `arn:aws:sns:${PRIMARY_REGION}:${ACCOUNT}:primary-notifications`;
      const workflow: FixtureResource = {
        type: TYPES.stateMachine,
        name: "failover-workflow",
        props: {
          definition: JSON.stringify({
            StartAt: "Notify",
            States: { Notify: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: topic }, End: true } },
          }),
        },
      };
      expectViolations(await violationsOf(policy, [...stack(), workflow]), `failover-workflow: definition uses ${topic} of us-east-1`);
    });

    it("allows only the replica's replicateSourceDb: its performanceInsightsKmsKeyId may not be a primary key", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-db-instance", (db) => (db.props.performanceInsightsKmsKeyId = PRIMARY_KEY_ARN)),
        ),
        "performanceInsightsKmsKeyId uses",
      );
    });

    it("allows only the manifest: another parameter holding the same value is flagged for each regional ARN", async () => {
      const copy = manifestParameter(DR_MANIFEST, { resourceName: "notes", name: "/multi-region-dr/dr/notes" });
      const messages = await violationsOf(policy, [...stack(), copy]);
      expectViolations(
        messages,
        `notes: insecureValue uses ${PRIMARY_KEY_ARN}`,
        "loadbalancer/app/primary-app-alb",
        "targetgroup/primary-app-tg",
        PRIMARY_DB_ARN,
        "function:multi-region-dr-primary-primary-heartbeat",
        "secret:multi-region-dr-primary-primary/app/database-credentials-",
        "sns:us-east-1:123456789012:multi-region-dr-primary-primary-dr-monitoring-heartbeat",
        "key/345c7890-0bbc-b133-1a13-e0a728a2e342",
      );
    });

    it("skips a resource the DR stack places in the primary region only when the manifest names the home region", async () => {
      const noManifest = without(stack(), "recovery-parameter");
      expectViolations(
        await violationsOf(policy, noManifest),
        `replication-config: rules[0].destination.encryptionConfiguration.replicaKmsKeyId uses ${DR_KEY_ARN} of us-west-2; use a resource of us-east-1`,
      );
    });
  });

  describe("stateful-resources-protected", () => {
    const policy = "stateful-resources-protected";
    const stack = () => [replica(), dataBucket(), drKey()];

    it("passes a protected replica, bucket and key", async () => {
      expect(await violationsOf(policy, stack())).to.deep.equal([]);
    });

    it("fails a stateful resource without protect", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-data", (bucket) => (bucket.protect = false)),
        ),
        "dr-data: is not Pulumi-protected (protect: true)",
      );
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-key-key", (key) => (key.protect = false)),
        ),
        "dr-key-key: is not Pulumi-protected",
      );
    });

    it("accepts the RetainOnDelete tag instead of protect only on a key or vault outside the stack's region (what the DR stack retains there)", async () => {
      const withManifest = () => [manifestParameter(), ...stack()];
      const tagged = (resources: FixtureResource[], name: string, region?: string) =>
        editing(resources, name, (resource) => {
          resource.protect = false;
          resource.props.tags = { ...(resource.props.tags ?? {}), RetainOnDelete: "true" };
          if (region) resource.region = region;
        });
      // A key of the primary region, retained on delete by the DR stack: accepted.
      expect(await violationsOf(policy, tagged(withManifest(), "dr-key-key", PRIMARY_REGION))).to.deep.equal([]);
      // The same tag on the DR region's own key, or on a database or a bucket: not a substitute for protect.
      expectViolations(await violationsOf(policy, tagged(withManifest(), "dr-key-key")), "dr-key-key: is not Pulumi-protected");
      expectViolations(await violationsOf(policy, tagged(withManifest(), "dr-data", PRIMARY_REGION)), "dr-data: is not Pulumi-protected");
    });

    it("fails a database without deletionProtection", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-db-instance", (db) => (db.props.deletionProtection = false)),
        ),
        "dr-db-instance: has no deletionProtection",
      );
    });

    /** The DR database once promoted: no source link, a final snapshot like a primary's. */
    const promoted = (db: FixtureResource & { props: Json }) => {
      delete db.props.replicateSourceDb;
      db.props.skipFinalSnapshot = false;
      db.props.finalSnapshotIdentifier = "multi-region-dr-dr-db-final";
    };

    it("passes a promoted DR database with its final snapshot", async () => {
      expect(await violationsOf(policy, editing(stack(), "dr-db-instance", promoted))).to.deep.equal([]);
    });

    it("fails a standalone (promoted) database that skips its final snapshot, or has no finalSnapshotIdentifier", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-db-instance", (db) => {
            promoted(db);
            db.props.skipFinalSnapshot = true;
          }),
        ),
        "dr-db-instance: skips the final snapshot",
      );
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-db-instance", (db) => {
            promoted(db);
            delete db.props.finalSnapshotIdentifier;
          }),
        ),
        "has no finalSnapshotIdentifier",
      );
    });

    it("fails a read replica that asks for a final snapshot, which RDS refuses on delete (the program's old settings)", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-db-instance", (db) => {
            db.props.skipFinalSnapshot = false;
            db.props.finalSnapshotIdentifier = "multi-region-dr-dr-db-final";
          }),
        ),
        "dr-db-instance: is a read replica without skipFinalSnapshot, so deleting it fails",
        "dr-db-instance: is a read replica with a finalSnapshotIdentifier, which RDS refuses on delete",
      );
    });

    it("fails a bucket with forceDestroy", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-data", (bucket) => (bucket.props.forceDestroy = true)),
        ),
        "dr-data: has forceDestroy",
      );
    });

    it("fails a key with a 7-day deletion window", async () => {
      expectViolations(
        await violationsOf(
          policy,
          editing(stack(), "dr-key-key", (key) => (key.props.deletionWindowInDays = 7)),
        ),
        "dr-key-key: has a deletion window under 30 days",
      );
    });
  });

  describe("allowed-regions", () => {
    const policy = "allowed-regions";
    const iamRole: FixtureResource = { type: TYPES.iamRole, name: "dr-app-instance-role", props: { name: "dr-app-instance-role" } };
    const stack = () => [manifestParameter(), drKey(), flowLogGroup(), replicationConfig(), iamRole];

    it("allows every region with the default empty list", async () => {
      expect(await violationsOf(policy, stack())).to.deep.equal([]);
    });

    it("passes when both regions are allowed", async () => {
      expect(await violationsOf(policy, stack(), { regions: [PRIMARY_REGION, DR_REGION] })).to.deep.equal([]);
    });

    it("flags the us-west-2 resources when only us-east-1 is allowed, not the global IAM role", async () => {
      const messages = await violationsOf(policy, stack(), { regions: [PRIMARY_REGION] });
      expectViolations(messages, "provider-us-west-2, recovery-parameter, dr-key-key and 1 more: region us-west-2 is not allowed (us-east-1)");
      expect(messages[0]).not.to.include("dr-app-instance-role");
    });

    it("flags a resource placed in a disallowed region by its own region property", async () => {
      expectViolations(await violationsOf(policy, stack(), { regions: [DR_REGION] }), "replication-config: region us-east-1 is not allowed (us-west-2)");
    });
  });
});
