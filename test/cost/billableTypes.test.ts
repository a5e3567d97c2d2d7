/**
 * The classification against the synthesized stacks: every type both example stacks create is
 * classified (custom types and remote components explicitly), every fixed type is priced in every
 * region these tests use, and the DR stack's us-east-1 resources are priced in us-east-1.
 */
import { expect } from "chai";
import { completeRegion } from "../fixtures/prices";
import { BILLABLE_TYPES, classificationOf } from "../../cost/billableTypes";
import { estimateMonthlyCost } from "../../cost/estimate";
import { PRICE_TABLE } from "../../cost/priceTable";
import type { StackPlan } from "../../synth/recordStack";
import { copyOf, synthesizedStacks } from "../policy/fixtures";

/** Regions these tests price in: the example stacks'. */
const TEST_REGIONS = ["us-east-1", "us-west-2"];

/** Remote components: synthesis records them without their children, so they are priced from their inputs. */
const REMOTE_COMPONENTS = ["awsx:ec2:Vpc", "eks:index:Cluster", "eks:index:ManagedNodeGroup"];

/** The plan with every regional resource moved to `region` (global ones stay global). */
function rehomed(plan: StackPlan, region: string): StackPlan {
  const copy = copyOf(plan);
  copy.region = region;
  for (const resource of copy.resources) if (resource.region !== "global") resource.region = region;
  return copy;
}

describe("billable types on the synthesized stacks", function () {
  this.timeout(120000);
  let plans: StackPlan[];

  before(async () => {
    const { primary, dr } = await synthesizedStacks();
    plans = [primary, dr];
  });

  it("classifies every type both stacks create", () => {
    const unclassified = plans.flatMap((plan) =>
      plan.resources.flatMap((resource) => {
        try {
          classificationOf(resource, plan.project);
          return [];
        } catch (error) {
          return [`${plan.stack} ${resource.type}: ${(error as Error).message}`];
        }
      }),
    );
    expect(unclassified).to.deep.equal([]);
  });

  it("classifies every custom type and the three remote components by name, not by the program-component rule", () => {
    const types = new Set(
      plans.flatMap((plan) =>
        plan.resources.filter((resource) => resource.custom || REMOTE_COMPONENTS.includes(resource.type)).map((resource) => resource.type),
      ),
    );
    expect([...types].filter((type) => !(type in BILLABLE_TYPES))).to.deep.equal([]);
    for (const type of REMOTE_COMPONENTS) expect(BILLABLE_TYPES[type]?.kind, type).to.equal("fixed");
  });

  it("classifies the types the DR strategies add: replicated automated backups as usage", () => {
    expect(BILLABLE_TYPES["aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"]).to.include({ kind: "usage" });
  });

  it("gives every free type a reason and an https source, every usage type a unit", () => {
    for (const [type, classification] of Object.entries(BILLABLE_TYPES)) {
      if (classification.kind === "free") expect(classification.reason && /^https:\/\//.test(classification.source), type).to.equal(true);
      if (classification.kind === "usage") expect(classification.unit, type).to.match(/^per /);
    }
  });

  for (const region of TEST_REGIONS) {
    it(`prices every fixed type of both stacks with ${region}'s prices`, () => {
      for (const plan of plans) {
        const estimate = estimateMonthlyCost(rehomed(plan, region));
        const pricedTypes = new Set(estimate.lines.map((line) => line.type));
        const fixedTypes = new Set(plan.resources.map((resource) => resource.type).filter((type) => BILLABLE_TYPES[type]?.kind === "fixed"));
        expect(
          estimate.lines.filter((line) => line.region !== "global").every((line) => line.region === region),
          plan.stack,
        ).to.equal(true);
        // A fixed type may cost nothing (a standard parameter, a group scaled to 0) but most of them appear.
        expect(
          [...pricedTypes].every((type) => fixedTypes.has(type)),
          plan.stack,
        ).to.equal(true);
      }
    });
  }

  it("estimates both default stacks with a total that is the sum of their lines", () => {
    for (const plan of plans) {
      const estimate = estimateMonthlyCost(plan);
      expect(estimate.totalMonthlyUsd, plan.stack).to.be.greaterThan(0);
      expect(estimate.totalMonthlyUsd).to.be.closeTo(
        estimate.lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
        1e-9,
      );
      expect(estimate.asOf).to.equal(PRICE_TABLE.asOf);
    }
  });

  it("prices the DR stack's resources that live in us-east-1 (alarms, their key) with us-east-1's prices", () => {
    const dr = plans[1];
    const estimate = estimateMonthlyCost(dr);
    const eastResources = dr.resources
      .filter((resource) => resource.region === "us-east-1" && BILLABLE_TYPES[resource.type]?.kind === "fixed")
      .map((resource) => resource.name);
    const eastLines = estimate.lines.filter((line) => eastResources.includes(line.resourceName));
    expect(eastLines, "priced us-east-1 resources of the DR stack").to.have.length.above(0);
    for (const line of eastLines) expect(line.region, line.resourceName).to.equal("us-east-1");
    const alarm = eastLines.find((line) => line.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    if (alarm) expect(alarm.unitPriceUsd).to.equal(completeRegion("us-east-1").cloudwatchAlarmMetricMonth.standardResolution.usd);
  });

  it("prices each stack's kube-prometheus-stack release from its values: Prometheus', Alertmanager's and Grafana's gp3 volumes and Grafana's NLB, in the cluster's region", () => {
    for (const plan of plans) {
      const release = plan.resources.find((resource) => resource.type === "kubernetes:helm.sh/v3:Release");
      if (!release) continue;
      const cluster = plan.resources.find((resource) => resource.type === "eks:index:Cluster");
      const lines = estimateMonthlyCost(plan).lines.filter((line) => line.resourceName === release.name);
      const descriptions = lines.map((line) => line.description).join("\n");
      for (const component of ["Prometheus", "Alertmanager", "Grafana"])
        expect(descriptions, plan.stack).to.match(new RegExp(`GiB gp3 volume for ${component} `));
      expect(descriptions, plan.stack).to.match(/Grafana's internal Network Load Balancer/);
      const prices = completeRegion(cluster?.region ?? plan.region);
      for (const line of lines) expect([prices.ebsGp3GibMonth.usd, prices.networkLoadBalancerHour.usd], line.description).to.include(line.unitPriceUsd);
    }
  });
});

describe("billable types of the monitoring stack", () => {
  const FREE_MONITORING_TYPES = [
    "random:index/randomPassword:RandomPassword",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:eks/addon:Addon",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "pulumi:providers:kubernetes",
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:storage.k8s.io/v1:StorageClass",
  ];

  for (const type of FREE_MONITORING_TYPES) {
    it(`classifies ${type} as free, with a reason and an https source`, () => {
      const classification = BILLABLE_TYPES[type];
      expect(classification?.kind, type).to.equal("free");
      if (classification?.kind === "free") {
        expect(classification.reason).to.have.length.above(20);
        expect(classification.source).to.match(/^https:\/\//);
      }
    });
  }

  it("classifies the secret, the dashboard and the Helm release as fixed, with usage for the secret's API calls and the release's load balancer", () => {
    for (const type of ["aws:secretsmanager/secret:Secret", "aws:cloudwatch/dashboard:Dashboard", "kubernetes:helm.sh/v3:Release"]) {
      expect(BILLABLE_TYPES[type]?.kind, type).to.equal("fixed");
    }
    const secret = BILLABLE_TYPES["aws:secretsmanager/secret:Secret"];
    const release = BILLABLE_TYPES["kubernetes:helm.sh/v3:Release"];
    expect(secret?.kind === "fixed" && secret.usage !== undefined).to.equal(true);
    expect(release?.kind === "fixed" && release.usage !== undefined).to.equal(true);
  });
});

describe("billable types of the data-protection resources (issue 7)", () => {
  /** Every type the backup, Aurora Global Database, DynamoDB global table, Object Lock and state-backend work creates, with its kind. */
  const DATA_PROTECTION_TYPES: Record<string, "fixed" | "usage" | "free"> = {
    "aws:backup/vault:Vault": "usage",
    "aws:backup/vaultPolicy:VaultPolicy": "free",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "free",
    "aws:backup/plan:Plan": "usage",
    "aws:backup/selection:Selection": "free",
    "aws:rds/globalCluster:GlobalCluster": "usage",
    "aws:rds/cluster:Cluster": "fixed",
    "aws:rds/clusterInstance:ClusterInstance": "fixed",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "free",
    "aws:dynamodb/table:Table": "usage",
    "aws:dynamodb/tableReplica:TableReplica": "usage",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "free",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": "free",
    "aws:kms/replicaKey:ReplicaKey": "fixed",
  };

  for (const [type, kind] of Object.entries(DATA_PROTECTION_TYPES)) {
    it(`classifies ${type} as ${kind}`, () => {
      expect(BILLABLE_TYPES[type]?.kind, type).to.equal(kind);
    });
  }

  it("sources every usage type from its AWS pricing page and names its units (per ...)", () => {
    const pages: Record<string, string> = {
      "aws:backup/vault:Vault": "https://aws.amazon.com/backup/pricing/",
      "aws:backup/plan:Plan": "https://aws.amazon.com/backup/pricing/",
      "aws:rds/globalCluster:GlobalCluster": "https://aws.amazon.com/rds/aurora/pricing/",
      "aws:dynamodb/table:Table": "https://aws.amazon.com/dynamodb/pricing/on-demand/",
      "aws:dynamodb/tableReplica:TableReplica": "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    };
    for (const [type, page] of Object.entries(pages)) {
      const classification = BILLABLE_TYPES[type];
      expect(classification?.kind === "usage" && classification.source, type).to.equal(page);
      if (classification?.kind === "usage") expect(classification.unit, type).to.match(/^per .*GB/);
    }
  });

  it("gives the fixed types a usage list for what they bill by use: Aurora storage and I/O, T-instance credits, KMS requests", () => {
    for (const type of ["aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance", "aws:kms/replicaKey:ReplicaKey"]) {
      const classification = BILLABLE_TYPES[type];
      expect(classification?.kind === "fixed" && typeof classification.usage, type).to.equal("function");
    }
  });
});
