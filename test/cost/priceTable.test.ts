/**
 * The price data's integrity (cost/prices/*.json): dated, every price sourced from an AWS pricing
 * page and either verified where it was read or marked unverified with a note, the config defaults
 * priced in the example stacks' regions, and the derived (unverified) prices consistent with the ones
 * they derive from; then the loader's refusals of a broken file, and the lookups' missing prices.
 */
import { expect } from "chai";
import { completeRegion } from "../fixtures/prices";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  auroraInstanceHourPrice,
  databaseHourPrice,
  instanceHourPrice,
  isMissingPrice,
  loadPriceTable,
  PRICE_DATA_DIRECTORY,
  PRICE_TABLE,
  PriceDataError,
  PRICED_AURORA_ENGINES,
  PRICED_DATABASE_ENGINES,
  regionalPrice,
  type Price,
  type PriceLookup,
} from "../../cost/priceTable";
import { primaryConfigSchema } from "../../config/schema";

/** The regions the example stacks (Pulumi.primary.yaml, Pulumi.dr.yaml) deploy to. */
const EXAMPLE_REGIONS = ["us-east-1", "us-west-2"];

const isPrice = (value: unknown): value is Price => typeof value === "object" && value !== null && "usd" in value && "source" in value;

/** Every price in a part of the table, with its path. */
function pricesIn(value: unknown, path: string): [string, Price][] {
  if (isPrice(value)) return [[path, value]];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => pricesIn(child, `${path}.${key}`));
}

const ALL_PRICES = [...pricesIn(PRICE_TABLE.global, "global"), ...pricesIn(PRICE_TABLE.regions, "regions")];

describe("price table", () => {
  it("is dated (ISO date), in US dollars, at 730 hours a month from the AWS Pricing Calculator's assumptions", () => {
    expect(PRICE_TABLE.asOf).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Date(`${PRICE_TABLE.asOf}T00:00:00Z`).toISOString().slice(0, 10)).to.equal(PRICE_TABLE.asOf);
    expect(PRICE_TABLE.currency).to.equal("USD");
    expect(PRICE_TABLE.hoursPerMonth).to.deep.equal({ value: (365 * 24) / 12, source: "https://aws.amazon.com/calculator/calculator-assumptions" });
    expect(Object.keys(PRICE_TABLE.regions)).to.include.members(EXAMPLE_REGIONS);
  });

  it("sources every price from an AWS page, and either names where it was read or says it is unverified", () => {
    expect(ALL_PRICES.length).to.be.greaterThan(100);
    const problems = ALL_PRICES.flatMap(([path, price]) => [
      ...(Number.isFinite(price.usd) && price.usd > 0 ? [] : [`${path}: usd ${price.usd}`]),
      ...(price.unit ? [] : [`${path}: no unit`]),
      ...(/^https:\/\/aws\.amazon\.com\//.test(price.source) ? [] : [`${path}: source ${price.source} is not an AWS pricing page`]),
      ...(price.verified && !/^(https:\/\/|AWS Price List Query API )/.test(price.seenAt ?? "") ? [`${path}: verified without seenAt`] : []),
      ...(price.asOf === undefined || /^\d{4}-\d{2}-\d{2}$/.test(price.asOf) ? [] : [`${path}: asOf ${price.asOf}`]),
      ...(!price.verified && !price.note ? [`${path}: unverified without a note`] : []),
    ]);
    expect(problems).to.deep.equal([]);
  });

  it("prices the config defaults in the example stacks' regions: app and node instance types, the DB class in both engines and deployments", () => {
    const defaults = primaryConfigSchema.parse({ role: "primary", region: "us-east-1" });
    for (const region of EXAMPLE_REGIONS) {
      const prices = completeRegion(region);
      expect(prices.ec2InstanceHour, region).to.include.keys(defaults.app.instanceType, defaults.monitoring.nodeInstanceType);
      for (const engine of PRICED_DATABASE_ENGINES) {
        const byClass = prices.rdsInstanceHour[engine] ?? {};
        expect(byClass, `${region} ${engine}`).to.include.keys(defaults.database.instanceClass);
        expect(byClass[defaults.database.instanceClass]).to.have.keys("singleAz", "multiAz");
      }
    }
  });

  it("makes every derived (unverified) Multi-AZ RDS price twice the Single-AZ one (instance and storage), in every region", () => {
    for (const [region, prices] of Object.entries(PRICE_TABLE.regions)) {
      const deployments = [
        ...(prices.rdsGp3StorageGibMonth ? [prices.rdsGp3StorageGibMonth] : []),
        ...PRICED_DATABASE_ENGINES.flatMap((engine) => Object.values(prices.rdsInstanceHour?.[engine] ?? {})),
      ];
      for (const deployment of deployments.filter((each) => !each.multiAz.verified)) {
        expect(deployment.multiAz.usd, region).to.be.closeTo(2 * deployment.singleAz.usd, 1e-12);
      }
    }
  });

  it("prices the monitoring stack's dashboard at $3.00 and Grafana's NLB at the ALB's hourly rate in every region, verified in us-east-1", () => {
    for (const region of Object.keys(PRICE_TABLE.regions)) {
      const prices = completeRegion(region);
      expect(prices.cloudwatchDashboardMonth, region).to.include({ usd: 3, unit: "dashboard-month" });
      expect(prices.networkLoadBalancerHour.usd, region).to.equal(prices.applicationLoadBalancerHour.usd);
      expect(prices.classicLoadBalancerHour.usd, region).to.be.greaterThan(prices.networkLoadBalancerHour.usd);
    }
    const east = completeRegion("us-east-1");
    expect(east.networkLoadBalancerHour).to.include({ usd: 0.0225, verified: true });
    expect(east.classicLoadBalancerHour).to.include({ usd: 0.025, verified: true });
    expect(east.cloudwatchDashboardMonth.verified).to.equal(true);
  });

  it("prices the Aurora classes of the aurora-global mode (default db.r6g.large) in both engines and configurations in the example stacks' regions", () => {
    // The classes issue 7 asks for; db.r6g.large is CONTRACT.md's aurora-global default of database.instanceClass.
    const classes = ["db.r6g.large", "db.r6g.xlarge", "db.r7g.large", "db.r7g.xlarge", "db.r5.large"];
    for (const region of EXAMPLE_REGIONS) {
      for (const engine of PRICED_AURORA_ENGINES) {
        const byClass = completeRegion(region).auroraInstanceHour[engine] ?? {};
        expect(byClass, `${region} ${engine}`).to.include.keys(...classes);
        for (const instanceClass of classes) expect(byClass[instanceClass]).to.have.keys("standard", "ioOptimized");
      }
    }
  });

  it("reads us-east-1's Aurora Standard rates on a page (same for both engines), and makes every I/O-Optimized rate 1.3 x the Standard one", () => {
    const east = completeRegion("us-east-1").auroraInstanceHour;
    expect(east["aurora-postgresql"]?.["db.r6g.large"].standard).to.include({
      usd: 0.26,
      unit: "instance-hour",
      verified: true,
      source: "https://aws.amazon.com/rds/aurora/pricing/",
    });
    expect(east["aurora-mysql"]?.["db.r7g.xlarge"].standard).to.include({ usd: 0.553, verified: true });
    for (const [region, prices] of Object.entries(PRICE_TABLE.regions)) {
      for (const engine of PRICED_AURORA_ENGINES) {
        for (const [instanceClass, configurations] of Object.entries(prices.auroraInstanceHour?.[engine] ?? {})) {
          if (configurations.ioOptimized.verified) continue;
          expect(configurations.ioOptimized.usd, `${region} ${engine} ${instanceClass}`).to.be.closeTo(1.3 * configurations.standard.usd, 1e-12);
        }
      }
    }
  });

  it("prices us-west-2 like us-east-1 wherever a us-west-2 price says it is the same", () => {
    const east = pricesIn(completeRegion("us-east-1"), "region");
    const same = pricesIn(completeRegion("us-west-2"), "region").filter(([, price]) => price.note?.startsWith("Same as US East (N. Virginia)"));
    expect(same.length).to.be.greaterThan(30);
    for (const [key, price] of same) expect(east.find(([eastKey]) => eastKey === key)?.[1].usd, key).to.equal(price.usd);
  });
});

describe("price data files", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), "prices-"));
    cpSync(PRICE_DATA_DIRECTORY, directory, { recursive: true });
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const file = (name: string) => path.join(directory, name);
  /** A price file's document, loosely typed so a test can break it. */
  type Document = { region: string; asOf: string; prices: Record<string, Record<string, unknown>> };
  const edit = (name: string, change: (document: Document) => void) => {
    const document = JSON.parse(readFileSync(file(name), "utf8")) as Document;
    change(document);
    writeFileSync(file(name), JSON.stringify(document));
  };

  it("loads a copy of the data into the same table, dated by its oldest file", () => {
    expect(loadPriceTable(directory)).to.deep.equal(PRICE_TABLE);
    edit("us-west-2.json", (document) => (document.asOf = "2026-01-02"));
    expect(loadPriceTable(directory).asOf).to.equal("2026-01-02");
  });

  it("takes a region file holding only some keys (what it lacks is priced as missing, not an error)", () => {
    writeFileSync(
      file("sa-east-1.json"),
      JSON.stringify({ region: "sa-east-1", asOf: "2026-12-01", currency: "USD", prices: { natGatewayHour: completeRegion("us-east-1").natGatewayHour } }),
    );
    const table = loadPriceTable(directory);
    expect(regionalPrice(table, "sa-east-1", "natGatewayHour")).to.include({ usd: 0.045 });
    expect(regionalPrice(table, "sa-east-1", "kmsKeyMonth")).to.deep.equal({
      missing: true,
      unit: "key-month",
      reason:
        "no kmsKeyMonth price in sa-east-1 (cost/prices/sa-east-1.json); add it with npm run prices:update -- --region sa-east-1 (or edit cost/prices/sa-east-1.json)",
    });
  });

  it("refuses a file that is not JSON, one of another shape, one whose region is not its name, and a missing global.json, naming the file", () => {
    writeFileSync(file("eu-west-1.json"), "{ not json");
    expect(() => loadPriceTable(directory)).to.throw(PriceDataError, /eu-west-1\.json cannot be read as JSON/);
    cpSync(path.join(PRICE_DATA_DIRECTORY, "eu-west-1.json"), file("eu-west-1.json"));
    edit("eu-west-1.json", (document) => (document.prices.natGatewayHour.usd = "0.048"));
    expect(() => loadPriceTable(directory)).to.throw(PriceDataError, /eu-west-1\.json is not a valid price file: natGatewayHour\.usd: /);
    cpSync(path.join(PRICE_DATA_DIRECTORY, "eu-west-1.json"), file("eu-west-1.json"));
    edit("eu-west-1.json", (document) => (document.prices.natGatewayHours = document.prices.natGatewayHour));
    expect(() => loadPriceTable(directory)).to.throw(PriceDataError, /eu-west-1\.json is not a valid price file: .*natGatewayHours/);
    cpSync(path.join(PRICE_DATA_DIRECTORY, "eu-west-1.json"), file("eu-west-1.json"));
    edit("eu-west-1.json", (document) => (document.region = "eu-west-2"));
    expect(() => loadPriceTable(directory)).to.throw(PriceDataError, /says region eu-west-2: a price file holds the region of its name \(eu-west-1\)/);
    cpSync(path.join(PRICE_DATA_DIRECTORY, "eu-west-1.json"), file("eu-west-1.json"));
    rmSync(file("global.json"));
    expect(() => loadPriceTable(directory)).to.throw(PriceDataError, /global\.json is missing/);
  });
});

describe("price lookups", () => {
  const reasonOf = (lookup: PriceLookup) => (isMissingPrice(lookup) ? lookup.reason : `priced at ${lookup.usd}`);

  it("finds a priced instance type, DB class and Aurora class, in each deployment and configuration", () => {
    expect(instanceHourPrice(PRICE_TABLE, "us-east-1", "t3.medium")).to.include({ usd: 0.0416, unit: "instance-hour" });
    expect(databaseHourPrice(PRICE_TABLE, "us-east-1", "postgres", "db.t4g.medium", false)).to.include({ usd: 0.065 });
    expect(databaseHourPrice(PRICE_TABLE, "us-east-1", "postgres", "db.t4g.medium", true)).to.include({ usd: 0.13 });
    expect(auroraInstanceHourPrice(PRICE_TABLE, "us-east-1", "aurora-mysql", "db.r6g.large", false)).to.include({ usd: 0.26 });
    expect(auroraInstanceHourPrice(PRICE_TABLE, "us-east-1", "aurora-mysql", "db.r6g.large", true).unit).to.equal("instance-hour");
    expect(regionalPrice(PRICE_TABLE, "us-west-2", "rdsGp3StorageGibMonth", "multiAz")).to.include({ usd: 0.23 });
  });

  it("says what is missing, where, and the command that adds it, for a name, a region, and an engine the data does not cover", () => {
    expect(reasonOf(instanceHourPrice(PRICE_TABLE, "eu-west-1", "c7g.xlarge"))).to.equal(
      "no EC2 on-demand price for c7g.xlarge in eu-west-1 (cost/prices/eu-west-1.json ec2InstanceHour); add it with npm run prices:update -- --region eu-west-1 --instance-type c7g.xlarge",
    );
    expect(reasonOf(instanceHourPrice(PRICE_TABLE, "ca-central-1", "t3.small"))).to.match(
      /^no price data for region ca-central-1 \(cost\/prices\/ca-central-1\.json\); add it with npm run prices:update -- --region ca-central-1/,
    );
    expect(reasonOf(databaseHourPrice(PRICE_TABLE, "us-east-1", "mysql", "db.r5.large", true))).to.match(
      /^no RDS mysql price for db\.r5\.large in us-east-1 .*--db-instance-class db\.r5\.large$/,
    );
    expect(reasonOf(databaseHourPrice(PRICE_TABLE, "us-east-1", "mariadb", "db.t4g.medium", false))).to.equal(
      "the price data covers RDS postgres and mysql, not mariadb",
    );
    expect(reasonOf(auroraInstanceHourPrice(PRICE_TABLE, "eu-central-1", "aurora-postgresql", "db.r6g.large", false))).to.match(
      /^no aurora-postgresql price for db\.r6g\.large in eu-central-1/,
    );
    expect(reasonOf(regionalPrice(PRICE_TABLE, "ap-south-1", "eksClusterHour", "standardSupport"))).to.match(/^no price data for region ap-south-1/);
    for (const lookup of [
      instanceHourPrice(PRICE_TABLE, "eu-west-1", "c7g.xlarge"),
      regionalPrice(PRICE_TABLE, "ap-south-1", "eksClusterHour", "standardSupport"),
    ]) {
      expect(lookup).to.include({ missing: true });
    }
  });
});
