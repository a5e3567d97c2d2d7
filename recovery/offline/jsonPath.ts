/**
 * The JSONPath that Step Functions applies to a Task result, where aws-local-stepfunctions differs.
 *
 * Step Functions evaluates paths with Jayway JsonPath: an indefinite path (`[*]`, `.*`, a filter
 * `[?(...)]`) always yields a list, empty when nothing matches. aws-local-stepfunctions evaluates with
 * jsonpath-plus and `wrap: false`, which yields `undefined` for no match and then fails the state, so
 * `$.MetricAlarms[*].AlarmName` with no alarm firing (every quiet minute of a drill) or
 * `Instances[?(@.LifecycleState == 'InService')]` with no instance in service would fail offline and
 * not in AWS. The runner therefore applies ResultSelectors that contain an indefinite path itself,
 * with this evaluator, and hands the library the selected result.
 *
 * Supported: `$`, `.name`, `['name']`, `[n]`, `[*]`, `.*` and filters `[?(@.a.b == 'text')]` (also
 * `!=`, numbers, true/false). Anything else throws, so an unsupported path cannot pass silently.
 */
import { StatesRuntimeError } from "./errors";

type Segment =
  { kind: "name"; name: string } | { kind: "index"; index: number } | { kind: "all" } | { kind: "filter"; field: string[]; equal: boolean; value: unknown };

const SEGMENT =
  /^(?:\.([A-Za-z_$][\w$-]*)|\['([^']*)'\]|\[(-?\d+)\]|\[\*\]|\.\*|\[\?\(@((?:\.[A-Za-z_$][\w$-]*)+)\s*(==|!=)\s*('[^']*'|-?\d+(?:\.\d+)?|true|false|null)\s*\)\])/;

/** Parses a path; throws on syntax this evaluator does not support. */
export function parsePath(path: string): Segment[] {
  if (!path.startsWith("$")) throw new Error(`JSONPath ${path}: must start with $`);
  const segments: Segment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest);
    if (!match) throw new Error(`JSONPath ${path}: unsupported syntax at "${rest}"`);
    const [text, name, quoted, index, filterField, operator, literal] = match;
    if (name !== undefined) segments.push({ kind: "name", name });
    else if (quoted !== undefined) segments.push({ kind: "name", name: quoted });
    else if (index !== undefined) segments.push({ kind: "index", index: Number(index) });
    else if (filterField !== undefined) {
      const value = literal.startsWith("'") ? literal.slice(1, -1) : JSON.parse(literal);
      segments.push({ kind: "filter", field: filterField.slice(1).split("."), equal: operator === "==", value });
    } else segments.push({ kind: "all" });
    rest = rest.slice(text.length);
  }
  return segments;
}

/** Whether a path yields a list (Jayway's "indefinite" path: a wildcard, a filter, a deep scan, a union or a slice). */
export function isIndefinite(path: string): boolean {
  return /\[\*\]|\.\*|\[\?\(|\.\.|\[[^\]]*[,:][^\]]*\]/.test(path);
}

/**
 * Evaluates `path` on `value` as Step Functions does: a definite path returns the value and throws
 * States.Runtime when it is missing; an indefinite path returns every match, possibly none.
 */
export function evaluatePath(path: string, value: unknown): unknown {
  const segments = parsePath(path);
  let nodes: unknown[] = [value];
  for (const segment of segments) {
    nodes = nodes.flatMap((node) => step(segment, node));
  }
  if (segments.some((segment) => segment.kind === "all" || segment.kind === "filter")) return nodes;
  if (nodes.length === 0) throw new StatesRuntimeError(`The JSONPath ${path} could not be found in the result`);
  return nodes[0];
}

function step(segment: Segment, node: unknown): unknown[] {
  switch (segment.kind) {
    case "name":
      return isObject(node) && segment.name in node ? [node[segment.name]] : [];
    case "index": {
      if (!Array.isArray(node)) return [];
      const index = segment.index < 0 ? node.length + segment.index : segment.index;
      return index >= 0 && index < node.length ? [node[index]] : [];
    }
    case "all":
      return Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
    case "filter": {
      const items = Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
      return items.filter((item) => {
        let field: unknown = item;
        for (const name of segment.field) field = isObject(field) ? field[name] : undefined;
        return field !== undefined && (field === segment.value) === segment.equal;
      });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a ResultSelector holds an indefinite path (and so must be applied by `applySelector`). */
export function needsAwsSelector(selector: unknown): boolean {
  return paths(selector).some(isIndefinite);
}

/**
 * Applies a ResultSelector (payload template) to `result` with Step Functions semantics. Only
 * paths are supported as `.$` values: a template mixing intrinsic functions is left to the library.
 * @throws Error for an intrinsic function or unsupported path syntax.
 */
export function applySelector(selector: unknown, result: unknown): unknown {
  if (Array.isArray(selector)) return selector.map((item) => applySelector(item, result));
  if (!isObject(selector)) return selector;
  const output: Record<string, unknown> = {};
  for (const [key, template] of Object.entries(selector)) {
    if (key.endsWith(".$")) {
      if (typeof template !== "string" || !template.startsWith("$") || template.startsWith("$$"))
        throw new Error(`ResultSelector field ${key}: only paths into the result are supported offline, got ${JSON.stringify(template)}`);
      output[key.slice(0, -2)] = evaluatePath(template, result);
    } else output[key] = applySelector(template, result);
  }
  return output;
}

function paths(template: unknown): string[] {
  if (Array.isArray(template)) return template.flatMap(paths);
  if (!isObject(template)) return [];
  return Object.entries(template).flatMap(([key, value]) =>
    key.endsWith(".$") && typeof value === "string" && value.startsWith("$") && !value.startsWith("$$") ? [value] : paths(value),
  );
}
