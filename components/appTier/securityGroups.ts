/**
 * The app tier's security groups: the internet reaches only the ALB (80, and 443 with a
 * certificate); the ALB reaches only the app port of the instances; the instances reach the AWS
 * APIs and package repositories over HTTPS and the database inside the VPC; the monitoring
 * cluster's nodes reach exactly the scrape ports.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { APP_METRICS_PORT, NODE_EXPORTER_PORT } from "../../config/conventions";

/** Ports Prometheus scrapes on the instances: the app's exporter and the node exporter. */
export const SCRAPE_PORTS = [
  { port: APP_METRICS_PORT, name: "app-metrics", what: "app metrics" },
  { port: NODE_EXPORTER_PORT, name: "node-exporter", what: "node exporter" },
] as const;

export interface SecurityGroupsArgs {
  vpcId: pulumi.Input<string>;
  /** The VPC block: the database's address range. */
  vpcCidrBlock: string;
  appPort: number;
  databasePort: number;
  /** Whether the ALB serves HTTPS on 443 (and redirects 80). */
  https: boolean;
  /** The monitoring cluster's node security group; unset, no scrape rule. */
  scrapeSourceSecurityGroupId?: pulumi.Input<string>;
}

/** Builds the ALB's and the instances' security groups and their rules under `parent`. */
export function appTierSecurityGroups(
  name: string,
  args: SecurityGroupsArgs,
  parent: pulumi.Resource,
): { albSecurityGroup: aws.ec2.SecurityGroup; instanceSecurityGroup: aws.ec2.SecurityGroup } {
  const child = { parent };
  const albSg = new aws.ec2.SecurityGroup(`${name}-alb-sg`, { vpcId: args.vpcId, description: "ALB: HTTP(S) from the internet" }, child);
  const instanceSg = new aws.ec2.SecurityGroup(`${name}-instance-sg`, { vpcId: args.vpcId, description: "App instances: app port from the ALB only" }, child);
  const ingress = (
    id: string,
    securityGroupId: pulumi.Input<string>,
    port: number,
    source: { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> },
    description: string,
  ) => new aws.vpc.SecurityGroupIngressRule(id, { securityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port, ...source, description }, child);
  const egress = (
    id: string,
    securityGroupId: pulumi.Input<string>,
    port: number,
    target: { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> },
    description: string,
  ) => new aws.vpc.SecurityGroupEgressRule(id, { securityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port, ...target, description }, child);

  for (const port of args.https ? [80, 443] : [80]) {
    ingress(`${name}-alb-in-${port}`, albSg.id, port, { cidrIpv4: "0.0.0.0/0" }, `HTTP${port === 443 ? "S" : ""} from the internet`);
  }
  egress(`${name}-alb-out-app`, albSg.id, args.appPort, { referencedSecurityGroupId: instanceSg.id }, "to the app instances");
  ingress(`${name}-instance-in-app`, instanceSg.id, args.appPort, { referencedSecurityGroupId: albSg.id }, "app port from the ALB");
  if (args.scrapeSourceSecurityGroupId !== undefined) {
    for (const scrape of SCRAPE_PORTS) {
      ingress(
        `${name}-instance-in-${scrape.name}`,
        instanceSg.id,
        scrape.port,
        { referencedSecurityGroupId: args.scrapeSourceSecurityGroupId },
        `${scrape.what} scrapes from the monitoring cluster's nodes`,
      );
    }
  }
  egress(`${name}-instance-out-https`, instanceSg.id, 443, { cidrIpv4: "0.0.0.0/0" }, "AWS APIs, SSM and package repositories over HTTPS");
  egress(`${name}-instance-out-database`, instanceSg.id, args.databasePort, { cidrIpv4: args.vpcCidrBlock }, "database inside the VPC");
  return { albSecurityGroup: albSg, instanceSecurityGroup: instanceSg };
}
