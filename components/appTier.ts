/**
 * AppTier: one region's web tier. An internet-facing ALB in the public subnets whose target group
 * checks the app's health path (`appTier/loadBalancer.ts`), security groups that let the internet
 * reach only the ALB and the ALB only the app port (`appTier/securityGroups.ts`), and instances from
 * the region's app image with the rendered user data in an Auto Scaling Group in the private subnets,
 * reading only this region's copies of the app's secrets and parameters (`appTier/instances.ts`).
 * The image is resolved here (`appImage.ts`): in the DR region an AMI ID of the primary becomes a
 * copy in the DR region.
 *
 * Behind the edge (`edge`: CloudFront in front of the pair, docs/edge.md) the ALB's HTTPS listener takes
 * only CloudFront's origin-facing servers and forwards only requests with the origin-verify secret, and
 * port 80 serves the health path alone to Route 53 and the DR region's probe (components/edge/originAccess.ts):
 * `healthCheckProtocol` and `healthCheckPort` say where those checks must go.
 */
import * as pulumi from "@pulumi/pulumi";
import { type AppImage } from "../config/appDefinition";
import { HEALTH_CHECK_PATH, TLS_POLICY } from "../config/conventions";
import { instanceArchitecture } from "../config/rules";
import { resolveAppImage } from "./appImage";
import { type AppAccess, appInstances } from "./appTier/instances";
import { appLoadBalancer, TARGET_HEALTH_CHECK } from "./appTier/loadBalancer";
import { appTierSecurityGroups, SCRAPE_PORTS } from "./appTier/securityGroups";
import { cloudFrontLock, type EdgeOriginAccess, HEALTH_LISTENER } from "./edge/originAccess";

export { HEALTH_CHECK_PATH, SCRAPE_PORTS, TARGET_HEALTH_CHECK, TLS_POLICY };
export type { AppAccess };

export interface AppTierArgs {
  /** Region code the tier runs in, e.g. `us-west-2`. */
  region: string;
  /** `primary` or `dr`. */
  role: "primary" | "dr";
  /** The primary region: the source of an AMI the DR region copies. */
  primaryRegion: string;
  vpcId: pulumi.Input<string>;
  /** VPC block, for the instances' egress to the database. */
  vpcCidrBlock: string;
  /** Public subnets (one per zone, 2 or more) for the ALB. */
  publicSubnetIds: pulumi.Input<string[]>;
  /** Private subnets (one per zone, 2 or more) for the instances. */
  privateSubnetIds: pulumi.Input<string[]>;
  /** This region's KMS key ARN for the instances' volumes and an AMI copy's snapshots. */
  kmsKeyArn: pulumi.Input<string>;
  /** Log archive bucket (SSE-S3) receiving ALB access logs under `alb/`. */
  accessLogBucketName: pulumi.Input<string>;
  /** EC2 instance type, e.g. `t3.small`; the demo image's architecture follows it. */
  instanceType: string;
  /** The app's image (`app.image`; the demo by default). */
  image: AppImage;
  /** Name prefix of an AMI copy in this region (the AMI ID is appended; 3-128 characters in all), e.g. `multi-region-dr-dr-dr-app`. */
  imageCopyName: string;
  /** The user-data script as plain text, rendered for this region; empty for an image that needs none. */
  userData: pulumi.Input<string>;
  /** The app's health path, e.g. `/health`. */
  healthPath: string;
  /** What the instances may read (this region's secrets and parameters). */
  access: AppAccess;
  /** Auto Scaling Group sizes, instances: min <= desired <= max. */
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
  /** Average CPU the target-tracking policy holds, percent (10-90). */
  targetCpuUtilizationPercent: number;
  /** App port, 1024-65535. */
  appPort: number;
  /** ACM certificate in this region; when set, HTTPS on 443 and HTTP redirects to it. */
  certificateArn?: string;
  /** Database port, e.g. 5432, for the instances' egress. */
  databasePort: number;
  /** AWS deletion protection on the ALB (Security Hub ELB.6). */
  deletionProtection: boolean;
  /**
   * Security group of the monitoring cluster's nodes (the EKS cluster security group). When set,
   * the instances accept exactly the scrape ports (`SCRAPE_PORTS`) from it; unset, no scrape rule.
   */
  scrapeSourceSecurityGroupId?: pulumi.Input<string>;
  /**
   * CloudFront in front (`edge.cloudFront.enabled`): the region's origin-facing prefix list id and the
   * origin-verify secret; or `{ healthListenerOnly: true }` (`edge.cloudFront.healthListener` without the
   * edge): the health listener on 80 and the checks there, 443 still open. Needs `certificateArn`
   * (CloudFront reaches the ALB over HTTPS only). Unset: the ALB takes the internet as before.
   */
  edge?: EdgeOriginAccess;
}

export class AppTier extends pulumi.ComponentResource {
  readonly albArn: pulumi.Output<string>;
  readonly albDnsName: pulumi.Output<string>;
  /** The ALB's Route 53 hosted zone id, for alias records. */
  readonly albZoneId: pulumi.Output<string>;
  readonly albSecurityGroupId: pulumi.Output<string>;
  readonly instanceSecurityGroupId: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  readonly autoScalingGroupName: pulumi.Output<string>;
  readonly autoScalingGroupArn: pulumi.Output<string>;
  /** The image the launch template uses in this region (a copy's id in the DR region for an AMI ID). */
  readonly imageId: pulumi.Output<string>;
  /** `HTTPS` when a certificate is configured, else `HTTP`; and its port (443 or 80). */
  readonly listenerProtocol: "HTTP" | "HTTPS";
  readonly listenerPort: 80 | 443;
  /**
   * Where Route 53's health checks and the DR region's probe reach the health path: the app listener
   * (`listenerProtocol`, `listenerPort`), or behind the edge the health listener (HTTP, 80).
   */
  readonly healthCheckProtocol: "HTTP" | "HTTPS";
  readonly healthCheckPort: 80 | 443;
  /** Behind the edge: the ALB's security group taking HTTPS from CloudFront's origin-facing servers only. */
  readonly edgeSecurityGroupId?: pulumi.Output<string>;

  /** @throws RangeError on inconsistent sizes, a CPU target outside 10-90 percent, or `edge` without `certificateArn`. */
  constructor(name: string, args: AppTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:compute:AppTier", name, {}, opts);
    if (!(0 <= args.minSize && args.minSize <= args.desiredCapacity && args.desiredCapacity <= args.maxSize && args.maxSize >= 1)) {
      throw new RangeError(
        `AppTier ${name}: sizes must satisfy 0 <= minSize <= desiredCapacity <= maxSize and maxSize >= 1, got ${args.minSize}/${args.desiredCapacity}/${args.maxSize}`,
      );
    }
    if (args.targetCpuUtilizationPercent < 10 || args.targetCpuUtilizationPercent > 90) {
      throw new RangeError(`AppTier ${name}: targetCpuUtilizationPercent must be 10 to 90, got ${args.targetCpuUtilizationPercent}`);
    }
    const https = args.certificateArn !== undefined;
    if (args.edge !== undefined && !https) {
      throw new RangeError(
        `AppTier ${name}: edge needs certificateArn: CloudFront reaches the ALB over HTTPS only (its secret header must not travel in clear), and without HTTPS the checks are on port 80 already`,
      );
    }
    const lock = cloudFrontLock(args.edge);
    this.listenerProtocol = https ? "HTTPS" : "HTTP";
    this.listenerPort = https ? 443 : 80;
    this.healthCheckProtocol = args.edge ? HEALTH_LISTENER.protocol : this.listenerProtocol;
    this.healthCheckPort = args.edge ? HEALTH_LISTENER.port : this.listenerPort;

    const { albSecurityGroup, instanceSecurityGroup, edgeSecurityGroup } = appTierSecurityGroups(
      name,
      { ...args, https, ...(lock ? { cloudFrontPrefixListId: lock.prefixListId } : {}) },
      this,
    );
    const { loadBalancer, targetGroup } = appLoadBalancer(
      name,
      {
        ...args,
        albSecurityGroupIds: [albSecurityGroup.id, ...(edgeSecurityGroup ? [edgeSecurityGroup.id] : [])],
        ...(lock ? { originVerifySecret: lock.originVerifySecret } : {}),
        healthListener: args.edge !== undefined,
      },
      this,
    );
    const image = resolveAppImage(
      name,
      {
        image: args.image,
        role: args.role,
        primaryRegion: args.primaryRegion,
        architecture: instanceArchitecture(args.instanceType),
        kmsKeyArn: args.kmsKeyArn,
        copyName: args.imageCopyName,
      },
      this,
    );
    const { group } = appInstances(
      name,
      {
        ...args,
        instanceSecurityGroupId: instanceSecurityGroup.id,
        targetGroupArn: targetGroup.arn,
        imageId: image.imageId,
        rootDeviceName: image.rootDeviceName,
        ...(image.rootVolumeSizeGib !== undefined ? { rootVolumeSizeGib: image.rootVolumeSizeGib } : {}),
      },
      this,
    );

    this.albArn = loadBalancer.arn;
    this.albDnsName = loadBalancer.dnsName;
    this.albZoneId = loadBalancer.zoneId;
    this.albSecurityGroupId = albSecurityGroup.id;
    if (edgeSecurityGroup) this.edgeSecurityGroupId = edgeSecurityGroup.id;
    this.instanceSecurityGroupId = instanceSecurityGroup.id;
    this.targetGroupArn = targetGroup.arn;
    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;
    this.imageId = image.imageId;
    this.registerOutputs({
      albArn: this.albArn,
      albDnsName: this.albDnsName,
      albZoneId: this.albZoneId,
      albSecurityGroupId: this.albSecurityGroupId,
      edgeSecurityGroupId: this.edgeSecurityGroupId,
      instanceSecurityGroupId: this.instanceSecurityGroupId,
      targetGroupArn: this.targetGroupArn,
      autoScalingGroupName: this.autoScalingGroupName,
      autoScalingGroupArn: this.autoScalingGroupArn,
      imageId: this.imageId,
    });
  }
}
