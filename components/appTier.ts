/**
 * AppTier: one region's web tier. An internet-facing ALB in the public subnets (access logs,
 * invalid headers dropped, defensive desync mitigation), a target group checking `/health`, a launch
 * template (Amazon Linux 2023 resolved per region through SSM, IMDSv2 required, encrypted gp3 root
 * volume with the region's key, no public IP) and an Auto Scaling Group in the private subnets with
 * ELB health checks and a target-tracking CPU policy. The ALB takes 80 (and 443 with a certificate)
 * from the internet; instances take traffic only from the ALB.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_METRICS_PORT, HEALTH_CHECK_PATH, NODE_EXPORTER_PORT, TLS_POLICY } from "../config/conventions";
import { instanceArchitecture } from "../config/rules";
import { accountContext } from "./account";
import { ROUTE53_HTTP_CHECK } from "./failoverRouting";
import { managedPolicyArn, serviceTrustPolicy } from "./policyDocuments";
import { amazonLinuxAmiParameter, renderAppUserData } from "./userData";

export { HEALTH_CHECK_PATH, TLS_POLICY };

/**
 * The target group's health check of `/health`: every 10 s, 2 s to answer with a 200, healthy after
 * 2 successes, unhealthy after 3 failures (ELB accepts an interval of 5-300 s, a timeout of 2-120 s
 * below the interval and 2-10 checks; Elastic Load Balancing User Guide, "Health checks for
 * Application Load Balancer target groups"). A new instance takes traffic 20 s after its app
 * answers; the RTO budget counts it.
 *
 * It agrees with the Route 53 check of the primary (`FailoverRouting`): the same path; a 200, which
 * Route 53 also counts healthy (it takes 200-399); and 2 s to answer, Route 53's own limit
 * (`ROUTE53_HTTP_CHECK`). With the old 5 s, an app answering in 3 s stayed healthy to the ALB while
 * Route 53 failed the region over. An instance the ALB calls unhealthy after 3 x 10 s is replaced
 * (the group's ELB health check). The region moves on Route 53's own check of `/health` alone (the
 * PRIMARY alias does not evaluate target health: `FailoverRouting`): when every target fails, the ALB
 * fails open and still routes to them, so only an app that does not answer `/health` in time moves it.
 */
export const TARGET_HEALTH_CHECK = {
  intervalSeconds: 10,
  timeoutSeconds: ROUTE53_HTTP_CHECK.statusWithinSeconds,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  matcher: "200",
} as const;

export interface AppTierArgs {
  /** Region code the tier runs in, written into the app's responses. */
  region: string;
  /** `primary` or `dr`. */
  role: "primary" | "dr";
  vpcId: pulumi.Input<string>;
  /** VPC block, for the instances' egress to the database. */
  vpcCidrBlock: string;
  /** Public subnets (one per zone, 2 or more) for the ALB. */
  publicSubnetIds: pulumi.Input<string[]>;
  /** Private subnets (one per zone, 2 or more) for the instances. */
  privateSubnetIds: pulumi.Input<string[]>;
  /** This region's KMS key ARN for the instances' volumes. */
  kmsKeyArn: pulumi.Input<string>;
  /** Log archive bucket (SSE-S3) receiving ALB access logs under `alb/`. */
  accessLogBucketName: pulumi.Input<string>;
  /** EC2 instance type, e.g. `t3.small`; the AMI architecture follows it. */
  instanceType: string;
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
  /** Stable database name the app connects to, e.g. `db.app.internal`, and its port. */
  databaseHost: string;
  databasePort: number;
  /** AWS deletion protection on the ALB (Security Hub ELB.6). */
  deletionProtection: boolean;
  /**
   * Security group of the monitoring cluster's nodes (the EKS cluster security group). When set,
   * the instances accept exactly the scrape ports (`SCRAPE_PORTS`) from it; unset, no scrape rule.
   */
  scrapeSourceSecurityGroupId?: pulumi.Input<string>;
}

/** Ports Prometheus scrapes on the instances: the app's exporter and the node exporter. */
export const SCRAPE_PORTS = [
  { port: APP_METRICS_PORT, name: "app-metrics", what: "app metrics" },
  { port: NODE_EXPORTER_PORT, name: "node-exporter", what: "node exporter" },
] as const;

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
  /** `HTTPS` when a certificate is configured, else `HTTP`; and its port (443 or 80). */
  readonly listenerProtocol: "HTTP" | "HTTPS";
  readonly listenerPort: 80 | 443;

  /** @throws RangeError on inconsistent sizes or a CPU target outside 10-90 percent. */
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
    const child = { parent: this };
    const https = args.certificateArn !== undefined;
    this.listenerProtocol = https ? "HTTPS" : "HTTP";
    this.listenerPort = https ? 443 : 80;

    // Security groups: the internet reaches only the ALB; the ALB reaches only the app port.
    const albSg = new aws.ec2.SecurityGroup(`${name}-alb-sg`, { vpcId: args.vpcId, description: "ALB: HTTP(S) from the internet" }, child);
    const instanceSg = new aws.ec2.SecurityGroup(`${name}-instance-sg`, { vpcId: args.vpcId, description: "App instances: app port from the ALB only" }, child);
    for (const port of https ? [80, 443] : [80]) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-alb-in-${port}`,
        {
          securityGroupId: albSg.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: "0.0.0.0/0",
          description: `HTTP${port === 443 ? "S" : ""} from the internet`,
        },
        child,
      );
    }
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-out-app`,
      {
        securityGroupId: albSg.id,
        ipProtocol: "tcp",
        fromPort: args.appPort,
        toPort: args.appPort,
        referencedSecurityGroupId: instanceSg.id,
        description: "to the app instances",
      },
      child,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-instance-in-app`,
      {
        securityGroupId: instanceSg.id,
        ipProtocol: "tcp",
        fromPort: args.appPort,
        toPort: args.appPort,
        referencedSecurityGroupId: albSg.id,
        description: "app port from the ALB",
      },
      child,
    );
    if (args.scrapeSourceSecurityGroupId !== undefined) {
      for (const scrape of SCRAPE_PORTS) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-instance-in-${scrape.name}`,
          {
            securityGroupId: instanceSg.id,
            ipProtocol: "tcp",
            fromPort: scrape.port,
            toPort: scrape.port,
            referencedSecurityGroupId: args.scrapeSourceSecurityGroupId,
            description: `${scrape.what} scrapes from the monitoring cluster's nodes`,
          },
          child,
        );
      }
    }
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-instance-out-https`,
      {
        securityGroupId: instanceSg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
        description: "AWS APIs, SSM and package repositories over HTTPS",
      },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-instance-out-database`,
      {
        securityGroupId: instanceSg.id,
        ipProtocol: "tcp",
        fromPort: args.databasePort,
        toPort: args.databasePort,
        cidrIpv4: args.vpcCidrBlock,
        description: "database inside the VPC",
      },
      child,
    );

    const alb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [albSg.id],
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "defensive",
        enableDeletionProtection: args.deletionProtection,
        accessLogs: { bucket: args.accessLogBucketName, prefix: "alb", enabled: true },
      },
      child,
    );
    const targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId: args.vpcId,
        port: args.appPort,
        protocol: "HTTP",
        targetType: "instance",
        deregistrationDelay: 30,
        healthCheck: {
          enabled: true,
          path: HEALTH_CHECK_PATH,
          protocol: "HTTP",
          port: "traffic-port",
          matcher: TARGET_HEALTH_CHECK.matcher,
          interval: TARGET_HEALTH_CHECK.intervalSeconds,
          timeout: TARGET_HEALTH_CHECK.timeoutSeconds,
          healthyThreshold: TARGET_HEALTH_CHECK.healthyThreshold,
          unhealthyThreshold: TARGET_HEALTH_CHECK.unhealthyThreshold,
        },
      },
      child,
    );
    if (https) {
      new aws.lb.Listener(
        `${name}-https`,
        {
          loadBalancerArn: alb.arn,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: TLS_POLICY,
          certificateArn: args.certificateArn,
          defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        },
        child,
      );
    }
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: https
          ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]
          : [{ type: "forward", targetGroupArn: targetGroup.arn }],
      },
      child,
    );

    // Instances: SSM Session Manager for operator access instead of SSH (no port 22 anywhere).
    const account = accountContext(this);
    const instanceRole = new aws.iam.Role(`${name}-instance-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")) }, child);
    new aws.iam.RolePolicyAttachment(
      `${name}-instance-ssm`,
      { role: instanceRole.name, policyArn: account.apply(({ partition }) => managedPolicyArn(partition, "AmazonSSMManagedInstanceCore")) },
      child,
    );
    const instanceProfile = new aws.iam.InstanceProfile(`${name}-instance-profile`, { role: instanceRole.name }, child);
    const ami = aws.ssm.getParameterOutput({ name: amazonLinuxAmiParameter(instanceArchitecture(args.instanceType)) }, { parent: this });
    const userData = renderAppUserData({
      region: args.region,
      role: args.role,
      port: args.appPort,
      databaseHost: args.databaseHost,
      databasePort: args.databasePort,
      architecture: instanceArchitecture(args.instanceType),
    });
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-lt`,
      {
        imageId: ami.value,
        instanceType: args.instanceType,
        iamInstanceProfile: { arn: instanceProfile.arn },
        updateDefaultVersion: true,
        userData: Buffer.from(userData, "utf8").toString("base64"),
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        monitoring: { enabled: true },
        networkInterfaces: [{ associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [instanceSg.id] }],
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", kmsKeyId: args.kmsKeyArn, deleteOnTermination: "true" },
          },
        ],
        tagSpecifications: [
          { resourceType: "instance", tags: { Name: `${name}-${args.role}` } },
          { resourceType: "volume", tags: { Name: `${name}-${args.role}` } },
        ],
      },
      child,
    );
    const group = new aws.autoscaling.Group(
      `${name}-asg`,
      {
        vpcZoneIdentifiers: args.privateSubnetIds,
        minSize: args.minSize,
        desiredCapacity: args.desiredCapacity,
        maxSize: args.maxSize,
        healthCheckType: "ELB",
        healthCheckGracePeriod: 120,
        targetGroupArns: [targetGroup.arn],
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
        enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize", "GroupMinSize"],
      },
      // Target tracking and the failover workflow move the desired count; a deploy must not undo them.
      { parent: this, ignoreChanges: ["desiredCapacity"] },
    );
    new aws.autoscaling.Policy(
      `${name}-cpu-target`,
      {
        autoscalingGroupName: group.name,
        policyType: "TargetTrackingScaling",
        targetTrackingConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
          targetValue: args.targetCpuUtilizationPercent,
        },
      },
      child,
    );

    this.albArn = alb.arn;
    this.albDnsName = alb.dnsName;
    this.albZoneId = alb.zoneId;
    this.albSecurityGroupId = albSg.id;
    this.instanceSecurityGroupId = instanceSg.id;
    this.targetGroupArn = targetGroup.arn;
    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;
    this.registerOutputs({
      albArn: this.albArn,
      albDnsName: this.albDnsName,
      albZoneId: this.albZoneId,
      albSecurityGroupId: this.albSecurityGroupId,
      instanceSecurityGroupId: this.instanceSecurityGroupId,
      targetGroupArn: this.targetGroupArn,
      autoScalingGroupName: this.autoScalingGroupName,
      autoScalingGroupArn: this.autoScalingGroupArn,
    });
  }
}
