/**
 * The checks `synthesize` runs on the two stack files before either stack runs (`checkStackPair`):
 * not the same file, each with config, the roles the right way round, and the DR file's
 * `primaryStack` naming the primary stack being synthesized, by its name alone or fully qualified.
 */
import * as path from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { checkStackPair, synthesize, withStrategy, type StackFileConfig } from "../../synth/synthesize";
import { StackFileError } from "../../synth/stackFile";
import { editedStackFile } from "../fixtures/stackFiles";

const ROOT = path.join(__dirname, "..", "..");
const PROJECT = "multi-region-dr";
const ROLE = `${PROJECT}:role`;
const PRIMARY_STACK = `${PROJECT}:primaryStack`;

const primary = (config: Record<string, string> = {}, file = "/p/Pulumi.primary.yaml"): StackFileConfig => ({
  file,
  config: { "aws:region": "us-east-1", [ROLE]: "primary", ...config },
});
const dr = (config: Record<string, string> = {}, file = "/p/Pulumi.dr.yaml"): StackFileConfig => ({
  file,
  config: { "aws:region": "us-west-2", [ROLE]: "dr", [PRIMARY_STACK]: "organization/multi-region-dr/primary", ...config },
});

/** The error `checkStackPair` throws for the pair. */
function pairError(primaryFile: StackFileConfig, drFile: StackFileConfig): ConfigError {
  try {
    checkStackPair(PROJECT, primaryFile, drFile);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.fail("expected a ConfigError");
}

describe("the stack-file pair, checked before synthesis (checkStackPair)", () => {
  it("accepts the repository's pair and any organization in primaryStack", () => {
    expect(() => checkStackPair(PROJECT, primary(), dr())).not.to.throw();
    expect(() => checkStackPair(PROJECT, primary(), dr({ [PRIMARY_STACK]: "acme/multi-region-dr/primary" }))).not.to.throw();
    expect(() => checkStackPair(PROJECT, primary({}, "/q/Pulumi.prod.yaml"), dr({ [PRIMARY_STACK]: "acme/multi-region-dr/prod" }))).not.to.throw();
  });

  it("accepts the primary file's stack name alone, which the DR stack qualifies with its own organization and project when it runs", () => {
    expect(() => checkStackPair(PROJECT, primary(), dr({ [PRIMARY_STACK]: "primary" }))).not.to.throw();
    expect(() => checkStackPair(PROJECT, primary({}, "/q/Pulumi.prod.yaml"), dr({ [PRIMARY_STACK]: "prod" }))).not.to.throw();
  });

  it("names the primary file's stack when the name alone is another stack's", () => {
    const error = pairError(primary({}, "/p/Pulumi.prod.yaml"), dr({ [PRIMARY_STACK]: "primary" }));
    expect(error.problems).to.have.length(1);
    expect(error.problems[0]).to.include({ key: PRIMARY_STACK, value: "primary" });
    expect(error.problems[0].message).to.equal(
      "does not name the primary stack being synthesized, so a real deploy's StackReference would not find it; set it to prod " +
        "(the primary stack file's name Pulumi.prod.yaml, which the DR stack qualifies with its own organization and project), " +
        "or to <organization>/multi-region-dr/prod",
    );
  });

  it("says which file has which role and to swap them when they are swapped", () => {
    const error = pairError(primary({ [ROLE]: "dr" }, "/p/Pulumi.dr.yaml"), dr({ [ROLE]: "primary" }, "/p/Pulumi.primary.yaml"));
    expect(error.message).to.equal(
      [
        "The primary and DR stack files are swapped; swap them: --primary /p/Pulumi.primary.yaml --dr /p/Pulumi.dr.yaml:",
        '  - multi-region-dr:role (found: "dr"): in the primary stack file (--primary) /p/Pulumi.dr.yaml',
        '  - multi-region-dr:role (found: "primary"): in the DR stack file (--dr) /p/Pulumi.primary.yaml',
      ].join("\n"),
    );
  });

  it("says which file to replace when both have the same role", () => {
    expect(pairError(primary({ [ROLE]: "dr" }, "/p/Pulumi.x.yaml"), dr()).message).to.match(
      /^Both stack files have role dr: pass the primary stack's file \(role primary\) as --primary instead of \/p\/Pulumi\.x\.yaml:\n/,
    );
    expect(pairError(primary(), dr({ [ROLE]: "primary" }, "/p/Pulumi.y.yaml")).message).to.match(
      /^Both stack files have role primary: pass the DR stack's file \(role dr\) as --dr instead of \/p\/Pulumi\.y\.yaml:\n/,
    );
  });

  it("says a file is of the other half when the other file's role is missing", () => {
    expect(pairError(primary({ [ROLE]: "dr" }), dr({ [ROLE]: "standby" })).message).to.match(
      /^The primary stack file \/p\/Pulumi\.primary\.yaml is a DR stack file/,
    );
    const drWithoutRole = dr();
    delete drWithoutRole.config[ROLE];
    expect(() => checkStackPair(PROJECT, primary(), drWithoutRole), "a missing role is the config validation's to name").not.to.throw();
  });

  it("rejects one file given as both, and a file without config", () => {
    expect(pairError(dr(), dr()).message).to.match(/^The primary and the DR stack file are the same file, \/p\/Pulumi\.dr\.yaml:/);
    const error = pairError(primary(), { file: "/p/Pulumi.dr.yaml", config: {} });
    expect(error).to.be.instanceOf(StackFileError);
    expect(error.message).to.equal("/p/Pulumi.dr.yaml: has no settings under `config:`; a stack file sets at least aws:region and multi-region-dr:role there");
  });

  it("names primaryStack, its value and the expected <org>/<project>/<stack> when it names another project or stack", () => {
    const otherStack = pairError(primary(), dr({ [PRIMARY_STACK]: "acme/multi-region-dr/prod" }));
    expect(otherStack.problems).to.have.length(1);
    expect(otherStack.problems[0]).to.include({ key: PRIMARY_STACK, value: "acme/multi-region-dr/prod" });
    expect(otherStack.message).to.match(/^Invalid configuration for stack "dr" \(\/p\/Pulumi\.dr\.yaml\):\n/);
    expect(otherStack.message).to.include(
      '  - multi-region-dr:primaryStack (found: "acme/multi-region-dr/prod"): does not name the primary stack being synthesized, ' +
        "so a real deploy's StackReference would not find it; set it to acme/multi-region-dr/primary " +
        "(<organization>/<project>/<stack>: project multi-region-dr from Pulumi.yaml, stack primary from the primary stack file's name Pulumi.primary.yaml), " +
        "or to primary alone, which the DR stack qualifies with its own organization and project",
    );
    expect(pairError(primary(), dr({ [PRIMARY_STACK]: "organization/other-project/primary" })).message).to.include(
      "set it to organization/multi-region-dr/primary",
    );
    expect(pairError(primary({}, "/p/Pulumi.prod.yaml"), dr()).message).to.include("set it to organization/multi-region-dr/prod");
  });

  it("leaves a malformed primaryStack to the config validation, which names the format", () => {
    for (const malformed of ["multi-region-dr/primary", "a//b", "pri mary", "acme/multi-region-dr/primary/x"]) {
      expect(() => checkStackPair(PROJECT, primary(), dr({ [PRIMARY_STACK]: malformed })), malformed).not.to.throw();
    }
  });

  it("is what synthesize() raises, before either stack runs", async () => {
    const drStackFile = editedStackFile("Pulumi.dr.yaml", (config) => (config[PRIMARY_STACK] = "organization/multi-region-dr/staging"));
    const started = performance.now();
    let caught: unknown;
    try {
      await synthesize({ projectDirectory: ROOT, drStackFile });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as Error).message).to.match(
      /multi-region-dr:primaryStack \(found: "organization\/multi-region-dr\/staging"\).*set it to organization\/multi-region-dr\/primary/,
    );
    expect(performance.now() - started, "no stack was synthesized").to.be.below(1000);
  });

  it("--strategy on a stack whose recovery is not a mapping is a ConfigError naming the key", () => {
    expect(() => withStrategy({ [`${PROJECT}:recovery`]: "fast" }, PROJECT, "pilot-light")).to.throw(
      ConfigError,
      /multi-region-dr:recovery \(found: "fast"\): must be a mapping/,
    );
    expect(JSON.parse(withStrategy({ [`${PROJECT}:recovery`]: '{"rtoSeconds":900}' }, PROJECT, "pilot-light")[`${PROJECT}:recovery`])).to.deep.equal({
      rtoSeconds: 900,
      strategy: "pilot-light",
    });
  });
});
