/**
 * "Did you mean ...?" for config errors: the valid names nearest to a misspelt one. Pure, no imports,
 * so any rule (regions, instance types, DB classes, config namespaces) can use it.
 */

/**
 * Edit distance between two strings: the fewest single-character insertions, deletions,
 * substitutions and swaps of two adjacent characters that turn `a` into `b` (the "optimal string
 * alignment" variant of Damerau-Levenshtein). `editDistance("t3.smal", "t3.small")` is 1,
 * `editDistance("us-esat-1", "us-east-1")` is 1 (one swap). Case-sensitive.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/** How far and how many suggestions {@link closestNames} gives. */
export interface ClosestNamesOptions {
  /** Most names returned. Default 3. */
  readonly maxResults?: number;
  /**
   * Largest edit distance still worth suggesting. Default: a third of the input's length, at least 2
   * (so `us-east-3` may be 3 edits off, `t3.x` 2), which keeps unrelated names out.
   */
  readonly maxDistance?: number;
}

/**
 * The candidates nearest to `input`, compared case-insensitively: every candidate at the smallest
 * edit distance ({@link editDistance}), when that distance is at most `maxDistance`, in natural order
 * (`us-east-1` before `us-east-2`, `2xlarge` before `12xlarge`), at most `maxResults` of them.
 *
 * Examples: `closestNames("us-east-3", regions)` is `["us-east-1", "us-east-2"]`;
 * `closestNames("t3.smal", ec2Types)` is `["t3.small"]`; `closestNames("T3.SMALL", ec2Types)` is
 * `["t3.small"]`; `closestNames("mars-1", regions)` is `[]` (nothing close enough).
 *
 * @param input the name as written in the config.
 * @param candidates the valid names (any iterable; duplicates are ignored).
 * @returns the suggestions, possibly empty; never `input` itself when it is a candidate verbatim.
 */
export function closestNames(input: string, candidates: Iterable<string>, options: ClosestNamesOptions = {}): string[] {
  const maxResults = options.maxResults ?? 3;
  const maxDistance = options.maxDistance ?? Math.max(2, Math.floor(input.length / 3));
  const wanted = input.toLowerCase();
  let best = Number.POSITIVE_INFINITY;
  let nearest = new Set<string>();
  for (const candidate of candidates) {
    if (candidate === input) continue;
    // Length difference is a lower bound of the distance: skip what cannot beat the best so far.
    if (Math.abs(candidate.length - wanted.length) > Math.min(best, maxDistance)) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance > maxDistance || distance > best) continue;
    if (distance < best) {
      best = distance;
      nearest = new Set();
    }
    nearest.add(candidate);
  }
  return [...nearest].sort((x, y) => x.localeCompare(y, "en", { numeric: true })).slice(0, maxResults);
}

/**
 * The end of a config error message that offers the nearest names: `; closest valid names: a, b`,
 * or `; <fallback>` when none is close enough.
 */
export function suggestionText(suggestions: readonly string[], fallback: string): string {
  return suggestions.length > 0 ? `; closest valid names: ${suggestions.join(", ")}` : `; ${fallback}`;
}
