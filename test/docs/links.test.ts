/**
 * The README is the front door (issue 23, item 1): at most 250 lines, every page of docs/ one click
 * away from it, and every relative link and `#anchor` of README.md and docs/*.md resolving to a file,
 * folder or heading that exists (GitHub's heading slugs, test/docs/markdownLinks.ts).
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { anchorsOf, brokenLinks, diskRepository, githubSlug, headingText, linksOf, proseLines, type RepositoryView } from "./markdownLinks";

const ROOT = path.join(__dirname, "..", "..");
const PAGES = [
  "README.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];
const read = (page: string) => readFileSync(path.join(ROOT, page), "utf8");

/** An in-memory repository of the given files (their folders exist too). */
function fixture(files: Record<string, string>): RepositoryView {
  const folders = new Set(
    Object.keys(files).flatMap((file) =>
      file
        .split("/")
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join("/")),
    ),
  );
  return { exists: (p) => p in files || folders.has(p), read: (p) => files[p] };
}

describe("docs: README and docs/ links", () => {
  for (const page of PAGES) {
    it(`${page}: every relative link and anchor resolves`, () => {
      expect(brokenLinks(page, read(page), diskRepository(ROOT))).to.deep.equal([]);
    });
  }

  it("README.md is at most 250 lines", () => {
    expect(read("README.md").trimEnd().split("\n").length).to.be.at.most(250);
  });

  it("README.md links every docs page (one click to each)", () => {
    const targets = new Set(linksOf(read("README.md")).map((link) => link.target.split("#")[0]));
    for (const page of PAGES.slice(1)) expect(targets.has(page), `README.md has no link to ${page}`).to.equal(true);
  });

  it("README.md links every section (##) of every docs page (one click to each moved section)", () => {
    const targets = new Set(linksOf(read("README.md")).map((link) => link.target));
    for (const page of PAGES.slice(1)) {
      const sections = proseLines(read(page)).flatMap(({ text }) => (/^## (.*)$/.exec(text) ? [githubSlug(headingText(text.slice(3)))] : []));
      for (const section of sections) expect(targets.has(`${page}#${section}`), `README.md has no link to ${page}#${section}`).to.equal(true);
    }
  });

  describe("the checker", () => {
    const page = [
      "# Runbook",
      "## Pipelines (GitHub Actions)",
      "### The supported path: a runner listed in `publicAccessCidrs`",
      "#### Alert: AppScrapeTargetDown",
      "## Failover",
      "## Failover",
      "```bash",
      "# not a heading",
      "[not a link](missing.md)",
      "```",
      'See <a id="custom-anchor"></a> and `[code](missing-too.md)`.',
    ].join("\n");

    it("gives GitHub's anchors: punctuation dropped, spaces to hyphens, code text kept, repeats numbered", () => {
      expect([...anchorsOf(page)]).to.deep.equal([
        "runbook",
        "pipelines-github-actions",
        "the-supported-path-a-runner-listed-in-publicaccesscidrs",
        "alert-appscrapetargetdown",
        "failover",
        "failover-1",
        "custom-anchor",
      ]);
      expect(githubSlug("Database engine modes: RDS instance or Aurora Global Database")).to.equal(
        "database-engine-modes-rds-instance-or-aurora-global-database",
      );
      expect(githubSlug("Restore (backup-restore)")).to.equal("restore-backup-restore");
      expect(githubSlug("T+30 s: Route 53 sees it")).to.equal("t30-s-route-53-sees-it");
      expect(githubSlug(headingText('The "Disaster recovery" dashboard'))).to.equal("the-disaster-recovery-dashboard");
      expect(githubSlug(headingText("[Linked](x.md) **bold** #"))).to.equal("linked-bold");
    });

    it("passes links to existing files, folders and headings, and skips external links, code blocks and code spans", () => {
      const repository = fixture({ "docs/runbook.md": page, "README.md": "", "examples/a/Pulumi.dr.yaml": "" });
      const text = [
        "[runbook](docs/runbook.md) [alert](docs/runbook.md#alert-appscrapetargetdown) [second](docs/runbook.md#failover-1)",
        '[examples](examples) [titled](docs/runbook.md "Runbook") [web](https://example.com/x.md#nowhere) [mail](mailto:a@b.c)',
        "[root](/docs/runbook.md#runbook) [self](#top)",
        "# Top",
        "[ref]: docs/runbook.md#pipelines-github-actions",
      ].join("\n");
      expect(brokenLinks("README.md", text, repository)).to.deep.equal([]);
      expect(brokenLinks("docs/runbook.md", page, repository)).to.deep.equal([]);
      expect(brokenLinks("docs/other.md", "[up](../README.md) [sibling](runbook.md#failover)", repository)).to.deep.equal([]);
    });

    it("fails a missing file, a missing heading, an anchor into a non-markdown file and a link out of the repository", () => {
      const repository = fixture({ "docs/runbook.md": page, "README.md": "", "cost/coverage.ts": "" });
      const text = [
        "[gone](docs/deploy.md) [anchor](docs/runbook.md#failback)",
        "[self](#nowhere) [code](cost/coverage.ts#L5)",
        "[out](../elsewhere.md)",
        "[ref]: docs/missing.md",
      ].join("\n");
      expect(brokenLinks("README.md", text, repository)).to.deep.equal([
        "README.md:1: docs/deploy.md: no file or folder docs/deploy.md",
        "README.md:1: docs/runbook.md#failback: no heading with anchor #failback in docs/runbook.md",
        "README.md:2: #nowhere: no heading with anchor #nowhere in README.md",
        "README.md:2: cost/coverage.ts#L5: an anchor on cost/coverage.ts, which is not a markdown page",
        "README.md:3: ../elsewhere.md: leaves the repository",
        "README.md:4: docs/missing.md: no file or folder docs/missing.md",
      ]);
    });

    it("resolves a docs page's links from its own folder (a README-relative path there is broken)", () => {
      const repository = fixture({ "docs/runbook.md": page, "docs/deploying.md": "", "README.md": "" });
      expect(brokenLinks("docs/deploying.md", "[runbook](docs/runbook.md)", repository)).to.deep.equal([
        "docs/deploying.md:1: docs/runbook.md: no file or folder docs/docs/runbook.md",
      ]);
    });
  });
});
