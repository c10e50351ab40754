/**
 * Long provider work (a 50 MB feed, a page of 100,000 events) runs on a worker thread that
 * must keep answering heartbeats: it gives the event loop a turn between slices of work.
 */

/** Lets timers, messages and I/O waiting behind the current work run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
