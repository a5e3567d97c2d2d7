/**
 * Builds edge parts under Pulumi mocks (synth/recordStack.ts) in one region, with an explicit AWS
 * provider there, and returns the plan; plus the few readers the edge tests share.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type AppTierArgs } from "../../components/appTier";
import { type PlannedResource, recordStack, type StackPlan } from "../../synth/recordStack";
import { EAST_KEY } from "../fixtures/regionalKeys";

/** An ACM certificate of eu-west-1 for the tiers' HTTPS listeners. */
export const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

/**
 * The `buildEdge` arguments the DR stack would pass for app.example.net in us-west-2 with a
 * us-east-1 primary, outside the outage mode; spread them and add `primary`, `retained` and `opts`.
 */
export const DR_EDGE_ARGS = {
  applicationName: "app.example.net",
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  drAlbDnsName: "dr-alb.us-west-2.elb.amazonaws.com",
  primaryRegion: "us-east-1",
  outage: false,
  namePrefix: "edge",
} as const;

/** A small DR tier in eu-west-1 whose primary is eu-central-1 (a pair other than the defaults), with `overrides`. */
export const smallTierArgs = (overrides: Partial<AppTierArgs> = {}): AppTierArgs => ({
  region: "eu-west-1",
  role: "dr",
  primaryRegion: "eu-central-1",
  image: { kind: "demo" },
  imageCopyName: "multi-region-dr-dr-dr-app",
  userData: "#!/bin/bash\n",
  healthPath: "/health",
  access: { secretArns: [], secretsKeyArn: EAST_KEY, parameterPath: "/app/", dataBucketArn: "arn:aws:s3:::data", dataKeyArn: EAST_KEY },
  vpcId: "vpc-0123456789abcdef0",
  vpcCidrBlock: "10.1.0.0/16",
  publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
  privateSubnetIds: ["subnet-prv-a", "subnet-prv-b"],
  kmsKeyArn: EAST_KEY,
  accessLogBucketName: "log-archive",
  instanceType: "t3.small",
  minSize: 1,
  desiredCapacity: 1,
  maxSize: 2,
  targetCpuUtilizationPercent: 50,
  appPort: 8080,
  databasePort: 5432,
  deletionProtection: true,
  ...overrides,
});

export function planEdge(region: string, build: (opts: pulumi.ComponentResourceOptions) => Record<string, unknown> | void): Promise<StackPlan> {
  return recordStack({
    project: "edge",
    stack: "test",
    role: "dr",
    region,
    program: () => build({ providers: { aws: new aws.Provider("provider", { region }) } }) ?? {},
  });
}

/** The resources of `type`. */
export const ofType = (plan: StackPlan, type: string): PlannedResource[] => plan.resources.filter((resource) => resource.type === type);

/** The one resource of `type` whose name ends with `suffix`. */
export function oneOf(plan: StackPlan, type: string, suffix = ""): PlannedResource {
  const found = ofType(plan, type).filter((resource) => resource.name.endsWith(suffix));
  expect(
    found.map((resource) => resource.name),
    `${type} ending ${suffix}`,
  ).to.have.length(1);
  return found[0];
}

export const TYPES = {
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  distribution: "aws:cloudfront/distribution:Distribution",
  certificate: "aws:acm/certificate:Certificate",
  certificateValidation: "aws:acm/certificateValidation:CertificateValidation",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  record: "aws:route53/record:Record",
  password: "random:index/randomPassword:RandomPassword",
} as const;
