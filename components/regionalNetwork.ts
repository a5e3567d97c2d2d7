/**
 * RegionalNetwork: one region's VPC across N availability zones, built by `awsx.ec2.Vpc` (public,
 * private and isolated subnets per zone, NAT per zone or one), with VPC flow logs to an encrypted
 * CloudWatch log group (Security Hub EC2.6) and the default security group stripped of all rules
 * (Security Hub EC2.2).
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "./account";
import { policyDocument, serviceTrustPolicy } from "./policyDocuments";
import { subnetLayout } from "./subnetLayout";

/** This program's NAT choices as awsx's `NatGatewayStrategy` values. */
export const NAT_GATEWAY_STRATEGIES = { "one-per-zone": "OnePerAz", single: "Single", none: "None" } as const;

/** The subnet tags Kubernetes load balancers are placed by: `kubernetes.io/role/internal-elb` (private), `kubernetes.io/role/elb` (public). */
export const LOAD_BALANCER_SUBNET_TAGS = { internal: "kubernetes.io/role/internal-elb", internetFacing: "kubernetes.io/role/elb" } as const;

export interface RegionalNetworkArgs {
  /** VPC IPv4 block, /16 to /20, e.g. `10.0.0.0/16`. */
  cidrBlock: string;
  /** Availability zones to span, 2 to 4. */
  availabilityZoneCount: number;
  /**
   * `one-per-zone` keeps egress alive through a zone loss; `single` is the cheaper standby choice;
   * `none` (backup-restore's DR region) leaves the private subnets without outbound internet.
   */
  natGateways: "one-per-zone" | "single" | "none";
  /** KMS key ARN of this region, for the flow-log group. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days to keep flow logs (a CloudWatch Logs retention value). */
  flowLogRetentionDays: number;
}

export class RegionalNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: string;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Subnets with no route to the internet, for the database. */
  readonly isolatedSubnetIds: pulumi.Output<string[]>;
  readonly availabilityZoneCount: number;

  /** @throws RangeError when the zone count is outside 2-4 or the block's prefix outside /16-/20. */
  constructor(name: string, args: RegionalNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:network:RegionalNetwork", name, {}, opts);
    if (!Number.isInteger(args.availabilityZoneCount) || args.availabilityZoneCount < 2 || args.availabilityZoneCount > 4) {
      throw new RangeError(`RegionalNetwork ${name}: availabilityZoneCount must be 2 to 4, got ${args.availabilityZoneCount}`);
    }
    const layout = subnetLayout(Number(args.cidrBlock.split("/")[1]));
    const child = { parent: this };

    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        numberOfAvailabilityZones: args.availabilityZoneCount,
        availabilityZoneCidrMask: layout.availabilityZoneCidrMask,
        subnetStrategy: "Auto",
        enableDnsHostnames: true,
        enableDnsSupport: true,
        subnetSpecs: [
          // Load balancer subnet auto-discovery (AWS Load Balancer Controller docs, "Subnet auto-discovery";
          // the in-tree cloud provider reads the same tags): internal load balancers such as Grafana's
          // go to the private subnets, internet-facing ones to the public subnets.
          { type: "Private", name: "private", cidrMask: layout.privateCidrMask, tags: { [LOAD_BALANCER_SUBNET_TAGS.internal]: "1" } },
          { type: "Public", name: "public", cidrMask: layout.publicCidrMask, tags: { [LOAD_BALANCER_SUBNET_TAGS.internetFacing]: "1" } },
          { type: "Isolated", name: "isolated", cidrMask: layout.isolatedCidrMask },
        ],
        natGateways: { strategy: NAT_GATEWAY_STRATEGIES[args.natGateways] },
      },
      child,
    );

    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg-closed`, { vpcId: vpc.vpcId, ingress: [], egress: [] }, child);

    const account = accountContext(this);
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { retentionInDays: args.flowLogRetentionDays, kmsKeyId: args.kmsKeyArn }, child);
    const role = new aws.iam.Role(
      `${name}-flow-logs-role`,
      { assumeRolePolicy: account.apply(({ accountId }) => JSON.stringify(serviceTrustPolicy("vpc-flow-logs.amazonaws.com", accountId))) },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs-write`,
      {
        role: role.id,
        policy: logGroup.arn.apply((arn) =>
          JSON.stringify(
            policyDocument([
              {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [arn, `${arn}:*`],
              },
            ]),
          ),
        ),
      },
      child,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      { vpcId: vpc.vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn, iamRoleArn: role.arn },
      child,
    );

    this.vpcId = vpc.vpcId;
    this.cidrBlock = args.cidrBlock;
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.privateSubnetIds = vpc.privateSubnetIds;
    this.isolatedSubnetIds = vpc.isolatedSubnetIds;
    this.availabilityZoneCount = args.availabilityZoneCount;
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
    });
  }
}
