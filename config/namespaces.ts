/**
 * Config keys that would be silently ignored: a key under a namespace that looks like the project's
 * but is not (`multi_region_dr:app`), and a key of this project written under `aws:` (`aws:app`).
 * Pulumi passes every key of the stack file to the program; `parseStackConfig` reads only
 * `<project>:*` and `aws:region`, so without this check such keys would be dropped without a word.
 */
import { editDistance } from "./closestNames";
import type { ConfigProblem } from "./errors";

/** Spelling-insensitive form of a namespace: lower case, `_`, `.` and spaces read as `-`. */
function normalized(namespace: string): string {
  return namespace.toLowerCase().replace(/[\s_.]+/g, "-");
}

/**
 * True when `namespace` is not `project` but looks like a misspelling of it: the same once case and
 * separators are normalized (`multi_region_dr`, `Multi-Region-DR`, `multiregiondr`), or within an
 * edit distance of a sixth of the project name's length, at least 1 (2 for `multi-region-dr`:
 * `multi-regoin-dr`, `multi-region-d`). Namespaces of providers and tools (`aws`, `pulumi`,
 * `kubernetes`) are far from any project name of that length and never match.
 */
export function looksLikeProjectNamespace(namespace: string, project: string): boolean {
  if (namespace === project) return false;
  const candidate = normalized(namespace);
  if (candidate === project || candidate.replace(/-/g, "") === project.replace(/-/g, "")) return true;
  return editDistance(candidate, project) <= Math.max(1, Math.floor(project.length / 6));
}

/**
 * The problems of keys that would be silently ignored, one per key, in the order given:
 * - `<lookalike>:<key>` where the namespace {@link looksLikeProjectNamespace}: names the intended
 *   key `<project>:<key>`.
 * - `aws:<key>` where `<key>` is one of `projectKeys` (this project's top-level keys, e.g. `app`,
 *   `network`) and not `region`: names `<project>:<key>`. The AWS provider rejects unknown `aws:`
 *   keys only when its default provider reads the stack config ("Invalid or unknown key",
 *   pulumi/pulumi-aws#3360, resolution by-design); this program gives every resource an explicit
 *   regional provider, which reads no `aws:` config, so the key would otherwise be dropped.
 * Keys of other namespaces (`aws:region`, `aws:profile`, `aws:defaultTags`, `pulumi:*`,
 * `kubernetes:*`) and keys without a namespace are left alone.
 *
 * @param allConfig full keys (`<namespace>:<key>`) to values as Pulumi passes them (JSON text for objects).
 * @param project the project name, which is the config namespace (`multi-region-dr`).
 * @param projectKeys this project's top-level keys, for the `aws:` check.
 */
export function namespaceProblems(allConfig: Readonly<Record<string, string>>, project: string, projectKeys: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [fullKey, text] of Object.entries(allConfig)) {
    const colon = fullKey.indexOf(":");
    if (colon < 0) continue;
    const namespace = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    const intended = `${project}:${key}`;
    if (looksLikeProjectNamespace(namespace, project)) {
      problems.push({
        key: fullKey,
        value: parseConfigValue(text),
        message: `is under the namespace "${namespace}", not this project's "${project}", so the program would ignore it; rename the key to ${intended}`,
      });
    } else if (namespace === "aws" && key !== "region" && projectKeys.includes(key)) {
      problems.push({
        key: fullKey,
        value: parseConfigValue(text),
        message:
          `is this project's key ${key}, not an AWS provider setting: the program's explicit AWS providers read no aws: config ` +
          `(only aws:region is read, by the program itself), so it would be ignored; rename the key to ${intended}`,
      });
    }
  }
  return problems;
}

/** A config value as Pulumi hands it: structured values as JSON text, scalars as plain text. */
export function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
