/**
 * The app database user component (components/appDatabaseUser.ts), built alone under Pulumi mocks
 * (synth/recordStack.ts) in instance and cluster mode: the function beside the writable database
 * (VPC, security groups, encrypted logs), exactly the permissions it needs, the environment the
 * function reads (recovery/lambda/appDatabaseUser.mjs APP_USER_ENVIRONMENT), and the deploy-time
 * invocation whose input and triggers change with the app secret's version, so a rotation re-runs it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  APP_USER_FUNCTION_TIMEOUT_SECONDS,
  AppDatabaseUser,
  type AppDatabaseUserArgs,
  appDatabaseUserEnvironment,
  appDatabaseUserPolicy,
} from "../components/appDatabaseUser";
import { bundleFunction, LAMBDA_RUNTIME_CA_BUNDLE } from "../components/bundledFunction";
import { APP_USER_FUNCTION_SOURCE } from "../components/appDatabaseUser";
import { APP_USER_ENVIRONMENT } from "../recovery/lambda/appDatabaseUser.mjs";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";

const REGION = "us-west-2";
const INSTANCE_ARN = `arn:aws:rds:${REGION}:${MOCK_ACCOUNT_ID}:db:app-prod-dr-db`;
const APP_SECRET = `arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT_ID}:secret:app-prod-db-credentials-AbCdEf`;
const CLUSTER_SECRET = `arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT_ID}:secret:app-prod-aurora-master-GhIjKl`;
const KEY = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/11111111-2222-3333-4444-555555555555`;

function args(change: Partial<AppDatabaseUserArgs> = {}): AppDatabaseUserArgs {
  return {
    functionName: "app-prod-dr-db-user",
    region: REGION,
    vpcId: "vpc-0abc",
    vpcCidrBlock: "10.1.0.0/16",
    subnetIds: ["subnet-a", "subnet-b"],
    databaseSecurityGroupId: "sg-database",
    engine: "postgres",
    port: 5432,
    databaseName: "app",
    database: { kind: "instance", identifier: "app-prod-dr-db", arn: INSTANCE_ARN },
    appCredentials: { secretArn: APP_SECRET, versionId: "version-1" },
    kmsKeyArn: KEY,
    logRetentionDays: 30,
    ...change,
  };
}

/** Builds components in REGION under mocks, with an explicit provider of that region. */
function plan(build: (opts: pulumi.ComponentResourceOptions) => void): Promise<StackPlan> {
  return recordStack({
    project: "components",
    stack: "test",
    role: "dr",
    region: REGION,
    program: () => {
      const provider = new aws.Provider("provider", { region: REGION });
      build({ providers: { aws: provider } });
      return {};
    },
  });
}

function named(resources: PlannedResource[], name: string): PlannedResource {
  const found = resources.filter((resource) => resource.name === name);
  expect(
    found.map((resource) => resource.type),
    name,
  ).to.have.length(1);
  return found[0];
}

describe("AppDatabaseUser, built under mocks", () => {
  let instance: StackPlan;
  let cluster: StackPlan;

  before(async () => {
    instance = await plan((opts) => new AppDatabaseUser("dr-db-user", args(), opts));
    cluster = await plan((opts) => {
      const writer = new aws.rds.ClusterInstance(
        "writer",
        { clusterIdentifier: "app-aurora", instanceClass: "db.r6g.large", engine: "aurora-mysql" },
        { provider: opts.providers && (opts.providers as Record<string, pulumi.ProviderResource>).aws },
      );
      new AppDatabaseUser(
        "dr-db-user",
        args({
          engine: "mysql",
          port: 3306,
          database: { kind: "cluster", masterSecretArn: CLUSTER_SECRET, endpoint: "app-aurora.cluster-abc.us-west-2.rds.amazonaws.com" },
          databaseReady: [writer],
        }),
        opts,
      );
    });
  });

  it("runs a Node.js 22 function in the VPC's private subnets, with the environment the function reads (instance mode)", () => {
    const fn = named(instance.resources, "dr-db-user-function");
    expect(fn.region).to.equal(REGION);
    expect(fn.inputs).to.include({
      name: "app-prod-dr-db-user",
      runtime: "nodejs22.x",
      handler: "index.handler",
      memorySize: 128,
      timeout: APP_USER_FUNCTION_TIMEOUT_SECONDS,
    });
    const sg = named(instance.resources, "dr-db-user-sg");
    expect(fn.inputs.vpcConfig).to.deep.equal({ subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: [sg.id] });
    expect((fn.inputs.environment as { variables: Record<string, string> }).variables).to.deep.equal({
      [APP_USER_ENVIRONMENT.engine]: "postgres",
      [APP_USER_ENVIRONMENT.databaseName]: "app",
      [APP_USER_ENVIRONMENT.databaseIdentifier]: "app-prod-dr-db",
      [APP_USER_ENVIRONMENT.appSecretArn]: APP_SECRET,
      NODE_EXTRA_CA_CERTS: LAMBDA_RUNTIME_CA_BUNDLE,
    });
  });

  it("in cluster mode, gives the function the master secret, the writer endpoint and its port instead of an instance", () => {
    const fn = named(cluster.resources, "dr-db-user-function");
    expect((fn.inputs.environment as { variables: Record<string, string> }).variables).to.deep.equal({
      [APP_USER_ENVIRONMENT.engine]: "mysql",
      [APP_USER_ENVIRONMENT.databaseName]: "app",
      [APP_USER_ENVIRONMENT.masterSecretArn]: CLUSTER_SECRET,
      [APP_USER_ENVIRONMENT.endpoint]: "app-aurora.cluster-abc.us-west-2.rds.amazonaws.com",
      [APP_USER_ENVIRONMENT.port]: "3306",
      [APP_USER_ENVIRONMENT.appSecretArn]: APP_SECRET,
      NODE_EXTRA_CA_CERTS: LAMBDA_RUNTIME_CA_BUNDLE,
    });
  });

  it("reaches the database on its port only, and the AWS APIs over HTTPS; the database admits the function's group", () => {
    for (const [built, port] of [
      [instance, 5432],
      [cluster, 3306],
    ] as const) {
      const sg = named(built.resources, "dr-db-user-sg");
      expect(
        (sg.inputs.egress as { fromPort: number; toPort: number; cidrBlocks: string[] }[]).map((rule) => [rule.fromPort, rule.toPort, rule.cidrBlocks]),
      ).to.deep.equal([
        [443, 443, ["0.0.0.0/0"]],
        [port, port, ["10.1.0.0/16"]],
      ]);
      expect(named(built.resources, "dr-db-user-to-database").inputs).to.include({
        securityGroupId: "sg-database",
        referencedSecurityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: "app database user",
      });
    }
  });

  it("keeps its logs in a group encrypted with the region's key", () => {
    expect(named(instance.resources, "dr-db-user-logs").inputs).to.include({ name: "/aws/lambda/app-prod-dr-db-user", kmsKeyId: KEY, retentionInDays: 30 });
    expect(named(instance.resources, "dr-db-user-function").inputs.loggingConfig).to.deep.include({ logFormat: "JSON" });
  });

  it("may do exactly what it calls: instance mode", () => {
    const policy = JSON.parse(String(named(instance.resources, "dr-db-user-policy").inputs.policy));
    expect(policy).to.deep.equal(appDatabaseUserPolicy("aws", MOCK_ACCOUNT_ID, REGION, { kind: "instance", arn: INSTANCE_ARN }, APP_SECRET));
    expect(policy.Statement).to.deep.equal([
      { Sid: "DescribeTheDatabase", Effect: "Allow", Action: "rds:DescribeDBInstances", Resource: INSTANCE_ARN },
      {
        Sid: "ReadItsMasterUserSecret",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: `arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT_ID}:secret:rds!db-*`,
        Condition: { StringEquals: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": INSTANCE_ARN } },
      },
      { Sid: "ReadTheAppCredentials", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: APP_SECRET },
      {
        Sid: "DecryptTheSecretsThroughSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/*`,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
      },
    ]);
    const attachment = named(instance.resources, "dr-db-user-vpc-access");
    expect(attachment.inputs.policyArn).to.equal("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
    const trust = JSON.parse(String(named(instance.resources, "dr-db-user-role").inputs.assumeRolePolicy));
    expect(trust.Statement.map((statement: { Principal: unknown }) => statement.Principal)).to.deep.equal([{ Service: "lambda.amazonaws.com" }]);
  });

  it("may do exactly what it calls: cluster mode reads the cluster's master secret, and describes nothing", () => {
    const policy = JSON.parse(String(named(cluster.resources, "dr-db-user-policy").inputs.policy));
    expect(policy.Statement.map((statement: { Action: string; Resource: string }) => [statement.Action, statement.Resource])).to.deep.equal([
      ["secretsmanager:GetSecretValue", CLUSTER_SECRET],
      ["secretsmanager:GetSecretValue", APP_SECRET],
      ["kms:Decrypt", `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/*`],
    ]);
  });

  it("refuses a secret of another region: each region's function reads its own copy", () => {
    const elsewhere = APP_SECRET.replace(REGION, "us-east-1");
    expect(() => appDatabaseUserPolicy("aws", MOCK_ACCOUNT_ID, REGION, { kind: "instance", arn: INSTANCE_ARN }, elsewhere)).to.throw(
      RangeError,
      /appCredentials.secretArn .* is not a secret of us-west-2/,
    );
    expect(() =>
      appDatabaseUserPolicy("aws", MOCK_ACCOUNT_ID, REGION, { kind: "cluster", masterSecretArn: CLUSTER_SECRET.replace(REGION, "us-east-1") }, APP_SECRET),
    ).to.throw(RangeError, /database.masterSecretArn/);
  });

  it("invokes the function at deploy with the app secret's version, after the ingress rule (and the Aurora writer) exist", () => {
    const fn = named(instance.resources, "dr-db-user-function");
    const invocation = named(instance.resources, "dr-db-user-invocation");
    expect(invocation.type).to.equal("aws:lambda/invocation:Invocation");
    expect(invocation.inputs.functionName).to.equal(fn.outputs.name);
    expect(JSON.parse(String(invocation.inputs.input))).to.deep.equal({ action: "ensure", appCredentialsVersionId: "version-1" });
    expect(invocation.inputs.lifecycleScope, "CREATE_ONLY: deleting the component leaves the user").to.equal(undefined);
    expect(invocation.dependencies).to.include(named(instance.resources, "dr-db-user-to-database").urn);
    const clusterInvocation = named(cluster.resources, "dr-db-user-invocation");
    expect(clusterInvocation.dependencies).to.include(named(cluster.resources, "writer").urn);
  });

  it("re-runs on a rotation only: its one trigger is the credentials version, not the code or the settings", async () => {
    const triggers = (built: StackPlan) => named(built.resources, "dr-db-user-invocation").inputs.triggers as Record<string, string>;
    expect(triggers(instance)).to.deep.equal({ appCredentialsVersionId: "version-1" });
    const rotated = await plan((opts) => new AppDatabaseUser("dr-db-user", args({ appCredentials: { secretArn: APP_SECRET, versionId: "version-2" } }), opts));
    expect(triggers(rotated)).to.deep.equal({ appCredentialsVersionId: "version-2" });
    expect(JSON.parse(String(named(rotated.resources, "dr-db-user-invocation").inputs.input)).appCredentialsVersionId).to.equal("version-2");
    // Another setting changes the function, not the invocation: a deploy while an Aurora primary is a secondary stays possible.
    const renamed = await plan((opts) => new AppDatabaseUser("dr-db-user", args({ databaseName: "orders" }), opts));
    expect(triggers(renamed)).to.deep.equal(triggers(instance));
  });

  it("ships a bundle with both drivers and the statements, the runtime's AWS SDK left out", () => {
    const bundle = bundleFunction(APP_USER_FUNCTION_SOURCE);
    expect(bundle).to.contain("CREATE USER IF NOT EXISTS");
    expect(bundle).to.contain("CREATE SCHEMA IF NOT EXISTS");
    expect(bundle).to.contain('require("@aws-sdk/client-secrets-manager")');
    expect(bundle).to.contain("escapeLiteral");
    expect(bundle).to.match(/mysql2|createConnection/);
  });

  it("builds the environment as a pure function", () => {
    expect(appDatabaseUserEnvironment("postgres", "app", 5432, { kind: "instance", identifier: "db", arn: INSTANCE_ARN }, APP_SECRET)).to.not.have.property(
      APP_USER_ENVIRONMENT.port,
    );
  });

  const refused: [string, Partial<AppDatabaseUserArgs>, RegExp][] = [
    ["a function name over 64 characters", { functionName: "f".repeat(65) }, /function name "f+" is over 64 characters/],
    ["an engine it does not speak", { engine: "oracle" as AppDatabaseUserArgs["engine"] }, /engine must be postgres or mysql, got "oracle"/],
    ["a port out of range", { port: 70000 }, /port must be a TCP port \(1-65535\), got 70000/],
    ["a database name with a quote", { databaseName: "app'; --" }, /databaseName must start with a letter/],
    ["a region that is not one", { region: "west" }, /region must be an AWS region/],
  ];
  for (const [description, change, message] of refused) {
    it(`refuses ${description} with a RangeError naming the argument`, async () => {
      let thrown: unknown;
      try {
        await plan((opts) => new AppDatabaseUser("dr-db-user", args(change), opts));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(RangeError);
      expect((thrown as Error).message).to.match(/^AppDatabaseUser dr-db-user: /);
      expect((thrown as Error).message).to.match(message);
    });
  }
});
