/**
 * Relative links of the repository's markdown (README.md and docs/*.md) checked the way GitHub
 * renders them: a link to a file or folder must name one that exists, and a `#anchor` must name a
 * heading of the target page (or of the page itself) by GitHub's heading slug.
 *
 * What counts as a link: inline links and images `[text](target "title")`, `<target>` forms, and
 * reference definitions `[id]: target`, outside fenced code blocks and inline code spans. Links with
 * a scheme (`https:`, `mailto:`) or protocol-relative ones (`//host`) are not checked: they are not
 * relative. A leading `/` is the repository root, as on GitHub (GitHub Docs, "About the repository
 * README file": relative links and image paths "are relative to the current file", and a path
 * starting with `/` to the repository root, "Basic writing and formatting syntax", Relative links).
 *
 * Anchors are the ids GitHub gives ATX headings (`#` to `######`) and explicit HTML `id`/`name`
 * attributes. Setext headings (`===`/`---` underlines) are not read; the repository's markdown uses
 * none (a `---` line there is a table rule or a thematic break).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

/** Characters GitHub drops from a heading's text before turning spaces into hyphens. */
// github-slugger (the algorithm GitHub's anchors follow, Flet/github-slugger script/generate-regex.mjs):
// it removes Other_Number, every punctuation class but Connector_Punctuation (`_`) and the ASCII `-`,
// every Symbol, Control, Private_Use, Format, Unassigned and Separator but the ASCII space, keeps
// alphabetic code points, then lowercases and replaces each space with `-` (runs are not collapsed).
const SLUG_REMOVE = /[^\p{L}\p{Alphabetic}\p{M}\p{Nd}\p{Nl}\p{Pc} -]/gu;

/**
 * GitHub's anchor for a heading's plain text (markdown already stripped, see `headingText`), before
 * the duplicate suffix: lowercase, characters outside letters, marks, digits, `_`, `-` and space
 * dropped, each space turned into `-`. `"Pipelines (GitHub Actions)"` → `"pipelines-github-actions"`.
 */
export function githubSlug(text: string): string {
  return text.trim().toLowerCase().replace(SLUG_REMOVE, "").replace(/ /g, "-");
}

/**
 * The rendered text of an ATX heading's content: closing `#`s, inline code backticks, link and
 * image syntax (the text is kept), emphasis asterisks and HTML tags removed.
 */
export function headingText(content: string): string {
  return content
    .replace(/\s+#+\s*$/, "")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/\*+/g, "");
}

/** The lines of a markdown text that are not inside a fenced code block (``` or ~~~), with their 1-based numbers. */
export function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split("\n").forEach((line, index) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== undefined) {
      if (opener && opener[1][0] === fence[0] && opener[1].length >= fence.length && line.trim() === opener[1]) fence = undefined;
      return;
    }
    if (opener) {
      fence = opener[1];
      return;
    }
    out.push({ line: index + 1, text: line });
  });
  return out;
}

/**
 * Every anchor a page offers: the slugs of its ATX headings in order, a repeated slug getting
 * `-1`, `-2`, ... as GitHub numbers them, and explicit `id="..."`/`name="..."` attributes.
 */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      const base = githubSlug(headingText(heading[1]));
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<[a-z]+\s[^>]*\b(?:id|name)="([^"]+)"/gi)) anchors.add(match[1]);
  }
  return anchors;
}

/** A link of a page: its 1-based line and the target as written (`docs/x.md#y`). */
export interface MarkdownLink {
  line: number;
  target: string;
}

/** The links of a page, outside code blocks and inline code spans (see the module comment). */
export function linksOf(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    const prose = raw.replace(/(`+)[^`]*?\1/g, "");
    for (const match of prose.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: match[1].replace(/^<|>$/g, "") });
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition) links.push({ line, target: definition[1].replace(/^<|>$/g, "") });
  }
  return links;
}

/** What the checker may ask of the repository: paths are relative to its root, with `/`. */
export interface RepositoryView {
  /** Whether a file or folder exists at this path. */
  exists(relativePath: string): boolean;
  /** The text of a file, or undefined when it is not a file. */
  read(relativePath: string): string | undefined;
}

/** A repository on disk, rooted at `root`. */
export function diskRepository(root: string): RepositoryView {
  return {
    exists: (relativePath) => existsSync(path.join(root, relativePath)),
    read: (relativePath) => {
      const file = path.join(root, relativePath);
      return existsSync(file) && statSync(file).isFile() ? readFileSync(file, "utf8") : undefined;
    },
  };
}

/**
 * The broken relative links of one page, as `<page>:<line>: <target>: <why>` lines (empty when every
 * link resolves). `page` is the page's path from the repository root (`docs/runbook.md`); `text` its
 * content. A link fails when its file or folder does not exist, when it leaves the repository, when
 * its anchor names no heading of the (markdown) target, or when it puts an anchor on a file that is
 * not markdown (such an anchor cannot be checked).
 */
export function brokenLinks(page: string, text: string, repository: RepositoryView): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (file: string, content: string) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(content));
    return anchorCache.get(file)!;
  };
  for (const { line, target } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue;
    const report = (why: string) => problems.push(`${page}:${line}: ${target}: ${why}`);
    const hash = target.indexOf("#");
    const filePart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const file =
      filePart === "" ? page : path.posix.normalize(filePart.startsWith("/") ? filePart.slice(1) : path.posix.join(path.posix.dirname(page), filePart));
    if (file === ".." || file.startsWith("../")) {
      report("leaves the repository");
      continue;
    }
    if (filePart !== "" && !repository.exists(file)) {
      report(`no file or folder ${file}`);
      continue;
    }
    if (anchor === undefined) continue;
    const content = file === page ? text : repository.read(file);
    if (!file.endsWith(".md") || content === undefined) {
      report(`an anchor on ${file}, which is not a markdown page`);
      continue;
    }
    if (!anchorsIn(file, content).has(anchor)) report(`no heading with anchor #${anchor} in ${file}`);
  }
  return problems;
}
