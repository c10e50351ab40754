/**
 * A read that several callers share: one answer per key (a database handle) serves every call
 * for `maxAgeMs`, and calls made while it is running wait for it rather than read again. A
 * failed read is not kept: the next call reads again. For answers that may lag their source by
 * that age: cities for searches, the cities view's counts.
 */
export interface KeptRead<K extends object, T> {
  /** The kept answer for `key`, or a new read when it is older than the age (or `fresh`). */
  get(key: K, options?: { fresh?: boolean }): Promise<T>;
  /** Forgets `key`'s answer: the next call reads again (after a write through that key). */
  drop(key: K): void;
}

export function keptRead<K extends object, T>(read: (key: K) => Promise<T>, maxAgeMs: number): KeptRead<K, T> {
  const kept = new WeakMap<K, { until: number; answer: Promise<T> }>();
  return {
    get(key, options = {}) {
      const now = Date.now();
      const entry = kept.get(key);
      if (entry && !options.fresh && entry.until > now) return entry.answer;
      const answer = read(key);
      kept.set(key, { until: now + maxAgeMs, answer });
      answer.catch(() => {
        if (kept.get(key)?.answer === answer) kept.delete(key);
      });
      return answer;
    },
    drop(key) {
      kept.delete(key);
    },
  };
}
