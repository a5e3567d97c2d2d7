/**
 * The kube-prometheus-stack 88.5.3 default rules as Helm renders them with our values, for promtool.
 *
 * No Helm binary is available offline, so this renders the chart's own rule templates
 * (test/fixtures/kube-prometheus-stack-88.5.3/rules-1.14/*.yaml, copied unchanged from
 * prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3, commit
 * ea930baeebeba39f56d6b44e351f23b2a072a600, charts/kube-prometheus-stack/templates/prometheus/rules-1.14;
 * Apache-2.0) with the chart's values.yaml of that tag deep-merged with `chartValues(...)`, through
 * a small interpreter of the Go template subset those generated files use (hack/sync_prometheus_rules.py
 * writes them all from one pattern): `if`/`with`/`range`/`end`, `:=`, pipelines, and the Helm/Sprig
 * functions `and or not default dig dict mergeOverwrite hasKey include template toYaml indent
 * nindent semverCompare printf trunc trimSuffix`. Anything else throws, so a chart upgrade that uses
 * a new construct fails the test instead of rendering wrongly. The named templates it includes are
 * those of the chart's templates/_helpers.tpl (job names, namespace, labels) at the same tag.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";

export const CHART_FIXTURE_DIR = path.join(__dirname, "..", "fixtures", "kube-prometheus-stack-88.5.3");
const RULES_DIR = path.join(CHART_FIXTURE_DIR, "rules-1.14");
/** The Kubernetes version the release targets (`.Capabilities.KubeVersion.GitVersion`). */
const KUBE_VERSION = "v1.35.0";

type Node = { kind: "text"; text: string } | { kind: "action"; expr: string } | { kind: "block"; keyword: "if" | "with" | "range"; expr: string; body: Node[] };

/** Splits a template into text and actions, applying `{{-` and `-}}` trimming and dropping comments. */
function tokenize(source: string): ({ kind: "text"; text: string } | { kind: "action"; expr: string })[] {
  const out: ({ kind: "text"; text: string } | { kind: "action"; expr: string })[] = [];
  let index = 0;
  let trimNext = false;
  while (index < source.length) {
    const open = source.indexOf("{{", index);
    let text = source.slice(index, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (open === -1) {
      out.push({ kind: "text", text });
      break;
    }
    const trimBefore = source[open + 2] === "-" && /\s/.test(source[open + 3] ?? "");
    if (trimBefore) text = text.replace(/\s+$/, "");
    out.push({ kind: "text", text });
    const start = open + 2 + (trimBefore ? 2 : 0);
    // Find the closing }} outside string literals.
    let cursor = start;
    while (cursor < source.length) {
      const character = source[cursor];
      if (character === '"') {
        cursor += 1;
        while (source[cursor] !== '"') cursor += source[cursor] === "\\" ? 2 : 1;
        cursor += 1;
      } else if (character === "`") {
        cursor = source.indexOf("`", cursor + 1) + 1;
      } else if (source.startsWith("}}", cursor)) {
        break;
      } else {
        cursor += 1;
      }
    }
    const end = cursor;
    const trimAfter = source[end - 1] === "-" && /\s/.test(source[end - 2] ?? "");
    let expr = source.slice(start, trimAfter ? end - 2 : end).trim();
    if (expr.startsWith("/*")) expr = "";
    if (expr !== "") out.push({ kind: "action", expr });
    trimNext = trimAfter;
    index = end + 2;
  }
  return out;
}

function parse(source: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const token of tokenize(source)) {
    const current = stack[stack.length - 1];
    if (token.kind === "text") {
      current.push(token);
      continue;
    }
    const keyword = /^(if|with|range|end|else)\b\s*(.*)$/s.exec(token.expr);
    if (!keyword) {
      current.push(token);
    } else if (keyword[1] === "end") {
      stack.pop();
    } else if (keyword[1] === "else") {
      throw new Error("chart rules: {{ else }} is not supported by this renderer");
    } else {
      const block: Node = { kind: "block", keyword: keyword[1] as "if" | "with" | "range", expr: keyword[2], body: [] };
      current.push(block);
      stack.push(block.body);
    }
  }
  if (stack.length !== 1) throw new Error("chart rules: unbalanced {{ if/with/range }} and {{ end }}");
  return root;
}

type Value = unknown;
interface Scope {
  dot: Value;
  root: Record<string, Value>;
  variables: Map<string, Value>;
}

function truthy(value: Value): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value as object).length > 0;
  return true;
}

function lookup(value: Value, fields: string[]): Value {
  let current = value;
  for (const field of fields) {
    if (current === undefined || current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, Value>)[field];
  }
  return current;
}

function toYaml(value: Value): string {
  return YAML.stringify(value, { lineWidth: 0 }).replace(/\n$/, "");
}

function indent(spaces: number, text: string): string {
  const pad = " ".repeat(spaces);
  return text
    .split("\n")
    .map((line) => pad + line)
    .join("\n");
}

/** The chart's named templates (templates/_helpers.tpl at the tag) the rule files include. */
function include(name: string, scope: Scope): string {
  const values = scope.root.Values as Record<string, unknown> & Record<string, { jobNameOverride?: string; nameOverride?: string } | undefined>;
  const job = (component: string, fallback: string) => (values[component]?.jobNameOverride as string | undefined) || fallback;
  switch (name) {
    case "kube-prometheus-stack.fullname":
      return (values.fullnameOverride as string) || "kube-prometheus-stack";
    case "kube-prometheus-stack.name":
      return (values.nameOverride as string) || "kube-prometheus-stack";
    case "kube-prometheus-stack.namespace":
      return (values.namespaceOverride as string) || (scope.root.Release as { Namespace: string }).Namespace;
    case "kube-prometheus-stack.labels":
      return `\napp.kubernetes.io/managed-by: Helm\napp.kubernetes.io/instance: kps\napp.kubernetes.io/version: "88.5.3"\napp.kubernetes.io/part-of: kube-prometheus-stack\nchart: kube-prometheus-stack-88.5.3\nrelease: "kps"\nheritage: "Helm"`;
    case "kube-prometheus-stack-kubelet.name":
      return job("kubelet", "kubelet");
    case "kube-prometheus-stack-kube-controller-manager.name":
      return job("kubeControllerManager", "kube-controller-manager");
    case "kube-prometheus-stack-kube-scheduler.name":
      return job("kubeScheduler", "kube-scheduler");
    case "kube-prometheus-stack-kube-proxy.name":
      return job("kubeProxy", "kube-proxy");
    case "kube-prometheus-stack-kube-apiserver.name":
      return job("kubeApiServer", "apiserver");
    case "kube-prometheus-stack-kube-state-metrics.name":
      return (values["kube-state-metrics"]?.nameOverride as string) || "kube-state-metrics";
    default:
      throw new Error(`chart rules: named template ${name} is not known to this renderer`);
  }
}

/** Splits an expression into tokens: strings, parentheses, pipes, `:=` and words. */
function lex(expr: string): string[] {
  const tokens: string[] = [];
  let index = 0;
  while (index < expr.length) {
    const character = expr[index];
    if (/\s/.test(character)) {
      index += 1;
    } else if (character === '"') {
      let end = index + 1;
      while (expr[end] !== '"') end += expr[end] === "\\" ? 2 : 1;
      tokens.push(expr.slice(index, end + 1));
      index = end + 1;
    } else if (character === "`") {
      const end = expr.indexOf("`", index + 1);
      tokens.push(expr.slice(index, end + 1));
      index = end + 1;
    } else if ("()|".includes(character)) {
      tokens.push(character);
      index += 1;
    } else if (expr.startsWith(":=", index)) {
      tokens.push(":=");
      index += 2;
    } else {
      const word = /^[^\s()|]+/.exec(expr.slice(index))![0];
      tokens.push(word);
      index += word.length;
    }
  }
  return tokens;
}

const FUNCTIONS: Record<string, (scope: Scope, ...args: Value[]) => Value> = {
  and: (_scope, ...args) => args.find((arg) => !truthy(arg)) ?? args[args.length - 1],
  or: (_scope, ...args) => args.find(truthy) ?? args[args.length - 1],
  not: (_scope, value) => !truthy(value),
  default: (_scope, fallback, value) => (truthy(value) ? value : fallback),
  dig: (_scope, ...args) => {
    const map = args[args.length - 1];
    const fallback = args[args.length - 2];
    const found = lookup(map, args.slice(0, -2) as string[]);
    return found === undefined ? fallback : found;
  },
  dict: () => ({}),
  mergeOverwrite: (_scope, target, ...sources) => Object.assign(target as object, ...(sources as object[])),
  hasKey: (_scope, map, key) => map !== null && typeof map === "object" && Object.prototype.hasOwnProperty.call(map, key as string),
  include: (scope, name) => include(name as string, scope),
  template: (scope, name) => include(name as string, scope),
  toYaml: (_scope, value) => toYaml(value),
  indent: (_scope, spaces, text) => indent(spaces as number, String(text)),
  nindent: (_scope, spaces, text) => `\n${indent(spaces as number, String(text))}`,
  semverCompare: () => true,
  printf: (_scope, format, ...args) => {
    let next = 0;
    return String(format).replace(/%s/g, () => String(args[next++]));
  },
  trunc: (_scope, length, text) => String(text).slice(0, length as number),
  trimSuffix: (_scope, suffix, text) => (String(text).endsWith(String(suffix)) ? String(text).slice(0, -String(suffix).length) : String(text)),
};

/** Evaluates a pipeline (`cmd arg... | cmd arg...`), each command's result passed as the next one's last argument. */
function evaluate(tokens: string[], scope: Scope): Value {
  let position = 0;
  const operand = (): Value => {
    const token = tokens[position++];
    if (token === "(") {
      const start = position;
      let depth = 1;
      while (depth > 0) {
        if (tokens[position] === "(") depth += 1;
        if (tokens[position] === ")") depth -= 1;
        position += 1;
      }
      return evaluate(tokens.slice(start, position - 1), scope);
    }
    if (token.startsWith('"')) return JSON.parse(token);
    if (token.startsWith("`")) return token.slice(1, -1);
    if (/^-?\d+$/.test(token)) return Number(token);
    if (token === "true" || token === "false") return token === "true";
    if (token === ".") return scope.dot;
    if (token.startsWith("$.")) return lookup(scope.root, token.slice(2).split("."));
    if (token === "$") return scope.root;
    if (token.startsWith("$")) {
      const [name, ...fields] = token.split(".");
      if (!scope.variables.has(name)) throw new Error(`chart rules: variable ${name} is not defined`);
      return lookup(scope.variables.get(name), fields);
    }
    if (token.startsWith(".")) return lookup(scope.dot, token.slice(1).split("."));
    throw new Error(`chart rules: cannot read "${token}"`);
  };
  let result: Value;
  let first = true;
  while (position < tokens.length) {
    const name = tokens[position];
    const args: Value[] = [];
    let call: ((scope: Scope, ...args: Value[]) => Value) | undefined;
    if (FUNCTIONS[name] !== undefined) {
      call = FUNCTIONS[name];
      position += 1;
    } else if (/^[a-z][A-Za-z]*$/.test(name) && !["true", "false"].includes(name)) {
      throw new Error(`chart rules: function ${name} is not supported by this renderer`);
    }
    while (position < tokens.length && tokens[position] !== "|") args.push(operand());
    if (!first) args.push(result);
    result = call ? call(scope, ...args) : args[0];
    first = false;
    if (tokens[position] === "|") position += 1;
  }
  return result;
}

function execute(nodes: Node[], scope: Scope): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") {
      out += node.text;
    } else if (node.kind === "action") {
      const tokens = lex(node.expr);
      if (tokens[0]?.startsWith("$") && tokens[1] === ":=") {
        scope.variables.set(tokens[0], evaluate(tokens.slice(2), scope));
      } else {
        const value = evaluate(tokens, scope);
        out += value === undefined || value === null ? "" : String(value);
      }
    } else {
      const value = evaluate(lex(node.expr), scope);
      if (node.keyword === "if") {
        if (truthy(value)) out += execute(node.body, scope);
      } else if (node.keyword === "with") {
        if (truthy(value)) out += execute(node.body, { ...scope, dot: value });
      } else {
        const items = Array.isArray(value) ? value : value && typeof value === "object" ? Object.values(value) : [];
        for (const item of items) out += execute(node.body, { ...scope, dot: item });
      }
    }
  }
  return out;
}

function isObject(value: Value): value is Record<string, Value> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Helm's values merge: our values over the chart's defaults, maps merged key by key. */
export function mergeValues(defaults: Value, overrides: Value): Value {
  if (!isObject(defaults) || !isObject(overrides)) return overrides === undefined ? defaults : overrides;
  const merged: Record<string, Value> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) merged[key] = mergeValues(defaults[key], value);
  return merged;
}

/** One rendered PrometheusRule: its template file and `spec.groups`. */
export interface RenderedRuleFile {
  template: string;
  groups: { name: string; rules: Record<string, unknown>[] }[];
}

/**
 * The default rules the chart deploys with `values` (our `chartValues(...)` output): every template
 * of rules-1.14 rendered, the empty ones (a group turned off) left out.
 * @throws Error on a template construct the renderer does not know.
 */
export function renderChartDefaultRules(values: Record<string, unknown>, namespace = "monitoring"): RenderedRuleFile[] {
  const chartDefaults = YAML.parse(readFileSync(path.join(CHART_FIXTURE_DIR, "values.yaml"), "utf8"));
  const merged = mergeValues(chartDefaults, values) as Record<string, Value>;
  const files: RenderedRuleFile[] = [];
  for (const file of readdirSync(RULES_DIR).sort()) {
    const root = {
      Values: merged,
      Release: { Name: "kps", Namespace: namespace, Service: "Helm" },
      Capabilities: { KubeVersion: { GitVersion: KUBE_VERSION } },
    };
    const scope: Scope = { dot: root, root, variables: new Map() };
    const text = execute(parse(readFileSync(path.join(RULES_DIR, file), "utf8")), scope);
    if (text.trim() === "") continue;
    let document: { kind?: string; spec?: { groups?: RenderedRuleFile["groups"] } };
    try {
      document = YAML.parse(text);
    } catch (error) {
      throw new Error(`chart rules: ${file} rendered to invalid YAML: ${(error as Error).message}`, { cause: error });
    }
    if (document?.kind !== "PrometheusRule") throw new Error(`chart rules: ${file} did not render a PrometheusRule`);
    files.push({ template: file, groups: document.spec?.groups ?? [] });
  }
  return files;
}
