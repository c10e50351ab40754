/**
 * Scratch servers for the fault suite, never the machine's shared ones: a Postgres cluster made
 * with `initdb` in a temporary folder on a free port, and a `redis-server` on a free port. Both
 * listen on 127.0.0.1 only and are stopped by pid. As root, Postgres runs as the `postgres` user.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const latest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!latest) throw new Error('no Postgres server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  return path.join(root, latest, 'bin');
}

export interface ScratchPostgres {
  url: string;
  port: number;
  /** the postmaster's pid, read from its pid file */
  pid(): number;
  /** stops it (fast: sessions are ended) and starts it again on the same port */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = postgresBin();
  const dir = await mkdtemp(path.join(tmpdir(), 'scenescout-fault-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args));
  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = () => pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  await start();
  const pid = () => Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    pid,
    async restart() {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        process.kill(pid(), 'SIGQUIT'); // immediate shutdown of this cluster's postmaster
        for (let i = 0; i < 100 && existsSync(path.join(data, 'postmaster.pid')); i++) await new Promise((r) => setTimeout(r, 100));
      } catch {
        // already gone
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ScratchRedis {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startScratchRedis(port?: number): Promise<ScratchRedis> {
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('scratch redis-server did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`scratch redis-server exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(child.pid!, 'SIGKILL');
      await gone;
    },
  };
}
