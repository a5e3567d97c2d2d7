/**
 * The cache warm-up function (components/cache/warmUpFunction.ts): the failover invokes it once the DR
 * targets are healthy (recovery/cacheSteps.ts) with `{ urls }`, the paths the app names under the
 * application's name (the DR stack's `cache.warmUp.paths`). It runs in the DR region outside any VPC
 * and GETs every URL at once, each within `REQUEST_TIMEOUT_MS`, reading the whole body: the app serves
 * them from the database through its read-through cache, so each request loads what that page reads.
 * It follows redirects (an HTTP listener redirects to HTTPS) and sends
 * `User-Agent: multi-region-dr-cache-warm-up` so the app's logs tell these requests apart.
 *
 * Answer: `{ requested, warmed, failed: [{ url, status?, error? }] }`; a URL warms when its status is
 * 2xx. It throws `InvalidArguments` for an input that is not 1 to 20 http(s) URLs, and never for a
 * URL that fails (a cold cache is slower, not broken: the workflow goes on either way).
 *
 * Runtime: nodejs22.x, run as is: Node's standard library and its built-in `fetch` (undici) and `AbortSignal.timeout`.
 */
import console from "node:console";
import { URL } from "node:url";

/** Longest a single request may take, milliseconds; the function's timeout (60 s) covers 20 in parallel. */
export const REQUEST_TIMEOUT_MS = 10000;
/** At most this many URLs per invocation (config/cache.ts MAX_WARM_UP_PATHS). */
export const MAX_URLS = 20;
export const USER_AGENT = "multi-region-dr-cache-warm-up";

class InvalidArguments extends Error {
  name = "InvalidArguments";
}

/** @throws InvalidArguments unless `urls` is 1 to MAX_URLS absolute http(s) URLs. */
export function checkUrls(urls) {
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_URLS) {
    throw new InvalidArguments(`urls must list 1 to ${MAX_URLS} URLs, got ${JSON.stringify(urls)}`);
  }
  for (const url of urls) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidArguments(`not a URL: ${JSON.stringify(url)}`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new InvalidArguments(`not an http(s) URL: ${url}`);
  }
  return urls;
}

/** One GET of `url`, its body read; never throws. */
export async function warm(url, timeoutMs = REQUEST_TIMEOUT_MS) {
  try {
    const response = await globalThis.fetch(url, {
      headers: { "user-agent": USER_AGENT },
      redirect: "follow",
      signal: globalThis.AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.ok ? { url, ok: true, status: response.status } : { url, ok: false, status: response.status };
  } catch (error) {
    return { url, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

export async function handler(event) {
  const urls = checkUrls(event?.urls);
  const results = await Promise.all(urls.map((url) => warm(url)));
  const failed = results.filter((result) => !result.ok).map(({ ok: _ok, ...rest }) => rest);
  console.log(JSON.stringify({ message: "cache warm-up", requested: urls.length, warmed: urls.length - failed.length, failed }));
  return { requested: urls.length, warmed: urls.length - failed.length, failed };
}
