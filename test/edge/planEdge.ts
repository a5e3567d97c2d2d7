/**
 * Builds edge parts under Pulumi mocks (synth/recordStack.ts) in one region, with an explicit AWS
 * provider there, and returns the plan; plus the few readers the edge tests share.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type PlannedResource, recordStack, type StackPlan } from "../../synth/recordStack";

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
