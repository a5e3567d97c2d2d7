/**
 * Where the runbook writes, and how it writes times. The CLI writes lines to stdout, errors to
 * stderr and a one-line progress indicator that a terminal redraws in place; tests collect all three.
 */

/** The runbook's output sink. */
export interface Output {
  /** One line of the report (stdout). */
  line(text: string): void;
  /** One line of an error or warning (stderr). */
  error(text: string): void;
  /** The progress indicator: replaces the previous one on a terminal, ignored elsewhere (logs stay clean). */
  progress(text: string): void;
}

/** An `Output` that keeps everything it is given, for tests. */
export interface CollectedOutput extends Output {
  lines: string[];
  errors: string[];
  progressLines: string[];
  /** Lines and errors in the order they were written, joined with newlines. */
  text(): string;
}

/** A fresh collecting sink. */
export function collectOutput(): CollectedOutput {
  const all: string[] = [];
  const collected: CollectedOutput = {
    lines: [],
    errors: [],
    progressLines: [],
    line: (text) => {
      collected.lines.push(text);
      all.push(text);
    },
    error: (text) => {
      collected.errors.push(text);
      all.push(text);
    },
    progress: (text) => {
      collected.progressLines.push(text);
    },
    text: () => all.join("\n"),
  };
  return collected;
}

/**
 * The console sink: lines to `stdout`, errors and the progress indicator to `stderr`. The progress
 * indicator is drawn only when stderr is a terminal, and cleared before the next line is written.
 */
export function consoleOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) stderr.write("\r\x1b[2K");
    progressShown = false;
  };
  return {
    line: (text) => {
      clearProgress();
      stdout.write(`${text}\n`);
    },
    error: (text) => {
      clearProgress();
      stderr.write(`${text}\n`);
    },
    progress: (text) => {
      if (!stderr.isTTY) return;
      const width = stderr.columns && stderr.columns > 10 ? stderr.columns - 1 : 120;
      stderr.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      progressShown = true;
    },
  };
}

/** A duration in milliseconds as `mm:ss`, or `h:mm:ss` from one hour; negative durations count as 0. */
export function formatDuration(milliseconds: number): string {
  const total = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mmss = `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

/** Time since the execution started, milliseconds, as `+mm:ss` (`+h:mm:ss` from one hour). */
export function formatElapsed(milliseconds: number): string {
  return `+${formatDuration(milliseconds)}`;
}
