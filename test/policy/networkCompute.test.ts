/**
 * The network and compute policies, one at a time, in the style of pulumi/pulumi-policy-aws: for each
 * policy a compliant fixture (modelled on the synthesized dr plan: the awsx VPC, the ALB and its
 * security groups and VPC ingress rules, the launch template with base64 user data, the
 * eks:index:Cluster component) that passes, and for each rule of the policy a fixture broken in
 * exactly that one way, with the violation count and a distinctive part of the message. Stack
 * policies link resources through propertyDependencies, as the engine does. Then the exported pure
 * helpers.
 */
import { expect } from "chai";
import { TYPES } from "../../policy/policies/kit";
import { fromInternet, ingressPermissions, modernTlsPolicy, opensPort, type IngressPermission } from "../../policy/policies/network";
import { DEFAULT_ALLOWED_FAMILIES, eksSettings, instanceFamily, kubernetesMinor, secretsInUserData } from "../../policy/policies/compute";
import { violationsOf, type FixtureResource } from "./fixtures";

const ACCOUNT = "123456789012";
const REGION = "us-west-2";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/bedb6028-3f3e-89be-a7f0-2fa27b7a6c37`;
const VPC_ID = "vpc-d594971a3b23";
const ALB_SG_ID = "sg-9a036907fa52";
const INSTANCE_SG_ID = "sg-09d963516280";
const LB_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/dr-app-alb/9a036907fa52d9d0`;
const TG_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/dr-app-tg/09d963516280fb1f`;
const CERT_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
const PRIVATE_SUBNETS = ["subnet-prv0-d594971a", "subnet-prv1-d594971a", "subnet-prv2-d594971a"];
const PUBLIC_SUBNETS = ["subnet-pub0-d594971a", "subnet-pub1-d594971a", "subnet-pub2-d594971a"];

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** A fixture of `type` named `name`, with `props` and optional links. */
function resource(type: string, name: string, props: Record<string, unknown>, links: Partial<FixtureResource> = {}): FixtureResource {
  return { type, name, props, ...links };
}

/** Expects exactly `count` violations, each message containing its fragment (in order). */
async function expectViolations(policy: string, resources: FixtureResource[], fragments: string[], settings?: Record<string, unknown>): Promise<string[]> {
  const messages = await violationsOf(policy, resources, settings);
  expect(messages, JSON.stringify(messages)).to.have.length(fragments.length);
  fragments.forEach((fragment, index) => expect(messages[index]).to.include(fragment));
  return messages;
}

const expectPass = (policy: string, resources: FixtureResource[], settings?: Record<string, unknown>) => expectViolations(policy, resources, [], settings);

// ---------------------------------------------------------------------------------------------
// Network fixtures, shaped like the dr plan's resources (inputs and outputs alike).
// ---------------------------------------------------------------------------------------------

function awsxVpc(props: Record<string, unknown> = {}, name = "dr-network-vpc"): FixtureResource {
  return resource(TYPES.awsxVpc, name, {
    availabilityZoneCidrMask: 18,
    cidrBlock: "10.1.0.0/16",
    enableDnsHostnames: true,
    enableDnsSupport: true,
    natGateways: { strategy: "OnePerAz" },
    numberOfAvailabilityZones: 3,
    subnetSpecs: [
      { cidrMask: 19, name: "private", type: "Private" },
      { cidrMask: 21, name: "public", type: "Public" },
      { cidrMask: 21, name: "isolated", type: "Isolated" },
    ],
    subnetStrategy: "Auto",
    vpcId: VPC_ID,
    privateSubnetIds: PRIVATE_SUBNETS,
    publicSubnetIds: PUBLIC_SUBNETS,
    ...props,
  });
}

/** The aws:ec2/vpc:Vpc an awsx Vpc creates, as its child. */
function childVpc(parent = "dr-network-vpc", name = "dr-network-vpc"): FixtureResource {
  return resource(
    TYPES.vpc,
    `${name}-child`,
    { cidrBlock: "10.1.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/${VPC_ID}` },
    { parent },
  );
}

function flowLog(vpc: string, props: Record<string, unknown> = {}, name = "dr-network-flow-log"): FixtureResource {
  return resource(
    TYPES.flowLog,
    name,
    {
      iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/dr-network-flow-logs-role-b9eaa5d4`,
      logDestination: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:dr-network-flow-logs-c568d49f`,
      logDestinationType: "cloud-watch-logs",
      trafficType: "ALL",
      vpcId: VPC_ID,
      ...props,
    },
    { propertyDependencies: { vpcId: [vpc] } },
  );
}

function securityGroup(name: string, id: string, props: Record<string, unknown> = {}): FixtureResource {
  return resource(
    TYPES.securityGroup,
    name,
    { description: name, vpcId: VPC_ID, arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${id}`, ...props },
    { propertyDependencies: { vpcId: ["dr-network-vpc"] } },
  );
}

/** An aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule on `group`. */
function ingressRule(name: string, group: string | undefined, groupId: string, props: Record<string, unknown>): FixtureResource {
  return resource(
    TYPES.ingressRule,
    name,
    { securityGroupId: groupId, description: name, ...props },
    { propertyDependencies: group ? { securityGroupId: [group] } : {} },
  );
}

/** An aws:ec2/securityGroupRule:SecurityGroupRule on `group`. */
function groupRule(name: string, group: string | undefined, groupId: string, props: Record<string, unknown>): FixtureResource {
  return resource(
    TYPES.securityGroupRule,
    name,
    { securityGroupId: groupId, type: "ingress", ...props },
    { propertyDependencies: group ? { securityGroupId: [group] } : {} },
  );
}

const albSg = () => securityGroup("dr-app-alb-sg", ALB_SG_ID, { description: "ALB: HTTP(S) from the internet" });
const instanceSg = (props: Record<string, unknown> = {}) =>
  securityGroup("dr-app-instance-sg", INSTANCE_SG_ID, { description: "App instances: app port from the ALB only", ...props });
const albIn = (port: number, cidrs: Record<string, string> = { cidrIpv4: "0.0.0.0/0" }, name = `dr-app-alb-in-${port}`) =>
  ingressRule(name, "dr-app-alb-sg", ALB_SG_ID, { ...cidrs, fromPort: port, toPort: port, ipProtocol: "tcp" });
const instanceInApp = () =>
  ingressRule("dr-app-instance-in-app", "dr-app-instance-sg", INSTANCE_SG_ID, {
    fromPort: 8080,
    toPort: 8080,
    ipProtocol: "tcp",
    referencedSecurityGroupId: ALB_SG_ID,
  });

function loadBalancer(props: Record<string, unknown> = {}, name = "dr-app-alb", groups: string[] = ["dr-app-alb-sg"]): FixtureResource {
  return resource(
    TYPES.loadBalancer,
    name,
    {
      accessLogs: { bucket: "dr-log-archive-d594971", enabled: true, prefix: "alb" },
      arn: LB_ARN.replace("dr-app-alb", name),
      desyncMitigationMode: "defensive",
      dropInvalidHeaderFields: true,
      enableDeletionProtection: true,
      internal: false,
      loadBalancerType: "application",
      securityGroups: [ALB_SG_ID],
      subnets: PUBLIC_SUBNETS,
      ...props,
    },
    { propertyDependencies: { securityGroups: groups, subnets: ["dr-network-vpc"], accessLogs: [] } },
  );
}

function listener(name: string, props: Record<string, unknown>, loadBalancerName = "dr-app-alb"): FixtureResource {
  return resource(
    TYPES.listener,
    name,
    { loadBalancerArn: LB_ARN, ...props },
    { propertyDependencies: { loadBalancerArn: [loadBalancerName], defaultActions: ["dr-app-tg"] } },
  );
}

const forward = [{ type: "forward", targetGroupArn: TG_ARN }];
const redirectToHttps = [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } }];
const httpsListener = (props: Record<string, unknown> = {}, loadBalancerName?: string) =>
  listener(
    "dr-app-https",
    { port: 443, protocol: "HTTPS", certificateArn: CERT_ARN, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: forward, ...props },
    loadBalancerName,
  );
const httpListener = (props: Record<string, unknown> = {}, loadBalancerName?: string, name = "dr-app-http") =>
  listener(name, { port: 80, protocol: "HTTP", defaultActions: forward, ...props }, loadBalancerName);

function targetGroup(healthCheck: Record<string, unknown> = {}): FixtureResource {
  return resource(TYPES.targetGroup, "dr-app-tg", {
    arn: TG_ARN,
    deregistrationDelay: 30,
    healthCheck: {
      enabled: true,
      healthyThreshold: 2,
      interval: 10,
      matcher: "200",
      path: "/health",
      port: "traffic-port",
      protocol: "HTTP",
      timeout: 2,
      unhealthyThreshold: 3,
      ...healthCheck,
    },
    port: 8080,
    protocol: "HTTP",
    targetType: "instance",
    vpcId: VPC_ID,
  });
}

/** The dr stack's network as the program builds it: VPC, flow log, closed default group, ALB groups and rules. */
function network(): FixtureResource[] {
  return [
    awsxVpc(),
    flowLog("dr-network-vpc"),
    resource(TYPES.defaultSecurityGroup, "dr-network-default-sg-closed", { egress: [], ingress: [], vpcId: VPC_ID }),
    albSg(),
    instanceSg(),
    albIn(80),
    albIn(443),
    albIn(443, { cidrIpv6: "::/0" }, "dr-app-alb-in-443-v6"),
    instanceInApp(),
    loadBalancer(),
    targetGroup(),
    httpListener(),
  ];
}

// ---------------------------------------------------------------------------------------------
// Compute fixtures.
// ---------------------------------------------------------------------------------------------

const CLEAN_USER_DATA = [
  "#!/bin/bash",
  "set -euo pipefail",
  "id app >/dev/null 2>&1 || useradd --system --no-create-home --shell /sbin/nologin app",
  "install -d -o root -g root -m 0755 /opt/app",
  `DB_SECRET_ARN=arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:dr-db-master-AbCdEf`,
  'DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id "$DB_SECRET_ARN" --query SecretString --output text)',
  `export PGPASSWORD="\${DB_PASSWORD}"`,
  "cat > /opt/app/settings.py <<'EOF'",
  'password = os.environ["DB_PASSWORD"]',
  "secret = get_secret_value(SecretId=DB_SECRET_ARN)",
  "EOF",
  "# sshd: no password logins",
  "sed -i 's/^PasswordAuthentication.*/PasswordAuthentication no/' /etc/ssh/sshd_config",
  "systemctl enable --now app",
  "",
].join("\n");

function launchTemplate(props: Record<string, unknown> = {}): FixtureResource {
  return resource(TYPES.launchTemplate, "dr-app-lt", {
    blockDeviceMappings: [
      { deviceName: "/dev/xvda", ebs: { deleteOnTermination: "true", encrypted: "true", kmsKeyId: KEY_ARN, volumeSize: 20, volumeType: "gp3" } },
    ],
    iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/dr-app-instance-profile-4ac4f316` },
    imageId: "ami-6b41eda87f6127756",
    instanceType: "t3.small",
    metadataOptions: { httpEndpoint: "enabled", httpPutResponseHopLimit: 1, httpTokens: "required", instanceMetadataTags: "disabled" },
    monitoring: { enabled: true },
    networkInterfaces: [{ associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [INSTANCE_SG_ID] }],
    updateDefaultVersion: true,
    userData: base64(CLEAN_USER_DATA),
    ...props,
  });
}

function autoScalingGroup(props: Record<string, unknown> = {}): FixtureResource {
  return resource(
    TYPES.autoScalingGroup,
    "dr-app-asg",
    {
      desiredCapacity: 2,
      healthCheckGracePeriod: 120,
      healthCheckType: "ELB",
      launchTemplate: { id: "dr-app-lt-a8bee4a1", version: "1" },
      maxSize: 6,
      minSize: 2,
      targetGroupArns: [TG_ARN],
      vpcZoneIdentifiers: PRIVATE_SUBNETS,
      ...props,
    },
    { propertyDependencies: { launchTemplate: ["dr-app-lt"], vpcZoneIdentifiers: ["dr-network-vpc"] } },
  );
}

/** The monitoring cluster as the eks:index:Cluster remote component's inputs. */
function eksComponent(props: Record<string, unknown> = {}): FixtureResource {
  return resource(TYPES.eksComponentCluster, "dr-monitoring-eks", {
    authenticationMode: "API",
    createOidcProvider: true,
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    encryptionConfigKeyArn: KEY_ARN,
    endpointPrivateAccess: true,
    endpointPublicAccess: false,
    name: "multi-region-dr-dr-dr-monitoring",
    nodeAssociatePublicIpAddress: false,
    privateSubnetIds: PRIVATE_SUBNETS,
    skipDefaultNodeGroup: true,
    upgradePolicy: { supportType: "STANDARD" },
    version: "1.35",
    vpcId: VPC_ID,
    ...props,
  });
}

/** The same cluster as a plain aws:eks/cluster:Cluster. */
function eksCluster(props: Record<string, unknown> = {}): FixtureResource {
  return resource(TYPES.eksCluster, "dr-monitoring-eks-cluster", {
    roleArn: `arn:aws:iam::${ACCOUNT}:role/dr-monitoring-eks-role`,
    version: "1.35",
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    encryptionConfig: { provider: { keyArn: KEY_ARN }, resources: ["secrets"] },
    vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: PRIVATE_SUBNETS },
    ...props,
  });
}

function rdsInstance(instanceClass: string): FixtureResource {
  return resource(TYPES.rdsInstance, "dr-db-instance", {
    engine: "postgres",
    engineVersion: "17",
    instanceClass,
    kmsKeyId: KEY_ARN,
    storageEncrypted: true,
    publiclyAccessible: false,
  });
}

// =============================================================================================
// Network policies
// =============================================================================================

describe("network policies", () => {
  describe("no-admin-ports-from-internet", () => {
    const policy = "no-admin-ports-from-internet";

    it("passes the program's groups, web ports from the internet and SSH from the VPC only", async () => {
      await expectPass(policy, [
        ...network(),
        securityGroup("dr-web-sg", "sg-0a0b0c0d0e0f", {
          ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
        }),
        groupRule("dr-bastion-ssh", "dr-app-instance-sg", INSTANCE_SG_ID, { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.1.0.0/16"] }),
        groupRule("dr-app-egress", "dr-app-instance-sg", INSTANCE_SG_ID, { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }),
        ingressRule("dr-app-rdp-vpc", "dr-app-instance-sg", INSTANCE_SG_ID, { cidrIpv4: "10.1.0.0/16", ipProtocol: "tcp", fromPort: 3389, toPort: 3389 }),
      ]);
    });

    it("fails a security group's inline ingress opening 22 to 0.0.0.0/0", async () => {
      await expectViolations(
        policy,
        [securityGroup("dr-bad-sg", "sg-bad", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] })],
        ["opens port 22 to 0.0.0.0/0: remove it and reach instances with SSM Session Manager"],
      );
    });

    it("fails a security group rule opening 3389 to ::/0", async () => {
      await expectViolations(
        policy,
        [groupRule("dr-rdp", "dr-app-instance-sg", INSTANCE_SG_ID, { protocol: "tcp", fromPort: 3389, toPort: 3389, ipv6CidrBlocks: ["::/0"] })],
        ["opens port 3389 to ::/0"],
      );
    });

    it("fails a VPC ingress rule opening 22 to ::/0", async () => {
      await expectViolations(
        policy,
        [ingressRule("dr-ssh-v6", "dr-app-instance-sg", INSTANCE_SG_ID, { cidrIpv6: "::/0", ipProtocol: "tcp", fromPort: 22, toPort: 22 })],
        ["opens port 22 to ::/0"],
      );
    });

    it("fails protocol -1 from the internet once per admin port", async () => {
      await expectViolations(
        policy,
        [ingressRule("dr-all-in", "dr-app-instance-sg", INSTANCE_SG_ID, { cidrIpv4: "0.0.0.0/0", ipProtocol: "-1" })],
        ["opens port 22 to 0.0.0.0/0", "opens port 3389 to 0.0.0.0/0"],
      );
    });

    it("fails a port range 0-1024 (it includes 22, not 3389)", async () => {
      await expectViolations(
        policy,
        [groupRule("dr-low-ports", "dr-app-instance-sg", INSTANCE_SG_ID, { protocol: "tcp", fromPort: 0, toPort: 1024, cidrBlocks: ["0.0.0.0/0"] })],
        ["opens port 22 to 0.0.0.0/0"],
      );
    });

    it("fails inline ingress with protocol -1 from ::/0 whatever its ports say", async () => {
      await expectViolations(
        policy,
        [securityGroup("dr-open-sg", "sg-open", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] })],
        ["opens port 22 to ::/0", "opens port 3389 to ::/0"],
      );
    });

    it("fails protocol ALL in capitals (the provider lower-cases it to all)", async () => {
      await expectViolations(
        policy,
        [groupRule("dr-all-caps", "dr-app-instance-sg", INSTANCE_SG_ID, { protocol: "ALL", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })],
        ["opens port 22", "opens port 3389"],
      );
    });
  });

  describe("only-web-ports-from-internet", () => {
    const policy = "only-web-ports-from-internet";

    it("passes 80 and 443 from 0.0.0.0/0 and ::/0, one rule per port, and any port from inside the VPC", async () => {
      await expectPass(policy, [
        ...network(),
        securityGroup("dr-web-sg", "sg-0a0b0c0d0e0f", {
          ingress: [
            { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
            { protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] },
            { protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["10.1.0.0/16"] },
          ],
        }),
        groupRule("dr-web-443", "dr-web-sg", "sg-0a0b0c0d0e0f", { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }),
      ]);
    });

    it("fails another port from the internet (VPC ingress rule)", async () => {
      await expectViolations(policy, [albIn(8080)], ["opens ports 8080-8080 to 0.0.0.0/0: only 80 and 443 may be open to the internet, one rule per port"]);
    });

    it("fails a range 80-443 even though both ends are web ports", async () => {
      await expectViolations(
        policy,
        [groupRule("dr-web-range", "dr-app-alb-sg", ALB_SG_ID, { protocol: "tcp", fromPort: 80, toPort: 443, cidrBlocks: ["0.0.0.0/0"] })],
        ["opens ports 80-443 to 0.0.0.0/0"],
      );
    });

    it("fails protocol -1 from the internet as every port", async () => {
      await expectViolations(
        policy,
        [ingressRule("dr-all-in", "dr-app-alb-sg", ALB_SG_ID, { cidrIpv4: "0.0.0.0/0", ipProtocol: "-1" })],
        ["opens every port to 0.0.0.0/0"],
      );
    });

    it("fails inline ingress of port 22 from ::/0", async () => {
      await expectViolations(
        policy,
        [securityGroup("dr-bad-sg", "sg-bad", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }] })],
        ["opens ports 22-22 to ::/0"],
      );
    });

    it("fails a range 0-1024 from the internet", async () => {
      await expectViolations(
        policy,
        [groupRule("dr-low-ports", "dr-app-alb-sg", ALB_SG_ID, { protocol: "tcp", fromPort: 0, toPort: 1024, cidrBlocks: ["0.0.0.0/0"] })],
        ["opens ports 0-1024 to 0.0.0.0/0"],
      );
    });
  });

  describe("internet-ingress-only-on-load-balancers", () => {
    const policy = "internet-ingress-only-on-load-balancers";

    it("passes internet rules of all three shapes on the ALB's security group, and the instances open to the ALB only", async () => {
      await expectPass(policy, [
        ...network(),
        groupRule("dr-app-alb-in-443-rule", "dr-app-alb-sg", ALB_SG_ID, { protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }),
        securityGroup("dr-edge-sg", "sg-ed9e00000001", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }),
        loadBalancer({ securityGroups: ["sg-ed9e00000001"] }, "dr-edge-alb", ["dr-edge-sg"]),
        securityGroup("dr-worker-sg", "sg-0b0b0b0b0b0b", {
          ingress: [{ protocol: "tcp", fromPort: 8080, toPort: 8080, securityGroups: [ALB_SG_ID], cidrBlocks: ["10.1.0.0/16"] }],
        }),
      ]);
    });

    it("passes a rule on a group the stack does not declare when a load balancer lists that group's id", async () => {
      await expectPass(policy, [
        loadBalancer({ securityGroups: ["sg-0imported0000"] }, "dr-app-alb", []),
        ingressRule("dr-imported-in-443", undefined, "sg-0imported0000", { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 }),
      ]);
    });

    it("fails a VPC ingress rule opening the instances' group to the internet", async () => {
      await expectViolations(
        policy,
        [
          ...network(),
          ingressRule("dr-app-instance-in-80", "dr-app-instance-sg", INSTANCE_SG_ID, { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 80, toPort: 80 }),
        ],
        ["dr-app-instance-in-80: opens security group dr-app-instance-sg to the internet, but no load balancer uses it; put internet traffic through the ALB"],
      );
    });

    it("fails a security group rule from ::/0 on the instances' group", async () => {
      await expectViolations(
        policy,
        [
          ...network(),
          groupRule("dr-app-instance-443-v6", "dr-app-instance-sg", INSTANCE_SG_ID, { protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }),
        ],
        ["dr-app-instance-443-v6: opens security group dr-app-instance-sg"],
      );
    });

    it("fails inline internet ingress on a group no load balancer uses", async () => {
      const openInstances = instanceSg({ ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
      await expectViolations(
        policy,
        network().map((fixture) => (fixture.name === "dr-app-instance-sg" ? openInstances : fixture)),
        ["dr-app-instance-sg: opens security group dr-app-instance-sg to the internet"],
      );
    });

    it("fails an internet rule whose group cannot be found", async () => {
      await expectViolations(
        policy,
        [...network(), ingressRule("dr-stray-in-443", undefined, "sg-0unknown00000", { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 })],
        ["dr-stray-in-443: opens a security group to the internet"],
      );
    });

    it("fails the ALB's own rules once the load balancer no longer uses the group", async () => {
      const resources = network().map((fixture) => (fixture.type === TYPES.loadBalancer ? loadBalancer({ securityGroups: [] }, "dr-app-alb", []) : fixture));
      await expectViolations(policy, resources, [
        "dr-app-alb-in-80: opens security group dr-app-alb-sg",
        "dr-app-alb-in-443: opens security group dr-app-alb-sg",
        "dr-app-alb-in-443-v6: opens security group dr-app-alb-sg",
      ]);
    });
  });

  describe("default-security-group-closed", () => {
    const policy = "default-security-group-closed";
    const defaultSg = (props: Record<string, unknown>) => resource(TYPES.defaultSecurityGroup, "dr-network-default-sg-closed", { vpcId: VPC_ID, ...props });

    it("passes a default group with no rules", async () => {
      await expectPass(policy, [defaultSg({ ingress: [], egress: [] })]);
    });

    it("fails a default group with an ingress rule", async () => {
      await expectViolations(
        policy,
        [defaultSg({ ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }], egress: [] })],
        ["remove every ingress and egress rule"],
      );
    });

    it("fails a default group with an egress rule", async () => {
      await expectViolations(
        policy,
        [defaultSg({ ingress: [], egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] })],
        ["resources must use their own security groups"],
      );
    });
  });

  describe("vpc-multi-az", () => {
    const policy = "vpc-multi-az";

    it("passes the program's 3-zone VPC, named zones, and the awsx default of three zones", async () => {
      await expectPass(policy, [awsxVpc()]);
      await expectPass(policy, [awsxVpc({ numberOfAvailabilityZones: undefined, availabilityZoneNames: ["us-west-2a", "us-west-2b"] })]);
      await expectPass(policy, [awsxVpc({ numberOfAvailabilityZones: undefined })]);
    });

    it("fails a VPC in one zone", async () => {
      await expectViolations(policy, [awsxVpc({ numberOfAvailabilityZones: 1 })], ["spans 1 availability zone: set numberOfAvailabilityZones to 2 or more"]);
    });

    it("fails a VPC with one named zone", async () => {
      await expectViolations(policy, [awsxVpc({ numberOfAvailabilityZones: undefined, availabilityZoneNames: ["us-west-2a"] })], ["spans 1 availability zone"]);
    });
  });

  describe("vpc-flow-logs", () => {
    const policy = "vpc-flow-logs";

    it("passes the awsx VPC with a flow log of ALL traffic on the component", async () => {
      await expectPass(policy, [awsxVpc(), flowLog("dr-network-vpc")]);
    });

    it("passes an awsx VPC whose child aws:ec2/vpc:Vpc is covered by the flow log on the component", async () => {
      await expectPass(policy, [awsxVpc(), childVpc(), flowLog("dr-network-vpc")]);
    });

    it("passes an awsx VPC whose flow log is on its child aws:ec2/vpc:Vpc", async () => {
      await expectPass(policy, [awsxVpc(), childVpc(), flowLog("dr-network-vpc-child")]);
    });

    it("passes a plain aws:ec2/vpc:Vpc with its own flow log", async () => {
      await expectPass(policy, [resource(TYPES.vpc, "dr-plain-vpc", { cidrBlock: "10.9.0.0/16" }), flowLog("dr-plain-vpc")]);
    });

    it("fails a flow log of REJECT traffic only", async () => {
      await expectViolations(
        policy,
        [awsxVpc(), flowLog("dr-network-vpc", { trafficType: "REJECT" })],
        ['dr-network-flow-log: trafficType is "REJECT"; set ALL'],
      );
    });

    it("fails a flow log with no destination", async () => {
      await expectViolations(policy, [awsxVpc(), flowLog("dr-network-vpc", { logDestination: undefined })], ["dr-network-flow-log: has no logDestination"]);
    });

    it("fails an awsx VPC with no flow log", async () => {
      await expectViolations(policy, [awsxVpc()], ["dr-network-vpc: has no flow log; add an aws.ec2.FlowLog for it"]);
    });

    it("fails an awsx VPC and its child when neither has a flow log", async () => {
      await expectViolations(policy, [awsxVpc(), childVpc()], ["dr-network-vpc: has no flow log", "dr-network-vpc-child: has no flow log"]);
    });

    it("fails a VPC whose only flow log belongs to another VPC", async () => {
      await expectViolations(
        policy,
        [awsxVpc(), awsxVpc({ vpcId: "vpc-0other000000" }, "dr-other-vpc"), flowLog("dr-other-vpc", { vpcId: "vpc-0other000000" })],
        ["dr-network-vpc: has no flow log"],
      );
    });

    it("fails a VPC whose only flow log is on a subnet", async () => {
      const subnetLog = resource(
        TYPES.flowLog,
        "dr-subnet-flow-log",
        { trafficType: "ALL", logDestination: `arn:aws:s3:::dr-log-archive-d594971`, logDestinationType: "s3", subnetId: PRIVATE_SUBNETS[0] },
        { propertyDependencies: { subnetId: ["dr-network-vpc"] } },
      );
      await expectViolations(policy, [awsxVpc(), subnetLog], ["dr-network-vpc: has no flow log"]);
    });
  });

  describe("alb-access-logs", () => {
    const policy = "alb-access-logs";

    it("passes the ALB writing access logs to the log archive", async () => {
      await expectPass(policy, [loadBalancer()]);
    });

    it("fails access logs that are configured but not enabled", async () => {
      await expectViolations(
        policy,
        [loadBalancer({ accessLogs: { bucket: "dr-log-archive-d594971", enabled: false } })],
        ["set accessLogs { enabled: true, bucket: <the region's log archive> }"],
      );
    });

    it("fails access logs enabled without a bucket", async () => {
      await expectViolations(policy, [loadBalancer({ accessLogs: { enabled: true } })], ["set accessLogs"]);
    });

    it("fails a load balancer with no access logs", async () => {
      await expectViolations(policy, [loadBalancer({ accessLogs: undefined })], ["set accessLogs"]);
    });

    it("does not ask a Gateway Load Balancer (which has no access logs) for them", async () => {
      await expectPass(policy, [loadBalancer({ loadBalancerType: "gateway", accessLogs: undefined })]);
    });
  });

  describe("alb-deletion-protection", () => {
    const policy = "alb-deletion-protection";

    it("passes the ALB with deletion protection", async () => {
      await expectPass(policy, [loadBalancer()]);
    });

    it("fails deletion protection off", async () => {
      await expectViolations(policy, [loadBalancer({ enableDeletionProtection: false })], ["set enableDeletionProtection to true"]);
    });

    it("fails deletion protection left at its default", async () => {
      await expectViolations(policy, [loadBalancer({ enableDeletionProtection: undefined })], ["failover record pointing at nothing"]);
    });
  });

  describe("alb-request-hardening", () => {
    const policy = "alb-request-hardening";

    it("passes the ALB dropping invalid headers with defensive desync mitigation, and strictest", async () => {
      await expectPass(policy, [loadBalancer()]);
      await expectPass(policy, [loadBalancer({ desyncMitigationMode: "strictest" })]);
    });

    it("fails invalid headers kept", async () => {
      await expectViolations(policy, [loadBalancer({ dropInvalidHeaderFields: false })], ["set dropInvalidHeaderFields to true"]);
    });

    it("fails desync mitigation in monitor mode", async () => {
      await expectViolations(policy, [loadBalancer({ desyncMitigationMode: "monitor" })], ["set desyncMitigationMode to defensive or strictest"]);
    });

    it("does not apply to a Network Load Balancer", async () => {
      await expectPass(policy, [loadBalancer({ loadBalancerType: "network", dropInvalidHeaderFields: undefined, desyncMitigationMode: "monitor" })]);
    });
  });

  describe("alb-multi-az", () => {
    const policy = "alb-multi-az";

    it("passes the ALB in three public subnets, or in two subnet mappings", async () => {
      await expectPass(policy, [loadBalancer()]);
      await expectPass(policy, [loadBalancer({ subnets: undefined, subnetMappings: [{ subnetId: PUBLIC_SUBNETS[0] }, { subnetId: PUBLIC_SUBNETS[1] }] })]);
    });

    it("fails a load balancer in one subnet", async () => {
      await expectViolations(policy, [loadBalancer({ subnets: [PUBLIC_SUBNETS[0]] })], ["has 1 subnet(s): give it public subnets in two or more zones"]);
    });
  });

  describe("alb-modern-tls-policy", () => {
    const policy = "alb-modern-tls-policy";

    it("passes an HTTPS listener on the TLS 1.3 policy, and the program's plain HTTP listener", async () => {
      await expectPass(policy, [httpsListener(), httpListener()]);
      await expectPass(policy, [httpsListener({ sslPolicy: "ELBSecurityPolicy-TLS-1-2-Ext-2018-06" })]);
    });

    it("fails an HTTPS listener on the 2016 default policy", async () => {
      await expectViolations(
        policy,
        [httpsListener({ sslPolicy: "ELBSecurityPolicy-2016-08" })],
        ['sslPolicy "ELBSecurityPolicy-2016-08" allows TLS below 1.2: use ELBSecurityPolicy-TLS13-1-2-2021-06'],
      );
    });

    it("fails an HTTPS listener with no policy (the API default is ELBSecurityPolicy-2016-08)", async () => {
      await expectViolations(policy, [httpsListener({ sslPolicy: undefined })], ["sslPolicy undefined allows TLS below 1.2"]);
    });

    it("fails a TLS 1.3 policy whose floor is TLS 1.0", async () => {
      await expectViolations(policy, [httpsListener({ sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" })], ["allows TLS below 1.2"]);
    });

    it("fails a Network Load Balancer's TLS listener on an old policy", async () => {
      await expectViolations(
        policy,
        [listener("dr-nlb-tls", { port: 443, protocol: "TLS", certificateArn: CERT_ARN, sslPolicy: "ELBSecurityPolicy-2016-08" })],
        ['sslPolicy "ELBSecurityPolicy-2016-08"'],
      );
    });
  });

  describe("alb-http-redirects-to-https", () => {
    const policy = "alb-http-redirects-to-https";

    it("passes an HTTPS load balancer whose HTTP listener redirects to HTTPS", async () => {
      await expectPass(policy, [loadBalancer(), httpsListener(), httpListener({ defaultActions: redirectToHttps })]);
    });

    it("passes the program's HTTP-only load balancer (no certificate, nothing to redirect to)", async () => {
      await expectPass(policy, network());
    });

    it("passes a forwarding HTTP listener of another, HTTP-only load balancer", async () => {
      await expectPass(policy, [
        loadBalancer(),
        httpsListener(),
        httpListener({ defaultActions: redirectToHttps }),
        loadBalancer({}, "dr-internal-alb"),
        httpListener({}, "dr-internal-alb", "dr-internal-http"),
      ]);
    });

    it("fails an HTTP listener that forwards on an HTTPS load balancer", async () => {
      await expectViolations(
        policy,
        [loadBalancer(), httpsListener(), httpListener()],
        ["dr-app-http: HTTP listener of an HTTPS load balancer must redirect to HTTPS"],
      );
    });

    it("fails a redirect that keeps the protocol", async () => {
      await expectViolations(
        policy,
        [
          loadBalancer(),
          httpsListener(),
          httpListener({ defaultActions: [{ type: "redirect", redirect: { port: "443", protocol: "#{protocol}", statusCode: "HTTP_301" } }] }),
        ],
        ["dr-app-http: HTTP listener"],
      );
    });

    it("fails an ALB listener with no protocol (the ALB default is HTTP) that forwards", async () => {
      await expectViolations(
        policy,
        [loadBalancer(), httpsListener(), httpListener({ protocol: undefined })],
        ["dr-app-http: HTTP listener of an HTTPS load balancer"],
      );
    });
  });

  describe("target-group-health-check", () => {
    const policy = "target-group-health-check";

    it("passes the target group checking /health", async () => {
      await expectPass(policy, [targetGroup()]);
    });

    it("fails a disabled health check", async () => {
      await expectViolations(policy, [targetGroup({ enabled: false })], ["healthCheck.enabled is false"]);
    });

    it("fails a health check of another path", async () => {
      await expectViolations(policy, [targetGroup({ path: "/" })], ['healthCheck.path is "/": set /health, the path the Route 53 health check probes']);
    });

    it("follows a configured health check path", async () => {
      await expectPass(policy, [targetGroup({ path: "/status" })], { healthCheckPath: "/status" });
      await expectViolations(policy, [targetGroup()], ['healthCheck.path is "/health": set /status'], { healthCheckPath: "/status" });
    });

    it("fails a target timeout longer than Route 53's 2 s for the status (the program's old 5 s, or unset: the ELB default 5 s)", async () => {
      await expectViolations(policy, [targetGroup({ timeout: 5 })], ["healthCheck.timeout is 5 s: set 2, Route 53's limit"]);
      await expectViolations(policy, [targetGroup({ timeout: undefined })], ["healthCheck.timeout is 5 s"]);
      await expectViolations(policy, [targetGroup({ timeout: 3 })], ["healthCheck.timeout is 3 s"]);
    });

    it("passes matchers whose codes Route 53 also counts healthy (200-399), fails the others", async () => {
      for (const matcher of ["200", "200,204", "200-299", " 200 - 399 ", undefined]) await expectPass(policy, [targetGroup({ matcher })]);
      for (const matcher of ["200-499", "404", "200,500", "2xx", ""]) {
        await expectViolations(
          policy,
          [targetGroup({ matcher })],
          [`healthCheck.matcher is ${JSON.stringify(matcher)}: accept only codes Route 53 counts healthy (200-399)`],
        );
      }
    });
  });
});

// =============================================================================================
// Compute policies
// =============================================================================================

describe("compute policies", () => {
  describe("launch-template-no-public-ip", () => {
    const policy = "launch-template-no-public-ip";

    it('passes the program\'s launch template (associatePublicIpAddress "false")', async () => {
      await expectPass(policy, [launchTemplate()]);
    });

    it('fails associatePublicIpAddress "true"', async () => {
      await expectViolations(
        policy,
        [launchTemplate({ networkInterfaces: [{ associatePublicIpAddress: "true", securityGroups: [INSTANCE_SG_ID] }] })],
        ["networkInterfaces[].associatePublicIpAddress must not be true"],
      );
    });

    it("fails associatePublicIpAddress true as a boolean", async () => {
      await expectViolations(
        policy,
        [launchTemplate({ networkInterfaces: [{ associatePublicIpAddress: true }] })],
        ["associatePublicIpAddress must not be true"],
      );
    });
  });

  describe("launch-template-encrypted-volumes", () => {
    const policy = "launch-template-encrypted-volumes";
    const device = (ebs: Record<string, unknown>) => ({
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, volumeType: "gp3", ...ebs } }],
    });

    it("passes the root device encrypted with the region's key", async () => {
      await expectPass(policy, [launchTemplate()]);
    });

    it("fails a template that maps no EBS device", async () => {
      await expectViolations(
        policy,
        [launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/sdb", virtualName: "ephemeral0" }] })],
        ["declares no EBS block device"],
      );
    });

    it("fails an unencrypted device", async () => {
      await expectViolations(policy, [launchTemplate(device({ encrypted: "false", kmsKeyId: KEY_ARN }))], ["/dev/xvda: ebs.encrypted must be true"]);
    });

    it("fails a device encrypted with the AWS-managed key", async () => {
      await expectViolations(
        policy,
        [launchTemplate(device({ encrypted: "true", kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/ebs` }))],
        ["/dev/xvda: ebs.kmsKeyId must be the region's customer-managed key ARN"],
      );
    });

    it("fails a device encrypted with no key given", async () => {
      await expectViolations(policy, [launchTemplate(device({ encrypted: true }))], ["ebs.kmsKeyId must be"]);
    });
  });

  describe("launch-template-imdsv2", () => {
    const policy = "launch-template-imdsv2";
    const metadata = (options: Record<string, unknown>) => ({
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, ...options },
    });

    it("passes required tokens with hop limit 1, and 2 for containers", async () => {
      await expectPass(policy, [launchTemplate()]);
      await expectPass(policy, [launchTemplate(metadata({ httpPutResponseHopLimit: 2 }))]);
    });

    it("fails optional tokens (IMDSv1)", async () => {
      await expectViolations(policy, [launchTemplate(metadata({ httpTokens: "optional" }))], ['metadataOptions.httpTokens is "optional": set required']);
    });

    it("fails a template with no metadata options", async () => {
      await expectViolations(policy, [launchTemplate({ metadataOptions: undefined })], ["metadataOptions.httpTokens is undefined"]);
    });

    it("fails a hop limit of 3", async () => {
      await expectViolations(policy, [launchTemplate(metadata({ httpPutResponseHopLimit: 3 }))], ["metadataOptions.httpPutResponseHopLimit is 3"]);
    });
  });

  describe("launch-template-no-secrets-in-user-data", () => {
    const policy = "launch-template-no-secrets-in-user-data";
    const withUserData = (text: string, encode: boolean) => launchTemplate({ userData: encode ? base64(text) : text });
    const script = (line: string) => `#!/bin/bash\nset -euo pipefail\n${line}\nsystemctl enable --now app\n`;
    const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----";

    for (const encode of [true, false]) {
      const shape = encode ? "base64" : "plain";

      it(`passes ${shape} user data that reads the password from Secrets Manager`, async () => {
        await expectPass(policy, [withUserData(CLEAN_USER_DATA, encode)]);
      });

      it(`fails ${shape} user data with an access key id`, async () => {
        await expectViolations(
          policy,
          [withUserData(script("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"), encode)],
          ["userData contains an AWS access key id: read it at boot from Secrets Manager or use the instance role"],
        );
      });

      it(`fails ${shape} user data with a private key`, async () => {
        await expectViolations(
          policy,
          [withUserData(script(`cat > /home/app/.ssh/id_ed25519 <<'EOF'\n${PRIVATE_KEY}\nEOF`), encode)],
          ["userData contains a private key"],
        );
      });

      it(`fails ${shape} user data with a password assignment`, async () => {
        await expectViolations(policy, [withUserData(script("DB_PASSWORD=Tr0ub4dor3x"), encode)], ["userData contains a password"]);
      });

      it(`fails ${shape} user data with a secret access key`, async () => {
        await expectViolations(
          policy,
          [withUserData(script("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), encode)],
          ["userData contains an AWS secret access key"],
        );
      });
    }

    it("reports each kind of credential once", async () => {
      await expectViolations(
        policy,
        [withUserData(script(`export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\npassword: hunter2hunter2\n${PRIVATE_KEY}`), true)],
        ["an AWS access key id", "a private key", "a password"],
      );
    });

    it("passes a launch template without user data", async () => {
      await expectPass(policy, [launchTemplate({ userData: undefined })]);
    });
  });

  describe("asg-multi-az", () => {
    const policy = "asg-multi-az";

    it("passes the group in three private subnets, or in two zones", async () => {
      await expectPass(policy, [autoScalingGroup()]);
      await expectPass(policy, [autoScalingGroup({ vpcZoneIdentifiers: undefined, availabilityZones: ["us-west-2a", "us-west-2b"] })]);
    });

    it("fails a group in one subnet", async () => {
      await expectViolations(
        policy,
        [autoScalingGroup({ vpcZoneIdentifiers: [PRIVATE_SUBNETS[0]] })],
        ["spans 1 subnet(s): list private subnets of two or more zones in vpcZoneIdentifiers"],
      );
    });

    it("fails a group with no subnets or zones", async () => {
      await expectViolations(policy, [autoScalingGroup({ vpcZoneIdentifiers: undefined })], ["spans 0 subnet(s)"]);
    });
  });

  describe("asg-elb-health-check", () => {
    const policy = "asg-elb-health-check";

    it("passes ELB health checks", async () => {
      await expectPass(policy, [autoScalingGroup()]);
    });

    it("fails EC2 health checks", async () => {
      await expectViolations(policy, [autoScalingGroup({ healthCheckType: "EC2" })], ['healthCheckType is "EC2": set ELB']);
    });

    it("fails the default health check type", async () => {
      await expectViolations(policy, [autoScalingGroup({ healthCheckType: undefined })], ['healthCheckType is "EC2"']);
    });
  });

  describe("asg-launch-template", () => {
    const policy = "asg-launch-template";

    it("passes a launch template, or a mixed instances policy", async () => {
      await expectPass(policy, [autoScalingGroup()]);
      await expectPass(policy, [
        autoScalingGroup({
          launchTemplate: undefined,
          mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: "dr-app-lt-a8bee4a1" } } },
        }),
      ]);
    });

    it("fails a launch configuration", async () => {
      await expectViolations(
        policy,
        [autoScalingGroup({ launchTemplate: undefined, launchConfiguration: "dr-app-lc" })],
        ["set launchTemplate: launch configurations are deprecated"],
      );
    });
  });

  describe("eks-endpoint-restricted", () => {
    const policy = "eks-endpoint-restricted";

    it("passes the component with a private endpoint, or public to listed CIDRs", async () => {
      await expectPass(policy, [eksComponent()]);
      await expectPass(policy, [eksComponent({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] })]);
    });

    it("passes an aws:eks/cluster:Cluster with a private endpoint", async () => {
      await expectPass(policy, [eksCluster()]);
    });

    it("fails the component's public endpoint by default", async () => {
      await expectViolations(
        policy,
        [eksComponent({ endpointPublicAccess: undefined })],
        ["the API endpoint is public to the whole internet: set endpointPublicAccess false"],
      );
    });

    it("fails the component public to 0.0.0.0/0", async () => {
      await expectViolations(
        policy,
        [eksComponent({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] })],
        ["public to the whole internet"],
      );
    });

    it("fails an aws:eks/cluster:Cluster public to ::/0", async () => {
      await expectViolations(
        policy,
        [eksCluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["::/0"], subnetIds: PRIVATE_SUBNETS } })],
        ["public to the whole internet"],
      );
    });

    it("fails an aws:eks/cluster:Cluster whose vpcConfig leaves public access at its default", async () => {
      await expectViolations(policy, [eksCluster({ vpcConfig: { subnetIds: PRIVATE_SUBNETS } })], ["public to the whole internet"]);
    });
  });

  describe("eks-secrets-encryption", () => {
    const policy = "eks-secrets-encryption";

    it("passes the component with the region's key", async () => {
      await expectPass(policy, [eksComponent()]);
    });

    it("passes an aws:eks/cluster:Cluster encrypting secrets (object and list forms)", async () => {
      await expectPass(policy, [eksCluster()]);
      await expectPass(policy, [eksCluster({ encryptionConfig: [{ provider: { keyArn: KEY_ARN }, resources: ["secrets"] }] })]);
    });

    it("fails the component without a key", async () => {
      await expectViolations(policy, [eksComponent({ encryptionConfigKeyArn: undefined })], ["encrypt secrets: set encryptionConfigKeyArn"]);
    });

    it("fails the component with a key alias instead of a key ARN", async () => {
      await expectViolations(policy, [eksComponent({ encryptionConfigKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/dr-key` })], ["encrypt secrets"]);
    });

    it("fails an aws:eks/cluster:Cluster without encryptionConfig", async () => {
      await expectViolations(policy, [eksCluster({ encryptionConfig: undefined })], ["encrypt secrets"]);
    });

    it("fails an aws:eks/cluster:Cluster whose encryptionConfig does not cover secrets", async () => {
      await expectViolations(policy, [eksCluster({ encryptionConfig: { provider: { keyArn: KEY_ARN }, resources: [] } })], ["encrypt secrets"]);
    });
  });

  describe("eks-control-plane-logs", () => {
    const policy = "eks-control-plane-logs";

    it("passes api, audit and authenticator logs on both shapes", async () => {
      await expectPass(policy, [eksComponent(), eksCluster({ enabledClusterLogTypes: ["api", "audit", "authenticator", "scheduler"] })]);
    });

    it("fails the component without audit logs", async () => {
      await expectViolations(policy, [eksComponent({ enabledClusterLogTypes: ["api", "authenticator"] })], ["enabledClusterLogTypes lacks audit"]);
    });

    it("fails an aws:eks/cluster:Cluster with no logs", async () => {
      await expectViolations(policy, [eksCluster({ enabledClusterLogTypes: undefined })], ["enabledClusterLogTypes lacks api, audit, authenticator"]);
    });
  });

  describe("eks-supported-version", () => {
    const policy = "eks-supported-version";

    it("passes 1.35 and 1.34 with the default oldest supported version (1.34)", async () => {
      await expectPass(policy, [eksComponent(), eksCluster({ version: "1.34" })]);
    });

    it("fails 1.33 with the default", async () => {
      await expectViolations(
        policy,
        [eksComponent({ version: "1.33" })],
        ["version 1.33 is older than 1.34, the oldest in standard support: upgrade the cluster"],
      );
    });

    it("fails 1.9 with the default (minor versions compare as numbers)", async () => {
      await expectViolations(policy, [eksCluster({ version: "1.9" })], ["version 1.9 is older than 1.34"]);
    });

    it("fails a cluster with no pinned version", async () => {
      await expectViolations(policy, [eksCluster({ version: undefined })], ["version is not set: pin a Kubernetes version"]);
    });

    it('fails 1.35 with { oldestSupportedVersion: "1.36" }, and passes 1.36', async () => {
      await expectViolations(policy, [eksComponent()], ["version 1.35 is older than 1.36"], { oldestSupportedVersion: "1.36" });
      await expectPass(policy, [eksComponent({ version: "1.36" }), eksCluster({ version: "1.36" })], { oldestSupportedVersion: "1.36" });
    });
  });

  describe("allowed-instance-families", () => {
    const policy = "allowed-instance-families";
    const custom = { families: ["m7g", "r7g"] };

    it("passes the program's t3 instances and t4g database with the default list", async () => {
      await expectPass(policy, [launchTemplate(), rdsInstance("db.t4g.medium")]);
    });

    it("passes a launch template with no instance type (set elsewhere)", async () => {
      await expectPass(policy, [launchTemplate({ instanceType: undefined })]);
    });

    it("fails a launch template of a previous-generation family with the default list", async () => {
      await expectViolations(policy, [launchTemplate({ instanceType: "m4.large" })], ["m4.large is of family m4, not in the allowed list (t3, t3a, t4g"]);
    });

    it("fails an RDS class of a previous-generation family with the default list", async () => {
      await expectViolations(policy, [rdsInstance("db.m4.large")], ["db.m4.large is of family m4"]);
    });

    it("passes the custom list's families", async () => {
      await expectPass(policy, [launchTemplate({ instanceType: "m7g.large" }), rdsInstance("db.r7g.large")], custom);
    });

    it("fails default families outside a custom list, on a launch template and an RDS instance", async () => {
      await expectViolations(
        policy,
        [launchTemplate(), rdsInstance("db.t4g.medium")],
        ["t3.small is of family t3, not in the allowed list (m7g, r7g)", "db.t4g.medium is of family t4g, not in the allowed list (m7g, r7g)"],
        custom,
      );
    });
  });
});

// =============================================================================================
// Pure helpers
// =============================================================================================

describe("network helpers", () => {
  it("ingressPermissions reads a VPC ingress rule, defaulting ports for protocol -1", () => {
    expect(ingressPermissions(TYPES.ingressRule, { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 })).to.deep.equal([
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrs: ["0.0.0.0/0"] },
    ]);
    expect(ingressPermissions(TYPES.ingressRule, { cidrIpv6: "::/0", ipProtocol: "-1" })).to.deep.equal([
      { protocol: "-1", fromPort: 0, toPort: 65535, cidrs: ["::/0"] },
    ]);
    expect(
      ingressPermissions(TYPES.ingressRule, { referencedSecurityGroupId: ALB_SG_ID, ipProtocol: "tcp", fromPort: 8080, toPort: 8080 })[0].cidrs,
    ).to.deep.equal([]);
  });

  it("ingressPermissions reads ingress security group rules and ignores egress ones", () => {
    expect(
      ingressPermissions(TYPES.securityGroupRule, {
        type: "ingress",
        protocol: "TCP",
        fromPort: 0,
        toPort: 1024,
        cidrBlocks: ["10.0.0.0/8"],
        ipv6CidrBlocks: ["::/0"],
      }),
    ).to.deep.equal([{ protocol: "tcp", fromPort: 0, toPort: 1024, cidrs: ["10.0.0.0/8", "::/0"] }]);
    expect(ingressPermissions(TYPES.securityGroupRule, { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })).to.deep.equal(
      [],
    );
  });

  it("ingressPermissions reads every inline ingress block of a security group, and nothing of other types", () => {
    const permissions = ingressPermissions(TYPES.securityGroup, {
      ingress: [
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
        { protocol: "tcp", fromPort: 22, toPort: 22, securityGroups: [ALB_SG_ID] },
      ],
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    });
    expect(permissions.map((permission) => [permission.fromPort, permission.cidrs])).to.deep.equal([
      [80, ["0.0.0.0/0"]],
      [22, []],
    ]);
    expect(ingressPermissions(TYPES.defaultSecurityGroup, { ingress: [{ protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }] })).to.deep.equal([]);
  });

  it("opensPort: inclusive ranges, and protocol -1 or all opens everything", () => {
    const range = (protocol: string, fromPort: number, toPort: number): IngressPermission => ({ protocol, fromPort, toPort, cidrs: [] });
    expect(opensPort(range("tcp", 0, 1024), 22)).to.equal(true);
    expect(opensPort(range("tcp", 0, 1024), 3389)).to.equal(false);
    expect(opensPort(range("tcp", 22, 22), 22)).to.equal(true);
    expect(opensPort(range("tcp", 23, 3388), 22)).to.equal(false);
    expect(opensPort(range("tcp", 23, 3388), 3389)).to.equal(false);
    expect(opensPort(range("-1", 0, 0), 3389)).to.equal(true);
    expect(opensPort(range("all", 0, 0), 22)).to.equal(true);
  });

  it("fromInternet: 0.0.0.0/0 or ::/0 among the CIDRs", () => {
    const from = (...cidrs: string[]): IngressPermission => ({ protocol: "tcp", fromPort: 443, toPort: 443, cidrs });
    expect(fromInternet(from("0.0.0.0/0"))).to.equal(true);
    expect(fromInternet(from("10.1.0.0/16", "::/0"))).to.equal(true);
    expect(fromInternet(from("10.1.0.0/16", "2600:1f14::/56"))).to.equal(false);
    expect(fromInternet(from())).to.equal(false);
  });

  it("modernTlsPolicy accepts TLS 1.2+ floors only", () => {
    for (const modern of [
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
      "ELBSecurityPolicy-TLS-1-2-2017-01",
      "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
      "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    ])
      expect(modernTlsPolicy(modern), modern).to.equal(true);
    for (const legacy of [
      "ELBSecurityPolicy-2016-08",
      "ELBSecurityPolicy-TLS-1-1-2017-01",
      "ELBSecurityPolicy-FS-2018-06",
      "ELBSecurityPolicy-FS-1-1-2019-08",
      "ELBSecurityPolicy-TLS13-1-0-2021-06",
      "ELBSecurityPolicy-TLS13-1-1-2021-06",
      "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    ])
      expect(modernTlsPolicy(legacy), legacy).to.equal(false);
    expect(modernTlsPolicy(undefined)).to.equal(false);
  });
});

describe("compute helpers", () => {
  it("secretsInUserData finds each kind of credential, in plain and base64 user data", () => {
    const cases: [string, string[]][] = [
      ["export AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE", ["an AWS access key id"]],
      ["aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ["an AWS secret access key"]],
      ["-----BEGIN RSA PRIVATE KEY-----", ["a private key"]],
      ["password=hunter22", ["a password"]],
      ["PGPASSWORD=hunter22 psql -h db", ["a password"]],
      ['{"password": "hunter22"}', ["a password"]],
      ["client_secret: s3cr3t-value", ["a password"]],
      ["DATABASE_URL=postgres://app:hunter22@dr-db.internal:5432/app", ["a password in a URL"]],
      ["#!/bin/bash\necho hello", []],
    ];
    for (const [text, expected] of cases) {
      expect(secretsInUserData(text), text).to.deep.equal(expected);
      expect(secretsInUserData(base64(text)), `base64 of ${text}`).to.deep.equal(expected);
    }
  });

  it("secretsInUserData ignores variable references, Secrets Manager ARNs and non-strings", () => {
    for (const clean of [
      CLEAN_USER_DATA,
      'DB_PASSWORD="$(aws ssm get-parameter --with-decryption --name /app/db/password --query Parameter.Value --output text)"',
      "password: ${DB_PASSWORD}",
      `--secret-id arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:dr-db-master-AbCdEf`,
      "AWS_SECRET_ACCESS_KEY=$(cat /run/secrets/key)",
      "password = None",
      "git clone https://oauth2:${GITLAB_TOKEN}@gitlab.example.com/app.git",
    ]) {
      expect(secretsInUserData(clean), clean).to.deep.equal([]);
      expect(secretsInUserData(base64(clean)), `base64 of ${clean}`).to.deep.equal([]);
    }
    expect(secretsInUserData(undefined)).to.deep.equal([]);
    expect(secretsInUserData("")).to.deep.equal([]);
  });

  it("secretsInUserData reads plain user data that happens to be valid base64 as it is", () => {
    // 20 characters of the base64 alphabet: it decodes to bytes, but the key is in the text itself.
    expect(secretsInUserData("AKIAIOSFODNN7EXAMPLE")).to.deep.equal(["an AWS access key id"]);
  });

  it("secretsInUserData reads gzip-compressed base64 user data", async () => {
    const { gzipSync } = await import("node:zlib");
    const gzipped = gzipSync(Buffer.from("#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")).toString("base64");
    expect(secretsInUserData(gzipped)).to.deep.equal(["an AWS access key id"]);
  });

  it("eksSettings reads the component's inputs", () => {
    expect(eksSettings(TYPES.eksComponentCluster, eksComponent().props)).to.deep.equal({
      publicAccess: false,
      publicCidrs: [],
      secretsKey: KEY_ARN,
      logTypes: ["api", "audit", "authenticator"],
      version: "1.35",
    });
    expect(eksSettings(TYPES.eksComponentCluster, { publicAccessCidrs: ["203.0.113.0/24"] })).to.include({ publicAccess: true });
  });

  it("eksSettings reads an aws:eks/cluster:Cluster's vpcConfig and encryptionConfig", () => {
    expect(
      eksSettings(TYPES.eksCluster, eksCluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] }, version: "1.34" }).props),
    ).to.deep.equal({
      publicAccess: true,
      publicCidrs: ["198.51.100.0/24"],
      secretsKey: KEY_ARN,
      logTypes: ["api", "audit", "authenticator"],
      version: "1.34",
    });
    expect(eksSettings(TYPES.eksCluster, { encryptionConfig: { provider: { keyArn: KEY_ARN }, resources: ["configmaps"] } }).secretsKey).to.equal(undefined);
  });

  it("kubernetesMinor parses 1.N and ranks anything else oldest", () => {
    expect(kubernetesMinor("1.35")).to.equal(35);
    expect(kubernetesMinor("1.9")).to.equal(9);
    expect(kubernetesMinor("1.35.2")).to.equal(-1);
    expect(kubernetesMinor("latest")).to.equal(-1);
    expect(kubernetesMinor(undefined)).to.equal(-1);
  });

  it("instanceFamily reads EC2 types and RDS classes", () => {
    expect(instanceFamily("m7g.large")).to.equal("m7g");
    expect(instanceFamily("t3.small")).to.equal("t3");
    expect(instanceFamily("db.r6g.xlarge")).to.equal("r6g");
    expect(instanceFamily("db.t4g.medium")).to.equal("t4g");
    expect(instanceFamily(undefined)).to.equal("");
    expect(DEFAULT_ALLOWED_FAMILIES).to.include.members(["t3", "t4g", "m7g", "r6g"]);
  });
});
