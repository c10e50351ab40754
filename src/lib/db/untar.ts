/**
 * Reads tar files (ustar: regular files and folders, as PGlite's `dumpDataDir` writes them):
 * extracted into a folder through one 1 MB buffer (a 40 MB dump costs neither a heap of its size
 * nor a copy per file, and nothing of it stays in the process's memory afterwards), or, held in
 * memory, listed as views of its bytes.
 */
import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';

const BLOCK = 512;
const CHUNK = 1 << 20;

interface Entry {
  name: string;
  mode: number;
  size: number;
  type: 'file' | 'folder' | 'other';
}

export interface ExtractOptions {
  /** files written after all others (paths inside the tar, without a leading slash) */
  last?: readonly string[];
  /** bits of each stored mode that are kept (and then the process's umask applies); default 0o777 */
  mask?: number;
}

/**
 * Writes every file and folder of the tar at `file` under `folder` (created if missing). The
 * files named in `last` are written after all others, so a reader that checks for one of them
 * (a cluster's PG_VERSION) never sees an extraction cut short as a finished one.
 */
export function extractTar(file: string, folder: string, options: ExtractOptions = {}): void {
  const { last = [], mask = 0o777 } = options;
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const deferred: { path: string; mode: number; data: Buffer }[] = [];
  let offset = 0;
  const read = (length: number): Buffer => {
    const n = readSync(fd, buffer, 0, length, offset);
    if (n !== length) throw new Error(`${file}: unexpected end of the tar file at byte ${offset + n}`);
    offset += length;
    return buffer.subarray(0, length);
  };
  try {
    mkdirSync(folder, { recursive: true, mode: 0o777 & mask });
    for (;;) {
      const entry = parseHeader(read(BLOCK), file, offset - BLOCK);
      if (!entry) break;
      const target = inside(folder, entry.name, file);
      const padded = Math.ceil(entry.size / BLOCK) * BLOCK;
      const copy = (write: (chunk: Buffer) => void) => {
        for (let left = entry.size; left > 0; ) {
          const n = Math.min(left, CHUNK);
          write(read(n));
          left -= n;
        }
        offset += padded - entry.size;
      };
      if (entry.type === 'folder') {
        mkdirSync(target, { recursive: true, mode: entry.mode & mask });
      } else if (entry.type === 'file' && last.includes(entry.name.replace(/^\/+/, ''))) {
        const chunks: Buffer[] = [];
        copy((chunk) => chunks.push(Buffer.from(chunk)));
        deferred.push({ path: target, mode: entry.mode & mask, data: Buffer.concat(chunks) });
        continue;
      } else if (entry.type === 'file') {
        mkdirSync(dirname(target), { recursive: true, mode: 0o777 & mask });
        const out = openSync(target, 'w', entry.mode & mask);
        try {
          copy((chunk) => {
            for (let done = 0; done < chunk.length; ) done += writeSync(out, chunk, done);
          });
        } finally {
          closeSync(out);
        }
        continue;
      }
      offset += padded;
    }
    for (const d of deferred) writeFileSync(d.path, d.data, { mode: d.mode });
  } finally {
    closeSync(fd);
  }
}

/** A file or folder of a tar held in memory; a file's `data` is a view of the tar's own bytes. */
export interface TarEntry {
  /** relative to the tar's root, without a leading slash */
  name: string;
  mode: number;
  type: 'file' | 'folder' | 'other';
  data: Uint8Array;
}

/** The entries of a tar held in memory, without copying any file's bytes. */
export function* tarEntries(bytes: Uint8Array, file: string): Generator<TarEntry> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; ; ) {
    if (offset + BLOCK > buffer.length) throw new Error(`${file}: unexpected end of the tar file at byte ${buffer.length}`);
    const entry = parseHeader(buffer.subarray(offset, offset + BLOCK), file, offset);
    if (!entry) return;
    offset += BLOCK;
    if (offset + entry.size > buffer.length) throw new Error(`${file}: unexpected end of the tar file at byte ${buffer.length}`);
    yield { name: entry.name.replace(/^\/+/, ''), mode: entry.mode, type: entry.type, data: bytes.subarray(offset, offset + entry.size) };
    offset += Math.ceil(entry.size / BLOCK) * BLOCK;
  }
}

/** One 512-byte header; undefined at the end (a block of zeros). */
function parseHeader(block: Buffer, file: string, at: number): Entry | undefined {
  if (block.every((b) => b === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (sum !== octal(block, 148, 8)) throw new Error(`${file}: not a tar file (bad header checksum at byte ${at})`);
  const name = text(block, 0, 100);
  const prefix = block.toString('latin1', 257, 262) === 'ustar' ? text(block, 345, 155) : '';
  const flag = String.fromCharCode(block[156]!);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: octal(block, 100, 8) & 0o777,
    size: octal(block, 124, 12),
    type: flag === '0' || flag === '\0' ? 'file' : flag === '5' ? 'folder' : 'other',
  };
}

function text(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function octal(block: Buffer, start: number, length: number): number {
  const digits = text(block, start, length).trim();
  return digits === '' ? 0 : parseInt(digits, 8);
}

/** The path of `name` under `folder`; a name that would leave it is refused. */
function inside(folder: string, name: string, file: string): string {
  const target = resolve(folder, name.replace(/^\/+/, ''));
  const rel = relative(resolve(folder), target);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${file}: entry ${JSON.stringify(name)} is outside the folder`);
  return rel === '' ? resolve(folder) : join(resolve(folder), rel);
}
