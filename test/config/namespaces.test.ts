// Keys that would be silently ignored (config/namespaces.ts): a namespace that looks like the
// project's, and this project's top-level keys under aws:; and how parseStackConfig reports them.
import { expect } from "chai";
import { parseStackConfig } from "../../config/load";
import { looksLikeProjectNamespace, namespaceProblems } from "../../config/namespaces";
import { configErrorOf, drSettings, expectOneProblem, NS, parseDr, parsePrimary, primarySettings } from "./fixtures";

const PROJECT_KEYS = ["role", "network", "app", "database", "tags"];

describe("looksLikeProjectNamespace", () => {
  it("matches other spellings and near misses of the project name", () => {
    for (const namespace of [
      "multi_region_dr",
      "multi-region_dr",
      "Multi-Region-DR",
      "MULTI_REGION_DR",
      "multiregiondr",
      "multi.region.dr",
      "multi-regoin-dr",
      "multi-region-d",
      "multi-region-drr",
    ]) {
      expect(looksLikeProjectNamespace(namespace, NS), namespace).to.equal(true);
    }
  });

  it("leaves the project's own namespace and genuinely other namespaces alone", () => {
    for (const namespace of [NS, "aws", "pulumi", "kubernetes", "eks", "awsx", "random", "state-backend", "other-project", "multi-region"]) {
      expect(looksLikeProjectNamespace(namespace, NS), namespace).to.equal(false);
    }
  });
});

describe("namespaceProblems", () => {
  it("names the intended key for a lookalike namespace, with the parsed value", () => {
    expect(namespaceProblems({ "multi_region_dr:app": '{"instanceType":"t3.large"}' }, NS, PROJECT_KEYS)).to.deep.equal([
      {
        key: "multi_region_dr:app",
        value: { instanceType: "t3.large" },
        message: `is under the namespace "multi_region_dr", not this project's "${NS}", so the program would ignore it; rename the key to ${NS}:app`,
      },
    ]);
  });

  it("refuses this project's top-level keys under aws:, but not aws:region or provider settings", () => {
    const problems = namespaceProblems(
      { "aws:app": '{"maxSize":4}', "aws:region": "us-east-1", "aws:profile": "ops", "aws:defaultTags": '{"tags":{}}', "aws:network": "{}" },
      NS,
      PROJECT_KEYS,
    );
    expect(problems.map((problem) => problem.key)).to.deep.equal(["aws:app", "aws:network"]);
    expect(problems[0].value).to.deep.equal({ maxSize: 4 });
    expect(problems[0].message).to.include("is this project's key app, not an AWS provider setting").and.include(`rename the key to ${NS}:app`);
  });

  it("leaves keys without a namespace and of other projects alone", () => {
    expect(namespaceProblems({ plain: "x", "pulumi:tags": "{}", "kubernetes:context": "c", "other-project:app": "{}" }, NS, PROJECT_KEYS)).to.deep.equal([]);
  });
});

describe("parseStackConfig: misplaced keys", () => {
  it("refuses multi_region_dr:app, naming multi-region-dr:app", () => {
    expectOneProblem(primarySettings({ "multi_region_dr:app": { maxSize: 4 } }), "multi_region_dr:app", { maxSize: 4 }, `rename the key to ${NS}:app`);
  });

  it("refuses multi-region_dr:network on the DR stack", () => {
    expectOneProblem(
      drSettings({ "multi-region_dr:network": { cidrBlock: "10.2.0.0/16" } }),
      "multi-region_dr:network",
      { cidrBlock: "10.2.0.0/16" },
      `rename the key to ${NS}:network`,
    );
  });

  it("refuses Multi-Region-DR:app", () => {
    expectOneProblem(primarySettings({ "Multi-Region-DR:app": { maxSize: 4 } }), "Multi-Region-DR:app", { maxSize: 4 }, `rename the key to ${NS}:app`);
  });

  it("refuses aws:database, naming multi-region-dr:database", () => {
    expectOneProblem(
      primarySettings({ "aws:database": { engine: "mysql" } }),
      "aws:database",
      { engine: "mysql" },
      "not an AWS provider setting",
      `rename the key to ${NS}:database`,
    );
  });

  it("refuses a DR-only key under aws: on the primary too (aws:backup)", () => {
    expectOneProblem(primarySettings({ "aws:backup": { enabled: false } }), "aws:backup", { enabled: false }, `rename the key to ${NS}:backup`);
  });

  it("reports a misplaced role together with the missing role", () => {
    const error = configErrorOf(() => parseStackConfig(primarySettings({ [`${NS}:role`]: undefined, "multi_region_dr:role": "primary" }), "t"));
    expect(error.problems.map((problem) => [problem.key, problem.value])).to.deep.equal([
      ["multi_region_dr:role", "primary"],
      [`${NS}:role`, undefined],
    ]);
    expect(error.problems[0].message).to.include(`rename the key to ${NS}:role`);
  });

  it("reports misplaced keys together with schema problems", () => {
    const error = configErrorOf(() => parseStackConfig(primarySettings({ "aws:app": "{}", [`${NS}:app`]: { instanceType: "t3.smal" } }), "t"));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal(["aws:app", `${NS}:app.instanceType`]);
  });

  it("keeps the keys of genuinely other namespaces allowed", () => {
    const settings = {
      "aws:profile": "ops",
      "aws:defaultTags": { tags: { Team: "dr" } },
      "pulumi:template": "x",
      "kubernetes:context": "ops",
      "other-project:app": "{}",
    };
    expect(parsePrimary(settings).app.instanceType).to.equal("t3.small");
    expect(parseDr(settings).network.cidrBlock).to.equal("10.1.0.0/16");
  });

  it("names the closest top-level key of a misspelt one", () => {
    expectOneProblem(primarySettings({ [`${NS}:databse`]: {} }), `${NS}:databse`, {}, "is not a key the primary stack reads", "(closest: database)");
  });
});
