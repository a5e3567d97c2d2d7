/**
 * Rendering of cost estimates on hand-built estimates: the DR share of the primary, the console
 * lines and the markdown table, rounded only here.
 */
import { expect } from "chai";
import { costShare, type CostEstimate, type CostLine, type UnpricedCharge } from "../../cost/estimate";
import { formatDollars, formatShare, formatUnitPrice, renderCostComparison, renderCostLines, renderCostMarkdown } from "../../cost/render";

function line(resourceName: string, monthlyUsd: number, overrides: Partial<CostLine> = {}): CostLine {
  return {
    resourceName,
    type: "aws:autoscaling/group:Group",
    region: "us-east-1",
    description: `${resourceName} charge`,
    quantity: 1,
    unit: "instance-hour",
    unitPriceUsd: monthlyUsd,
    monthlyUsd,
    priceVerified: true,
    priceSource: "https://aws.amazon.com/ec2/pricing/on-demand/",
    ...overrides,
  };
}

/** A fixed charge of `resourceName` without a price in `region`. */
function notPriced(resourceName: string, region = "eu-west-3"): UnpricedCharge {
  return {
    resourceName,
    type: "aws:autoscaling/group:Group",
    region,
    description: "2 x m7i.large on-demand, 730 h",
    quantity: 1460,
    unit: "instance-hour",
    reason: `no EC2 on-demand price for m7i.large in ${region}`,
  };
}

function estimateOf(stack: string, lines: CostLine[], region = "us-east-1", unpriced: UnpricedCharge[] = []): CostEstimate {
  return {
    stack,
    region,
    asOf: "2026-11-21",
    lines,
    unpriced,
    usageBased: [{ resourceName: "data", type: "aws:s3/bucket:Bucket", unit: "per GB-month stored" }],
    totalMonthlyUsd: lines.reduce((sum, each) => sum + each.monthlyUsd, 0),
  };
}

describe("cost rendering", () => {
  const primary = estimateOf("primary", [line("database", 150), line("nat", 50)]);
  const dr = estimateOf("dr", [line("replica", 40), line("nat", 10)], "us-west-2");

  it("gives the DR stack's cost as a share of the primary's: $50 of $200 is 25.0%", () => {
    expect(costShare(dr, primary)).to.equal(50 / 200);
    expect(renderCostComparison(primary, dr)).to.equal("DR stack dr $50.00/month = 25.0% of the primary's $200.00/month");
    expect(renderCostComparison(primary, dr, "pilot-light")).to.equal("pilot-light: DR stack dr $50.00/month = 25.0% of the primary's $200.00/month");
  });

  it("rounds the share to one decimal of a percent only when rendering", () => {
    const third = estimateOf("dr", [line("replica", 100)]);
    const whole = estimateOf("primary", [line("database", 300)]);
    expect(costShare(third, whole)).to.equal(1 / 3);
    expect(renderCostComparison(whole, third)).to.equal("DR stack dr $100.00/month = 33.3% of the primary's $300.00/month");
  });

  it("gives no share when the primary costs nothing", () => {
    const free = estimateOf("primary", []);
    expect(costShare(dr, free)).to.equal(undefined);
    expect(renderCostComparison(free, dr)).to.equal("DR stack dr $50.00/month; the primary primary costs $0.00/month, so there is no share to give");
  });

  it("formats dollars to cents and unit prices to their digits", () => {
    expect(formatDollars(2 * 730 * 0.0208)).to.equal("$30.37");
    expect(formatDollars(1234.5)).to.equal("$1,234.50");
    expect(formatUnitPrice(0.0208)).to.equal("$0.0208");
    expect(formatUnitPrice(1)).to.equal("$1.00");
    expect(formatShare(0.62)).to.equal("62.0%");
  });

  it("prints the total, the most expensive lines first, the rest summed, other regions and unverified prices marked", () => {
    const estimate = estimateOf(
      "dr",
      [line("small", 1), line("large", 100), line("east-alarm", 0.1, { region: "us-east-1", priceVerified: false }), line("middle", 10)],
      "us-west-2",
    );
    const out = renderCostLines(estimate, 2);
    expect(out[0]).to.equal(
      "cost of dr (us-west-2): $111.10/month on-demand at list prices of 2026-11-21, 4 priced lines, 0 fixed charges not priced, 1 usage-based charges not estimated",
    );
    expect(out[1]).to.match(/^\s+\$100\.00 {2}large: large charge \[us-east-1\]$/);
    expect(out[2]).to.match(/^\s+\$10\.00 {2}middle: middle charge \[us-east-1\]$/);
    expect(out[3]).to.match(/^\s+\$1\.10 {2}2 more lines$/);
    expect(out[4]).to.include("† unit price not verified");
    expect(out).to.have.length(5);
  });

  it("says how many fixed charges are not priced, calls the total a lower bound and lists each with its quantity and reason", () => {
    const estimate = estimateOf("primary", [line("nat", 50)], "eu-west-3", [
      notPriced("app-asg"),
      { ...notPriced("odd"), quantity: undefined, unit: undefined, description: "every fixed charge of the resource", reason: "cannot be priced: why" },
    ]);
    const out = renderCostLines(estimate);
    expect(out[0]).to.equal(
      "cost of primary (eu-west-3): at least $50.00/month (partial: 2 fixed charges not priced) on-demand at list prices of 2026-11-21, 1 priced lines, 2 fixed charges not priced, 1 usage-based charges not estimated",
    );
    expect(out[2]).to.match(
      /^\s+not priced {2}app-asg: 2 x m7i\.large on-demand, 730 h \(1,460 instance-hour\/month\): no EC2 on-demand price for m7i\.large in eu-west-3$/,
    );
    expect(out[3]).to.match(/^\s+not priced {2}odd: every fixed charge of the resource: cannot be priced: why$/);
    const one = renderCostLines(estimateOf("dr", [], "eu-west-3", [notPriced("app-asg")]));
    expect(one[0]).to.include("at least $0.00/month (partial: 1 fixed charge not priced)");
  });

  it("labels the DR share a lower bound when the DR side is partial, gives none when the primary is, and says how many charges on each side", () => {
    const partialDr = estimateOf("dr", [line("replica", 40), line("nat", 10)], "eu-west-3", [notPriced("dr-asg")]);
    expect(renderCostComparison(primary, partialDr, "warm-standby")).to.equal(
      "warm-standby: DR stack dr at least $50.00/month = at least 25.0% of the primary's $200.00/month (partial: fixed charges not priced, 1 in dr)",
    );
    const partialPrimary = estimateOf("primary", [line("database", 150), line("nat", 50)], "eu-west-3", [notPriced("a"), notPriced("b")]);
    expect(renderCostComparison(partialPrimary, partialDr)).to.equal(
      "DR stack dr at least $50.00/month; the primary primary costs at least $200.00/month, so there is no share to give until its prices are in the data (partial: fixed charges not priced, 2 in primary and 1 in dr)",
    );
    expect(renderCostComparison(partialPrimary, dr)).to.equal(
      "DR stack dr $50.00/month; the primary primary costs at least $200.00/month, so there is no share to give until its prices are in the data (partial: fixed charges not priced, 2 in primary)",
    );
  });

  it("renders the fixed charges not priced as their own table, left out of a total of the priced lines", () => {
    const markdown = renderCostMarkdown(estimateOf("dr", [line("nat", 10)], "eu-west-3", [{ ...notPriced("app|asg"), reason: "no price | here" }]));
    expect(markdown).to.include("at least $10.00/month (partial: 1 fixed charge not priced)");
    expect(markdown).to.include("| **Total of the priced lines** | | | | | | **$10.00** |");
    expect(markdown).to.include("| Resource | Region | Description | Quantity | Unit | Why not priced |");
    expect(markdown).to.include("| app\\|asg | eu-west-3 | 2 x m7i.large on-demand, 730 h | 1,460 | instance-hour | no price \\| here |");
  });

  it("renders a markdown table with the total row and the usage-based list, pipes escaped", () => {
    const markdown = renderCostMarkdown(
      estimateOf("primary", [line("database", 94.9, { description: "db.t4g.medium | Multi-AZ", quantity: 730, unitPriceUsd: 0.13 })]),
    );
    expect(markdown).to.include("### Monthly cost of primary (us-east-1)");
    expect(markdown).to.include("| Resource | Region | Description | Quantity | Unit | Unit price | Monthly |");
    expect(markdown).to.include("| database | us-east-1 | db.t4g.medium \\| Multi-AZ | 730 | instance-hour | $0.13 | $94.90 |");
    expect(markdown).to.include("| **Total** | | | | | | **$94.90** |");
    expect(markdown).to.include("- data (aws:s3/bucket:Bucket): per GB-month stored");
  });
});
