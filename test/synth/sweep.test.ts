/**
 * The sweep's own logic (synth/sweep.ts): how it judges a case's outcome, its stack-file edits, its
 * data, and the run of one case the CLI's way. Not the sweep itself (`npm run synth:sweep`).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { ConfigError } from "../../config/errors";
import { CASES, judgeConfiguration, judgeMistake, type Outcome, runCase, summaryLines, type SweepCase } from "../../synth/sweep";
import { applyEdits, REMOVE, writeStackPair } from "../../synth/sweep/stackFiles";
import { StackFileError } from "../../synth/stackFile";

const ROOT = path.join(__dirname, "..", "..");
const INSTANCE_TYPE = "multi-region-dr:app.instanceType";

const configError = (key: string, message = "is not an EC2 instance type") =>
  new ConfigError('Invalid configuration for stack "primary" (Pulumi.primary.yaml)', [{ key, value: "t3.smal", message }]);
const failed = (error: unknown): Outcome => ({ kind: "error", error });
const synthesized = (findings: { failedInvariants?: string[]; mandatoryViolations?: string[]; unpriced?: number; costError?: string } = {}): Outcome => ({
  kind: "synthesized",
  failedInvariants: [],
  mandatoryViolations: [],
  unpriced: 0,
  ...findings,
});

describe("the synthesis sweep (synth/sweep.ts)", () => {
  describe("judging a mistake", () => {
    it("passes a config error that names the expected key, and shows the problem", () => {
      const verdict = judgeMistake({ keys: [INSTANCE_TYPE] }, failed(configError(INSTANCE_TYPE)));
      expect(verdict.passed).to.equal(true);
      expect(verdict.reason).to.equal(`- ${INSTANCE_TYPE} (found: "t3.smal"): is not an EC2 instance type`);
    });

    it("passes a key inside the expected one, or any of several expected keys", () => {
      const listItem = configError("multi-region-dr:monitoring.alertEmails.0", "must be an e-mail address");
      expect(judgeMistake({ keys: ["multi-region-dr:monitoring.alertEmails"] }, failed(listItem)).passed).to.equal(true);
      expect(judgeMistake({ keys: ["aws:region", INSTANCE_TYPE] }, failed(configError(INSTANCE_TYPE))).passed).to.equal(true);
      expect(judgeMistake({ keys: ["multi-region-dr:app.instanceTypes"] }, failed(configError(INSTANCE_TYPE))).passed, "a longer key is not inside").to.equal(
        false,
      );
    });

    it("fails a config error that names another key, saying which", () => {
      const verdict = judgeMistake({ keys: ["aws:region"] }, failed(configError(INSTANCE_TYPE)));
      expect(verdict.passed).to.equal(false);
      expect(verdict.reason).to.match(/^names multi-region-dr:app\.instanceType instead of aws:region: Invalid configuration/);
    });

    it("fails an internal error as exit 4, with its one-line message", () => {
      const verdict = judgeMistake(
        { keys: [INSTANCE_TYPE] },
        failed(new TypeError("Cannot read properties of undefined (reading 'vpcId')\n    at build (x.ts:1:2)")),
      );
      expect(verdict.passed).to.equal(false);
      expect(verdict.reason).to.match(/^exit 4, not a config error: internal error: Cannot read properties of undefined \(reading 'vpcId'\) \(a bug/);
    });

    it("fails a config error whose message carries a stack trace", () => {
      const error = configError(INSTANCE_TYPE, "bad\n    at parse (/work/main/config/load.ts:12:7)");
      expect(judgeMistake({ keys: [INSTANCE_TYPE] }, failed(error)).reason).to.match(/^the message carries a stack trace/);
    });

    it("fails silent acceptance, and a mistake caught only by an invariant or a policy", () => {
      expect(judgeMistake({ keys: [INSTANCE_TYPE] }, synthesized())).to.deep.equal({
        passed: false,
        reason: "silently accepted: both stacks synthesized, every invariant and mandatory policy passed",
        unpriced: 0,
      });
      const policy = judgeMistake({ keys: [INSTANCE_TYPE] }, synthesized({ mandatoryViolations: ["primary: rds-multi-az on db: multiAz must be true"] }));
      expect(policy.passed).to.equal(false);
      expect(policy.reason).to.equal("not a config error: both stacks synthesized, then policy primary: rds-multi-az on db: multiAz must be true");
    });

    it("judges a problem with a whole file by the file and what is wrong with it", () => {
      const error = new StackFileError("/tmp/x/Pulumi.dr.yaml", "is not valid YAML at line 2, column 25: Missing closing quote; fix it and run again");
      expect(judgeMistake({ file: "Pulumi.dr.yaml", says: "is not valid YAML" }, failed(error)).passed).to.equal(true);
      expect(judgeMistake({ file: "Pulumi.primary.yaml", says: "is not valid YAML" }, failed(error)).passed).to.equal(false);
    });
  });

  describe("judging a configuration", () => {
    it("passes a synthesis with every check passing, counting unpriced charges", () => {
      expect(judgeConfiguration(synthesized({ unpriced: 7 }))).to.deep.equal({ passed: true, reason: "synthesized; 7 unpriced fixed charges", unpriced: 7 });
    });

    it("fails an invariant, a mandatory policy, a cost estimate that throws, or a config error", () => {
      expect(judgeConfiguration(synthesized({ failedInvariants: ["(6) RTO budget: 1910 s over 900 s"] })).reason).to.equal(
        "invariant (6) RTO budget: 1910 s over 900 s",
      );
      expect(judgeConfiguration(synthesized({ costError: "TypeError: x" })).passed).to.equal(false);
      const rejected = judgeConfiguration(failed(configError(INSTANCE_TYPE)));
      expect(rejected.passed).to.equal(false);
      expect(rejected.reason).to.match(/^exit 1: Invalid configuration for stack "primary" \(Pulumi\.primary\.yaml\): \| - multi-region-dr:app\.instanceType/);
    });
  });

  it("ends with the counts per group and the sweep's line", () => {
    const cases = [
      { group: "configuration", name: "a", edit: {} },
      { group: "configuration", name: "b", edit: {} },
      { group: "mistake", name: "c", edit: {}, expect: { keys: ["aws:region"] } },
    ] satisfies SweepCase[];
    const lines = summaryLines(
      cases,
      [
        { passed: true, reason: "", unpriced: 3 },
        { passed: false, reason: "", unpriced: 2 },
        { passed: true, reason: "", unpriced: 0 },
      ],
      12.34,
      2,
    );
    expect(lines).to.deep.equal([
      "configurations: 1 passed, 1 failed",
      "mistakes: 1 passed, 0 failed",
      "unpriced fixed charges across configurations: 5 (in 2 of 2 configurations)",
      "wall time: 12.3 s (2 worker processes)",
      "sweep: 2 passed, 1 failed",
    ]);
  });

  it("edits a stack file's config by key path, creating and removing keys", () => {
    const config: Record<string, unknown> = { "aws:region": "us-east-1", "multi-region-dr:app": { instanceType: "t3.small", maxSize: 6 } };
    applyEdits(config, { "multi-region-dr:app.maxSize": REMOVE, "multi-region-dr:tags.aws:owner": "sre", "aws:region": "eu-west-1" });
    expect(config).to.deep.equal({
      "aws:region": "eu-west-1",
      "multi-region-dr:app": { instanceType: "t3.small" },
      "multi-region-dr:tags": { "aws:owner": "sre" },
    });
  });

  it("has cases with unique names and mistakes that expect full keys", () => {
    const names = CASES.map((sweepCase) => `${sweepCase.group} ${sweepCase.name}`);
    expect(new Set(names).size, "unique names").to.equal(names.length);
    for (const sweepCase of CASES.filter((candidate) => candidate.group === "mistake")) {
      expect(sweepCase.expect, sweepCase.name).not.to.equal(undefined);
      if (sweepCase.expect && "keys" in sweepCase.expect) for (const key of sweepCase.expect.keys) expect(key, sweepCase.name).to.match(/^[^.]*:|^app$/);
    }
  });

  describe("running one case the CLI's way", () => {
    let directory: string;
    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), "sweep-test-"));
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it("writes the pair with the edits, the files swapped when asked", () => {
      const files = writeStackPair(ROOT, directory, { dr: { "aws:region": "eu-west-1" }, files: "swapped" });
      expect(path.basename(files.primaryStackFile)).to.equal("Pulumi.dr.yaml");
      expect(parse(readFileSync(files.primaryStackFile, "utf8")).config["aws:region"]).to.equal("eu-west-1");
    });

    it("judges a YAML syntax error read by the preflight, and a wrong value read by the synthesis", async () => {
      const yaml = CASES.find((sweepCase) => sweepCase.name.startsWith("DR file: a YAML syntax error"))!;
      expect(await runCase(yaml, ROOT, path.join(directory, "yaml"))).to.include({ passed: true });
      const typo: SweepCase = { group: "mistake", name: "typo", edit: { primary: { [INSTANCE_TYPE]: "t3.smal" } }, expect: { keys: [INSTANCE_TYPE] } };
      const verdict = await runCase(typo, ROOT, path.join(directory, "typo"));
      expect(verdict.reason).to.match(/^- multi-region-dr:app\.instanceType \(found: "t3\.smal"\): .*closest valid names: t3\.small/);
      expect(verdict.passed).to.equal(true);
      const wrongKey = await runCase({ ...typo, expect: { keys: ["aws:region"] } }, ROOT, path.join(directory, "wrong"));
      expect(wrongKey.passed).to.equal(false);
    });
  });
});
