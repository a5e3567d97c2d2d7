// Unit tests for the stack configuration: parseStackConfig (schema, defaults and every rule, with
// errors that name the full key, the value found and the fix), the pure rules in config/rules.ts,
// and the cross-stack contract in stacks/primaryOutputs.ts.
import { expect } from "chai";
import { LOAD_BALANCER_ALIAS_TTL_SECONDS } from "../budget/figures";
import { ConfigError, type ConfigProblem, formatProblem } from "../config/errors";
import { parseStackConfig } from "../config/load";
import {
  coversWholeInternet,
  cidrsOverlap,
  dbInstanceClassProblem,
  dnsNameProblem,
  ec2InstanceTypeProblem,
  instanceArchitecture,
  regionProblem,
  stackNameProblem,
  tagProblem,
  vpcCidrProblem,
  failoverDetectionProblem,
} from "../config/rules";
import { type DrConfig, type PrimaryConfig } from "../config/schema";
import { crossStackProblems, PRIMARY_OUTPUT_NAMES, parsePrimaryOutputs, primaryOutputsSchema } from "../stacks/primaryOutputs";
import { type PrimaryOutputs } from "../config/primaryContract";
import { primaryOutputsFixture } from "./fixtures/primaryOutputs";
import { missingHeartbeatProblem } from "../config/primaryContract";
import { configErrorOf } from "./config/fixtures";

const NS = "multi-region-dr";
const STACK = "t";
const PRIMARY_STACK = "organization/multi-region-dr/primary";

type Settings = Record<string, unknown>;

/** A flat Pulumi config map as `pulumi.runtime.allConfig()` returns it: objects as JSON text. */
function flat(base: Settings, overrides: Settings): Record<string, string> {
  const merged: Settings = { ...base, ...overrides };
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined) continue; // undefined removes a key
    result[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return result;
}

const primaryBase: Settings = { "aws:region": "us-east-1", [`${NS}:role`]: "primary" };
const drBase: Settings = { "aws:region": "us-west-2", [`${NS}:role`]: "dr", [`${NS}:primaryStack`]: PRIMARY_STACK };

function parsePrimary(overrides: Settings = {}): PrimaryConfig {
  const config = parseStackConfig(flat(primaryBase, overrides), STACK);
  if (config.role !== "primary") throw new Error(`expected a primary config, got ${config.role}`);
  return config;
}

function parseDr(overrides: Settings = {}): DrConfig {
  const config = parseStackConfig(flat(drBase, overrides), STACK);
  if (config.role !== "dr") throw new Error(`expected a dr config, got ${config.role}`);
  return config;
}

/** How the message renders a found value. */
function rendered(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

interface Expected {
  key: string;
  found: unknown;
  hint: string;
}

/**
 * Expects exactly one problem, for `key`, with the found value, and a message line that names the
 * key, the value and the hint of the fix.
 */
function expectSingleProblem(error: ConfigError, expected: Expected): ConfigProblem {
  expect(error.problems.map((problem) => problem.key)).to.deep.equal([expected.key]);
  const [problem] = error.problems;
  expect(problem.value).to.deep.equal(expected.found);
  expect(problem.message).to.include(expected.hint);
  expect(error.message).to.include(`  - ${expected.key} (found: ${rendered(expected.found)}): `);
  expect(error.message).to.include(expected.hint);
  return problem;
}

function expectPrimaryProblem(overrides: Settings, expected: Expected): ConfigProblem {
  return expectSingleProblem(
    configErrorOf(() => parseStackConfig(flat(primaryBase, overrides), STACK)),
    expected,
  );
}

function expectDrProblem(overrides: Settings, expected: Expected): ConfigProblem {
  return expectSingleProblem(
    configErrorOf(() => parseStackConfig(flat(drBase, overrides), STACK)),
    expected,
  );
}

describe("parseStackConfig", () => {
  describe("defaults", () => {
    it("fills the primary's full-footprint defaults", () => {
      const config = parsePrimary();
      expect(config.role).to.equal("primary");
      expect(config.region).to.equal("us-east-1");
      expect(config.network).to.deep.equal({
        cidrBlock: "10.0.0.0/16",
        availabilityZoneCount: 3,
        natGateways: "one-per-zone",
        flowLogRetentionDays: 365,
      });
      expect(config.app).to.deep.include({ minSize: 2, desiredCapacity: 2, maxSize: 6, instanceType: "t3.small", port: 8080 });
      expect(config.app.certificateArn).to.equal(undefined);
      expect(config.recovery).to.deep.equal({ strategy: "warm-standby", rtoSeconds: 900, rpoSeconds: 60, objectRpoSeconds: 900 });
      expect(config.database).to.deep.include({
        engine: "postgres",
        backupRetentionDays: 7,
        instanceClass: "db.t4g.medium",
        allocatedStorageGib: 50,
        maxAllocatedStorageGib: 200,
        multiAz: true,
      });
      expect(config.dns).to.deep.include({ zoneName: "dr.example.com", privateZoneName: "app.internal", applicationLabel: "app" });
      expect(config.monitoring).to.deep.equal({
        kubernetesVersion: "1.35",
        nodeInstanceType: "t3.medium",
        nodeCount: 2,
        publicAccessCidrs: [],
        grafanaAccessCidrs: [],
        alertEmails: [],
        prometheusRetentionDays: 15,
        prometheusStorageGib: 50,
      });
      expect(config.tags).to.deep.equal({});
      expect(config.protect).to.equal(true);
    });

    it("fills the DR stack's defaults and leaves the strategy's keys to the strategy (config/drStrategy.ts)", () => {
      const config = parseDr();
      expect(config.role).to.equal("dr");
      expect(config.region).to.equal("us-west-2");
      expect(config.primaryStack).to.equal(PRIMARY_STACK);
      expect(config.network).to.deep.equal({
        cidrBlock: "10.1.0.0/16",
        availabilityZoneCount: 2,
        flowLogRetentionDays: 365,
      });
      expect(config.app).to.deep.include({ maxSize: 6 });
      expect(config.app.minSize).to.equal(undefined);
      expect(config.app.desiredCapacity).to.equal(undefined);
      // recovery.orchestrator is the DR stack's own key (step-functions by default); the strategy's keys are left to the strategy.
      expect(config.recovery).to.deep.equal({
        strategy: "warm-standby",
        rtoSeconds: 900,
        rpoSeconds: 60,
        objectRpoSeconds: 900,
        orchestrator: "step-functions",
      });
      expect(config.database).to.deep.equal({ backupRetentionDays: 7, promoted: false });
      // The DR member of the cache: nothing to build while the primary has none (stacks/cache.ts).
      expect(config.cache).to.deep.equal({ detached: false, warmUp: { paths: ["/"] } });
      expect(config.dns).to.deep.equal({ healthCheckIntervalSeconds: 10, healthCheckFailureThreshold: 3 });
      expect(config.failover).to.deep.equal({
        automatic: false,
        decisionSeconds: 300,
        cooldownSeconds: 3600,
        drillTrafficPercent: 5,
        drillDurationSeconds: 600,
        notificationEmails: [],
      });
    });

    it("keeps the other defaults of an object when one field is set", () => {
      const config = parsePrimary({ [`${NS}:network`]: { availabilityZoneCount: 4 } });
      expect(config.network).to.deep.equal({
        cidrBlock: "10.0.0.0/16",
        availabilityZoneCount: 4,
        natGateways: "one-per-zone",
        flowLogRetentionDays: 365,
      });
    });

    it("reads scalar values as Pulumi passes them (JSON text)", () => {
      const config = parsePrimary({ [`${NS}:protect`]: "false", [`${NS}:tags`]: { CostCenter: "platform" } });
      expect(config.protect).to.equal(false);
      expect(config.tags).to.deep.equal({ CostCenter: "platform" });
    });

    it("ignores keys of other namespaces", () => {
      const config = parseDr({ "kubernetes:context": "ops", "other-project:network": "{}" });
      expect(config.network.cidrBlock).to.equal("10.1.0.0/16");
    });
  });

  describe("role", () => {
    it("rejects an unknown role", () => {
      expectPrimaryProblem({ [`${NS}:role`]: "standby" }, { key: `${NS}:role`, found: "standby", hint: "must be one of primary or dr" });
    });

    it("rejects a missing role", () => {
      expectPrimaryProblem({ [`${NS}:role`]: undefined }, { key: `${NS}:role`, found: undefined, hint: "must be one of primary or dr" });
    });

    it("heads the error with the stack and its config file", () => {
      const error = configErrorOf(() => parseStackConfig(flat(primaryBase, { [`${NS}:role`]: "standby" }), "prod-east"));
      expect(error.name).to.equal("ConfigError");
      expect(error.message).to.match(/^Invalid configuration for stack "prod-east" \(Pulumi\.prod-east\.yaml\):\n/);
    });
  });

  describe("region", () => {
    it("requires aws:region", () => {
      expectPrimaryProblem({ "aws:region": undefined }, { key: "aws:region", found: undefined, hint: "is required; set aws:region" });
    });

    it("rejects a value that is not a region code, naming the closest regions", () => {
      expectPrimaryProblem({ "aws:region": "us-east" }, { key: "aws:region", found: "us-east", hint: "closest valid names: us-east-1, us-east-2" });
    });

    it("rejects the namespaced multi-region-dr:region and points at aws:region", () => {
      expectPrimaryProblem(
        { [`${NS}:region`]: "us-east-1" },
        { key: `${NS}:region`, found: "us-east-1", hint: "the stack's region is the standard aws:region key; move the value there" },
      );
    });
  });

  describe("unknown keys", () => {
    it("rejects an unknown top-level key and lists the known ones", () => {
      const problem = expectPrimaryProblem(
        { [`${NS}:vpc`]: { cidrBlock: "10.0.0.0/16" } },
        { key: `${NS}:vpc`, found: { cidrBlock: "10.0.0.0/16" }, hint: "is not a key the primary stack reads; remove it or use one of:" },
      );
      expect(problem.message).to.include("role, standbyRegion, network, app, database, globalTable, dns, edge, cache, monitoring, recovery, tags, protect");
      expect(problem.message).not.to.match(/\bregion\b/);
    });

    it("rejects a misspelt nested key", () => {
      expectPrimaryProblem(
        { [`${NS}:network`]: { cidrBlok: "10.0.0.0/16" } },
        { key: `${NS}:network.cidrBlok`, found: "10.0.0.0/16", hint: "check the spelling" },
      );
    });

    it("rejects a DR-only key on the primary", () => {
      expectPrimaryProblem(
        { [`${NS}:primaryStack`]: PRIMARY_STACK },
        { key: `${NS}:primaryStack`, found: PRIMARY_STACK, hint: "is not a key the primary stack reads" },
      );
    });

    it("rejects a primary-only key on the DR stack (database.instanceClass)", () => {
      expectDrProblem(
        { [`${NS}:database`]: { instanceClass: "db.r6g.large" } },
        { key: `${NS}:database.instanceClass`, found: "db.r6g.large", hint: "remove it" },
      );
    });
  });

  describe("network", () => {
    it("rejects a malformed CIDR block", () => {
      expectPrimaryProblem(
        { [`${NS}:network`]: { cidrBlock: "10.0.0/16" } },
        { key: `${NS}:network.cidrBlock`, found: "10.0.0/16", hint: "write it like 10.0.0.0/16" },
      );
    });

    it("rejects a CIDR block with host bits set and names the network address", () => {
      expectPrimaryProblem(
        { [`${NS}:network`]: { cidrBlock: "10.0.1.0/16" } },
        { key: `${NS}:network.cidrBlock`, found: "10.0.1.0/16", hint: "has host bits set; use 10.0.0.0/16" },
      );
    });

    it("rejects a /24 block (too small for three tiers per zone)", () => {
      expectPrimaryProblem(
        { [`${NS}:network`]: { cidrBlock: "10.0.0.0/24" } },
        { key: `${NS}:network.cidrBlock`, found: "10.0.0.0/24", hint: "has prefix /24; a VPC here needs a prefix from /16" },
      );
    });

    it("rejects a /8 block (larger than AWS allows)", () => {
      expectPrimaryProblem(
        { [`${NS}:network`]: { cidrBlock: "10.0.0.0/8" } },
        { key: `${NS}:network.cidrBlock`, found: "10.0.0.0/8", hint: "has prefix /8; a VPC here needs a prefix from /16" },
      );
    });

    it("rejects fewer than 2 availability zones", () => {
      expectPrimaryProblem(
        { [`${NS}:network`]: { availabilityZoneCount: 1 } },
        { key: `${NS}:network.availabilityZoneCount`, found: 1, hint: "must be at least 2 availability zones" },
      );
    });

    it("rejects more than 4 availability zones", () => {
      expectPrimaryProblem(
        { [`${NS}:network`]: { availabilityZoneCount: 5 } },
        { key: `${NS}:network.availabilityZoneCount`, found: 5, hint: "must be at most 4 availability zones" },
      );
    });

    it("rejects an unknown NAT strategy", () => {
      expectDrProblem(
        { [`${NS}:network`]: { natGateways: "per-zone" } },
        { key: `${NS}:network.natGateways`, found: "per-zone", hint: "must be one-per-zone, single or none" },
      );
    });

    it("accepts no NAT gateways only in the DR stack", () => {
      expect(parseDr({ [`${NS}:network`]: { natGateways: "none" } }).network.natGateways).to.equal("none");
      expectPrimaryProblem(
        { [`${NS}:network`]: { natGateways: "none" } },
        { key: `${NS}:network.natGateways`, found: "none", hint: "must be one-per-zone or single" },
      );
    });

    it("rejects an unknown strategy, naming the four", () => {
      expectDrProblem(
        { [`${NS}:recovery`]: { strategy: "cold-standby" } },
        { key: `${NS}:recovery.strategy`, found: "cold-standby", hint: "must be one of backup-restore, pilot-light, warm-standby, hot-standby" },
      );
    });

    it("rejects a restore time that is neither latest nor an ISO 8601 UTC time", () => {
      for (const bad of ["yesterday", "2026-11-21 08:30", "2026-11-21T08:30:00+02:00"]) {
        expectDrProblem(
          { [`${NS}:database`]: { restoreToTime: bad } },
          { key: `${NS}:database.restoreToTime`, found: bad, hint: "must be latest or an ISO 8601 UTC time such as 2026-11-21T08:30:00Z" },
        );
      }
      expect(parseDr({ [`${NS}:database`]: { restoreToTime: "2026-11-21T08:30:00Z" } }).database.restoreToTime).to.equal("2026-11-21T08:30:00Z");
    });
  });

  describe("app", () => {
    it("rejects minSize above desiredCapacity and shows all three counts", () => {
      expectPrimaryProblem(
        { [`${NS}:app`]: { minSize: 3, desiredCapacity: 2 } },
        {
          key: `${NS}:app.desiredCapacity`,
          found: { minSize: 3, desiredCapacity: 2, maxSize: 6 },
          hint: "must satisfy minSize <= desiredCapacity <= maxSize",
        },
      );
    });

    it("rejects a retired EC2 family (m3.large)", () => {
      expectPrimaryProblem(
        { [`${NS}:app`]: { instanceType: "m3.large" } },
        { key: `${NS}:app.instanceType`, found: "m3.large", hint: "is of the retired family m3; pick a current generation type" },
      );
    });
  });

  describe("database", () => {
    it("rejects 4 days of backups (below the floor of 5)", () => {
      expectPrimaryProblem(
        { [`${NS}:database`]: { backupRetentionDays: 4 } },
        { key: `${NS}:database.backupRetentionDays`, found: 4, hint: "must be at least 5 days" },
      );
    });

    it("rejects 36 days of backups (above the RDS maximum of 35)", () => {
      expectPrimaryProblem(
        { [`${NS}:database`]: { backupRetentionDays: 36 } },
        { key: `${NS}:database.backupRetentionDays`, found: 36, hint: "must be at most 35 days" },
      );
    });

    it("rejects 4 days of backups on the DR replica too", () => {
      expectDrProblem(
        { [`${NS}:database`]: { backupRetentionDays: 4 } },
        { key: `${NS}:database.backupRetentionDays`, found: 4, hint: "must be at least 5 days" },
      );
    });

    it("rejects a storage ceiling below the allocated storage", () => {
      expectPrimaryProblem(
        { [`${NS}:database`]: { allocatedStorageGib: 100, maxAllocatedStorageGib: 50 } },
        { key: `${NS}:database.maxAllocatedStorageGib`, found: 50, hint: "must be at least allocatedStorageGib (100); raise it" },
      );
    });

    it("rejects a retired RDS class (db.t2.micro)", () => {
      expectPrimaryProblem(
        { [`${NS}:database`]: { instanceClass: "db.t2.micro" } },
        { key: `${NS}:database.instanceClass`, found: "db.t2.micro", hint: "is of the retired family db.t2; pick a current class" },
      );
    });
  });

  describe("standbyRegion", () => {
    it("is optional and kept when set", () => {
      expect(parsePrimary().standbyRegion).to.equal(undefined);
      expect(parsePrimary({ [`${NS}:standbyRegion`]: "us-west-2" }).standbyRegion).to.equal("us-west-2");
    });

    it("rejects the primary's own region", () => {
      expectPrimaryProblem(
        { [`${NS}:standbyRegion`]: "us-east-1" },
        { key: `${NS}:standbyRegion`, found: "us-east-1", hint: "is this stack's own region; set the region the DR stack deploys into" },
      );
    });

    it("rejects a malformed region", () => {
      const error = configErrorOf(() => parseStackConfig(flat(primaryBase, { [`${NS}:standbyRegion`]: "west" }), STACK));
      expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${NS}:standbyRegion`]);
    });

    it("is not a DR stack key", () => {
      const error = configErrorOf(() => parseStackConfig(flat(drBase, { [`${NS}:standbyRegion`]: "us-east-1" }), STACK));
      expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${NS}:standbyRegion`]);
    });
  });

  describe("monitoring", () => {
    it("rejects a public endpoint open to 0.0.0.0/0", () => {
      expectPrimaryProblem(
        { [`${NS}:monitoring`]: { publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] } },
        { key: `${NS}:monitoring.publicAccessCidrs.1`, found: "0.0.0.0/0", hint: "the whole internet (Security Hub EKS.1); list your operators' networks" },
      );
    });

    it("accepts a public endpoint limited to listed networks", () => {
      const config = parsePrimary({ [`${NS}:monitoring`]: { publicAccessCidrs: ["203.0.113.0/24"] } });
      expect(config.monitoring.publicAccessCidrs).to.deep.equal(["203.0.113.0/24"]);
    });

    it("rejects an internet-facing Grafana without a certificate", () => {
      expectPrimaryProblem(
        { [`${NS}:monitoring`]: { grafanaAccessCidrs: ["203.0.113.0/24"] } },
        {
          key: `${NS}:monitoring.grafanaCertificateArn`,
          found: undefined,
          hint: "is required when grafanaAccessCidrs is set: an internet-facing Grafana must serve TLS",
        },
      );
    });

    it("rejects Grafana open to another spelling of the whole internet (10.0.0.0/0)", () => {
      expectPrimaryProblem(
        { [`${NS}:monitoring`]: { grafanaAccessCidrs: ["10.0.0.0/0"], grafanaCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123" } },
        { key: `${NS}:monitoring.grafanaAccessCidrs.0`, found: "10.0.0.0/0", hint: "or any other /0 block, the whole internet" },
      );
    });

    it("rejects Grafana open to 0.0.0.0/0", () => {
      expectPrimaryProblem(
        { [`${NS}:monitoring`]: { grafanaAccessCidrs: ["0.0.0.0/0"], grafanaCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123" } },
        { key: `${NS}:monitoring.grafanaAccessCidrs.0`, found: "0.0.0.0/0", hint: "must not be 0.0.0.0/0" },
      );
    });

    it("accepts an internet-facing Grafana for listed networks with a certificate", () => {
      const certificate = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123";
      const config = parsePrimary({ [`${NS}:monitoring`]: { grafanaAccessCidrs: ["203.0.113.0/24"], grafanaCertificateArn: certificate } });
      expect(config.monitoring.grafanaAccessCidrs).to.deep.equal(["203.0.113.0/24"]);
      expect(config.monitoring.grafanaCertificateArn).to.equal(certificate);
    });

    it("rejects a Grafana certificate that is not an ACM ARN", () => {
      expectPrimaryProblem(
        { [`${NS}:monitoring`]: { grafanaCertificateArn: "arn:aws:iam::123456789012:server-certificate/x" } },
        { key: `${NS}:monitoring.grafanaCertificateArn`, found: "arn:aws:iam::123456789012:server-certificate/x", hint: "must be an ACM certificate ARN" },
      );
    });

    it("rejects an alert e-mail that is not an address", () => {
      expectPrimaryProblem(
        { [`${NS}:monitoring`]: { alertEmails: ["oncall"] } },
        { key: `${NS}:monitoring.alertEmails.0`, found: "oncall", hint: "must be an e-mail address" },
      );
    });

    for (const [key, value, hint] of [
      ["prometheusRetentionDays", 0, "days"],
      ["prometheusRetentionDays", 91, "days"],
      ["prometheusStorageGib", 9, "GiB"],
      ["prometheusStorageGib", 1001, "GiB"],
    ] as const) {
      it(`rejects monitoring.${key} ${value}`, () => {
        expectPrimaryProblem({ [`${NS}:monitoring`]: { [key]: value } }, { key: `${NS}:monitoring.${key}`, found: value, hint });
      });
    }

    for (const port of [9464, 9100]) {
      it(`rejects app.port ${port}, a metrics port`, () => {
        expectPrimaryProblem(
          { [`${NS}:app`]: { port } },
          { key: `${NS}:app.port`, found: port, hint: "must not be 9464 (the app's metrics port) or 9100 (the node exporter's)" },
        );
      });
    }

    it("rejects an EKS version out of standard support (1.29)", () => {
      expectPrimaryProblem(
        { [`${NS}:monitoring`]: { kubernetesVersion: "1.29" } },
        { key: `${NS}:monitoring.kubernetesVersion`, found: "1.29", hint: "must be a Kubernetes version in EKS standard support" },
      );
    });
  });

  describe("DR primaryStack", () => {
    it("requires primaryStack on the DR stack", () => {
      expectDrProblem(
        { [`${NS}:primaryStack`]: undefined },
        { key: `${NS}:primaryStack`, found: undefined, hint: "set it to <organization>/<project>/primary" },
      );
    });

    it("rejects a stack name that Pulumi does not allow (pri mary); the name alone is test/config/primaryStack.test.ts's", () => {
      expectDrProblem({ [`${NS}:primaryStack`]: "pri mary" }, { key: `${NS}:primaryStack`, found: "pri mary", hint: "write <organization>/<project>/<stack>" });
    });

    it("rejects a two-part stack name (a/b)", () => {
      expectDrProblem({ [`${NS}:primaryStack`]: "a/b" }, { key: `${NS}:primaryStack`, found: "a/b", hint: "write <organization>/<project>/<stack>" });
    });
  });

  describe("DR health check", () => {
    it("rejects an interval Route 53 does not accept (20)", () => {
      expectDrProblem(
        { [`${NS}:dns`]: { healthCheckIntervalSeconds: 20 } },
        { key: `${NS}:dns.healthCheckIntervalSeconds`, found: 20, hint: "must be 10 or 30" },
      );
    });

    it("rejects a failure threshold of 0", () => {
      expectDrProblem(
        { [`${NS}:dns`]: { healthCheckFailureThreshold: 0 } },
        { key: `${NS}:dns.healthCheckFailureThreshold`, found: 0, hint: "must be at least 1 failures" },
      );
    });

    it("rejects a failure threshold of 11", () => {
      expectDrProblem(
        { [`${NS}:dns`]: { healthCheckFailureThreshold: 11 } },
        { key: `${NS}:dns.healthCheckFailureThreshold`, found: 11, hint: "must be at most 10 failures" },
      );
    });

    it("rejects detection time that does not fit the RTO (30 s x 10 with a 300 s RTO)", () => {
      const problem = expectDrProblem(
        { [`${NS}:dns`]: { healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 10 }, [`${NS}:recovery`]: { rtoSeconds: 300 } },
        { key: `${NS}:dns.healthCheckFailureThreshold`, found: 10, hint: "lower the interval or threshold, or raise recovery.rtoSeconds" },
      );
      expect(problem.message).to.include("30 s x 10 = 300 s");
      expect(problem.message).to.include(`${LOAD_BALANCER_ALIAS_TTL_SECONDS} s alias TTL`);
      expect(problem.message).to.include("300 s RTO");
    });

    it("accepts detection time that leaves room in the RTO", () => {
      // 30 s x 8 = 240 s, + 60 s TTL = 300 s < 301 s.
      const config = parseDr({
        [`${NS}:dns`]: { healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 8 },
        [`${NS}:recovery`]: { rtoSeconds: 301 },
      });
      expect(config.dns).to.deep.equal({ healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 8 });
      expect(config.recovery.rtoSeconds).to.equal(301);
    });

    it("rejects detection time that exactly uses up the RTO", () => {
      // 30 s x 8 = 240 s, + 60 s TTL = 300 s: nothing is left of a 300 s RTO.
      expectDrProblem(
        { [`${NS}:dns`]: { healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 8 }, [`${NS}:recovery`]: { rtoSeconds: 300 } },
        { key: `${NS}:dns.healthCheckFailureThreshold`, found: 8, hint: "raise recovery.rtoSeconds" },
      );
    });
  });

  describe("tags", () => {
    it("rejects a tag key with the reserved aws: prefix", () => {
      expectPrimaryProblem(
        { [`${NS}:tags`]: { "aws:owner": "platform" } },
        { key: `${NS}:tags.aws:owner`, found: "platform", hint: "may not start with the reserved prefix aws:; rename the key" },
      );
    });

    it("rejects a tag the program sets itself (Project)", () => {
      expectPrimaryProblem(
        { [`${NS}:tags`]: { Project: "mine" } },
        { key: `${NS}:tags.Project`, found: "mine", hint: "is set by the program itself; remove it from tags" },
      );
    });

    it("rejects more tags than AWS leaves room for", () => {
      const tags = Object.fromEntries(Array.from({ length: 47 }, (_, index) => [`Tag${index}`, "x"]));
      expectPrimaryProblem({ [`${NS}:tags`]: tags }, { key: `${NS}:tags`, found: 47, hint: "at most 46 tags" });
    });
  });

  describe("reporting", () => {
    it("reports every problem at once", () => {
      const error = configErrorOf(() =>
        parseStackConfig(
          flat(primaryBase, {
            [`${NS}:network`]: { availabilityZoneCount: 1 },
            [`${NS}:database`]: { backupRetentionDays: 4 },
          }),
          STACK,
        ),
      );
      expect(error.problems.length).to.equal(2);
      expect(error.problems.map((problem) => problem.key)).to.have.members([`${NS}:network.availabilityZoneCount`, `${NS}:database.backupRetentionDays`]);
      expect(error.message).to.include(`${NS}:network.availabilityZoneCount (found: 1)`);
      expect(error.message).to.include(`${NS}:database.backupRetentionDays (found: 4)`);
    });

    it("reports the namespaced region together with schema problems", () => {
      const error = configErrorOf(() => parseStackConfig(flat(primaryBase, { [`${NS}:region`]: "us-east-1", "aws:region": "useast1" }), STACK));
      expect(error.problems.map((problem) => problem.key)).to.have.members([`${NS}:region`, "aws:region"]);
    });

    it("formats one problem as key, found value and message, truncating long values", () => {
      expect(formatProblem({ key: "k", value: { a: 1 }, message: "fix it" })).to.equal('  - k (found: {"a":1}): fix it');
      expect(formatProblem({ key: "k", value: undefined, message: "set it" })).to.equal("  - k (found: nothing): set it");
      const long = formatProblem({ key: "k", value: "x".repeat(200), message: "m" });
      expect(long).to.equal(`  - k (found: "${"x".repeat(116)}...): m`);
    });
  });
});

describe("config rules", () => {
  describe("vpcCidrProblem", () => {
    it("accepts /16 to /20 network addresses", () => {
      for (const cidr of ["10.0.0.0/16", "10.1.0.0/16", "172.16.0.0/18", "192.168.16.0/20"]) {
        expect(vpcCidrProblem(cidr), cidr).to.equal(undefined);
      }
    });

    it("rejects text that is not a CIDR block", () => {
      expect(vpcCidrProblem("10.0.0/16")).to.equal(
        "is not an IPv4 CIDR block (four decimal octets without leading zeros and a prefix); write it like 10.0.0.0/16",
      );
      expect(vpcCidrProblem("10.0.0.0")).to.equal(
        "is not an IPv4 CIDR block (four decimal octets without leading zeros and a prefix); write it like 10.0.0.0/16",
      );
    });

    it("rejects octets out of range", () => {
      expect(vpcCidrProblem("300.0.0.0/16")).to.match(/^is not a valid IPv4 CIDR block \(.+\); write it like 10\.0\.0\.0\/16$/);
    });

    it("rejects prefixes outside /16 to /20", () => {
      expect(vpcCidrProblem("10.0.0.0/15")).to.include("has prefix /15");
      expect(vpcCidrProblem("10.0.0.0/21")).to.include("has prefix /21");
      expect(vpcCidrProblem("10.0.0.0/24")).to.include("has prefix /24");
    });

    it("rejects host bits and names the network address", () => {
      expect(vpcCidrProblem("10.0.1.0/16")).to.equal("has host bits set; use 10.0.0.0/16");
      expect(vpcCidrProblem("10.0.8.0/20")).to.equal("has host bits set; use 10.0.0.0/20");
    });
  });

  describe("cidrsOverlap", () => {
    it("is false for adjacent blocks (10.0.0.0/16 and 10.1.0.0/16)", () => {
      expect(cidrsOverlap("10.0.0.0/16", "10.1.0.0/16")).to.equal(false);
      expect(cidrsOverlap("10.1.0.0/16", "10.0.0.0/16")).to.equal(false);
    });

    it("is true for a nested block in either order (10.0.0.0/16 and 10.0.128.0/20)", () => {
      expect(cidrsOverlap("10.0.0.0/16", "10.0.128.0/20")).to.equal(true);
      expect(cidrsOverlap("10.0.128.0/20", "10.0.0.0/16")).to.equal(true);
    });

    it("is true for identical blocks and false for distant ones", () => {
      expect(cidrsOverlap("10.0.0.0/16", "10.0.0.0/16")).to.equal(true);
      expect(cidrsOverlap("10.0.0.0/20", "10.0.16.0/20")).to.equal(false);
      expect(cidrsOverlap("172.16.0.0/16", "10.0.0.0/16")).to.equal(false);
    });
  });

  describe("instanceArchitecture", () => {
    for (const type of ["t4g.small", "m7g.large", "a1.medium", "c7gn.large", "r6gd.xlarge", "g5g.xlarge"]) {
      it(`${type} is arm64`, () => expect(instanceArchitecture(type)).to.equal("arm64"));
    }
    for (const type of ["t3.small", "m7i.large", "g5.xlarge", "c5n.large", "m6a.large", "inf2.xlarge"]) {
      it(`${type} is x86_64`, () => expect(instanceArchitecture(type)).to.equal("x86_64"));
    }
  });

  describe("stackNameProblem", () => {
    it("accepts fully qualified names", () => {
      expect(stackNameProblem(PRIMARY_STACK)).to.equal(undefined);
      expect(stackNameProblem("acme-corp/multi_region.dr/prod-us-east-1")).to.equal(undefined);
    });

    it("rejects names without organization and project", () => {
      for (const name of ["primary", "a/b", "a/b/c/d", "a//c", "/a/b", "org/proj/-primary", "org/proj/pri mary"]) {
        expect(stackNameProblem(name), name).to.include("write <organization>/<project>/<stack>");
      }
    });

    it("rejects a part longer than 100 characters", () => {
      expect(stackNameProblem(`org/proj/${"s".repeat(100)}`)).to.equal(undefined);
      expect(stackNameProblem(`org/proj/${"s".repeat(101)}`)).to.include("is not a fully qualified stack name");
    });
  });

  describe("dnsNameProblem", () => {
    it("accepts lower-case names of two or more labels", () => {
      for (const name of ["dr.example.com", "app.internal", "a-b.c1.example.org", `${"a".repeat(63)}.com`]) {
        expect(dnsNameProblem(name), name).to.equal(undefined);
      }
    });

    it("rejects single labels, upper case, trailing dots, bad hyphens and long labels", () => {
      for (const name of [
        "localhost",
        "Dr.example.com",
        "dr.example.com.",
        "-dr.example.com",
        "dr-.example.com",
        "dr..com",
        `${"a".repeat(64)}.com`,
        "dr_x.example.com",
      ]) {
        expect(dnsNameProblem(name), name).to.include("is not a lower-case DNS name");
      }
    });

    it("rejects names longer than 253 characters", () => {
      const label = "a".repeat(50);
      const name = [label, label, label, label, label, "com"].join("."); // 5 x 51 + 3 = 258
      expect(dnsNameProblem(name)).to.include("is not a lower-case DNS name");
    });
  });

  describe("regionProblem, tagProblem and instance rules", () => {
    it("accepts commercial region codes and rejects other text and other partitions", () => {
      for (const region of ["us-east-1", "eu-west-3", "ap-southeast-2", "il-central-1", "mx-central-1"]) {
        expect(regionProblem(region), region).to.equal(undefined);
      }
      for (const region of ["us-east", "US-EAST-1", "useast1", "us-east-1a", ""]) {
        expect(regionProblem(region), region).to.include("is not an AWS region code");
      }
      expect(regionProblem("us-gov-west-1")).to.include("is a region of the aws-us-gov partition");
    });

    it("checks tag key and value lengths and the aws: prefix", () => {
      expect(tagProblem("CostCenter", "platform")).to.equal(undefined);
      expect(tagProblem("", "x")).to.include("1 to 128 characters");
      expect(tagProblem("k".repeat(129), "x")).to.include("1 to 128 characters");
      expect(tagProblem("AWS:Owner", "x")).to.include("reserved prefix aws:");
      expect(tagProblem("Owner", "v".repeat(257))).to.include("at most 256 characters");
    });

    it("checks EC2 instance types", () => {
      expect(ec2InstanceTypeProblem("t3.small")).to.equal(undefined);
      expect(ec2InstanceTypeProblem("t3small")).to.include("closest valid names: t3.small");
      expect(ec2InstanceTypeProblem("t1.micro")).to.include("retired family t1");
    });

    it("checks RDS instance classes", () => {
      expect(dbInstanceClassProblem("db.r7g.large")).to.equal(undefined);
      expect(dbInstanceClassProblem("t4g.medium")).to.include("write db.t4g.medium");
      expect(dbInstanceClassProblem("db.m4.large")).to.include("retired family db.m4");
    });
  });
});

describe("parsePrimaryOutputs", () => {
  it("accepts a complete set of outputs and returns them", () => {
    const values = primaryOutputsFixture();
    expect(parsePrimaryOutputs({ ...values }, PRIMARY_STACK)).to.deep.equal(values);
  });

  it("the fixture covers every output of the contract an instance-mode primary without a global table exports", () => {
    // Outputs of other shapes of primary: Aurora, a global table, a cache, the edge (and the outputs older primaries lack).
    const auroraOrTableOnly = [
      "dbGlobalClusterIdentifier",
      "globalTableName",
      "globalTableArn",
      "cache",
      "edge",
      "edgeOriginVerifySecret",
      "healthCheckProtocol",
      "healthCheckPort",
      "autoScalingGroupArn",
    ];
    expect(Object.keys(primaryOutputsFixture())).to.have.members(PRIMARY_OUTPUT_NAMES.filter((name) => !auroraOrTableOnly.includes(name)));
  });

  it("says to deploy the primary stack first when an output is missing", () => {
    const { dbArn: _dropped, ...values } = primaryOutputsFixture();
    const error = configErrorOf(() => parsePrimaryOutputs(values, PRIMARY_STACK));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${PRIMARY_STACK} output dbArn`]);
    expect(error.problems[0].value).to.equal(undefined);
    expect(error.problems[0].message).to.include("deploy the primary stack first");
    expect(error.problems[0].message).to.include(`pulumi up -s ${PRIMARY_STACK}`);
    expect(error.message).to.include(`The DR stack cannot use the primary stack "${PRIMARY_STACK}"`);
    expect(error.message).to.include(`${PRIMARY_STACK} output dbArn (found: nothing)`);
  });

  it("reads dns.acceleratedRecovery (default true) and refuses a non-boolean", () => {
    expect(parsePrimary().dns.acceleratedRecovery).to.equal(true);
    expect(parsePrimary({ [`${NS}:dns`]: { acceleratedRecovery: false } }).dns.acceleratedRecovery).to.equal(false);
    expect(() => parsePrimary({ [`${NS}:dns`]: { acceleratedRecovery: "yes" } })).to.throw(/dns.acceleratedRecovery.*must be true or false/);
  });

  it("accepts a primary deployed before the replication heartbeat (the DR stack must stay deployable in an outage) and says what it costs", () => {
    const { dbHeartbeatFunctionArn: _heartbeat, ...older } = primaryOutputsFixture();
    expect(parsePrimaryOutputs(older, PRIMARY_STACK).dbHeartbeatFunctionArn).to.equal(undefined);
    expect(missingHeartbeatProblem(parsePrimaryOutputs(older, PRIMARY_STACK))).to.match(
      /planned failback .* refuses before it changes anything; redeploy the primary/,
    );
    // backup-restore and Aurora have no replica heartbeat to miss.
    expect(missingHeartbeatProblem(parsePrimaryOutputs({ ...older, strategy: "backup-restore" }, PRIMARY_STACK))).to.equal(undefined);
    expect(missingHeartbeatProblem(primaryOutputsFixture())).to.equal(undefined);
  });

  it("refuses an RPO under 30 s for an instance-mode pair with a read replica (the lag alarm would flap on an idle database)", () => {
    const dr = parseDr({ [`${NS}:recovery`]: { rpoSeconds: 20 } });
    const problems = crossStackProblems(dr, primaryOutputsFixture({ rpoSeconds: 20 }));
    expect(problems.map((problem) => problem.key)).to.include("multi-region-dr:recovery.rpoSeconds");
    expect(problems.find((problem) => problem.key === "multi-region-dr:recovery.rpoSeconds")?.message).to.match(/under 30 s/);
    expect(
      crossStackProblems(parseDr({ [`${NS}:recovery`]: { rpoSeconds: 30 } }), primaryOutputsFixture({ rpoSeconds: 30 })).map((problem) => problem.key),
    ).to.not.include("multi-region-dr:recovery.rpoSeconds");
  });

  it("lists every output when the primary was never deployed", () => {
    const error = configErrorOf(() => parsePrimaryOutputs({}, PRIMARY_STACK));
    const required = PRIMARY_OUTPUT_NAMES.filter((name) => !primaryOutputsSchema.shape[name].safeParse(undefined).success);
    expect(required).to.include("dbArn");
    const optional = [
      "standbyRegion",
      "dbEngineMode",
      "dbGlobalClusterIdentifier",
      "dbSubnetGroupName",
      "dbSecurityGroupId",
      "dbHeartbeatFunctionArn",
      "globalTableName",
      "globalTableArn",
      "app",
      "drMonitoringHeartbeat",
      "autoScalingGroupArn",
      "cache",
      "edge",
      "edgeOriginVerifySecret",
      "healthCheckProtocol",
      "healthCheckPort",
    ];
    expect(required).to.have.members(
      PRIMARY_OUTPUT_NAMES.filter((name) => !optional.includes(name)),
      "every output but the optional ones",
    );
    expect(error.problems.map((problem) => problem.key)).to.have.members(required.map((name) => `${PRIMARY_STACK} output ${name}`));
    expect(error.problems.every((problem) => problem.message.includes("deploy the primary stack first"))).to.equal(true);
  });

  it("says to fix the primary stack when dbArn is malformed", () => {
    const bad = "arn:aws:rds:us-east-1:123456789012:cluster:primary-db";
    const error = configErrorOf(() => parsePrimaryOutputs({ ...primaryOutputsFixture(), dbArn: bad }, PRIMARY_STACK));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${PRIMARY_STACK} output dbArn`]);
    expect(error.problems[0].value).to.equal(bad);
    expect(error.problems[0].message).to.include("must be a DB instance ARN (…:db:<id>) for an instance-mode primary");
    expect(error.problems[0].message).to.include("fix the primary stack");
    expect(error.message).to.include(`(found: "${bad}")`);
  });

  it("rejects outputs of a stack that is not a primary", () => {
    const error = configErrorOf(() => parsePrimaryOutputs({ ...primaryOutputsFixture(), role: "dr" }, PRIMARY_STACK));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${PRIMARY_STACK} output role`]);
    expect(error.problems[0].message).to.include("the referenced stack is not a primary stack");
  });

  it("rejects a malformed bucket ARN and a backup retention of 0", () => {
    const error = configErrorOf(() => parsePrimaryOutputs({ ...primaryOutputsFixture(), bucketArn: "arn:aws:s3:::", dbBackupRetentionDays: 0 }, PRIMARY_STACK));
    expect(error.problems.map((problem) => problem.key)).to.have.members([
      `${PRIMARY_STACK} output bucketArn`,
      `${PRIMARY_STACK} output dbBackupRetentionDays`,
    ]);
    expect(error.message).to.include("a cross-region replica needs backups on its source");
  });
});

describe("crossStackProblems", () => {
  it("finds nothing for the default DR config against the default primary", () => {
    expect(crossStackProblems(parseDr(), primaryOutputsFixture())).to.deep.equal([]);
  });

  it("after a failover, refuses a DR database retention that the promoted database's continuous backup would fight", () => {
    const primary = primaryOutputsFixture();
    const promoted = (days: number) => parseDr({ [`${NS}:database`]: { promoted: true, backupRetentionDays: days } });
    expect(crossStackProblems(promoted(primary.dbBackupRetentionDays), primary)).to.deep.equal([]);
    const problems = crossStackProblems(promoted(primary.dbBackupRetentionDays + 1), primary);
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:database.backupRetentionDays`]);
    expect(problems[0].message).to.include(`set database.backupRetentionDays to ${primary.dbBackupRetentionDays}`);
    // Before a failover the DR database is a replica, which AWS Backup does not back up here: any retention is fine.
    expect(crossStackProblems(parseDr({ [`${NS}:database`]: { backupRetentionDays: primary.dbBackupRetentionDays + 1 } }), primary)).to.deep.equal([]);
  });

  it("refuses the outage mode of a us-east-1 primary while its edge is being turned off (retainInOutage false), and only then", () => {
    const outage = parseDr({
      [`${NS}:app`]: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789" },
      [`${NS}:database`]: { promoted: true },
      [`${NS}:outage`]: { primaryRegionDown: true },
    });
    const edge = (retainInOutage: boolean) =>
      ({
        enabled: true,
        healthListener: true,
        retainInOutage,
        priceClass: "PriceClass_100",
        writePaths: ["/write"],
        originSecretVersion: 1,
        waf: { enabled: false, rateLimitPer5Minutes: 2000 },
      }) as PrimaryOutputs["edge"];
    const withEdge = (retainInOutage: boolean, region = "us-east-1") =>
      primaryOutputsFixture({ region, edge: edge(retainInOutage), edgeOriginVerifySecret: "s".repeat(64) });
    const keys = (primary: PrimaryOutputs) => crossStackProblems(outage, primary).map((problem) => problem.key);
    expect(keys(withEdge(false))).to.include(`${NS}:outage.primaryRegionDown`);
    expect(keys(withEdge(true))).not.to.include(`${NS}:outage.primaryRegionDown`);
    expect(keys(withEdge(false, "us-east-2"))).not.to.include(`${NS}:outage.primaryRegionDown`);
  });

  it("accepts a DR stack in the primary's standbyRegion", () => {
    expect(crossStackProblems(parseDr(), { ...primaryOutputsFixture(), standbyRegion: "us-west-2" })).to.deep.equal([]);
  });

  it("rejects a DR stack outside the primary's standbyRegion", () => {
    const problems = crossStackProblems(parseDr(), { ...primaryOutputsFixture(), standbyRegion: "eu-west-1" });
    expect(problems.map((problem) => problem.key)).to.deep.equal(["aws:region"]);
    expect(problems[0].value).to.equal("us-west-2");
    expect(problems[0].message).to.include("differs from the primary's standbyRegion eu-west-1");
  });

  it("rejects a DR stack in the primary's region", () => {
    const problems = crossStackProblems(parseDr({ "aws:region": "us-east-1" }), primaryOutputsFixture());
    expect(problems.map((problem) => problem.key)).to.deep.equal(["aws:region"]);
    expect(problems[0].value).to.equal("us-east-1");
    expect(problems[0].message).to.include("must run in another region (e.g. us-west-2)");
  });

  it("suggests us-east-1 when the primary is in us-west-2", () => {
    const problems = crossStackProblems(parseDr({ "aws:region": "us-west-2" }), { ...primaryOutputsFixture(), region: "us-west-2" });
    expect(problems.map((problem) => problem.key)).to.deep.equal(["aws:region"]);
    expect(problems[0].message).to.include("(e.g. us-east-1)");
  });

  it("rejects a DR block that overlaps the primary's", () => {
    const problems = crossStackProblems(parseDr({ [`${NS}:network`]: { cidrBlock: "10.0.128.0/20" } }), primaryOutputsFixture());
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:network.cidrBlock`]);
    expect(problems[0].value).to.equal("10.0.128.0/20");
    expect(problems[0].message).to.include("overlaps the primary's 10.0.0.0/16");
  });

  it("rejects a different app instance type", () => {
    const problems = crossStackProblems(parseDr({ [`${NS}:app`]: { instanceType: "m7i.large" } }), primaryOutputsFixture());
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:app.instanceType`]);
    expect(problems[0].value).to.equal("m7i.large");
    expect(problems[0].message).to.include("differs from the primary's t3.small");
  });

  it("rejects a DR maxSize below the primary's", () => {
    const problems = crossStackProblems(parseDr({ [`${NS}:app`]: { maxSize: 4 } }), primaryOutputsFixture());
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:app.maxSize`]);
    expect(problems[0].value).to.equal(4);
    expect(problems[0].message).to.include("set it to at least 6");
  });

  it("accepts a DR maxSize above the primary's", () => {
    expect(crossStackProblems(parseDr({ [`${NS}:app`]: { maxSize: 10 } }), primaryOutputsFixture())).to.deep.equal([]);
  });

  it("rejects a different RTO", () => {
    const problems = crossStackProblems(parseDr({ [`${NS}:recovery`]: { rtoSeconds: 1200 } }), primaryOutputsFixture());
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:recovery.rtoSeconds`]);
    expect(problems[0].value).to.equal(1200);
    expect(problems[0].message).to.include("differs from the primary's 900; declare the same target in both stacks");
  });

  it("rejects a different RPO", () => {
    const problems = crossStackProblems(parseDr({ [`${NS}:recovery`]: { rpoSeconds: 30 } }), primaryOutputsFixture());
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:recovery.rpoSeconds`]);
    expect(problems[0].message).to.include("differs from the primary's 60");
  });

  it("reports every cross-stack problem at once", () => {
    const config = parseDr({
      "aws:region": "us-east-1",
      [`${NS}:network`]: { cidrBlock: "10.0.0.0/16" },
      [`${NS}:app`]: { instanceType: "t3.large", maxSize: 2 },
      [`${NS}:recovery`]: { rtoSeconds: 1800, rpoSeconds: 300 },
    });
    expect(crossStackProblems(config, primaryOutputsFixture()).map((problem) => problem.key)).to.deep.equal([
      "aws:region",
      `${NS}:network.cidrBlock`,
      `${NS}:app.instanceType`,
      `${NS}:app.maxSize`,
      `${NS}:recovery.rtoSeconds`,
      `${NS}:recovery.rpoSeconds`,
    ]);
  });
});

describe("fixes found in review", () => {
  it("rejects leading zeros in a VPC block instead of reading them as octal", () => {
    const problem = vpcCidrProblem("010.0.0.0/16");
    expect(problem).to.contain("without leading zeros");
    expect(problem).to.not.contain("8.0.0.0");
  });

  it("turns a malformed primary vpcCidrBlock into a ConfigError naming the output", () => {
    const values: Record<string, unknown> = { ...primaryOutputsFixture(), vpcCidrBlock: "not-a-cidr" };
    let caught: unknown;
    try {
      parsePrimaryOutputs(values, "organization/multi-region-dr/primary");
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as Error).message).to.contain('organization/multi-region-dr/primary output vpcCidrBlock (found: "not-a-cidr")');
    expect((caught as Error).message).to.contain("fix the primary stack");
  });
});

describe("coversWholeInternet", () => {
  it("is true for every /0 spelling and false for real networks", () => {
    for (const cidr of ["0.0.0.0/0", "10.0.0.0/0", "0.0.0.0/00", "::/0", " 0.0.0.0/0 "]) expect(coversWholeInternet(cidr), cidr).to.equal(true);
    for (const cidr of ["203.0.113.0/24", "10.0.0.0/16", "0.0.0.0/1", "10.0.0.0/20"]) expect(coversWholeInternet(cidr), cidr).to.equal(false);
  });
});

describe("failoverDetectionProblem", () => {
  it("accepts detection plus the alias TTL strictly below the RTO, and rejects it at the RTO", () => {
    // 30 s x 3 = 90 s detection + 60 s TTL = 150 s.
    expect(failoverDetectionProblem(30, 3, 151)).to.equal(undefined);
    expect(failoverDetectionProblem(30, 3, 150)).to.equal(
      "health-check detection (30 s x 3 = 90 s) plus the 60 s alias TTL does not fit the 150 s RTO; lower the interval or threshold, or raise recovery.rtoSeconds",
    );
    expect(LOAD_BALANCER_ALIAS_TTL_SECONDS).to.equal(60);
  });
});
