/**
 * The dated price table the cost estimate reads: AWS on-demand list prices, in US dollars, for the
 * resource types and sizes this program creates, per region. Pure data plus the lookups that turn a
 * missing entry into an error saying which key is missing and how to fix it.
 *
 * Every price names the AWS pricing page that publishes it (`source`). AWS renders its regional
 * price tables in the browser, so the stored copies of those pages rarely show the numbers: a price
 * is `verified` when the number was read on the `asOf` date in a stored copy of a page quoting it
 * (`seenAt`: the AWS page itself, a transcription of it or a dated third-party page), otherwise it
 * comes from the AWS price list as known on that date and says so in its `note`. Check unverified
 * prices against the AWS Pricing Calculator (https://calculator.aws/) before relying on them.
 *
 * Not in the table: account-wide free allowances (AWS Free Tier, the first 50 Route 53 health checks
 * of AWS endpoints, the first 10 CloudWatch alarms and metrics, the first 3 CloudWatch dashboards).
 * They are shared by everything in an account, so a per-stack estimate leaves them out and errs high.
 */

/** One list price. */
export interface Price {
  /** US dollars per `unit`. */
  usd: number;
  /** What one unit is, e.g. `instance-hour`, `GiB-month`. */
  unit: string;
  /** The AWS pricing page that publishes this price. */
  source: string;
  /** True when the number was read in a stored copy of a page quoting it (`seenAt`); false when it comes from the AWS price list as remembered. */
  verified: boolean;
  /** Where the number was read, when verified. */
  seenAt?: string;
  /** Assumptions, caveats, and for unverified prices why and how to check. */
  note?: string;
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

/** The prices of one region. */
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
  /** EKS control plane, per cluster-hour. */
  eksClusterHour: { standardSupport: Price; extendedSupport: Price };
  /** A customer managed KMS key (symmetric, asymmetric, HMAC or multi-Region replica alike). */
  kmsKeyMonth: Price;
  /** CloudWatch metric alarm, per alarm metric: standard (period of 60 s or more) or high resolution (10 or 30 s). */
  cloudwatchAlarmMetricMonth: { standardResolution: Price; highResolution: Price };
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
}

/** The whole table. */
export interface PriceTable {
  /** ISO date the prices were taken as of. */
  asOf: string;
  /** Where the prices come from, in general (each price names its page). */
  source: string;
  currency: "USD";
  /** Hours in a month for hourly prices. */
  hoursPerMonth: { value: number; source: string };
  /** Prices of global services, for resources whose region is `global`. */
  global: GlobalPrices;
  /** Prices by region code. */
  regions: Record<string, RegionalPrices>;
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
  calculatorAssumptions: "https://aws.amazon.com/calculator/calculator-assumptions",
} as const;

/** Pages where verified prices were read (stored copies, as of the table's date). */
const SEEN_AT = {
  t3MicroUsEast: "https://wring.co/blog/aws-ec2-pricing-guide",
  t3MediumAndLargeUsEast: "https://hacecuentas.com/en/costo-servidor-cloud-aws-ec2-mensual",
  m5LargeUsEast: "https://kindatechnical.com/aws-eks/lesson-31-understanding-eks-pricing.html",
  m7gLargeUsEast: "https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/",
  t3Sydney: "https://github.com/andrewpatto/s3bfg/blob/HEAD/sydney.md",
  gp3UsEast: "https://www.saisci.com/aws/gp3-throughput-explained/",
  natUsEast: "https://rajesh.medampudi.com/blog/aws-nat-gateway-hidden-tax",
  natUsWest: "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/",
  publicIpv4: "https://aws.amazon.com/blogs/networking-and-content-delivery/identify-and-optimize-public-ipv4-address-usage-on-aws/",
  loadBalancerTranscription: "https://github.com/api-evangelist/amazon-elastic-load-balancing/blob/main/plans/amazon-elastic-load-balancing-plans-pricing.yml",
  loadBalancerIreland: "https://cal53.calculator.city/aws-alb-cost-calculator/",
  rdsT4gUsEast: "https://infratally.com/articles/aws-rds-pricing-explained-2026.html",
  rdsGp3UsEast: "https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/",
  rdsMultiAzBilling: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html",
  eksSupport: "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
  route53Transcription: "https://github.com/api-evangelist/amazon-route53-resolver/blob/main/plans/amazon-route53-resolver-plans-pricing.yml",
  alarmsUsEast: "https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm",
  metricsUsEast: "https://cal53.calculator.city/cloudwatch-custom-metrics-calculator/",
  secretsUsEast: "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms",
  dashboards: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/",
  networkLoadBalancerUsEast: "https://clustercost.com/blog/network-load-balancer-pricing-2025",
  ssmAdvanced: "https://think-with-tech.blogspot.com/2025/10/aws-systems-manager-parameter-store-ssm_94.html",
  auroraPostgresUsEast:
    "https://github.com/aws/agent-toolkit-for-aws/blob/HEAD/skills/specialized-skills/database-skills/amazon-aurora-postgresql/references/serverless-advisory-formulas-and-examples.md",
  auroraMysqlUsEast:
    "https://github.com/aws/agent-toolkit-for-aws/blob/HEAD/skills/specialized-skills/database-skills/amazon-aurora-mysql/references/serverless-advisory-formulas-and-examples.md",
  auroraR5PostgresUsEast:
    "https://github.com/aws/agent-toolkit-for-aws/blob/HEAD/skills/specialized-skills/database-skills/amazon-aurora-postgresql/scripts/io_optimized_analyzer.py",
  auroraR5MysqlUsEast:
    "https://github.com/aws/agent-toolkit-for-aws/blob/HEAD/skills/specialized-skills/database-skills/amazon-aurora-mysql/scripts/io_optimized_analyzer.py",
  auroraIoOptimizedPremium: "https://cloudfix.com/blog/aurora-io-optimized-vs-standard",
} as const;

const REMEMBERED =
  "From the AWS price list as known on the table's date; not found in a stored copy of the pricing page: check it in the AWS Pricing Calculator";

/** A price read on `seenAt`. */
function seenPrice(usd: number, unit: string, source: string, seenAt: string, note?: string): Price {
  return { usd, unit, source, verified: true, seenAt, ...(note ? { note } : {}) };
}

/** A price from the AWS price list as remembered: unverified. */
function rememberedPrice(usd: number, unit: string, source: string, note?: string): Price {
  return { usd, unit, source, verified: false, note: note ? `${note}. ${REMEMBERED}` : REMEMBERED };
}

/** EC2 on-demand Linux prices of one region, all from the AWS price list as remembered. */
function rememberedInstanceHours(prices: Record<string, number>, note?: string): Record<string, Price> {
  return Object.fromEntries(Object.entries(prices).map(([type, usd]) => [type, rememberedPrice(usd, "instance-hour", PRICING_PAGES.ec2, note)]));
}

/** RDS prices of one engine where Multi-AZ is twice Single-AZ, from the AWS price list as remembered. */
function rememberedDatabaseHours(source: string, singleAzPrices: Record<string, number>, note?: string): Record<string, DeploymentPrices> {
  return Object.fromEntries(
    Object.entries(singleAzPrices).map(([instanceClass, usd]) => [
      instanceClass,
      { singleAz: rememberedPrice(usd, "instance-hour", source, note), multiAz: rememberedPrice(usd * 2, "instance-hour", source, note) },
    ]),
  );
}

/** RDS gp3 storage where Multi-AZ is twice Single-AZ (storage is billed for the primary and the standby). */
function rememberedDatabaseStorage(singleAzUsd: number, note?: string): DeploymentPrices {
  return {
    singleAz: rememberedPrice(singleAzUsd, "GiB-month", PRICING_PAGES.rdsPostgres, note),
    multiAz: rememberedPrice(singleAzUsd * 2, "GiB-month", PRICING_PAGES.rdsPostgres, note),
  };
}

/**
 * Aurora Standard on-demand instance-hour prices in US East (N. Virginia), the same for Aurora
 * PostgreSQL and Aurora MySQL for these classes. Read (2026-08-20 snapshot) in AWS's own agent
 * toolkit, whose Aurora skills quote the Aurora pricing page's us-east-1 rates: the classes of its
 * "Provisioned compute pricing table" in the Aurora PostgreSQL and Aurora MySQL references (db.r5.large
 * only in the scripts' static price lists). The reference says both engines charge the same for
 * these classes.
 */
const AURORA_STANDARD_US_EAST = {
  "db.t4g.medium": 0.073,
  "db.t4g.large": 0.146,
  "db.r5.large": 0.29,
  "db.r6g.large": 0.26,
  "db.r6g.xlarge": 0.519,
  "db.r7g.large": 0.276,
  "db.r7g.xlarge": 0.553,
} as const;

/** Classes in AURORA_STANDARD_US_EAST read in the scripts' price lists rather than the references' tables. */
const AURORA_CLASSES_FROM_SCRIPTS: ReadonlySet<string> = new Set(["db.r5.large"]);

/**
 * Aurora I/O-Optimized charges 30% more per instance-hour than Aurora Standard (SEEN_AT.auroraIoOptimizedPremium,
 * and the 1.30 multiplier of the Aurora scripts of AWS's agent toolkit). The products are derived, so unverified.
 */
const AURORA_IO_OPTIMIZED_PREMIUM = 1.3;
const AURORA_IO_OPTIMIZED_NOTE =
  "1.3 x the Aurora Standard rate of the class: the 30% instance premium of the I/O-Optimized configuration (no I/O charges; storage $0.225 instead of $0.10 per GB-month in us-east-1)";

/** Where an Aurora us-east-1 price of one engine and class was read. */
function auroraSeenAt(engine: PricedAuroraEngine, instanceClass: string): string {
  if (AURORA_CLASSES_FROM_SCRIPTS.has(instanceClass)) return engine === "aurora-mysql" ? SEEN_AT.auroraR5MysqlUsEast : SEEN_AT.auroraR5PostgresUsEast;
  return engine === "aurora-mysql" ? SEEN_AT.auroraMysqlUsEast : SEEN_AT.auroraPostgresUsEast;
}

/**
 * Aurora instance prices of both engines from Standard rates: read in US East (`seen`), or taken as
 * the same for another region (remembered, with `note`). I/O-Optimized prices are derived (1.3 x).
 */
function auroraInstanceHours(standardUsd: Readonly<Record<string, number>>, seen: boolean, note?: string): RegionalPrices["auroraInstanceHour"] {
  const engine = (name: PricedAuroraEngine): Record<string, AuroraConfigurationPrices> =>
    Object.fromEntries(
      Object.entries(standardUsd).map(([instanceClass, usd]) => [
        instanceClass,
        {
          standard: seen
            ? seenPrice(
                usd,
                "instance-hour",
                PRICING_PAGES.aurora,
                auroraSeenAt(name, instanceClass),
                "Aurora Standard configuration; one rate for every instance of the cluster",
              )
            : rememberedPrice(usd, "instance-hour", PRICING_PAGES.aurora, note),
          ioOptimized: rememberedPrice(
            usd * AURORA_IO_OPTIMIZED_PREMIUM,
            "instance-hour",
            PRICING_PAGES.aurora,
            note ? `${note}; ${AURORA_IO_OPTIMIZED_NOTE}` : AURORA_IO_OPTIMIZED_NOTE,
          ),
        },
      ]),
    );
  return { "aurora-postgresql": engine("aurora-postgresql"), "aurora-mysql": engine("aurora-mysql") };
}

/** The dashboard price's note: uniform, and the account-wide free dashboards left out. */
const DASHBOARD_NOTE = "one rate in every region; the first 3 custom dashboards of an account (up to 50 metrics each) are free: not applied here";

/** Prices that are one number in every region this table covers (per-region verification differs only in notes). */
function uniformPrices(
  verifiedHere: boolean,
): Pick<
  RegionalPrices,
  | "eksClusterHour"
  | "kmsKeyMonth"
  | "cloudwatchAlarmMetricMonth"
  | "cloudwatchMetricMonth"
  | "cloudwatchDashboardMonth"
  | "secretsManagerSecretMonth"
  | "ssmAdvancedParameterMonth"
> {
  return {
    eksClusterHour: {
      standardSupport: seenPrice(
        0.1,
        "cluster-hour",
        PRICING_PAGES.eks,
        SEEN_AT.eksSupport,
        "Kubernetes version in standard support; AWS states one rate per cluster-hour",
      ),
      extendedSupport: seenPrice(0.6, "cluster-hour", PRICING_PAGES.eks, SEEN_AT.eksSupport, "Kubernetes version in extended support"),
    },
    kmsKeyMonth: seenPrice(
      1,
      "key-month",
      PRICING_PAGES.kms,
      SEEN_AT.kms,
      "AWS states $1/month per key; with automatic rotation each of the first two yearly rotations adds $1/month (the first year costs $1)",
    ),
    cloudwatchAlarmMetricMonth: verifiedHere
      ? {
          standardResolution: seenPrice(0.1, "alarm-metric-month", PRICING_PAGES.cloudwatch, SEEN_AT.alarmsUsEast),
          highResolution: seenPrice(0.3, "alarm-metric-month", PRICING_PAGES.cloudwatch, SEEN_AT.alarmsUsEast),
        }
      : {
          standardResolution: rememberedPrice(0.1, "alarm-metric-month", PRICING_PAGES.cloudwatch),
          highResolution: rememberedPrice(0.3, "alarm-metric-month", PRICING_PAGES.cloudwatch),
        },
    cloudwatchMetricMonth: verifiedHere
      ? seenPrice(0.3, "metric-month", PRICING_PAGES.cloudwatch, SEEN_AT.metricsUsEast, "first 10,000 metrics")
      : rememberedPrice(0.3, "metric-month", PRICING_PAGES.cloudwatch, "first 10,000 metrics"),
    cloudwatchDashboardMonth: verifiedHere
      ? seenPrice(3, "dashboard-month", PRICING_PAGES.cloudwatch, SEEN_AT.dashboards, DASHBOARD_NOTE)
      : rememberedPrice(3, "dashboard-month", PRICING_PAGES.cloudwatch, DASHBOARD_NOTE),
    secretsManagerSecretMonth: verifiedHere
      ? seenPrice(0.4, "secret-month", PRICING_PAGES.secretsManager, SEEN_AT.secretsUsEast)
      : rememberedPrice(0.4, "secret-month", PRICING_PAGES.secretsManager),
    ssmAdvancedParameterMonth: verifiedHere
      ? seenPrice(0.05, "parameter-month", PRICING_PAGES.systemsManager, SEEN_AT.ssmAdvanced)
      : rememberedPrice(0.05, "parameter-month", PRICING_PAGES.systemsManager),
  };
}

/** AWS charges the same hourly rate for a Network as for an Application Load Balancer in each region this table covers. */
const NLB_LIKE_ALB = "The same hourly rate as the region's Application Load Balancer";

/** The RDS t4g prices of the two US regions: PostgreSQL and MySQL charge the same for these classes. */
const US_DATABASE_T4G_SINGLE_AZ = { "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129 } as const;

/** US East (N. Virginia). */
const US_EAST_1: RegionalPrices = {
  ec2InstanceHour: {
    "t3.micro": seenPrice(0.0104, "instance-hour", PRICING_PAGES.ec2, SEEN_AT.t3MicroUsEast),
    "t3.small": rememberedPrice(0.0208, "instance-hour", PRICING_PAGES.ec2, "Half the verified t3.medium price: AWS prices t3 sizes linearly"),
    "t3.medium": seenPrice(0.0416, "instance-hour", PRICING_PAGES.ec2, SEEN_AT.t3MediumAndLargeUsEast),
    "t3.large": seenPrice(0.0832, "instance-hour", PRICING_PAGES.ec2, SEEN_AT.t3MediumAndLargeUsEast),
    "m5.large": seenPrice(0.096, "instance-hour", PRICING_PAGES.ec2, SEEN_AT.m5LargeUsEast, "undated page"),
    "m7g.large": seenPrice(0.0816, "instance-hour", PRICING_PAGES.ec2, SEEN_AT.m7gLargeUsEast),
    ...rememberedInstanceHours({ "t4g.small": 0.0168, "t4g.medium": 0.0336, "t4g.large": 0.0672, "m6i.large": 0.096, "m7i.large": 0.1008 }),
  },
  ebsGp3GibMonth: seenPrice(0.08, "GiB-month", PRICING_PAGES.ebs, SEEN_AT.gp3UsEast),
  natGatewayHour: seenPrice(0.045, "gateway-hour", PRICING_PAGES.vpc, SEEN_AT.natUsEast),
  publicIpv4AddressHour: seenPrice(
    0.005,
    "address-hour",
    PRICING_PAGES.vpc,
    SEEN_AT.publicIpv4,
    "charged since 2024-02-01 for every public IPv4 address, in use or idle",
  ),
  applicationLoadBalancerHour: seenPrice(0.0225, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, SEEN_AT.loadBalancerTranscription),
  applicationLoadBalancerCapacityUnitHour: seenPrice(0.008, "LCU-hour", PRICING_PAGES.elasticLoadBalancing, SEEN_AT.loadBalancerTranscription),
  networkLoadBalancerHour: seenPrice(
    0.0225,
    "load-balancer-hour",
    PRICING_PAGES.elasticLoadBalancing,
    SEEN_AT.networkLoadBalancerUsEast,
    "the same hourly rate as an Application Load Balancer; NLCU-hours ($0.006 in the transcription of the pricing page) are usage",
  ),
  classicLoadBalancerHour: seenPrice(0.025, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, SEEN_AT.loadBalancerTranscription),
  rdsInstanceHour: {
    postgres: {
      ...rememberedDatabaseHours(PRICING_PAGES.rdsPostgres, { "db.t4g.large": US_DATABASE_T4G_SINGLE_AZ["db.t4g.large"] }),
      ...Object.fromEntries(
        (["db.t4g.micro", "db.t4g.small", "db.t4g.medium"] as const).map((instanceClass) => [
          instanceClass,
          {
            singleAz: seenPrice(US_DATABASE_T4G_SINGLE_AZ[instanceClass], "instance-hour", PRICING_PAGES.rdsPostgres, SEEN_AT.rdsT4gUsEast),
            multiAz: seenPrice(US_DATABASE_T4G_SINGLE_AZ[instanceClass] * 2, "instance-hour", PRICING_PAGES.rdsPostgres, SEEN_AT.rdsT4gUsEast),
          },
        ]),
      ),
    },
    mysql: rememberedDatabaseHours(PRICING_PAGES.rdsMysql, US_DATABASE_T4G_SINGLE_AZ),
  },
  rdsGp3StorageGibMonth: {
    singleAz: seenPrice(0.115, "GiB-month", PRICING_PAGES.rdsPostgres, SEEN_AT.rdsGp3UsEast, "same rate for PostgreSQL and MySQL"),
    multiAz: seenPrice(
      0.23,
      "GiB-month",
      PRICING_PAGES.rdsPostgres,
      SEEN_AT.rdsMultiAzBilling,
      "twice the Single-AZ rate: the RDS User Guide bills Multi-AZ storage for both the primary and the standby",
    ),
  },
  auroraInstanceHour: auroraInstanceHours(AURORA_STANDARD_US_EAST, true),
  ...uniformPrices(true),
};

/** US West (Oregon): the same list prices as US East (N. Virginia) for everything here. */
const US_WEST_2: RegionalPrices = {
  ec2InstanceHour: rememberedInstanceHours(
    {
      "t3.micro": 0.0104,
      "t3.small": 0.0208,
      "t3.medium": 0.0416,
      "t3.large": 0.0832,
      "t4g.small": 0.0168,
      "t4g.medium": 0.0336,
      "t4g.large": 0.0672,
      "m5.large": 0.096,
      "m6i.large": 0.096,
      "m7i.large": 0.1008,
      "m7g.large": 0.0816,
    },
    "Same as US East (N. Virginia)",
  ),
  ebsGp3GibMonth: rememberedPrice(0.08, "GiB-month", PRICING_PAGES.ebs, "Same as US East (N. Virginia)"),
  natGatewayHour: seenPrice(0.045, "gateway-hour", PRICING_PAGES.vpc, SEEN_AT.natUsWest, "the page gives about $0.045 for US West"),
  publicIpv4AddressHour: seenPrice(0.005, "address-hour", PRICING_PAGES.vpc, SEEN_AT.publicIpv4),
  applicationLoadBalancerHour: rememberedPrice(0.0225, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, "Same as US East (N. Virginia)"),
  applicationLoadBalancerCapacityUnitHour: rememberedPrice(0.008, "LCU-hour", PRICING_PAGES.elasticLoadBalancing, "Same as US East (N. Virginia)"),
  networkLoadBalancerHour: rememberedPrice(0.0225, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, "Same as US East (N. Virginia)"),
  classicLoadBalancerHour: rememberedPrice(0.025, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, "Same as US East (N. Virginia)"),
  rdsInstanceHour: {
    postgres: rememberedDatabaseHours(PRICING_PAGES.rdsPostgres, US_DATABASE_T4G_SINGLE_AZ, "Same as US East (N. Virginia)"),
    mysql: rememberedDatabaseHours(PRICING_PAGES.rdsMysql, US_DATABASE_T4G_SINGLE_AZ, "Same as US East (N. Virginia)"),
  },
  rdsGp3StorageGibMonth: rememberedDatabaseStorage(0.115, "Same as US East (N. Virginia)"),
  auroraInstanceHour: auroraInstanceHours(AURORA_STANDARD_US_EAST, false, "Same as US East (N. Virginia)"),
  ...uniformPrices(false),
};

/** Europe (Ireland). No RDS or Aurora instance prices: none could be sourced; add them before estimating a database here. */
const EU_WEST_1: RegionalPrices = {
  ec2InstanceHour: rememberedInstanceHours({
    "t3.micro": 0.0114,
    "t3.small": 0.0228,
    "t3.medium": 0.0456,
    "t3.large": 0.0912,
    "t4g.small": 0.0184,
    "t4g.medium": 0.0368,
    "t4g.large": 0.0736,
    "m5.large": 0.107,
    "m6i.large": 0.107,
  }),
  ebsGp3GibMonth: rememberedPrice(0.088, "GiB-month", PRICING_PAGES.ebs),
  natGatewayHour: rememberedPrice(0.048, "gateway-hour", PRICING_PAGES.vpc, `Within the $0.048-0.052 European range on ${SEEN_AT.natUsWest}`),
  publicIpv4AddressHour: rememberedPrice(0.005, "address-hour", PRICING_PAGES.vpc),
  applicationLoadBalancerHour: seenPrice(0.0252, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, SEEN_AT.loadBalancerIreland),
  applicationLoadBalancerCapacityUnitHour: rememberedPrice(0.008, "LCU-hour", PRICING_PAGES.elasticLoadBalancing),
  networkLoadBalancerHour: rememberedPrice(0.0252, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, NLB_LIKE_ALB),
  classicLoadBalancerHour: rememberedPrice(0.028, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing),
  rdsInstanceHour: { postgres: {}, mysql: {} },
  rdsGp3StorageGibMonth: rememberedDatabaseStorage(0.127),
  auroraInstanceHour: { "aurora-postgresql": {}, "aurora-mysql": {} },
  ...uniformPrices(false),
};

/** Europe (Frankfurt). No RDS or Aurora instance prices: none could be sourced; add them before estimating a database here. */
const EU_CENTRAL_1: RegionalPrices = {
  ec2InstanceHour: rememberedInstanceHours({
    "t3.micro": 0.012,
    "t3.small": 0.024,
    "t3.medium": 0.048,
    "t3.large": 0.096,
    "t4g.small": 0.0192,
    "t4g.medium": 0.0384,
    "t4g.large": 0.0768,
    "m5.large": 0.115,
    "m6i.large": 0.115,
  }),
  ebsGp3GibMonth: rememberedPrice(0.0952, "GiB-month", PRICING_PAGES.ebs),
  natGatewayHour: rememberedPrice(0.052, "gateway-hour", PRICING_PAGES.vpc, `Within the $0.048-0.052 European range on ${SEEN_AT.natUsWest}`),
  publicIpv4AddressHour: rememberedPrice(0.005, "address-hour", PRICING_PAGES.vpc),
  applicationLoadBalancerHour: rememberedPrice(0.027, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing),
  applicationLoadBalancerCapacityUnitHour: rememberedPrice(0.008, "LCU-hour", PRICING_PAGES.elasticLoadBalancing),
  networkLoadBalancerHour: rememberedPrice(0.027, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, NLB_LIKE_ALB),
  classicLoadBalancerHour: rememberedPrice(0.03, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing),
  rdsInstanceHour: { postgres: {}, mysql: {} },
  rdsGp3StorageGibMonth: rememberedDatabaseStorage(0.133),
  auroraInstanceHour: { "aurora-postgresql": {}, "aurora-mysql": {} },
  ...uniformPrices(false),
};

/** Asia Pacific (Sydney). No RDS or Aurora instance prices: none could be sourced; add them before estimating a database here. */
const AP_SOUTHEAST_2: RegionalPrices = {
  ec2InstanceHour: {
    ...Object.fromEntries(
      Object.entries({ "t3.micro": 0.0132, "t3.small": 0.0264, "t3.medium": 0.0528, "t3.large": 0.1056 }).map(([type, usd]) => [
        type,
        seenPrice(usd, "instance-hour", PRICING_PAGES.ec2, SEEN_AT.t3Sydney, "undated copy of the AWS Sydney table"),
      ]),
    ),
    ...rememberedInstanceHours({ "t4g.small": 0.0212, "t4g.medium": 0.0424, "t4g.large": 0.0848, "m5.large": 0.12, "m6i.large": 0.12 }),
  },
  ebsGp3GibMonth: rememberedPrice(0.096, "GiB-month", PRICING_PAGES.ebs),
  natGatewayHour: rememberedPrice(0.059, "gateway-hour", PRICING_PAGES.vpc),
  publicIpv4AddressHour: rememberedPrice(0.005, "address-hour", PRICING_PAGES.vpc),
  applicationLoadBalancerHour: rememberedPrice(0.0252, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing),
  applicationLoadBalancerCapacityUnitHour: rememberedPrice(0.008, "LCU-hour", PRICING_PAGES.elasticLoadBalancing),
  networkLoadBalancerHour: rememberedPrice(0.0252, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing, NLB_LIKE_ALB),
  classicLoadBalancerHour: rememberedPrice(0.028, "load-balancer-hour", PRICING_PAGES.elasticLoadBalancing),
  rdsInstanceHour: { postgres: {}, mysql: {} },
  rdsGp3StorageGibMonth: rememberedDatabaseStorage(0.138),
  auroraInstanceHour: { "aurora-postgresql": {}, "aurora-mysql": {} },
  ...uniformPrices(false),
};

/** Route 53 prices, read in a dated verbatim transcription of the Route 53 pricing page. */
const GLOBAL: GlobalPrices = {
  route53HostedZoneMonth: seenPrice(
    0.5,
    "zone-month",
    PRICING_PAGES.route53,
    SEEN_AT.route53Transcription,
    "first 25 hosted zones of an account; public and private alike",
  ),
  route53HealthCheckMonth: {
    awsEndpoint: seenPrice(
      0.5,
      "health-check-month",
      PRICING_PAGES.route53,
      SEEN_AT.route53Transcription,
      "the first 50 basic checks of AWS endpoints in an account are free: not applied here",
    ),
    otherEndpoint: seenPrice(0.75, "health-check-month", PRICING_PAGES.route53, SEEN_AT.route53Transcription),
  },
  route53HealthCheckOptionMonth: {
    awsEndpoint: seenPrice(1, "feature-month", PRICING_PAGES.route53, SEEN_AT.route53Transcription),
    otherEndpoint: seenPrice(2, "feature-month", PRICING_PAGES.route53, SEEN_AT.route53Transcription),
  },
};

/**
 * The price table: AWS on-demand list prices as of 2026-11-21, in US dollars, for us-east-1 and
 * us-west-2 (the example stacks' regions; RDS and Aurora instances priced) and eu-west-1, eu-central-1
 * and ap-southeast-2 (no RDS or Aurora instance prices). Hourly prices are multiplied by the 730 hours a month the AWS Pricing
 * Calculator assumes (365 days x 24 hours / 12 months).
 *
 * Assumptions: on-demand Linux, shared tenancy, no Savings Plans, reservations or free allowances.
 * An Application or Network Load Balancer is priced by the hour with no (N)LCU-hours: AWS bills the
 * capacity units used, fractions included, with no minimum, so they are listed as usage-based rather
 * than assumed.
 */
export const PRICE_TABLE: PriceTable = {
  asOf: "2026-11-21",
  source: "AWS public pricing pages (each price names its page in `source`; see `verified` and `seenAt` for where the number was read)",
  currency: "USD",
  hoursPerMonth: { value: 730, source: PRICING_PAGES.calculatorAssumptions },
  global: GLOBAL,
  regions: {
    "us-east-1": US_EAST_1,
    "us-west-2": US_WEST_2,
    "eu-west-1": EU_WEST_1,
    "eu-central-1": EU_CENTRAL_1,
    "ap-southeast-2": AP_SOUTHEAST_2,
  },
};

/** A price the table lacks: names the region, the key and how to fix it. */
export class MissingPriceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MissingPriceError";
  }
}

/**
 * The prices of one region.
 * @throws MissingPriceError when the table has no section for the region.
 */
export function regionalPrices(table: PriceTable, region: string): RegionalPrices {
  const prices = table.regions[region];
  if (!prices) {
    throw new MissingPriceError(
      `cost/priceTable.ts has no prices for region ${region} (PRICE_TABLE.regions["${region}"]): add a section for it from the AWS pricing pages, ` +
        `or deploy to a priced region (${Object.keys(table.regions).join(", ")})`,
    );
  }
  return prices;
}

/**
 * The EC2 on-demand Linux price of an instance type in a region.
 * @throws MissingPriceError naming the region and instance type.
 */
export function instanceHourPrice(table: PriceTable, region: string, instanceType: string): Price {
  const prices = regionalPrices(table, region).ec2InstanceHour;
  const price = prices[instanceType];
  if (!price) {
    throw new MissingPriceError(
      `cost/priceTable.ts has no EC2 on-demand price for instance type ${instanceType} in ${region} ` +
        `(PRICE_TABLE.regions["${region}"].ec2InstanceHour["${instanceType}"]): add it from ${PRICING_PAGES.ec2}, ` +
        `or change the config to a priced type (${Object.keys(prices).join(", ")})`,
    );
  }
  return price;
}

/**
 * The RDS instance-hour price of an engine, class and deployment in a region.
 * @throws MissingPriceError naming the region, engine and DB instance class.
 */
export function databaseHourPrice(table: PriceTable, region: string, engine: string, instanceClass: string, multiAz: boolean): Price {
  const prices = regionalPrices(table, region).rdsInstanceHour;
  const byClass = (prices as Record<string, Record<string, DeploymentPrices>>)[engine];
  if (!byClass) {
    throw new MissingPriceError(
      `cost/priceTable.ts has no RDS prices for engine ${engine} (PRICE_TABLE.regions["${region}"].rdsInstanceHour["${engine}"]): ` +
        `the table prices ${PRICED_DATABASE_ENGINES.join(" and ")}; add the engine from the RDS pricing page or use a priced engine`,
    );
  }
  const deployment = byClass[instanceClass];
  if (!deployment) {
    const priced = Object.keys(byClass);
    throw new MissingPriceError(
      `cost/priceTable.ts has no RDS ${engine} price for DB instance class ${instanceClass} in ${region} ` +
        `(PRICE_TABLE.regions["${region}"].rdsInstanceHour["${engine}"]["${instanceClass}"]): add it from ` +
        `${engine === "mysql" ? PRICING_PAGES.rdsMysql : PRICING_PAGES.rdsPostgres}, or change the config to a priced class` +
        (priced.length > 0 ? ` (${priced.join(", ")})` : ` (none is priced in ${region} yet)`),
    );
  }
  return multiAz ? deployment.multiAz : deployment.singleAz;
}

/**
 * The on-demand instance-hour price of an Aurora DB instance (`aws:rds/clusterInstance:ClusterInstance`)
 * of an engine and class in a region, in its cluster's storage configuration.
 * @param engine `aurora-postgresql` or `aurora-mysql`, as the instance's or cluster's `engine` input names it.
 * @param ioOptimized true when the cluster's `storageType` is `aurora-iopt1` (Aurora I/O-Optimized).
 * @throws MissingPriceError naming the region, engine and DB instance class, and the priced classes.
 */
export function auroraInstanceHourPrice(table: PriceTable, region: string, engine: string, instanceClass: string, ioOptimized: boolean): Price {
  const prices = regionalPrices(table, region).auroraInstanceHour;
  const byClass = (prices as Record<string, Record<string, AuroraConfigurationPrices>>)[engine];
  if (!byClass) {
    throw new MissingPriceError(
      `cost/priceTable.ts has no Aurora prices for engine ${engine} (PRICE_TABLE.regions["${region}"].auroraInstanceHour["${engine}"]): ` +
        `the table prices ${PRICED_AURORA_ENGINES.join(" and ")}; add the engine from ${PRICING_PAGES.aurora} or use a priced engine`,
    );
  }
  const configurations = byClass[instanceClass];
  if (!configurations) {
    const priced = Object.keys(byClass);
    throw new MissingPriceError(
      `cost/priceTable.ts has no ${engine} price for DB instance class ${instanceClass} in ${region} ` +
        `(PRICE_TABLE.regions["${region}"].auroraInstanceHour["${engine}"]["${instanceClass}"]): add it from ${PRICING_PAGES.aurora}, ` +
        `or change the config to a priced class` +
        (priced.length > 0 ? ` (${priced.join(", ")})` : ` (none is priced in ${region} yet)`),
    );
  }
  return ioOptimized ? configurations.ioOptimized : configurations.standard;
}
