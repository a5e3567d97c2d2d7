/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program:
 * a flat map of full keys to text, structured values as JSON text.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The project name from `Pulumi.yaml`. @throws Error when the file has no `name`. */
export function readProjectName(projectDirectory: string): string {
  const project = parse(readFileSync(path.join(projectDirectory, "Pulumi.yaml"), "utf8")) as { name?: unknown };
  if (typeof project?.name !== "string") throw new Error(`${projectDirectory}/Pulumi.yaml has no project name`);
  return project.name;
}

/** The stack name of a stack file: `Pulumi.dr.yaml` -> `dr`. @throws Error for any other file name. */
export function stackNameOf(stackFile: string): string {
  const match = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(stackFile));
  if (!match) throw new Error(`${stackFile} is not a stack file; name it Pulumi.<stack>.yaml`);
  return match[1];
}

/**
 * Loads a stack file's `config:` block as Pulumi passes it to the program.
 * @throws Error when the file is not YAML or has a secret (`secure:`) value, which needs the Pulumi CLI to decrypt.
 */
export function readStackConfigFile(stackFile: string): Record<string, string> {
  const document = parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null;
  const config = document?.config ?? {};
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value && typeof value === "object" && "secure" in value) {
      throw new Error(`${stackFile}: ${key} is a secret; offline synthesis cannot decrypt it. Keep secrets out of the synthesized stacks' config.`);
    }
    flat[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return flat;
}
