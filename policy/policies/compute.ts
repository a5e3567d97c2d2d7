/**
 * Compute policies: launch templates with IMDSv2, encrypted volumes, no public address and no
 * credentials in user data; Auto Scaling Groups across zones, replaced on ELB health, from a launch
 * template; the EKS monitoring cluster private, encrypted, logged and on a supported version (judged
 * by the inputs of the `eks:index:Cluster` remote component and of any `aws:eks/cluster:Cluster`);
 * instance families from an allowed list. Sources: AG, SH, CKV, WA as in `database.ts`.
 */
import { asList, resourcePolicy, schema, TYPES, userDataText } from "./kit";
import { isCustomerKeyArn } from "./database";

const noPublicIp = resourcePolicy({
  name: "launch-template-no-public-ip",
  description: "Instances from launch templates get no public IPv4 address (compliance-policies, SH EC2.9, AutoScaling.5)",
  enforcementLevel: "mandatory",
  type: TYPES.launchTemplate,
  check: (props, _config, report) => {
    if (asList<Record<string, any>>(props.networkInterfaces).some((nic) => String(nic.associatePublicIpAddress) === "true")) {
      report("networkInterfaces[].associatePublicIpAddress must not be true: instances sit in private subnets behind the ALB");
    }
  },
});

const encryptedVolumes = resourcePolicy({
  name: "launch-template-encrypted-volumes",
  description: "Launch template block devices are encrypted with a customer-managed key (AG encrypted-volumes, SH EC2.3)",
  enforcementLevel: "mandatory",
  type: TYPES.launchTemplate,
  check: (props, _config, report) => {
    const devices = asList<Record<string, any>>(props.blockDeviceMappings).filter((mapping) => mapping.ebs);
    if (devices.length === 0)
      report("declares no EBS block device: map the root device with ebs { encrypted: true, kmsKeyId } so the AMI's default is not used");
    for (const device of devices) {
      if (String(device.ebs.encrypted) !== "true") report(`${device.deviceName ?? "a device"}: ebs.encrypted must be true`);
      else if (!isCustomerKeyArn(device.ebs.kmsKeyId)) report(`${device.deviceName ?? "a device"}: ebs.kmsKeyId must be the region's customer-managed key ARN`);
    }
  },
});

const imdsV2 = resourcePolicy({
  name: "launch-template-imdsv2",
  description: "Launch templates require IMDSv2 tokens with a hop limit of 1-2 (SH EC2.8, AutoScaling.3, CKV_AWS_79)",
  enforcementLevel: "mandatory",
  type: TYPES.launchTemplate,
  check: (props, _config, report) => {
    const metadata = props.metadataOptions ?? {};
    if (metadata.httpTokens !== "required") report(`metadataOptions.httpTokens is ${JSON.stringify(metadata.httpTokens)}: set required (IMDSv2)`);
    const hops = Number(metadata.httpPutResponseHopLimit ?? 1);
    if (hops < 1 || hops > 2) report(`metadataOptions.httpPutResponseHopLimit is ${hops}: set 1 (or 2 for containers)`);
  },
});

/**
 * Credential patterns that must never appear in user data (CKV_AWS_46): access keys, secret keys,
 * private keys, passwords (also `DB_PASSWORD=`, `PGPASSWORD=`, quoted JSON keys) and credentials in
 * URLs. A value that is a variable reference (`$VAR`, `$(...)`, `${...}`), a call or an index
 * (`get_secret(...)`, `os.environ[...]`) or a null literal is not a secret; nor is the `:secret:`
 * segment of a Secrets Manager ARN.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/aws_secret_access_key\\?["']?\s*[=:]\s*\\?["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i, "an AWS secret access key"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [
    /(?<!:)(password|passwd|secret)\\?["']?\s*[=:]\s*\\?["']?(?!\$)(?!(none|null|nil|true|false|undefined)\b)[^\s"'\\(){}[\]]{4,}(?=[\s"'\\,;]|$)/i,
    "a password",
  ],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:(?!\$)[^\s:/@$]{4,}@/i, "a password in a URL"],
];

/** What credentials a user data script holds, in its plain text or its base64 (or gzip and base64) decoding. */
export function secretsInUserData(userData: unknown): string[] {
  if (typeof userData !== "string" || userData === "") return [];
  const decoded = userDataText(userData);
  const texts = decoded === userData ? [userData] : [userData, decoded];
  return SECRET_PATTERNS.filter(([pattern]) => texts.some((text) => pattern.test(text))).map(([, what]) => what);
}

const noSecretsInUserData = resourcePolicy({
  name: "launch-template-no-secrets-in-user-data",
  description: "User data holds no credentials (CKV_AWS_46)",
  enforcementLevel: "mandatory",
  type: TYPES.launchTemplate,
  check: (props, _config, report) => {
    for (const found of secretsInUserData(props.userData)) {
      report(
        `userData contains ${found}: read it at boot from Secrets Manager or use the instance role; user data is readable by anyone who can describe the instance`,
      );
    }
  },
});

const asgMultiAz = resourcePolicy({
  name: "asg-multi-az",
  description: "Auto Scaling Groups span subnets of at least two zones (SH AutoScaling.2, WA REL10-BP01)",
  enforcementLevel: "mandatory",
  type: TYPES.autoScalingGroup,
  check: (props, _config, report) => {
    const subnets = asList(props.vpcZoneIdentifiers).length || asList(props.availabilityZones).length;
    if (subnets < 2) report(`spans ${subnets} subnet(s): list private subnets of two or more zones in vpcZoneIdentifiers`);
  },
});

const asgElbHealth = resourcePolicy({
  name: "asg-elb-health-check",
  description: "Auto Scaling Groups replace instances the load balancer finds unhealthy (SH AutoScaling.1)",
  enforcementLevel: "mandatory",
  type: TYPES.autoScalingGroup,
  check: (props, _config, report) => {
    if (props.healthCheckType !== "ELB")
      report(`healthCheckType is ${JSON.stringify(props.healthCheckType ?? "EC2")}: set ELB so instances failing /health are replaced`);
  },
});

const asgLaunchTemplate = resourcePolicy({
  name: "asg-launch-template",
  description: "Auto Scaling Groups launch from a launch template, not a launch configuration (SH AutoScaling.9)",
  enforcementLevel: "advisory",
  type: TYPES.autoScalingGroup,
  check: (props, _config, report) => {
    if (!props.launchTemplate && !props.mixedInstancesPolicy) report("set launchTemplate: launch configurations are deprecated and get no new instance types");
  },
});

const EKS_TYPES = [TYPES.eksComponentCluster, TYPES.eksCluster] as const;

/** The EKS settings a policy reads, from either the eks component's inputs or the aws resource's. */
export function eksSettings(type: string, props: Record<string, any>) {
  if (type === TYPES.eksComponentCluster) {
    return {
      publicAccess: props.endpointPublicAccess !== false,
      publicCidrs: asList<string>(props.publicAccessCidrs),
      secretsKey: props.encryptionConfigKeyArn as unknown,
      logTypes: asList<string>(props.enabledClusterLogTypes),
      version: props.version as unknown,
    };
  }
  const encryption = asList<Record<string, any>>(props.encryptionConfig).find((config) => asList(config.resources).includes("secrets"));
  return {
    publicAccess: props.vpcConfig?.endpointPublicAccess !== false,
    publicCidrs: asList<string>(props.vpcConfig?.publicAccessCidrs),
    secretsKey: encryption?.provider?.keyArn as unknown,
    logTypes: asList<string>(props.enabledClusterLogTypes),
    version: props.version as unknown,
  };
}

const eksEndpoint = resourcePolicy({
  name: "eks-endpoint-restricted",
  description: "The EKS API endpoint is private, or public only to listed CIDRs (compliance-policies, SH EKS.1, CKV_AWS_39)",
  enforcementLevel: "mandatory",
  type: EKS_TYPES,
  check: (props, _config, report, resource) => {
    const settings = eksSettings(resource.type, props);
    if (settings.publicAccess && (settings.publicCidrs.length === 0 || settings.publicCidrs.some((cidr) => cidr === "0.0.0.0/0" || cidr === "::/0"))) {
      report("the API endpoint is public to the whole internet: set endpointPublicAccess false, or publicAccessCidrs to your operators' ranges");
    }
  },
});

const eksSecrets = resourcePolicy({
  name: "eks-secrets-encryption",
  description: "EKS encrypts Kubernetes secrets with a customer-managed KMS key (compliance-policies, CKV_AWS_58)",
  enforcementLevel: "mandatory",
  type: EKS_TYPES,
  check: (props, _config, report, resource) => {
    if (!isCustomerKeyArn(eksSettings(resource.type, props).secretsKey))
      report("encrypt secrets: set encryptionConfigKeyArn (or encryptionConfig for secrets) to the region's KMS key ARN");
  },
});

const REQUIRED_LOG_TYPES = ["api", "audit", "authenticator"];

const eksLogs = resourcePolicy({
  name: "eks-control-plane-logs",
  description: "EKS sends api, audit and authenticator control-plane logs to CloudWatch (SH EKS.8, CKV_AWS_37)",
  enforcementLevel: "advisory",
  type: EKS_TYPES,
  check: (props, _config, report, resource) => {
    const missing = REQUIRED_LOG_TYPES.filter((logType) => !eksSettings(resource.type, props).logTypes.includes(logType));
    if (missing.length > 0) report(`enabledClusterLogTypes lacks ${missing.join(", ")}`);
  },
});

/** Compares Kubernetes minor versions such as "1.35"; NaN-safe (an unparsable version is the oldest). */
export function kubernetesMinor(version: unknown): number {
  const match = /^1\.(\d+)$/.exec(String(version ?? ""));
  return match ? Number(match[1]) : -1;
}

const eksVersion = resourcePolicy({
  name: "eks-supported-version",
  description: "EKS runs a pinned Kubernetes version still in standard support (SH EKS.2)",
  enforcementLevel: "mandatory",
  type: EKS_TYPES,
  config: {
    // EKS standard support per version: 14 months (Amazon EKS Kubernetes release calendar); on 2026-11-21, 1.34 and newer.
    schema: { properties: { oldestSupportedVersion: schema.string("Oldest Kubernetes minor version in standard support, e.g. 1.34", "1.34") } },
    defaults: { oldestSupportedVersion: "1.34" },
  },
  check: (props, config, report, resource) => {
    const version = eksSettings(resource.type, props).version;
    if (version === undefined) report("version is not set: pin a Kubernetes version so upgrades are planned, not implicit");
    else if (kubernetesMinor(version) < kubernetesMinor(config.oldestSupportedVersion)) {
      report(`version ${version} is older than ${config.oldestSupportedVersion}, the oldest in standard support: upgrade the cluster`);
    }
  },
});

/** The family of an EC2 instance type (`m7g.large` -> m7g) or an RDS class (`db.r6g.large` -> r6g). */
export function instanceFamily(typeOrClass: unknown): string {
  const parts = String(typeOrClass ?? "").split(".");
  return parts[0] === "db" ? (parts[1] ?? "") : (parts[0] ?? "");
}

/** Current-generation general purpose, compute, memory and burstable families (EC2 and RDS instance types pages). */
export const DEFAULT_ALLOWED_FAMILIES = [
  "t3",
  "t3a",
  "t4g",
  "m5",
  "m6i",
  "m6g",
  "m7i",
  "m7g",
  "m8g",
  "c6i",
  "c6g",
  "c7i",
  "c7g",
  "r5",
  "r6i",
  "r6g",
  "r7i",
  "r7g",
  "r8g",
];

const allowedFamilies = resourcePolicy({
  name: "allowed-instance-families",
  description: "App instances and databases use instance families from the allowed list (cost and capacity planning, WA REL13 capacity in the DR region)",
  enforcementLevel: "advisory",
  type: [TYPES.launchTemplate, TYPES.rdsInstance],
  config: {
    schema: { properties: { families: schema.strings("Allowed families, e.g. m7g, r6g, t4g", DEFAULT_ALLOWED_FAMILIES) } },
    defaults: { families: DEFAULT_ALLOWED_FAMILIES },
  },
  check: (props, config, report, resource) => {
    const value = resource.type === TYPES.rdsInstance ? props.instanceClass : props.instanceType;
    if (value === undefined) return;
    if (!config.families.includes(instanceFamily(value)))
      report(`${value} is of family ${instanceFamily(value)}, not in the allowed list (${config.families.join(", ")})`);
  },
});

export const computePolicies = [
  noPublicIp,
  encryptedVolumes,
  imdsV2,
  noSecretsInUserData,
  asgMultiAz,
  asgElbHealth,
  asgLaunchTemplate,
  eksEndpoint,
  eksSecrets,
  eksLogs,
  eksVersion,
  allowedFamilies,
];
