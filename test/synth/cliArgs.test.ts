/**
 * The command line of `npm run synth` (synth/cliArgs.ts): parsing, the usage text made from the
 * option table, and the checks of the files the options name, called directly (no process spawned).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import {
  checkOutDirectory,
  DEFAULT_OUT,
  EXIT_CODES,
  OptionError,
  OPTIONS,
  parseCliArgs,
  preflightStackFiles,
  readPolicyConfigFile,
  UsageError,
  usage,
  userPath,
} from "../../synth/cliArgs";
import { StackFileError } from "../../synth/stackFile";

const ROOT = path.join(__dirname, "..", "..");

/** The message of the UsageError that parsing `argv` throws. */
function usageError(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as Error).message;
  }
  return expect.fail(`expected a UsageError for ${argv.join(" ")}`);
}

function fileWith(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "synth-args-")), name);
  writeFileSync(file, text);
  return file;
}

describe("npm run synth's command line (synth/cliArgs.ts)", () => {
  describe("parseCliArgs", () => {
    it("returns the defaults for no arguments", () => {
      expect(parseCliArgs([])).to.deep.equal({ kind: "synthesize", options: { out: "out/synth", debug: false } });
    });

    it("reads every option, in both --name value and --name=value forms", () => {
      const command = parseCliArgs([
        "--out",
        "o",
        "--primary=p/Pulumi.a.yaml",
        "--dr",
        "d/Pulumi.b.yaml",
        "--policy-config",
        "c.json",
        "--strategy",
        "pilot-light",
        "--debug",
      ]);
      expect(command).to.deep.equal({
        kind: "synthesize",
        options: { out: "o", primary: "p/Pulumi.a.yaml", dr: "d/Pulumi.b.yaml", policyConfig: "c.json", strategy: "pilot-light", debug: true },
      });
    });

    it("asks for the usage on --help or -h, whatever else is given", () => {
      expect(parseCliArgs(["--help"])).to.deep.equal({ kind: "help" });
      expect(parseCliArgs(["-h"])).to.deep.equal({ kind: "help" });
      expect(parseCliArgs(["--bogus", "x", "--help"])).to.deep.equal({ kind: "help" });
    });

    it("names an unknown option, suggests the closest known one, and points to --help", () => {
      expect(usageError(["--prmary", "Pulumi.primary.yaml"])).to.equal("unknown option --prmary (did you mean --primary?); see --help");
      expect(usageError(["--policy-confg", "x.json"])).to.equal("unknown option --policy-confg (did you mean --policy-config?); see --help");
      expect(usageError(["--verbose"])).to.equal("unknown option --verbose; see --help");
      expect(usageError(["-x"])).to.equal("unknown option -x; see --help");
    });

    it("names an option whose value is missing, at the end or followed by another option", () => {
      expect(usageError(["--primary"])).to.equal("--primary needs a value: --primary FILE; see --help");
      expect(usageError(["--out", "--debug"])).to.equal("--out needs a value: --out DIR; see --help");
      expect(usageError(["--out="])).to.equal("--out needs a value: --out DIR; see --help");
      expect(usageError(["--primary", " "])).to.equal("--primary needs a value: --primary FILE; see --help");
      expect(parseCliArgs(["--out=-odd"])).to.deep.include({ kind: "synthesize" });
    });

    it("rejects a positional argument, a value given to a flag and an option given twice", () => {
      expect(usageError(["Pulumi.dr.yaml"])).to.equal(
        'unexpected argument "Pulumi.dr.yaml": synth takes options only (stack files go after --primary and --dr); see --help',
      );
      expect(usageError(["--", "x"])).to.match(/^unexpected argument "x"/);
      expect(usageError(["--debug=yes"])).to.equal('--debug takes no value (found "yes"); see --help');
      expect(usageError(["--dr", "a", "--dr", "b"])).to.equal("--dr is given twice; give it once; see --help");
    });

    it("keeps today's message for an unknown strategy", () => {
      expect(usageError(["--strategy", "cold"])).to.equal("--strategy cold: must be one of backup-restore, pilot-light, warm-standby, hot-standby; see --help");
    });
  });

  describe("usage", () => {
    const text = usage();

    it("lists every option of the table, with its value and default, and only those", () => {
      for (const option of OPTIONS) {
        expect(text).to.include(`--${option.name}${option.valueName ? ` ${option.valueName}` : ""}`);
        if (option.defaultText) expect(text.replace(/\s+/g, " ")).to.include(`(default: ${option.defaultText})`);
      }
      expect(text).to.include("-h, --help");
      const listed = [...text.matchAll(/^ {2}(?:-\w, | {4})--([\w-]+)/gm)].map((match) => match[1]);
      expect(listed).to.deep.equal(OPTIONS.map((option) => option.name));
    });

    it("lists the exit codes 0 to 4 and gives an example", () => {
      const codes = [...text.matchAll(/^ {2}(\d) {2}/gm)].map((match) => Number(match[1]));
      expect(codes).to.deep.equal([0, 1, 2, 3, 4]);
      expect(Object.values(EXIT_CODES).map((exit) => exit.code)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(text).to.match(/Example:\n {2}npm run synth -- --primary \S+ \\\n {4}--dr \S+/);
    });

    it("keeps lines within 100 columns", () => {
      for (const line of text.split("\n")) expect(line.length, line).to.be.at.most(100);
    });
  });

  describe("preflightStackFiles", () => {
    it("resolves the project's own stack files by default", () => {
      const files = preflightStackFiles({}, ROOT);
      expect(files.primaryStackFile).to.equal(path.join(ROOT, "Pulumi.primary.yaml"));
      expect(files.drStackFile).to.equal(path.join(ROOT, "Pulumi.dr.yaml"));
      expect(files.subjects.get(files.primaryStackFile)).to.match(/^--primary .*Pulumi\.primary\.yaml \(the default\)$/);
    });

    /** The message of the StackFileError the preflight throws. */
    const preflightError = (options: { primary?: string; dr?: string }, projectDirectory = ROOT): string => {
      try {
        preflightStackFiles(options, projectDirectory);
      } catch (error) {
        expect(error).to.be.instanceOf(StackFileError);
        return (error as Error).message;
      }
      return expect.fail("expected a StackFileError");
    };

    it("names the option and the path, as given, for a missing, misnamed or folder file", () => {
      expect(preflightError({ primary: "nope.yaml" })).to.equal(
        "--primary nope.yaml: no such file; pass the path of an existing stack file, Pulumi.<stack>.yaml",
      );
      const misnamed = fileWith("dr.yaml", "config: {}\n");
      expect(preflightError({ dr: misnamed })).to.match(new RegExp(`^--dr ${misnamed}: is not named Pulumi\\.<stack>\\.yaml; `));
      const folder = path.join(ROOT, "examples", "aurora-global");
      expect(preflightError({ dr: folder })).to.equal(
        `--dr ${folder}: is a folder, not a stack file; pass one of its stack files: Pulumi.dr.yaml, Pulumi.primary.yaml`,
      );
    });

    it("reads each file, so a YAML error or a secret names the option too", () => {
      const broken = fileWith("Pulumi.dr.yaml", "config:\n  aws:region: [us-west-2\n");
      expect(preflightError({ dr: broken })).to.match(new RegExp(`^--dr ${broken}: is not valid YAML at line \\d+, column \\d+: `));
      const secret = fileWith("Pulumi.primary.yaml", "config:\n  aws:secretKey:\n    secure: AAAB\n");
      expect(preflightError({ primary: secret })).to.match(new RegExp(`^--primary ${secret}: aws:secretKey is a secret \\(secure:\\)`));
    });

    it("names a project folder without Pulumi.yaml", () => {
      const folder = mkdtempSync(path.join(tmpdir(), "project-"));
      expect(preflightError({}, folder)).to.match(/Pulumi\.yaml: no such file; restore the project file Pulumi\.yaml/);
    });
  });

  describe("checkOutDirectory and readPolicyConfigFile", () => {
    it("accepts a folder or a path to create, and names a file given as --out", () => {
      expect(checkOutDirectory(tmpdir(), ROOT)).to.equal(path.resolve(tmpdir()));
      expect(checkOutDirectory("out/not-yet-there", ROOT)).to.equal(userPath("out/not-yet-there"));
      const file = fileWith("report.md", "");
      expect(() => checkOutDirectory(file, ROOT)).to.throw(OptionError, `--out ${file}: is a file; pass a folder`);
    });

    it("puts the default out/synth in the project folder, wherever the command runs", () => {
      expect(checkOutDirectory(DEFAULT_OUT, "/some/project")).to.equal(path.join("/some/project", "out", "synth"));
    });

    it("resolves a path the user gave against the folder npm was run in (INIT_CWD), else the working folder", () => {
      expect(userPath("Pulumi.primary.yaml", { INIT_CWD: "/home/me/examples/pair" })).to.equal("/home/me/examples/pair/Pulumi.primary.yaml");
      expect(userPath("/abs/Pulumi.dr.yaml", { INIT_CWD: "/home/me" })).to.equal("/abs/Pulumi.dr.yaml");
      expect(userPath("x.yaml", {})).to.equal(path.resolve(process.cwd(), "x.yaml"));
    });

    it("finds stack files named relative to the folder npm was run in, not the project's", () => {
      const folder = mkdtempSync(path.join(tmpdir(), "pair-"));
      for (const stack of ["primary", "dr"]) {
        writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
      }
      const previous = process.env.INIT_CWD;
      process.env.INIT_CWD = folder;
      try {
        const files = preflightStackFiles({ primary: "Pulumi.primary.yaml", dr: "Pulumi.dr.yaml" }, ROOT);
        expect(files.primaryStackFile).to.equal(path.join(folder, "Pulumi.primary.yaml"));
        expect(files.drStackFile).to.equal(path.join(folder, "Pulumi.dr.yaml"));
      } finally {
        if (previous === undefined) delete process.env.INIT_CWD;
        else process.env.INIT_CWD = previous;
      }
    });

    it("reads a JSON object, and names a file that is not JSON or not an object", () => {
      expect(readPolicyConfigFile(fileWith("c.json", '{"all":"advisory"}'))).to.deep.equal({ all: "advisory" });
      expect(() => readPolicyConfigFile("no-such.json")).to.throw(OptionError, /^--policy-config no-such\.json: cannot read it as JSON \(ENOENT/);
      expect(() => readPolicyConfigFile(fileWith("c.json", "{all:"))).to.throw(OptionError, /cannot read it as JSON/);
      expect(() => readPolicyConfigFile(fileWith("c.json", "null"))).to.throw(OptionError, /must hold a JSON object of policy names to settings, found null$/);
      expect(() => readPolicyConfigFile(fileWith("c.json", "[]"))).to.throw(OptionError, /found \[\]$/);
    });
  });
});
