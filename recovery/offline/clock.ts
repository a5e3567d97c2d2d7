/**
 * A virtual clock for running Step Functions definitions offline in simulated time.
 *
 * aws-local-stepfunctions sleeps with the global `setTimeout` (Wait states, Retry intervals, Task
 * and execution timeouts) and stamps its events with `Date.now()`. While `drive()` runs, this
 * clock replaces `setTimeout`, `clearTimeout` and `Date` with virtual ones and works as a
 * discrete-event scheduler: it lets every pending microtask settle (one real `setImmediate` hop:
 * Node drains the microtask queue before any macrotask), then jumps to the earliest virtual timer
 * and fires it. Simulated time therefore advances exactly by the durations the definition declares
 * (a Wait of 30 s is 30 simulated seconds, a Retry backoff of 60 s is 60), Parallel branches
 * overlap in simulated time because their timers share one queue, and a whole hour of simulated
 * time runs in milliseconds, deterministically (timers due at the same instant fire in the order
 * they were set).
 *
 * Only one drive can run at a time in a process (the globals are shared): concurrent calls queue.
 * Code that must not be affected (mocha's own timeouts) keeps working because it holds references
 * to the real functions taken at load time.
 */

/** 2025-01-06T09:00:00Z, a Monday morning on a whole minute: the default origin of simulated time. */
export const DEFAULT_EPOCH = "2025-01-06T09:00:00.000Z";

interface Timer {
  id: number;
  at: number;
  sequence: number;
  callback: (...args: unknown[]) => void;
  args: unknown[];
}

/** What `setTimeout` returns while the clock is installed; enough of Node's `Timeout` for the library. */
class VirtualTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  refresh(): this {
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

const realSetImmediate = setImmediate;
const RealDate = Date;
let driveQueue: Promise<unknown> = Promise.resolve();

/** Thrown when the definition waits on nothing (no timer pending, execution not settled) or runs past the limit. */
export class SimulationError extends Error {
  override name = "SimulationError";
}

export class VirtualClock {
  private nowMilliseconds: number;
  private readonly epochMilliseconds: number;
  private timers: Timer[] = [];
  private sequence = 0;
  private nextId = 1;

  /** @param epoch ISO 8601 time of simulated second 0. */
  constructor(epoch: string = DEFAULT_EPOCH) {
    this.epochMilliseconds = RealDate.parse(epoch);
    if (Number.isNaN(this.epochMilliseconds)) throw new RangeError(`VirtualClock: invalid epoch ${epoch}`);
    this.nowMilliseconds = this.epochMilliseconds;
  }

  /** Simulated seconds since the epoch (negative before it). */
  get seconds(): number {
    return (this.nowMilliseconds - this.epochMilliseconds) / 1000;
  }

  /** Simulated wall-clock time in milliseconds since 1970 (what `Date.now()` returns while driving). */
  get epochNow(): number {
    return this.nowMilliseconds;
  }

  /** ISO 8601 of simulated second `seconds` (default: now). */
  iso(seconds: number = this.seconds): string {
    return new RealDate(this.epochMilliseconds + Math.round(seconds * 1000)).toISOString();
  }

  /** Simulated seconds of an ISO 8601 time or an epoch-milliseconds timestamp. */
  secondsOf(time: string | number): number {
    const milliseconds = typeof time === "number" ? time : RealDate.parse(time);
    return (milliseconds - this.epochMilliseconds) / 1000;
  }

  /** Jumps to `seconds` while nothing is scheduled (between executions). @throws if a timer is pending or time would go back. */
  advanceTo(seconds: number): void {
    if (this.timers.length > 0) throw new SimulationError(`VirtualClock: cannot jump to ${seconds} s with ${this.timers.length} timers pending`);
    if (seconds < this.seconds) throw new SimulationError(`VirtualClock: cannot go back from ${this.seconds} s to ${seconds} s`);
    this.nowMilliseconds = this.epochMilliseconds + Math.round(seconds * 1000);
  }

  /** A promise resolved after `seconds` of simulated time (only advances inside `drive`). */
  sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      this.schedule(() => resolve(), Math.max(0, seconds * 1000), []);
    });
  }

  /**
   * Runs `start()` (which may start executions, schedule timers and await them) with the virtual
   * globals installed, firing timers in order until the promise it returns settles.
   * @param limitSeconds give up (SimulationError) when the next timer is due after this simulated second.
   */
  drive<T>(start: () => Promise<T>, limitSeconds: number): Promise<T> {
    const run = driveQueue.then(() => this.driveNow(start, limitSeconds));
    driveQueue = run.catch(() => undefined);
    return run;
  }

  private async driveNow<T>(start: () => Promise<T>, limitSeconds: number): Promise<T> {
    const restore = this.install();
    try {
      let settled = false;
      const work = start().finally(() => {
        settled = true;
      });
      work.catch(() => undefined);
      for (;;) {
        await hop();
        if (settled) break;
        let next = this.takeNext();
        if (!next) {
          // Belt and braces: give chains of promises a few more turns before calling it a deadlock.
          for (let turn = 0; turn < 3 && !next && !settled; turn++) {
            await hop();
            next = settled ? undefined : this.takeNext();
          }
          if (settled) break;
          if (!next) throw new SimulationError(`the execution waits on nothing at simulated second ${this.seconds}: no timer pending and not finished`);
        }
        if (next.at > this.epochMilliseconds + limitSeconds * 1000) {
          throw new SimulationError(
            `simulation limit of ${limitSeconds} s reached at ${this.seconds} s (next timer at ${(next.at - this.epochMilliseconds) / 1000} s)`,
          );
        }
        this.nowMilliseconds = Math.max(this.nowMilliseconds, next.at);
        next.callback(...next.args);
      }
      return await work;
    } finally {
      restore();
      this.timers = [];
    }
  }

  private schedule(callback: (...args: unknown[]) => void, delayMilliseconds: number, args: unknown[]): VirtualTimeout {
    const delay = Number.isFinite(delayMilliseconds) && delayMilliseconds > 0 ? delayMilliseconds : 0;
    const timer: Timer = { id: this.nextId++, at: this.nowMilliseconds + delay, sequence: this.sequence++, callback, args };
    this.timers.push(timer);
    return new VirtualTimeout(timer.id);
  }

  private cancel(handle: unknown): void {
    const id = handle instanceof VirtualTimeout ? handle.id : typeof handle === "number" ? handle : undefined;
    if (id !== undefined) this.timers = this.timers.filter((timer) => timer.id !== id);
  }

  private takeNext(): Timer | undefined {
    if (this.timers.length === 0) return undefined;
    let best = 0;
    for (let index = 1; index < this.timers.length; index++) {
      const timer = this.timers[index];
      const current = this.timers[best];
      if (timer.at < current.at || (timer.at === current.at && timer.sequence < current.sequence)) best = index;
    }
    return this.timers.splice(best, 1)[0];
  }

  /** Replaces the globals; returns the function that puts the real ones back. */
  private install(): () => void {
    const saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, Date: globalThis.Date };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const clock = this;
    const VirtualDate = class extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(clock.nowMilliseconds);
        else super(...(args as [number, number, number, number, number, number, number]));
      }
      static now(): number {
        return clock.nowMilliseconds;
      }
    };
    globalThis.setTimeout = ((callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
      this.schedule(callback, delay ?? 0, args)) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((handle: unknown) => this.cancel(handle)) as typeof clearTimeout;
    globalThis.Date = VirtualDate as DateConstructor;
    return () => {
      globalThis.setTimeout = saved.setTimeout;
      globalThis.clearTimeout = saved.clearTimeout;
      globalThis.Date = saved.Date;
    };
  }
}

/** One real macrotask turn: every queued microtask has run when it resolves. */
function hop(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}
