/**
 * The examples under examples/: each folder is a complete, valid stack-file pair whose DR stack
 * deploys into the primary's standby region; the runner reads a declared exit code; the
 * us-east-2-us-west-1 example's state-backend bootstrap covers exactly its pair. The examples'
 * synthesis itself runs in CI (`npm run synth:examples`), one CLI run per example.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { parseStackConfig } from "../../config/load";
import type { DrConfig, PrimaryConfig } from "../../config/schema";
import { parseStateBackendConfig, stateBackendValues } from "../../bootstrap/state-backend/stateBackend";
import { listExamples } from "../../synth/examples";
import { readStackConfigFile } from "../../synth/stackFile";

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");

describe("examples", () => {
  const examples = listExamples(EXAMPLES);

  it("holds the reference systems, the engine modes, the orchestrators and the features shown in an example, each expected to synthesize with exit 0", () => {
    expect(examples.map((example) => example.name)).to.deep.equal([
      "aurora-global",
      "bring-your-own-app",
      "edge-and-cache",
      "pilot-light-eu",
      "region-switch",
      "us-east-1-us-west-2-mysql",
      "us-east-2-us-west-1",
      "warm-standby-automatic",
    ]);
    for (const example of examples) expect(example.expectedExitCode, example.name).to.equal(0);
  });

  for (const example of listExamples(EXAMPLES)) {
    it(`${example.name}: both stack files are valid, the DR stack deploys into the primary's standby region, and the strategies agree`, () => {
      const primary = parseStackConfig(readStackConfigFile(example.primaryStackFile), "primary") as PrimaryConfig;
      const dr = parseStackConfig(readStackConfigFile(example.drStackFile), "dr") as DrConfig;
      expect(primary.role).to.equal("primary");
      expect(dr.role).to.equal("dr");
      expect(primary.standbyRegion).to.equal(dr.region);
      expect(primary.region).to.not.equal(dr.region);
      expect(dr.recovery.strategy).to.equal(primary.recovery.strategy);
      expect(dr.primaryStack, "the primary by its stack name, qualified at deploy with the stack's own organization and project").to.equal("primary");
    });
  }

  it("keeps the reference systems' sizes: MySQL db.r5.large Multi-AZ over 2 zones with 3 t3.medium and m5.large nodes; t3.micro x3 (min 2) hot standby in us-east-2/us-west-1", () => {
    const mysql = parseStackConfig(readStackConfigFile(path.join(EXAMPLES, "us-east-1-us-west-2-mysql", "Pulumi.primary.yaml")), "primary") as PrimaryConfig;
    expect(mysql.database).to.include({ engine: "mysql", instanceClass: "db.r5.large", multiAz: true, backupRetentionDays: 5 });
    expect(mysql.app).to.include({ instanceType: "t3.medium", desiredCapacity: 3 });
    expect(mysql.network.availabilityZoneCount).to.equal(2);
    expect(mysql.monitoring).to.include({ nodeInstanceType: "m5.large", nodeCount: 2 });
    const ohio = parseStackConfig(readStackConfigFile(path.join(EXAMPLES, "us-east-2-us-west-1", "Pulumi.primary.yaml")), "primary") as PrimaryConfig;
    expect(ohio.app).to.include({ instanceType: "t3.micro", minSize: 2, desiredCapacity: 3 });
    expect(ohio.recovery.strategy).to.equal("hot-standby");
    expect(ohio.network.availabilityZoneCount).to.equal(3);
    const automatic = parseStackConfig(readStackConfigFile(path.join(EXAMPLES, "warm-standby-automatic", "Pulumi.dr.yaml")), "dr") as DrConfig;
    expect(automatic.failover.automatic).to.equal(true);
    expect(automatic.dns).to.deep.equal({ healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 3 });
    expect(automatic.app.certificateArn).to.match(/^arn:aws:acm:us-west-2:/);
  });

  it("bootstraps the us-east-2-us-west-1 state backend in exactly that pair, writable in the DR region", () => {
    const bootstrap = parseStateBackendConfig(stateBackendValues(readStackConfigFile(path.join(EXAMPLES, "us-east-2-us-west-1", "Pulumi.bootstrap.yaml"))));
    expect([...bootstrap.regions].sort()).to.deep.equal(["us-east-2", "us-west-1"]);
    expect(bootstrap.writableRegion).to.equal("us-west-1");
  });

  describe("the runner", () => {
    function examplesWith(drText: string, files = ["Pulumi.primary.yaml", "Pulumi.dr.yaml"]): string {
      const directory = mkdtempSync(path.join(tmpdir(), "examples-"));
      mkdirSync(path.join(directory, "one"));
      for (const file of files) writeFileSync(path.join(directory, "one", file), file === "Pulumi.dr.yaml" ? drText : "config: {}\n");
      return directory;
    }

    it("reads the exit code an example declares, with its reason, and 0 when it declares none", () => {
      const [declared] = listExamples(examplesWith("# synth-expects-exit: 2 the RTO budget misses 900 s by design\nconfig: {}\n"));
      expect(declared).to.include({ name: "one", expectedExitCode: 2, expectedBecause: "the RTO budget misses 900 s by design" });
      const [plain] = listExamples(examplesWith("# a comment that declares nothing\nconfig: {}\n"));
      expect(plain.expectedExitCode).to.equal(0);
      expect(plain.expectedBecause).to.equal(undefined);
    });

    it("refuses an example folder without both stack files, naming what it lacks", () => {
      expect(() => listExamples(examplesWith("config: {}\n", ["Pulumi.primary.yaml"]))).to.throw(/example one lacks Pulumi\.dr\.yaml: add both stack files/);
    });
  });
});
