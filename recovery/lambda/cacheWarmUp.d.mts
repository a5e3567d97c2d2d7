/** Types of the cache warm-up function (cacheWarmUp.mjs), for TypeScript callers and tests. */
export declare const REQUEST_TIMEOUT_MS: 10000;
export declare const MAX_URLS: 20;
export declare const USER_AGENT: "multi-region-dr-cache-warm-up";

/** One URL's result. */
export interface WarmResult {
  url: string;
  ok: boolean;
  status?: number;
  error?: string;
}

/** The function's answer. */
export interface WarmUpAnswer {
  requested: number;
  warmed: number;
  failed: Omit<WarmResult, "ok">[];
}

/** @throws Error named InvalidArguments unless `urls` is 1 to 20 absolute http(s) URLs. */
export declare function checkUrls(urls: unknown): string[];
/** One GET of `url`, its body read; never throws. */
export declare function warm(url: string, timeoutMs?: number): Promise<WarmResult>;
export declare function handler(event: { urls?: unknown } | undefined): Promise<WarmUpAnswer>;
