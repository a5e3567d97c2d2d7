/**
 * What the functions that reach a database of the pair share (components/replicationHeartbeat.ts,
 * components/appDatabaseUser.ts): the function's code bundled by esbuild, and the Lambda function
 * beside the database in its VPC with exactly the permissions its caller gives it.
 *
 * What `databaseFunction` builds, under the calling component: a security group (HTTPS out for the
 * AWS APIs through the region's NAT, the engine port to the VPC only) and an ingress rule on the
 * database's security group from it; a KMS-encrypted log group `/aws/lambda/<function name>`; a role
 * Lambda assumes with the managed AWSLambdaVPCAccessExecutionRole policy (the ENI and log calls a VPC
 * function needs, Lambda Developer Guide, "Giving Lambda functions access to resources in an Amazon
 * VPC") plus the caller's inline policy; and the function (Node.js 22, `index.handler`). Resource
 * names are `<name>-sg`, `-to-database`, `-logs`, `-role`, `-vpc-access`, `-policy`, `-function`.
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";
import { accountContext } from "./account";
import { serviceTrustPolicy } from "./policyDocuments";

/** The directory of the functions' sources (ES modules, bundled at deploy time). */
export const LAMBDA_SOURCE_DIRECTORY = path.join(__dirname, "..", "recovery", "lambda");

/**
 * Node.js 20 and later Lambda runtimes do not load the Amazon CA certificates by default; they ship
 * them at this path, which `NODE_EXTRA_CA_CERTS` adds to the trusted list (Lambda Developer Guide,
 * "Building Lambda functions with Node.js"). The functions verify the database's certificate with them.
 */
export const LAMBDA_RUNTIME_CA_BUNDLE = "/var/runtime/ca-cert.pem";

/** Lambda's limit on a function name (Lambda API Reference, CreateFunction: FunctionName). */
export const FUNCTION_NAME_LIMIT = 64;

const bundles = new Map<string, string>();

/**
 * The code of the function whose source is `source` (an absolute path to an ES module): bundled by
 * esbuild as CommonJS for Node.js 22 with its dependencies (`pg`, `mysql2`), the runtime's AWS SDK v3
 * left out, `pg-native` (the optional native binding of `pg`) left out. Built once per source per process.
 * @throws esbuild's error when the source does not build.
 */
export function bundleFunction(source: string): string {
  let bundled = bundles.get(source);
  if (bundled === undefined) {
    const result = buildSync({
      entryPoints: [source],
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      external: ["@aws-sdk/*", "pg-native"],
      write: false,
      legalComments: "none",
      // Whitespace and syntax only: the names stay readable in the function's stack traces.
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: "silent",
    });
    bundled = result.outputFiles[0].text;
    bundles.set(source, bundled);
  }
  return bundled;
}

/**
 * Refuses a function name over Lambda's 64 characters.
 * @param kind the component's class name, e.g. `ReplicationHeartbeat`
 * @throws RangeError naming the component and the name.
 */
export function checkFunctionName(kind: string, name: string, functionName: string): void {
  if (functionName.length > FUNCTION_NAME_LIMIT) {
    throw new RangeError(`${kind} ${name}: function name "${functionName}" is over ${FUNCTION_NAME_LIMIT} characters (Lambda's limit)`);
  }
}

/** Where a database function runs and what it reaches: the arguments every such component takes. */
export interface DatabaseFunctionPlacement {
  /** Function name (at most 64 characters, Lambda's limit: checkFunctionName). */
  functionName: string;
  /** Subnets with a route to the AWS APIs (the private subnets, through the region's NAT gateways). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  vpcId: pulumi.Input<string>;
  /** The VPC's CIDR block, e.g. `10.0.0.0/16`: the engine port is allowed out to it only. */
  vpcCidrBlock: string;
  /** The database's security group: the function gets an ingress rule on the engine port. */
  databaseSecurityGroupId: pulumi.Input<string>;
  /** The engine's port, e.g. 5432. */
  port: number;
  /** This region's KMS key ARN: the log group. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days of function logs kept (CloudWatch Logs retention value). */
  logRetentionDays: number;
}

/** The placement fields of a component's arguments, and nothing else. */
export function placementOf(args: DatabaseFunctionPlacement): DatabaseFunctionPlacement {
  const { functionName, subnetIds, vpcId, vpcCidrBlock, databaseSecurityGroupId, port, kmsKeyArn, logRetentionDays } = args;
  return { functionName, subnetIds, vpcId, vpcCidrBlock, databaseSecurityGroupId, port, kmsKeyArn, logRetentionDays };
}

export interface DatabaseFunctionArgs extends DatabaseFunctionPlacement {
  /** The function's description in Lambda. */
  description: string;
  /** What the function is, e.g. `replication heartbeat`: in the security group's and the ingress rule's descriptions. */
  purpose: string;
  /** Absolute path of the function's ES module source (bundleFunction). */
  source: string;
  /** The role's inline policy, a JSON policy document built from the account (partition, account id). */
  policy: (account: { partition: string; accountId: string }) => pulumi.Input<string>;
  /** The function's environment variables. */
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Seconds the function may run. */
  timeoutSeconds: number;
  /** MB of memory (128 is enough for a few SQL statements). */
  memorySize: number;
}

/** The resources databaseFunction built. */
export interface DatabaseFunction {
  fn: aws.lambda.Function;
  securityGroup: aws.ec2.SecurityGroup;
  ingress: aws.vpc.SecurityGroupIngressRule;
  role: aws.iam.Role;
}

/** Builds the function beside the database, under `parent` (see the module comment). */
export function databaseFunction(name: string, args: DatabaseFunctionArgs, parent: pulumi.Resource): DatabaseFunction {
  const child = { parent };
  const account = accountContext(parent);
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    {
      vpcId: args.vpcId,
      description: `${name}: ${args.purpose} to the database, AWS APIs over HTTPS`,
      egress: [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "AWS APIs (RDS, Secrets Manager) through NAT" },
        { protocol: "tcp", fromPort: args.port, toPort: args.port, cidrBlocks: [args.vpcCidrBlock], description: "the database" },
      ],
    },
    child,
  );
  const ingress = new aws.vpc.SecurityGroupIngressRule(
    `${name}-to-database`,
    {
      securityGroupId: args.databaseSecurityGroupId,
      referencedSecurityGroupId: securityGroup.id,
      ipProtocol: "tcp",
      fromPort: args.port,
      toPort: args.port,
      description: args.purpose,
    },
    child,
  );
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
    child,
  );
  const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")) }, child);
  const vpcAccess = new aws.iam.RolePolicyAttachment(
    `${name}-vpc-access`,
    { role: role.name, policyArn: account.apply(({ partition }) => `arn:${partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`) },
    child,
  );
  const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: account.apply((context) => pulumi.output(args.policy(context))) }, child);
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      name: args.functionName,
      description: args.description,
      runtime: "nodejs22.x",
      handler: "index.handler",
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleFunction(args.source)) }),
      role: role.arn,
      timeout: args.timeoutSeconds,
      memorySize: args.memorySize,
      vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [securityGroup.id] },
      environment: { variables: args.environment },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
    },
    { parent, dependsOn: [vpcAccess, policy, logGroup] },
  );
  return { fn, securityGroup, ingress, role };
}
