/**
 * Stack-file pairs for the sweep (synth/sweep.ts): the repository's `Pulumi.primary.yaml` and
 * `Pulumi.dr.yaml`, edited as a user would edit them, written into a folder of their own. Edits are
 * data (a key path and its new value) so that every case of the sweep reads as what a user wrote.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

/** Removes the key the edit names. */
export const REMOVE: unique symbol = Symbol("remove");

/**
 * Edits of one stack file's `config:` block: a path (the full top-level key, then `.`-separated keys
 * inside it: `multi-region-dr:app.instanceType`, `aws:region`) to its new value, or {@link REMOVE}.
 * Missing mappings on the way are created. A value is written as given: a string stays a string in
 * the YAML (`"6"`), a number a number.
 */
export type Edits = Record<string, unknown>;

/** What a case does to the repository's pair. */
export interface PairEdit {
  primary?: Edits;
  dr?: Edits;
  /** Rewrites the primary file's text after the edits (a YAML syntax error, a file without config). */
  primaryText?: (text: string) => string;
  drText?: (text: string) => string;
  /**
   * Which files the run is given: `pair` (default) the primary file as the primary and the DR file as
   * the DR; `swapped` each as the other; `dr-twice` the DR file as both.
   */
  files?: "pair" | "swapped" | "dr-twice";
}

/** The stack files of one case, as `synthesize` and the CLI take them. */
export interface StackFilePair {
  primaryStackFile: string;
  drStackFile: string;
}

/** Applies `edits` to a stack file's `config:` mapping in place. */
export function applyEdits(config: Record<string, unknown>, edits: Edits): void {
  for (const [keyPath, value] of Object.entries(edits)) {
    const segments = keyPath.split(".");
    let mapping = config;
    for (const segment of segments.slice(0, -1)) {
      const next = mapping[segment];
      if (typeof next !== "object" || next === null || Array.isArray(next)) mapping[segment] = {};
      mapping = mapping[segment] as Record<string, unknown>;
    }
    const last = segments[segments.length - 1];
    if (value === REMOVE) delete mapping[last];
    else mapping[last] = value;
  }
}

/** The text of `source` (a stack file of the project) with `edits` applied to its `config:`. */
export function editedStackText(source: string, edits: Edits = {}): string {
  const document = parse(readFileSync(source, "utf8")) as { config: Record<string, unknown> };
  applyEdits(document.config, edits);
  return stringify(document);
}

/**
 * Writes the case's pair into `directory` (created) as `Pulumi.primary.yaml` and `Pulumi.dr.yaml`,
 * from the project's own stack files in `projectDirectory`.
 * @returns the files to pass as the primary and the DR stack file.
 */
export function writeStackPair(projectDirectory: string, directory: string, edit: PairEdit): StackFilePair {
  mkdirSync(directory, { recursive: true });
  const write = (name: string, edits: Edits | undefined, text: ((text: string) => string) | undefined): string => {
    const file = path.join(directory, name);
    const edited = editedStackText(path.join(projectDirectory, name), edits);
    writeFileSync(file, text ? text(edited) : edited);
    return file;
  };
  const primary = write("Pulumi.primary.yaml", edit.primary, edit.primaryText);
  const dr = write("Pulumi.dr.yaml", edit.dr, edit.drText);
  switch (edit.files ?? "pair") {
    case "swapped":
      return { primaryStackFile: dr, drStackFile: primary };
    case "dr-twice":
      return { primaryStackFile: dr, drStackFile: dr };
    default:
      return { primaryStackFile: primary, drStackFile: dr };
  }
}
