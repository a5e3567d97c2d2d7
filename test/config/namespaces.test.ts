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

  it("refuses this project's top-level keys under aws:, naming the intended key, and keeps aws:region", () => {
    const problems = namespaceProblems({ "aws:app": '{"maxSize":4}', "aws:region": "us-east-1", "aws:network": "{}" }, NS, PROJECT_KEYS);
    expect(problems.map((problem) => problem.key)).to.deep.equal(["aws:app", "aws:network"]);
    expect(problems[0].value).to.deep.equal({ maxSize: 4 });
    expect(problems[0].message).to.include("is this project's key app, not an AWS provider setting").and.include(`rename the key to ${NS}:app`);
  });

  it("leaves keys of other projects and tools alone", () => {
    expect(namespaceProblems({ "pulumi:tags": "{}", "kubernetes:context": "c", "other-project:app": "{}" }, NS, PROJECT_KEYS)).to.deep.equal([]);
  });
});

describe("namespaceProblems: keys without a namespace (Pulumi's ParseKey refuses them)", () => {
  it("refuses app and role, naming multi-region-dr:app and multi-region-dr:role", () => {
    const problems = namespaceProblems({ app: '{"instanceType":"m5.large"}', role: "primary" }, NS, PROJECT_KEYS);
    expect(problems).to.deep.equal([
      {
        key: "app",
        value: { instanceType: "m5.large" },
        message: `has no namespace: Pulumi reads only <namespace>:<name> config keys (its ParseKey refuses any other), so the key cannot be read; write ${NS}:app`,
      },
      {
        key: "role",
        value: "primary",
        message: `has no namespace: Pulumi reads only <namespace>:<name> config keys (its ParseKey refuses any other), so the key cannot be read; write ${NS}:role`,
      },
    ]);
  });

  it("refuses region, naming aws:region", () => {
    const [problem] = namespaceProblems({ region: "us-east-1" }, NS, PROJECT_KEYS);
    expect(problem.key).to.equal("region");
    expect(problem.message).to.match(/has no namespace: .*; write aws:region$/);
  });

  it("refuses a nested path and an unknown key, naming the closest key of this project", () => {
    const problems = namespaceProblems({ "network.cidrBlock": "10.0.0.0/16", databse: "{}", plain: "x" }, NS, PROJECT_KEYS);
    expect(problems.map((problem) => problem.key)).to.deep.equal(["network.cidrBlock", "databse", "plain"]);
    expect(problems[0].message).to.match(new RegExp(`; write ${NS}:network\\.cidrBlock$`));
    expect(problems[1].message).to.include(
      `write it as <namespace>:<name>, such as ${NS}:databse for a setting of this program (closest: ${NS}:database), or remove it`,
    );
    expect(problems[2].message).to.include("write it as <namespace>:<name>").and.not.include("closest");
  });
});

describe("namespaceProblems: aws: provider settings the explicit providers never read", () => {
  const NOT_READ =
    "is not read by this program's AWS providers: each is an explicit aws.Provider given only the region and the default tags, and an explicit provider reads no aws: stack config (pulumi/pulumi-aws#1307, #3259)";

  it("refuses aws:profile, saying to set AWS_PROFILE in the environment of pulumi up", () => {
    expect(namespaceProblems({ "aws:profile": "ops" }, NS, PROJECT_KEYS)).to.deep.equal([
      {
        key: "aws:profile",
        value: "ops",
        message:
          `${NOT_READ}, so \`pulumi up\` would run with whatever credentials its environment holds, possibly those of another account; ` +
          "set AWS_PROFILE in the environment of `pulumi up` instead, or set it under environmentVariables (not pulumiConfig) of a Pulumi ESC environment the stack imports, and remove the key",
      },
    ]);
  });

  it("refuses aws:assumeRole, aws:allowedAccountIds and the static credentials, one problem each, with what to do instead", () => {
    const problems = namespaceProblems(
      {
        "aws:assumeRole": '{"roleArn":"arn:aws:iam::123456789012:role/deploy"}',
        "aws:allowedAccountIds": '["123456789012"]',
        "aws:accessKey": "AKIAEXAMPLE",
        "aws:secretKey": "secret",
      },
      NS,
      PROJECT_KEYS,
    );
    expect(problems.map((problem) => problem.key)).to.deep.equal(["aws:assumeRole", "aws:allowedAccountIds", "aws:accessKey", "aws:secretKey"]);
    expect(problems[0].value).to.deep.equal({ roleArn: "arn:aws:iam::123456789012:role/deploy" });
    expect(problems[0].message).to.include(NOT_READ).and.include("a profile with role_arn and source_profile in ~/.aws/config selected by AWS_PROFILE");
    expect(problems[1].message).to.include("nothing would stop `pulumi up` from deploying into another account").and.include("aws sts get-caller-identity");
    expect(problems[2].message).to.include("set AWS_ACCESS_KEY_ID in the environment of `pulumi up`");
    expect(problems[3].message).to.include("set AWS_SECRET_ACCESS_KEY in the environment of `pulumi up`");
  });

  it("refuses aws:defaultTags, pointing at multi-region-dr:tags", () => {
    const [problem] = namespaceProblems({ "aws:defaultTags": '{"tags":{"Team":"dr"}}' }, NS, PROJECT_KEYS);
    expect(problem.key).to.equal("aws:defaultTags");
    expect(problem.message).to.include("so no resource would get these tags; put the tags under multi-region-dr:tags");
  });

  it("refuses any other setting such as aws:skipCredentialsValidation, and keeps aws:region", () => {
    const problems = namespaceProblems({ "aws:skipCredentialsValidation": "true", "aws:region": "us-east-1" }, NS, PROJECT_KEYS);
    expect(problems.map((problem) => [problem.key, problem.value])).to.deep.equal([["aws:skipCredentialsValidation", true]]);
    expect(problems[0].message).to.include(`${NOT_READ}, so it would have no effect`);
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

  it("refuses app without a namespace, naming multi-region-dr:app, before any resource exists", () => {
    expectOneProblem(primarySettings({ app: { instanceType: "m5.large" } }), "app", { instanceType: "m5.large" }, "has no namespace", `write ${NS}:app`);
  });

  it("refuses role without a namespace together with the missing multi-region-dr:role", () => {
    const error = configErrorOf(() => parseStackConfig(primarySettings({ [`${NS}:role`]: undefined, role: "primary" }), "t"));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal(["role", `${NS}:role`]);
    expect(error.problems[0].message).to.include(`write ${NS}:role`);
  });

  it("refuses aws:profile on the DR stack, and aws:app once, not twice", () => {
    const error = configErrorOf(() => parseStackConfig(drSettings({ "aws:profile": "ops", "aws:app": { maxSize: 4 } }), "t"));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal(["aws:profile", "aws:app"]);
    expect(error.problems[0].message).to.include("set AWS_PROFILE in the environment of `pulumi up`");
    expect(error.problems[1].message).to.include(`rename the key to ${NS}:app`);
  });
});
