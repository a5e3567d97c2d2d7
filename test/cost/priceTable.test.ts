/**
 * The price table's integrity: dated, every price sourced from an AWS pricing page and either
 * verified where it was read or marked unverified with a note, the config defaults priced in the
 * example stacks' regions, and Multi-AZ RDS prices twice the Single-AZ ones.
 */
import { expect } from "chai";
import { PRICE_TABLE, PRICED_AURORA_ENGINES, PRICED_DATABASE_ENGINES, type Price } from "../../cost/priceTable";
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
      ...(price.verified && !/^https:\/\//.test(price.seenAt ?? "") ? [`${path}: verified without seenAt`] : []),
      ...(!price.verified && !price.note ? [`${path}: unverified without a note`] : []),
    ]);
    expect(problems).to.deep.equal([]);
  });

  it("prices the config defaults in the example stacks' regions: app and node instance types, the DB class in both engines and deployments", () => {
    const defaults = primaryConfigSchema.parse({ role: "primary", region: "us-east-1" });
    for (const region of EXAMPLE_REGIONS) {
      const prices = PRICE_TABLE.regions[region];
      expect(prices.ec2InstanceHour, region).to.include.keys(defaults.app.instanceType, defaults.monitoring.nodeInstanceType);
      for (const engine of PRICED_DATABASE_ENGINES) {
        expect(prices.rdsInstanceHour[engine], `${region} ${engine}`).to.include.keys(defaults.database.instanceClass);
        expect(prices.rdsInstanceHour[engine][defaults.database.instanceClass]).to.have.keys("singleAz", "multiAz");
      }
    }
  });

  it("makes every Multi-AZ RDS price twice the Single-AZ one (instance and storage), in every region", () => {
    for (const [region, prices] of Object.entries(PRICE_TABLE.regions)) {
      const deployments = [prices.rdsGp3StorageGibMonth, ...PRICED_DATABASE_ENGINES.flatMap((engine) => Object.values(prices.rdsInstanceHour[engine]))];
      for (const deployment of deployments) expect(deployment.multiAz.usd, region).to.be.closeTo(2 * deployment.singleAz.usd, 1e-12);
    }
  });

  it("prices the monitoring stack's dashboard at $3.00 and Grafana's NLB at the ALB's hourly rate in every region, verified in us-east-1", () => {
    for (const [region, prices] of Object.entries(PRICE_TABLE.regions)) {
      expect(prices.cloudwatchDashboardMonth, region).to.include({ usd: 3, unit: "dashboard-month" });
      expect(prices.networkLoadBalancerHour.usd, region).to.equal(prices.applicationLoadBalancerHour.usd);
      expect(prices.classicLoadBalancerHour.usd, region).to.be.greaterThan(prices.networkLoadBalancerHour.usd);
    }
    const east = PRICE_TABLE.regions["us-east-1"];
    expect(east.networkLoadBalancerHour).to.include({ usd: 0.0225, verified: true });
    expect(east.classicLoadBalancerHour).to.include({ usd: 0.025, verified: true });
    expect(east.cloudwatchDashboardMonth.verified).to.equal(true);
  });

  it("prices the Aurora classes of the aurora-global mode (default db.r6g.large) in both engines and configurations in the example stacks' regions", () => {
    // The classes issue 7 asks for; db.r6g.large is CONTRACT.md's aurora-global default of database.instanceClass.
    const classes = ["db.r6g.large", "db.r6g.xlarge", "db.r7g.large", "db.r7g.xlarge", "db.r5.large"];
    for (const region of EXAMPLE_REGIONS) {
      for (const engine of PRICED_AURORA_ENGINES) {
        const byClass = PRICE_TABLE.regions[region].auroraInstanceHour[engine];
        expect(byClass, `${region} ${engine}`).to.include.keys(...classes);
        for (const instanceClass of classes) expect(byClass[instanceClass]).to.have.keys("standard", "ioOptimized");
      }
    }
  });

  it("reads us-east-1's Aurora Standard rates on a page (same for both engines), and makes every I/O-Optimized rate 1.3 x the Standard one", () => {
    const east = PRICE_TABLE.regions["us-east-1"].auroraInstanceHour;
    expect(east["aurora-postgresql"]["db.r6g.large"].standard).to.include({
      usd: 0.26,
      unit: "instance-hour",
      verified: true,
      source: "https://aws.amazon.com/rds/aurora/pricing/",
    });
    expect(east["aurora-mysql"]["db.r7g.xlarge"].standard).to.include({ usd: 0.553, verified: true });
    for (const [region, prices] of Object.entries(PRICE_TABLE.regions)) {
      for (const engine of PRICED_AURORA_ENGINES) {
        for (const [instanceClass, configurations] of Object.entries(prices.auroraInstanceHour[engine])) {
          expect(configurations.ioOptimized.usd, `${region} ${engine} ${instanceClass}`).to.be.closeTo(1.3 * configurations.standard.usd, 1e-12);
          expect(configurations.ioOptimized.verified).to.equal(false);
          expect(prices.auroraInstanceHour["aurora-mysql"][instanceClass]?.standard.usd, instanceClass).to.equal(
            prices.auroraInstanceHour["aurora-postgresql"][instanceClass]?.standard.usd,
          );
        }
      }
    }
  });

  it("prices us-west-2 like us-east-1 for every instance type, class and scalar it has", () => {
    const east = PRICE_TABLE.regions["us-east-1"];
    const west = PRICE_TABLE.regions["us-west-2"];
    expect(Object.keys(west.ec2InstanceHour).sort()).to.deep.equal(Object.keys(east.ec2InstanceHour).sort());
    for (const [path, price] of pricesIn(west, "us-west-2")) {
      const eastPrice = pricesIn(east, "us-east-1").find(([eastPath]) => eastPath === path.replace("us-west-2", "us-east-1"))?.[1];
      expect(eastPrice?.usd, path).to.equal(price.usd);
    }
  });
});
