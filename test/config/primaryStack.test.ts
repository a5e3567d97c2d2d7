/**
 * The DR stack's `primaryStack` against the backend it runs on: the repository's default (`primary`,
 * the name alone) qualified with the DR stack's own organization and project, on Pulumi Cloud (the
 * deploy workflow's default backend) and on a self-managed backend alike; a fully qualified name
 * that cannot be on the stack's backend refused with the backend and the fix; and offline, where
 * there is no backend, the name left as written.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as path from "node:path";
import { DIY_ORGANIZATION, type Deployment, parseStackConfig, readStackConfig, resolvePrimaryStack } from "../../config/load";
import { primaryStackProblem, type DrConfig } from "../../config/schema";
import { readStackConfigFile } from "../../synth/stackFile";
import { configErrorOf, drSettings, NS } from "./fixtures";

const ROOT = path.join(__dirname, "..", "..");
const PROJECT = "multi-region-dr";
const CLOUD: Deployment = { organization: "acme", project: PROJECT };
const DIY: Deployment = { organization: DIY_ORGANIZATION, project: PROJECT };
const KEY = `${NS}:primaryStack`;

function drOn(deployment: Deployment | undefined, primaryStack: string, stackName = "dr"): DrConfig {
  const config = parseStackConfig(drSettings({ [KEY]: primaryStack }), stackName, deployment);
  if (config.role !== "dr") throw new Error(`expected a dr config, got ${config.role}`);
  return config;
}

/** The one problem of a DR stack that names `primaryStack` on `deployment`, as the error prints it. */
function problemOn(deployment: Deployment, primaryStack: string, stackName = "dr"): string {
  const error = configErrorOf(() => drOn(deployment, primaryStack, stackName));
  expect(error.problems.map((problem) => problem.key)).to.deep.equal([KEY]);
  expect(error.problems[0].value).to.equal(primaryStack);
  expect(error.message).to.match(new RegExp(`^Invalid configuration for stack "${stackName}" \\(Pulumi\\.${stackName}\\.yaml\\):\\n {2}- ${KEY} `));
  return error.problems[0].message;
}

describe("primaryStack and the backend", () => {
  describe("the repository's Pulumi.dr.yaml", () => {
    const fileConfig = () => readStackConfigFile(path.join(ROOT, "Pulumi.dr.yaml"));

    it("names the primary by its stack name alone, so it fits any backend", () => {
      expect(fileConfig()[KEY]).to.equal("primary");
    });

    it("reaches the primary on Pulumi Cloud, the deploy workflow's default backend, in the DR stack's own organization", () => {
      const config = parseStackConfig(fileConfig(), "dr", CLOUD);
      expect(config.role === "dr" && config.primaryStack).to.equal("acme/multi-region-dr/primary");
    });

    it("reaches the primary on a self-managed backend", () => {
      const config = parseStackConfig(fileConfig(), "dr", DIY);
      expect(config.role === "dr" && config.primaryStack).to.equal("organization/multi-region-dr/primary");
    });
  });

  describe("the name alone", () => {
    it("is qualified with the organization and project the engine reports", () => {
      expect(drOn(CLOUD, "primary").primaryStack).to.equal("acme/multi-region-dr/primary");
      expect(drOn(DIY, "prod-east").primaryStack).to.equal("organization/multi-region-dr/prod-east");
      expect(drOn({ organization: "acme", project: "other" }, "primary").primaryStack).to.equal("acme/other/primary");
    });

    it("stays as written offline, where no backend exists (offline synthesis feeds the StackReference by that name)", () => {
      expect(drOn(undefined, "primary").primaryStack).to.equal("primary");
      expect(drOn(undefined, "organization/multi-region-dr/primary").primaryStack).to.equal("organization/multi-region-dr/primary");
    });

    it("may not be the DR stack itself", () => {
      expect(problemOn(CLOUD, "dr")).to.equal("names this DR stack itself (acme/multi-region-dr/dr); name the primary stack, such as primary");
      expect(problemOn(DIY, "organization/multi-region-dr/standby", "standby")).to.include("names this DR stack itself");
    });
  });

  describe("a fully qualified name", () => {
    it("is kept when it fits the backend, including another Pulumi Cloud organization", () => {
      expect(drOn(CLOUD, "acme/multi-region-dr/primary").primaryStack).to.equal("acme/multi-region-dr/primary");
      expect(drOn(CLOUD, "platform-team/multi-region-dr/primary").primaryStack).to.equal("platform-team/multi-region-dr/primary");
      expect(drOn(DIY, "organization/multi-region-dr/primary").primaryStack).to.equal("organization/multi-region-dr/primary");
    });

    it("naming the self-managed backend's organization on Pulumi Cloud is an error naming the backend and the fix", () => {
      expect(problemOn(CLOUD, "organization/multi-region-dr/primary")).to.equal(
        'names "organization", the organization of a self-managed (DIY) backend, but this stack runs on Pulumi Cloud, in organization acme; ' +
          "write primary alone (qualified with this stack's organization: acme/multi-region-dr/primary). " +
          "If both stacks are meant for a self-managed backend, log in there instead (pulumi login <backend URL>; in CI set PULUMI_BACKEND_URL)",
      );
    });

    it("naming a Pulumi Cloud organization on a self-managed backend is an error naming the backend and the fix", () => {
      expect(problemOn(DIY, "acme/multi-region-dr/primary")).to.equal(
        'names the organization acme, but this stack runs on a self-managed (DIY) backend, whose only organization is "organization", ' +
          "and the primary's state is in the same backend; write primary alone (qualified with this stack's organization: organization/multi-region-dr/primary). " +
          "If both stacks are meant for Pulumi Cloud, log in there instead (pulumi login; in CI leave PULUMI_BACKEND_URL unset and set PULUMI_ACCESS_TOKEN)",
      );
    });

    it("naming another project is an error: both stacks are stacks of this program", () => {
      expect(problemOn(CLOUD, "acme/other-project/primary")).to.equal(
        "names the project other-project, but both stacks are stacks of this program's project multi-region-dr; " +
          "write primary alone (qualified with this stack's organization: acme/multi-region-dr/primary)",
      );
    });
  });

  it("resolvePrimaryStack is the rule parseStackConfig applies", () => {
    expect(resolvePrimaryStack("primary", CLOUD, "dr")).to.deep.equal({ name: "acme/multi-region-dr/primary" });
    expect(resolvePrimaryStack("organization/multi-region-dr/primary", CLOUD, "dr")).to.have.property("problem");
  });

  it("the schema takes the name alone or <organization>/<project>/<stack>, nothing in between", () => {
    for (const good of ["primary", "prod.us-east_1", "acme/multi-region-dr/primary"]) expect(primaryStackProblem(good), good).to.equal(undefined);
    for (const bad of ["multi-region-dr/primary", "a//b", "pri mary", "", "a/b/c/d", `${"s".repeat(101)}`]) {
      expect(primaryStackProblem(bad), bad).to.include("write <organization>/<project>/<stack>");
    }
    expect(configErrorOf(() => drOn(CLOUD, "multi-region-dr/primary")).problems[0].message).to.include("write primary");
  });

  describe("readStackConfig, with the organization the engine reports", () => {
    after(() => pulumi.runtime.setAllConfig({}));

    for (const [backend, organization, expected] of [
      ["Pulumi Cloud", "acme", "acme/multi-region-dr/primary"],
      ["a self-managed backend", DIY_ORGANIZATION, "organization/multi-region-dr/primary"],
    ] as const) {
      it(`qualifies the name alone on ${backend}`, async () => {
        await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) }, PROJECT, "dr", false, organization);
        pulumi.runtime.setAllConfig(readStackConfigFile(path.join(ROOT, "Pulumi.dr.yaml")));
        const config = readStackConfig();
        expect(config.role === "dr" && config.primaryStack).to.equal(expected);
      });
    }

    it("refuses the self-managed backend's organization on Pulumi Cloud before any resource exists", async () => {
      await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) }, PROJECT, "dr", false, "acme");
      pulumi.runtime.setAllConfig({ ...readStackConfigFile(path.join(ROOT, "Pulumi.dr.yaml")), [KEY]: "organization/multi-region-dr/primary" });
      expect(configErrorOf(() => readStackConfig()).message).to.include("this stack runs on Pulumi Cloud, in organization acme");
    });

    describe("when the engine reports no organization", () => {
      const saved = { getOrganization: pulumi.runtime.getOrganization, hasEngine: pulumi.runtime.hasEngine };
      const missing = () => {
        throw new Error("Missing organization name");
      };
      afterEach(() => {
        Object.assign(pulumi.runtime, { getOrganization: saved.getOrganization, hasEngine: saved.hasEngine });
      });

      it("refuses to qualify the DR stack's primaryStack under a real engine (an old CLI), naming the key and the fix", async () => {
        await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) }, PROJECT, "dr", false);
        pulumi.runtime.setAllConfig(readStackConfigFile(path.join(ROOT, "Pulumi.dr.yaml")));
        Object.assign(pulumi.runtime, { getOrganization: missing });
        Object.assign(pulumi.runtime, { hasEngine: () => true });
        const error = configErrorOf(() => readStackConfig());
        expect(error.problems.map((problem) => problem.key)).to.deep.equal([KEY]);
        expect(error.message).to.include("the Pulumi engine reports no organization").and.include("write primaryStack as <organization>/<project>/<stack>");
      });

      it("keeps the name as written offline, where the mock runtime has no engine", async () => {
        await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) }, PROJECT, "dr", false);
        pulumi.runtime.setAllConfig(readStackConfigFile(path.join(ROOT, "Pulumi.dr.yaml")));
        Object.assign(pulumi.runtime, { getOrganization: missing });
        const config = readStackConfig();
        expect(config.role === "dr" && config.primaryStack).to.equal("primary");
      });

      it("never asks the primary stack for an organization", async () => {
        await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) }, PROJECT, "primary", false);
        // A real engine refuses the shipped placeholder domain, so this primary names a domain of its own.
        const primary = readStackConfigFile(path.join(ROOT, "Pulumi.primary.yaml"));
        const dns = { ...(JSON.parse(primary[`${NS}:dns`]) as Record<string, unknown>), zoneName: "dr.acme.com" };
        pulumi.runtime.setAllConfig({ ...primary, [`${NS}:dns`]: JSON.stringify(dns) });
        Object.assign(pulumi.runtime, { getOrganization: missing });
        Object.assign(pulumi.runtime, { hasEngine: () => true });
        expect(readStackConfig().role).to.equal("primary");
      });
    });
  });
});
