/** Piscina's task for the in-memory ceiling: the same no-op. */
export default function noop(): { startedAt: number } {
  return { startedAt: performance.timeOrigin + performance.now() };
}
