/**
 * Following a running execution to its end: every `pollSeconds`, DescribeExecution (status) and
 * GetExecutionHistory (only the events added since the last poll), printing the progress lines of
 * `history.ts` and a progress indicator of the current step. Ends with the outcome and the timeline.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import { awsErrorName, explainAwsError, isAccessDenied, isCredentialsError, RunbookError } from "./errors";
import { ExecutionHistory } from "./history";
import { formatElapsed, type Output } from "./output";
import { buildTimeline, type ExecutionOutcome, type TimelineRow } from "./timeline";

/** Statuses in which an execution may still change. */
const ACTIVE = new Set(["RUNNING", "PENDING_REDRIVE"]);

/** GetExecutionHistory's largest page. */
export const HISTORY_PAGE_SIZE = 1000;

/**
 * Reads the history events with ids above `afterEventId`, oldest first, following `nextToken`
 * through every page. `resumeToken` is the token of the page the previous read ended on (undefined:
 * from the first page), so a poll reads only the newest page(s); the returned `resumeToken` is the
 * one to pass next time. A token Step Functions no longer accepts (InvalidToken: they expire after
 * 24 hours) makes one fresh read from the first page.
 * @throws the SDK's error for any other failure.
 */
export async function readNewEvents(
  sfn: SFNClient,
  executionArn: string,
  afterEventId: number,
  resumeToken?: string,
  pageSize = HISTORY_PAGE_SIZE,
): Promise<{ events: HistoryEvent[]; resumeToken?: string }> {
  let token = resumeToken;
  let restarted = false;
  let events: HistoryEvent[] = [];
  for (;;) {
    let page;
    try {
      page = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: pageSize, reverseOrder: false, ...(token ? { nextToken: token } : {}) }),
      );
    } catch (error) {
      if (awsErrorName(error) === "InvalidToken" && token !== undefined && !restarted) {
        restarted = true;
        token = undefined;
        events = [];
        continue;
      }
      throw error;
    }
    events.push(...(page?.events ?? []).filter((event) => (event.id ?? 0) > afterEventId));
    if (!page?.nextToken) return { events, ...(token ? { resumeToken: token } : {}) };
    token = page.nextToken;
  }
}

/** What following needs. Times: `pollSeconds` in seconds, `sleep` in milliseconds. */
export interface FollowOptions {
  sfn: SFNClient;
  executionArn: string;
  /** For error messages. */
  region: string;
  pollSeconds: number;
  sleep: (milliseconds: number) => Promise<void>;
  now: () => Date;
  output: Output;
  /** Top-level steps of the expected path (`plan.ts` `topLevelSteps`): the indicator shows "step k of n". */
  expectedSteps?: readonly string[];
  /** GetExecutionHistory page size (default 1000). */
  pageSize?: number;
  /** Polls in a row that may fail (throttling, network) before following gives up (default 5). */
  maxFailedPolls?: number;
}

/** The outcome of a followed execution, its history and timeline. */
export interface FollowResult extends ExecutionOutcome {
  history: ExecutionHistory;
  timeline: TimelineRow[];
}

/** The progress indicator: `[RUNNING +05:12] step 6 of 15: Recover › Promotion (check 4)`. */
export function progressText(history: ExecutionHistory, now: Date, expectedSteps: readonly string[] = []): string {
  const { top, inner } = history.current();
  const elapsed = formatElapsed(now.getTime() - history.startDate.getTime());
  const index = top ? expectedSteps.indexOf(top.step) : -1;
  const position = index >= 0 ? `step ${index + 1} of ${expectedSteps.length}` : "step";
  const innerText = inner && inner !== top ? ` › ${inner.step}` : "";
  const checks = inner && inner.step !== inner.name ? ` (check ${Math.max(1, history.checks(inner.step, inner.parent))})` : "";
  return `[RUNNING ${elapsed}] ${position}: ${top?.step ?? "starting"}${innerText}${checks}`;
}

/**
 * Polls the execution until it is no longer RUNNING, printing progress lines as events arrive and
 * the progress indicator after each poll, sleeping `pollSeconds` between polls.
 * @throws RunbookError (exit 1) for missing or rejected credentials, AccessDenied (names
 * states:DescribeExecution and states:GetExecutionHistory), or `maxFailedPolls` failed polls in a
 * row; the execution itself keeps running in every case.
 */
export async function followExecution(options: FollowOptions): Promise<FollowResult> {
  const { sfn, executionArn, output } = options;
  const maxFailedPolls = options.maxFailedPolls ?? 5;
  let history: ExecutionHistory | undefined;
  let resumeToken: string | undefined;
  let failedPolls = 0;
  for (;;) {
    let description: DescribeExecutionCommandOutput | undefined;
    let lines: string[];
    try {
      description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (!description?.status) throw new Error("DescribeExecution returned no status");
      history ??= new ExecutionHistory(description.startDate ?? options.now());
      const read = await readNewEvents(sfn, executionArn, history.lastEventId, resumeToken, options.pageSize);
      resumeToken = read.resumeToken;
      lines = history.add(read.events);
      failedPolls = 0;
    } catch (error) {
      if (isCredentialsError(error) || isAccessDenied(error)) {
        const explained = explainAwsError(error, {
          action: "states:DescribeExecution and states:GetExecutionHistory",
          resource: executionArn,
          region: options.region,
        });
        throw new RunbookError(`${explained.message}\nThe execution keeps running: ${executionArn}`);
      }
      failedPolls += 1;
      const reason = `${awsErrorName(error) ?? "Error"}: ${(error as Error).message}`;
      if (failedPolls >= maxFailedPolls) {
        throw new RunbookError(`Lost track of the execution after ${failedPolls} failed polls (${reason}); it keeps running: ${executionArn}`);
      }
      output.error(`Poll ${failedPolls} of ${maxFailedPolls} failed (${reason}); retrying in ${options.pollSeconds} s`);
      await options.sleep(options.pollSeconds * 1000);
      continue;
    }
    for (const line of lines) output.line(line);
    if (!ACTIVE.has(description.status!)) {
      const startDate = history.startDate;
      const stopDate = description.stopDate ?? options.now();
      return {
        status: description.status!,
        startDate,
        stopDate,
        ...(description.error ? { error: description.error } : {}),
        ...(description.cause ? { cause: description.cause } : {}),
        history,
        timeline: buildTimeline(history.visits, startDate, stopDate),
      };
    }
    output.progress(progressText(history, options.now(), options.expectedSteps));
    await options.sleep(options.pollSeconds * 1000);
  }
}
