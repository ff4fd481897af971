import type { Clock } from "../../core/clock.ts";
import { type CordonError, toCordonError } from "../../core/errors.ts";
import type { CordonEvent } from "../../core/event.ts";

/**
 * A vendor's event log read page by page after an opaque cursor (the Okta System Log's `after` token). The
 * poller never looks inside the cursor.
 */
export interface EventLogSource {
  /** The cursor's name in the cursor store; one per log read. */
  name: string;
  /**
   * One page after the cursor (null = start, where the source decides how far back that is). The returned cursor
   * is where the next read starts; null when the source gave none.
   */
  read(cursor: string | null, signal: AbortSignal): Promise<{ events: CordonEvent[]; cursor: string | null }>;
}

/** Where each log was read up to; the store's `cursors` table in production (decision 0010). */
export interface CursorStore {
  getCursor(name: string): Promise<string | null>;
  setCursor(name: string, value: string): Promise<void>;
}

export interface LogPollerOptions {
  source: EventLogSource;
  cursors: CursorStore;
  /** Takes the events of one page; the cursor moves past them only once this resolves. */
  accept: (events: CordonEvent[]) => Promise<void>;
  clock: Clock;
  /** The pause between polls. */
  intervalMs: number;
  /**
   * Pages one poll reads at most. Default 20: the Okta System Log allows 120 calls a minute per org
   * (developer.okta.com/docs/reference/rl-global-mgmt/ "/api/v1/logs"), so a poll a minute stays far inside it
   * even while catching up, and a backlog is worked off over several polls instead of in one burst.
   */
  maxPagesPerPoll?: number;
  /** Told of a failed read, accept or cursor write; the poll stops there and the cursor stays. Should not throw. */
  onError?: (error: CordonError) => void;
}

export interface PollResult {
  /** Events accepted by this poll. */
  events: number;
  /** Pages read (an empty last page included). */
  pages: number;
  /** Why the poll stopped early, if it did. */
  error?: CordonError;
}

const DEFAULT_MAX_PAGES = 20;

/**
 * Polls an event log: reads pages after the stored cursor until a page comes back empty (or the page bound is
 * reached), hands each page to `accept`, and stores the new cursor only after `accept` resolved. Delivery is
 * therefore at least once: a crash between the two, or a failing `accept`, re-reads the page next time, and
 * downstream dedupes by `CordonEvent.key`. A failed read or accept is reported and the cursor stays where it was,
 * so nothing is skipped. Polls never overlap, so the cursor only moves forward.
 */
export class LogPoller {
  readonly #options: LogPollerOptions;
  readonly #maxPages: number;
  #queue: Promise<unknown> = Promise.resolve();
  #loop: { controller: AbortController; done: Promise<void> } | null = null;

  constructor(options: LogPollerOptions) {
    this.#options = options;
    this.#maxPages = options.maxPagesPerPoll ?? DEFAULT_MAX_PAGES;
    if (!Number.isInteger(this.#maxPages) || this.#maxPages < 1) {
      throw new RangeError("maxPagesPerPoll must be a positive integer");
    }
  }

  /** One poll; waits for a poll already running. Never rejects: failures are in the result and `onError`. */
  pollOnce(signal?: AbortSignal): Promise<PollResult> {
    const run = this.#queue.then(() => this.#poll(signal ?? new AbortController().signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Polls now and then every `intervalMs` (measured from the end of a poll) until `stop()`. */
  start(): void {
    if (this.#loop) return;
    const controller = new AbortController();
    this.#loop = { controller, done: this.#run(controller.signal) };
  }

  /** Stops the loop, interrupting a read or a wait, and resolves once it has ended. */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    loop.controller.abort();
    await loop.done;
    this.#loop = null;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.pollOnce(signal);
      try {
        await this.#options.clock.sleep(this.#options.intervalMs, signal);
      } catch {
        return; // aborted by stop()
      }
    }
  }

  async #poll(signal: AbortSignal): Promise<PollResult> {
    const { source, cursors, accept } = this.#options;
    const result: PollResult = { events: 0, pages: 0 };
    try {
      let cursor = await cursors.getCursor(source.name);
      while (result.pages < this.#maxPages && !signal.aborted) {
        const page = await source.read(cursor, signal);
        result.pages += 1;
        if (page.events.length > 0) {
          await accept(page.events);
          result.events += page.events.length;
        }
        const moved = page.cursor !== null && page.cursor !== cursor;
        if (moved) {
          await cursors.setCursor(source.name, page.cursor as string);
          cursor = page.cursor;
        }
        // An empty page is the end of the log for now; a page that did not move the cursor cannot lead anywhere.
        if (page.events.length === 0 || !moved) break;
      }
    } catch (thrown) {
      if (signal.aborted) return result; // stopping is not a failure
      const error = toCordonError(thrown);
      result.error = error;
      try {
        this.#options.onError?.(error);
      } catch {
        // a failing reporter must not stop the poller
      }
    }
    return result;
  }
}
