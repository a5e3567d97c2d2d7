/**
 * Reading project and stack files for offline synthesis: each problem with a file itself is a
 * StackFileError (a ConfigError) naming the file and what to do.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { displayPath, fileSystemError, preflightStackFile, readProjectName, readStackConfigFile, StackFileError, stackNameOf } from "../../synth/stackFile";

/** Writes `text` as `name` in a new folder; returns the file's path. */
function fileWith(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "stack-file-")), name);
  writeFileSync(file, text);
  return file;
}

/** The StackFileError `action` throws. */
function stackFileError(action: () => unknown): StackFileError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(StackFileError);
    expect(error).to.be.instanceOf(ConfigError);
    return error as StackFileError;
  }
  expect.fail("expected a StackFileError");
}

describe("stack files (synth/stackFile.ts)", () => {
  describe("preflightStackFile", () => {
    it("returns the stack name of a readable Pulumi.<stack>.yaml", () => {
      expect(preflightStackFile(fileWith("Pulumi.staging.yaml", "config: {}\n"))).to.equal("staging");
    });

    it("names a missing file and says to pass an existing stack file", () => {
      const missing = path.join(tmpdir(), "no-such-folder-for-synth", "Pulumi.primary.yaml");
      const error = stackFileError(() => preflightStackFile(missing));
      expect(error.file).to.equal(missing);
      expect(error.message).to.equal(`${missing}: no such file; pass the path of an existing stack file, Pulumi.<stack>.yaml`);
    });

    it("names a folder and lists the stack files in it", () => {
      const folder = mkdtempSync(path.join(tmpdir(), "stack-folder-"));
      writeFileSync(path.join(folder, "Pulumi.dr.yaml"), "config: {}\n");
      writeFileSync(path.join(folder, "notes.txt"), "");
      expect(stackFileError(() => preflightStackFile(folder)).reason).to.equal("is a folder, not a stack file; pass one of its stack files: Pulumi.dr.yaml");
      const empty = mkdtempSync(path.join(tmpdir(), "stack-folder-"));
      expect(stackFileError(() => preflightStackFile(empty)).reason).to.match(/is a folder, not a stack file; pass a stack file.*this folder has none/);
    });

    it("names a file not called Pulumi.<stack>.yaml and says to rename it", () => {
      const error = stackFileError(() => preflightStackFile(fileWith("primary.yaml", "config: {}\n")));
      expect(error.reason).to.match(/^is not named Pulumi\.<stack>\.yaml; .*rename it/);
      expect(() => stackNameOf("Pulumi.yaml")).to.throw(StackFileError, /not named Pulumi\.<stack>\.yaml/);
      expect(stackNameOf("/x/Pulumi.dr-west.yaml")).to.equal("dr-west");
    });

    it("names an unreadable file and says to make it readable (EACCES or EPERM, as a non-root user gets them)", () => {
      // The tests run as root in CI, which reads every file whatever its mode: feed the error the file system gives others.
      for (const code of ["EACCES", "EPERM"]) {
        const denied = Object.assign(new Error(`${code}: permission denied, open 'Pulumi.primary.yaml'`), { code });
        const error = fileSystemError("Pulumi.primary.yaml", denied, "pass another file");
        expect(error).to.be.instanceOf(StackFileError);
        expect((error as StackFileError).reason).to.match(/^cannot be read \(permission denied\); make it readable \(chmod u\+r\)/);
      }
      const other = Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
      expect(fileSystemError("Pulumi.primary.yaml", other, "pass another file")).to.equal(other);
    });
  });

  describe("readStackConfigFile", () => {
    it("flattens the config block: scalars as text, structured values as JSON", () => {
      const file = fileWith("Pulumi.dr.yaml", "config:\n  aws:region: us-west-2\n  multi-region-dr:app:\n    maxSize: 6\n");
      expect(readStackConfigFile(file)).to.deep.equal({ "aws:region": "us-west-2", "multi-region-dr:app": '{"maxSize":6}' });
    });

    it("gives {} for an empty file or an empty config, as Pulumi does", () => {
      expect(readStackConfigFile(fileWith("Pulumi.dr.yaml", ""))).to.deep.equal({});
      expect(readStackConfigFile(fileWith("Pulumi.dr.yaml", "config:\n"))).to.deep.equal({});
    });

    it("reports a YAML syntax error with its line, column and the parser's reason", () => {
      const file = fileWith("Pulumi.dr.yaml", "config:\n  aws:region: us-west-2\n  aws:region: us-east-1\n");
      expect(stackFileError(() => readStackConfigFile(file)).message).to.equal(
        `${displayPath(file)}: is not valid YAML at line 3, column 3: Map keys must be unique; fix it and run again`,
      );
      const tabs = fileWith("Pulumi.dr.yaml", "config:\n\taws:region: us-west-2\n");
      expect(stackFileError(() => readStackConfigFile(tabs)).reason).to.match(/^is not valid YAML at line 2, column 1: Tabs are not allowed/);
    });

    it("rejects a config block or a document that is not a mapping", () => {
      expect(stackFileError(() => readStackConfigFile(fileWith("Pulumi.dr.yaml", "config:\n  - aws:region\n"))).reason).to.equal(
        "its `config:` is a list; write it as a mapping of keys to values, one `key: value` per line",
      );
      expect(stackFileError(() => readStackConfigFile(fileWith("Pulumi.dr.yaml", "config: us-west-2\n"))).reason).to.match(
        /^its `config:` is the text "us-west-2"/,
      );
      expect(stackFileError(() => readStackConfigFile(fileWith("Pulumi.dr.yaml", "- config\n"))).reason).to.match(/^is a list, not a stack file/);
    });

    it("names the file and the key of a secret, top-level or nested, and says what to do", () => {
      const file = fileWith("Pulumi.primary.yaml", "config:\n  aws:region: us-east-1\n  multi-region-dr:dbPassword:\n    secure: AAABAJ+c2VjcmV0\n");
      const error = stackFileError(() => readStackConfigFile(file));
      expect(error.message).to.equal(
        `${displayPath(file)}: multi-region-dr:dbPassword is a secret (secure:), which offline synthesis cannot decrypt; ` +
          "remove it from this file and pass it through a Pulumi ESC environment or an environment variable instead",
      );
      expect(error.problems.map((problem) => problem.key)).to.deep.equal(["multi-region-dr:dbPassword"]);
      expect(error.message).not.to.include("AAABAJ");
      const nested = fileWith("Pulumi.primary.yaml", "config:\n  multi-region-dr:database:\n    users:\n      - password:\n          secure: AAAB\n");
      expect(stackFileError(() => readStackConfigFile(nested)).reason).to.match(/^multi-region-dr:database\.users\.0\.password is a secret/);
    });
  });

  describe("readProjectName", () => {
    it("reads the repository's project name", () => {
      expect(readProjectName(path.join(__dirname, "..", ".."))).to.equal("multi-region-dr");
    });

    it("names a missing Pulumi.yaml and says to restore it", () => {
      const folder = mkdtempSync(path.join(tmpdir(), "project-"));
      const error = stackFileError(() => readProjectName(folder));
      expect(error.file).to.equal(path.join(folder, "Pulumi.yaml"));
      expect(error.reason).to.match(/^no such file; restore the project file Pulumi\.yaml/);
    });

    it("names a Pulumi.yaml without a name, or not YAML", () => {
      const folder = mkdtempSync(path.join(tmpdir(), "project-"));
      writeFileSync(path.join(folder, "Pulumi.yaml"), "runtime: nodejs\n");
      expect(stackFileError(() => readProjectName(folder)).reason).to.match(/^has no project name; set `name:`/);
      writeFileSync(path.join(folder, "Pulumi.yaml"), "name: [x\n");
      expect(stackFileError(() => readProjectName(folder)).reason).to.match(/^is not valid YAML at line \d+, column \d+: /);
      const sub = path.join(folder, "sub");
      mkdirSync(path.join(sub, "Pulumi.yaml"), { recursive: true });
      expect(stackFileError(() => readProjectName(sub)).reason).to.match(/^is a folder, not a file/);
    });
  });

  it("relabels a StackFileError with the option that named the file", () => {
    const error = new StackFileError("/a/Pulumi.x.yaml", "no such file; do this");
    expect(error.relabel("--primary x.yaml").message).to.equal("--primary x.yaml: no such file; do this");
    expect(error.relabel("--primary x.yaml").file).to.equal("/a/Pulumi.x.yaml");
  });
});
