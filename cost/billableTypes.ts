/**
 * How AWS bills every resource type this program creates: `fixed` (a monthly cost the price table
 * prices from the resource's inputs), `usage` (billed by use, listed in the estimate as not
 * estimated, with its unit, or with units read from the resource's inputs, such as a DynamoDB table's
 * point-in-time recovery or a backup plan's cross-region copies) or `free` (no charge of its own,
 * with the source that says so). The
 * remote components `awsx:ec2:Vpc`, `eks:index:Cluster` and `eks:index:ManagedNodeGroup` register
 * their children in their own provider process, so synthesis records only the component: they are
 * priced from their inputs. The program's own components (`<project>:...`, not custom) group
 * resources that are classified themselves and cost nothing. Kubernetes objects cost nothing of their
 * own (the cluster and its nodes are priced); a Helm release is priced from its chart values, for the
 * AWS resources the cluster creates from them (EBS volumes, a load balancer), in the cluster's region.
 *
 * A type that is none of these is an error: classify it here before it reaches a stack.
 */
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import {
  auroraInstanceHourPrice,
  cacheNodeHourPrice,
  databaseHourPrice,
  instanceHourPrice,
  PRICING_PAGES,
  regionalPrice,
  type PriceLookup,
  type PriceTable,
  type SinglePriceKey,
} from "./priceTable";

/** One priced part of a resource: `quantity` units of `price` a month. */
export interface Charge {
  /** What is charged, e.g. `2 x t3.small on-demand, 730 h`. */
  description: string;
  /** Units of `price.unit` a month (instance-hours, GiB-months...). */
  quantity: number;
  /** The unit price, or what the price data lacks (the estimate lists the charge as not priced). */
  price: PriceLookup;
}

/** What a pricing function reads besides the resource: the rest of the plan and the table. */
export interface PricingContext {
  plan: StackPlan;
  table: PriceTable;
}

/** A type priced monthly from the table. */
export interface FixedClassification {
  kind: "fixed";
  /** What is priced, for readers of this file. */
  summary: string;
  /**
   * The monthly charges of one resource, each in the resource's own region.
   * A price the table lacks is a charge whose `price` is a MissingPrice, never an error.
   * @throws Error when the inputs cannot be priced (the estimate then lists the resource as not priced, with the message).
   */
  charges: (resource: PlannedResource, context: PricingContext) => Charge[];
  /** The usage-billed parts of one resource (units, e.g. `NAT gateway data processed, per GB`). */
  usage?: (resource: PlannedResource, context: PricingContext) => string[];
}

/** A type billed only by use. */
export interface UsageClassification {
  kind: "usage";
  /** The billing unit(s), e.g. `per GB replicated`: of every resource of the type, or in general when `units` lists them per resource. */
  unit: string;
  /** The AWS pricing page. */
  source: string;
  /**
   * The billing units of one resource when they depend on its inputs (a table's point-in-time
   * recovery, a backup plan's copy actions), each naming its unit; default `[unit]`.
   * @throws Error when the resource is configured in a way that is not billed by use only (e.g. provisioned capacity).
   */
  units?: (resource: PlannedResource, context: PricingContext) => string[];
}

/** A type with no charge of its own. */
export interface FreeClassification {
  kind: "free";
  /** Why it costs nothing (and where its effects are billed, if anywhere). */
  reason: string;
  /** The AWS page that says so. */
  source: string;
}

/** How one resource type is billed: fixed, usage or free. */
export type Classification = FixedClassification | UsageClassification | FreeClassification;

/** A resource type that is not classified in this file. */
export class UnclassifiedTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnclassifiedTypeError";
  }
}

/** The single-price lookups of one region: `pricesIn(context, region)("natGatewayHour")`. */
function pricesIn(context: PricingContext, region: string): (key: SinglePriceKey) => PriceLookup {
  return (key) => regionalPrice(context.table, region, key);
}

/** Hours in a month of the table (730). */
const hours = (context: PricingContext) => context.table.hoursPerMonth.value;

function inputRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function inputNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function inputString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function inputList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `, N h` for hourly charges. */
const hoursLabel = (context: PricingContext) => `${hours(context)} h`;

/** T instances launch in unlimited mode by default: CPU above the baseline bills surplus credits (EC2 "Burstable performance instances"). */
function burstableUsage(instanceType: string): string[] {
  return /^t\d/.test(instanceType) ? [`surplus CPU credits of ${instanceType} in unlimited mode, per vCPU-hour above the baseline`] : [];
}

// ---------------------------------------------------------------------------------------------
// Network: the awsx VPC component (NAT gateways and their Elastic IPs)

/** awsx's defaults when the inputs do not say (awsx `ec2.Vpc`: OnePerAz NAT gateways over 3 zones). */
const AWSX_DEFAULT_ZONES = 3;

/** NAT gateways an awsx VPC creates: none, one, or one per availability zone. */
export function natGatewayCount(inputs: Record<string, unknown>): number {
  const strategy = inputString(inputRecord(inputs.natGateways).strategy) ?? "OnePerAz";
  const zones = inputList(inputs.availabilityZoneNames).length || inputNumber(inputs.numberOfAvailabilityZones) || AWSX_DEFAULT_ZONES;
  if (strategy === "None") return 0;
  if (strategy === "Single") return 1;
  if (strategy === "OnePerAz") return zones;
  throw new Error(`awsx:ec2:Vpc natGateways.strategy "${strategy}" is not None, Single or OnePerAz: extend natGatewayCount in cost/billableTypes.ts`);
}

function vpcCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const gateways = natGatewayCount(resource.inputs);
  if (gateways === 0) return [];
  const price = pricesIn(context, resource.region);
  const strategy = inputString(inputRecord(resource.inputs.natGateways).strategy) ?? "OnePerAz";
  return [
    { description: `${gateways} x NAT gateway (${strategy}), ${hoursLabel(context)}`, quantity: gateways * hours(context), price: price("natGatewayHour") },
    {
      description: `${gateways} x public IPv4 address (the NAT gateways' Elastic IPs), ${hoursLabel(context)}`,
      quantity: gateways * hours(context),
      price: price("publicIpv4AddressHour"),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Compute: Auto Scaling group, its launch template and scaling policy

/** The launch template an Auto Scaling group launches, found in the plan by id or name. */
function launchTemplateOf(group: PlannedResource, plan: StackPlan): PlannedResource {
  const reference = inputRecord(group.inputs.launchTemplate);
  const key = inputString(reference.id) ?? inputString(reference.name);
  if (!key) {
    throw new Error(
      `Auto Scaling group ${group.name} has no launchTemplate id or name (a mixed instances policy?): cost/billableTypes.ts prices only groups with one launch template`,
    );
  }
  const template = plan.resources.find(
    (candidate) => candidate.type === "aws:ec2/launchTemplate:LaunchTemplate" && [candidate.id, candidate.outputs.name, candidate.inputs.name].includes(key),
  );
  if (!template) throw new Error(`Auto Scaling group ${group.name} launches template ${key}, which is not in stack ${plan.stack}'s plan`);
  return template;
}

/** Instances an Auto Scaling group runs: its desired capacity (AWS defaults it to the minimum). */
export function desiredInstances(inputs: Record<string, unknown>): number {
  return inputNumber(inputs.desiredCapacity) ?? inputNumber(inputs.minSize) ?? 0;
}

/** CloudWatch EC2 detailed monitoring: AWS's pricing example counts 7 metrics per instance. */
const DETAILED_MONITORING_METRICS_PER_INSTANCE = 7;

function autoScalingGroupCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const template = launchTemplateOf(resource, context.plan);
  const instanceType = inputString(template.inputs.instanceType);
  if (!instanceType) throw new Error(`launch template ${template.name} has no instanceType: cost/billableTypes.ts cannot price group ${resource.name}`);
  const instances = desiredInstances(resource.inputs);
  const price = pricesIn(context, resource.region);
  const charges: Charge[] = [
    {
      description: `${instances} x ${instanceType} on-demand, ${hoursLabel(context)}`,
      quantity: instances * hours(context),
      price: instanceHourPrice(context.table, resource.region, instanceType),
    },
  ];
  for (const mapping of inputList(template.inputs.blockDeviceMappings)) {
    const volume = inputRecord(inputRecord(mapping).ebs);
    const size = inputNumber(volume.volumeSize);
    if (size === undefined) continue;
    const volumeType = inputString(volume.volumeType) ?? "gp3";
    if (volumeType !== "gp3")
      throw new Error(`launch template ${template.name} has a ${volumeType} volume: cost/priceTable.ts prices only gp3 EBS volumes; add the type`);
    charges.push({
      description: `${instances} x ${size} GiB gp3 volume (${inputString(inputRecord(mapping).deviceName) ?? "root"})`,
      quantity: instances * size,
      price: price("ebsGp3GibMonth"),
    });
  }
  if (inputRecord(template.inputs.monitoring).enabled === true) {
    charges.push({
      description: `${instances} x ${DETAILED_MONITORING_METRICS_PER_INSTANCE} detailed-monitoring metrics (launch template monitoring on)`,
      quantity: instances * DETAILED_MONITORING_METRICS_PER_INSTANCE,
      price: price("cloudwatchMetricMonth"),
    });
  }
  return charges;
}

function autoScalingGroupUsage(resource: PlannedResource, context: PricingContext): string[] {
  const instanceType = inputString(launchTemplateOf(resource, context.plan).inputs.instanceType) ?? "";
  return [...burstableUsage(instanceType), "data transfer out of the instances, per GB"];
}

/** Alarms EC2 Auto Scaling creates and manages for a target tracking policy: one to scale out, one to scale in. */
const TARGET_TRACKING_ALARMS = 2;

function scalingPolicyCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  if (resource.inputs.policyType !== "TargetTrackingScaling") return [];
  return [
    {
      description: `${TARGET_TRACKING_ALARMS} alarms target tracking creates and manages (scale out, scale in)`,
      quantity: TARGET_TRACKING_ALARMS,
      price: regionalPrice(context.table, resource.region, "cloudwatchAlarmMetricMonth", "standardResolution"),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Load balancer

function loadBalancerCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const kind = inputString(resource.inputs.loadBalancerType) ?? "application";
  if (kind !== "application") {
    throw new Error(
      `load balancer ${resource.name} is of type ${kind}: cost/priceTable.ts prices only Application Load Balancers; add the ${kind} load balancer's prices from ${PRICING_PAGES.elasticLoadBalancing}`,
    );
  }
  const price = pricesIn(context, resource.region);
  const charges: Charge[] = [
    { description: `Application Load Balancer, ${hoursLabel(context)}`, quantity: hours(context), price: price("applicationLoadBalancerHour") },
  ];
  if (resource.inputs.internal !== true) {
    const subnets = inputList(resource.inputs.subnets).length || inputList(resource.inputs.subnetMappings).length;
    charges.push({
      description: `${subnets} x public IPv4 address (one per subnet at least; more while it scales), ${hoursLabel(context)}`,
      quantity: subnets * hours(context),
      price: price("publicIpv4AddressHour"),
    });
  }
  return charges;
}

/** LCUs are usage: AWS bills the capacity units used each hour, fractions included, with no minimum (Elastic Load Balancing pricing). */
function loadBalancerUsage(resource: PlannedResource): string[] {
  return [`Load Balancer Capacity Unit hours (new and active connections, GB processed, rule evaluations; no minimum) of ${resource.name}`];
}

// ---------------------------------------------------------------------------------------------
// Database

/**
 * The engine of an RDS instance: its `engine` input, or for a read replica (which inherits the
 * source's engine) the family of its parameter group in the plan.
 * @throws Error when neither tells.
 */
export function databaseEngineOf(resource: PlannedResource, plan: StackPlan): string {
  const engine = inputString(resource.inputs.engine) ?? inputString(resource.outputs.engine);
  if (engine) return engine;
  const groupName = inputString(resource.inputs.parameterGroupName);
  const group = plan.resources.find(
    (candidate) =>
      candidate.type === "aws:rds/parameterGroup:ParameterGroup" &&
      groupName !== undefined &&
      [candidate.id, candidate.outputs.name, candidate.inputs.name].includes(groupName),
  );
  const family = inputString(group?.inputs.family);
  const fromFamily = family?.match(/^(postgres|mysql|mariadb)/)?.[1];
  if (fromFamily) return fromFamily;
  throw new Error(
    `cannot tell the engine of RDS instance ${resource.name}: it has no engine input and its parameter group ${groupName ?? "(none)"} is not in stack ${plan.stack}'s plan`,
  );
}

/** The ARN's region (`arn:aws:rds:<region>:...`), or undefined for a plain identifier. */
function arnRegion(arn: string | undefined): string | undefined {
  return arn?.startsWith("arn:") ? arn.split(":")[3] : undefined;
}

/** How the instance came to be: a read replica, a point-in-time restore, a snapshot restore, or created empty. */
function databaseOrigin(inputs: Record<string, unknown>): string {
  if (inputString(inputs.replicateSourceDb)) return " read replica";
  if (Object.keys(inputRecord(inputs.restoreToPointInTime)).length > 0) return " restored to a point in time";
  if (inputString(inputs.snapshotIdentifier)) return " restored from a snapshot";
  return "";
}

function databaseCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const { inputs } = resource;
  const instanceClass = inputString(inputs.instanceClass);
  if (!instanceClass) throw new Error(`RDS instance ${resource.name} has no instanceClass: cost/billableTypes.ts cannot price it`);
  const engine = databaseEngineOf(resource, context.plan);
  const multiAz = inputs.multiAz === true;
  const deployment = multiAz ? "Multi-AZ" : "Single-AZ";
  const price = pricesIn(context, resource.region);
  const charges: Charge[] = [
    {
      description: `${instanceClass} ${engine} ${deployment}${databaseOrigin(inputs)}, ${hoursLabel(context)}`,
      quantity: hours(context),
      price: databaseHourPrice(context.table, resource.region, engine, instanceClass, multiAz),
    },
  ];
  const storage = inputNumber(inputs.allocatedStorage);
  if (storage !== undefined) {
    const storageType = inputString(inputs.storageType) ?? "gp3";
    if (storageType !== "gp3") {
      throw new Error(
        `RDS instance ${resource.name} uses ${storageType} storage: cost/priceTable.ts prices only gp3 RDS storage; add ${storageType} from ${PRICING_PAGES.rdsPostgres}`,
      );
    }
    charges.push({
      description: `${storage} GiB gp3 storage, ${deployment}${multiAz ? " (primary and standby)" : ""}`,
      quantity: storage,
      price: regionalPrice(context.table, resource.region, "rdsGp3StorageGibMonth", multiAz ? "multiAz" : "singleAz"),
    });
  }
  if (inputs.manageMasterUserPassword === true) {
    charges.push({
      description: "master user password secret in Secrets Manager (manageMasterUserPassword)",
      quantity: 1,
      price: price("secretsManagerSecretMonth"),
    });
  }
  return charges;
}

function databaseUsage(resource: PlannedResource): string[] {
  const { inputs } = resource;
  const usage: string[] = [];
  if (inputNumber(inputs.allocatedStorage) === undefined) usage.push("storage, per GiB-month (its size comes from the source and is not in the plan)");
  const ceiling = inputNumber(inputs.maxAllocatedStorage);
  if (ceiling !== undefined && ceiling > (inputNumber(inputs.allocatedStorage) ?? 0))
    usage.push(`storage autoscaling up to ${ceiling} GiB, per GiB-month added`);
  if ((inputNumber(inputs.backupRetentionPeriod) ?? 0) > 0) usage.push("automated backup storage beyond 100% of the provisioned storage, per GiB-month");
  const sourceRegion = arnRegion(inputString(inputs.replicateSourceDb));
  if (sourceRegion && sourceRegion !== resource.region) usage.push(`replication traffic from ${sourceRegion}, per GB transferred across regions`);
  if ((inputNumber(inputs.monitoringInterval) ?? 0) > 0) usage.push("Enhanced Monitoring metrics ingested into CloudWatch Logs, per GB");
  if (inputList(inputs.enabledCloudwatchLogsExports).length > 0) usage.push("database logs exported to CloudWatch Logs, per GB ingested and stored");
  if ((inputNumber(inputs.performanceInsightsRetentionPeriod) ?? 0) > 7) usage.push("Performance Insights retention beyond the free 7 days, per vCPU-month");
  return usage;
}

// ---------------------------------------------------------------------------------------------
// Monitoring cluster: the EKS components

function clusterCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  if (resource.inputs.skipDefaultNodeGroup !== true) {
    throw new Error(
      `EKS cluster ${resource.name} keeps its default node group: cost/billableTypes.ts prices only managed node groups; set skipDefaultNodeGroup or price the default group`,
    );
  }
  const version = inputString(resource.inputs.version) ?? "default version";
  const support = inputString(inputRecord(resource.inputs.upgradePolicy).supportType) ?? "EXTENDED";
  const note = support === "EXTENDED" ? "; $0.60/h once the version leaves standard support (support type EXTENDED)" : "";
  return [
    {
      description: `EKS control plane, Kubernetes ${version} in standard support${note}, ${hoursLabel(context)}`,
      quantity: hours(context),
      price: regionalPrice(context.table, resource.region, "eksClusterHour", "standardSupport"),
    },
  ];
}

function clusterUsage(resource: PlannedResource): string[] {
  const logs = inputList(resource.inputs.enabledClusterLogTypes);
  return logs.length > 0 ? [`control-plane logs (${logs.join(", ")}) in CloudWatch Logs, per GB ingested and stored`] : [];
}

/** EKS managed node group defaults (EKS API CreateNodegroup): t3.medium instances with a 20 GiB root volume. */
const NODE_GROUP_DEFAULTS = { instanceType: "t3.medium", diskSizeGib: 20 } as const;

function nodeGroupInstanceType(inputs: Record<string, unknown>): string {
  return inputString(inputList(inputs.instanceTypes)[0]) ?? NODE_GROUP_DEFAULTS.instanceType;
}

function nodeGroupCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const desired = inputNumber(inputRecord(resource.inputs.scalingConfig).desiredSize);
  if (desired === undefined) throw new Error(`EKS node group ${resource.name} has no scalingConfig.desiredSize: cost/billableTypes.ts cannot count its nodes`);
  const instanceType = nodeGroupInstanceType(resource.inputs);
  const spot = resource.inputs.capacityType === "SPOT" ? " (Spot, priced on-demand: an upper bound)" : " on-demand";
  const disk = inputNumber(resource.inputs.diskSize) ?? NODE_GROUP_DEFAULTS.diskSizeGib;
  return [
    {
      description: `${desired} x ${instanceType}${spot} managed nodes, ${hoursLabel(context)}`,
      quantity: desired * hours(context),
      price: instanceHourPrice(context.table, resource.region, instanceType),
    },
    {
      description: `${desired} x ${disk} GiB node root volume (EKS default size; priced as gp3)`,
      quantity: desired * disk,
      price: regionalPrice(context.table, resource.region, "ebsGp3GibMonth"),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Keys, DNS, alarms, parameters

function keyCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const rotation = resource.inputs.enableKeyRotation === true ? " (rotation on: each of the first two yearly rotations adds $1/month)" : "";
  return [{ description: `customer managed KMS key${rotation}`, quantity: 1, price: regionalPrice(context.table, resource.region, "kmsKeyMonth") }];
}

function zoneCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const visibility = inputList(resource.inputs.vpcs).length > 0 ? "private" : "public";
  return [
    {
      description: `${visibility} hosted zone ${inputString(resource.inputs.name) ?? resource.name}`,
      quantity: 1,
      price: context.table.global.route53HostedZoneMonth,
    },
  ];
}

/** True when a health check's endpoint is in AWS: an AWS DNS name (ELB, CloudFront, S3...) or a calculated or alarm-based check. */
export function healthCheckOfAwsEndpoint(inputs: Record<string, unknown>): boolean {
  const type = inputString(inputs.type) ?? "";
  if (type === "CALCULATED" || type === "CLOUDWATCH_METRIC" || type === "RECOVERY_CONTROL") return true;
  return /\.amazonaws\.com\.?$|\.cloudfront\.net\.?$/.test(inputString(inputs.fqdn) ?? "");
}

/** The optional features a health check uses (Route 53 pricing: each is billed per month). */
export function healthCheckOptions(inputs: Record<string, unknown>): string[] {
  const type = inputString(inputs.type) ?? "";
  return [
    ...(type.startsWith("HTTPS") ? ["HTTPS"] : []),
    ...(type.endsWith("STR_MATCH") ? ["string matching"] : []),
    ...(inputNumber(inputs.requestInterval) === 10 ? ["fast 10 s interval"] : []),
    ...(inputs.measureLatency === true ? ["latency measurement"] : []),
  ];
}

function healthCheckCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const aws = healthCheckOfAwsEndpoint(resource.inputs);
  const endpoint = aws ? "awsEndpoint" : "otherEndpoint";
  const target = inputString(resource.inputs.fqdn) ?? inputString(resource.inputs.ipAddress) ?? inputString(resource.inputs.type) ?? "";
  const options = healthCheckOptions(resource.inputs);
  const charges: Charge[] = [
    {
      description: `basic ${inputString(resource.inputs.type) ?? ""} health check of ${aws ? "an AWS" : "a non-AWS"} endpoint (${target})`,
      quantity: 1,
      price: context.table.global.route53HealthCheckMonth[endpoint],
    },
  ];
  if (options.length > 0) {
    charges.push({
      description: `${options.length} optional features: ${options.join(", ")}`,
      quantity: options.length,
      price: context.table.global.route53HealthCheckOptionMonth[endpoint],
    });
  }
  return charges;
}

/** Metrics an alarm watches: one, or the metric queries that read a metric (expressions are free). */
export function alarmMetricCount(inputs: Record<string, unknown>): number {
  if (inputString(inputs.metricName)) return 1;
  return inputList(inputs.metricQueries).filter((query) => Object.keys(inputRecord(inputRecord(query).metric)).length > 0).length;
}

function alarmCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const periods = [
    inputNumber(resource.inputs.period),
    ...inputList(resource.inputs.metricQueries).map((query) => inputNumber(inputRecord(inputRecord(query).metric).period)),
  ];
  const highResolution = periods.some((period) => period !== undefined && period < 60);

  const metric = [inputString(resource.inputs.namespace), inputString(resource.inputs.metricName)].filter(Boolean).join(" ") || "metric queries";
  return [
    {
      description: `${highResolution ? "high-resolution" : "standard-resolution"} alarm on ${metric}`,
      quantity: alarmMetricCount(resource.inputs),
      price: regionalPrice(context.table, resource.region, "cloudwatchAlarmMetricMonth", highResolution ? "highResolution" : "standardResolution"),
    },
  ];
}

/** A Region switch plan is billed per plan and month, whatever its executions (ARC pricing). */
function regionSwitchPlanCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  return [
    {
      description: `ARC Region switch plan ${inputString(resource.inputs.name) ?? resource.name}`,
      quantity: 1,
      price: context.table.global.arcRegionSwitchPlanMonth,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// ElastiCache: replication groups, per node-hour

/** The primary's cache as the DR stack's recovery manifest records it (config/cache.ts primaryCacheOutputSchema), or undefined. */
function manifestCacheOf(plan: StackPlan): { engine?: string; nodeType?: string; shards?: number } | undefined {
  const manifests = plan.resources.filter(
    (candidate) => candidate.type === "aws:ssm/parameter:Parameter" && /\/recovery-manifest$/.test(inputString(candidate.inputs.name) ?? ""),
  );
  for (const manifest of manifests) {
    try {
      const cache = (
        JSON.parse(inputString(manifest.inputs.insecureValue) ?? "{}") as { primary?: { cache?: { engine?: string; nodeType?: string; shards?: number } } }
      ).primary?.cache;
      if (cache) return cache;
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * A replication group's nodes, each billed per hour by engine and node type (ElastiCache pricing, "On-demand
 * nodes": "charged hourly per node"). Nodes: `numCacheClusters` (one shard), or shards x (1 + `replicasPerNodeGroup`).
 * A global datastore's secondary inherits engine, node type and shard count from the primary's group
 * (ElastiCache User Guide, global datastores, "Prerequisites and limitations"), so the DR stack's group takes them
 * from the primary's cache its recovery manifest records.
 * @throws Error when the engine, node type or node count cannot be told.
 */
function replicationGroupCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const { inputs } = resource;
  const inherited = inputs.globalReplicationGroupId !== undefined ? manifestCacheOf(context.plan) : undefined;
  const engine = inputString(inputs.engine) ?? inherited?.engine;
  const nodeType = inputString(inputs.nodeType) ?? inherited?.nodeType;
  if (!engine || !nodeType)
    throw new Error(
      `ElastiCache replication group ${resource.name} has no engine or nodeType, and no recovery manifest of this stack records the primary's cache`,
    );
  const single = inputNumber(inputs.numCacheClusters);
  const shards = inputNumber(inputs.numNodeGroups) ?? inherited?.shards ?? 1;
  const nodes = single ?? shards * (1 + (inputNumber(inputs.replicasPerNodeGroup) ?? 0));
  return [
    {
      description: `${nodes} ${nodeType} ${engine === "redis" ? "Redis OSS" : engine} nodes of ${resource.name}, ${hoursLabel(context)}`,
      quantity: nodes * hours(context),
      price: cacheNodeHourPrice(context.table, resource.region, engine, nodeType),
    },
  ];
}

/** A web ACL is billed per month, plus each rule or rule group in it (AWS WAF pricing). */
function webAclCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const rules = inputList(resource.inputs.rules).length;
  return [
    { description: `AWS WAF web ACL ${inputString(resource.inputs.name) ?? resource.name}`, quantity: 1, price: context.table.global.wafWebAclMonth },
    ...(rules > 0 ? [{ description: `${rules} rules and rule groups`, quantity: rules, price: context.table.global.wafRuleMonth }] : []),
  ];
}

/** A composite alarm is billed per alarm, not per alarm it names (CloudWatch pricing, "Alarms"). */
function compositeAlarmCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const name = inputString(resource.inputs.alarmName) ?? resource.name;
  return [{ description: `composite alarm ${name}`, quantity: 1, price: regionalPrice(context.table, resource.region, "cloudwatchCompositeAlarmMonth") }];
}

function parameterCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  if (resource.inputs.tier !== "Advanced") return [];
  return [
    { description: "Parameter Store advanced parameter", quantity: 1, price: regionalPrice(context.table, resource.region, "ssmAdvancedParameterMonth") },
  ];
}

// ---------------------------------------------------------------------------------------------
// Monitoring: the admin-password secret, the CloudWatch dashboard, the kube-prometheus-stack release

function secretCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const name = inputString(resource.inputs.name) ?? (inputString(resource.inputs.namePrefix) ? `${inputString(resource.inputs.namePrefix)}*` : resource.name);
  const charges: Charge[] = [
    { description: `Secrets Manager secret ${name}`, quantity: 1, price: regionalPrice(context.table, resource.region, "secretsManagerSecretMonth") },
  ];
  // Each replica is billed as a secret of its own region (Secrets Manager pricing).
  for (const replica of inputList(resource.inputs.replicas)) {
    const region = inputString(inputRecord(replica).region);
    if (!region) continue;
    charges.push({
      description: `replica of secret ${name} in ${region} (billed as a secret there)`,
      quantity: 1,
      price: regionalPrice(context.table, region, "secretsManagerSecretMonth"),
    });
  }
  return charges;
}

function dashboardCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  return [
    {
      description: `CloudWatch dashboard ${inputString(resource.inputs.dashboardName) ?? resource.name} (the first 3 dashboards of an account are free: not applied here)`,
      quantity: 1,
      price: regionalPrice(context.table, resource.region, "cloudwatchDashboardMonth"),
    },
  ];
}

/** GiB in one unit of each Kubernetes quantity suffix the estimate reads (binary: Gi = 2^30 bytes, Ti = 2^40 bytes). */
const QUANTITY_GIB: Readonly<Record<string, number>> = { Gi: 1, Ti: 1024 };

/**
 * GiB of a Kubernetes storage quantity such as `50Gi` or `1Ti`.
 * @param key where the quantity was read (e.g. `grafana.persistence.size`), for the error.
 * @throws Error naming the key for anything else: `50G` (decimal gigabytes), `512Mi`, a bare number.
 */
export function quantityGib(quantity: unknown, key: string): number {
  const match = typeof quantity === "string" ? /^(\d+(?:\.\d+)?)(Gi|Ti)$/.exec(quantity) : null;
  if (!match) {
    throw new Error(
      `${key} is ${JSON.stringify(quantity)}: cost/billableTypes.ts reads storage sizes in Gi or Ti only (e.g. "50Gi"); write the size so or extend quantityGib`,
    );
  }
  return Number(match[1]) * QUANTITY_GIB[match[2]];
}

/** The value at a dotted path of nested records (keys without dots), or undefined. */
function valueAt(values: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => inputRecord(node)[key], values);
}

/** Grafana chart default (grafana/helm-charts, charts/grafana/values.yaml) when persistence is on without a size. */
const GRAFANA_DEFAULT_PERSISTENCE_SIZE = "10Gi";

/** A persistent volume a chart's PersistentVolumeClaims create. */
export interface ChartVolume {
  /** What it stores, e.g. `Prometheus`. */
  component: string;
  /** The values key of its size. */
  key: string;
  gib: number;
  /** Claims of this size: one per replica (and Prometheus shard). */
  claims: number;
  storageClassName?: string;
}

/** A component is on unless its values say `enabled: false` (kube-prometheus-stack enables Prometheus, Alertmanager and Grafana by default). */
const componentEnabled = (values: Record<string, unknown>, component: string) => inputRecord(values[component]).enabled !== false;

/**
 * The EBS volumes kube-prometheus-stack's values claim: Prometheus' and Alertmanager's
 * `volumeClaimTemplate` (one claim per replica, and per Prometheus shard) and Grafana's persistence
 * when enabled. Without a claim template the component keeps its data in an emptyDir: no volume.
 * @throws Error naming the key of a size that is not a Gi or Ti quantity.
 */
export function chartVolumes(values: Record<string, unknown>): ChartVolume[] {
  const volumes: ChartVolume[] = [];
  const claimTemplate = (component: string, spec: string, template: string) => {
    if (!componentEnabled(values, component.toLowerCase())) return;
    const claim = inputRecord(valueAt(values, `${spec}.${template}.spec`));
    const key = `${spec}.${template}.spec.resources.requests.storage`;
    const size = valueAt(values, key);
    if (size === undefined) return;
    const copies = (inputNumber(valueAt(values, `${spec}.replicas`)) ?? 1) * (inputNumber(valueAt(values, `${spec}.shards`)) ?? 1);
    volumes.push({ component, key, gib: quantityGib(size, key), claims: copies, storageClassName: inputString(claim.storageClassName) });
  };
  claimTemplate("Prometheus", "prometheus.prometheusSpec", "storageSpec.volumeClaimTemplate");
  claimTemplate("Alertmanager", "alertmanager.alertmanagerSpec", "storage.volumeClaimTemplate");
  const persistence = inputRecord(valueAt(values, "grafana.persistence"));
  if (componentEnabled(values, "grafana") && persistence.enabled === true) {
    const key = "grafana.persistence.size";
    volumes.push({
      component: "Grafana",
      key,
      gib: quantityGib(persistence.size ?? GRAFANA_DEFAULT_PERSISTENCE_SIZE, key),
      claims: 1,
      storageClassName: inputString(persistence.storageClassName),
    });
  }
  return volumes;
}

/** The Service annotation that picks the load balancer type (kubernetes/cloud-provider-aws). */
const LOAD_BALANCER_TYPE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-type";
const LOAD_BALANCER_INTERNAL_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-internal";

/** The load balancer Grafana's Service gets: none (not of type LoadBalancer), a Network or a Classic Load Balancer. */
export interface GrafanaLoadBalancer {
  kind: "network" | "classic";
  internal: boolean;
}

/**
 * Grafana's load balancer from the release's values: a Service of type LoadBalancer gets, from the
 * cluster's AWS cloud provider, a Network Load Balancer with the annotation
 * `service.beta.kubernetes.io/aws-load-balancer-type: nlb` and a Classic Load Balancer without it;
 * `service.beta.kubernetes.io/aws-load-balancer-internal` (any value but "false") makes it internal.
 * @throws Error for another load balancer type annotation (e.g. `external`, which needs the AWS Load Balancer Controller).
 */
export function grafanaLoadBalancer(values: Record<string, unknown>): GrafanaLoadBalancer | undefined {
  const service = inputRecord(valueAt(values, "grafana.service"));
  if (!componentEnabled(values, "grafana") || service.enabled === false || service.type !== "LoadBalancer") return undefined;
  const annotations = inputRecord(service.annotations);
  const type = annotations[LOAD_BALANCER_TYPE_ANNOTATION];
  const internal = annotations[LOAD_BALANCER_INTERNAL_ANNOTATION] !== undefined && String(annotations[LOAD_BALANCER_INTERNAL_ANNOTATION]) !== "false";
  if (type === "nlb") return { kind: "network", internal };
  if (type === undefined) return { kind: "classic", internal };
  throw new Error(
    `grafana.service.annotations["${LOAD_BALANCER_TYPE_ANNOTATION}"] is ${JSON.stringify(type)}: cost/billableTypes.ts prices "nlb" (a Network Load Balancer) ` +
      `and no annotation (a Classic Load Balancer) from the cluster's cloud provider; extend grafanaLoadBalancer for ${JSON.stringify(type)}`,
  );
}

/**
 * The region of the EKS cluster a Kubernetes resource runs in: the region of the `eks:index:Cluster`
 * whose kubeconfig built the resource's Kubernetes provider. Synthesis records Kubernetes resources
 * in the stack's region (their provider has no AWS region), so this is the stack's region when the
 * plan does not link the provider to a cluster.
 */
export function clusterRegionOf(resource: PlannedResource, plan: StackPlan): string {
  const provider = plan.resources.find((candidate) => candidate.urn === resource.providerUrn);
  const sources = Object.values(provider?.propertyDependencies ?? {}).flat();
  const cluster = plan.resources.find((candidate) => candidate.type === "eks:index:Cluster" && sources.includes(candidate.urn));
  return cluster?.region ?? plan.region;
}

/** The values of a Helm release, as a record (`values` input). */
const releaseValues = (resource: PlannedResource) => inputRecord(resource.inputs.values);

/**
 * A Helm release's charges: the gp3 volumes its PersistentVolumeClaims create (through a StorageClass
 * in the plan of EBS type gp3, or one not in the plan, priced as gp3) and Grafana's load balancer,
 * each in the cluster's region.
 */
function helmReleaseCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const values = releaseValues(resource);
  const region = clusterRegionOf(resource, context.plan);
  const price = pricesIn(context, region);
  const where = region === resource.region ? "" : ` (in the cluster's region ${region})`;
  const charges: Charge[] = chartVolumes(values).map((volume) => {
    const storageClass = context.plan.resources.find(
      (candidate) =>
        candidate.type === "kubernetes:storage.k8s.io/v1:StorageClass" &&
        volume.storageClassName !== undefined &&
        inputRecord(candidate.inputs.metadata).name === volume.storageClassName,
    );
    const ebsType = inputString(inputRecord(storageClass?.inputs.parameters).type) ?? "gp3";
    if (ebsType !== "gp3") {
      throw new Error(
        `${volume.key}: StorageClass ${volume.storageClassName} provisions ${ebsType} volumes: cost/priceTable.ts prices only gp3 EBS volumes; add the type`,
      );
    }
    const storageClassLabel = volume.storageClassName ? `StorageClass ${volume.storageClassName}` : "default StorageClass";
    return {
      description: `${volume.claims} x ${volume.gib} GiB gp3 volume for ${volume.component} (${storageClassLabel}${storageClass ? "" : ", priced as gp3"})${where}`,
      quantity: volume.claims * volume.gib,
      price: price("ebsGp3GibMonth"),
    };
  });
  const loadBalancer = grafanaLoadBalancer(values);
  if (loadBalancer) {
    const scheme = loadBalancer.internal ? "internal" : "internet-facing";
    const network = loadBalancer.kind === "network";
    charges.push({
      description: `Grafana's ${scheme} ${network ? "Network" : "Classic"} Load Balancer (Service type LoadBalancer), ${hoursLabel(context)}${where}`,
      quantity: hours(context),
      price: network ? price("networkLoadBalancerHour") : price("classicLoadBalancerHour"),
    });
  }
  return charges;
}

/** A Helm release's usage: its load balancer's capacity units or data, public addresses, and Grafana's CloudWatch queries. */
function helmReleaseUsage(resource: PlannedResource): string[] {
  const values = releaseValues(resource);
  const usage: string[] = [];
  const loadBalancer = grafanaLoadBalancer(values);
  if (loadBalancer?.kind === "network") {
    usage.push("Network Load Balancer Capacity Unit hours (new and active flows, GB processed; no minimum) of Grafana's load balancer");
  }
  if (loadBalancer?.kind === "classic") usage.push("data processed by Grafana's Classic Load Balancer, per GB");
  if (loadBalancer && !loadBalancer.internal) {
    usage.push("public IPv4 addresses of Grafana's internet-facing load balancer (one per zone it spans), per address-hour");
  }
  const dataSources = inputList(valueAt(values, "grafana.additionalDataSources"));
  if (componentEnabled(values, "grafana") && dataSources.some((source) => inputRecord(source).type === "cloudwatch")) {
    usage.push("CloudWatch GetMetricData requests of Grafana's CloudWatch data source, per 1,000 metrics requested");
  }
  return usage;
}

// ---------------------------------------------------------------------------------------------
// Aurora: global cluster, clusters and their instances

/**
 * True when an Aurora cluster's storage configuration is Aurora I/O-Optimized (`storageType`
 * `aurora-iopt1`); Aurora Standard (`aurora`, or no storageType: the default) otherwise (RDS API
 * CreateDBCluster `StorageType`, https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.StorageReliability.html).
 * @throws Error naming the cluster for another storage type (io1, gp3...: a Multi-AZ DB cluster, not Aurora).
 */
export function auroraIoOptimized(cluster: PlannedResource): boolean {
  const storageType = inputString(cluster.inputs.storageType) ?? "aurora";
  if (storageType === "aurora-iopt1") return true;
  if (storageType === "aurora") return false;
  throw new Error(
    `RDS cluster ${cluster.name} has storageType ${storageType}: cost/billableTypes.ts prices Aurora clusters (aurora or aurora-iopt1); ` +
      `a Multi-AZ DB cluster is billed differently: add its prices from ${PRICING_PAGES.rdsPostgres}`,
  );
}

/** The engine of an Aurora cluster: its `engine` input (`aurora-postgresql`, `aurora-mysql`). */
function clusterEngine(cluster: PlannedResource): string | undefined {
  return inputString(cluster.inputs.engine) ?? inputString(cluster.outputs.engine);
}

/**
 * Refuses a cluster of a non-Aurora engine (a Multi-AZ DB cluster of RDS for PostgreSQL or MySQL,
 * billed by instance and provisioned storage, not priced here).
 * @throws Error naming the cluster and its engine.
 */
function assertAuroraCluster(cluster: PlannedResource): void {
  const engine = clusterEngine(cluster);
  if (engine !== undefined && !engine.startsWith("aurora")) {
    throw new Error(
      `RDS cluster ${cluster.name} has engine ${engine}: cost/billableTypes.ts prices Aurora clusters only; ` +
        `a Multi-AZ DB cluster is billed by instance and provisioned storage: price it from ${PRICING_PAGES.rdsPostgres}`,
    );
  }
}

/** The cluster a cluster instance joins (its `clusterIdentifier`), found in the plan by id or identifier. */
function auroraClusterOf(instance: PlannedResource, plan: StackPlan): PlannedResource {
  const key = inputString(instance.inputs.clusterIdentifier);
  if (!key) throw new Error(`RDS cluster instance ${instance.name} has no clusterIdentifier: cost/billableTypes.ts cannot tell its cluster`);
  const cluster = plan.resources.find(
    (candidate) =>
      candidate.type === "aws:rds/cluster:Cluster" && [candidate.id, candidate.outputs.clusterIdentifier, candidate.inputs.clusterIdentifier].includes(key),
  );
  if (!cluster) throw new Error(`RDS cluster instance ${instance.name} joins cluster ${key}, which is not in stack ${plan.stack}'s plan`);
  return cluster;
}

/** The Aurora cluster's fixed charge: the Secrets Manager secret RDS creates for `manageMasterUserPassword`. */
function auroraClusterCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  assertAuroraCluster(resource);
  auroraIoOptimized(resource);
  if (resource.inputs.manageMasterUserPassword !== true) return [];
  return [
    {
      description: "master user password secret in Secrets Manager (manageMasterUserPassword)",
      quantity: 1,
      price: regionalPrice(context.table, resource.region, "secretsManagerSecretMonth"),
    },
  ];
}

/**
 * An Aurora cluster's usage (Aurora pricing): its storage, billed by the GB-month the cluster volume
 * holds (no size is provisioned), I/O requests in Aurora Standard, backup storage beyond 100% of the
 * volume, and the optional features it turns on.
 */
function auroraClusterUsage(resource: PlannedResource): string[] {
  const { inputs } = resource;
  const ioOptimized = auroraIoOptimized(resource);
  const usage = ioOptimized
    ? ["Aurora I/O-Optimized cluster storage, per GB-month of the cluster volume (I/O included)"]
    : ["Aurora Standard cluster storage, per GB-month of the cluster volume", "Aurora Standard I/O requests, per million"];
  const retention = inputNumber(inputs.backupRetentionPeriod) ?? 1;
  usage.push(`backup storage beyond 100% of the cluster volume (automated backups kept ${retention} days, and snapshots), per GB-month`);
  if ((inputNumber(inputs.backtrackWindow) ?? 0) > 0) usage.push("Backtrack change records, per million change records per hour");
  if (inputList(inputs.enabledCloudwatchLogsExports).length > 0) usage.push("database logs exported to CloudWatch Logs, per GB ingested and stored");
  if (inputString(inputs.globalClusterIdentifier))
    usage.push("replicated write I/Os and data transfer of the global database (listed on the global cluster), per million and per GB");
  return usage;
}

function auroraInstanceCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const instanceClass = inputString(resource.inputs.instanceClass);
  if (!instanceClass) throw new Error(`RDS cluster instance ${resource.name} has no instanceClass: cost/billableTypes.ts cannot price it`);
  const cluster = auroraClusterOf(resource, context.plan);
  assertAuroraCluster(cluster);
  const engine = inputString(resource.inputs.engine) ?? clusterEngine(cluster);
  if (!engine)
    throw new Error(`cannot tell the engine of RDS cluster instance ${resource.name}: neither it nor its cluster ${cluster.name} has an engine input`);
  const ioOptimized = auroraIoOptimized(cluster);
  return [
    {
      description: `${instanceClass} ${engine} instance of cluster ${inputString(cluster.inputs.clusterIdentifier) ?? cluster.name} (Aurora ${ioOptimized ? "I/O-Optimized" : "Standard"}), ${hoursLabel(context)}`,
      quantity: hours(context),
      price: auroraInstanceHourPrice(context.table, resource.region, engine, instanceClass, ioOptimized),
    },
  ];
}

/** Aurora T instances run in Unlimited mode: CPU above the baseline over 24 hours bills CPU credits (Aurora DB instance classes). */
function auroraInstanceUsage(resource: PlannedResource): string[] {
  const { inputs } = resource;
  const instanceClass = inputString(inputs.instanceClass) ?? "";
  const usage: string[] = [];
  if (/^db\.t\d/.test(instanceClass))
    usage.push(`CPU credits of ${instanceClass} above its baseline (Aurora T instances run in Unlimited mode), per vCPU-hour`);
  if ((inputNumber(inputs.monitoringInterval) ?? 0) > 0) usage.push("Enhanced Monitoring metrics ingested into CloudWatch Logs, per GB");
  if (inputs.performanceInsightsEnabled === true && (inputNumber(inputs.performanceInsightsRetentionPeriod) ?? 7) > 7)
    usage.push("Performance Insights retention beyond the free 7 days, per vCPU-month");
  return usage;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB: the global table and its replica

/** The capacity mode of a DynamoDB table: `PAY_PER_REQUEST` (on-demand) or `PROVISIONED` (the AWS and Pulumi default). */
export function dynamodbBillingMode(inputs: Record<string, unknown>): string {
  return inputString(inputs.billingMode) ?? "PROVISIONED";
}

/** Units of the Standard-IA table class, when a table or replica uses it (other per-request and storage rates). */
const tableClassNote = (tableClass: string | undefined) => (tableClass === "STANDARD_INFREQUENT_ACCESS" ? " (Standard-IA table class rates)" : "");

/**
 * An on-demand DynamoDB table's usage (DynamoDB on-demand pricing): read and write request units,
 * storage, point-in-time recovery when on, stream reads when streams are on, and each replica of its
 * `replicas` input as replicated writes and storage in the replica's region.
 * @throws Error for a table in provisioned capacity mode (a fixed hourly charge per capacity unit, not priced here).
 */
function dynamodbTableUnits(resource: PlannedResource): string[] {
  const { inputs } = resource;
  const mode = dynamodbBillingMode(inputs);
  if (mode !== "PAY_PER_REQUEST") {
    throw new Error(
      `DynamoDB table ${resource.name} has billingMode ${mode}${inputString(inputs.billingMode) ? "" : " (the default when billingMode is not set)"}: ` +
        `cost/billableTypes.ts lists on-demand tables as usage only; set billingMode PAY_PER_REQUEST, or price its provisioned capacity ` +
        `(write and read capacity unit-hours) from https://aws.amazon.com/dynamodb/pricing/provisioned/`,
    );
  }
  const tableClass = tableClassNote(inputString(inputs.tableClass));
  const units = [
    `on-demand write request units, per million${tableClass}`,
    `on-demand read request units, per million${tableClass}`,
    `table storage, per GB-month${tableClass}`,
  ];
  if (inputRecord(inputs.pointInTimeRecovery).enabled === true) units.push("point-in-time recovery (continuous backups), per GB-month of table and index size");
  if (inputs.streamEnabled === true)
    units.push("DynamoDB Streams read request units, per 100,000 (reads by Lambda triggers and global-table replication are free)");
  for (const replica of inputList(inputs.replicas)) {
    const region = inputString(inputRecord(replica).regionName);
    if (!region) continue;
    units.push(`replicated write request units in ${region}, per million, and storage there, per GB-month; data transfer to ${region}, per GB`);
    if (inputRecord(replica).pointInTimeRecovery === true) units.push(`point-in-time recovery of the ${region} replica, per GB-month`);
  }
  return units;
}

/** A DynamoDB global table replica's usage in its region (DynamoDB pricing: global tables). */
function dynamodbReplicaUnits(resource: PlannedResource): string[] {
  const sourceRegion = arnRegion(inputString(resource.inputs.globalTableArn));
  const tableClass = tableClassNote(inputString(resource.inputs.tableClassOverride));
  const units = [
    `replicated write request units written into this replica, per million (in the global table's capacity mode)${tableClass}`,
    `read request units served by this replica, per million${tableClass}`,
    `replica storage, per GB-month${tableClass}`,
  ];
  if (sourceRegion && sourceRegion !== resource.region) units.push(`data transfer of replicated writes from ${sourceRegion}, per GB`);
  if (resource.inputs.pointInTimeRecovery === true) units.push("point-in-time recovery of the replica (continuous backups), per GB-month of its size");
  return units;
}

// ---------------------------------------------------------------------------------------------
// AWS Backup: vaults and plans

/** The region of a backup vault ARN (`arn:aws:backup:<region>:<account>:backup-vault:<name>`), or "another region" when unknown. */
const vaultRegion = (arn: string | undefined) => arnRegion(arn) ?? "the destination vault's region";

/**
 * A backup plan's usage (AWS Backup pricing): the backups each rule keeps in its target vault (warm
 * storage per GB-month, at the rate of the resource type: RDS and Aurora snapshots, DynamoDB, S3...),
 * continuous backups when a rule enables them, and the data each copy action transfers to another
 * region (the copy's storage is billed on the destination vault).
 */
function backupPlanUnits(resource: PlannedResource): string[] {
  const units: string[] = [];
  for (const rule of inputList(resource.inputs.rules)) {
    const { ruleName, targetVaultName, enableContinuousBackup, lifecycle, copyActions } = inputRecord(rule);
    const name = inputString(ruleName) ?? "(unnamed rule)";
    const days = inputNumber(inputRecord(lifecycle).deleteAfter);
    const kept = days === undefined ? "" : ` for ${days} days`;
    units.push(
      `backups of rule ${name} kept${kept} in vault ${inputString(targetVaultName) ?? "(unknown)"}, per GB-month of warm storage (rate by resource type)`,
    );
    if (enableContinuousBackup === true) units.push(`continuous backups (point-in-time restore) of rule ${name}, per GB-month`);
    for (const copy of inputList(copyActions)) {
      const destination = inputString(inputRecord(copy).destinationVaultArn);
      const region = vaultRegion(destination);
      if (region === resource.region) continue;
      units.push(`cross-region copies of rule ${name} to ${region}, per GB transferred`);
    }
  }
  units.push("restores, per GB restored (for the resource types AWS Backup bills restores of)");
  return units;
}

// ---------------------------------------------------------------------------------------------
// KMS multi-Region replica keys

function replicaKeyCharges(resource: PlannedResource, context: PricingContext): Charge[] {
  const primaryRegion = arnRegion(inputString(resource.inputs.primaryKeyArn));
  const of = primaryRegion ? ` of a ${primaryRegion} primary key` : "";
  return [
    {
      description: `multi-Region replica KMS key${of} (billed as one key in its own region)`,
      quantity: 1,
      price: regionalPrice(context.table, resource.region, "kmsKeyMonth"),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The classification

const usage = (unit: string, source: string): UsageClassification => ({ kind: "usage", unit, source });
const free = (reason: string, source: string): FreeClassification => ({ kind: "free", reason, source });

const VPC_PRICING_FREE = "no charge for a VPC, its subnets, route tables, gateways' attachments or security groups";
const KUBERNETES_OBJECT =
  "an object in the EKS cluster's API, kept by the control plane priced on the cluster; what runs from it runs on the priced node group";
const PULUMI_PROVIDERS = "https://www.pulumi.com/docs/iac/concepts/resources/providers/";
const S3_CONFIGURATION =
  "bucket configuration has no charge of its own; what it keeps (object versions, access logs) is billed as S3 storage and its KMS requests as KMS usage";
const S3_OBJECT_LOCK =
  "S3 Object Lock has no charge of its own; the object versions it retains (until their retention ends) are billed as S3 storage on the bucket";
const AWS_BACKUP_CONFIGURATION =
  "AWS Backup bills backup storage, cross-region transfer and restores, with no minimum fee: vault policies, locks, notifications and selections have no charge of their own";

/** Every resource type the program creates, by Pulumi type token. */
export const BILLABLE_TYPES: Readonly<Record<string, Classification>> = {
  // Remote components, priced from their inputs.
  "awsx:ec2:Vpc": {
    kind: "fixed",
    summary: "NAT gateways (None: 0, Single: 1, OnePerAz: one per zone) and their Elastic IPs' public IPv4 charge",
    charges: vpcCharges,
    usage: (resource) => (natGatewayCount(resource.inputs) > 0 ? ["NAT gateway data processed, per GB (plus data transfer out)"] : []),
  },
  "eks:index:Cluster": { kind: "fixed", summary: "EKS control plane hours (standard support)", charges: clusterCharges, usage: clusterUsage },
  "eks:index:ManagedNodeGroup": {
    kind: "fixed",
    summary: "desired nodes x instance hours, and their root volumes",
    charges: nodeGroupCharges,
    usage: (resource) => burstableUsage(nodeGroupInstanceType(resource.inputs)),
  },

  // Fixed monthly costs.
  "aws:autoscaling/group:Group": {
    kind: "fixed",
    summary: "desired instances x instance hours of the launch template's type, their EBS volumes and detailed-monitoring metrics",
    charges: autoScalingGroupCharges,
    usage: autoScalingGroupUsage,
  },
  "aws:autoscaling/policy:Policy": { kind: "fixed", summary: "the two CloudWatch alarms a target tracking policy creates", charges: scalingPolicyCharges },
  "aws:lb/loadBalancer:LoadBalancer": {
    kind: "fixed",
    summary: "Application Load Balancer hours and its nodes' public IPv4 addresses; LCUs are usage",
    charges: loadBalancerCharges,
    usage: loadBalancerUsage,
  },
  "aws:rds/instance:Instance": {
    kind: "fixed",
    summary: "instance hours (Multi-AZ doubles), gp3 storage (Multi-AZ doubles) and the managed master password's secret",
    charges: databaseCharges,
    usage: databaseUsage,
  },
  "aws:kms/key:Key": {
    kind: "fixed",
    summary: "one customer managed key a month",
    charges: keyCharges,
    usage: () => ["KMS requests beyond the account's free 20,000 a month, per 10,000 requests"],
  },
  "aws:route53/zone:Zone": {
    kind: "fixed",
    summary: "one hosted zone a month",
    charges: zoneCharges,
    usage: () => ["DNS queries, per million (queries for alias records to AWS resources are free)"],
  },
  "aws:route53/healthCheck:HealthCheck": { kind: "fixed", summary: "a basic health check plus each optional feature", charges: healthCheckCharges },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { kind: "fixed", summary: "one alarm per metric it watches, standard or high resolution", charges: alarmCharges },
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": { kind: "fixed", summary: "one composite alarm, whatever its rule", charges: compositeAlarmCharges },
  "aws:ssm/parameter:Parameter": { kind: "fixed", summary: "advanced parameters only (standard parameters are free)", charges: parameterCharges },
  "aws:secretsmanager/secret:Secret": {
    kind: "fixed",
    summary: "one secret a month, and one per replica in its region",
    charges: secretCharges,
    usage: () => ["Secrets Manager API calls, per 10,000"],
  },
  "aws:cloudwatch/dashboard:Dashboard": { kind: "fixed", summary: "one dashboard a month", charges: dashboardCharges },
  "aws:kms/replicaKey:ReplicaKey": {
    kind: "fixed",
    summary: "one KMS key a month in the replica's region: each multi-Region replica key is billed as a key of its own",
    charges: replicaKeyCharges,
    usage: () => ["KMS requests beyond the account's free 20,000 a month, per 10,000 requests"],
  },
  "aws:rds/clusterInstance:ClusterInstance": {
    kind: "fixed",
    summary: "Aurora instance hours by engine and class, in the cluster's storage configuration (Standard or I/O-Optimized); no Multi-AZ multiplier",
    charges: auroraInstanceCharges,
    usage: auroraInstanceUsage,
  },
  "aws:rds/cluster:Cluster": {
    kind: "fixed",
    summary: "the managed master password's secret; Aurora storage, I/O and backup storage beyond the volume's size are usage",
    charges: auroraClusterCharges,
    usage: auroraClusterUsage,
  },
  "kubernetes:helm.sh/v3:Release": {
    kind: "fixed",
    summary:
      "from the chart's values: the gp3 volumes of Prometheus', Alertmanager's and Grafana's claims and Grafana's load balancer hours, in the cluster's region; capacity units are usage",
    charges: helmReleaseCharges,
    usage: helmReleaseUsage,
  },

  // Billed by use only.
  "aws:cloudwatch/logGroup:LogGroup": usage("per GB ingested and per GB-month stored (within its retention)", PRICING_PAGES.cloudwatch),
  "aws:ec2/flowLog:FlowLog": usage("per GB of flow-log records delivered to CloudWatch Logs (vended-log rates)", PRICING_PAGES.cloudwatch),
  "aws:lambda/function:Function": usage("per request and per GB-second of duration", "https://aws.amazon.com/lambda/pricing/"),
  // The app's database user: one function run per deploy that changes it or per new credentials version.
  "aws:lambda/invocation:Invocation": usage(
    "per request and per GB-second of the function's run, once per deploy that creates it or per new credentials version",
    "https://aws.amazon.com/lambda/pricing/",
  ),
  // The DR region's copy of the app's AMI: its EBS snapshots are stored in the DR region, and the copy moves them across regions once.
  "aws:ec2/amiCopy:AmiCopy": usage(
    "per GB-month of the copied EBS snapshots in the DR region, and per GB of inter-region data transfer for each copy",
    "https://aws.amazon.com/ebs/pricing/",
  ),
  "aws:sfn/stateMachine:StateMachine": usage("per 1,000 state transitions (Standard workflows)", "https://aws.amazon.com/step-functions/pricing/"),
  "aws:sns/topic:Topic": usage("per million publishes, plus per delivery", "https://aws.amazon.com/sns/pricing/"),
  "aws:sns/topicSubscription:TopicSubscription": usage("per notification delivered (e-mail: per 100,000)", "https://aws.amazon.com/sns/pricing/"),
  "aws:s3/bucket:Bucket": usage("per GB-month stored (every object version), per 1,000 requests, per GB transferred out", "https://aws.amazon.com/s3/pricing/"),
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": usage(
    "per GB replicated across regions, plus Replication Time Control per GB and its replication metrics as CloudWatch metrics",
    "https://aws.amazon.com/s3/pricing/",
  ),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": usage("per 1,000 lifecycle transition requests", "https://aws.amazon.com/s3/pricing/"),
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": usage(
    "per GB-month of replicated backup storage in this region and per GB transferred across regions",
    PRICING_PAGES.rdsPostgres,
  ),
  "aws:rds/globalCluster:GlobalCluster": usage(
    "per million replicated write I/Os to each secondary region, plus data transfer between regions per GB (the global cluster itself has no charge)",
    PRICING_PAGES.aurora,
  ),
  "aws:dynamodb/table:Table": {
    kind: "usage",
    unit: "per million write and read request units (on-demand), per GB-month stored, per GB-month of point-in-time recovery, per 100,000 stream reads",
    source: PRICING_PAGES.dynamodb,
    units: dynamodbTableUnits,
  },
  "aws:dynamodb/tableReplica:TableReplica": {
    kind: "usage",
    unit: "per million replicated write request units, per GB-month stored, per GB-month of point-in-time recovery, per GB transferred from the source region",
    source: PRICING_PAGES.dynamodb,
    units: dynamodbReplicaUnits,
  },
  "aws:backup/vault:Vault": usage(
    "per GB-month of recovery points kept in the vault (warm storage, at the rate of each resource type: RDS and Aurora snapshots, DynamoDB, S3...)",
    PRICING_PAGES.backup,
  ),
  "aws:arcregionswitch/plan:Plan": { kind: "fixed", summary: "one Region switch plan a month, executions included", charges: regionSwitchPlanCharges },
  "aws:wafv2/webAcl:WebAcl": {
    kind: "fixed",
    summary: "the web ACL and each of its rules a month",
    charges: webAclCharges,
    usage: () => ["AWS WAF requests inspected, per million"],
  },
  "aws:fis/experimentTemplate:ExperimentTemplate": usage("per action-minute while an experiment runs (templates cost nothing at rest)", PRICING_PAGES.fis),
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    kind: "fixed",
    summary: "each node of the group per hour, by engine and node type",
    charges: replicationGroupCharges,
    usage: () => ["backup storage beyond one free backup per node, per GB-month", "data transferred across zones and regions, per GB"],
  },
  "aws:cloudfront/distribution:Distribution": usage(
    "per 10,000 HTTPS requests and per GB transferred out to viewers, by price class region (origin fetches from AWS origins are free)",
    PRICING_PAGES.cloudfront,
  ),
  "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": usage(
    "per GB replicated to the secondary region (inter-region data transfer); its groups' nodes are priced on the groups",
    PRICING_PAGES.elasticache,
  ),
  "aws:backup/plan:Plan": {
    kind: "usage",
    unit: "per GB-month of backups its rules keep, per GB copied to another region, per GB restored",
    source: PRICING_PAGES.backup,
    units: backupPlanUnits,
  },

  // No charge of their own.
  "pulumi:providers:aws": free("a Pulumi provider: configuration, not an AWS resource", PULUMI_PROVIDERS),
  "pulumi:providers:kubernetes": free("a Pulumi provider: configuration, not an AWS resource", PULUMI_PROVIDERS),
  "random:index/randomPassword:RandomPassword": free(
    "generated by the Pulumi random provider and kept in the stack's state: not an AWS resource",
    "https://www.pulumi.com/registry/packages/random/api-docs/randompassword/",
  ),
  "aws:acm/certificate:Certificate": free("public ACM certificates are free", PRICING_PAGES.certificateManager),
  "aws:acm/certificateValidation:CertificateValidation": free(
    "a wait for the certificate's DNS validation, not an AWS resource; the validation records are Route 53 records",
    PRICING_PAGES.certificateManager,
  ),
  "aws:elasticache/subnetGroup:SubnetGroup": free("ElastiCache bills nodes and data transfer, not subnet groups", PRICING_PAGES.elasticache),
  "aws:secretsmanager/secretVersion:SecretVersion": free(
    "a secret's value: Secrets Manager bills the secret (per month) and API calls, not its versions",
    PRICING_PAGES.secretsManager,
  ),
  "aws:eks/addon:Addon": free(
    "EKS add-ons have no charge of their own: EKS bills the control plane (priced on the cluster) and the AWS resources the cluster uses; add-on pods run on the priced node group",
    PRICING_PAGES.eks,
  ),
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": free(
    "EKS Pod Identity has no charge of its own: EKS bills the control plane (priced on the cluster) and the AWS resources the cluster uses; the agent runs on the priced node group",
    PRICING_PAGES.eks,
  ),
  "kubernetes:core/v1:Namespace": free(KUBERNETES_OBJECT, PRICING_PAGES.eks),
  "kubernetes:core/v1:Secret": free(KUBERNETES_OBJECT, PRICING_PAGES.eks),
  "kubernetes:core/v1:ConfigMap": free(KUBERNETES_OBJECT, PRICING_PAGES.eks),
  "kubernetes:storage.k8s.io/v1:StorageClass": free(
    `${KUBERNETES_OBJECT}; the EBS volumes provisioned through it are priced on the Helm release whose claims create them`,
    PRICING_PAGES.eks,
  ),
  "aws:ec2/launchTemplate:LaunchTemplate": free(
    "launch templates are free; the instances launched from one are priced on their Auto Scaling group",
    PRICING_PAGES.ec2,
  ),
  "aws:ec2/securityGroup:SecurityGroup": free(VPC_PRICING_FREE, PRICING_PAGES.vpc),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": free(VPC_PRICING_FREE, PRICING_PAGES.vpc),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": free(VPC_PRICING_FREE, PRICING_PAGES.vpc),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": free(VPC_PRICING_FREE, PRICING_PAGES.vpc),
  "aws:iam/role:Role": free("IAM is offered at no additional charge", "https://aws.amazon.com/iam/"),
  "aws:iam/rolePolicy:RolePolicy": free("IAM is offered at no additional charge", "https://aws.amazon.com/iam/"),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": free("IAM is offered at no additional charge", "https://aws.amazon.com/iam/"),
  "aws:iam/instanceProfile:InstanceProfile": free("IAM is offered at no additional charge", "https://aws.amazon.com/iam/"),
  "aws:iam/policy:Policy": free("IAM is offered at no additional charge", "https://aws.amazon.com/iam/"),
  "aws:kms/alias:Alias": free("aliases are free; the key they name is priced", PRICING_PAGES.kms),
  "aws:lb/listener:Listener": free("billed through its load balancer's hours and LCUs", PRICING_PAGES.elasticLoadBalancing),
  "aws:lb/listenerRule:ListenerRule": free(
    "billed through its load balancer's hours and LCUs (rule evaluations count in LCUs)",
    PRICING_PAGES.elasticLoadBalancing,
  ),
  "aws:lb/targetGroup:TargetGroup": free("billed through its load balancer's hours and LCUs", PRICING_PAGES.elasticLoadBalancing),
  "aws:rds/parameterGroup:ParameterGroup": free("RDS bills instances, storage, backups and transfer, not parameter groups", PRICING_PAGES.rdsPostgres),
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": free(
    "Aurora bills instances, storage, I/O, backups and transfer, not cluster parameter groups",
    PRICING_PAGES.aurora,
  ),
  "aws:backup/vaultPolicy:VaultPolicy": free(AWS_BACKUP_CONFIGURATION, PRICING_PAGES.backup),
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": free(
    `${AWS_BACKUP_CONFIGURATION}; a locked vault keeps its recovery points for the minimum retention, billed as the vault's storage`,
    PRICING_PAGES.backup,
  ),
  "aws:backup/vaultNotifications:VaultNotifications": free(`${AWS_BACKUP_CONFIGURATION}; SNS bills the notifications on the topic`, PRICING_PAGES.backup),
  "aws:backup/selection:Selection": free(
    `${AWS_BACKUP_CONFIGURATION}; the backups of the resources it selects are usage on the plan and its vaults`,
    PRICING_PAGES.backup,
  ),
  "aws:rds/subnetGroup:SubnetGroup": free("RDS bills instances, storage, backups and transfer, not subnet groups", PRICING_PAGES.rdsPostgres),
  "aws:rds/eventSubscription:EventSubscription": free(
    "RDS event notifications are free; SNS bills their deliveries on the topic",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html",
  ),
  "aws:route53/record:Record": free("records are included in their hosted zone (up to 10,000); queries are usage on the zone", PRICING_PAGES.route53),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": free(S3_CONFIGURATION, "https://aws.amazon.com/s3/pricing/"),
  "aws:s3/bucketPolicy:BucketPolicy": free(S3_CONFIGURATION, "https://aws.amazon.com/s3/pricing/"),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": free(S3_CONFIGURATION, "https://aws.amazon.com/s3/pricing/"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": free(S3_CONFIGURATION, "https://aws.amazon.com/s3/pricing/"),
  "aws:s3/bucketVersioning:BucketVersioning": free(S3_CONFIGURATION, "https://aws.amazon.com/s3/pricing/"),
  "aws:s3/bucketLogging:BucketLogging": free(S3_CONFIGURATION, "https://aws.amazon.com/s3/pricing/"),
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": free(S3_OBJECT_LOCK, PRICING_PAGES.s3),
  "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": free(S3_OBJECT_LOCK, PRICING_PAGES.s3),
  "aws:sns/topicPolicy:TopicPolicy": free("topic policies are free; SNS bills publishes and deliveries", "https://aws.amazon.com/sns/pricing/"),
  "aws:cloudwatch/eventRule:EventRule": free(
    "events AWS services send to the default event bus, and the rules matching them, are free; the target bills its own invocations",
    "https://aws.amazon.com/eventbridge/pricing/",
  ),
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": free(
    "a setting of the function's asynchronous invocations; Lambda bills requests and duration only",
    "https://aws.amazon.com/lambda/pricing/",
  ),
  "aws:lambda/permission:Permission": free(
    "a statement of the function's resource-based policy; Lambda bills requests and duration only",
    "https://aws.amazon.com/lambda/pricing/",
  ),
  "aws:cloudwatch/eventTarget:EventTarget": free(
    "delivery to a target is part of the free rule; the target bills its own invocations",
    "https://aws.amazon.com/eventbridge/pricing/",
  ),
};

/** The classification of this program's own components: groupings whose children are classified themselves. */
export const PROGRAM_COMPONENT: FreeClassification = free(
  "a component of this program: it groups child resources, which are classified themselves",
  "https://www.pulumi.com/docs/iac/concepts/resources/components/",
);

/**
 * How a resource is billed.
 * @param project the Pulumi project name: non-custom resources of type `<project>:...` are this program's components.
 * @throws UnclassifiedTypeError naming the type and the resource, telling to classify it here.
 */
export function classificationOf(resource: PlannedResource, project: string): Classification {
  const known = BILLABLE_TYPES[resource.type];
  if (known) return known;
  if (!resource.custom && resource.type.startsWith(`${project}:`)) return PROGRAM_COMPONENT;
  throw new UnclassifiedTypeError(
    `resource type ${resource.type} (resource ${resource.name}) is not classified for the cost estimate: add it to BILLABLE_TYPES in cost/billableTypes.ts ` +
      `as fixed (with the function that prices it), usage (with its billing unit) or free (with the AWS page that says so)`,
  );
}
