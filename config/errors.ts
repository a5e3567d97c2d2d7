/**
 * The one error type that configuration problems raise. Every problem names the full config key
 * (`<namespace>:<path>`), the value that was found, and how to fix it, so an operator can act on it
 * without reading the code. Problems are collected and raised together so one run shows all of them.
 */

/** One configuration problem: which key, what value, what is wrong and how to fix it. */
export interface ConfigProblem {
  /** Full config key as written in `Pulumi.<stack>.yaml`, e.g. `multi-region-dr:network.cidrBlock`. */
  readonly key: string;
  /** The offending value as found (JSON-rendered in the message), or `undefined` when missing. */
  readonly value: unknown;
  /** What is wrong and how to fix it, as one or two sentences. */
  readonly message: string;
}

/** Raised before any resource is created when the stack configuration is invalid. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(context: string, problems: readonly ConfigProblem[]) {
    super(`${context}:\n${problems.map(formatProblem).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Renders one problem as `  - key (found: value): message`. */
export function formatProblem(problem: ConfigProblem): string {
  return `  - ${problem.key} (found: ${renderValue(problem.value)}): ${problem.message}`;
}

function renderValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}
