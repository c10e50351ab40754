import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) {
    const v = Number(process.argv[i + 1]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${process.argv[i + 1]}`);
    return v;
  }
  return fallback;
}

export const now = (): number => performance.timeOrigin + performance.now();

/**
 * CPU time used so far by this process (every thread) and by the local Postgres server's
 * processes, in ms; `postgres` is null when /proc does not show them (another host, not Linux).
 * Both sides of a timing share 2 cores here, so where the CPU went says more than wall time.
 */
export function cpuSnapshot(): { node: number; postgres: number | null } {
  const usage = process.cpuUsage();
  return { node: (usage.user + usage.system) / 1000, postgres: postgresCpuMs() };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function postgresCpuMs(): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let ticks = 0;
  let seen = false;
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    seen = true;
  }
  return seen ? ticks * TICK_MS : null;
}

export function cpuSince(start: { node: number; postgres: number | null }): { node: number; postgres: number | null } {
  const end = cpuSnapshot();
  return { node: end.node - start.node, postgres: start.postgres === null || end.postgres === null ? null : end.postgres - start.postgres };
}

/**
 * KiB this machine has read from its block devices since boot (/proc/vmstat pgpgin), or null
 * off Linux: a read the OS page cache did not hold. Machine-wide, like the load it measures.
 */
export function diskReadKb(): number | null {
  try {
    const line = readFileSync('/proc/vmstat', 'utf8').split('\n').find((l) => l.startsWith('pgpgin '));
    return line ? Number(line.slice(7)) : null;
  } catch {
    return null;
  }
}

/** CPU ms (utime + stime) of each of these processes so far; a process gone is left out. */
export function processCpuMs(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // exited
    }
  }
  return out;
}

/**
 * The local ports of this process's TCP connections to `remotePort` (its sockets in
 * /proc/self/fd matched to /proc/self/net/tcp{,6}): the client_port Postgres shows for each of
 * our connections in pg_stat_activity, so that only our backends are counted on a shared server.
 */
export function ownConnectionPorts(remotePort: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      if (link.startsWith('socket:[')) inodes.add(link.slice(8, -1));
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]!)) continue;
      if (parseInt(f[2]!.split(':')[1]!, 16) === remotePort) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}
