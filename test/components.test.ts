// Unit tests for the components: each one is built alone under Pulumi mocks (synth/recordStack.ts)
// and its planned resources are checked input by input; the pure helpers are tested directly.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { AppTier, type AppTierArgs, HEALTH_CHECK_PATH, SCRAPE_PORTS, TARGET_HEALTH_CHECK, TLS_POLICY } from "../components/appTier";
import { BucketReplication, REPLICATION_TIME_CONTROL_MINUTES } from "../components/bucketReplication";
import { databaseParameters, parameterGroupFamily, resolvedEngineVersion } from "../components/databaseEngine";
import { FailoverRouting, type FailoverRoutingArgs, FENCE_METRIC, ROUTE53_HTTP_CHECK } from "../components/failoverRouting";
import { CONTROL_PLANE_LOG_TYPES, MonitoringCluster, type MonitoringClusterArgs, NODE_ROLE_POLICIES } from "../components/monitoringCluster";
import { type PolicyDocument, type PolicyStatement, regionalKeyPolicy, replicationRolePolicy, tlsOnlyStatement } from "../components/policyDocuments";
import { KEY_DELETION_WINDOW_DAYS, RegionalKey } from "../components/regionalKey";
import { RegionalNetwork, type RegionalNetworkArgs } from "../components/regionalNetwork";
import { ReplicatedBackups } from "../components/replicatedBackups";
import {
  DATA_COPY_CREATE_TIMEOUT,
  dataCopyCreateTimeout,
  instanceDeletionSettings,
  ReplicatedDatabase,
  type ReplicatedDatabaseArgs,
} from "../components/replicatedDatabase";
import { ABORT_INCOMPLETE_UPLOAD_DAYS, SecureBucket, type SecureBucketArgs } from "../components/secureBucket";
import { DATABASE_NAME_TTL_SECONDS, StableDatabaseName, stableDatabaseFqdn } from "../components/stableDatabaseName";
import { subnetLayout } from "../components/subnetLayout";
import { NODE_EXPORTER_RELEASE, nodeExporterUrl, renderAppUserData } from "../components/userData";
import { APP_METRICS_PORT, NODE_EXPORTER_PORT } from "../config/conventions";
import { protectionProblems } from "../invariants/statefulProtection";
import { MOCK_ACCOUNT_ID, mockAddonVersion } from "../synth/mockCloud";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";
import { EAST_KEY, WEST_KEY, replicationArgs } from "./fixtures/regionalKeys";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type ComponentOptions = pulumi.ComponentResourceOptions;

/**
 * Builds components in `region` under mocks: the program gets the options of an explicit AWS
 * provider in that region and returns the stack outputs it wants to inspect.
 */
function plan(region: string, build: (opts: ComponentOptions) => Record<string, unknown> | void): Promise<StackPlan> {
  return recordStack({
    project: "components",
    stack: "test",
    role: "primary",
    region,
    program: () => {
      const provider = new aws.Provider("provider", { region });
      return build({ providers: { aws: provider } }) ?? {};
    },
  });
}

/** Expects building to fail with an error of `kind` whose message matches `pattern`. */
async function expectBuildFailure(
  region: string,
  build: (opts: ComponentOptions) => void,
  kind: new (...args: never[]) => Error,
  pattern: RegExp,
): Promise<Error> {
  let thrown: unknown;
  try {
    await plan(region, build);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected the component to throw").to.be.instanceOf(kind);
  expect((thrown as Error).message).to.match(pattern);
  return thrown as Error;
}

function ofType(resources: PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((resource) => resource.type === type);
}

/** The one resource of `type` (and `name`, when given). */
function one(resources: PlannedResource[], type: string, name?: string): PlannedResource {
  const matches = ofType(resources, type).filter((resource) => name === undefined || resource.name === name);
  expect(
    matches.map((resource) => resource.name),
    `resources of ${type}${name ? ` named ${name}` : ""}`,
  ).to.have.length(1);
  return matches[0];
}

/** Walks `value` along `path`; undefined when a step is missing. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

function parsePolicy(resource: PlannedResource, field: string): PolicyDocument {
  const text = resource.inputs[field];
  expect(text, `${resource.name}.${field}`).to.be.a("string");
  return JSON.parse(text as string) as PolicyDocument;
}

function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

const T = {
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  vpc: "awsx:ec2:Vpc",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  logging: "aws:s3/bucketLogging:BucketLogging",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  replicationConfig: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  asg: "aws:autoscaling/group:Group",
  asgPolicy: "aws:autoscaling/policy:Policy",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  alb: "aws:lb/loadBalancer:LoadBalancer",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  rds: "aws:rds/instance:Instance",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  record: "aws:route53/record:Record",
  zone: "aws:route53/zone:Zone",
  eksCluster: "eks:index:Cluster",
  nodeGroup: "eks:index:ManagedNodeGroup",
  addon: "aws:eks/addon:Addon",
} as const;

const CERTIFICATE = `arn:aws:acm:us-east-1:${MOCK_ACCOUNT_ID}:certificate/abcd-1234`;

// ---------------------------------------------------------------------------------------------
// RegionalKey
// ---------------------------------------------------------------------------------------------

describe("RegionalKey", () => {
  let resources: PlannedResource[];
  let key: PlannedResource;
  let policy: PolicyDocument;

  before(async () => {
    ({ resources } = await plan("us-west-2", (opts) => {
      new RegionalKey("dr-key", { region: "us-west-2", aliasName: "multi-region-dr-dr", protect: true }, opts);
    }));
    key = one(resources, T.key);
    policy = parsePolicy(key, "policy");
  });

  it("rotates yearly, waits 30 days before deletion and stays single-region", () => {
    expect(key.inputs.enableKeyRotation).to.equal(true);
    expect(key.inputs.deletionWindowInDays).to.equal(30);
    expect(KEY_DELETION_WINDOW_DAYS).to.equal(30);
    expect(key.inputs.multiRegion).to.equal(false);
    expect(key.region).to.equal("us-west-2");
  });

  it("is protected when asked", () => {
    expect(key.protect).to.equal(true);
  });

  it("has an alias/<aliasName> alias in the same region", () => {
    const alias = one(resources, T.alias);
    expect(alias.inputs.name).to.equal("alias/multi-region-dr-dr");
    expect(alias.inputs.targetKeyId)
      .to.be.a("string")
      .and.match(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(alias.region).to.equal("us-west-2");
  });

  it("lets CloudWatch Logs of its own region use the key, for this account's log groups only", () => {
    const logs = policy.Statement.filter((statement) => String(at(statement.Principal, "Service") ?? "").startsWith("logs."));
    expect(logs).to.have.length(1);
    expect(at(logs[0].Principal, "Service")).to.equal("logs.us-west-2.amazonaws.com");
    expect(at(logs[0].Condition, "ArnLike", "kms:EncryptionContext:aws:logs:arn")).to.equal(`arn:aws:logs:us-west-2:${MOCK_ACCOUNT_ID}:*`);
    expect(JSON.stringify(policy)).not.to.include("logs.us-east-1");
  });

  it("lets CloudWatch alarms and RDS event subscriptions publish to topics it encrypts, and nothing more", () => {
    const publishers = policy.Statement.filter((statement) => Array.isArray(at(statement.Principal, "Service")));
    expect(publishers).to.have.length(1);
    expect(at(publishers[0].Principal, "Service")).to.deep.equal(["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"]);
    expect(publishers[0].Action).to.deep.equal(["kms:Decrypt", "kms:GenerateDataKey*"]);
  });

  it("has no unconditioned * principal: every AWS * statement is scoped by kms:CallerAccount", () => {
    expect(policy.Statement.some((statement) => statement.Principal === "*")).to.equal(false);
    const wildcard = policy.Statement.filter((statement) => at(statement.Principal, "AWS") === "*");
    expect(wildcard).to.have.length(2);
    for (const statement of wildcard) {
      expect(at(statement.Condition, "StringEquals", "kms:CallerAccount"), statement.Sid).to.equal(MOCK_ACCOUNT_ID);
      expect(at(statement.Condition, "ArnEquals", "aws:PrincipalArn"), statement.Sid).to.equal(
        `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      );
    }
  });

  it("administers the key through the account's IAM policies", () => {
    const admin = policy.Statement.find((statement) => statement.Sid === "AccountAdministersKeyThroughIam");
    expect(admin?.Principal).to.deep.equal({ AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` });
    expect(admin?.Action).to.equal("kms:*");
  });

  it("is not protected when not asked", async () => {
    const { resources: unprotected } = await plan("us-east-1", (opts) => {
      new RegionalKey("k", { region: "us-east-1", aliasName: "scratch", protect: false }, opts);
    });
    expect(one(unprotected, T.key).protect).to.equal(false);
    const logs = parsePolicy(one(unprotected, T.key), "policy").Statement.find((statement) => statement.Sid === "CloudWatchLogsEncryptsThisAccountsLogGroups");
    expect(logs?.Principal).to.deep.equal({ Service: "logs.us-east-1.amazonaws.com" });
  });

  it("rejects an alias in the reserved aws/ namespace", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new RegionalKey("k", { region: "us-east-1", aliasName: "aws/s3", protect: false }, opts),
      Error,
      /aliasName "aws\/s3" must use letters, digits, \/, _ or - and not start with aws\//,
    );
  });

  it("regionalKeyPolicy names the partition of the key", () => {
    const document = regionalKeyPolicy({ partition: "aws-us-gov", accountId: "111122223333", region: "us-gov-west-1" });
    expect(document.Statement[0].Principal).to.deep.equal({ AWS: "arn:aws-us-gov:iam::111122223333:root" });
    expect(at(document.Statement[1].Condition, "ArnLike", "kms:EncryptionContext:aws:logs:arn")).to.equal("arn:aws-us-gov:logs:us-gov-west-1:111122223333:*");
  });
});

// ---------------------------------------------------------------------------------------------
// RegionalNetwork
// ---------------------------------------------------------------------------------------------

const networkArgs = (overrides: Partial<RegionalNetworkArgs> = {}): RegionalNetworkArgs => ({
  cidrBlock: "10.0.0.0/16",
  availabilityZoneCount: 3,
  natGateways: "one-per-zone",
  kmsKeyArn: EAST_KEY,
  flowLogRetentionDays: 90,
  ...overrides,
});

describe("RegionalNetwork", () => {
  describe("three zones, NAT per zone, /16", () => {
    let resources: PlannedResource[];
    before(async () => {
      ({ resources } = await plan("us-east-1", (opts) => void new RegionalNetwork("net", networkArgs(), opts)));
    });

    it("builds an awsx VPC with the block, zone count and one NAT per zone", () => {
      const vpc = one(resources, T.vpc);
      expect(vpc.inputs.cidrBlock).to.equal("10.0.0.0/16");
      expect(vpc.inputs.numberOfAvailabilityZones).to.equal(3);
      expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
      expect(vpc.inputs.enableDnsHostnames).to.equal(true);
      expect(vpc.inputs.enableDnsSupport).to.equal(true);
    });

    it("carves subnets by subnetLayout(16): /18 zones, /19 private, /21 public and isolated", () => {
      const vpc = one(resources, T.vpc);
      const layout = subnetLayout(16);
      expect(vpc.inputs.availabilityZoneCidrMask).to.equal(18);
      expect(vpc.inputs.availabilityZoneCidrMask).to.equal(layout.availabilityZoneCidrMask);
      expect(vpc.inputs.subnetSpecs).to.deep.equal([
        // The load balancer role tags, so an internal load balancer (Grafana's) lands in the private subnets
        // (AWS Load Balancer Controller, "Subnet auto-discovery").
        { type: "Private", name: "private", cidrMask: 19, tags: { "kubernetes.io/role/internal-elb": "1" } },
        { type: "Public", name: "public", cidrMask: 21, tags: { "kubernetes.io/role/elb": "1" } },
        { type: "Isolated", name: "isolated", cidrMask: 21 },
      ]);
    });

    it("logs ALL traffic of the VPC to an encrypted log group", () => {
      const vpc = one(resources, T.vpc);
      const flowLog = one(resources, T.flowLog);
      const logGroup = one(resources, T.logGroup);
      expect(flowLog.inputs.trafficType).to.equal("ALL");
      expect(flowLog.inputs.logDestinationType).to.equal("cloud-watch-logs");
      expect(flowLog.inputs.vpcId).to.be.a("string").and.match(/^vpc-/);
      expect(flowLog.inputs.logDestination).to.match(new RegExp(`^arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:log-group:net-flow-logs-`));
      expect(flowLog.inputs.iamRoleArn).to.match(/^arn:aws:iam::\d{12}:role\/net-flow-logs-role-/);
      expect(logGroup.inputs.kmsKeyId).to.equal(EAST_KEY);
      expect(logGroup.inputs.retentionInDays).to.equal(90);
      expect(vpc.parent).to.equal("net");
    });

    it("lets only vpc-flow-logs of this account assume the flow-log role", () => {
      const trust = parsePolicy(one(resources, T.role), "assumeRolePolicy");
      expect(trust.Statement).to.deep.equal([
        {
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
        },
      ]);
    });

    it("strips every rule from the default security group of the same VPC", () => {
      const defaultSg = one(resources, T.defaultSg);
      expect(defaultSg.inputs.ingress).to.deep.equal([]);
      expect(defaultSg.inputs.egress).to.deep.equal([]);
      expect(defaultSg.inputs.vpcId).to.equal(one(resources, T.flowLog).inputs.vpcId);
    });
  });

  describe("two zones, single NAT, /20", () => {
    let vpc: PlannedResource;
    before(async () => {
      const { resources } = await plan("us-west-2", (opts) => {
        new RegionalNetwork("net", networkArgs({ cidrBlock: "10.1.0.0/20", availabilityZoneCount: 2, natGateways: "single" }), opts);
      });
      vpc = one(resources, T.vpc);
    });

    it("uses a single NAT gateway", () => {
      expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "Single" });
      expect(vpc.inputs.numberOfAvailabilityZones).to.equal(2);
      expect(vpc.region).to.equal("us-west-2");
    });

    it("carves /22 zones, /23 private, /25 public and isolated subnets", () => {
      expect(vpc.inputs.availabilityZoneCidrMask).to.equal(22);
      expect(at(vpc.inputs.subnetSpecs, 0, "cidrMask")).to.equal(23);
      expect(at(vpc.inputs.subnetSpecs, 1, "cidrMask")).to.equal(25);
      expect(at(vpc.inputs.subnetSpecs, 2, "cidrMask")).to.equal(25);
    });
  });

  it("rejects 1 availability zone", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new RegionalNetwork("net", networkArgs({ availabilityZoneCount: 1 }), opts),
      RangeError,
      /availabilityZoneCount must be 2 to 4, got 1/,
    );
  });

  it("rejects 5 availability zones", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new RegionalNetwork("net", networkArgs({ availabilityZoneCount: 5 }), opts),
      RangeError,
      /availabilityZoneCount must be 2 to 4, got 5/,
    );
  });

  it("rejects a /24 block", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new RegionalNetwork("net", networkArgs({ cidrBlock: "10.0.0.0/24" }), opts),
      RangeError,
      /VPC prefix length must be 16 to 20, got 24/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// SecureBucket
// ---------------------------------------------------------------------------------------------

describe("SecureBucket", () => {
  describe("KMS-encrypted data bucket with access logging", () => {
    let resources: PlannedResource[];
    let bucketName: string;
    let bucketArn: string;

    before(async () => {
      const built = await plan("us-east-1", (opts) => {
        const bucket = new SecureBucket(
          "data",
          { encryption: { kind: "kms", keyArn: EAST_KEY }, noncurrentVersionExpirationDays: 30, accessLogBucket: "log-archive-bucket", protect: true },
          opts,
        );
        return { bucketName: bucket.bucketName, bucketArn: bucket.bucketArn };
      });
      resources = built.resources;
      bucketName = built.outputs.bucketName as string;
      bucketArn = built.outputs.bucketArn as string;
    });

    it("protects the bucket and never force-destroys it", () => {
      const bucket = one(resources, T.bucket);
      expect(bucket.protect).to.equal(true);
      expect(bucket.inputs.forceDestroy).to.equal(false);
      expect(bucketArn).to.equal(`arn:aws:s3:::${bucketName}`);
    });

    it("enables versioning", () => {
      const versioning = one(resources, T.versioning);
      expect(versioning.inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
      expect(versioning.inputs.bucket).to.equal(bucketName);
    });

    it("blocks all four kinds of public access", () => {
      const block = one(resources, T.publicAccess);
      expect(block.inputs).to.deep.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
        bucket: bucketName,
      });
    });

    it("disables ACLs (BucketOwnerEnforced)", () => {
      expect(one(resources, T.ownership).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
    });

    it("encrypts with the given KMS key and an S3 Bucket Key", () => {
      expect(one(resources, T.encryption).inputs.rules).to.deep.equal([
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: EAST_KEY }, bucketKeyEnabled: true },
      ]);
    });

    it("denies every request without TLS", () => {
      const document = parsePolicy(one(resources, T.bucketPolicy), "policy");
      expect(document.Version).to.equal("2012-10-17");
      expect(document.Statement).to.deep.equal([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
      ]);
    });

    it("expires noncurrent versions and aborts incomplete uploads, keeping current objects", () => {
      const rules = one(resources, T.lifecycle).inputs.rules;
      expect(rules).to.have.length(1);
      expect(at(rules, 0, "status")).to.equal("Enabled");
      expect(at(rules, 0, "noncurrentVersionExpiration")).to.deep.equal({ noncurrentDays: 30 });
      expect(at(rules, 0, "abortIncompleteMultipartUpload")).to.deep.equal({ daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS });
      expect(ABORT_INCOMPLETE_UPLOAD_DAYS).to.equal(7);
      expect(at(rules, 0, "expiration")).to.equal(undefined);
    });

    it("sends server access logs to the log bucket under s3/<bucket>/", () => {
      const logging = one(resources, T.logging);
      expect(logging.inputs.targetBucket).to.equal("log-archive-bucket");
      expect(logging.inputs.targetPrefix).to.equal(`s3/${bucketName}/`);
      expect(logging.inputs.bucket).to.equal(bucketName);
    });
  });

  describe("SSE-S3 log bucket", () => {
    let resources: PlannedResource[];
    before(async () => {
      ({ resources } = await plan("us-east-1", (opts) => {
        new SecureBucket(
          "logs",
          {
            encryption: { kind: "s3-managed" },
            noncurrentVersionExpirationDays: 7,
            currentVersionExpirationDays: 365,
            extraPolicyStatements: (arn) => [
              { Sid: "Extra", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/s3/*` },
            ],
            protect: false,
          },
          opts,
        );
      }));
    });

    it("encrypts with AES256 and no bucket key", () => {
      expect(one(resources, T.encryption).inputs.rules).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    });

    it("expires current objects after the given days", () => {
      expect(at(one(resources, T.lifecycle).inputs.rules, 0, "expiration")).to.deep.equal({ days: 365 });
      expect(at(one(resources, T.lifecycle).inputs.rules, 0, "noncurrentVersionExpiration")).to.deep.equal({ noncurrentDays: 7 });
    });

    it("has no access logging of its own and is not protected", () => {
      expect(ofType(resources, T.logging)).to.have.length(0);
      expect(one(resources, T.bucket).protect).to.equal(false);
    });

    it("adds the extra statements after the TLS deny", () => {
      const statements = parsePolicy(one(resources, T.bucketPolicy), "policy").Statement;
      expect(statements.map((statement) => statement.Sid)).to.deep.equal(["DenyInsecureTransport", "Extra"]);
      expect(statements[1].Resource).to.match(/^arn:aws:s3:::logs-[0-9a-f]+\/s3\/\*$/);
    });
  });

  const bucketArgs = (overrides: Partial<SecureBucketArgs>): SecureBucketArgs => ({
    encryption: { kind: "s3-managed" },
    noncurrentVersionExpirationDays: 30,
    protect: false,
    ...overrides,
  });

  it("rejects 0 noncurrent days", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new SecureBucket("b", bucketArgs({ noncurrentVersionExpirationDays: 0 }), opts),
      Error,
      /noncurrentVersionExpirationDays must be a whole number of days >= 1, got 0/,
    );
  });

  it("rejects a fractional current-version day count", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new SecureBucket("b", bucketArgs({ currentVersionExpirationDays: 1.5 }), opts),
      Error,
      /currentVersionExpirationDays must be a whole number of days >= 1, got 1.5/,
    );
  });

  it("tlsOnlyStatement covers the bucket and its objects", () => {
    expect(tlsOnlyStatement("arn:aws:s3:::b").Resource).to.deep.equal(["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
  });
});

// ---------------------------------------------------------------------------------------------
// AppTier
// ---------------------------------------------------------------------------------------------

/** The demo's user data for the test tier, as stacks/appRuntime.ts renders it for the primary region. */
const demoUserData = renderAppUserData({
  region: "us-east-1",
  role: "primary",
  port: 8080,
  healthPath: "/health",
  engine: "postgres",
  databaseHost: "db.app.internal",
  databasePort: 5432,
  databaseName: "app",
  databaseCredentialsSecretName: "multi-region-dr-primary-primary/app/database-credentials-abc",
  architecture: "x86_64",
});
const appArgs = (overrides: Partial<AppTierArgs> = {}): AppTierArgs => ({
  region: "us-east-1",
  role: "primary",
  primaryRegion: "us-east-1",
  image: { kind: "demo" },
  imageCopyName: "multi-region-dr-primary-primary-app",
  userData: demoUserData,
  healthPath: "/health",
  access: {
    secretArns: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:multi-region-dr-primary-primary/app/database-credentials-abc-a1b2c3"],
    secretsKeyArn: EAST_KEY,
    parameterPath: "/multi-region-dr-primary-primary/app/",
    dataBucketArn: "arn:aws:s3:::primary-data-b00b7c7",
    dataKeyArn: EAST_KEY,
  },
  vpcId: "vpc-0123456789abcdef0",
  vpcCidrBlock: "10.0.0.0/16",
  publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
  privateSubnetIds: ["subnet-prv-a", "subnet-prv-b"],
  kmsKeyArn: EAST_KEY,
  accessLogBucketName: "log-archive-bucket",
  instanceType: "t3.small",
  minSize: 2,
  desiredCapacity: 3,
  maxSize: 6,
  targetCpuUtilizationPercent: 50,
  appPort: 8080,
  databasePort: 5432,
  deletionProtection: true,
  ...overrides,
});

describe("AppTier", () => {
  describe("with a certificate (HTTPS)", () => {
    let resources: PlannedResource[];
    let outputs: Record<string, unknown>;
    before(async () => {
      ({ resources, outputs } = await plan("us-east-1", (opts) => {
        const app = new AppTier("app", appArgs({ certificateArn: CERTIFICATE }), opts);
        return {
          targetGroupArn: app.targetGroupArn,
          albArn: app.albArn,
          albSecurityGroupId: app.albSecurityGroupId,
          instanceSecurityGroupId: app.instanceSecurityGroupId,
          listenerProtocol: app.listenerProtocol,
          listenerPort: app.listenerPort,
        };
      }));
    });

    it("requires IMDSv2 with a hop limit of 1", () => {
      const metadata = one(resources, T.launchTemplate).inputs.metadataOptions;
      expect(metadata).to.deep.include({ httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" });
    });

    it("encrypts the root volume with the given key", () => {
      const mappings = one(resources, T.launchTemplate).inputs.blockDeviceMappings;
      expect(mappings).to.have.length(1);
      expect(at(mappings, 0, "ebs")).to.deep.include({ encrypted: "true", kmsKeyId: EAST_KEY, volumeType: "gp3" });
    });

    it("gives instances no public IP and only the instance security group", () => {
      const interfaces = one(resources, T.launchTemplate).inputs.networkInterfaces;
      expect(interfaces).to.have.length(1);
      expect(at(interfaces, 0, "associatePublicIpAddress")).to.equal("false");
      expect(at(interfaces, 0, "securityGroups")).to.deep.equal([outputs.instanceSecurityGroupId]);
    });

    it("boots the app with the region and the stable database name", () => {
      const lt = one(resources, T.launchTemplate);
      expect(lt.inputs.instanceType).to.equal("t3.small");
      const script = Buffer.from(lt.inputs.userData as string, "base64").toString("utf8");
      expect(script.startsWith("#!/bin/bash\n")).to.equal(true);
      expect(script).to.include("--region us-east-1");
      expect(script).to.include("--db-host db.app.internal");
      expect(script).to.include("--port 8080 --metrics-port 9464 --region us-east-1 --role primary --db-host db.app.internal --db-port 5432");
      // t3.small is x86_64: the amd64 node exporter build with its checksum.
      expect(script).to.include(nodeExporterUrl("x86_64"));
      expect(script).to.include(NODE_EXPORTER_RELEASE.sha256.x86_64);
    });

    it("runs an ASG in the private subnets with ELB health checks, the given sizes, and an ignored desired count", () => {
      const asg = one(resources, T.asg);
      expect(asg.inputs.healthCheckType).to.equal("ELB");
      expect(asg.inputs).to.deep.include({ minSize: 2, desiredCapacity: 3, maxSize: 6 });
      expect(asg.inputs.vpcZoneIdentifiers).to.deep.equal(["subnet-prv-a", "subnet-prv-b"]);
      expect(asg.inputs.targetGroupArns).to.deep.equal([outputs.targetGroupArn]);
      expect(asg.ignoreChanges).to.include("desiredCapacity");
    });

    it("scales on average CPU at the given target", () => {
      const policy = one(resources, T.asgPolicy);
      expect(policy.inputs.policyType).to.equal("TargetTrackingScaling");
      expect(at(policy.inputs.targetTrackingConfiguration, "targetValue")).to.equal(50);
      expect(at(policy.inputs.targetTrackingConfiguration, "predefinedMetricSpecification", "predefinedMetricType")).to.equal("ASGAverageCPUUtilization");
    });

    it("checks /health on the app port", () => {
      const tg = one(resources, T.targetGroup);
      expect(HEALTH_CHECK_PATH).to.equal("/health");
      expect(at(tg.inputs.healthCheck, "path")).to.equal("/health");
      expect(at(tg.inputs.healthCheck, "matcher")).to.equal("200");
      expect(tg.inputs.port).to.equal(8080);
    });

    it("gives a target 2 s to answer (Route 53's limit), every 10 s, unhealthy after 3 failures, healthy after 2", () => {
      const check = one(resources, T.targetGroup).inputs.healthCheck as Record<string, unknown>;
      expect(check).to.deep.include({
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        interval: 10,
        timeout: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      });
      // ELB: the timeout is 2-120 s and below the interval.
      expect(check.timeout as number)
        .to.be.at.least(2)
        .and.below(check.interval as number);
    });

    it("opens only 80 and 443 to the internet, and only on the ALB", () => {
      const open = ofType(resources, T.ingress).filter((rule) => rule.inputs.cidrIpv4 === "0.0.0.0/0");
      expect(open.map((rule) => [rule.inputs.fromPort, rule.inputs.toPort]).sort()).to.deep.equal([
        [443, 443],
        [80, 80],
      ]);
      for (const rule of open) expect(rule.inputs.securityGroupId).to.equal(outputs.albSecurityGroupId);
    });

    it("lets instances take the app port from the ALB only (no scrape rules without a monitoring cluster)", () => {
      const toInstances = ofType(resources, T.ingress).filter((rule) => rule.inputs.securityGroupId === outputs.instanceSecurityGroupId);
      expect(toInstances).to.have.length(1);
      expect(toInstances[0].inputs).to.deep.include({ fromPort: 8080, toPort: 8080, referencedSecurityGroupId: outputs.albSecurityGroupId });
      expect(toInstances[0].inputs.cidrIpv4).to.equal(undefined);
    });

    it("redirects HTTP to HTTPS", () => {
      const http = one(resources, T.listener, "app-http");
      expect(http.inputs.port).to.equal(80);
      expect(http.inputs.defaultActions).to.deep.equal([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
    });

    it("serves HTTPS with the TLS 1.3 policy and the certificate, forwarding to the target group", () => {
      const https = one(resources, T.listener, "app-https");
      expect(https.inputs).to.deep.include({ port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: CERTIFICATE });
      expect(TLS_POLICY).to.equal("ELBSecurityPolicy-TLS13-1-2-2021-06");
      expect(https.inputs.defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: outputs.targetGroupArn }]);
      expect(outputs.listenerProtocol).to.equal("HTTPS");
      expect(outputs.listenerPort).to.equal(443);
    });

    it("drops invalid headers and writes access logs under alb/", () => {
      const alb = one(resources, T.alb);
      expect(alb.inputs.dropInvalidHeaderFields).to.equal(true);
      expect(alb.inputs.accessLogs).to.deep.equal({ bucket: "log-archive-bucket", prefix: "alb", enabled: true });
      expect(alb.inputs.internal).to.equal(false);
      expect(alb.inputs.subnets).to.deep.equal(["subnet-pub-a", "subnet-pub-b"]);
      expect(alb.inputs.enableDeletionProtection).to.equal(true);
      expect(alb.inputs.desyncMitigationMode).to.equal("defensive");
    });

    it("has no SSH anywhere", () => {
      const rules = [...ofType(resources, T.ingress), ...ofType(resources, T.egress)];
      expect(rules.filter((rule) => rule.inputs.fromPort === 22)).to.have.length(0);
    });
  });

  describe("with a monitoring cluster scraping it", () => {
    const CLUSTER_SG = "sg-0eks0cluster0sg";
    let resources: PlannedResource[];
    let outputs: Record<string, unknown>;
    before(async () => {
      ({ resources, outputs } = await plan("us-east-1", (opts) => {
        const app = new AppTier("app", appArgs({ scrapeSourceSecurityGroupId: CLUSTER_SG }), opts);
        return { instanceSecurityGroupId: app.instanceSecurityGroupId, albSecurityGroupId: app.albSecurityGroupId };
      }));
    });

    it("opens exactly the app-metrics and node-exporter ports, from the cluster's nodes only", () => {
      const toInstances = ofType(resources, T.ingress).filter((rule) => rule.inputs.securityGroupId === outputs.instanceSecurityGroupId);
      const fromCluster = toInstances.filter((rule) => rule.inputs.referencedSecurityGroupId === CLUSTER_SG);
      expect(fromCluster.map((rule) => [rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort])).to.have.deep.members([
        ["tcp", 9464, 9464],
        ["tcp", 9100, 9100],
      ]);
      expect(fromCluster.every((rule) => rule.inputs.cidrIpv4 === undefined)).to.equal(true);
      expect(SCRAPE_PORTS.map((scrape) => scrape.port)).to.deep.equal([APP_METRICS_PORT, NODE_EXPORTER_PORT]);
      // Everything else still comes from the ALB only.
      const others = toInstances.filter((rule) => rule.inputs.referencedSecurityGroupId !== CLUSTER_SG);
      expect(others.map((rule) => [rule.inputs.fromPort, rule.inputs.referencedSecurityGroupId])).to.deep.equal([[8080, outputs.albSecurityGroupId]]);
    });

    it("never exposes a metrics port on the ALB", () => {
      const albPorts = ofType(resources, T.ingress)
        .filter((rule) => rule.inputs.securityGroupId === outputs.albSecurityGroupId)
        .map((rule) => rule.inputs.fromPort);
      expect(albPorts).not.to.include(9464);
      expect(albPorts).not.to.include(9100);
      expect(one(resources, T.targetGroup).inputs.port).to.equal(8080);
    });
  });

  describe("without a certificate (HTTP)", () => {
    let resources: PlannedResource[];
    let outputs: Record<string, unknown>;
    before(async () => {
      ({ resources, outputs } = await plan("us-east-1", (opts) => {
        const app = new AppTier("app", appArgs({ instanceType: "t4g.small", deletionProtection: false }), opts);
        return { targetGroupArn: app.targetGroupArn, listenerProtocol: app.listenerProtocol };
      }));
    });

    it("opens only port 80 to the internet", () => {
      const open = ofType(resources, T.ingress).filter((rule) => rule.inputs.cidrIpv4 === "0.0.0.0/0");
      expect(open.map((rule) => rule.inputs.fromPort)).to.deep.equal([80]);
    });

    it("has one HTTP listener forwarding to the target group", () => {
      const listener = one(resources, T.listener);
      expect(listener.name).to.equal("app-http");
      expect(listener.inputs.defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: outputs.targetGroupArn }]);
      expect(outputs.listenerProtocol).to.equal("HTTP");
    });

    it("passes the instance type and deletion protection through", () => {
      expect(one(resources, T.launchTemplate).inputs.instanceType).to.equal("t4g.small");
      expect(one(resources, T.alb).inputs.enableDeletionProtection).to.equal(false);
    });
  });

  it("rejects minSize above desiredCapacity", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new AppTier("app", appArgs({ minSize: 3, desiredCapacity: 2 }), opts),
      RangeError,
      /sizes must satisfy 0 <= minSize <= desiredCapacity <= maxSize and maxSize >= 1, got 3\/2\/6/,
    );
  });

  it("rejects a CPU target above 90 percent", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new AppTier("app", appArgs({ targetCpuUtilizationPercent: 95 }), opts),
      RangeError,
      /targetCpuUtilizationPercent must be 10 to 90, got 95/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// ReplicatedDatabase
// ---------------------------------------------------------------------------------------------

const databaseCommon = {
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-iso-a", "subnet-iso-b"],
  clientSecurityGroupIds: ["sg-0app"],
  engine: "postgres" as const,
  engineVersion: "17",
  instanceClass: "db.t4g.medium",
  allocatedStorageGib: 50,
  maxAllocatedStorageGib: 200,
  backupRetentionDays: 7,
  multiAz: true,
  parameters: databaseParameters("postgres"),
};

const primaryDatabaseArgs = (overrides: Partial<ReplicatedDatabaseArgs> = {}): ReplicatedDatabaseArgs =>
  ({
    ...databaseCommon,
    mode: "primary",
    databaseName: "app",
    masterUsername: "app_admin",
    kmsKeyArn: EAST_KEY,
    protect: true,
    finalSnapshotPrefix: "primary-db",
    ...overrides,
  }) as ReplicatedDatabaseArgs;

const SOURCE_DB_ARN = `arn:aws:rds:us-east-1:${MOCK_ACCOUNT_ID}:db:primary-db-0a1b2c3d`;

describe("ReplicatedDatabase", () => {
  describe("primary mode", () => {
    let resources: PlannedResource[];
    let outputs: Record<string, unknown>;
    let instance: PlannedResource;
    before(async () => {
      ({ resources, outputs } = await plan("us-east-1", (opts) => {
        const database = new ReplicatedDatabase("db", primaryDatabaseArgs(), opts);
        return {
          engineMode: database.engineMode,
          arn: database.arn,
          identifier: database.identifier,
          address: database.address,
          readerAddress: database.readerAddress,
          port: database.port,
          subnetGroupName: database.subnetGroupName,
          securityGroupId: database.securityGroupId,
          masterUserSecretArn: database.masterUserSecretArn,
          globalClusterIdentifier: database.globalClusterIdentifier,
        };
      }));
      instance = one(resources, T.rds);
    });

    it("keeps the instance mode's logical names (an upgrade replaces nothing)", () => {
      const names = resources.filter((resource) => resource.parent === "db").map((resource) => `${resource.type} ${resource.name}`);
      expect(names).to.have.members([
        `${T.subnetGroup} db-subnets`,
        `${T.securityGroup} db-sg`,
        `${T.ingress} db-in-client-0`,
        `${T.parameterGroup} db-parameters`,
        `${T.role} db-monitoring-role`,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment db-monitoring",
        `${T.rds} db-instance`,
      ]);
    });

    it("outputs the instance's ARN, identifier and address, the address for readers too, and the subnet group", () => {
      expect(outputs).to.deep.include({
        engineMode: "instance",
        arn: instance.outputs.arn,
        identifier: instance.outputs.identifier,
        address: instance.outputs.address,
        readerAddress: instance.outputs.address,
        port: 5432,
        subnetGroupName: one(resources, T.subnetGroup).outputs.name,
        masterUserSecretArn: at(instance.outputs, "masterUserSecrets", 0, "secretArn"),
      });
      expect(outputs.arn).to.match(/^arn:aws:rds:us-east-1:\d{12}:db:/);
      expect(outputs.globalClusterIdentifier).to.equal(undefined);
    });

    it("is encrypted with the region's key, Multi-AZ and private", () => {
      expect(instance.inputs).to.deep.include({ storageEncrypted: true, kmsKeyId: EAST_KEY, multiAz: true, publiclyAccessible: false });
    });

    it("keeps backups, deletion protection and a final snapshot", () => {
      expect(instance.inputs).to.deep.include({
        backupRetentionPeriod: 7,
        deletionProtection: true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: "primary-db-final",
      });
      expect(instance.protect).to.equal(true);
    });

    it("lets RDS manage the master password in Secrets Manager", () => {
      expect(instance.inputs).to.deep.include({ manageMasterUserPassword: true, masterUserSecretKmsKeyId: EAST_KEY, username: "app_admin", dbName: "app" });
      expect(instance.inputs.password).to.equal(undefined);
    });

    it("runs the given engine and version with a postgres17 parameter group forcing TLS", () => {
      expect(instance.inputs).to.deep.include({ engine: "postgres", engineVersion: "17", port: 5432, instanceClass: "db.t4g.medium" });
      const parameterGroup = one(resources, T.parameterGroup);
      expect(parameterGroup.inputs.family).to.equal("postgres17");
      expect(parameterGroup.inputs.parameters).to.deep.include({ name: "rds.force_ssl", value: "1", applyMethod: "immediate" });
    });

    it("sits in an explicit subnet group of the isolated subnets, open on 5432 to the clients only", () => {
      expect(one(resources, T.subnetGroup).inputs.subnetIds).to.deep.equal(["subnet-iso-a", "subnet-iso-b"]);
      const ingress = ofType(resources, T.ingress);
      expect(ingress).to.have.length(1);
      expect(ingress[0].inputs).to.deep.include({ fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-0app" });
    });
  });

  describe("Performance Insights where RDS offers it", () => {
    async function instanceOf(engine: "postgres" | "mysql", instanceClass: string, mode: "primary" | "replica"): Promise<PlannedResource> {
      const { resources } = await plan(mode === "primary" ? "us-east-1" : "us-west-2", (opts) => {
        const args = { engine, instanceClass, engineVersion: engine === "mysql" ? "8.4" : "17", parameters: databaseParameters(engine) };
        new ReplicatedDatabase(
          "db",
          mode === "primary"
            ? primaryDatabaseArgs(args)
            : {
                ...databaseCommon,
                ...args,
                mode: "replica",
                sourceDatabaseArn: SOURCE_DB_ARN,
                kmsKeyArn: WEST_KEY,
                protect: false,
                finalSnapshotPrefix: "dr-db",
              },
          opts,
        );
      });
      return one(resources, T.rds);
    }

    it("turns it off for MySQL on micro and small classes, primary and replica alike (RDS refuses it there)", async () => {
      for (const [instanceClass, mode] of [
        ["db.t4g.micro", "primary"],
        ["db.t3.small", "replica"],
      ] as const) {
        const instance = await instanceOf("mysql", instanceClass, mode);
        expect(instance.inputs.performanceInsightsEnabled, `${instanceClass} ${mode}`).to.equal(false);
        expect(instance.inputs).to.not.have.any.keys("performanceInsightsKmsKeyId", "performanceInsightsRetentionPeriod");
      }
    });

    it("keeps it on, under the region's key, for MySQL on db.t4g.medium and PostgreSQL on db.t4g.micro", async () => {
      for (const [engine, instanceClass] of [
        ["mysql", "db.t4g.medium"],
        ["postgres", "db.t4g.micro"],
      ] as const) {
        const instance = await instanceOf(engine, instanceClass, "primary");
        expect(instance.inputs, `${engine} ${instanceClass}`).to.include({ performanceInsightsEnabled: true, performanceInsightsKmsKeyId: EAST_KEY });
      }
    });
  });

  describe("replica mode", () => {
    let instance: PlannedResource;
    before(async () => {
      const { resources } = await plan("us-west-2", (opts) => {
        new ReplicatedDatabase(
          "replica",
          { ...databaseCommon, mode: "replica", sourceDatabaseArn: SOURCE_DB_ARN, kmsKeyArn: WEST_KEY, protect: false, finalSnapshotPrefix: "dr-db" },
          opts,
        );
      });
      instance = one(resources, T.rds);
    });

    it("replicates from the given source ARN", () => {
      expect(instance.inputs.replicateSourceDb).to.equal(SOURCE_DB_ARN);
      expect(instance.region).to.equal("us-west-2");
    });

    it("is encrypted with the given key of its own region", () => {
      expect(instance.inputs.kmsKeyId).to.equal(WEST_KEY);
      expect(instance.inputs.storageEncrypted).to.equal(true);
      expect(instance.inputs.performanceInsightsKmsKeyId).to.equal(WEST_KEY);
    });

    it("sets no engine, credentials or database name (inherited from the source)", () => {
      for (const field of ["engine", "engineVersion", "username", "dbName", "manageMasterUserPassword", "masterUserSecretKmsKeyId"]) {
        expect(instance.inputs[field], field).to.equal(undefined);
      }
    });

    it("follows protect for deletion protection and keeps backups", () => {
      expect(instance.protect).to.equal(false);
      expect(instance.inputs.deletionProtection).to.equal(false);
      expect(instance.inputs.backupRetentionPeriod).to.equal(7);
    });

    it("skips the final snapshot, which RDS refuses for a read replica (DeleteDBInstance), and names none", () => {
      expect(instance.inputs.skipFinalSnapshot).to.equal(true);
      expect(instance.inputs).to.not.have.property("finalSnapshotIdentifier");
    });
  });

  describe("deletion settings and create timeout by role", () => {
    const replicaArgs = (overrides: Record<string, unknown> = {}): ReplicatedDatabaseArgs =>
      ({
        ...databaseCommon,
        mode: "replica",
        sourceDatabaseArn: SOURCE_DB_ARN,
        kmsKeyArn: WEST_KEY,
        protect: true,
        finalSnapshotPrefix: "dr-db",
        ...overrides,
      }) as ReplicatedDatabaseArgs;

    /**
     * Builds the database in `region` and returns its instance and the customTimeouts it was given:
     * the mock monitor records no resource options, so a transformation reads them.
     */
    async function built(
      region: string,
      args: ReplicatedDatabaseArgs,
    ): Promise<{ instance: PlannedResource; customTimeouts: pulumi.CustomTimeouts | undefined }> {
      let customTimeouts: pulumi.CustomTimeouts | undefined;
      const { resources } = await plan(region, (opts) => {
        const transformation: pulumi.ResourceTransformation = (resource) => {
          if (resource.type === T.rds) customTimeouts = resource.opts.customTimeouts;
          return undefined;
        };
        new ReplicatedDatabase("db", args, { ...opts, transformations: [transformation] });
      });
      return { instance: one(resources, T.rds), customTimeouts };
    }

    it("a cross-region replica: deletion protection (protect), no final snapshot, and hours to be created", async () => {
      const { instance, customTimeouts } = await built("us-west-2", replicaArgs());
      expect(instance.inputs).to.deep.include({ replicateSourceDb: SOURCE_DB_ARN, deletionProtection: true, skipFinalSnapshot: true });
      expect(instance.inputs).to.not.have.property("finalSnapshotIdentifier");
      expect(instance.protect).to.equal(true);
      // The provider's default is 40 minutes; a 200 GiB ceiling gets 2 h + 2 h.
      expect(customTimeouts).to.deep.equal({ create: "4h" });
      expect(protectionProblems(instance)).to.deep.equal([]);
    });

    it("the promoted DR database (database.promoted: true): a primary's final snapshot and deletion protection, nothing to create", async () => {
      const { instance, customTimeouts } = await built("us-west-2", replicaArgs({ promoted: true }));
      expect(instance.inputs.replicateSourceDb).to.equal(undefined);
      expect(instance.inputs).to.deep.include({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "dr-db-final" });
      expect(instance.protect).to.equal(true);
      expect(customTimeouts).to.equal(undefined);
      expect(protectionProblems(instance)).to.deep.equal([]);
    });

    it("the failback primary: a replica of the DR database without a final snapshot, then, promoted, with one", async () => {
      const drSource = `arn:aws:rds:us-west-2:${MOCK_ACCOUNT_ID}:db:dr-db-0a1b2c3d`;
      const failback = (promoted: boolean) =>
        built("us-east-1", replicaArgs({ sourceDatabaseArn: drSource, kmsKeyArn: EAST_KEY, finalSnapshotPrefix: "primary-db", promoted }));
      const rebuilt = await failback(false);
      expect(rebuilt.instance.inputs).to.deep.include({ replicateSourceDb: drSource, deletionProtection: true, skipFinalSnapshot: true });
      expect(rebuilt.instance.inputs).to.not.have.property("finalSnapshotIdentifier");
      expect(rebuilt.customTimeouts).to.deep.equal({ create: "4h" });
      const promoted = await failback(true);
      expect(promoted.instance.inputs).to.deep.include({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "primary-db-final" });
      expect(promoted.customTimeouts).to.equal(undefined);
    });

    it("the primary: a final snapshot and the provider's default create timeout (it copies no data)", async () => {
      const { instance, customTimeouts } = await built("us-east-1", primaryDatabaseArgs());
      expect(instance.inputs).to.deep.include({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "primary-db-final" });
      expect(customTimeouts).to.equal(undefined);
    });

    it("a restore from replicated backups: a final snapshot and the data-copy create timeout", async () => {
      const { instance, customTimeouts } = await built("us-west-2", {
        ...databaseCommon,
        mode: "restore",
        sourceAutomatedBackupsArn: `arn:aws:rds:us-west-2:${MOCK_ACCOUNT_ID}:auto-backup:ab-0123`,
        restoreToTime: "latest",
        kmsKeyArn: WEST_KEY,
        protect: true,
        finalSnapshotPrefix: "dr-db",
        maxAllocatedStorageGib: 1000,
      });
      expect(instance.inputs).to.deep.include({ skipFinalSnapshot: false, finalSnapshotIdentifier: "dr-db-final" });
      expect(customTimeouts).to.deep.equal({ create: "12h" });
    });

    it("deletion protection follows protect in every role", () => {
      for (const mode of ["primary", "replica", "restore"] as const) {
        for (const protect of [true, false]) {
          expect(instanceDeletionSettings({ mode, protect, finalSnapshotPrefix: "x" }).deletionProtection, `${mode} ${protect}`).to.equal(protect);
        }
      }
    });

    it("the create timeout grows an hour per 100 GiB of the storage ceiling, on 2 h, in whole hours", () => {
      expect(DATA_COPY_CREATE_TIMEOUT).to.deep.equal({ baseHours: 2, gibPerHour: 100 });
      expect([20, 100, 101, 200, 1000, 16384].map(dataCopyCreateTimeout)).to.deep.equal(["3h", "3h", "4h", "4h", "12h", "166h"]);
      // Always beyond the provider's 40-minute default.
      expect(Number.parseInt(dataCopyCreateTimeout(20), 10) * 60).to.be.greaterThan(40);
    });
  });

  it("uses a mysql8.4 family and port 3306 for MySQL 8.4", async () => {
    const { resources } = await plan("us-east-1", (opts) => {
      new ReplicatedDatabase("db", primaryDatabaseArgs({ engine: "mysql", engineVersion: "8.4", parameters: databaseParameters("mysql") }), opts);
    });
    expect(one(resources, T.parameterGroup).inputs.family).to.equal("mysql8.4");
    expect(one(resources, T.rds).inputs.port).to.equal(3306);
    expect(one(resources, T.rds).inputs.enabledCloudwatchLogsExports).to.deep.equal(["error", "general", "slowquery"]);
  });

  it("rejects 4 days of backups", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new ReplicatedDatabase("db", primaryDatabaseArgs({ backupRetentionDays: 4 }), opts),
      RangeError,
      /backupRetentionDays must be 5 to 35, got 4/,
    );
  });

  it("rejects a storage ceiling below the allocated storage", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new ReplicatedDatabase("db", primaryDatabaseArgs({ allocatedStorageGib: 100, maxAllocatedStorageGib: 50 }), opts),
      RangeError,
      /got 100\/50/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// FailoverRouting
// ---------------------------------------------------------------------------------------------

const failoverArgs = (overrides: Partial<FailoverRoutingArgs> = {}): FailoverRoutingArgs => ({
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  applicationName: "app.dr.example.com",
  primary: { region: "us-east-1", albDnsName: "primary-alb.us-east-1.elb.amazonaws.com", albZoneId: "Z35SXDOTRQ7X7K", protocol: "HTTPS", port: 443 },
  secondary: { region: "us-west-2", albDnsName: "dr-alb.us-west-2.elb.amazonaws.com", albZoneId: "Z1H1FL5HABSF5", protocol: "HTTPS", port: 443 },
  healthCheckPath: "/health",
  healthCheckIntervalSeconds: 30,
  healthCheckFailureThreshold: 3,
  fenceAlarmName: "app-dr-primary-fenced",
  ...overrides,
});

describe("ReplicatedBackups", () => {
  const args = {
    sourceDatabaseArn: "arn:aws:rds:us-east-1:123456789012:db:primary-db",
    kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/dr",
    retentionDays: 7,
    protect: true,
  };

  it("replicates the source's automated backups in its own region under the given key, protected", async () => {
    const { resources } = await plan("us-west-2", (opts) => void new ReplicatedBackups("backups", args, opts));
    const replication = resources.find((resource) => resource.type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
    expect(replication?.inputs).to.deep.include({ sourceDbInstanceArn: args.sourceDatabaseArn, kmsKeyId: args.kmsKeyArn, retentionPeriod: 7 });
    expect(replication?.region).to.equal("us-west-2");
    expect(replication?.protect).to.equal(true);
  });

  for (const retentionDays of [4, 36, 7.5]) {
    it(`rejects a retention of ${retentionDays} days (5 to 35, whole)`, async () => {
      await expectBuildFailure(
        "us-west-2",
        (opts) => void new ReplicatedBackups("backups", { ...args, retentionDays }, opts),
        RangeError,
        new RegExp(`retentionDays must be a whole number from 5 to 35, got ${retentionDays}`),
      );
    });
  }
});

describe("FailoverRouting", () => {
  let resources: PlannedResource[];
  let outputs: Record<string, unknown>;
  before(async () => {
    ({ resources, outputs } = await plan("us-west-2", (opts) => {
      const routing = new FailoverRouting("failover", failoverArgs(), opts);
      return {
        healthCheckId: routing.healthCheckId,
        recordHealthCheckId: routing.recordHealthCheckId,
        drHealthCheckId: routing.drHealthCheckId,
        secondaryRecordHealthCheckId: routing.secondaryRecordHealthCheckId,
      };
    }));
  });

  it("probes the primary ALB's /health over its protocol and port", () => {
    const check = one(resources, T.healthCheck, "failover-primary-health");
    expect(check.inputs).to.deep.include({
      type: "HTTPS",
      port: 443,
      resourcePath: "/health",
      requestInterval: 30,
      failureThreshold: 3,
      fqdn: "primary-alb.us-east-1.elb.amazonaws.com",
      enableSni: true,
    });
  });

  it("fences through the DR region's CloudWatch: an alarm there on the fence metric, a health check following it with the last known status", () => {
    const alarm = one(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarm.region).to.equal("us-west-2");
    expect(alarm.inputs).to.deep.include({
      name: "app-dr-primary-fenced",
      namespace: FENCE_METRIC.namespace,
      metricName: FENCE_METRIC.metricName,
      dimensions: { Application: "app.dr.example.com" },
      statistic: "Maximum",
      period: 60,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    const fence = one(resources, T.healthCheck, "failover-fence-health");
    expect(fence.inputs).to.deep.include({
      type: "CLOUDWATCH_METRIC",
      cloudwatchAlarmName: "app-dr-primary-fenced",
      cloudwatchAlarmRegion: "us-west-2",
      insufficientDataHealthStatus: "LastKnownStatus",
    });
    const combined = one(resources, T.healthCheck, "failover-primary-record-health");
    const endpoint = one(resources, T.healthCheck, "failover-primary-health");
    expect(combined.inputs).to.deep.include({ type: "CALCULATED", childHealthThreshold: 2 });
    expect(combined.inputs.childHealthchecks).to.deep.equal([endpoint.id, fence.id]);
    expect(outputs.recordHealthCheckId).to.equal(combined.id);
  });

  it("has exactly one PRIMARY and one SECONDARY record, each carrying its own calculated health check", () => {
    const records = ofType(resources, T.record);
    expect(records).to.have.length(2);
    const byRole = (role: string) => records.filter((record) => at(record.inputs.failoverRoutingPolicies, 0, "type") === role);
    expect(byRole("PRIMARY")).to.have.length(1);
    expect(byRole("SECONDARY")).to.have.length(1);
    expect(outputs.healthCheckId).to.be.a("string").and.not.equal("");
    // The record carries the combined check (endpoint and fence); the endpoint's alone drives the automatic failover.
    expect(byRole("PRIMARY")[0].inputs.healthCheckId).to.equal(outputs.recordHealthCheckId);
    expect(byRole("SECONDARY")[0].inputs.healthCheckId).to.equal(outputs.secondaryRecordHealthCheckId);
    expect(one(resources, T.healthCheck, "failover-secondary-record-health").id).to.equal(outputs.secondaryRecordHealthCheckId);
    expect(one(resources, T.healthCheck, "failover-secondary-health").id).to.equal(outputs.drHealthCheckId);
    expect(new Set([outputs.healthCheckId, outputs.recordHealthCheckId, outputs.drHealthCheckId, outputs.secondaryRecordHealthCheckId]).size).to.equal(4);
  });

  it("keeps the SECONDARY healthy while the DR ALB answers /health or the primary is fenced: a calculated check, one of two children", () => {
    const dr = one(resources, T.healthCheck, "failover-secondary-health");
    // The same rules as the primary's endpoint check, on the DR ALB: protocol, port, path, interval, threshold, SNI.
    expect(dr.inputs).to.deep.include({
      type: "HTTPS",
      port: 443,
      resourcePath: "/health",
      requestInterval: 30,
      failureThreshold: 3,
      fqdn: "dr-alb.us-west-2.elb.amazonaws.com",
      enableSni: true,
      measureLatency: false,
    });
    expect(dr.inputs).to.not.have.property("invertHealthcheck");
    const fenced = one(resources, T.healthCheck, "failover-fenced-health");
    const fence = one(resources, T.healthCheck, "failover-fence-health");
    // The same alarm as the PRIMARY's fence, inverted: healthy while fenced; the same last-known-status rule and replacement triggers.
    expect(fenced.inputs).to.deep.include({
      type: "CLOUDWATCH_METRIC",
      cloudwatchAlarmName: fence.inputs.cloudwatchAlarmName,
      cloudwatchAlarmRegion: "us-west-2",
      insufficientDataHealthStatus: "LastKnownStatus",
      invertHealthcheck: true,
    });
    expect(fenced.inputs.triggers).to.deep.equal(fence.inputs.triggers);
    expect(fenced.inputs.triggers).to.deep.include({ alarm: "app-dr-primary-fenced", threshold: "1", period: "60" });
    expect(fence.inputs).to.not.have.property("invertHealthcheck");
    const combined = one(resources, T.healthCheck, "failover-secondary-record-health");
    expect(combined.inputs).to.deep.include({ type: "CALCULATED", childHealthThreshold: 1 });
    expect(combined.inputs.childHealthchecks).to.deep.equal([dr.id, fenced.id]);
  });

  it("SECONDARY's health over the fence's and the DR tier's states: healthy whenever fenced, else as the DR ALB answers", () => {
    // Route 53's rules as the component wires them: a calculated check is healthy when at least childHealthThreshold
    // children are; an inverted check is healthy when its alarm is in ALARM (fenced).
    const combined = one(resources, T.healthCheck, "failover-secondary-record-health").inputs;
    const status = (fenced: boolean, drAnswers: boolean) => {
      const children = (combined.childHealthchecks as string[]).map((id) => {
        const child = resources.find((resource) => resource.id === id)!;
        if (child.inputs.type === "CLOUDWATCH_METRIC") return child.inputs.invertHealthcheck === true ? fenced : !fenced;
        return drAnswers;
      });
      return children.filter(Boolean).length >= Number(combined.childHealthThreshold);
    };
    expect(status(true, false), "fenced, DR tier down: still the SECONDARY, never the old primary").to.equal(true);
    expect(status(true, true)).to.equal(true);
    expect(status(false, true), "not fenced: as the DR tier answers").to.equal(true);
    expect(status(false, false), "not fenced, DR tier down: unhealthy, as target health said").to.equal(false);
  });

  it("gives the two records distinct set identifiers on the same name", () => {
    const records = ofType(resources, T.record);
    expect(records.map((record) => record.inputs.setIdentifier).sort()).to.deep.equal(["primary-us-east-1", "secondary-us-west-2"]);
    for (const record of records) {
      expect(record.inputs).to.deep.include({ name: "app.dr.example.com", type: "A", zoneId: "Z0123456789ABCDEFGHIJ" });
    }
  });

  it("aliases each record to its own ALB; neither evaluates target health, each goes by its own health check", () => {
    expect(one(resources, T.record, "failover-primary").inputs.aliases).to.deep.equal([
      { name: "primary-alb.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: false },
    ]);
    expect(one(resources, T.record, "failover-secondary").inputs.aliases).to.deep.equal([
      { name: "dr-alb.us-west-2.elb.amazonaws.com", zoneId: "Z1H1FL5HABSF5", evaluateTargetHealth: false },
    ]);
  });

  it("checks over HTTP without SNI when the primary serves HTTP", async () => {
    const { resources: http } = await plan("us-west-2", (opts) => {
      new FailoverRouting(
        "failover",
        failoverArgs({ primary: { ...failoverArgs().primary, protocol: "HTTP", port: 80 }, healthCheckIntervalSeconds: 10 }),
        opts,
      );
    });
    expect(one(http, T.healthCheck, "failover-primary-health").inputs).to.deep.include({ type: "HTTP", port: 80, enableSni: false, requestInterval: 10 });
    // Each side probes its own listener: the DR ALB still over HTTPS.
    expect(one(http, T.healthCheck, "failover-secondary-health").inputs).to.deep.include({ type: "HTTPS", port: 443, enableSni: true, requestInterval: 10 });
  });

  it("checks the DR ALB over HTTP without SNI when the DR region serves HTTP", async () => {
    const { resources: http } = await plan("us-west-2", (opts) => {
      new FailoverRouting(
        "failover",
        failoverArgs({ secondary: { ...failoverArgs().secondary, protocol: "HTTP", port: 80 }, healthCheckFailureThreshold: 2 }),
        opts,
      );
    });
    expect(one(http, T.healthCheck, "failover-secondary-health").inputs).to.deep.include({ type: "HTTP", port: 80, enableSni: false, failureThreshold: 2 });
    expect(one(http, T.healthCheck, "failover-primary-health").inputs).to.deep.include({ type: "HTTPS", port: 443 });
  });

  for (const [side, field, value, pattern] of [
    ["secondary", "protocol", undefined, /secondary\.protocol must be HTTP or HTTPS \(the ALB listener's\), got undefined/],
    ["secondary", "protocol", "TCP", /secondary\.protocol must be HTTP or HTTPS \(the ALB listener's\), got "TCP"/],
    ["secondary", "port", undefined, /secondary\.port must be a whole number 1-65535 \(the ALB listener's\), got undefined/],
    ["secondary", "port", 70000, /secondary\.port must be a whole number 1-65535 \(the ALB listener's\), got 70000/],
    ["primary", "port", 44.3, /primary\.port must be a whole number 1-65535 \(the ALB listener's\), got 44\.3/],
  ] as const) {
    it(`rejects ${side}.${field} ${JSON.stringify(value)}, naming the key`, async () => {
      const target = { ...failoverArgs()[side], [field]: value } as FailoverRoutingArgs["secondary"];
      await expectBuildFailure("us-west-2", (opts) => void new FailoverRouting("failover", failoverArgs({ [side]: target }), opts), RangeError, pattern);
    });
  }

  it("rejects a 20 s interval", async () => {
    await expectBuildFailure(
      "us-west-2",
      (opts) => void new FailoverRouting("failover", failoverArgs({ healthCheckIntervalSeconds: 20 }), opts),
      RangeError,
      /healthCheckIntervalSeconds must be 10 or 30, got 20/,
    );
  });

  it("rejects a failure threshold of 11", async () => {
    await expectBuildFailure(
      "us-west-2",
      (opts) => void new FailoverRouting("failover", failoverArgs({ healthCheckFailureThreshold: 11 }), opts),
      RangeError,
      /healthCheckFailureThreshold must be 1 to 10, got 11/,
    );
  });

  it("rejects both sides in the same region", async () => {
    const error = await expectBuildFailure(
      "us-east-1",
      (opts) => void new FailoverRouting("failover", failoverArgs({ secondary: { ...failoverArgs().secondary, region: "us-east-1" } }), opts),
      Error,
      /primary and secondary are both in us-east-1; they must be in different regions/,
    );
    expect(error).not.to.be.instanceOf(RangeError);
  });
});

describe("AppTier and FailoverRouting agree on what unhealthy means", () => {
  let resources: PlannedResource[];
  before(async () => {
    ({ resources } = await plan("us-east-1", (opts) => {
      const app = new AppTier("app", appArgs({ certificateArn: CERTIFICATE }), opts);
      new FailoverRouting(
        "failover",
        failoverArgs({
          primary: { region: "us-east-1", albDnsName: app.albDnsName, albZoneId: app.albZoneId, protocol: app.listenerProtocol, port: app.listenerPort },
          healthCheckPath: HEALTH_CHECK_PATH,
          healthCheckIntervalSeconds: 10,
        }),
        opts,
      );
    }));
  });

  it("both probe the same path, the Route 53 check through the ALB's own listener", () => {
    const target = one(resources, T.targetGroup).inputs.healthCheck as Record<string, unknown>;
    const route53 = one(resources, T.healthCheck, "failover-primary-health").inputs;
    expect(route53.resourcePath).to.equal(target.path);
    expect(route53).to.deep.include({ type: "HTTPS", port: 443 });
    expect(route53.fqdn).to.equal(one(resources, T.alb).outputs.dnsName);
  });

  it("a target the ALB calls healthy is healthy to Route 53: it answered within Route 53's 2 s with a status Route 53 accepts", () => {
    const target = one(resources, T.targetGroup).inputs.healthCheck as Record<string, unknown>;
    expect(ROUTE53_HTTP_CHECK.statusWithinSeconds).to.equal(2);
    expect(target.timeout as number, "an answer in 2-5 s would be healthy to the ALB and a failure to Route 53").to.be.at.most(
      ROUTE53_HTTP_CHECK.statusWithinSeconds,
    );
    for (const code of String(target.matcher).split(",").map(Number)) {
      expect(code).to.be.within(ROUTE53_HTTP_CHECK.healthyStatus.min, ROUTE53_HTTP_CHECK.healthyStatus.max);
    }
    expect(TARGET_HEALTH_CHECK).to.deep.include({ timeoutSeconds: target.timeout, matcher: target.matcher });
  });

  it("DNS and the failover alarm go by one signal: the PRIMARY's health check of /health through the ALB, not the ALB's target health", () => {
    // With evaluateTargetHealth too, every target unhealthy to the ALB while the fail-open ALB still answers
    // /health made the PRIMARY unhealthy (both must pass) with the health check and its alarm OK: users on the
    // unpromoted replica, no failover started, and DNS back once the group replaced the instances.
    const primary = one(resources, T.record, "failover-primary").inputs;
    // The record's check combines the endpoint's with the fence (the fence is off until a failover).
    expect(one(resources, T.healthCheck, "failover-primary-record-health").inputs.childHealthchecks).to.include(
      one(resources, T.healthCheck, "failover-primary-health").id,
    );
    expect(primary.healthCheckId).to.equal(one(resources, T.healthCheck, "failover-primary-record-health").id);
    expect(at(primary.aliases, 0, "evaluateTargetHealth"), "the PRIMARY alias must not evaluate target health").to.equal(false);
    expect(at(primary.aliases, 0, "name")).to.equal(one(resources, T.alb).outputs.dnsName);
    expect(
      one(resources, T.healthCheck, "failover-primary-health").inputs.fqdn,
      "the health check probes through the ALB, so a dead or empty group fails it",
    ).to.equal(one(resources, T.alb).outputs.dnsName);
  });

  it("both detect a dead region in the same 30 s: 3 failures 10 s apart", () => {
    const target = one(resources, T.targetGroup).inputs.healthCheck as Record<string, number>;
    const route53 = one(resources, T.healthCheck, "failover-primary-health").inputs as Record<string, number>;
    expect(target.interval * target.unhealthyThreshold).to.equal(30);
    expect(route53.requestInterval * route53.failureThreshold).to.equal(30);
  });
});

// ---------------------------------------------------------------------------------------------
// BucketReplication
// ---------------------------------------------------------------------------------------------

describe("BucketReplication", () => {
  let resources: PlannedResource[];
  let outputs: Record<string, unknown>;
  before(async () => {
    // Owned by the DR stack: the provider is the DR region's.
    ({ resources, outputs } = await plan("us-west-2", (opts) => {
      const replication = new BucketReplication("replication", replicationArgs(), opts);
      return { roleArn: replication.roleArn, ruleId: replication.ruleId };
    }));
  });

  it("configures replication on the source bucket in the source's region", () => {
    const config = one(resources, T.replicationConfig);
    expect(config.inputs.region).to.equal("us-east-1");
    expect(config.region).to.equal("us-east-1");
    expect(config.inputs.bucket).to.equal("primary-data-0a1b2c3");
    expect(config.inputs.role).to.equal(outputs.roleArn);
  });

  it("replicates delete markers and SSE-KMS objects into the destination, re-encrypted with its key", () => {
    const rules = one(resources, T.replicationConfig).inputs.rules;
    expect(rules).to.have.length(1);
    expect(at(rules, 0, "id")).to.equal(outputs.ruleId);
    expect(at(rules, 0, "status")).to.equal("Enabled");
    expect(at(rules, 0, "deleteMarkerReplication")).to.deep.equal({ status: "Enabled" });
    expect(at(rules, 0, "sourceSelectionCriteria")).to.deep.equal({ sseKmsEncryptedObjects: { status: "Enabled" } });
    expect(at(rules, 0, "destination", "bucket")).to.equal("arn:aws:s3:::dr-data-4d5e6f7");
    expect(at(rules, 0, "destination", "encryptionConfiguration")).to.deep.equal({ replicaKmsKeyId: WEST_KEY });
  });

  it("turns on Replication Time Control and its metrics at 15 minutes", () => {
    const destination = at(one(resources, T.replicationConfig).inputs.rules, 0, "destination");
    expect(REPLICATION_TIME_CONTROL_MINUTES).to.equal(15);
    expect(at(destination, "replicationTime")).to.deep.equal({ status: "Enabled", time: { minutes: 15 } });
    expect(at(destination, "metrics")).to.deep.equal({ status: "Enabled", eventThreshold: { minutes: 15 } });
  });

  it("lets only S3 assume the role", () => {
    expect(parsePolicy(one(resources, T.role), "assumeRolePolicy").Statement).to.deep.equal([
      { Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  it("grants s3:ReplicateObject on the destination's objects and kms:Decrypt only on the source key", () => {
    const statements = parsePolicy(one(resources, T.rolePolicy), "policy").Statement;
    const replicate = statements.filter((statement) => actionsOf(statement).includes("s3:ReplicateObject"));
    expect(replicate).to.have.length(1);
    expect(replicate[0].Resource).to.equal("arn:aws:s3:::dr-data-4d5e6f7/*");
    const decrypt = statements.filter((statement) => actionsOf(statement).some((action) => action === "kms:Decrypt" || action === "kms:*"));
    expect(decrypt).to.have.length(1);
    expect(decrypt[0].Resource).to.equal(EAST_KEY);
    expect(at(decrypt[0].Condition, "StringLike", "kms:ViaService")).to.equal("s3.us-east-1.amazonaws.com");
    const encrypt = statements.filter((statement) => actionsOf(statement).includes("kms:Encrypt"));
    expect(encrypt.map((statement) => statement.Resource)).to.deep.equal([WEST_KEY]);
    expect(statements.some((statement) => statement.Resource === "*")).to.equal(false);
  });

  it("rejects source and destination in the same region", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new BucketReplication("replication", replicationArgs({ destinationRegion: "us-east-1" }), opts),
      Error,
      /source and destination are both in us-east-1; replicate into another region/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// MonitoringCluster
// ---------------------------------------------------------------------------------------------

const clusterArgs = (overrides: Partial<MonitoringClusterArgs> = {}): MonitoringClusterArgs => ({
  clusterName: "multi-region-dr-primary-monitoring",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-prv-a", "subnet-prv-b", "subnet-prv-c"],
  kmsKeyArn: EAST_KEY,
  kubernetesVersion: "1.35",
  nodeInstanceType: "t3.medium",
  nodeCount: 2,
  publicAccessCidrs: [],
  ...overrides,
});

describe("MonitoringCluster", () => {
  describe("private endpoint (default)", () => {
    let resources: PlannedResource[];
    let cluster: PlannedResource;
    before(async () => {
      ({ resources } = await plan("us-east-1", (opts) => void new MonitoringCluster("monitoring", clusterArgs(), opts)));
      cluster = one(resources, T.eksCluster);
    });

    it("keeps the API endpoint private", () => {
      expect(cluster.inputs.endpointPublicAccess).to.equal(false);
      expect(cluster.inputs.endpointPrivateAccess).to.equal(true);
      expect(cluster.inputs.publicAccessCidrs).to.equal(undefined);
    });

    it("encrypts secrets with the region's key and sends api, audit and authenticator logs", () => {
      expect(cluster.inputs.encryptionConfigKeyArn).to.equal(EAST_KEY);
      expect(cluster.inputs.enabledClusterLogTypes).to.deep.equal(["api", "audit", "authenticator"]);
      expect(CONTROL_PLANE_LOG_TYPES).to.deep.equal(["api", "audit", "authenticator"]);
    });

    it("pins the version, uses access entries (API) and standard support", () => {
      expect(cluster.inputs).to.deep.include({
        version: "1.35",
        authenticationMode: "API",
        name: "multi-region-dr-primary-monitoring",
        skipDefaultNodeGroup: true,
      });
      expect(cluster.inputs.upgradePolicy).to.deep.equal({ supportType: "STANDARD" });
    });

    it("runs a managed node group of nodeCount nodes in the first two private subnets", () => {
      const nodes = one(resources, T.nodeGroup);
      expect(nodes.inputs.scalingConfig).to.deep.equal({ minSize: 2, desiredSize: 2, maxSize: 3 });
      expect(nodes.inputs.subnetIds).to.deep.equal(["subnet-prv-a", "subnet-prv-b"]);
      expect(nodes.inputs.instanceTypes).to.deep.equal(["t3.medium"]);
    });

    it("attaches the node policies to the node role, and the EBS CSI driver policy to its own role", () => {
      const attached = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((attachment) => attachment.inputs.policyArn);
      expect(attached).to.have.members([
        ...NODE_ROLE_POLICIES.map((policy) => `arn:aws:iam::aws:policy/${policy}`),
        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
      ]);
      const nodeRole = one(resources, T.role, "monitoring-node-role");
      const nodeAttachments = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
        (attachment) => attachment.inputs.role === nodeRole.outputs.name,
      );
      expect(nodeAttachments.map((attachment) => attachment.inputs.policyArn)).not.to.include("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
    });

    it("starts nodes from a launch template with IMDSv2 and root volumes under the region's key", () => {
      const template = one(resources, T.launchTemplate);
      expect(template.inputs.metadataOptions).to.deep.include({ httpTokens: "required", httpPutResponseHopLimit: 2 });
      expect(at(template.inputs.blockDeviceMappings, 0, "ebs")).to.deep.include({ encrypted: "true", kmsKeyId: EAST_KEY, volumeType: "gp3" });
      expect(template.inputs.instanceType, "the node group sets the type").to.equal(undefined);
      expect(one(resources, T.nodeGroup).inputs.launchTemplate).to.deep.equal({ id: template.id, version: "1" });
    });

    it("asks eks.Cluster for no CoreDNS add-on: it would come before the node group, with no node to run on (pulumi-eks#1819)", () => {
      expect(cluster.inputs.skipDefaultNodeGroup).to.equal(true);
      expect(cluster.inputs.corednsAddonOptions).to.deep.include({ enabled: false });
    });

    it("installs CoreDNS as its own add-on after the node group, at the version looked up for the pinned Kubernetes version", () => {
      const coreDns = one(resources, T.addon, "monitoring-coredns");
      expect(coreDns.inputs).to.deep.include({
        clusterName: "multi-region-dr-primary-monitoring",
        addonName: "coredns",
        addonVersion: mockAddonVersion("coredns", "1.35"),
        resolveConflictsOnCreate: "OVERWRITE",
        preserve: true,
      });
      expect(coreDns.dependencies).to.include(one(resources, T.nodeGroup).urn);
    });

    it("installs the pod identity agent and the EBS CSI driver with its pod identity, after the nodes (the driver also after CoreDNS)", () => {
      const addons = ofType(resources, T.addon);
      expect(addons.map((addon) => addon.inputs.addonName)).to.have.members(["coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver"]);
      expect(addons.every((addon) => addon.inputs.clusterName === "multi-region-dr-primary-monitoring")).to.equal(true);
      const nodeGroup = one(resources, T.nodeGroup).urn;
      expect(addons.every((addon) => addon.dependencies.includes(nodeGroup))).to.equal(true);
      const csi = addons.find((addon) => addon.inputs.addonName === "aws-ebs-csi-driver")!;
      expect(csi.dependencies).to.include.members([
        one(resources, T.addon, "monitoring-coredns").urn,
        one(resources, T.addon, "monitoring-pod-identity-agent").urn,
      ]);
      const csiRole = one(resources, T.role, "monitoring-ebs-csi-role");
      expect(csi.inputs.podIdentityAssociations).to.deep.equal([{ roleArn: csiRole.outputs.arn, serviceAccount: "ebs-csi-controller-sa" }]);
      const trust = JSON.parse(csiRole.inputs.assumeRolePolicy as string);
      expect(trust.Statement[0].Principal).to.deep.equal({ Service: "pods.eks.amazonaws.com" });
      expect(trust.Statement[0].Action).to.deep.equal(["sts:AssumeRole", "sts:TagSession"]);
      const keyPolicy = JSON.parse(one(resources, T.rolePolicy, "monitoring-ebs-csi-policy").inputs.policy as string);
      expect(keyPolicy.Statement.flatMap((statement: { Resource: string }) => statement.Resource)).to.deep.equal([EAST_KEY, EAST_KEY]);
      // The add-on associates the role itself: no separate association to conflict with it.
      expect(ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation")).to.have.length(0);
    });

    it("makes an encrypted gp3 StorageClass with the region's key that keeps volumes", () => {
      const storageClass = one(resources, "kubernetes:storage.k8s.io/v1:StorageClass");
      expect(storageClass.inputs).to.deep.include({ provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer", reclaimPolicy: "Retain" });
      expect(storageClass.inputs.parameters).to.deep.equal({ type: "gp3", encrypted: "true", kmsKeyId: EAST_KEY });
      expect(at(storageClass.inputs, "metadata", "name")).to.equal("gp3-encrypted");
    });

    it("reaches the cluster through a Kubernetes provider built from its kubeconfig", () => {
      const provider = one(resources, "pulumi:providers:kubernetes");
      expect(JSON.parse(provider.inputs.kubeconfig as string)).to.deep.include({ apiVersion: "v1", kind: "Config" });
    });
  });

  it("looks the CoreDNS version up for the configured Kubernetes version", async () => {
    const { resources } = await plan("us-east-1", (opts) => void new MonitoringCluster("monitoring", clusterArgs({ kubernetesVersion: "1.34" }), opts));
    expect(one(resources, T.addon, "monitoring-coredns").inputs.addonVersion).to.equal(mockAddonVersion("coredns", "1.34"));
  });

  it("opens the endpoint to the listed CIDRs only", async () => {
    const { resources } = await plan("us-east-1", (opts) => {
      new MonitoringCluster("monitoring", clusterArgs({ publicAccessCidrs: ["203.0.113.0/24"], nodeCount: 3 }), opts);
    });
    const cluster = one(resources, T.eksCluster);
    expect(cluster.inputs.endpointPublicAccess).to.equal(true);
    expect(cluster.inputs.publicAccessCidrs).to.deep.equal(["203.0.113.0/24"]);
    expect(one(resources, T.nodeGroup).inputs.scalingConfig).to.deep.equal({ minSize: 3, desiredSize: 3, maxSize: 4 });
  });

  it("rejects 1 node", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new MonitoringCluster("monitoring", clusterArgs({ nodeCount: 1 }), opts),
      RangeError,
      /nodeCount must be 2 or more, got 1/,
    );
  });

  it("rejects a public endpoint open to 0.0.0.0/0", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new MonitoringCluster("monitoring", clusterArgs({ publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }), opts),
      Error,
      /publicAccessCidrs must not contain 0.0.0.0\/0/,
    );
  });

  it("rejects a cluster name with a space", async () => {
    await expectBuildFailure(
      "us-east-1",
      (opts) => void new MonitoringCluster("monitoring", clusterArgs({ clusterName: "my cluster" }), opts),
      Error,
      /clusterName "my cluster" must use letters, digits, - and _/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// StableDatabaseName
// ---------------------------------------------------------------------------------------------

describe("StableDatabaseName", () => {
  let resources: PlannedResource[];
  let outputs: Record<string, unknown>;
  before(async () => {
    ({ resources, outputs } = await plan("us-west-2", (opts) => {
      const name = new StableDatabaseName(
        "db-name",
        { zoneName: "app.internal", vpcId: "vpc-0dr", vpcRegion: "us-west-2", databaseAddress: "replica.abc.us-west-2.rds.amazonaws.com" },
        opts,
      );
      return { fqdn: name.fqdn, zoneId: name.zoneId };
    }));
  });

  it("creates a private zone associated with the VPC", () => {
    const zone = one(resources, T.zone);
    expect(zone.inputs.name).to.equal("app.internal");
    expect(zone.inputs.vpcs).to.deep.equal([{ vpcId: "vpc-0dr", vpcRegion: "us-west-2" }]);
  });

  it("points db.<zone> at the database with a 30 s CNAME that every deploy sets (no workflow writes it)", () => {
    const record = one(resources, T.record);
    expect(record.inputs).to.deep.include({ name: "db.app.internal", type: "CNAME", ttl: 30 });
    expect(DATABASE_NAME_TTL_SECONDS).to.equal(30);
    expect(record.inputs.records).to.deep.equal(["replica.abc.us-west-2.rds.amazonaws.com"]);
    expect(record.inputs.zoneId).to.equal(outputs.zoneId);
    expect(record.ignoreChanges ?? []).to.deep.equal([]);
  });

  it("exposes the name the app uses", () => {
    expect(outputs.fqdn).to.equal("db.app.internal");
    expect(stableDatabaseFqdn("example.internal")).to.equal("db.example.internal");
  });
});

// ---------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------

describe("subnetLayout", () => {
  it("gives /18 zones, /19 private, /21 public and isolated for a /16", () => {
    expect(subnetLayout(16)).to.deep.equal({ availabilityZoneCidrMask: 18, privateCidrMask: 19, publicCidrMask: 21, isolatedCidrMask: 21 });
  });

  it("gives /22 zones, /23 private, /25 public and isolated for a /20", () => {
    expect(subnetLayout(20)).to.deep.equal({ availabilityZoneCidrMask: 22, privateCidrMask: 23, publicCidrMask: 25, isolatedCidrMask: 25 });
  });

  it("fits the three tiers inside each zone's quarter for every accepted prefix", () => {
    for (let prefix = 16; prefix <= 20; prefix += 1) {
      const layout = subnetLayout(prefix);
      const size = (mask: number) => 2 ** (32 - mask);
      expect(size(layout.privateCidrMask) + size(layout.publicCidrMask) + size(layout.isolatedCidrMask)).to.be.at.most(size(layout.availabilityZoneCidrMask));
      expect(4 * size(layout.availabilityZoneCidrMask)).to.equal(size(prefix));
    }
  });

  it("rejects prefixes outside 16-20", () => {
    for (const prefix of [15, 21, 16.5, Number.NaN]) {
      expect(() => subnetLayout(prefix), String(prefix)).to.throw(RangeError, `VPC prefix length must be 16 to 20, got ${prefix}`);
    }
  });
});

describe("databaseEngine", () => {
  it("parameterGroupFamily uses the major for postgres and major.minor for mysql", () => {
    expect(parameterGroupFamily("postgres", "17")).to.equal("postgres17");
    expect(parameterGroupFamily("postgres", "16.4")).to.equal("postgres16");
    expect(parameterGroupFamily("mysql", "8.4")).to.equal("mysql8.4");
    expect(parameterGroupFamily("mysql", "8.0.39")).to.equal("mysql8.0");
  });

  it("parameterGroupFamily rejects mysql 8 without a minor", () => {
    expect(() => parameterGroupFamily("mysql", "8")).to.throw(Error, 'mysql engineVersion "8" needs major.minor, e.g. 8.4');
  });

  it("resolvedEngineVersion defaults to the engine's current major", () => {
    expect(resolvedEngineVersion("postgres", undefined)).to.equal("17");
    expect(resolvedEngineVersion("mysql", undefined)).to.equal("8.4");
    expect(resolvedEngineVersion("postgres", "16")).to.equal("16");
  });

  it("databaseParameters force TLS on both engines", () => {
    expect(databaseParameters("postgres").find((parameter) => parameter.name === "rds.force_ssl")?.value).to.equal("1");
    expect(databaseParameters("mysql").find((parameter) => parameter.name === "require_secure_transport")?.value).to.equal("1");
  });
});

describe("policyDocuments.replicationRolePolicy", () => {
  const document = replicationRolePolicy({
    sourceBucketArn: "arn:aws:s3:::src",
    destinationBucketArn: "arn:aws:s3:::dst",
    sourceKeyArn: EAST_KEY,
    destinationKeyArn: WEST_KEY,
    sourceRegion: "us-east-1",
    destinationRegion: "us-west-2",
  });
  const bySid = (sid: string): PolicyStatement => {
    const statement = document.Statement.find((candidate) => candidate.Sid === sid);
    expect(statement, sid).not.to.equal(undefined);
    return statement as PolicyStatement;
  };

  it("is a 2012-10-17 identity policy of five Allow statements with no principal", () => {
    expect(document.Version).to.equal("2012-10-17");
    expect(document.Statement.map((statement) => statement.Sid)).to.deep.equal([
      "ReadSourceConfiguration",
      "ReadSourceObjectVersions",
      "WriteReplicas",
      "DecryptSourceObjects",
      "EncryptReplicas",
    ]);
    for (const statement of document.Statement) {
      expect(statement.Effect).to.equal("Allow");
      expect(statement.Principal).to.equal(undefined);
    }
  });

  it("reads the source bucket and its object versions", () => {
    expect(bySid("ReadSourceConfiguration")).to.deep.include({ Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: "arn:aws:s3:::src" });
    expect(bySid("ReadSourceObjectVersions").Resource).to.equal("arn:aws:s3:::src/*");
    expect(bySid("ReadSourceObjectVersions").Action).to.include("s3:GetObjectVersionForReplication");
  });

  it("writes replicas, deletes and tags into the destination only", () => {
    expect(bySid("WriteReplicas")).to.deep.include({
      Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
      Resource: "arn:aws:s3:::dst/*",
    });
  });

  it("decrypts with the source key only through S3 of the source region", () => {
    const decrypt = bySid("DecryptSourceObjects");
    expect(decrypt).to.deep.include({ Action: "kms:Decrypt", Resource: EAST_KEY });
    expect(at(decrypt.Condition, "StringLike", "kms:ViaService")).to.equal("s3.us-east-1.amazonaws.com");
  });

  it("encrypts with the destination key only through S3 of the destination region", () => {
    const encrypt = bySid("EncryptReplicas");
    expect(encrypt).to.deep.include({ Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: WEST_KEY });
    expect(at(encrypt.Condition, "StringLike", "kms:ViaService")).to.equal("s3.us-west-2.amazonaws.com");
  });
});

describe("fixes found in review", () => {
  it("lets the replication role use both keys with the bucket ARN as encryption context (S3 Bucket Keys) and with object ARNs", () => {
    const document = replicationRolePolicy({
      sourceBucketArn: "arn:aws:s3:::source",
      destinationBucketArn: "arn:aws:s3:::destination",
      sourceKeyArn: "arn:aws:kms:us-east-1:123456789012:key/source",
      destinationKeyArn: "arn:aws:kms:us-west-2:123456789012:key/destination",
      sourceRegion: "us-east-1",
      destinationRegion: "us-west-2",
    });
    const context = (sid: string) => document.Statement.find((statement) => statement.Sid === sid)?.Condition?.StringLike?.["kms:EncryptionContext:aws:s3:arn"];
    expect(context("DecryptSourceObjects")).to.deep.equal(["arn:aws:s3:::source", "arn:aws:s3:::source/*"]);
    expect(context("EncryptReplicas")).to.deep.equal(["arn:aws:s3:::destination", "arn:aws:s3:::destination/*"]);
  });
});
