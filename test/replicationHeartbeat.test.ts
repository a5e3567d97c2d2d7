/**
 * The replication heartbeat (components/replicationHeartbeat.ts), synthesized: one function per
 * region beside its database (the default PostgreSQL pair, and the MySQL example on another
 * account of regions), what it runs, what it may do, how it reaches the database, when it runs,
 * and who asks it (the failover and failback definitions, the primary-region operations function).
 */
import * as path from "node:path";
import { expect } from "chai";
import { heartbeatFunctionBundle, heartbeatFunctionPolicy, LAMBDA_RUNTIME_CA_BUNDLE } from "../components/replicationHeartbeat";
import { HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_SCHEDULE, HEARTBEAT_WINDOW_SECONDS } from "../recovery/heartbeat";
import { HEARTBEAT_ENVIRONMENT } from "../recovery/lambda/replicationHeartbeat.mjs";
import type { RecoveryTargets } from "../recovery/targets";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import type { SynthesisResult } from "../synth/synthesize";
import { synthesizedOnce } from "./fixtures/synthesis";
import { named } from "./fixtures/plannedResources";

const projectDirectory = path.resolve(__dirname, "..");

function ofType(plan: StackPlan, type: string): PlannedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}

/** Checks one region's heartbeat against its database and network. */
function checkRegion(plan: StackPlan, role: "primary" | "dr", engine: "postgres" | "mysql", port: number): PlannedResource {
  const fn = named(plan, `${role}-heartbeat-function`);
  const database = ofType(plan, "aws:rds/instance:Instance")[0];
  const environment = (fn.inputs.environment as { variables: Record<string, string> }).variables;
  expect(fn.region, "beside its database").to.equal(database.region);
  expect(fn.inputs).to.include({ runtime: "nodejs22.x", handler: "index.handler", memorySize: 128 });
  // It ends before the schedule starts the next run.
  expect(fn.inputs.timeout as number).to.be.below(60);
  expect(HEARTBEAT_WINDOW_SECONDS).to.be.below(fn.inputs.timeout as number);
  expect(environment).to.deep.equal({
    [HEARTBEAT_ENVIRONMENT.databaseIdentifier]: database.outputs.identifier,
    [HEARTBEAT_ENVIRONMENT.engine]: engine,
    ...(engine === "postgres" ? { [HEARTBEAT_ENVIRONMENT.databaseName]: "postgres" } : {}),
    [HEARTBEAT_ENVIRONMENT.intervalSeconds]: String(HEARTBEAT_INTERVAL_SECONDS),
    [HEARTBEAT_ENVIRONMENT.windowSeconds]: String(HEARTBEAT_WINDOW_SECONDS),
    NODE_EXTRA_CA_CERTS: LAMBDA_RUNTIME_CA_BUNDLE,
  });

  // In the VPC's private subnets (NAT to the AWS APIs), with a group the database admits on its port.
  const network = ofType(plan, "awsx:ec2:Vpc")[0] ?? undefined;
  const vpc = fn.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
  expect(vpc.subnetIds.length).to.be.greaterThan(1);
  if (network) expect(vpc.subnetIds).to.deep.equal(network.outputs.privateSubnetIds);
  const group = named(plan, `${role}-heartbeat-sg`);
  expect(vpc.securityGroupIds).to.deep.equal([group.id]);
  const egress = group.inputs.egress as { fromPort: number; toPort: number; cidrBlocks: string[] }[];
  expect(egress.map((rule) => [rule.fromPort, rule.toPort])).to.deep.equal([
    [443, 443],
    [port, port],
  ]);
  const ingress = named(plan, `${role}-heartbeat-to-database`);
  const databaseGroups = database.inputs.vpcSecurityGroupIds as string[];
  expect(databaseGroups).to.include(ingress.inputs.securityGroupId);
  expect(ingress.inputs).to.include({ referencedSecurityGroupId: group.id, fromPort: port, toPort: port, ipProtocol: "tcp" });

  // Every minute, with the beat action; the schedule may invoke it, nothing else is granted.
  const schedule = named(plan, `${role}-heartbeat-schedule`);
  expect(schedule.inputs.scheduleExpression).to.equal(HEARTBEAT_SCHEDULE);
  const target = named(plan, `${role}-heartbeat-target`);
  expect(target.inputs).to.include({ rule: schedule.outputs.name, arn: fn.outputs.arn, input: JSON.stringify({ action: "beat" }) });
  const permission = named(plan, `${role}-heartbeat-invoke`);
  expect(permission.inputs).to.include({ principal: "events.amazonaws.com", sourceArn: schedule.outputs.arn, action: "lambda:InvokeFunction" });

  // Logs in its own encrypted group, kept as long as the region's other logs.
  const logs = named(plan, `${role}-heartbeat-logs`);
  expect(logs.inputs.name).to.equal(`/aws/lambda/${String(fn.inputs.name)}`);
  expect(String(logs.inputs.kmsKeyId)).to.match(new RegExp(`^arn:aws:kms:${fn.region}:`));
  const policy = named(plan, `${role}-heartbeat-policy`);
  // This region's database and the other region's, and nothing else.
  const peer = ofType(plan, "aws:rds/instance:Instance")[0].inputs.replicateSourceDb as string | undefined;
  const arns = JSON.parse(String(policy.inputs.policy)).Statement[0].Resource as string[];
  expect(arns[0]).to.equal(database.outputs.arn);
  expect(arns).to.have.length(role === "dr" || peer ? 2 : 1);
  expect(JSON.parse(String(policy.inputs.policy))).to.deep.equal(heartbeatFunctionPolicy("aws", MOCK_ACCOUNT_ID, arns));
  const retries = named(plan, `${role}-heartbeat-no-retries`);
  expect(retries.inputs).to.include({ functionName: fn.outputs.name, maximumRetryAttempts: 0 });
  return fn;
}

describe("the replication heartbeat, synthesized", () => {
  let defaults: SynthesisResult;
  let mysql: SynthesisResult;

  before(async () => {
    defaults = await synthesizedOnce({ projectDirectory });
    const example = path.join(projectDirectory, "examples", "us-east-1-us-west-2-mysql");
    mysql = await synthesizedOnce({
      projectDirectory,
      primaryStackFile: path.join(example, "Pulumi.primary.yaml"),
      drStackFile: path.join(example, "Pulumi.dr.yaml"),
    });
  });

  it("runs in each region of the PostgreSQL pair, beside that region's database", () => {
    checkRegion(defaults.primary, "primary", "postgres", 5432);
    checkRegion(defaults.dr, "dr", "postgres", 5432);
  });

  it("runs in each region of the MySQL example, on the MySQL port", () => {
    checkRegion(mysql.primary, "primary", "mysql", 3306);
    checkRegion(mysql.dr, "dr", "mysql", 3306);
  });

  it("is named in the recovery targets: the DR one for the switchover, the primary's (exported by the primary stack) for failback", () => {
    for (const result of [defaults, mysql]) {
      const targets = result.dr.outputs.recoveryTargets as RecoveryTargets;
      expect(targets.heartbeat).to.deep.equal({
        drFunctionArn: named(result.dr, "dr-heartbeat-function").outputs.arn,
        primaryFunctionArn: named(result.primary, "primary-heartbeat-function").outputs.arn,
      });
      expect(result.primary.outputs.dbHeartbeatFunctionArn).to.equal(targets.heartbeat?.primaryFunctionArn);
    }
  });

  it("is not built where there is no read replica to prove (backup-restore)", async () => {
    const example = path.join(projectDirectory, "examples", "pilot-light-eu");
    const strategies = await synthesizedOnce({
      projectDirectory,
      primaryStackFile: path.join(example, "Pulumi.primary.yaml"),
      drStackFile: path.join(example, "Pulumi.dr.yaml"),
    });
    const hasReplica = ofType(strategies.dr, "aws:rds/instance:Instance").some((instance) => instance.inputs.replicateSourceDb !== undefined);
    expect(ofType(strategies.dr, "aws:lambda/function:Function").some((fn) => fn.name === "dr-heartbeat-function")).to.equal(hasReplica);
  });

  it("ships a bundle that holds both drivers and leaves the runtime's AWS SDK out", () => {
    const bundle = heartbeatFunctionBundle();
    expect(bundle).to.match(/exports\.handler|module\.exports/);
    expect(bundle).to.contain("pg_is_in_recovery");
    expect(bundle).to.contain("@@global.read_only");
    expect(bundle).to.contain('require("@aws-sdk/client-rds")');
    expect(bundle).to.not.contain("SignatureV4MultiRegion");
  });

  it("may describe the pair's two databases and read only their RDS-managed secrets, decrypting through Secrets Manager", () => {
    const arns = [`arn:aws:rds:us-east-1:${MOCK_ACCOUNT_ID}:db:a`, `arn:aws:rds:us-west-2:${MOCK_ACCOUNT_ID}:db:b`];
    const statements = heartbeatFunctionPolicy("aws", MOCK_ACCOUNT_ID, arns).Statement;
    expect(statements.map((statement) => statement.Action)).to.deep.equal(["rds:DescribeDBInstances", "secretsmanager:GetSecretValue", "kms:Decrypt"]);
    expect(statements[0].Resource).to.deep.equal(arns);
    expect(statements[1].Resource).to.equal(`arn:aws:secretsmanager:*:${MOCK_ACCOUNT_ID}:secret:rds!db-*`);
    expect(statements[1].Condition).to.deep.equal({ StringEquals: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": arns } });
    expect(statements[2].Condition).to.deep.equal({ StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } });
  });
});
