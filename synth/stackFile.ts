/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program:
 * a flat map of full keys to text, structured values as JSON text. Every problem with a file itself
 * (missing, a folder, unreadable, misnamed, not YAML, no `config:` mapping, a secret) is a
 * `StackFileError` that names the file and says what to do.
 */
import { accessSync, constants, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";
import { ConfigError, type ConfigProblem } from "../config/errors";

/**
 * A problem with a project or stack file as a whole, raised before any resource exists. A
 * `ConfigError`, so every caller that reports config errors (exit 1) reports it too.
 */
export class StackFileError extends ConfigError {
  /** The file, as it was passed in. */
  readonly file: string;
  /** What is wrong and what to do, without the file's name: `no such file; pass ...`. */
  readonly reason: string;

  /**
   * @param subject how the message names the file; default its path (relative to the working folder when inside it).
   * @param problems the config keys involved, if any (a `secure:` value's key).
   */
  constructor(file: string, reason: string, problems: readonly ConfigProblem[] = [], subject = displayPath(file)) {
    super(subject, problems);
    this.name = "StackFileError";
    this.file = file;
    this.reason = reason;
    this.message = `${subject}: ${reason}`;
  }

  /** The same problem, the file named as `subject` (e.g. `--primary x.yaml`). */
  relabel(subject: string): StackFileError {
    return new StackFileError(this.file, this.reason, this.problems, subject);
  }
}

/** A path as a message shows it: relative to the working folder when it is inside it, else absolute. */
export function displayPath(file: string): string {
  const absolute = path.resolve(file);
  const relative = path.relative(process.cwd(), absolute);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : absolute;
}

/** The project name from `Pulumi.yaml`. @throws StackFileError when the file is missing, not YAML or has no `name`. */
export function readProjectName(projectDirectory: string): string {
  const file = path.join(projectDirectory, "Pulumi.yaml");
  const project = parseYamlFile(file, "restore the project file Pulumi.yaml in that folder (it names the project and its runtime)");
  const name = isMapping(project) ? project.name : undefined;
  if (typeof name !== "string" || name === "") throw new StackFileError(file, "has no project name; set `name:` to the project's name, e.g. multi-region-dr");
  return name;
}

/** The stack name of a stack file: `Pulumi.dr.yaml` -> `dr`. @throws StackFileError for any other file name. */
export function stackNameOf(stackFile: string): string {
  const match = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(stackFile));
  if (!match) {
    throw new StackFileError(
      stackFile,
      "is not named Pulumi.<stack>.yaml; Pulumi takes the stack's name from the file name, so rename it (e.g. Pulumi.primary.yaml, Pulumi.dr.yaml)",
    );
  }
  return match[1];
}

/**
 * Checks that `stackFile` can be a stack file before reading it: it exists, is a file, is readable
 * and is named `Pulumi.<stack>.yaml`.
 * @returns the stack's name.
 * @throws StackFileError naming the file and what to do.
 */
export function preflightStackFile(stackFile: string): string {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(stackFile).isDirectory();
  } catch (error) {
    throw fileSystemError(stackFile, error, "pass the path of an existing stack file, Pulumi.<stack>.yaml");
  }
  if (isDirectory) {
    const stackFiles = readdirSync(stackFile).filter((name) => /^Pulumi\..+\.yaml$/.test(name));
    const hint = stackFiles.length > 0 ? `one of its stack files: ${stackFiles.join(", ")}` : "a stack file, Pulumi.<stack>.yaml (this folder has none)";
    throw new StackFileError(stackFile, `is a folder, not a stack file; pass ${hint}`);
  }
  try {
    accessSync(stackFile, constants.R_OK);
  } catch (error) {
    throw fileSystemError(stackFile, error, "make it readable (chmod u+r) or pass another stack file");
  }
  return stackNameOf(stackFile);
}

/**
 * Loads a stack file's `config:` block as Pulumi passes it to the program. A file without config
 * (or with an empty one) gives `{}`, as it does to Pulumi.
 * @throws StackFileError when the file cannot be read, is not YAML (with the line and column), its
 *   `config:` is not a mapping, or it has a secret (`secure:`) value, which needs the Pulumi CLI to decrypt.
 */
export function readStackConfigFile(stackFile: string): Record<string, string> {
  const document = parseYamlFile(stackFile, "pass the path of an existing stack file, Pulumi.<stack>.yaml");
  if (document === null || document === undefined) return {};
  if (!isMapping(document)) {
    throw new StackFileError(stackFile, `is ${kindOf(document)}, not a stack file; a stack file is a mapping with a \`config:\` mapping of keys to values`);
  }
  const config = document.config;
  if (config === null || config === undefined) return {};
  if (!isMapping(config)) {
    throw new StackFileError(stackFile, `its \`config:\` is ${kindOf(config)}; write it as a mapping of keys to values, one \`key: value\` per line`);
  }
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const secret = secretPath(value);
    if (secret !== undefined) {
      const fullKey = [key, ...secret].join(".");
      throw new StackFileError(
        stackFile,
        `${fullKey} is a secret (secure:), which offline synthesis cannot decrypt; remove it from this file and pass it through a Pulumi ESC environment or an environment variable instead`,
        [{ key: fullKey, value: "[secret]", message: "is a secret (secure:), which offline synthesis cannot decrypt" }],
      );
    }
    flat[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return flat;
}

/** The path of the first `{ secure: ... }` value within `value` ([] for the value itself), or undefined. */
function secretPath(value: unknown): string[] | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = secretPath(item);
      if (found) return [String(index), ...found];
    }
    return undefined;
  }
  if (!isMapping(value)) return undefined;
  if ("secure" in value) return [];
  for (const [key, item] of Object.entries(value)) {
    const found = secretPath(item);
    if (found) return [key, ...found];
  }
  return undefined;
}

function parseYamlFile(file: string, missingHint: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw fileSystemError(file, error, missingHint);
  }
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : "";
      const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new StackFileError(file, `is not valid YAML${where}: ${reason}; fix it and run again`);
    }
    throw error;
  }
}

/**
 * A file-system error reading `file` as a StackFileError that says what to do (no such file, a
 * folder, permission denied), or the error itself for any other code.
 */
export function fileSystemError(file: string, error: unknown, missingHint: string): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return new StackFileError(file, `no such file; ${missingHint}`);
    case "ENOTDIR":
      return new StackFileError(file, `a part of this path is a file, not a folder; ${missingHint}`);
    case "EISDIR":
      return new StackFileError(file, `is a folder, not a file; ${missingHint}`);
    case "EACCES":
    case "EPERM":
      return new StackFileError(file, "cannot be read (permission denied); make it readable (chmod u+r) or pass another file");
    default:
      return error;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `the ${typeof value} ${JSON.stringify(value)}`;
}
