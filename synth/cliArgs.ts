/**
 * The command line of `npm run synth` (synth/cli.ts): one table of its options and exit codes,
 * from which both the parser and `--help` are made, and the checks of the options and of the stack
 * files they name that run before anything is synthesized.
 */
import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { STRATEGIES, type Strategy } from "../config/strategies";
import type { PolicyPackConfig } from "../policy/offline";
import { preflightStackFile, readProjectName, readStackConfigFile, StackFileError } from "./stackFile";

/** One command-line option. */
export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: "string" | "boolean";
  /** The value's placeholder in the usage, for string options. */
  readonly valueName?: string;
  /** The default, as the usage shows it. */
  readonly defaultText?: string;
  readonly description: string;
}

/** The options of `npm run synth`, in the order `--help` lists them. */
export const OPTIONS: readonly OptionSpec[] = [
  { name: "out", type: "string", valueName: "DIR", defaultText: "out/synth", description: "folder for <stack>.plan.json of each stack and report.md" },
  {
    name: "primary",
    type: "string",
    valueName: "FILE",
    defaultText: "Pulumi.primary.yaml of the project",
    description: "the primary stack's file, Pulumi.<stack>.yaml with multi-region-dr:role: primary",
  },
  {
    name: "dr",
    type: "string",
    valueName: "FILE",
    defaultText: "Pulumi.dr.yaml of the project",
    description: "the DR stack's file, Pulumi.<stack>.yaml with multi-region-dr:role: dr",
  },
  {
    name: "policy-config",
    type: "string",
    valueName: "FILE",
    description: "the policy pack's config, the JSON file `pulumi preview --policy-pack-config` takes",
  },
  {
    name: "strategy",
    type: "string",
    valueName: "NAME",
    description: `synthesize both stacks with this recovery.strategy instead of the stack files': ${STRATEGIES.join(", ")}`,
  },
  { name: "debug", type: "boolean", description: "on an internal error, print its stack trace" },
  { name: "help", short: "h", type: "boolean", description: "print this help and exit" },
];

/** The exit codes of `npm run synth` and what each means. */
export const EXIT_CODES = {
  ok: { code: 0, meaning: "every DR invariant holds and no mandatory policy is violated (advisory violations allowed)" },
  config: { code: 1, meaning: "a configuration error: an option, a stack file, the stack config or the policy config; the message says what to fix" },
  invariant: { code: 2, meaning: "a DR invariant is violated" },
  mandatoryPolicy: { code: 3, meaning: "a mandatory policy is violated" },
  internal: { code: 4, meaning: "an internal error, a bug in the synthesis program: please report it (--debug prints the stack trace)" },
} as const;

/** The text `--help` prints. */
export function usage(): string {
  const left = (option: OptionSpec) => `${option.short ? `-${option.short}, ` : "    "}--${option.name}${option.valueName ? ` ${option.valueName}` : ""}`;
  const width = Math.max(...OPTIONS.map((option) => left(option).length)) + 2;
  return [
    "Usage: npm run synth -- [options]        (or: npx tsx synth/cli.ts [options])",
    "",
    "Synthesizes the primary and the DR stack offline (Pulumi mocks, no cloud account), checks the DR",
    "invariants and the policy pack, prints a summary and writes each stack's plan and report.md.",
    "",
    "Options:",
    ...OPTIONS.flatMap((option) =>
      wrap(`${option.description}${option.defaultText ? ` (default: ${option.defaultText})` : ""}`, 100 - 2 - width).map(
        (line, index) => `  ${(index === 0 ? left(option) : "").padEnd(width)}${line}`,
      ),
    ),
    "",
    "Exit codes:",
    ...Object.values(EXIT_CODES).flatMap(({ code, meaning }) => wrap(meaning, 100 - 5).map((line, index) => `  ${index === 0 ? code : " "}  ${line}`)),
    "",
    "Example:",
    "  npm run synth -- --primary examples/aurora-global/Pulumi.primary.yaml \\",
    "    --dr examples/aurora-global/Pulumi.dr.yaml --out out/synth/aurora-global",
    "",
  ].join("\n");
}

/** `text` in lines of at most `width` characters, broken at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** A mistake on the command line (exit 1); the message names the option and ends with "see --help". */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}; see --help`);
    this.name = "UsageError";
  }
}

/** A bad value of an option that names a file or folder (exit 1): `--out README.md: is a file, ...`. */
export class OptionError extends Error {
  constructor(option: string, value: string, reason: string) {
    super(`${option} ${value}: ${reason}`);
    this.name = "OptionError";
  }
}

/** The default `--out`, inside the project folder. */
export const DEFAULT_OUT = "out/synth";

/** The options of one run, as given (paths not yet resolved). */
export interface CliOptions {
  out: string;
  primary?: string;
  dr?: string;
  policyConfig?: string;
  strategy?: Strategy;
  debug: boolean;
}

/** What the command line asks for: the usage, or a synthesis with these options. */
export type CliCommand = { kind: "help" } | { kind: "synthesize"; options: CliOptions };

/**
 * Parses the command line (without `node` and the script). `--help` or `-h` anywhere wins.
 * @throws UsageError naming the option for an unknown option, a missing value, a value given to a
 *   flag, an option given twice, a positional argument or an unknown strategy.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(OPTIONS.map((option) => [option.name, { type: option.type, ...(option.short ? { short: option.short } : {}) }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((token) => token.kind === "option" && token.name === "help")) return { kind: "help" };
  const values = new Map<string, string | boolean>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}: synth takes options only (stack files go after --primary and --dr)`);
    }
    const option = OPTIONS.find((candidate) => candidate.name === token.name);
    if (!option) {
      const suggestion = closestOption(token.rawName);
      throw new UsageError(`unknown option ${token.rawName}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`);
    }
    if (values.has(option.name)) throw new UsageError(`${token.rawName} is given twice; give it once`);
    if (option.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value (found ${JSON.stringify(token.value)})`);
      values.set(option.name, true);
      continue;
    }
    if (token.value === undefined || token.value.trim() === "" || (!token.inlineValue && token.value.startsWith("-"))) {
      throw new UsageError(`${token.rawName} needs a value: ${token.rawName} ${option.valueName}`);
    }
    values.set(option.name, token.value);
  }
  const text = (name: string) => values.get(name) as string | undefined;
  const strategy = text("strategy");
  if (strategy !== undefined && !(STRATEGIES as readonly string[]).includes(strategy)) {
    throw new UsageError(`--strategy ${strategy}: must be one of ${STRATEGIES.join(", ")}`);
  }
  return {
    kind: "synthesize",
    options: {
      out: text("out") ?? DEFAULT_OUT,
      ...(text("primary") !== undefined ? { primary: text("primary") } : {}),
      ...(text("dr") !== undefined ? { dr: text("dr") } : {}),
      ...(text("policy-config") !== undefined ? { policyConfig: text("policy-config") } : {}),
      ...(strategy !== undefined ? { strategy: strategy as Strategy } : {}),
      debug: values.get("debug") === true,
    },
  };
}

/** The known option closest to a mistyped one (`--prmary` -> `primary`), if any is close. */
function closestOption(rawName: string): string | undefined {
  const name = rawName.replace(/^-+/, "");
  let best: { name: string; distance: number } | undefined;
  for (const option of OPTIONS) {
    const distance = editDistance(name, option.name);
    if (distance <= Math.max(1, Math.floor(option.name.length / 3)) && (!best || distance < best.distance)) best = { name: option.name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The stack files of a run, resolved, with how messages name each (`--primary x.yaml`). */
export interface StackFileOptions {
  primaryStackFile: string;
  drStackFile: string;
  /** Absolute path -> how a message names it: `--primary x.yaml`, or `--primary Pulumi.primary.yaml (the default)`. */
  subjects: Map<string, string>;
}

/**
 * A path the user gave, resolved against the folder they ran the command in: `npm run` starts the
 * script in the package root and passes that folder as INIT_CWD (npm docs, "scripts": "INIT_CWD");
 * without npm, the process's own working folder.
 */
export function userPath(given: string, environment: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(environment.INIT_CWD ?? process.cwd(), given);
}

/**
 * Checks the project file and both stack files before anything is synthesized: `Pulumi.yaml` has a
 * name, and each stack file exists, is a readable file named `Pulumi.<stack>.yaml`, is YAML with a
 * `config:` mapping and has no secret.
 * @returns the absolute paths to synthesize.
 * @throws StackFileError naming the option and the path (`--primary nope.yaml: no such file; ...`).
 */
export function preflightStackFiles(options: Pick<CliOptions, "primary" | "dr">, projectDirectory: string): StackFileOptions {
  readProjectName(projectDirectory);
  const subjects = new Map<string, string>();
  const check = (option: "primary" | "dr", given: string | undefined, fallback: string): string => {
    const file = given !== undefined ? userPath(given) : path.join(projectDirectory, fallback);
    const subject = given !== undefined ? `--${option} ${given}` : `--${option} ${path.relative(process.cwd(), file) || file} (the default)`;
    subjects.set(file, subject);
    try {
      preflightStackFile(file);
      readStackConfigFile(file);
    } catch (error) {
      throw error instanceof StackFileError ? error.relabel(subject) : error;
    }
    return file;
  };
  const primaryStackFile = check("primary", options.primary, "Pulumi.primary.yaml");
  const drStackFile = check("dr", options.dr, "Pulumi.dr.yaml");
  return { primaryStackFile, drStackFile, subjects };
}

/**
 * Checks `--out` before anything is synthesized: it must be a folder or not exist yet.
 * @returns the folder, resolved.
 * @throws OptionError when it is a file.
 */
export function checkOutDirectory(out: string, projectDirectory: string): string {
  // The default is the project's own out/synth; a folder the user names is theirs, from where they ran the command.
  const folder = out === DEFAULT_OUT ? path.join(projectDirectory, DEFAULT_OUT) : userPath(out);
  let isDirectory: boolean | undefined;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {
    isDirectory = undefined; // created when the plans are written
  }
  if (isDirectory === false) throw new OptionError("--out", out, "is a file; pass a folder for the plans and the report (it is created if missing)");
  return folder;
}

/**
 * Reads `--policy-config`: a JSON object of policy names to settings, as `pulumi preview --policy-pack-config` takes.
 * Its content is checked against the pack by the synthesis (PolicyConfigError).
 * @throws OptionError when the file cannot be read, is not JSON, or is not a JSON object.
 */
export function readPolicyConfigFile(file: string): PolicyPackConfig {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(userPath(file), "utf8"));
  } catch (error) {
    throw new OptionError("--policy-config", file, `cannot read it as JSON (${(error as Error).message})`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new OptionError("--policy-config", file, `must hold a JSON object of policy names to settings, found ${JSON.stringify(config)}`);
  }
  return config as PolicyPackConfig;
}
