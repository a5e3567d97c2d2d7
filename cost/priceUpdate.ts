/**
 * `npm run prices:update` (cost/priceUpdateCli.ts): refreshes the regional price files
 * (`cost/prices/<region>.json`) from the AWS Price List Query API.
 *
 * For every region with a file, plus the regions asked for, it asks GetProducts for each price of
 * the descriptor table below (PRICE_DESCRIPTORS): the per-name prices (EC2 instance types, RDS and
 * Aurora DB instance classes) for the names already in the data plus those asked for, and the
 * regional fixed prices. A price the API returns exactly once is written with `verified: true`,
 * `seenAt` naming the SKU, `asOf` today and `source` its AWS pricing page; a price it does not
 * return, or returns ambiguously, is kept as it was and reported. Nothing is ever deleted.
 *
 * AWS documentation this relies on:
 * - Price List Query API endpoints (us-east-1, eu-central-1, ap-south-1), the IAM policy
 *   (pricing:GetProducts) and the GetProducts quota (a bucket of 10 requests, refilled at 5 a
 *   second): https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-pelong.html
 * - GetProducts request and response (Filters, MaxResults 1-100, NextToken, PriceList of JSON
 *   strings, errors such as ThrottlingException and AccessDeniedException):
 *   https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
 * - The product and terms shape of a PriceList entry (product.attributes, product.sku,
 *   terms.OnDemand.<offer>.priceDimensions.<rate>.{unit, beginRange, endRange, pricePerUnit}):
 *   https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html
 * - The IAM action: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awspricelist.html
 */
import { GetProductsCommand, PricingClient, type Filter, type GetProductsCommandOutput } from "@aws-sdk/client-pricing";
import { Region } from "@pulumi/aws/types/enums";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  loadPriceTable,
  PRICE_DATA_DIRECTORY,
  PriceDataError,
  PRICING_PAGES,
  REGIONAL_PRICE_UNITS,
  type Price,
  type RegionalPriceFile,
  type RegionalPrices,
} from "./priceTable";

// ---------------------------------------------------------------------------------------------
// Where the API lives, and which regions it may price

/**
 * The region of the Price List Query API endpoint the client is created in. The API has endpoints
 * in us-east-1, eu-central-1 and ap-south-1 only; any of them prices every region (the endpoint is
 * not related to the product's region). https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-pelong.html
 */
export const PRICE_LIST_API_REGION = "us-east-1";

/** The IAM action GetProducts needs. https://docs.aws.amazon.com/service-authorization/latest/reference/list_awspricelist.html */
export const PRICE_LIST_IAM_ACTION = "pricing:GetProducts";

/**
 * The commercial-partition regions the tool prices: `aws.Region` of @pulumi/aws without China
 * (`cn-`), GovCloud (`us-gov-`), the European Sovereign Cloud (`eusc-`) and the isolated (`-iso`)
 * regions, whose prices are not the public list prices of the commercial partition.
 */
export const COMMERCIAL_REGIONS: readonly string[] = Object.values(Region)
  .filter((region) => !/^(cn-|us-gov-|eusc-)|-iso/.test(region))
  .sort();

/** The SDK's attempts per request (first try and retries, with backoff) before a throttling error is reported. */
export const MAX_ATTEMPTS = 6;

/**
 * A PricingClient in the Price List Query API's region with the SDK's default credential chain
 * (environment, shared config and SSO profiles, container and instance roles) and MAX_ATTEMPTS
 * attempts per request, retrying ThrottlingException with backoff.
 */
export function createPricingClient(): PricingClient {
  return new PricingClient({ region: PRICE_LIST_API_REGION, maxAttempts: MAX_ATTEMPTS });
}

// ---------------------------------------------------------------------------------------------
// The descriptor table: which Price List product prices each key

/** Which command-line option adds names to a per-name price. */
export type NamedBy = "instance-type" | "db-instance-class";

/**
 * How one price of a regional file is found with GetProducts.
 *
 * Every query also filters `regionCode` on the region and, for a per-name price, `instanceType` on
 * the name (the EC2 instance type or DB instance class). The products returned are then kept when
 * their `usagetype` is one of `usageTypes` (after the region prefix) and their attributes agree
 * with `ifPresent`; of each product the first tier (beginRange 0) of its on-demand price
 * dimensions in one of `units` is taken. The price is the sum over `usageTypes`, and each of them
 * must resolve to exactly one distinct price, else the price is refused as ambiguous.
 */
export interface PriceDescriptor {
  /** The regional key (see RegionalPrices); the price's unit is REGIONAL_PRICE_UNITS[key]. */
  key: keyof RegionalPrices;
  /** For prices by engine: the engine's key below `key` (`postgres`, `aurora-mysql`...). */
  engine?: string;
  /** For prices by name: the option that adds names; the names already in the data are always priced. */
  namedBy?: NamedBy;
  /** For prices with variants: the variant's key (`singleAz`, `ioOptimized`...), below the name if any. */
  variant?: string;
  /** The Price List service code (GetProducts `ServiceCode`). */
  serviceCode: string;
  /** TERM_MATCH filters besides `regionCode` and `instanceType`: product attribute (or `productFamily`) to value. */
  filters: Readonly<Record<string, string>>;
  /**
   * The usage types whose prices are added up, without the region prefix the Price List puts before
   * most of them (`USE1-`, `EU-`, `us-east-1-`, or none); a trailing `*` matches any rest (the
   * instance class, which usage types abbreviate). Absent: any usage type.
   */
  usageTypes: readonly string[];
  /** Attributes that must have this value when a product has them (`marketoption` excludes Capacity Blocks). */
  ifPresent?: Readonly<Record<string, string>>;
  /** The Price List units accepted for the price dimension, e.g. `Hrs` for an instance-hour. */
  units: readonly string[];
  /** The AWS pricing page that publishes the price (the written price's `source`). */
  source: string;
  /** The written price's `note`: a caveat that holds for any refreshed number. */
  note?: string;
}

/** Hourly usage: the Price List writes `Hrs` (EC2, RDS, ELB, VPC) or `Hours` (EKS). */
const HOURLY = ["Hrs", "Hours"] as const;

const RDS_ENGINES = [
  { engine: "postgres", databaseEngine: "PostgreSQL", source: PRICING_PAGES.rdsPostgres },
  { engine: "mysql", databaseEngine: "MySQL", source: PRICING_PAGES.rdsMysql },
] as const;
const RDS_DEPLOYMENTS = [
  { variant: "singleAz", deploymentOption: "Single-AZ", instanceUsage: "InstanceUsage:*", storageUsage: "RDS:GP3-Storage" },
  { variant: "multiAz", deploymentOption: "Multi-AZ", instanceUsage: "Multi-AZUsage:*", storageUsage: "RDS:Multi-AZ-GP3-Storage" },
] as const;
const AURORA_ENGINES = [
  { engine: "aurora-postgresql", databaseEngine: "Aurora PostgreSQL" },
  { engine: "aurora-mysql", databaseEngine: "Aurora MySQL" },
] as const;
const AURORA_CONFIGURATIONS = [
  { variant: "standard", usage: "InstanceUsage:*", note: "Aurora Standard configuration; one rate for every instance of the cluster" },
  {
    variant: "ioOptimized",
    usage: "InstanceUsageIOOptimized:*",
    note: "Aurora I/O-Optimized configuration (no I/O charges); one rate for every instance of the cluster",
  },
] as const;

/**
 * The prices `npm run prices:update` refreshes, one row per price (or per price and name).
 *
 * Attribute names and values, checked against AWS documentation and public code that calls
 * GetProducts or reads the same Price List products:
 * - `locationType` "AWS Region" (leaves out Local Zones, Wavelength and Outposts products of the
 *   same regionCode), `volumeType`, `productFamily`, `usagetype` with its region prefix: the
 *   GetProducts sample response, https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
 * - EC2: instanceType, operatingSystem "Linux", tenancy "Shared", preInstalledSw "NA",
 *   capacitystatus "Used" (leaves out capacity reservations), licenseModel "No License required":
 *   infracost/infracost internal/resources/aws/instance.go; usage type BoxUsage:<type>.
 * - EBS gp3: productFamily "Storage", volumeApiName "gp3": infracost internal/resources/aws/ebs_volume.go;
 *   usage type EBS:VolumeUsage.gp3.
 * - NAT gateway: productFamily "NAT Gateway", usage type NatGateway-Hours (not RegionalNatGateway-Hours,
 *   not NatGateway-Bytes): infracost internal/resources/aws/nat_gateway.go.
 * - Public IPv4: service AmazonVPC, group "VPCPublicIPv4Address", usage type PublicIPv4:InUseAddress
 *   (the products carry no productFamily).
 * - Load balancers: service AWSELB, productFamily "Load Balancer-Application" / "Load
 *   Balancer-Network" / "Load Balancer" (Classic), usage types LoadBalancerUsage (not
 *   TS-LoadBalancerUsage) and LCUUsage: infracost internal/resources/aws/lb.go and elb.go.
 * - RDS: productFamily "Database Instance", databaseEngine "PostgreSQL" / "MySQL" / "Aurora
 *   PostgreSQL" / "Aurora MySQL", deploymentOption "Single-AZ" / "Multi-AZ", usage types
 *   InstanceUsage:<class> and Multi-AZUsage:<class>; Aurora Standard and I/O-Optimized differ only
 *   in the usage type, InstanceUsage:<class> against InstanceUsageIOOptimized:<class>; gp3 storage
 *   is productFamily "Database Storage", volumeType "General Purpose-GP3", usage types
 *   RDS:GP3-Storage and RDS:Multi-AZ-GP3-Storage: infracost internal/resources/aws/db_instance.go.
 * - EKS: productFamily "Compute", usage types AmazonEKS-Hours:perCluster and
 *   AmazonEKS-Hours:extendedSupport, the latter a surcharge on top of the cluster-hour (AWS's EKS
 *   page states $0.60 a cluster-hour in extended support): infracost internal/resources/aws/eks_cluster.go.
 * - KMS: service awskms, productFamily "Encryption Key", usage type KMS-Keys (prefixed with the
 *   region code), unit Keys: infracost internal/resources/aws/kms_key.go.
 * - CloudWatch: productFamily "Alarm" with usage types CW:AlarmMonitorUsage and
 *   CW:HighResAlarmMonitorUsage, unit Alarms; productFamily "Metric", usage type CW:MetricMonitorUsage,
 *   unit Metrics, tiered (the first tier is the first 10,000 metrics):
 *   infracost internal/resources/aws/cloudwatch_metric_alarm.go; usage types as AWS's CloudWatch
 *   billing guide names them, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_billing.html
 * - Secrets Manager: service AWSSecretsManager, productFamily "Secret", usage type
 *   AWSSecretsManager-Secrets, unit Secrets.
 *
 * Not refreshed (see NOT_REFRESHED): the CloudWatch dashboard (a global product), the Parameter
 * Store advanced parameter (quoted per parameter-hour), and global.json (Route 53).
 */
export const PRICE_DESCRIPTORS: readonly PriceDescriptor[] = [
  {
    key: "ec2InstanceHour",
    namedBy: "instance-type",
    serviceCode: "AmazonEC2",
    filters: {
      productFamily: "Compute Instance",
      operatingSystem: "Linux",
      tenancy: "Shared",
      preInstalledSw: "NA",
      capacitystatus: "Used",
      licenseModel: "No License required",
      locationType: "AWS Region",
    },
    usageTypes: ["BoxUsage:*"],
    ifPresent: { marketoption: "OnDemand" },
    units: HOURLY,
    source: PRICING_PAGES.ec2,
  },
  {
    key: "ebsGp3GibMonth",
    serviceCode: "AmazonEC2",
    filters: { productFamily: "Storage", volumeApiName: "gp3", locationType: "AWS Region" },
    usageTypes: ["EBS:VolumeUsage.gp3"],
    units: ["GB-Mo"],
    source: PRICING_PAGES.ebs,
  },
  {
    key: "natGatewayHour",
    serviceCode: "AmazonEC2",
    filters: { productFamily: "NAT Gateway", locationType: "AWS Region" },
    usageTypes: ["NatGateway-Hours"],
    units: HOURLY,
    source: PRICING_PAGES.vpc,
  },
  {
    key: "publicIpv4AddressHour",
    serviceCode: "AmazonVPC",
    filters: { group: "VPCPublicIPv4Address" },
    usageTypes: ["PublicIPv4:InUseAddress"],
    units: HOURLY,
    source: PRICING_PAGES.vpc,
    note: "the in-use address rate; charged since 2024-02-01 for every public IPv4 address, in use or idle",
  },
  {
    key: "applicationLoadBalancerHour",
    serviceCode: "AWSELB",
    filters: { productFamily: "Load Balancer-Application", locationType: "AWS Region" },
    usageTypes: ["LoadBalancerUsage"],
    units: HOURLY,
    source: PRICING_PAGES.elasticLoadBalancing,
  },
  {
    key: "applicationLoadBalancerCapacityUnitHour",
    serviceCode: "AWSELB",
    filters: { productFamily: "Load Balancer-Application", locationType: "AWS Region" },
    usageTypes: ["LCUUsage"],
    units: ["LCU-Hrs"],
    source: PRICING_PAGES.elasticLoadBalancing,
  },
  {
    key: "networkLoadBalancerHour",
    serviceCode: "AWSELB",
    filters: { productFamily: "Load Balancer-Network", locationType: "AWS Region" },
    usageTypes: ["LoadBalancerUsage"],
    units: HOURLY,
    source: PRICING_PAGES.elasticLoadBalancing,
  },
  {
    key: "classicLoadBalancerHour",
    serviceCode: "AWSELB",
    filters: { productFamily: "Load Balancer", locationType: "AWS Region" },
    usageTypes: ["LoadBalancerUsage"],
    units: HOURLY,
    source: PRICING_PAGES.elasticLoadBalancing,
  },
  ...RDS_ENGINES.flatMap(({ engine, databaseEngine, source }) =>
    RDS_DEPLOYMENTS.map(({ variant, deploymentOption, instanceUsage }): PriceDescriptor => ({
      key: "rdsInstanceHour",
      engine,
      namedBy: "db-instance-class",
      variant,
      serviceCode: "AmazonRDS",
      filters: { productFamily: "Database Instance", databaseEngine, deploymentOption, locationType: "AWS Region" },
      usageTypes: [instanceUsage],
      units: HOURLY,
      source,
    })),
  ),
  ...RDS_DEPLOYMENTS.map(({ variant, deploymentOption, storageUsage }): PriceDescriptor => ({
    key: "rdsGp3StorageGibMonth",
    variant,
    serviceCode: "AmazonRDS",
    filters: { productFamily: "Database Storage", volumeType: "General Purpose-GP3", deploymentOption, locationType: "AWS Region" },
    usageTypes: [storageUsage],
    units: ["GB-Mo"],
    source: PRICING_PAGES.rdsPostgres,
    note: "same rate for PostgreSQL and MySQL",
  })),
  ...AURORA_ENGINES.flatMap(({ engine, databaseEngine }) =>
    AURORA_CONFIGURATIONS.map(({ variant, usage, note }): PriceDescriptor => ({
      key: "auroraInstanceHour",
      engine,
      namedBy: "db-instance-class",
      variant,
      serviceCode: "AmazonRDS",
      filters: { productFamily: "Database Instance", databaseEngine, locationType: "AWS Region" },
      usageTypes: [usage],
      units: HOURLY,
      source: PRICING_PAGES.aurora,
      note,
    })),
  ),
  {
    key: "eksClusterHour",
    variant: "standardSupport",
    serviceCode: "AmazonEKS",
    filters: { productFamily: "Compute", locationType: "AWS Region" },
    usageTypes: ["AmazonEKS-Hours:perCluster"],
    units: HOURLY,
    source: PRICING_PAGES.eks,
    note: "Kubernetes version in standard support",
  },
  {
    key: "eksClusterHour",
    variant: "extendedSupport",
    serviceCode: "AmazonEKS",
    filters: { productFamily: "Compute", locationType: "AWS Region" },
    usageTypes: ["AmazonEKS-Hours:perCluster", "AmazonEKS-Hours:extendedSupport"],
    units: HOURLY,
    source: PRICING_PAGES.eks,
    note: "Kubernetes version in extended support: the cluster-hour rate plus the extended support surcharge",
  },
  {
    key: "kmsKeyMonth",
    serviceCode: "awskms",
    filters: { productFamily: "Encryption Key" },
    usageTypes: ["KMS-Keys"],
    units: ["Keys"],
    source: PRICING_PAGES.kms,
    note: "with automatic rotation each of the first two yearly rotations adds the same rate again (the first year costs one rate)",
  },
  {
    key: "cloudwatchAlarmMetricMonth",
    variant: "standardResolution",
    serviceCode: "AmazonCloudWatch",
    filters: { productFamily: "Alarm" },
    usageTypes: ["CW:AlarmMonitorUsage"],
    units: ["Alarms"],
    source: PRICING_PAGES.cloudwatch,
  },
  {
    key: "cloudwatchAlarmMetricMonth",
    variant: "highResolution",
    serviceCode: "AmazonCloudWatch",
    filters: { productFamily: "Alarm" },
    usageTypes: ["CW:HighResAlarmMonitorUsage"],
    units: ["Alarms"],
    source: PRICING_PAGES.cloudwatch,
  },
  {
    key: "cloudwatchMetricMonth",
    serviceCode: "AmazonCloudWatch",
    filters: { productFamily: "Metric" },
    usageTypes: ["CW:MetricMonitorUsage"],
    units: ["Metrics"],
    source: PRICING_PAGES.cloudwatch,
    note: "first 10,000 metrics (the first tier)",
  },
  {
    key: "secretsManagerSecretMonth",
    serviceCode: "AWSSecretsManager",
    filters: { productFamily: "Secret" },
    usageTypes: ["AWSSecretsManager-Secrets"],
    units: ["Secrets"],
    source: PRICING_PAGES.secretsManager,
  },
];

/** What the tool leaves as it is, and why. */
export const NOT_REFRESHED: Readonly<Record<string, string>> = {
  cloudwatchDashboardMonth: "a global Price List product (no regionCode), one rate everywhere",
  cloudwatchCompositeAlarmMonth: "entered by hand from the CloudWatch pricing page (composite alarms, per alarm-month)",
  ssmAdvancedParameterMonth: "the Price List quotes it per parameter-hour; the table keeps AWS's per-month rate",
  elasticacheNodeHour: "entered by hand from the ElastiCache pricing page (node-hours by engine and node type); the tool does not query ElastiCache's products",
  "global.json": "Route 53, ARC Region switch and AWS WAF prices are global products; edit global.json by hand",
};

// ---------------------------------------------------------------------------------------------
// Reading a PriceList entry

/** One first-tier on-demand price of a product: USD per Price List `unit`. */
export interface ProductPrice {
  sku: string;
  usageType: string;
  usd: number;
  /** The Price List unit, e.g. `Hrs`, `GB-Mo`. */
  unit: string;
}

/** A parsed PriceList entry: its SKU, product family, attributes, and first-tier on-demand prices. */
export interface PriceListProduct {
  sku: string;
  productFamily?: string;
  attributes: Record<string, string>;
  /** Every on-demand price dimension whose tier begins at 0 (usually one). */
  prices: ProductPrice[];
}

/** The Price List Query API failed, or its answer cannot be used: one line, no stack trace needed. */
export class PriceUpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PriceUpdateError";
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Parses one PriceList entry of a GetProducts response: a JSON string of
 * `{product: {productFamily, attributes, sku}, serviceCode, terms: {OnDemand: {<sku>.<offer>: {priceDimensions: {<rate>: {unit, beginRange, endRange, pricePerUnit: {USD}}}}}}}`.
 * Keeps the on-demand dimensions of the first tier (beginRange "0", or no beginRange) with a
 * numeric USD price; Reserved terms are ignored. The terms are described in
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html
 * @returns the product, with `prices` empty when it has no such dimension.
 * @throws PriceUpdateError when the entry is not JSON or has no product SKU and attributes.
 */
export function parsePriceListEntry(entry: string): PriceListProduct {
  let document: unknown;
  try {
    document = JSON.parse(entry);
  } catch {
    throw new PriceUpdateError(`GetProducts returned a PriceList entry that is not JSON: ${entry.slice(0, 80)}`);
  }
  const product = isObject(document) ? document.product : undefined;
  if (!isObject(product) || typeof product.sku !== "string" || !isObject(product.attributes)) {
    throw new PriceUpdateError(`GetProducts returned a PriceList entry without product.sku and product.attributes: ${entry.slice(0, 80)}`);
  }
  const attributes = Object.fromEntries(Object.entries(product.attributes).map(([name, value]) => [name, String(value)]));
  const sku = product.sku;
  const usageType = attributes.usagetype ?? "";
  const terms = isObject(document) && isObject(document.terms) ? document.terms : {};
  const onDemand = isObject(terms.OnDemand) ? terms.OnDemand : {};
  const prices: ProductPrice[] = [];
  for (const offer of Object.values(onDemand)) {
    const dimensions = isObject(offer) && isObject(offer.priceDimensions) ? offer.priceDimensions : {};
    for (const dimension of Object.values(dimensions)) {
      if (!isObject(dimension) || !isObject(dimension.pricePerUnit)) continue;
      const beginRange = dimension.beginRange === undefined ? 0 : Number(dimension.beginRange);
      const usd = Number(dimension.pricePerUnit.USD);
      if (beginRange !== 0 || typeof dimension.pricePerUnit.USD !== "string" || !Number.isFinite(usd)) continue;
      prices.push({ sku, usageType, usd, unit: String(dimension.unit ?? "") });
    }
  }
  return { sku, productFamily: typeof product.productFamily === "string" ? product.productFamily : undefined, attributes, prices };
}

// ---------------------------------------------------------------------------------------------
// Asking the API

/** The region prefix of a usage type: an AWS billing code (`USE1`, `APS2`, `EU`) or a region code (`us-east-1`, as KMS writes it). */
const USAGE_TYPE_PREFIX = "(?:(?:[A-Z]{3}\\d|EU|[a-z]{2}(?:-[a-z]+)+-\\d)-)?";

/** The pattern of a descriptor usage type: the optional region prefix, the usage type, and any rest for a trailing `*`. */
export function usageTypePattern(usageType: string): RegExp {
  const open = usageType.endsWith("*");
  const body = (open ? usageType.slice(0, -1) : usageType).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${USAGE_TYPE_PREFIX}${body}${open ? ".+" : ""}$`);
}

const THROTTLED = new Set(["ThrottlingException", "TooManyRequestsException"]);
const DENIED = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
]);

/**
 * A one-line message for an error of GetProducts or of the SDK finding credentials:
 * CredentialsProviderError (no credentials), AccessDeniedException and the signature or token
 * errors (the identity needs pricing:GetProducts), ThrottlingException left after the SDK's
 * retries (GetProducts errors: https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html;
 * quota: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-pelong.html), or any other.
 * @returns the error to throw, its message naming the service code queried and what to do.
 */
export function describeApiError(error: unknown, serviceCode: string): PriceUpdateError {
  const failure = error as { name?: string; message?: string; $metadata?: { attempts?: number } };
  const name = failure?.name ?? "Error";
  const message = String(failure?.message ?? error)
    .replace(/\s+/g, " ")
    .trim();
  if (name === "CredentialsProviderError") {
    return new PriceUpdateError(
      `no AWS credentials: the SDK's default credential chain found none (${message}); configure credentials (AWS_PROFILE, aws sso login, or environment variables) for an identity allowed ${PRICE_LIST_IAM_ACTION}`,
    );
  }
  if (DENIED.has(name)) {
    return new PriceUpdateError(
      `access denied by the AWS Price List Query API (${name}: ${message}); the identity needs the IAM action ${PRICE_LIST_IAM_ACTION} (and valid, unexpired credentials)`,
    );
  }
  if (THROTTLED.has(name)) {
    const attempts = failure.$metadata?.attempts ?? MAX_ATTEMPTS;
    return new PriceUpdateError(
      `the AWS Price List Query API kept throttling GetProducts ${serviceCode} (${name}) after the SDK's ${attempts} attempts (quota: 5 requests a second per account); wait a minute and rerun`,
    );
  }
  return new PriceUpdateError(`GetProducts ${serviceCode} failed (${name}: ${message})`);
}

/** Pages of one query beyond which the filters are taken to be too loose. */
const MAX_PAGES = 50;

/**
 * Every product of one query, through all pages: GetProducts with TERM_MATCH filters, 100 results a
 * page (the maximum), following NextToken until the response has none; `onRequest` is called before
 * each request. https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
 * @throws PriceUpdateError for an API error (see describeApiError) or a malformed entry.
 */
export async function getProducts(
  client: PricingClient,
  serviceCode: string,
  filters: Readonly<Record<string, string>>,
  onRequest: () => void = () => {},
): Promise<PriceListProduct[]> {
  const Filters: Filter[] = Object.entries(filters)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Field, Value]) => ({ Type: "TERM_MATCH", Field, Value }));
  const products: PriceListProduct[] = [];
  const seen = new Set<string>();
  let NextToken: string | undefined;
  for (let page = 1; ; page++) {
    let response: GetProductsCommandOutput;
    onRequest();
    try {
      response = await client.send(new GetProductsCommand({ ServiceCode: serviceCode, Filters, FormatVersion: "aws_v1", MaxResults: 100, NextToken }));
    } catch (error) {
      throw describeApiError(error, serviceCode);
    }
    // Each entry is a JSON string; the SDK hands it over as a LazyJsonString (a String).
    const entries = (response.PriceList ?? []) as unknown[];
    products.push(...entries.map((entry) => parsePriceListEntry(typeof entry === "string" || entry instanceof String ? String(entry) : JSON.stringify(entry))));
    NextToken = response.NextToken || undefined;
    if (!NextToken) return products;
    if (seen.has(NextToken) || page >= MAX_PAGES) {
      throw new PriceUpdateError(`GetProducts ${serviceCode} ${JSON.stringify(filters)} did not end after ${page} pages; the filters are too loose`);
    }
    seen.add(NextToken);
  }
}

// ---------------------------------------------------------------------------------------------
// Resolving one price

/** A price found: USD per the table's unit, and the SKUs it was read from. */
interface Found {
  found: true;
  usd: number;
  skus: string[];
}
/** Why a price could not be read. */
interface NotFound {
  found: false;
  reason: "not found" | "ambiguous" | "unit mismatch" | "zero price";
  detail: string;
}

const describeFilters = (serviceCode: string, filters: Readonly<Record<string, string>>) =>
  `${serviceCode} ${Object.entries(filters)
    .map(([name, value]) => `${name}=${value}`)
    .join(", ")}`;

/** The price of one usage type among a query's products, or why there is none. */
function resolveUsageType(descriptor: PriceDescriptor, products: PriceListProduct[], usageType: string, where: string): Found | NotFound {
  const pattern = usageTypePattern(usageType);
  const matching = products.filter(
    (product) =>
      pattern.test(product.attributes.usagetype ?? "") &&
      Object.entries(descriptor.ifPresent ?? {}).every(([name, value]) => product.attributes[name] === undefined || product.attributes[name] === value),
  );
  const candidates = matching.flatMap((product) => product.prices);
  if (candidates.length === 0) {
    const products_ = matching.length > 0 ? `${matching.length} product(s) but no on-demand USD price starting at 0` : "no product";
    return { found: false, reason: "not found", detail: `${products_} for usage type ${usageType} (${where})` };
  }
  const inUnit = candidates.filter((candidate) => descriptor.units.includes(candidate.unit));
  if (inUnit.length === 0) {
    const units = [...new Set(candidates.map((candidate) => candidate.unit))].join(", ");
    return { found: false, reason: "unit mismatch", detail: `${usageType} is priced per ${units}, expected ${descriptor.units.join(" or ")} (${where})` };
  }
  const distinct = [...new Set(inUnit.map((candidate) => candidate.usd))];
  if (distinct.length > 1) {
    const listed = inUnit
      .slice(0, 4)
      .map((candidate) => `SKU ${candidate.sku} ${candidate.usageType} $${candidate.usd}`)
      .join("; ");
    return {
      found: false,
      reason: "ambiguous",
      detail: `${distinct.length} different prices for usage type ${usageType} (${listed}${inUnit.length > 4 ? "; ..." : ""}); narrow the descriptor's filters (${where})`,
    };
  }
  if (distinct[0] === 0) return { found: false, reason: "zero price", detail: `the Price List quotes $0 for ${usageType} (${where})` };
  return { found: true, usd: distinct[0], skus: [...new Set(inUnit.map((candidate) => candidate.sku))].sort() };
}

// ---------------------------------------------------------------------------------------------
// The run

/** One price slot of a file: a descriptor, and the name for a per-name price. */
interface Slot {
  descriptor: PriceDescriptor;
  name?: string;
  /** The path of the price in the file's `prices`. */
  path: string[];
}

/** What happened to one price. */
export interface PriceChange {
  /** The price's path in `prices`, dot-joined: `ec2InstanceHour.t3.micro`, `rdsInstanceHour.postgres.db.t4g.micro.multiAz`. */
  path: string;
  /**
   * `changed`: a new number; `confirmed`: the same number, now verified and dated; `added`: a price
   * the file lacked; `kept`: the API gave no usable price, the old one stays; `not added`: the file
   * lacks it and the API gave no usable price (or not every variant of a new entry).
   */
  kind: "changed" | "confirmed" | "added" | "kept" | "not added";
  /** USD per `unit` before, if the file had the price. */
  oldUsd?: number;
  /** USD per `unit` after, for changed, confirmed and added prices. */
  newUsd?: number;
  /** The table's unit, e.g. `instance-hour`. */
  unit: string;
  /** For kept and not added prices: why (not found, ambiguous, unit mismatch, zero price, incomplete) and the query. */
  reason?: string;
}

/** What happened to one file. */
export interface FileReport {
  region: string;
  file: string;
  /** True when the region had no file. */
  isNew: boolean;
  /** True when the file is (or, in a dry run, would be) written: at least one price was refreshed. */
  written: boolean;
  oldAsOf?: string;
  changes: PriceChange[];
}

/** What a run did. */
export interface UpdateReport {
  /** The date written as `asOf`. */
  asOf: string;
  dryRun: boolean;
  pricesDir: string;
  files: FileReport[];
  /** GetProducts calls made (pages included). */
  requests: number;
}

/** The options of one run. */
export interface UpdateOptions {
  /** Regions to price besides those with a file; commercial partition only. */
  regions?: string[];
  /** EC2 instance types to price in every region besides those in the data. */
  instanceTypes?: string[];
  /** DB instance classes to price, for RDS (postgres, mysql) and Aurora (aurora-postgresql, aurora-mysql), in every region. */
  dbInstanceClasses?: string[];
  /** Print, write nothing. */
  dryRun?: boolean;
  /** The price files' folder; default cost/prices. */
  pricesDir?: string;
  /** A client; default createPricingClient(). */
  client?: PricingClient;
  /** The ISO date written as `asOf`; default today (UTC). */
  today?: string;
  /** Progress lines, e.g. to stderr. */
  progress?: (line: string) => void;
}

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const DB_INSTANCE_CLASS = /^db\.[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

function checkOptions(options: UpdateOptions): void {
  for (const region of options.regions ?? []) {
    if (!COMMERCIAL_REGIONS.includes(region)) {
      throw new PriceUpdateError(`${region} is not a region of the AWS commercial partition (one of ${COMMERCIAL_REGIONS.join(", ")})`);
    }
  }
  for (const type of options.instanceTypes ?? []) {
    if (!INSTANCE_TYPE.test(type)) throw new PriceUpdateError(`${type} is not an EC2 instance type such as t3.micro`);
  }
  for (const instanceClass of options.dbInstanceClasses ?? []) {
    if (!DB_INSTANCE_CLASS.test(instanceClass)) throw new PriceUpdateError(`${instanceClass} is not a DB instance class such as db.t4g.micro`);
  }
  if (options.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new PriceUpdateError(`${options.today} is not an ISO date`);
}

const getAt = (root: Json, at: string[]): unknown => at.reduce<unknown>((node, step) => (isObject(node) ? node[step] : undefined), root);

function setAt(root: Json, at: string[], value: unknown): void {
  let node = root;
  for (const step of at.slice(0, -1)) {
    if (!isObject(node[step])) node[step] = {};
    node = node[step] as Json;
  }
  node[at[at.length - 1]] = value;
}

const isPrice = (value: unknown): value is Price => isObject(value) && typeof value.usd === "number" && typeof value.unit === "string";

/** The path of a descriptor's container of names (or of its price, for a price without name). */
const containerPath = (descriptor: PriceDescriptor): string[] => [descriptor.key, ...(descriptor.engine ? [descriptor.engine] : [])];

/** The names a file holds under a per-name descriptor's container. */
function namesIn(prices: Json, descriptor: PriceDescriptor): string[] {
  const container = getAt(prices, containerPath(descriptor));
  return isObject(container) ? Object.keys(container) : [];
}

function slotsOf(prices: Json, otherFiles: Json[], isNew: boolean, options: UpdateOptions): Slot[] {
  return PRICE_DESCRIPTORS.flatMap((descriptor): Slot[] => {
    const variant = descriptor.variant ? [descriptor.variant] : [];
    if (!descriptor.namedBy) return [{ descriptor, path: [...containerPath(descriptor), ...variant] }];
    const asked = descriptor.namedBy === "instance-type" ? (options.instanceTypes ?? []) : (options.dbInstanceClasses ?? []);
    // A new region gets every name the other regions price, so that its file matches theirs.
    const known = isNew ? otherFiles.flatMap((other) => namesIn(other, descriptor)) : namesIn(prices, descriptor);
    const names = [...new Set([...known, ...asked])];
    return names.map((name) => ({ descriptor, name, path: [...containerPath(descriptor), name, ...variant] }));
  });
}

/** Every variant a new entry of this descriptor needs (an RDS entry needs singleAz and multiAz). */
const variantsOf = (descriptor: PriceDescriptor): string[] =>
  PRICE_DESCRIPTORS.filter((other) => other.key === descriptor.key && other.engine === descriptor.engine && other.variant).map((other) => other.variant!);

/** Sets `asOf` on every price without one, so that moving the file's date does not re-date it. */
function pinDates(node: unknown, asOf: string, refreshed: Set<Price>): void {
  if (isPrice(node)) {
    if (!refreshed.has(node) && node.asOf === undefined) node.asOf = asOf;
    return;
  }
  if (isObject(node)) for (const child of Object.values(node)) pinDates(child, asOf, refreshed);
}

/** The file's prices with its keys in the order of REGIONAL_PRICE_UNITS. */
function ordered(prices: Json): Json {
  const keys = Object.keys(REGIONAL_PRICE_UNITS);
  return Object.fromEntries(Object.entries(prices).sort(([a], [b]) => keys.indexOf(a) - keys.indexOf(b)));
}

const seenAt = (serviceCode: string, skus: string[]) =>
  `AWS Price List Query API GetProducts ${serviceCode} ${skus.length > 1 ? "SKUs" : "SKU"} ${skus.join(" + ")}`;

/**
 * Refreshes the regional price files from the AWS Price List Query API.
 *
 * Prices, for each region with a file in `pricesDir` plus `options.regions`: every descriptor of
 * PRICE_DESCRIPTORS, per-name prices for the names already in that region's file (for a new
 * region: in any file) plus the names asked for. A price found is written as `{usd, unit (the
 * table's, e.g. instance-hour), source (its AWS pricing page), verified: true, seenAt: "AWS Price
 * List Query API GetProducts <ServiceCode> SKU <sku>", asOf: today, note?}`. A price not found,
 * ambiguous (several prices for one filter), in another unit or $0 is kept as it was and reported.
 * A file with at least one price refreshed is rewritten with `asOf` today (the prices it keeps
 * without their own `asOf` get the file's old date); a new region gets a new file. The whole
 * result is checked with loadPriceTable on a copy before anything is written; nothing is written
 * when `dryRun` is set, or when any request fails.
 * @returns what changed, per file.
 * @throws PriceUpdateError for a region outside the commercial partition, a malformed option, no
 *   credentials, access denied (pricing:GetProducts), throttling that outlasts the SDK's retries,
 *   another API error, or a result that would not load; PriceDataError when the files cannot be read.
 */
export async function updatePrices(options: UpdateOptions = {}): Promise<UpdateReport> {
  checkOptions(options);
  const pricesDir = path.resolve(options.pricesDir ?? PRICE_DATA_DIRECTORY);
  if (!existsSync(pricesDir) || !statSync(pricesDir).isDirectory()) throw new PriceUpdateError(`${pricesDir} is not a folder of price files`);
  loadPriceTable(pricesDir); // the existing files must be valid before anything is asked
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const progress = options.progress ?? (() => {});

  const fileOf = (region: string) => path.join(pricesDir, `${region}.json`);
  const existing = readdirSync(pricesDir)
    .filter((name) => name.endsWith(".json") && name !== "global.json")
    .map((name) => name.slice(0, -".json".length));
  const documents = new Map<string, RegionalPriceFile>(
    existing.map((region) => [region, JSON.parse(readFileSync(fileOf(region), "utf8")) as RegionalPriceFile]),
  );
  const regions = [...new Set([...existing, ...(options.regions ?? [])])].sort();
  for (const region of regions) {
    if (!COMMERCIAL_REGIONS.includes(region)) throw new PriceUpdateError(`${region} (${fileOf(region)}) is not a region of the AWS commercial partition`);
  }

  const client = options.client ?? createPricingClient();
  // Descriptors that share a query (Aurora Standard and I/O-Optimized, the EKS rates) share its answer.
  const cache = new Map<string, Promise<PriceListProduct[]>>();
  let requests = 0;
  const query = (serviceCode: string, filters: Record<string, string>) => {
    const key = describeFilters(serviceCode, Object.fromEntries(Object.entries(filters).sort(([a], [b]) => a.localeCompare(b))));
    let products = cache.get(key);
    if (!products) {
      products = getProducts(client, serviceCode, filters, () => requests++);
      cache.set(key, products);
    }
    return products;
  };

  const reports: FileReport[] = [];
  const contents = new Map<string, string>();
  for (const region of regions) {
    const document = documents.get(region);
    const isNew = document === undefined;
    const prices: Json = structuredClone((document?.prices ?? {}) as Json);
    const others = [...documents.values()].map((other) => other.prices as Json);
    const slots = slotsOf(prices, others, isNew, options);
    progress(`${region}: ${slots.length} prices`);

    const changes: PriceChange[] = [];
    const refreshed = new Set<Price>();
    const pending = new Map<string, { parent: string[]; required: string[]; found: Map<string, Price> }>();
    for (const slot of slots) {
      const { descriptor } = slot;
      const filters = { ...descriptor.filters, regionCode: region, ...(slot.name ? { instanceType: slot.name } : {}) };
      const where = describeFilters(descriptor.serviceCode, filters);
      const products = await query(descriptor.serviceCode, filters);
      const parts = descriptor.usageTypes.map((usageType) => resolveUsageType(descriptor, products, usageType, where));
      const failed = parts.find((part): part is NotFound => !part.found);
      const unit = REGIONAL_PRICE_UNITS[descriptor.key];
      const old = getAt(prices, slot.path);
      const oldUsd = isPrice(old) ? old.usd : undefined;
      const at = slot.path.join(".");
      if (failed) {
        changes.push({ path: at, kind: oldUsd === undefined ? "not added" : "kept", oldUsd, unit, reason: `${failed.reason}: ${failed.detail}` });
        continue;
      }
      const found = parts as Found[];
      const usd = Number(found.reduce((sum, part) => sum + part.usd, 0).toFixed(10));
      const price: Price = {
        usd,
        unit,
        source: descriptor.source,
        verified: true,
        seenAt: seenAt(
          descriptor.serviceCode,
          found.flatMap((part) => part.skus),
        ),
        asOf: today,
        ...(descriptor.note ? { note: descriptor.note } : {}),
      };
      refreshed.add(price);
      const parent = slot.path.slice(0, -1);
      if (oldUsd === undefined && descriptor.variant && !isObject(getAt(prices, parent))) {
        // A new entry with variants (RDS singleAz and multiAz...) is written only when all are found.
        const entry = pending.get(parent.join("\u0000")) ?? { parent, required: variantsOf(descriptor), found: new Map() };
        entry.found.set(descriptor.variant, price);
        pending.set(parent.join("\u0000"), entry);
        continue;
      }
      setAt(prices, slot.path, price);
      changes.push({ path: at, kind: oldUsd === undefined ? "added" : oldUsd === usd ? "confirmed" : "changed", oldUsd, newUsd: usd, unit });
    }
    for (const { parent, required, found } of pending.values()) {
      const missing = required.filter((variant) => !found.has(variant));
      for (const [variant, price] of found) {
        const at = [...parent, variant].join(".");
        if (missing.length === 0) {
          setAt(prices, [...parent, variant], price);
          changes.push({ path: at, kind: "added", newUsd: price.usd, unit: price.unit });
        } else {
          refreshed.delete(price);
          changes.push({
            path: at,
            kind: "not added",
            unit: price.unit,
            reason: `incomplete: a new ${parent.join(".")} needs ${required.join(" and ")}; ${missing.join(", ")} not found`,
          });
        }
      }
    }

    const written = changes.some((change) => change.kind === "changed" || change.kind === "confirmed" || change.kind === "added");
    if (written) {
      if (document) pinDates(prices, document.asOf, refreshed);
      const file: RegionalPriceFile = { region, asOf: today, currency: "USD", prices: ordered(prices) as Partial<RegionalPrices> };
      contents.set(region, `${JSON.stringify(file, null, 2)}\n`);
    }
    reports.push({ region, file: fileOf(region), isNew, written, oldAsOf: document?.asOf, changes });
  }

  if (contents.size > 0) {
    checkLoads(pricesDir, contents);
    if (!options.dryRun) for (const [region, content] of contents) writeFileSync(fileOf(region), content);
  }
  return { asOf: today, dryRun: options.dryRun ?? false, pricesDir, files: reports, requests };
}

/** Loads a copy of the folder with the new contents, so that a result the estimate cannot read is never written. */
function checkLoads(pricesDir: string, contents: Map<string, string>): void {
  const copy = mkdtempSync(path.join(os.tmpdir(), "prices-update-"));
  try {
    for (const name of readdirSync(pricesDir).filter((file) => file.endsWith(".json"))) {
      writeFileSync(path.join(copy, name), readFileSync(path.join(pricesDir, name)));
    }
    for (const [region, content] of contents) writeFileSync(path.join(copy, `${region}.json`), content);
    loadPriceTable(copy);
  } catch (error) {
    if (error instanceof PriceDataError) throw new PriceUpdateError(`the updated prices would not load (${error.message}); nothing was written`);
    throw error;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Printing

const usdOf = (usd: number | undefined) => (usd === undefined ? "?" : `${usd}`);

/**
 * The report as text: per file, each changed price (old -> new), each added one, the number
 * confirmed, and each kept or not added with its reason; then what was written and what the tool
 * does not refresh.
 */
export function formatReport(report: UpdateReport, cwd: string = process.cwd()): string {
  const lines: string[] = [];
  for (const file of report.files) {
    const shown = path.relative(cwd, file.file) || file.file;
    const dated = file.written
      ? file.isNew
        ? `new file, asOf ${report.asOf}`
        : `asOf ${file.oldAsOf} -> ${report.asOf}`
      : "left as it was: nothing refreshed";
    lines.push(`${shown} (${dated})`);
    const confirmed = file.changes.filter((change) => change.kind === "confirmed");
    for (const change of file.changes) {
      if (change.kind === "changed") lines.push(`  changed    ${change.path}: ${usdOf(change.oldUsd)} -> ${usdOf(change.newUsd)} USD/${change.unit}`);
      if (change.kind === "added") lines.push(`  added      ${change.path}: ${usdOf(change.newUsd)} USD/${change.unit}`);
    }
    if (confirmed.length > 0) lines.push(`  confirmed  ${confirmed.length} price(s) unchanged, now verified and dated ${report.asOf}`);
    for (const change of file.changes) {
      if (change.kind === "kept") lines.push(`  kept       ${change.path}: ${usdOf(change.oldUsd)} USD/${change.unit} as it was; ${change.reason}`);
      if (change.kind === "not added") lines.push(`  not added  ${change.path}: ${change.reason}`);
    }
  }
  const files = report.files.filter((file) => file.written).length;
  lines.push(
    report.dryRun
      ? `Dry run: ${files} file(s) would be written; nothing was written (${report.requests} GetProducts requests).`
      : `Wrote ${files} file(s) (${report.requests} GetProducts requests).`,
  );
  lines.push(
    `Not refreshed by prices:update: ${Object.entries(NOT_REFRESHED)
      .map(([what, why]) => `${what} (${why})`)
      .join("; ")}.`,
  );
  return lines.join("\n");
}
