/**
 * The tests' shared synthesis cache (test/fixtures/synthesis.ts): one run per distinct input, a deep
 * copy for every caller, a key that changes with anything the synthesis reads, and a failure
 * cached and reported to every caller like the run itself reports it.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { synthesesStarted, synthesisKey, synthesizedOnce } from "../fixtures/synthesis";
import { editedStackFile } from "../fixtures/stackFiles";

const ROOT = path.join(__dirname, "..", "..");

describe("the tests' synthesis cache (test/fixtures/synthesis.ts)", function () {
  this.timeout(60000);

  it("synthesizes the same input once and gives each caller its own deep copy", async () => {
    const first = await synthesizedOnce({ projectDirectory: ROOT });
    const started = synthesesStarted();
    const second = await synthesizedOnce({ projectDirectory: `${ROOT}/test/..` });
    expect(synthesesStarted(), "no second run for the same folder written differently").to.equal(started);
    expect(second).to.deep.equal(first);
    expect(second.dr).to.not.equal(first.dr);
    first.dr.resources.length = 0;
    first.primary.outputs.dbArn = "changed by a test";
    const third = await synthesizedOnce({ projectDirectory: ROOT });
    expect(third.dr.resources).to.have.length(second.dr.resources.length).and.length.above(0);
    expect(third.primary.outputs.dbArn).to.equal(second.primary.outputs.dbArn);
  });

  it("keys on the stack files' paths (defaults applied) and contents, the strategy and the policy config", () => {
    const base = synthesisKey({ projectDirectory: ROOT });
    expect(synthesisKey({ projectDirectory: ROOT, primaryStackFile: path.join(ROOT, "Pulumi.primary.yaml") })).to.equal(base);
    expect(synthesisKey({ projectDirectory: ROOT, strategy: "pilot-light" })).to.not.equal(base);
    expect(synthesisKey({ projectDirectory: ROOT, policyConfig: { all: "mandatory" } })).to.not.equal(base);

    const folder = mkdtempSync(path.join(tmpdir(), "synthesis-key-"));
    const copy = path.join(folder, "Pulumi.dr.yaml");
    copyFileSync(path.join(ROOT, "Pulumi.dr.yaml"), copy);
    const atCopy = synthesisKey({ projectDirectory: ROOT, drStackFile: copy });
    expect(atCopy, "another path").to.not.equal(base);
    writeFileSync(copy, "config:\n  aws:region: us-west-2\n");
    expect(synthesisKey({ projectDirectory: ROOT, drStackFile: copy }), "the same path rewritten").to.not.equal(atCopy);
    expect(synthesisKey({ projectDirectory: ROOT, drStackFile: path.join(folder, "missing.yaml") })).to.contain("unreadable: ENOENT");
  });

  it("rejects every caller of an input that fails, with the error synthesize raised, from one run", async () => {
    const drStackFile = editedStackFile("Pulumi.dr.yaml", (config) => (config["multi-region-dr:role"] = "primary"));
    const before = synthesesStarted();
    const failures = await Promise.all(
      [1, 2].map(() =>
        synthesizedOnce({ projectDirectory: ROOT, drStackFile }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    expect(synthesesStarted() - before).to.equal(1);
    for (const error of failures) {
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).problems.map((problem) => problem.key)).to.include("multi-region-dr:role");
    }
  });
});
