/**
 * The app tier's security groups: the internet reaches only the ALB (80, and 443 with a
 * certificate); the ALB reaches only the app port of the instances; the instances reach the AWS
 * APIs and package repositories over HTTPS and the database inside the VPC; the monitoring
 * cluster's nodes reach exactly the scrape ports.
 *
 * Behind the edge (`edge`, components/edge/originAccess.ts) the app's port 443 takes CloudFront's
 * origin-facing prefix list only, through a security group of its own (the list weighs 55 of the 60
 * inbound rules a group may hold: CLOUDFRONT_PREFIX_LIST_WEIGHT), and the internet reaches 80 alone,
 * the health listener (HEALTH_LISTENER).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { APP_METRICS_PORT, NODE_EXPORTER_PORT } from "../../config/conventions";
import { HEALTH_LISTENER } from "../edge/originAccess";

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
  /** Behind the edge: the id of CloudFront's origin-facing prefix list in this region; 443 then takes only it. Needs `https`. */
  cloudFrontPrefixListId?: pulumi.Input<string>;
}

/** Builds the ALB's and the instances' security groups and their rules under `parent`. */
export function appTierSecurityGroups(
  name: string,
  args: SecurityGroupsArgs,
  parent: pulumi.Resource,
): { albSecurityGroup: aws.ec2.SecurityGroup; instanceSecurityGroup: aws.ec2.SecurityGroup; edgeSecurityGroup?: aws.ec2.SecurityGroup } {
  const child = { parent };
  const behindEdge = args.cloudFrontPrefixListId !== undefined;
  if (behindEdge && !args.https)
    throw new RangeError(`appTierSecurityGroups ${name}: behind the edge the ALB serves HTTPS on 443 (a certificate), got HTTP only`);
  const albSg = new aws.ec2.SecurityGroup(
    `${name}-alb-sg`,
    { vpcId: args.vpcId, description: behindEdge ? "ALB: health path on HTTP from the internet" : "ALB: HTTP(S) from the internet" },
    child,
  );
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

  // Behind the edge, only the health listener's port stays open to the internet (its rule keeps its logical name, so it is not replaced).
  for (const port of behindEdge ? [HEALTH_LISTENER.port] : args.https ? [80, 443] : [80]) {
    ingress(
      `${name}-alb-in-${port}`,
      albSg.id,
      port,
      { cidrIpv4: "0.0.0.0/0" },
      behindEdge ? "the health path only, from the internet" : `HTTP${port === 443 ? "S" : ""} from the internet`,
    );
  }
  egress(`${name}-alb-out-app`, albSg.id, args.appPort, { referencedSecurityGroupId: instanceSg.id }, "to the app instances");
  const edgeSg = behindEdge ? cloudFrontOnlyGroup(name, args.vpcId, args.cloudFrontPrefixListId as pulumi.Input<string>, child) : undefined;
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
  return { albSecurityGroup: albSg, instanceSecurityGroup: instanceSg, ...(edgeSg ? { edgeSecurityGroup: edgeSg } : {}) };
}

/**
 * The ALB's second security group behind the edge: HTTPS from CloudFront's origin-facing servers only,
 * one rule referencing the managed prefix list (weight 55, so alone in its group), and no egress rule
 * (the ALB's main group holds the one to the instances; an ALB takes up to 5 security groups, Elastic
 * Load Balancing User Guide, "Security groups for your Application Load Balancer").
 */
function cloudFrontOnlyGroup(
  name: string,
  vpcId: pulumi.Input<string>,
  prefixListId: pulumi.Input<string>,
  child: { parent: pulumi.Resource },
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(`${name}-alb-edge-sg`, { vpcId, description: "ALB: HTTPS from CloudFront's origin-facing servers only" }, child);
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-alb-edge-in-443`,
    { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId, description: "HTTPS from CloudFront's origin-facing servers" },
    child,
  );
  return group;
}
