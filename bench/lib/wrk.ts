/** Reads wrk's text report (run with --latency): throughput, latency percentiles in ms, and failures. */
export function parseWrk(out: string) {
  const unit = (v: string) => {
    const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
    if (!m) return NaN;
    const n = Number(m[1]);
    return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: unit(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: unit(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    /** wrk's "Socket errors: …" line, when it printed one. */
    errors: /Socket errors:[^\n]*/.exec(out)?.[0] ?? null,
  };
}
