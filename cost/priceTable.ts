/**
 * The price table the cost estimate reads: AWS on-demand list prices, in US dollars, for the
 * resource types and sizes this program creates, per region. The numbers live in dated data files,
 * one per region plus one for global services (`cost/prices/<region>.json`, `cost/prices/global.json`),
 * which `npm run prices:update` refreshes from the AWS Price List Query API (cost/priceUpdate.ts).
 * This module holds their shape, loads and checks them, and looks prices up. A lookup never
 * throws for a price the data lacks: it returns a `MissingPrice` saying which region, key and name
 * is missing and how to add it, and the estimate lists that charge as not priced.
 *
 * Every price names the AWS pricing page that publishes it (`source`). A price is `verified` when
 * the number was read on its date in a stored copy of a page quoting it (`seenAt`), or was returned
 * by the AWS Price List Query API (`seenAt` names the SKU); otherwise it comes from the AWS price list
 * as known on that date and says so in its `note`. Check unverified prices against the AWS Pricing
 * Calculator (https://calculator.aws/), or refresh them with `npm run prices:update`.
 *
 * Not in the table: account-wide free allowances (AWS Free Tier, the first 50 Route 53 health checks
 * of AWS endpoints, the first 10 CloudWatch alarms and metrics, the first 3 CloudWatch dashboards).
 * They are shared by everything in an account, so a per-stack estimate leaves them out and errs high.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";

/** One list price. */
export interface Price {
  /** US dollars per `unit`. */
  usd: number;
  /** What one unit is, e.g. `instance-hour`, `GiB-month`. */
  unit: string;
  /** The AWS pricing page that publishes this price. */
  source: string;
  /** True when the number was read in a stored copy of a page quoting it, or returned by the AWS Price List Query API (`seenAt`); false when it comes from the AWS price list as remembered. */
  verified: boolean;
  /** Where the number was read, when verified: a page, or `AWS Price List Query API GetProducts <service> SKU <sku>`. */
  seenAt?: string;
  /** ISO date the price was taken; default its file's `asOf`. */
  asOf?: string;
  /** Assumptions, caveats, and for unverified prices why and how to check. */
  note?: string;
}

/** A price the data lacks: its unit and why it is missing, with the fix. */
export interface MissingPrice {
  missing: true;
  /** The unit the price would have, e.g. `instance-hour`. */
  unit: string;
  /** Which region, key and name has no price, and how to add it. */
  reason: string;
}

/** A looked-up price, or what is missing. */
export type PriceLookup = Price | MissingPrice;

/** True when a lookup found no price. */
export function isMissingPrice(lookup: PriceLookup): lookup is MissingPrice {
  return "missing" in lookup;
}

/** A price for each RDS deployment option. */
export interface DeploymentPrices {
  singleAz: Price;
  /** A Multi-AZ DB instance: a synchronous standby in another zone, billed as a second instance. */
  multiAz: Price;
}

/** RDS engines the table prices, keyed as the `engine` input names them. */
export const PRICED_DATABASE_ENGINES = ["postgres", "mysql"] as const;
/** An RDS engine the table prices: `postgres` or `mysql`. */
export type PricedDatabaseEngine = (typeof PRICED_DATABASE_ENGINES)[number];

/** ElastiCache engines the table prices per node-hour, keyed as the replication group's `engine` input names them. */
export const PRICED_CACHE_ENGINES = ["valkey", "redis"] as const;
/** An ElastiCache engine the table prices: `valkey` or `redis` (Redis OSS). */
export type PricedCacheEngine = (typeof PRICED_CACHE_ENGINES)[number];

/** Aurora engines the table prices, keyed as the `engine` input of a cluster or cluster instance names them. */
export const PRICED_AURORA_ENGINES = ["aurora-postgresql", "aurora-mysql"] as const;
/** An Aurora engine the table prices: `aurora-postgresql` or `aurora-mysql`. */
export type PricedAuroraEngine = (typeof PRICED_AURORA_ENGINES)[number];

/**
 * A price for each Aurora cluster storage configuration (RDS CreateDBCluster `StorageType`): Aurora
 * Standard (`aurora`, the default: I/O requests billed per million) and Aurora I/O-Optimized
 * (`aurora-iopt1`: no I/O charges, higher instance and storage rates).
 */
export interface AuroraConfigurationPrices {
  standard: Price;
  ioOptimized: Price;
}

/**
 * The prices of one region. A region's file may hold any subset: what it lacks is listed as not
 * priced in the estimate, never an error.
 */
export interface RegionalPrices {
  /** EC2 on-demand Linux (shared tenancy), by instance type. */
  ec2InstanceHour: Record<string, Price>;
  /** EBS General Purpose SSD (gp3) storage; the 3,000 IOPS and 125 MB/s baseline is included. */
  ebsGp3GibMonth: Price;
  /** A NAT gateway's hourly charge; data processed is usage. */
  natGatewayHour: Price;
  /** One public IPv4 address (NAT gateway Elastic IP, internet-facing load balancer node), in use or idle. */
  publicIpv4AddressHour: Price;
  /** An Application Load Balancer's hourly charge. */
  applicationLoadBalancerHour: Price;
  /** One Load Balancer Capacity Unit hour: usage, quoted in the usage-based list. */
  applicationLoadBalancerCapacityUnitHour: Price;
  /** A Network Load Balancer's hourly charge (such as the one a Kubernetes Service of type LoadBalancer gets); NLCUs are usage. */
  networkLoadBalancerHour: Price;
  /** A Classic Load Balancer's hourly charge (a Kubernetes Service of type LoadBalancer without the `nlb` annotation); data processed is usage. */
  classicLoadBalancerHour: Price;
  /** RDS on-demand instance hours by engine and DB instance class (license included for neither: both are open source). */
  rdsInstanceHour: Record<PricedDatabaseEngine, Record<string, DeploymentPrices>>;
  /** RDS General Purpose SSD (gp3) storage; the baseline IOPS and throughput are included. */
  rdsGp3StorageGibMonth: DeploymentPrices;
  /**
   * Aurora provisioned on-demand instance hours by engine and DB instance class, per storage
   * configuration. Each instance of a cluster (writer or reader, any zone) is billed on its own;
   * there is no Multi-AZ multiplier (Aurora pricing). Storage, I/O and backup storage are usage.
   */
  auroraInstanceHour: Record<PricedAuroraEngine, Record<string, AuroraConfigurationPrices>>;
  /**
   * ElastiCache on-demand node hours of a node-based cluster, by engine and node type: every node of a
   * replication group (primaries and replicas alike) is billed per hour, and Valkey's nodes cost up to 20%
   * less than Redis OSS's ("On ElastiCache for Valkey self-designed node-based, you can benefit from up to
   * 20% lower cost per node", Amazon ElastiCache FAQs). Backups beyond the free one and data transfer are usage.
   */
  elasticacheNodeHour: Record<PricedCacheEngine, Record<string, Price>>;
  /** EKS control plane, per cluster-hour. */
  eksClusterHour: { standardSupport: Price; extendedSupport: Price };
  /** A customer managed KMS key (symmetric, asymmetric, HMAC or multi-Region replica alike). */
  kmsKeyMonth: Price;
  /** CloudWatch metric alarm, per alarm metric: standard (period of 60 s or more) or high resolution (10 or 30 s). */
  cloudwatchAlarmMetricMonth: { standardResolution: Price; highResolution: Price };
  /** A CloudWatch composite alarm, whatever its rule (CloudWatch pricing, "Alarms": composite alarms are billed per alarm). */
  cloudwatchCompositeAlarmMonth: Price;
  /** A CloudWatch custom or detailed-monitoring metric (first 10,000 metrics tier). */
  cloudwatchMetricMonth: Price;
  /** A CloudWatch dashboard (the first 3 of an account, up to 50 metrics each, are free: not applied). */
  cloudwatchDashboardMonth: Price;
  /** A Secrets Manager secret, such as the one RDS creates for `manageMasterUserPassword`. */
  secretsManagerSecretMonth: Price;
  /** A Systems Manager Parameter Store advanced parameter (standard parameters are free). */
  ssmAdvancedParameterMonth: Price;
}

/** Prices of global services (Route 53): no region. */
export interface GlobalPrices {
  /** A hosted zone, public or private (first 25 zones of an account). */
  route53HostedZoneMonth: Price;
  /** A basic health check, by endpoint kind (AWS: a resource in AWS, such as an ELB load balancer, in the same account). */
  route53HealthCheckMonth: { awsEndpoint: Price; otherEndpoint: Price };
  /** Each optional health-check feature (HTTPS, string matching, fast interval, latency measurement), by endpoint kind. */
  route53HealthCheckOptionMonth: { awsEndpoint: Price; otherEndpoint: Price };
  /** An ARC Region switch plan (a global resource: its ARN has no region), per plan-month; executions add nothing. */
  arcRegionSwitchPlanMonth: Price;
  /** An AWS WAF web ACL, per month (the CloudFront scope is billed like a regional one). */
  wafWebAclMonth: Price;
  /** Each rule or rule group of a web ACL, per month. */
  wafRuleMonth: Price;
}

/** The whole table. */
export interface PriceTable {
  /** ISO date of the oldest price file: every price is at least this recent. */
  asOf: string;
  /** Where the prices come from, in general (each price names its page). */
  source: string;
  currency: "USD";
  /** Hours in a month for hourly prices. */
  hoursPerMonth: { value: number; source: string };
  /** Prices of global services, for resources whose region is `global`. */
  global: GlobalPrices;
  /** Prices by region code; each region's file may hold any subset of the keys. */
  regions: Record<string, Partial<RegionalPrices>>;
}

/** AWS pricing pages, one per service. */
export const PRICING_PAGES = {
  ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
  ebs: "https://aws.amazon.com/ebs/pricing/",
  vpc: "https://aws.amazon.com/vpc/pricing/",
  elasticLoadBalancing: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  rdsPostgres: "https://aws.amazon.com/rds/postgresql/pricing/",
  rdsMysql: "https://aws.amazon.com/rds/mysql/pricing/",
  aurora: "https://aws.amazon.com/rds/aurora/pricing/",
  dynamodb: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  backup: "https://aws.amazon.com/backup/pricing/",
  s3: "https://aws.amazon.com/s3/pricing/",
  eks: "https://aws.amazon.com/eks/pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
  route53: "https://aws.amazon.com/route53/pricing/",
  cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
  secretsManager: "https://aws.amazon.com/secrets-manager/pricing/",
  systemsManager: "https://aws.amazon.com/systems-manager/pricing/",
  applicationRecoveryController: "https://aws.amazon.com/application-recovery-controller/pricing/",
  waf: "https://aws.amazon.com/waf/pricing/",
  cloudfront: "https://aws.amazon.com/cloudfront/pricing/",
  fis: "https://aws.amazon.com/fis/pricing/",
  elasticache: "https://aws.amazon.com/elasticache/pricing/",
  certificateManager: "https://aws.amazon.com/certificate-manager/pricing/",
  calculatorAssumptions: "https://aws.amazon.com/calculator/calculator-assumptions",
} as const;

/** The folder of the price files. */
export const PRICE_DATA_DIRECTORY = path.join(__dirname, "prices");

/** The unit of each regional price key, for a charge whose price is missing. */
export const REGIONAL_PRICE_UNITS: Readonly<Record<keyof RegionalPrices, string>> = {
  ec2InstanceHour: "instance-hour",
  ebsGp3GibMonth: "GiB-month",
  natGatewayHour: "gateway-hour",
  publicIpv4AddressHour: "address-hour",
  applicationLoadBalancerHour: "load-balancer-hour",
  applicationLoadBalancerCapacityUnitHour: "LCU-hour",
  networkLoadBalancerHour: "load-balancer-hour",
  classicLoadBalancerHour: "load-balancer-hour",
  rdsInstanceHour: "instance-hour",
  rdsGp3StorageGibMonth: "GiB-month",
  auroraInstanceHour: "instance-hour",
  elasticacheNodeHour: "node-hour",
  eksClusterHour: "cluster-hour",
  kmsKeyMonth: "key-month",
  cloudwatchAlarmMetricMonth: "alarm-metric-month",
  cloudwatchCompositeAlarmMonth: "alarm-month",
  cloudwatchMetricMonth: "metric-month",
  cloudwatchDashboardMonth: "dashboard-month",
  secretsManagerSecretMonth: "secret-month",
  ssmAdvancedParameterMonth: "parameter-month",
};

// ---------------------------------------------------------------------------------------------
// The data files

const isoDate = z.iso.date({ error: "must be an ISO date such as 2026-11-21" });

const priceSchema = z.strictObject({
  usd: z.number().nonnegative(),
  unit: z.string().min(1),
  source: z.url(),
  verified: z.boolean(),
  seenAt: z.string().min(1).optional(),
  asOf: isoDate.optional(),
  note: z.string().optional(),
});
const deploymentSchema = z.strictObject({ singleAz: priceSchema, multiAz: priceSchema });
const auroraConfigurationSchema = z.strictObject({ standard: priceSchema, ioOptimized: priceSchema });
const byName = <T extends z.ZodType>(schema: T) => z.record(z.string(), schema);

const regionalPricesSchema = z
  .strictObject({
    ec2InstanceHour: byName(priceSchema),
    ebsGp3GibMonth: priceSchema,
    natGatewayHour: priceSchema,
    publicIpv4AddressHour: priceSchema,
    applicationLoadBalancerHour: priceSchema,
    applicationLoadBalancerCapacityUnitHour: priceSchema,
    networkLoadBalancerHour: priceSchema,
    classicLoadBalancerHour: priceSchema,
    rdsInstanceHour: z.strictObject({ postgres: byName(deploymentSchema).default({}), mysql: byName(deploymentSchema).default({}) }),
    rdsGp3StorageGibMonth: deploymentSchema,
    auroraInstanceHour: z.strictObject({
      "aurora-postgresql": byName(auroraConfigurationSchema).default({}),
      "aurora-mysql": byName(auroraConfigurationSchema).default({}),
    }),
    elasticacheNodeHour: z.strictObject({ valkey: byName(priceSchema).default({}), redis: byName(priceSchema).default({}) }),
    eksClusterHour: z.strictObject({ standardSupport: priceSchema, extendedSupport: priceSchema }),
    kmsKeyMonth: priceSchema,
    cloudwatchAlarmMetricMonth: z.strictObject({ standardResolution: priceSchema, highResolution: priceSchema }),
    cloudwatchCompositeAlarmMonth: priceSchema,
    cloudwatchMetricMonth: priceSchema,
    cloudwatchDashboardMonth: priceSchema,
    secretsManagerSecretMonth: priceSchema,
    ssmAdvancedParameterMonth: priceSchema,
  })
  .partial();

const globalPricesSchema = z.strictObject({
  route53HostedZoneMonth: priceSchema,
  route53HealthCheckMonth: z.strictObject({ awsEndpoint: priceSchema, otherEndpoint: priceSchema }),
  route53HealthCheckOptionMonth: z.strictObject({ awsEndpoint: priceSchema, otherEndpoint: priceSchema }),
  arcRegionSwitchPlanMonth: priceSchema,
  wafWebAclMonth: priceSchema,
  wafRuleMonth: priceSchema,
});

/** One data file: `cost/prices/<region>.json` (or `global.json`, with `region: "global"`). */
const priceFileSchema = z.strictObject({
  /** The region code the file prices, equal to its file name; `global` for global services. */
  region: z.string().regex(/^(global|[a-z]{2}(-[a-z]+)+-\d+)$/),
  /** ISO date the file was last written; a price without its own `asOf` dates from then. */
  asOf: isoDate,
  currency: z.literal("USD"),
  prices: z.unknown(),
});

/** A regional price file as `npm run prices:update` reads and writes it. */
export interface RegionalPriceFile {
  region: string;
  asOf: string;
  currency: "USD";
  prices: Partial<RegionalPrices>;
}

/** The global price file. */
export interface GlobalPriceFile {
  region: "global";
  asOf: string;
  currency: "USD";
  prices: GlobalPrices;
}

/** A price file that cannot be read: names the file, the path inside it and what is wrong. */
export class PriceDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PriceDataError";
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`).slice(0, 5);
  throw new PriceDataError(`${file} is not a valid price file: ${issues.join("; ")}; fix it or restore it with git, then rerun npm run prices:update`);
}

function readPriceFile(file: string): z.output<typeof priceFileSchema> {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PriceDataError(`${file} cannot be read as JSON (${(error as Error).message}); restore it with git, then rerun npm run prices:update`);
  }
  const header = parseWith(priceFileSchema, document, file);
  const expected = path.basename(file, ".json");
  if (header.region !== expected) throw new PriceDataError(`${file} says region ${header.region}: a price file holds the region of its name (${expected})`);
  return header;
}

/**
 * Reads every price file of a folder into a table.
 * @param directory the folder; default `cost/prices`.
 * @throws PriceDataError naming the file and what is wrong, for a file that is not JSON or not of the shape above, or a missing `global.json`.
 */
export function loadPriceTable(directory: string = PRICE_DATA_DIRECTORY): PriceTable {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith(".json"))
    .sort();
  const globalFile = path.join(directory, "global.json");
  if (!files.includes("global.json")) throw new PriceDataError(`${globalFile} is missing: the Route 53 prices live there; restore it with git`);
  const globalHeader = readPriceFile(globalFile);
  const dates = [globalHeader.asOf];
  const regions: Record<string, Partial<RegionalPrices>> = {};
  for (const name of files.filter((file) => file !== "global.json")) {
    const file = path.join(directory, name);
    const header = readPriceFile(file);
    regions[header.region] = parseWith(regionalPricesSchema, header.prices, file) as Partial<RegionalPrices>;
    dates.push(header.asOf);
  }
  return {
    asOf: dates.sort()[0],
    source:
      "AWS public pricing pages and the AWS Price List Query API (each price names its page in `source`; see `verified` and `seenAt` for where the number was read)",
    currency: "USD",
    hoursPerMonth: { value: 730, source: PRICING_PAGES.calculatorAssumptions },
    global: parseWith(globalPricesSchema, globalHeader.prices, globalFile),
    regions,
  };
}

/**
 * The price table of `cost/prices/`: AWS on-demand list prices in US dollars. Hourly prices are
 * multiplied by the 730 hours a month the AWS Pricing Calculator assumes (365 days x 24 hours / 12
 * months). Assumptions: on-demand Linux, shared tenancy, no Savings Plans, reservations or free
 * allowances. An Application or Network Load Balancer is priced by the hour with no (N)LCU-hours:
 * AWS bills the capacity units used, fractions included, with no minimum, so they are listed as
 * usage-based rather than assumed.
 */
export const PRICE_TABLE: PriceTable = loadPriceTable();

// ---------------------------------------------------------------------------------------------
// Lookups: a price, or what is missing and how to add it

/** How to add a missing price: refresh the data for the region. */
const refreshHint = (region: string) => `add it with npm run prices:update -- --region ${region} (or edit cost/prices/${region}.json)`;

function missing(unit: string, reason: string): MissingPrice {
  return { missing: true, unit, reason };
}

/** Regional keys that hold one price. */
export type SinglePriceKey = {
  [K in keyof RegionalPrices]: RegionalPrices[K] extends Price ? K : never;
}[keyof RegionalPrices];

/** Regional keys that hold one price per variant (support tier, resolution, deployment). */
export type VariantPriceKey = "eksClusterHour" | "cloudwatchAlarmMetricMonth" | "rdsGp3StorageGibMonth";

/**
 * A regional price: `regionalPrice(table, "us-east-1", "natGatewayHour")`, or with a variant
 * `regionalPrice(table, region, "eksClusterHour", "standardSupport")`.
 * @returns the price, or a MissingPrice naming the region, the key and the fix.
 */
export function regionalPrice(table: PriceTable, region: string, key: SinglePriceKey): PriceLookup;
export function regionalPrice<K extends VariantPriceKey>(table: PriceTable, region: string, key: K, variant: keyof RegionalPrices[K]): PriceLookup;
export function regionalPrice(table: PriceTable, region: string, key: SinglePriceKey | VariantPriceKey, variant?: PropertyKey): PriceLookup {
  const unit = REGIONAL_PRICE_UNITS[key];
  const prices = table.regions[region];
  if (!prices) return missing(unit, `no price data for region ${region} (cost/prices/${region}.json); ${refreshHint(region)}`);
  const entry = prices[key] as Price | Record<string, Price> | undefined;
  const price = variant === undefined ? (entry as Price | undefined) : (entry as Record<string, Price> | undefined)?.[String(variant)];
  const name = variant === undefined ? key : `${key}.${String(variant)}`;
  return price ?? missing(unit, `no ${name} price in ${region} (cost/prices/${region}.json); ${refreshHint(region)}`);
}

/**
 * The EC2 on-demand Linux price of an instance type in a region.
 * @returns the price, or a MissingPrice naming the region and instance type.
 */
export function instanceHourPrice(table: PriceTable, region: string, instanceType: string): PriceLookup {
  const prices = table.regions[region];
  if (!prices) return missing("instance-hour", `no price data for region ${region} (cost/prices/${region}.json); ${refreshHint(region)}`);
  return (
    prices.ec2InstanceHour?.[instanceType] ??
    missing(
      "instance-hour",
      `no EC2 on-demand price for ${instanceType} in ${region} (cost/prices/${region}.json ec2InstanceHour); ` +
        `add it with npm run prices:update -- --region ${region} --instance-type ${instanceType}`,
    )
  );
}

/**
 * The RDS instance-hour price of an engine, class and deployment in a region.
 * @returns the price, or a MissingPrice naming the region, engine and DB instance class.
 */
export function databaseHourPrice(table: PriceTable, region: string, engine: string, instanceClass: string, multiAz: boolean): PriceLookup {
  const prices = table.regions[region];
  if (!prices) return missing("instance-hour", `no price data for region ${region} (cost/prices/${region}.json); ${refreshHint(region)}`);
  if (!(PRICED_DATABASE_ENGINES as readonly string[]).includes(engine)) {
    return missing("instance-hour", `the price data covers RDS ${PRICED_DATABASE_ENGINES.join(" and ")}, not ${engine}`);
  }
  const deployment = prices.rdsInstanceHour?.[engine as PricedDatabaseEngine]?.[instanceClass];
  if (!deployment) {
    return missing(
      "instance-hour",
      `no RDS ${engine} price for ${instanceClass} in ${region} (cost/prices/${region}.json rdsInstanceHour.${engine}); ` +
        `add it with npm run prices:update -- --region ${region} --db-instance-class ${instanceClass}`,
    );
  }
  return multiAz ? deployment.multiAz : deployment.singleAz;
}

/**
 * The on-demand instance-hour price of an Aurora DB instance (`aws:rds/clusterInstance:ClusterInstance`)
 * of an engine and class in a region, in its cluster's storage configuration.
 * @param engine `aurora-postgresql` or `aurora-mysql`, as the instance's or cluster's `engine` input names it.
 * @param ioOptimized true when the cluster's `storageType` is `aurora-iopt1` (Aurora I/O-Optimized).
 * @returns the price, or a MissingPrice naming the region, engine and DB instance class.
 */
/**
 * The on-demand price of one ElastiCache node of `nodeType` running `engine` in `region`.
 * @returns the price, or what is missing (an unpriced region, engine or node type) with how to add it.
 */
export function cacheNodeHourPrice(table: PriceTable, region: string, engine: string, nodeType: string): PriceLookup {
  const prices = table.regions[region];
  if (!prices) return missing("node-hour", `no price data for region ${region} (cost/prices/${region}.json); ${refreshHint(region)}`);
  if (!(PRICED_CACHE_ENGINES as readonly string[]).includes(engine))
    return missing("node-hour", `the price data covers ${PRICED_CACHE_ENGINES.join(" and ")}, not ${engine}`);
  const price = prices.elasticacheNodeHour?.[engine as PricedCacheEngine]?.[nodeType];
  if (!price)
    return missing(
      "node-hour",
      `no ${engine} price for ${nodeType} in ${region} (cost/prices/${region}.json elasticacheNodeHour.${engine}): add it from ${PRICING_PAGES.elasticache}`,
    );
  return price;
}

export function auroraInstanceHourPrice(table: PriceTable, region: string, engine: string, instanceClass: string, ioOptimized: boolean): PriceLookup {
  const prices = table.regions[region];
  if (!prices) return missing("instance-hour", `no price data for region ${region} (cost/prices/${region}.json); ${refreshHint(region)}`);
  if (!(PRICED_AURORA_ENGINES as readonly string[]).includes(engine)) {
    return missing("instance-hour", `the price data covers ${PRICED_AURORA_ENGINES.join(" and ")}, not ${engine}`);
  }
  const configurations = prices.auroraInstanceHour?.[engine as PricedAuroraEngine]?.[instanceClass];
  if (!configurations) {
    return missing(
      "instance-hour",
      `no ${engine} price for ${instanceClass} in ${region} (cost/prices/${region}.json auroraInstanceHour.${engine}); ` +
        `add it with npm run prices:update -- --region ${region} --db-instance-class ${instanceClass}`,
    );
  }
  return ioOptimized ? configurations.ioOptimized : configurations.standard;
}
