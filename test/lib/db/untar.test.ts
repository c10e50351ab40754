/** Tar files extracted without PGlite (src/lib/db/untar.ts), as a new data folder gets its cluster. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { emptyClusterPath } from '../../../src/lib/db/empty-cluster.js';
import { extractTar, tarEntries } from '../../../src/lib/db/untar.js';
import { seedDataDir } from '../../helpers/db.js';

/** One ustar header followed by the data padded to whole blocks. */
function entry(name: string, data: Buffer | null, mode = 0o600): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  header.write(`${(data?.length ?? 0).toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write(data ? '0' : '5', 156);
  header.write('ustar\x0000', 257, 'latin1');
  header.fill(32, 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const padded = Buffer.alloc(Math.ceil((data?.length ?? 0) / 512) * 512);
  data?.copy(padded);
  return Buffer.concat([header, padded]);
}

function files(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? [`${join(dir, d.name).slice(root.length)}/`, ...files(root, join(dir, d.name))] : [join(dir, d.name).slice(root.length)],
  ).sort();
}

describe('extractTar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenescout-untar-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same files and bytes as tar does from the kept dump of an empty cluster, the owner\'s only', async () => {
    // seedDataDir extracts with extractTar; tar(1) gives the reference, as it extracts for an
    // ordinary user: modes under the process's umask (as root it would keep them as stored,
    // and a dump made through PGlite's in-memory file system stores files as 0666).
    const ours = join(dir, 'ours');
    await seedDataDir(ours);
    const theirs = join(dir, 'theirs');
    execFileSync('mkdir', ['-p', theirs]);
    execFileSync('tar', ['--no-same-permissions', '-xf', emptyClusterPath(), '-C', theirs], { stdio: ['ignore', 'ignore', 'pipe'] });
    const list = files(theirs);
    assert.ok(list.includes('/PG_VERSION') && list.includes('/base/'), list.slice(0, 10).join(' '));
    assert.deepEqual(files(ours), list);
    assert.equal(statSync(ours).mode & 0o777, 0o700, 'a new data folder is the owner\'s only');
    for (const f of list.filter((f) => !f.endsWith('/'))) {
      assert.ok(readFileSync(join(ours, f)).equals(readFileSync(join(theirs, f))), f);
      // A cluster's files are the owner's only (extractEmptyCluster's mask).
      assert.equal(statSync(join(ours, f)).mode & 0o777, statSync(join(theirs, f)).mode & 0o700, f);
    }
  });

  it('copies files larger than its buffer, keeps modes, and writes the files named last after the others', () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 1);
    big.write('the end', big.length - 7);
    const tar = join(dir, 'made.tar');
    writeFileSync(tar, Buffer.concat([entry('/sub', null, 0o700), entry('/PG_VERSION', Buffer.from('17\n')), entry('/sub/big', big, 0o640), Buffer.alloc(1024)]));
    const out = join(dir, 'made');
    extractTar(tar, out, { last: ['PG_VERSION'] });
    assert.deepEqual(files(out), ['/PG_VERSION', '/sub/', '/sub/big']);
    assert.ok(readFileSync(join(out, 'sub/big')).equals(big));
    assert.equal(statSync(join(out, 'sub/big')).mode & 0o777, 0o640);
    assert.equal(readFileSync(join(out, 'PG_VERSION'), 'utf8'), '17\n');
    assert.ok(statSync(join(out, 'PG_VERSION')).mtimeMs >= statSync(join(out, 'sub/big')).mtimeMs, 'PG_VERSION written last');
  });

  it('lists a tar held in memory as views of its bytes', () => {
    const bytes = Buffer.concat([entry('/sub', null, 0o700), entry('/sub/f', Buffer.from('hello')), Buffer.alloc(1024)]);
    const entries = [...tarEntries(bytes, 'in memory')];
    assert.deepEqual(entries.map((e) => [e.name, e.type, e.mode, Buffer.from(e.data).toString()]), [['sub', 'folder', 0o700, ''], ['sub/f', 'file', 0o600, 'hello']]);
    assert.equal(entries[1]!.data.buffer, bytes.buffer, 'not a copy');
    assert.throws(() => [...tarEntries(bytes.subarray(0, 700), 'cut')], /unexpected end of the tar file/);
  });

  it('refuses an entry outside the folder, a bad header and a cut-short file', () => {
    const escape = join(dir, 'escape.tar');
    writeFileSync(escape, Buffer.concat([entry('../outside', Buffer.from('x')), Buffer.alloc(1024)]));
    assert.throws(() => extractTar(escape, join(dir, 'e')), /is outside the folder/);
    const notTar = join(dir, 'not.tar');
    writeFileSync(notTar, Buffer.alloc(512, 7));
    assert.throws(() => extractTar(notTar, join(dir, 'n')), /not a tar file/);
    const short = join(dir, 'short.tar');
    writeFileSync(short, entry('/f', Buffer.alloc(2000, 1)).subarray(0, 1024));
    assert.throws(() => extractTar(short, join(dir, 's')), /unexpected end of the tar file/);
  });
});
