// edge.cloudFront: the zod fragment's defaults and refusals, and the cross-field rules on the certificate.
import { expect } from "chai";
import { DEMO_WRITE_PATHS, drEdgeProblems, edgeProblems, edgeSchema, MAX_WRITE_PATHS } from "../../config/edge";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

/** The messages of a failed parse, by path. */
function problems(input: unknown): Record<string, string> {
  const result = edgeSchema.safeParse(input);
  expect(result.success, "expected a refusal").to.equal(false);
  return Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join("."), issue.message]));
}

describe("edge.cloudFront config", () => {
  it("defaults to off, PriceClass_100, the demo's write path, secret version 1, no WAF with a 2000 rate limit", () => {
    expect(edgeSchema.parse(undefined)).to.deep.equal({
      cloudFront: {
        enabled: false,
        priceClass: "PriceClass_100",
        writePaths: [...DEMO_WRITE_PATHS],
        originSecretVersion: 1,
        waf: { enabled: false, rateLimitPer5Minutes: 2000 },
        healthListener: false,
        retainInOutage: true,
      },
    });
  });

  it("accepts a full setting", () => {
    const parsed = edgeSchema.parse({
      cloudFront: {
        enabled: true,
        priceClass: "PriceClass_All",
        writePaths: ["/api/*", "/write"],
        originSecretVersion: 3,
        waf: { enabled: true, rateLimitPer5Minutes: 0 },
      },
    });
    expect(parsed.cloudFront.writePaths).to.deep.equal(["/api/*", "/write"]);
    expect(parsed.cloudFront.waf.rateLimitPer5Minutes).to.equal(0);
  });

  it("refuses unknown keys, bad price classes and path patterns, repeats and too many paths", () => {
    expect(problems({ cloudFront: { enabeld: true } })).to.have.property("cloudFront");
    expect(problems({ cloudFront: { priceClass: "PriceClass_50" } })["cloudFront.priceClass"]).to.match(/PriceClass_100, PriceClass_200, PriceClass_All/);
    expect(problems({ cloudFront: { writePaths: ["api/*"] } })["cloudFront.writePaths.0"]).to.match(/starting with \//);
    expect(problems({ cloudFront: { writePaths: ["/a b"] } })["cloudFront.writePaths.0"]).to.match(/path pattern/);
    expect(problems({ cloudFront: { writePaths: ["/w", "/w"] } })["cloudFront.writePaths"]).to.match(/repeat/);
    const many = Array.from({ length: MAX_WRITE_PATHS + 1 }, (_, index) => `/w${index}`);
    expect(problems({ cloudFront: { writePaths: many } })["cloudFront.writePaths"]).to.match(/at most 20/);
  });

  it("refuses a secret version below 1 or not whole, and rate limits AWS WAF refuses", () => {
    expect(problems({ cloudFront: { originSecretVersion: 0 } })["cloudFront.originSecretVersion"]).to.match(/at least 1/);
    expect(problems({ cloudFront: { originSecretVersion: 1.5 } })["cloudFront.originSecretVersion"]).to.match(/whole/);
    for (const limit of [5, 2_000_000_001, 99.5]) {
      expect(problems({ cloudFront: { enabled: true, waf: { enabled: true, rateLimitPer5Minutes: limit } } })).to.have.property(
        "cloudFront.waf.rateLimitPer5Minutes",
      );
    }
  });

  it("refuses WAF without the distribution it protects", () => {
    expect(problems({ cloudFront: { waf: { enabled: true } } })["cloudFront.waf.enabled"]).to.match(/edge.cloudFront.enabled: true/);
  });

  it("needs the primary's certificate when on (HTTPS to the origins), naming app.certificateArn", () => {
    const on = edgeSchema.parse({ cloudFront: { enabled: true } });
    const [problem, ...rest] = edgeProblems(on, {});
    expect(rest).to.deep.equal([]);
    expect(problem?.key).to.equal("multi-region-dr:app.certificateArn");
    expect(problem?.message).to.match(/HTTPS/);
    expect(edgeProblems(on, { certificateArn: CERTIFICATE })).to.deep.equal([]);
    expect(edgeProblems(edgeSchema.parse({}), {})).to.deep.equal([]);
  });

  it("needs the DR stack's certificate while the primary's edge is on", () => {
    expect(drEdgeProblems({ enabled: true }, {})[0]?.key).to.equal("multi-region-dr:app.certificateArn");
    expect(drEdgeProblems({ enabled: true }, { certificateArn: CERTIFICATE })).to.deep.equal([]);
    expect(drEdgeProblems({ enabled: false }, {})).to.deep.equal([]);
  });
});
