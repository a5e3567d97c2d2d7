/**
 * The monthly cost estimate on hand-written plans: each expectation is worked out here from the
 * price table's numbers (quantity x unit price x 730 hours), not by calling the code under test.
 */
import { expect } from "chai";
import { completeRegion } from "../fixtures/prices";
import { estimateMonthlyCost, type CostEstimate, type CostLine } from "../../cost/estimate";
import { PRICE_TABLE, type PriceTable } from "../../cost/priceTable";
import type { PlannedResource } from "../../synth/recordStack";
import { notPricedOf, onlyNotPriced, planned, planOf } from "../fixtures/plannedResources";

const HOURS = 730;
const EAST = completeRegion("us-east-1");
const WEST = completeRegion("us-west-2");

/** The lines of one resource whose description contains `text`. */
function linesOf(estimate: CostEstimate, resourceName: string, text = ""): CostLine[] {
  return estimate.lines.filter((line) => line.resourceName === resourceName && line.description.includes(text));
}

function monthlyOf(estimate: CostEstimate, resourceName: string, text = ""): number {
  const lines = linesOf(estimate, resourceName, text);
  expect(lines, `${resourceName} lines with "${text}"`).to.have.length.above(0);
  return lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
}

/** An app tier: a launch template of `instanceType` with a 20 GiB gp3 root volume and detailed monitoring, and its group. */
function appTier(instanceType: string, desiredCapacity: number, region = "us-east-1"): PlannedResource[] {
  return [
    planned(
      "aws:ec2/launchTemplate:LaunchTemplate",
      "app-lt",
      { instanceType, monitoring: { enabled: true }, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, volumeType: "gp3" } }] },
      { region, id: "app-lt-1234" },
    ),
    planned(
      "aws:autoscaling/group:Group",
      "app-asg",
      { desiredCapacity, minSize: desiredCapacity, maxSize: 6, launchTemplate: { id: "app-lt-1234", version: "1" } },
      { region },
    ),
  ];
}

function database(inputs: Record<string, unknown>, region = "us-east-1", name = "db"): PlannedResource {
  return planned("aws:rds/instance:Instance", name, { instanceClass: "db.t4g.medium", storageType: "gp3", ...inputs }, { region });
}

const closeTo = (actual: number, expected: number) => expect(actual).to.be.closeTo(expected, 1e-9);

describe("cost estimate", () => {
  describe("hand-worked examples", () => {
    it("prices 2 x t3.small for 730 h, their 20 GiB gp3 volumes and 7 detailed-monitoring metrics each", () => {
      const estimate = estimateMonthlyCost(planOf(appTier("t3.small", 2)));
      const t3Small = EAST.ec2InstanceHour["t3.small"].usd;
      closeTo(monthlyOf(estimate, "app-asg", "2 x t3.small on-demand, 730 h"), 2 * HOURS * t3Small);
      closeTo(monthlyOf(estimate, "app-asg", "20 GiB gp3"), 2 * 20 * EAST.ebsGp3GibMonth.usd);
      closeTo(monthlyOf(estimate, "app-asg", "detailed-monitoring"), 2 * 7 * EAST.cloudwatchMetricMonth.usd);
      expect(linesOf(estimate, "app-asg", "t3.small")[0]).to.include({ quantity: 1460, unit: "instance-hour", unitPriceUsd: t3Small, region: "us-east-1" });
      expect(linesOf(estimate, "app-lt")).to.have.length(0);
    });

    it("costs nothing for an Auto Scaling group scaled to 0 (its lines stay, at $0)", () => {
      const estimate = estimateMonthlyCost(planOf(appTier("t3.small", 0)));
      expect(linesOf(estimate, "app-asg")).to.have.length(3);
      expect(linesOf(estimate, "app-asg").map((line) => line.monthlyUsd)).to.deep.equal([0, 0, 0]);
      expect(estimate.totalMonthlyUsd).to.equal(0);
    });

    it("doubles a Multi-AZ db.t4g.medium and its 50 GiB of gp3, and adds the managed password's secret", () => {
      const estimate = estimateMonthlyCost(planOf([database({ engine: "postgres", multiAz: true, allocatedStorage: 50, manageMasterUserPassword: true })]));
      const single = EAST.rdsInstanceHour.postgres["db.t4g.medium"].singleAz.usd;
      const storage = EAST.rdsGp3StorageGibMonth.singleAz.usd;
      closeTo(monthlyOf(estimate, "db", "db.t4g.medium postgres Multi-AZ, 730 h"), HOURS * 2 * single);
      closeTo(monthlyOf(estimate, "db", "50 GiB gp3 storage, Multi-AZ"), 50 * 2 * storage);
      closeTo(monthlyOf(estimate, "db", "Secrets Manager"), EAST.secretsManagerSecretMonth.usd);
      closeTo(estimate.totalMonthlyUsd, HOURS * 2 * single + 50 * 2 * storage + EAST.secretsManagerSecretMonth.usd);
    });

    it("prices a Single-AZ MySQL instance without doubling and without a secret", () => {
      const estimate = estimateMonthlyCost(planOf([database({ engine: "mysql", multiAz: false, allocatedStorage: 20 })]));
      closeTo(monthlyOf(estimate, "db", "db.t4g.medium mysql Single-AZ, 730 h"), HOURS * EAST.rdsInstanceHour.mysql["db.t4g.medium"].singleAz.usd);
      closeTo(monthlyOf(estimate, "db", "20 GiB"), 20 * EAST.rdsGp3StorageGibMonth.singleAz.usd);
      expect(linesOf(estimate, "db", "Secrets Manager")).to.have.length(0);
    });

    it("prices NAT OnePerAz x 3 zones as 3 gateways and 3 public IPv4 addresses for 730 h", () => {
      const vpc = planned("awsx:ec2:Vpc", "vpc", { natGateways: { strategy: "OnePerAz" }, numberOfAvailabilityZones: 3 }, { custom: false });
      const estimate = estimateMonthlyCost(planOf([vpc]));
      closeTo(monthlyOf(estimate, "vpc", "3 x NAT gateway"), 3 * HOURS * EAST.natGatewayHour.usd);
      closeTo(monthlyOf(estimate, "vpc", "3 x public IPv4"), 3 * HOURS * EAST.publicIpv4AddressHour.usd);
      expect(estimate.usageBased.map((usage) => usage.unit)).to.deep.equal(["NAT gateway data processed, per GB (plus data transfer out)"]);
    });

    it("prices NAT Single as one gateway and NAT None as nothing, not even data processing", () => {
      const single = estimateMonthlyCost(
        planOf([planned("awsx:ec2:Vpc", "vpc", { natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 2 }, { custom: false })]),
      );
      closeTo(single.totalMonthlyUsd, HOURS * (EAST.natGatewayHour.usd + EAST.publicIpv4AddressHour.usd));
      const none = estimateMonthlyCost(
        planOf([planned("awsx:ec2:Vpc", "vpc", { natGateways: { strategy: "None" }, numberOfAvailabilityZones: 2 }, { custom: false })]),
      );
      expect(none.lines).to.have.length(0);
      expect(none.usageBased).to.have.length(0);
    });

    it("prices an EKS control plane (standard support) and a managed node group of 2 x t3.medium with 20 GiB root volumes", () => {
      const cluster = planned(
        "eks:index:Cluster",
        "eks",
        { version: "1.35", skipDefaultNodeGroup: true, upgradePolicy: { supportType: "STANDARD" } },
        { custom: false },
      );
      const nodes = planned(
        "eks:index:ManagedNodeGroup",
        "nodes",
        { instanceTypes: ["t3.medium"], scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 3 }, cluster: { resourceReference: "eks:index:Cluster" } },
        { custom: false },
      );
      const estimate = estimateMonthlyCost(planOf([cluster, nodes]));
      closeTo(monthlyOf(estimate, "eks"), HOURS * EAST.eksClusterHour.standardSupport.usd);
      closeTo(monthlyOf(estimate, "nodes", "2 x t3.medium"), 2 * HOURS * EAST.ec2InstanceHour["t3.medium"].usd);
      closeTo(monthlyOf(estimate, "nodes", "20 GiB"), 2 * 20 * EAST.ebsGp3GibMonth.usd);
      closeTo(
        estimate.totalMonthlyUsd,
        HOURS * EAST.eksClusterHour.standardSupport.usd + 2 * HOURS * EAST.ec2InstanceHour["t3.medium"].usd + 2 * 20 * EAST.ebsGp3GibMonth.usd,
      );
    });

    it("prices an internet-facing ALB with a public IPv4 address per subnet, an internal one without, and lists LCUs as usage", () => {
      const publicAlb = planned("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", internal: false, subnets: ["a", "b", "c"] });
      const internalAlb = planned("aws:lb/loadBalancer:LoadBalancer", "internal-alb", { loadBalancerType: "application", internal: true, subnets: ["a", "b"] });
      const estimate = estimateMonthlyCost(planOf([publicAlb, internalAlb]));
      closeTo(monthlyOf(estimate, "alb"), HOURS * EAST.applicationLoadBalancerHour.usd + 3 * HOURS * EAST.publicIpv4AddressHour.usd);
      closeTo(monthlyOf(estimate, "internal-alb"), HOURS * EAST.applicationLoadBalancerHour.usd);
      expect(estimate.usageBased.filter((usage) => usage.unit.startsWith("Load Balancer Capacity Unit hours"))).to.have.length(2);
    });

    it("prices a Route 53 health check of an AWS endpoint with a fast interval and latency measurement as basic + 2 options", () => {
      const global = PRICE_TABLE.global;
      const check = planned(
        "aws:route53/healthCheck:HealthCheck",
        "check",
        { type: "HTTP", fqdn: "primary-app-alb-1.us-east-1.elb.amazonaws.com", port: 80, requestInterval: 10, measureLatency: true },
        { region: "global" },
      );
      const other = planned(
        "aws:route53/healthCheck:HealthCheck",
        "other",
        { type: "HTTPS_STR_MATCH", ipAddress: "192.0.2.10", port: 443, requestInterval: 30, searchString: "ok" },
        { region: "global" },
      );
      const estimate = estimateMonthlyCost(planOf([check, other]));
      closeTo(monthlyOf(estimate, "check"), global.route53HealthCheckMonth.awsEndpoint.usd + 2 * global.route53HealthCheckOptionMonth.awsEndpoint.usd);
      closeTo(monthlyOf(estimate, "other"), global.route53HealthCheckMonth.otherEndpoint.usd + 2 * global.route53HealthCheckOptionMonth.otherEndpoint.usd);
      expect(linesOf(estimate, "check", "fast 10 s interval, latency measurement")).to.have.length(1);
    });

    it("prices a Region switch plan per month, a web ACL with each of its rules, and lists FIS templates, distributions and global datastores as usage", () => {
      const global = PRICE_TABLE.global;
      const estimate = estimateMonthlyCost(
        planOf([
          planned("aws:arcregionswitch/plan:Plan", "plan", { name: "dr-plan" }, { region: "global" }),
          planned(
            "aws:wafv2/webAcl:WebAcl",
            "acl",
            { name: "edge", scope: "CLOUDFRONT", rules: [{ name: "a" }, { name: "b" }, { name: "c" }] },
            { region: "us-east-1" },
          ),
          planned("aws:fis/experimentTemplate:ExperimentTemplate", "fault", { description: "pause" }),
          planned("aws:cloudfront/distribution:Distribution", "edge", { enabled: true }, { region: "us-east-1" }),
        ]),
      );
      closeTo(monthlyOf(estimate, "plan", "ARC Region switch plan dr-plan"), global.arcRegionSwitchPlanMonth.usd);
      closeTo(monthlyOf(estimate, "acl"), global.wafWebAclMonth.usd + 3 * global.wafRuleMonth.usd);
      expect(linesOf(estimate, "fault")).to.have.length(0);
      expect(estimate.usageBased.map((usage) => usage.resourceName)).to.include.members(["fault", "edge", "acl"]);
      expect(estimate.unpriced).to.have.length(0);
    });

    it("prices ElastiCache nodes per node-hour by engine (Valkey below Redis OSS) and node type; a global datastore's secondary from the manifest's primary cache", () => {
      const manifest = { primary: { cache: { engine: "valkey", nodeType: "cache.m7g.large", shards: 2 } } };
      const estimate = estimateMonthlyCost(
        planOf([
          planned("aws:elasticache/replicationGroup:ReplicationGroup", "valkey", { engine: "valkey", nodeType: "cache.m7g.large", numCacheClusters: 2 }),
          planned("aws:elasticache/replicationGroup:ReplicationGroup", "redis", {
            engine: "redis",
            nodeType: "cache.m7g.large",
            numNodeGroups: 3,
            replicasPerNodeGroup: 1,
          }),
          planned(
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "secondary",
            { globalReplicationGroupId: "ldgnf-x", replicasPerNodeGroup: 2, clusterMode: "enabled" },
            { region: "us-west-2" },
          ),
          planned("aws:ssm/parameter:Parameter", "manifest", { name: "/multi-region-dr/dr/recovery-manifest", insecureValue: JSON.stringify(manifest) }),
        ]),
      );
      const valkey = EAST.elasticacheNodeHour.valkey["cache.m7g.large"].usd;
      const redis = EAST.elasticacheNodeHour.redis["cache.m7g.large"].usd;
      expect(valkey).to.be.lessThan(redis);
      closeTo(monthlyOf(estimate, "valkey"), 2 * HOURS * valkey);
      closeTo(monthlyOf(estimate, "redis"), 3 * 2 * HOURS * redis);
      // 2 shards (the primary's) x (1 + 2 replicas) in the DR region.
      closeTo(monthlyOf(estimate, "secondary"), 2 * 3 * HOURS * WEST.elasticacheNodeHour.valkey["cache.m7g.large"].usd);
    });

    it("lists a cache node type without a price, and a secondary with no manifest to inherit from, as not priced", () => {
      const estimate = estimateMonthlyCost(
        planOf([
          planned("aws:elasticache/replicationGroup:ReplicationGroup", "big", { engine: "valkey", nodeType: "cache.r7g.16xlarge", numCacheClusters: 2 }),
          planned("aws:elasticache/replicationGroup:ReplicationGroup", "orphan", { globalReplicationGroupId: "ldgnf-x", numCacheClusters: 2 }),
        ]),
      );
      expect(onlyNotPriced(estimate, "big")).to.match(/no valkey price for cache\.r7g\.16xlarge in us-east-1 .*elasticacheNodeHour\.valkey/);
      expect(onlyNotPriced(estimate, "orphan")).to.match(/no engine or nodeType, and no recovery manifest/);
    });

    it("prices a composite alarm once, however many alarms its rule names", () => {
      const rule = 'ALARM("probe") AND NOT ALARM("fence") AND ALARM("other")';
      const estimate = estimateMonthlyCost(
        planOf([planned("aws:cloudwatch/compositeAlarm:CompositeAlarm", "signal", { alarmName: "signal", alarmRule: rule })]),
      );
      closeTo(monthlyOf(estimate, "signal", "composite alarm signal"), EAST.cloudwatchCompositeAlarmMonth.usd);
      expect(estimate.unpriced).to.have.length(0);
    });

    it("prices hosted zones, keys, standard and high-resolution alarms, target tracking's two alarms and advanced parameters", () => {
      const estimate = estimateMonthlyCost(
        planOf([
          planned("aws:route53/zone:Zone", "public-zone", { name: "dr.example.com" }, { region: "global" }),
          planned("aws:route53/zone:Zone", "private-zone", { name: "app.internal", vpcs: [{ vpcId: "vpc-1" }] }, { region: "global" }),
          planned("aws:kms/key:Key", "key", { enableKeyRotation: true }),
          planned("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { namespace: "AWS/RDS", metricName: "ReplicaLag", period: 60 }),
          planned("aws:cloudwatch/metricAlarm:MetricAlarm", "fast-alarm", { namespace: "AWS/RDS", metricName: "ReplicaLag", period: 10 }),
          planned("aws:autoscaling/policy:Policy", "target", { policyType: "TargetTrackingScaling" }),
          planned("aws:autoscaling/policy:Policy", "step", { policyType: "StepScaling" }),
          planned("aws:ssm/parameter:Parameter", "standard", { tier: "Standard" }),
          planned("aws:ssm/parameter:Parameter", "advanced", { tier: "Advanced" }),
        ]),
      );
      closeTo(monthlyOf(estimate, "public-zone", "public hosted zone"), PRICE_TABLE.global.route53HostedZoneMonth.usd);
      closeTo(monthlyOf(estimate, "private-zone", "private hosted zone"), PRICE_TABLE.global.route53HostedZoneMonth.usd);
      closeTo(monthlyOf(estimate, "key"), EAST.kmsKeyMonth.usd);
      closeTo(monthlyOf(estimate, "alarm", "standard-resolution"), EAST.cloudwatchAlarmMetricMonth.standardResolution.usd);
      closeTo(monthlyOf(estimate, "fast-alarm", "high-resolution"), EAST.cloudwatchAlarmMetricMonth.highResolution.usd);
      closeTo(monthlyOf(estimate, "target"), 2 * EAST.cloudwatchAlarmMetricMonth.standardResolution.usd);
      expect(linesOf(estimate, "step")).to.have.length(0);
      expect(linesOf(estimate, "standard")).to.have.length(0);
      closeTo(monthlyOf(estimate, "advanced"), EAST.ssmAdvancedParameterMonth.usd);
    });

    it("makes the total the sum of the lines, unrounded", () => {
      const estimate = estimateMonthlyCost(planOf([...appTier("t3.small", 2), database({ engine: "postgres", multiAz: true, allocatedStorage: 50 })]));
      closeTo(
        estimate.totalMonthlyUsd,
        estimate.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceUsd, 0),
      );
      expect(estimate).to.include({ stack: "test", region: "us-east-1", asOf: PRICE_TABLE.asOf });
    });
  });

  describe("DR database shapes", () => {
    const parameters = planned(
      "aws:rds/parameterGroup:ParameterGroup",
      "dr-db-parameters",
      { family: "postgres17" },
      { region: "us-west-2", id: "dr-db-parameters-1" },
    );

    it("prices a cross-region read replica (no engine input) like an instance of its class, engine from its parameter group", () => {
      const replica = database(
        {
          multiAz: true,
          allocatedStorage: 50,
          parameterGroupName: "dr-db-parameters-1",
          replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:primary-db",
          backupRetentionPeriod: 7,
        },
        "us-west-2",
        "replica",
      );
      const estimate = estimateMonthlyCost(planOf([parameters, replica], "us-west-2", "dr"));
      closeTo(
        monthlyOf(estimate, "replica", "db.t4g.medium postgres Multi-AZ read replica"),
        HOURS * WEST.rdsInstanceHour.postgres["db.t4g.medium"].multiAz.usd,
      );
      closeTo(monthlyOf(estimate, "replica", "50 GiB"), 50 * WEST.rdsGp3StorageGibMonth.multiAz.usd);
      const units = estimate.usageBased.filter((usage) => usage.resourceName === "replica").map((usage) => usage.unit);
      expect(units).to.include("replication traffic from us-east-1, per GB transferred across regions");
      expect(units).to.include("automated backup storage beyond 100% of the provisioned storage, per GiB-month");
    });

    it("refuses a replica whose engine it cannot tell, naming the instance", () => {
      const orphan = database(
        { replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:primary-db", parameterGroupName: "elsewhere" },
        "us-west-2",
        "orphan",
      );
      const estimate = estimateMonthlyCost(planOf([orphan], "us-west-2", "dr"));
      expect(estimate.lines).to.have.length(0);
      expect(onlyNotPriced(estimate, "orphan")).to.match(
        /^every fixed charge of the resource: cannot be priced: cannot tell the engine of RDS instance orphan/,
      );
    });

    it("prices a point-in-time restore's instance hours and lists its storage (size from the backup) as usage", () => {
      const restored = database(
        {
          engine: "postgres",
          multiAz: false,
          restoreToPointInTime: { sourceDbInstanceAutomatedBackupsArn: "arn:aws:rds:us-west-2:1:auto-backup:ab-1", useLatestRestorableTime: true },
        },
        "us-west-2",
        "restored",
      );
      const estimate = estimateMonthlyCost(planOf([restored], "us-west-2", "dr"));
      expect(linesOf(estimate, "restored")).to.have.length(1);
      closeTo(monthlyOf(estimate, "restored", "restored to a point in time"), HOURS * WEST.rdsInstanceHour.postgres["db.t4g.medium"].singleAz.usd);
      expect(estimate.usageBased.map((usage) => usage.unit)).to.include("storage, per GiB-month (its size comes from the source and is not in the plan)");
    });

    it("lists replicated automated backups as usage only", () => {
      const replication = planned(
        "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
        "backups",
        { sourceDbInstanceArn: "arn:aws:rds:us-east-1:1:db:primary-db", retentionPeriod: 7 },
        { region: "us-west-2" },
      );
      const estimate = estimateMonthlyCost(planOf([replication], "us-west-2", "dr"));
      expect(estimate.lines).to.have.length(0);
      expect(estimate.usageBased).to.deep.equal([
        {
          resourceName: "backups",
          type: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
          unit: "per GB-month of replicated backup storage in this region and per GB transferred across regions",
        },
      ]);
    });
  });

  describe("monitoring: the Helm release, the dashboard and the admin-password secret", () => {
    const NLB_ANNOTATIONS = { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb", "service.beta.kubernetes.io/aws-load-balancer-internal": "true" };
    const claim = (storage: string) => ({ volumeClaimTemplate: { spec: { storageClassName: "gp3-encrypted", resources: { requests: { storage } } } } });

    /** kube-prometheus-stack values as monitoring/chartValues.ts shapes them: Prometheus 50Gi, Alertmanager 5Gi, Grafana 10Gi behind an internal NLB. */
    function chartValues(
      overrides: {
        prometheus?: string;
        grafanaPersistence?: Record<string, unknown>;
        grafanaService?: Record<string, unknown>;
        prometheusReplicas?: number;
      } = {},
    ): Record<string, unknown> {
      return {
        prometheus: {
          prometheusSpec: {
            storageSpec: claim(overrides.prometheus ?? "50Gi"),
            ...(overrides.prometheusReplicas ? { replicas: overrides.prometheusReplicas } : {}),
          },
        },
        alertmanager: { alertmanagerSpec: { storage: claim("5Gi") } },
        grafana: {
          persistence: overrides.grafanaPersistence ?? { enabled: true, type: "pvc", storageClassName: "gp3-encrypted", size: "10Gi" },
          service: overrides.grafanaService ?? { type: "LoadBalancer", port: 80, annotations: NLB_ANNOTATIONS },
          additionalDataSources: [{ name: "CloudWatch", type: "cloudwatch" }],
        },
      };
    }

    const release = (values: Record<string, unknown>, region = "us-east-1") =>
      planned("kubernetes:helm.sh/v3:Release", "kps", { chart: "kube-prometheus-stack", values }, { region });

    it("prices Prometheus 50Gi + Alertmanager 5Gi + Grafana 10Gi as 65 GiB of gp3 and Grafana's internal NLB for 730 h, NLCUs as usage", () => {
      const estimate = estimateMonthlyCost(planOf([release(chartValues())]));
      // 65 GiB x $0.08 + 730 h x $0.0225 = $5.20 + $16.425 = $21.625
      closeTo(estimate.totalMonthlyUsd, 65 * EAST.ebsGp3GibMonth.usd + HOURS * EAST.networkLoadBalancerHour.usd);
      closeTo(estimate.totalMonthlyUsd, 21.625);
      closeTo(monthlyOf(estimate, "kps", "50 GiB gp3 volume for Prometheus"), 50 * 0.08);
      closeTo(monthlyOf(estimate, "kps", "5 GiB gp3 volume for Alertmanager"), 5 * 0.08);
      closeTo(monthlyOf(estimate, "kps", "10 GiB gp3 volume for Grafana"), 10 * 0.08);
      expect(linesOf(estimate, "kps", "internal Network Load Balancer")[0]).to.include({ quantity: 730, unit: "load-balancer-hour", unitPriceUsd: 0.0225 });
      expect(estimate.usageBased.map((usage) => usage.unit)).to.deep.equal([
        "Network Load Balancer Capacity Unit hours (new and active flows, GB processed; no minimum) of Grafana's load balancer",
        "CloudWatch GetMetricData requests of Grafana's CloudWatch data source, per 1,000 metrics requested",
      ]);
    });

    it("prices no Grafana volume when its persistence is disabled", () => {
      const estimate = estimateMonthlyCost(planOf([release(chartValues({ grafanaPersistence: { enabled: false, size: "10Gi" } }))]));
      expect(linesOf(estimate, "kps", "for Grafana")).to.have.length(0);
      closeTo(estimate.totalMonthlyUsd, 55 * EAST.ebsGp3GibMonth.usd + HOURS * EAST.networkLoadBalancerHour.usd);
    });

    it("prices no load balancer for a ClusterIP service, and lists no capacity units", () => {
      const estimate = estimateMonthlyCost(planOf([release(chartValues({ grafanaService: { type: "ClusterIP", port: 80 } }))]));
      expect(linesOf(estimate, "kps", "Load Balancer")).to.have.length(0);
      closeTo(estimate.totalMonthlyUsd, 65 * EAST.ebsGp3GibMonth.usd);
      expect(estimate.usageBased.map((usage) => usage.unit).join("\n")).not.to.match(/Capacity Unit|IPv4/);
    });

    it("prices a service without the nlb annotation as a Classic Load Balancer, and an internet-facing one's public addresses as usage", () => {
      const estimate = estimateMonthlyCost(planOf([release(chartValues({ grafanaService: { type: "LoadBalancer", port: 443 } }))]));
      expect(linesOf(estimate, "kps", "internet-facing Classic Load Balancer")[0]).to.include({ quantity: 730, unitPriceUsd: 0.025 });
      closeTo(monthlyOf(estimate, "kps", "Classic Load Balancer"), HOURS * EAST.classicLoadBalancerHour.usd);
      expect(estimate.usageBased.map((usage) => usage.unit)).to.include.members([
        "data processed by Grafana's Classic Load Balancer, per GB",
        "public IPv4 addresses of Grafana's internet-facing load balancer (one per zone it spans), per address-hour",
      ]);
    });

    it("counts one claim per Prometheus replica and reads Ti", () => {
      const estimate = estimateMonthlyCost(planOf([release(chartValues({ prometheus: "1Ti", prometheusReplicas: 2 }))]));
      expect(linesOf(estimate, "kps", "2 x 1024 GiB gp3 volume for Prometheus")[0]).to.include({ quantity: 2048 });
    });

    it("lists a release whose size is not in Gi or Ti as not priced, naming the values key", () => {
      expect(onlyNotPriced(estimateMonthlyCost(planOf([release(chartValues({ prometheus: "50G" }))])), "kps")).to.match(
        /cannot be priced: prometheus\.prometheusSpec\.storageSpec\.volumeClaimTemplate\.spec\.resources\.requests\.storage is "50G": .*Gi or Ti/,
      );
      expect(onlyNotPriced(estimateMonthlyCost(planOf([release(chartValues({ grafanaPersistence: { enabled: true, size: "512Mi" } }))])), "kps")).to.match(
        /grafana\.persistence\.size is "512Mi"/,
      );
    });

    it("lists a load balancer type annotation it cannot price, and a StorageClass that is not gp3, as not priced", () => {
      const external = { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "external" } };
      expect(onlyNotPriced(estimateMonthlyCost(planOf([release(chartValues({ grafanaService: external }))])), "kps")).to.match(
        /aws-load-balancer-type.*"external"/,
      );
      const io2 = planned("kubernetes:storage.k8s.io/v1:StorageClass", "sc", { metadata: { name: "gp3-encrypted" }, parameters: { type: "io2" } });
      expect(onlyNotPriced(estimateMonthlyCost(planOf([io2, release(chartValues())])), "kps")).to.match(/StorageClass gp3-encrypted provisions io2 volumes/);
    });

    it("prices the release in its cluster's region, found through its Kubernetes provider, not the region it was recorded in", () => {
      const cluster = planned("eks:index:Cluster", "eks", { skipDefaultNodeGroup: true }, { region: "eu-west-1", custom: false });
      const provider = { ...planned("pulumi:providers:kubernetes", "k8s", { kubeconfig: "{}" }), propertyDependencies: { kubeconfig: [cluster.urn] } };
      const recordedInStackRegion = { ...release(chartValues(), "us-east-1"), providerUrn: provider.urn };
      const estimate = estimateMonthlyCost(planOf([cluster, provider, recordedInStackRegion], "eu-west-1"));
      const ireland = completeRegion("eu-west-1");
      closeTo(
        linesOf(estimate, "kps").reduce((sum, line) => sum + line.monthlyUsd, 0),
        65 * ireland.ebsGp3GibMonth.usd + HOURS * ireland.networkLoadBalancerHour.usd,
      );
      expect(linesOf(estimate, "kps", "in the cluster's region eu-west-1")).to.have.length(4);
      // Without a provider that names a cluster, the stack's region.
      const fallback = estimateMonthlyCost(planOf([release(chartValues(), "us-east-1")], "eu-central-1"));
      expect(linesOf(fallback, "kps", "Network Load Balancer")[0].unitPriceUsd).to.equal(completeRegion("eu-central-1").networkLoadBalancerHour.usd);
    });

    it("prices a CloudWatch dashboard at $3.00 a month and a secret at $0.40 (plus one per replica), API calls as usage", () => {
      const dashboard = planned("aws:cloudwatch/dashboard:Dashboard", "dash", { dashboardName: "dr" });
      const secret = planned("aws:secretsmanager/secret:Secret", "secret", { namePrefix: "app/grafana-admin-" });
      const replicated = planned("aws:secretsmanager/secret:Secret", "replicated", { name: "app/token", replicas: [{ region: "eu-west-1" }] });
      const estimate = estimateMonthlyCost(planOf([dashboard, secret, replicated]));
      expect(linesOf(estimate, "dash")[0]).to.include({ quantity: 1, unit: "dashboard-month", unitPriceUsd: 3 });
      expect(linesOf(estimate, "dash")[0].description).to.match(/first 3 dashboards of an account are free: not applied/);
      expect(linesOf(estimate, "secret")[0]).to.include({ description: "Secrets Manager secret app/grafana-admin-*", unitPriceUsd: 0.4 });
      closeTo(monthlyOf(estimate, "replicated"), EAST.secretsManagerSecretMonth.usd + completeRegion("eu-west-1").secretsManagerSecretMonth.usd);
      closeTo(estimate.totalMonthlyUsd, 3 + 0.4 + 0.8);
      expect(estimate.usageBased.filter((usage) => usage.unit === "Secrets Manager API calls, per 10,000")).to.have.length(2);
    });
  });

  describe("regions", () => {
    it("prices each resource in its own region: a DR-stack alarm in us-east-1 at us-east-1's price", () => {
      const table: PriceTable = JSON.parse(JSON.stringify(PRICE_TABLE));
      table.regions["us-east-1"] = {
        ...completeRegion("us-east-1"),
        cloudwatchAlarmMetricMonth: {
          ...completeRegion("us-east-1").cloudwatchAlarmMetricMonth,
          standardResolution: { ...completeRegion("us-east-1").cloudwatchAlarmMetricMonth.standardResolution, usd: 0.77 },
        },
      };
      const estimate = estimateMonthlyCost(
        planOf(
          [
            planned(
              "aws:cloudwatch/metricAlarm:MetricAlarm",
              "east-alarm",
              { namespace: "AWS/Route53", metricName: "HealthCheckStatus", period: 60 },
              { region: "us-east-1" },
            ),
            planned(
              "aws:cloudwatch/metricAlarm:MetricAlarm",
              "west-alarm",
              { namespace: "AWS/RDS", metricName: "ReplicaLag", period: 60 },
              { region: "us-west-2" },
            ),
          ],
          "us-west-2",
          "dr",
        ),
        table,
      );
      expect(linesOf(estimate, "east-alarm")[0]).to.include({ region: "us-east-1", unitPriceUsd: 0.77 });
      expect(linesOf(estimate, "west-alarm")[0]).to.include({ region: "us-west-2", unitPriceUsd: WEST.cloudwatchAlarmMetricMonth.standardResolution.usd });
      expect(estimate.region).to.equal("us-west-2");
    });
  });

  describe("what it cannot price: listed with the reason, never thrown", () => {
    it("lists an unclassified type as not priced, naming it and cost/billableTypes.ts", () => {
      const instance = planned("aws:ec2/instance:Instance", "bastion", { instanceType: "t3.micro" });
      const estimate = estimateMonthlyCost(planOf([instance]));
      expect(estimate.lines).to.have.length(0);
      expect(estimate.unpriced).to.have.length(1);
      expect(estimate.unpriced[0]).to.include({
        resourceName: "bastion",
        type: "aws:ec2/instance:Instance",
        region: "us-east-1",
        description: "every fixed charge of the resource",
      });
      expect(estimate.unpriced[0].reason).to.match(/aws:ec2\/instance:Instance \(resource bastion\).*cost\/billableTypes\.ts/);
    });

    it("refuses an unclassified remote component but takes the program's own components as free groupings", () => {
      const service = planned("awsx:ecs:FargateService", "service", {}, { custom: false });
      expect(onlyNotPriced(estimateMonthlyCost(planOf([service])), "service")).to.match(/awsx:ecs:FargateService/);
      const component = planned("multi-region-dr:compute:AppTier", "app", {}, { custom: false });
      const estimate = estimateMonthlyCost(planOf([component]));
      expect(estimate.lines).to.have.length(0);
      expect(estimate.usageBased).to.have.length(0);
    });

    it("lists an instance type without a price as not priced, with its quantity, unit, the file, the key and the fix, and prices the rest", () => {
      const estimate = estimateMonthlyCost(planOf(appTier("m9z.large", 2)));
      expect(estimate.unpriced).to.deep.equal([
        {
          resourceName: "app-asg",
          type: "aws:autoscaling/group:Group",
          region: "us-east-1",
          description: "2 x m9z.large on-demand, 730 h",
          quantity: 2 * HOURS,
          unit: "instance-hour",
          reason:
            "no EC2 on-demand price for m9z.large in us-east-1 (cost/prices/us-east-1.json ec2InstanceHour); add it with npm run prices:update -- --region us-east-1 --instance-type m9z.large",
        },
      ]);
      // The volume and the detailed-monitoring metrics of the same group are still priced, and only they make the total.
      const priced = linesOf(estimate, "app-asg");
      expect(priced.map((line) => line.unit)).to.deep.equal(["GiB-month", "metric-month"]);
      closeTo(
        estimate.totalMonthlyUsd,
        priced.reduce((sum, line) => sum + line.monthlyUsd, 0),
      );
    });

    it("lists every fixed charge in a region without price data as not priced, naming the region's file and the fix", () => {
      const estimate = estimateMonthlyCost(planOf(appTier("t3.small", 1, "sa-east-1"), "sa-east-1"));
      expect(estimate.lines).to.have.length(0);
      expect(estimate.totalMonthlyUsd).to.equal(0);
      expect(estimate.unpriced.map((charge) => charge.unit)).to.deep.equal(["instance-hour", "GiB-month", "metric-month"]);
      for (const charge of estimate.unpriced) {
        expect(charge.reason).to.match(
          /^no price data for region sa-east-1 \(cost\/prices\/sa-east-1\.json\); add it with npm run prices:update -- --region sa-east-1/,
        );
      }
    });

    it("lists a DB instance class or engine without a price as not priced, naming region, engine and class", () => {
      expect(notPricedOf(estimateMonthlyCost(planOf([database({ engine: "postgres", allocatedStorage: 20 }, "eu-west-1")], "eu-west-1")), "db")).to.deep.equal([
        "db.t4g.medium postgres Single-AZ, 730 h: no RDS postgres price for db.t4g.medium in eu-west-1 (cost/prices/eu-west-1.json rdsInstanceHour.postgres); add it with npm run prices:update -- --region eu-west-1 --db-instance-class db.t4g.medium",
      ]);
      expect(onlyNotPriced(estimateMonthlyCost(planOf([database({ engine: "postgres", instanceClass: "db.x9.huge" })])), "db")).to.match(
        /db\.x9\.huge in us-east-1/,
      );
      expect(onlyNotPriced(estimateMonthlyCost(planOf([database({ engine: "oracle-ee" })])), "db")).to.match(/covers RDS postgres and mysql, not oracle-ee/);
    });

    it("lists a group whose launch template is not in the plan as not priced, with the reason", () => {
      const [, group] = appTier("t3.small", 1);
      expect(notPricedOf(estimateMonthlyCost(planOf([group])), "app-asg")).to.deep.equal([
        "every fixed charge of the resource: cannot be priced: Auto Scaling group app-asg launches template app-lt-1234, which is not in stack test's plan",
      ]);
    });

    it("prices a plan of priced names with nothing left out", () => {
      const estimate = estimateMonthlyCost(planOf([...appTier("t3.small", 2), database({ engine: "postgres", allocatedStorage: 20 })]));
      expect(estimate.unpriced).to.deep.equal([]);
      expect(estimate.lines).to.have.length.above(3);
    });
  });
});
