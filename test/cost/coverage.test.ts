/**
 * The price coverage list of docs/regions-sizes-and-prices.md: generated from cost/prices/ and kept
 * in step with it (npm run prices:update rewrites it).
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { COVERAGE_BEGIN, COVERAGE_END, COVERAGE_PAGE, renderPriceCoverage, withPriceCoverage } from "../../cost/coverage";
import { PRICE_TABLE, type PriceTable } from "../../cost/priceTable";
import { completeRegion } from "../fixtures/prices";

describe("price coverage list", () => {
  it("is in the docs page as the data gives it (after npm run prices:update, or by hand: see cost/coverage.ts)", () => {
    const page = readFileSync(COVERAGE_PAGE, "utf8");
    expect(withPriceCoverage(page, PRICE_TABLE)).to.equal(page);
  });

  it("lists each region's priced names, engine by engine, and the fixed prices a region's file lacks", () => {
    const east = completeRegion("us-east-1");
    const table: PriceTable = {
      ...PRICE_TABLE,
      regions: {
        "sa-east-1": { natGatewayHour: east.natGatewayHour, ec2InstanceHour: { "t3.small": east.ec2InstanceHour["t3.small"] } },
        "ap-south-1": { ...east, rdsInstanceHour: { postgres: { "db.m7g.large": east.rdsInstanceHour.postgres["db.t4g.medium"] }, mysql: {} } },
      },
    };
    const lines = renderPriceCoverage(table).split("\n");
    expect(lines.indexOf("- **ap-south-1**")).to.be.lessThan(lines.indexOf("- **sa-east-1**"));
    const saoPaulo = lines.slice(lines.indexOf("- **sa-east-1**"));
    expect(saoPaulo[1]).to.equal("  - EC2 instance types: t3.small");
    expect(saoPaulo[2]).to.equal("  - RDS DB instance classes: postgres: none; mysql: none");
    expect(saoPaulo[4]).to.match(/^ {2}- fixed prices it lacks: ebsGp3GibMonth, publicIpv4AddressHour, .*ssmAdvancedParameterMonth$/);
    expect(saoPaulo[4]).to.not.include("natGatewayHour");
    const mumbai = lines.slice(lines.indexOf("- **ap-south-1**"));
    expect(mumbai[2]).to.equal("  - RDS DB instance classes: postgres: db.m7g.large; mysql: none");
    expect(mumbai[4]).to.equal("  - fixed prices it lacks: none");
  });

  it("refuses a page without the markers, naming them", () => {
    expect(() => withPriceCoverage("# a page\n", PRICE_TABLE)).to.throw(
      Error,
      new RegExp(`lacks the markers ${COVERAGE_BEGIN}.*${COVERAGE_END}`.replace(/[()]/g, ".")),
    );
  });
});
