/**
 * npm run prices:update (cost/priceUpdate.ts, cost/priceUpdateCli.ts), offline: GetProducts is
 * answered by aws-sdk-client-mock on PricingClient from a made-up Price List in the documented
 * response shape (test/fixtures/pricing), and the tool writes to a temporary copy of cost/prices.
 */
import { expect } from "chai";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as prettier from "prettier";
import { AccessDeniedException, GetProductsCommand, PricingClient, ThrottlingException, type GetProductsCommandInput } from "@aws-sdk/client-pricing";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import {
  auroraInstanceHourPrice,
  databaseHourPrice,
  instanceHourPrice,
  isMissingPrice,
  loadPriceTable,
  PRICE_DATA_DIRECTORY,
  PRICING_PAGES,
  REGIONAL_PRICE_UNITS,
  regionalPrice,
  type Price,
  type PriceLookup,
  type RegionalPriceFile,
  type SinglePriceKey,
} from "../../cost/priceTable";
import {
  COMMERCIAL_REGIONS,
  createPricingClient,
  formatReport,
  MAX_ATTEMPTS,
  NOT_REFRESHED,
  parsePriceListEntry,
  PRICE_DESCRIPTORS,
  PRICE_LIST_API_REGION,
  PriceUpdateError,
  updatePrices,
  usageTypePattern,
  type UpdateOptions,
  type UpdateReport,
} from "../../cost/priceUpdate";
import { main, USAGE } from "../../cost/priceUpdateCli";
import {
  auroraInstance,
  CATALOG_USD,
  ec2Instance,
  FakePriceList,
  fixedProduct,
  rdsInstance,
  regionCatalog,
  type CatalogNames,
  type FakeProduct,
} from "../fixtures/pricing/priceList";

const TODAY = "2026-12-01";
const SEEN_AT = "AWS Price List Query API GetProducts";

let dir: string;
let pricing: AwsClientStub<PricingClient>;
let fake: FakePriceList;

/** Answers GetProducts from these products, `pageSize` to a page. */
function useCatalog(products: FakeProduct[], pageSize = 100): void {
  fake = new FakePriceList(products, pageSize);
  pricing.on(GetProductsCommand).callsFake((input: GetProductsCommandInput) => fake.respond(input));
}

const testClient = () => new PricingClient({ region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" } });
const run = (options: UpdateOptions = {}) => updatePrices({ pricesDir: dir, client: testClient(), today: TODAY, ...options });
const readRegion = (region: string) => JSON.parse(readFileSync(path.join(dir, `${region}.json`), "utf8")) as RegionalPriceFile;
const snapshot = () => Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), "utf8")]));
const regionFiles = () =>
  readdirSync(dir)
    .filter((name) => name !== "global.json")
    .map((name) => name.replace(/\.json$/, ""));
const round = (usd: number) => Number(usd.toFixed(10));

/** A price of a lookup, failing the test when it is missing. */
function priceOf(lookup: PriceLookup): Price {
  if (isMissingPrice(lookup)) throw new Error(lookup.reason);
  return lookup;
}

/** The names a region's file prices (or every file's, with no region). */
function namesIn(region?: string): CatalogNames {
  const table = loadPriceTable(dir);
  const regions = region ? [table.regions[region]] : Object.values(table.regions);
  const keys = (records: (Record<string, unknown> | undefined)[]) => [...new Set(records.flatMap((record) => Object.keys(record ?? {})))];
  return {
    instanceTypes: keys(regions.map((prices) => prices.ec2InstanceHour)),
    rdsClasses: keys(regions.flatMap((prices) => [prices.rdsInstanceHour?.postgres, prices.rdsInstanceHour?.mysql])),
    auroraClasses: keys(regions.flatMap((prices) => [prices.auroraInstanceHour?.["aurora-postgresql"], prices.auroraInstanceHour?.["aurora-mysql"]])),
  };
}

/** The filters of a recorded request, as field to value. */
const filtersOf = (input: GetProductsCommandInput) => Object.fromEntries((input.Filters ?? []).map((filter) => [filter.Field, filter.Value]));

const changeAt = (report: UpdateReport, region: string, at: string) =>
  report.files.find((file) => file.region === region)?.changes.find((change) => change.path === at);

/** The error a promise rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "price-update-test-"));
  cpSync(PRICE_DATA_DIRECTORY, dir, { recursive: true });
  pricing = mockClient(PricingClient);
});

afterEach(() => {
  pricing.restore();
  rmSync(dir, { recursive: true, force: true });
});

describe("prices:update: the descriptor table and the client", () => {
  it("describes every regional key it refreshes with an AWS pricing page and Price List units, and says why the others are left out", () => {
    const pages = Object.values(PRICING_PAGES) as string[];
    for (const descriptor of PRICE_DESCRIPTORS) {
      expect(REGIONAL_PRICE_UNITS, descriptor.key).to.have.property(descriptor.key);
      expect(pages, descriptor.key).to.include(descriptor.source);
      expect(descriptor.units.length, descriptor.key).to.be.greaterThan(0);
      expect(descriptor.usageTypes.length, descriptor.key).to.be.greaterThan(0);
    }
    const covered = new Set(PRICE_DESCRIPTORS.map((descriptor) => descriptor.key as string));
    const uncovered = Object.keys(REGIONAL_PRICE_UNITS).filter((key) => !covered.has(key));
    expect(uncovered.sort()).to.deep.equal(
      Object.keys(NOT_REFRESHED)
        .filter((key) => key !== "global.json")
        .sort(),
    );
  });

  it("creates the client in a region with a Price List Query API endpoint, retrying up to MAX_ATTEMPTS times", async () => {
    pricing.restore();
    const client = createPricingClient();
    expect(PRICE_LIST_API_REGION).to.be.oneOf(["us-east-1", "eu-central-1", "ap-south-1"]);
    expect(await client.config.region()).to.equal(PRICE_LIST_API_REGION);
    expect(await client.config.maxAttempts()).to.equal(MAX_ATTEMPTS);
  });

  it("matches usage types with or without their region prefix, and nothing else", () => {
    expect(usageTypePattern("BoxUsage:*").test("BoxUsage:t3.micro")).to.equal(true);
    expect(usageTypePattern("BoxUsage:*").test("USW2-BoxUsage:t3.micro")).to.equal(true);
    expect(usageTypePattern("BoxUsage:*").test("USE1-BOS1-BoxUsage:t3.micro")).to.equal(false);
    expect(usageTypePattern("InstanceUsage:*").test("EU-InstanceUsage:db.r6g.xl")).to.equal(true);
    expect(usageTypePattern("InstanceUsage:*").test("EU-InstanceUsageIOOptimized:db.r6g.xl")).to.equal(false);
    expect(usageTypePattern("KMS-Keys").test("us-east-1-KMS-Keys")).to.equal(true);
    expect(usageTypePattern("LoadBalancerUsage").test("TS-LoadBalancerUsage")).to.equal(false);
    expect(usageTypePattern("NatGateway-Hours").test("RegionalNatGateway-Hours")).to.equal(false);
    expect(usageTypePattern("CW:AlarmMonitorUsage").test("Global-CW:AlarmMonitorUsage")).to.equal(false);
  });

  it("reads a PriceList entry in the documented shape: the first-tier on-demand price, not the reserved ones", () => {
    const response = JSON.parse(readFileSync(path.join(__dirname, "../fixtures/pricing/getProducts-ec2-t3-micro-us-east-1.json"), "utf8"));
    const product = parsePriceListEntry(response.PriceList[0]);
    expect(product.sku).to.equal("FIXTURET3MICRO01");
    expect(product.productFamily).to.equal("Compute Instance");
    expect(product.attributes.instanceType).to.equal("t3.micro");
    expect(product.prices).to.deep.equal([{ sku: "FIXTURET3MICRO01", usageType: "BoxUsage:t3.micro", usd: 0.0107, unit: "Hrs" }]);
    expect(() => parsePriceListEntry("{not json")).to.throw(PriceUpdateError, /not JSON/);
  });
});

describe("prices:update: refreshing prices", () => {
  it("writes a changed price with its SKU and date, confirms an equal one, and keeps (dated) what the API does not return", async () => {
    const before = readRegion("us-east-1");
    const oldMicro = before.prices.ec2InstanceHour!["t3.micro"].usd;
    const oldSmall = before.prices.ec2InstanceHour!["t3.small"].usd;
    const newMicro = round(oldMicro + 0.0007);
    useCatalog([ec2Instance("us-east-1", "t3.micro", newMicro), ec2Instance("us-east-1", "t3.small", oldSmall)]);
    const untouched = snapshot();

    const report = await run();

    const after = readRegion("us-east-1");
    expect(after.asOf).to.equal(TODAY);
    expect(after.prices.ec2InstanceHour!["t3.micro"]).to.deep.equal({
      usd: newMicro,
      unit: "instance-hour",
      source: PRICING_PAGES.ec2,
      verified: true,
      seenAt: `${SEEN_AT} AmazonEC2 SKU EC2-US-EAST-1-T3.MICRO`,
      asOf: TODAY,
    });
    expect(after.prices.ec2InstanceHour!["t3.small"]).to.include({ usd: oldSmall, verified: true, asOf: TODAY });
    // Not returned: kept as it was, dated with the file's old date now that the file's date moves.
    expect(after.prices.ec2InstanceHour!["m5.large"]).to.deep.equal({ ...before.prices.ec2InstanceHour!["m5.large"], asOf: before.asOf });
    expect(after.prices.natGatewayHour).to.deep.equal({ ...before.prices.natGatewayHour, asOf: before.asOf });
    for (const name of Object.keys(untouched).filter((name) => name !== "us-east-1.json")) {
      expect(readFileSync(path.join(dir, name), "utf8"), name).to.equal(untouched[name]);
    }

    expect(changeAt(report, "us-east-1", "ec2InstanceHour.t3.micro")).to.deep.include({ kind: "changed", oldUsd: oldMicro, newUsd: newMicro });
    expect(changeAt(report, "us-east-1", "ec2InstanceHour.t3.small")).to.deep.include({ kind: "confirmed" });
    expect(changeAt(report, "us-east-1", "ec2InstanceHour.m5.large")).to.deep.include({ kind: "kept" });
    expect(changeAt(report, "us-east-1", "ec2InstanceHour.m5.large")?.reason).to.match(/^not found: no product for usage type BoxUsage:\*/);
    const text = formatReport(report, dir);
    expect(text).to.include(`changed    ec2InstanceHour.t3.micro: ${oldMicro} -> ${newMicro} USD/instance-hour`);
    expect(text).to.include("confirmed  1 price(s) unchanged");
    expect(text).to.match(/kept {7}ec2InstanceHour\.m5\.large: [\d.]+ USD\/instance-hour as it was; not found/);
    expect(text).to.include(`us-east-1.json (asOf ${before.asOf} -> ${TODAY})`);
    expect(text).to.include("eu-west-1.json (left as it was: nothing refreshed)");

    expect(instanceHourPrice(loadPriceTable(dir), "us-east-1", "t3.micro")).to.include({ usd: newMicro, verified: true });
  });

  it("adds an instance type asked for in every region that sells it, with the EC2 filters, and reports where it is not found", async () => {
    useCatalog([ec2Instance("us-east-1", "t3.2xlarge", 0.3328), ec2Instance("eu-west-1", "t3.2xlarge", 0.3648)]);
    const westBefore = readFileSync(path.join(dir, "us-west-2.json"), "utf8");

    const report = await run({ instanceTypes: ["t3.2xlarge"] });

    expect(readRegion("us-east-1").prices.ec2InstanceHour!["t3.2xlarge"]).to.include({ usd: 0.3328, unit: "instance-hour", verified: true });
    expect(readRegion("eu-west-1").prices.ec2InstanceHour!["t3.2xlarge"]).to.include({ usd: 0.3648, verified: true });
    expect(readFileSync(path.join(dir, "us-west-2.json"), "utf8")).to.equal(westBefore);
    expect(changeAt(report, "us-east-1", "ec2InstanceHour.t3.2xlarge")).to.deep.include({ kind: "added", newUsd: 0.3328 });
    expect(changeAt(report, "us-west-2", "ec2InstanceHour.t3.2xlarge")).to.deep.include({ kind: "not added" });
    expect(formatReport(report, dir)).to.include("added      ec2InstanceHour.t3.2xlarge: 0.3328 USD/instance-hour");

    const asked = fake.requests.find((input) => filtersOf(input).instanceType === "t3.2xlarge" && filtersOf(input).regionCode === "us-west-2");
    expect(asked?.ServiceCode).to.equal("AmazonEC2");
    expect(asked?.Filters?.every((filter) => filter.Type === "TERM_MATCH")).to.equal(true);
    expect(filtersOf(asked!)).to.deep.equal({
      capacitystatus: "Used",
      instanceType: "t3.2xlarge",
      licenseModel: "No License required",
      locationType: "AWS Region",
      operatingSystem: "Linux",
      preInstalledSw: "NA",
      productFamily: "Compute Instance",
      regionCode: "us-west-2",
      tenancy: "Shared",
    });
  });

  it("creates a file for a new region with every name the other regions price, and leaves out the products the filters exclude", async () => {
    const names = namesIn();
    useCatalog(regionCatalog("eu-west-2", names));

    const report = await run({ regions: ["eu-west-2"] });

    const file = readRegion("eu-west-2");
    expect(file).to.include({ region: "eu-west-2", asOf: TODAY, currency: "USD" });
    const keyOrder = Object.keys(REGIONAL_PRICE_UNITS).filter((key) => key in file.prices);
    expect(Object.keys(file.prices)).to.deep.equal(keyOrder);
    expect(file.prices).to.not.have.any.keys("cloudwatchDashboardMonth", "ssmAdvancedParameterMonth");

    const table = loadPriceTable(dir);
    for (const type of names.instanceTypes) expect(priceOf(instanceHourPrice(table, "eu-west-2", type)).usd, type).to.equal(CATALOG_USD.ec2);
    for (const engine of ["postgres", "mysql"]) {
      for (const instanceClass of names.rdsClasses) {
        expect(priceOf(databaseHourPrice(table, "eu-west-2", engine, instanceClass, false)).usd).to.equal(CATALOG_USD.rdsSingleAz);
        expect(priceOf(databaseHourPrice(table, "eu-west-2", engine, instanceClass, true)).usd).to.equal(CATALOG_USD.rdsMultiAz);
      }
    }
    for (const engine of ["aurora-postgresql", "aurora-mysql"]) {
      for (const instanceClass of names.auroraClasses) {
        expect(priceOf(auroraInstanceHourPrice(table, "eu-west-2", engine, instanceClass, false)).usd).to.equal(CATALOG_USD.auroraStandard);
        expect(priceOf(auroraInstanceHourPrice(table, "eu-west-2", engine, instanceClass, true)).usd).to.equal(CATALOG_USD.auroraIoOptimized);
      }
    }
    const fixed = (key: SinglePriceKey) => priceOf(regionalPrice(table, "eu-west-2", key)).usd;
    expect(fixed("ebsGp3GibMonth")).to.equal(CATALOG_USD.ebs);
    expect(fixed("natGatewayHour")).to.equal(CATALOG_USD.nat);
    expect(fixed("publicIpv4AddressHour")).to.equal(CATALOG_USD.ipv4);
    expect(fixed("applicationLoadBalancerHour")).to.equal(CATALOG_USD.alb);
    expect(fixed("applicationLoadBalancerCapacityUnitHour")).to.equal(CATALOG_USD.lcu);
    expect(fixed("networkLoadBalancerHour")).to.equal(CATALOG_USD.nlb);
    expect(fixed("classicLoadBalancerHour")).to.equal(CATALOG_USD.clb);
    expect(fixed("kmsKeyMonth")).to.equal(CATALOG_USD.kms);
    expect(fixed("cloudwatchMetricMonth")).to.equal(CATALOG_USD.metric);
    expect(fixed("secretsManagerSecretMonth")).to.equal(CATALOG_USD.secret);
    expect(priceOf(regionalPrice(table, "eu-west-2", "rdsGp3StorageGibMonth", "multiAz")).usd).to.equal(CATALOG_USD.storageMultiAz);
    expect(priceOf(regionalPrice(table, "eu-west-2", "cloudwatchAlarmMetricMonth", "highResolution")).usd).to.equal(CATALOG_USD.alarmHighResolution);
    expect(priceOf(regionalPrice(table, "eu-west-2", "eksClusterHour", "standardSupport")).usd).to.equal(CATALOG_USD.eks);
    const extended = priceOf(regionalPrice(table, "eu-west-2", "eksClusterHour", "extendedSupport"));
    expect(extended.usd).to.equal(round(CATALOG_USD.eks + CATALOG_USD.eksExtendedSurcharge));
    expect(extended.seenAt).to.equal(
      `${SEEN_AT} AmazonEKS SKUs AMAZONEKS-EU-WEST-2-EUW2-AMAZONEKS-HOURSPERCLUSTER + AMAZONEKS-EU-WEST-2-EUW2-AMAZONEKS-HOURSEXTENDEDSUPPORT`,
    );

    const newFile = report.files.find((entry) => entry.region === "eu-west-2")!;
    expect(newFile).to.include({ isNew: true, written: true });
    expect(newFile.changes.filter((change) => change.kind !== "added")).to.deep.equal([]);
    expect(formatReport(report, dir)).to.include(`eu-west-2.json (new file, asOf ${TODAY})`);
  });

  it("follows NextToken through every page, and asks once for what two prices share (Aurora Standard and I/O-Optimized)", async () => {
    const filters = { databaseEngine: "Aurora PostgreSQL", instanceType: "db.r6g.large", regionCode: "us-east-1" };
    useCatalog(
      [
        { ...auroraInstance("us-east-1", "Aurora PostgreSQL", "db.r6g.large", false, 0.26), sku: "PAGE1STANDARD" },
        { ...fixedProduct("us-east-1", "AmazonRDS", "Database Instance", "ExtendedSupport:Yr1-Yr2:AuroraPostgreSQL11", [{ usd: 0.1, unit: "Hrs" }], filters) },
        { ...auroraInstance("us-east-1", "Aurora PostgreSQL", "db.r6g.large", true, 0.338), sku: "PAGE3IOOPTIMIZED" },
      ],
      1,
    );

    await run();

    const pages = fake.requests.filter((input) => {
      const sent = filtersOf(input);
      return sent.databaseEngine === "Aurora PostgreSQL" && sent.instanceType === "db.r6g.large" && sent.regionCode === "us-east-1";
    });
    expect(pages.map((input) => input.NextToken)).to.deep.equal([undefined, "page-1", "page-2"]);
    expect(pages.every((input) => input.MaxResults === 100 && input.FormatVersion === "aws_v1")).to.equal(true);
    const entry = readRegion("us-east-1").prices.auroraInstanceHour!["aurora-postgresql"]!["db.r6g.large"];
    expect(entry.standard).to.include({ usd: 0.26, seenAt: `${SEEN_AT} AmazonRDS SKU PAGE1STANDARD` });
    expect(entry.ioOptimized).to.include({ usd: 0.338, seenAt: `${SEEN_AT} AmazonRDS SKU PAGE3IOOPTIMIZED` });
  });

  it("keeps and reports every price when a filter returns nothing, and writes no file", async () => {
    useCatalog([]);
    const before = snapshot();

    const report = await run({ instanceTypes: ["t3.2xlarge"] });

    expect(snapshot()).to.deep.equal(before);
    expect(report.requests).to.be.greaterThan(0);
    const kinds = new Set(report.files.flatMap((file) => file.changes.map((change) => change.kind)));
    expect([...kinds].sort()).to.deep.equal(["kept", "not added"]);
    expect(report.files.every((file) => !file.written)).to.equal(true);
    expect(formatReport(report, dir)).to.include("Wrote 0 file(s)");
  });

  it("refuses a filter that returns two different prices, naming both SKUs, and keeps the old price", async () => {
    useCatalog([
      { ...fixedProduct("us-east-1", "AmazonEC2", "NAT Gateway", "NatGateway-Hours", [{ usd: 0.045, unit: "Hrs" }]), sku: "NATA" },
      { ...fixedProduct("us-east-1", "AmazonEC2", "NAT Gateway", "USE1-NatGateway-Hours", [{ usd: 0.048, unit: "Hrs" }]), sku: "NATB" },
    ]);
    const before = snapshot();

    const report = await run();

    expect(snapshot()).to.deep.equal(before);
    const change = changeAt(report, "us-east-1", "natGatewayHour");
    expect(change?.kind).to.equal("kept");
    expect(change?.reason).to.match(/^ambiguous: 2 different prices/);
    expect(change?.reason).to.include("SKU NATA NatGateway-Hours $0.045").and.include("SKU NATB USE1-NatGateway-Hours $0.048");
  });

  it("takes one price quoted by two SKUs, naming both", async () => {
    useCatalog([
      { ...fixedProduct("us-east-1", "AmazonEC2", "NAT Gateway", "NatGateway-Hours", [{ usd: 0.046, unit: "Hrs" }]), sku: "NATA" },
      { ...fixedProduct("us-east-1", "AmazonEC2", "NAT Gateway", "USE1-NatGateway-Hours", [{ usd: 0.046, unit: "Hrs" }]), sku: "NATB" },
    ]);

    await run();

    expect(readRegion("us-east-1").prices.natGatewayHour).to.include({ usd: 0.046, seenAt: `${SEEN_AT} AmazonEC2 SKUs NATA + NATB` });
  });

  it("refuses a price in another unit, and takes the first tier of a tiered price", async () => {
    useCatalog([
      { ...ec2Instance("us-east-1", "t3.micro", 0.02), tiers: [{ usd: 0.02, unit: "Quantity" }] },
      ...regionCatalog("us-east-1", { instanceTypes: [], rdsClasses: [], auroraClasses: [] }).filter((product) => product.serviceCode === "AmazonCloudWatch"),
    ]);
    const oldMicro = readRegion("us-east-1").prices.ec2InstanceHour!["t3.micro"].usd;

    const report = await run();

    expect(changeAt(report, "us-east-1", "ec2InstanceHour.t3.micro")?.reason).to.match(
      /^unit mismatch: BoxUsage:\* is priced per Quantity, expected Hrs or Hours/,
    );
    const prices = readRegion("us-east-1").prices;
    expect(prices.ec2InstanceHour!["t3.micro"].usd).to.equal(oldMicro);
    expect(prices.cloudwatchMetricMonth).to.include({ usd: CATALOG_USD.metric, unit: "metric-month", note: "first 10,000 metrics (the first tier)" });
  });

  it("adds a new RDS class only with both deployments, and reports it as incomplete otherwise", async () => {
    useCatalog([
      rdsInstance("us-east-1", "PostgreSQL", "db.m7g.large", false, 0.168),
      rdsInstance("us-east-1", "PostgreSQL", "db.m7g.large", true, 0.336),
      rdsInstance("us-east-1", "MySQL", "db.m7g.large", false, 0.168),
    ]);

    const report = await run({ dbInstanceClasses: ["db.m7g.large"] });

    const rds = readRegion("us-east-1").prices.rdsInstanceHour!;
    expect(rds.postgres!["db.m7g.large"].singleAz).to.include({ usd: 0.168, unit: "instance-hour", source: PRICING_PAGES.rdsPostgres });
    expect(rds.postgres!["db.m7g.large"].multiAz).to.include({ usd: 0.336 });
    expect(rds.mysql).to.not.have.property("db.m7g.large");
    expect(changeAt(report, "us-east-1", "rdsInstanceHour.mysql.db.m7g.large.singleAz")?.reason).to.match(/^incomplete: .* multiAz not found/);
    expect(loadPriceTable(dir).regions["us-east-1"].rdsInstanceHour?.postgres).to.have.property("db.m7g.large");
  });

  it("writes files that load with loadPriceTable and keep prettier's format, when every region's prices come back", async () => {
    const regions = regionFiles();
    useCatalog(regions.flatMap((region) => regionCatalog(region, namesIn(region))));

    const report = await run();

    expect(report.files.map((file) => file.region)).to.deep.equal([...regions].sort());
    expect(report.files.every((file) => file.written)).to.equal(true);
    const table = loadPriceTable(dir);
    expect(table.asOf).to.equal(loadPriceTable(PRICE_DATA_DIRECTORY).asOf); // global.json keeps its date
    for (const region of regions) {
      const content = readFileSync(path.join(dir, `${region}.json`), "utf8");
      expect(await prettier.check(content, { parser: "json", printWidth: 160 }), region).to.equal(true);
      const stale = report.files.find((file) => file.region === region)!.changes.filter((change) => change.kind === "kept" || change.kind === "not added");
      // Only what the tool does not describe, and nothing else, is left unrefreshed.
      expect(stale, region).to.deep.equal([]);
      expect(table.regions[region].cloudwatchDashboardMonth?.asOf, region).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(table.regions[region].cloudwatchDashboardMonth?.asOf).to.not.equal(TODAY);
    }
  });

  it("prints but writes nothing in a dry run", async () => {
    useCatalog([...regionCatalog("us-east-1", namesIn("us-east-1"), { ec2: 0.2 }), ...regionCatalog("eu-west-2", namesIn())]);
    const before = snapshot();

    const report = await run({ dryRun: true, regions: ["eu-west-2"] });

    expect(snapshot()).to.deep.equal(before);
    expect(existsSync(path.join(dir, "eu-west-2.json"))).to.equal(false);
    expect(report.dryRun).to.equal(true);
    expect(changeAt(report, "us-east-1", "ec2InstanceHour.t3.micro")).to.deep.include({ kind: "changed", newUsd: 0.2 });
    expect(formatReport(report, dir)).to.include("Dry run: 2 file(s) would be written; nothing was written");
  });
});

describe("prices:update: errors", () => {
  it("rejects a region outside the commercial partition before asking anything", async () => {
    useCatalog([]);
    for (const region of ["cn-north-1", "us-gov-west-1", "eusc-de-east-1", "us-iso-east-1", "xx-nowhere-1"]) {
      const error = await failureOf(run({ regions: [region] }));
      expect(error, region).to.be.instanceOf(PriceUpdateError);
      expect(error.message).to.match(new RegExp(`^${region} is not a region of the AWS commercial partition`));
    }
    expect(COMMERCIAL_REGIONS).to.include.members(["us-east-1", "eu-west-2", "ap-southeast-2", "il-central-1"]);
    expect(pricing.commandCalls(GetProductsCommand)).to.have.length(0);
  });

  it("says which IAM action is needed when access is denied, and that credentials are missing when they are", async () => {
    const before = snapshot();
    pricing.on(GetProductsCommand).rejects(new AccessDeniedException({ message: "User is not authorized to perform: pricing:GetProducts", $metadata: {} }));
    const denied = await failureOf(run());
    expect(denied).to.be.instanceOf(PriceUpdateError);
    expect(denied.message).to.match(
      /^access denied by the AWS Price List Query API \(AccessDeniedException: .*\); the identity needs the IAM action pricing:GetProducts/,
    );

    pricing.reset();
    pricing.on(GetProductsCommand).rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const missing = await failureOf(run());
    expect(missing.message).to.match(/^no AWS credentials: .*Could not load credentials from any providers.*pricing:GetProducts$/);
    expect(snapshot()).to.deep.equal(before);
  });

  it("reports throttling that outlasts the SDK's retries in one line, writes nothing, and the CLI exits 1", async () => {
    const before = snapshot();
    pricing.on(GetProductsCommand).rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: { attempts: MAX_ATTEMPTS } }));

    const error = await failureOf(run());
    expect(error.message).to.equal(
      `the AWS Price List Query API kept throttling GetProducts AmazonEC2 (ThrottlingException) after the SDK's ${MAX_ATTEMPTS} attempts (quota: 5 requests a second per account); wait a minute and rerun`,
    );

    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(["--prices-dir", dir], {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
      client: testClient(),
      today: TODAY,
    });
    expect(code).to.equal(1);
    expect(stdout).to.deep.equal([]);
    const last = stderr[stderr.length - 1];
    expect(last).to.match(/^prices:update: the AWS Price List Query API kept throttling GetProducts/);
    expect(stderr.join("\n")).to.not.match(/\n\s+at /);
    expect(last).to.not.include("\n");
    expect(snapshot()).to.deep.equal(before);
  });
});

describe("prices:update: the command line", () => {
  it("prints the usage for --help, and one error line for an unknown option or a malformed name", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const context = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text), client: testClient(), today: TODAY };
    expect(await main(["--help"], context)).to.equal(0);
    expect(out).to.deep.equal([USAGE]);
    expect(USAGE).to.match(
      /^Usage: npm run prices:update -- \[--region R \.\.\.\] \[--instance-type T \.\.\.\] \[--db-instance-class C \.\.\.\] \[--dry-run\] \[--prices-dir DIR\]/,
    );

    expect(await main(["--regions", "eu-west-2"], context)).to.equal(1);
    expect(err.pop()).to.equal("prices:update: Unknown option '--regions' (see npm run prices:update -- --help)");
    expect(await main(["--prices-dir", dir, "--db-instance-class", "r6g.large"], context)).to.equal(1);
    expect(err.pop()).to.equal("prices:update: r6g.large is not a DB instance class such as db.t4g.micro");
  });

  it("runs a dry run with comma-separated names and prints the report", async () => {
    useCatalog([ec2Instance("us-east-1", "t3.2xlarge", 0.3328), ec2Instance("us-east-1", "c7g.large", 0.0725)]);
    const before = snapshot();
    const out: string[] = [];
    const code = await main(["--prices-dir", dir, "--instance-type", "t3.2xlarge,c7g.large", "--dry-run"], {
      stdout: (text) => out.push(text),
      stderr: () => {},
      client: testClient(),
      today: TODAY,
    });
    expect(code).to.equal(0);
    expect(snapshot()).to.deep.equal(before);
    expect(out.join("\n"))
      .to.include("added      ec2InstanceHour.t3.2xlarge: 0.3328 USD/instance-hour")
      .and.include("added      ec2InstanceHour.c7g.large: 0.0725 USD/instance-hour");
  });
});
