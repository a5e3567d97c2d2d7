// The nearest-name helper behind every "closest valid names" in config errors (config/closestNames.ts).
import { expect } from "chai";
import { closestNames, editDistance, suggestionText } from "../../config/closestNames";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("t3.smal", "t3.small")).to.equal(1);
    expect(editDistance("t3.small", "t3.smal")).to.equal(1);
    expect(editDistance("us-east-3", "us-east-1")).to.equal(1);
    expect(editDistance("kitten", "sitting")).to.equal(3);
    expect(editDistance("", "abc")).to.equal(3);
    expect(editDistance("same", "same")).to.equal(0);
  });

  it("counts a swap of two adjacent characters as one edit", () => {
    expect(editDistance("us-esat-1", "us-east-1")).to.equal(1);
    expect(editDistance("ab", "ba")).to.equal(1);
  });

  it("is case-sensitive (closestNames lowers the case itself)", () => {
    expect(editDistance("T3.SMALL", "t3.small")).to.equal(6);
  });
});

describe("closestNames", () => {
  const regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-2"];

  it("returns every candidate at the smallest distance, in natural order", () => {
    expect(closestNames("us-east-3", regions)).to.deep.equal(["us-east-1", "us-east-2"]);
    expect(closestNames("eu-wset-1", regions)).to.deep.equal(["eu-west-1"]);
  });

  it("orders numbers naturally: 2 before 12", () => {
    // Both are one edit from db.m1.xlarge; plain string order would put 12xlarge first.
    expect(closestNames("db.m1.xlarge", ["db.m12.xlarge", "db.m2.xlarge"])).to.deep.equal(["db.m2.xlarge", "db.m12.xlarge"]);
  });

  it("compares case-insensitively", () => {
    expect(closestNames("US-EAST-1", regions)).to.deep.equal(["us-east-1"]);
  });

  it("returns nothing when no candidate is within the distance", () => {
    expect(closestNames("mars-1", regions)).to.deep.equal([]);
    expect(closestNames("us-east-3", regions, { maxDistance: 0 })).to.deep.equal([]);
  });

  it("keeps at most maxResults names (default 3)", () => {
    const many = ["a1", "a2", "a3", "a4", "a5"];
    expect(closestNames("a0", many)).to.deep.equal(["a1", "a2", "a3"]);
    expect(closestNames("a0", many, { maxResults: 1 })).to.deep.equal(["a1"]);
  });

  it("never suggests the input itself, and ignores duplicate candidates", () => {
    expect(closestNames("us-east-1", regions)).to.not.include("us-east-1");
    expect(closestNames("us-east-3", ["us-east-1", "us-east-1"])).to.deep.equal(["us-east-1"]);
  });

  it("takes any iterable, such as a Set", () => {
    expect(closestNames("t3.smal", new Set(["t3.small", "t3.large"]))).to.deep.equal(["t3.small"]);
  });
});

describe("suggestionText", () => {
  it("lists the names, or falls back when there are none", () => {
    expect(suggestionText(["us-east-1", "us-east-2"], "use one like us-east-1")).to.equal("; closest valid names: us-east-1, us-east-2");
    expect(suggestionText([], "use one like us-east-1")).to.equal("; use one like us-east-1");
  });
});
