// Builds build/ for `npm test` by transpiling every .ts file of src/, test/ and bench/ on its own
// (types removed, nothing checked), in a second instead of tsc's half a minute. Type checking is
// `npm run typecheck`, which CI runs too. The output is what `tsc -p tsconfig.test.json` emits:
// ES2022 modules beside their source maps, the same paths under build/. Then it writes the
// entries `npm test` runs, build/test-groups/ (test/groups.mjs).
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { transformWithOxc } from 'vite';
import { writeTestGroups } from './groups.mjs';

const root = process.cwd();
const out = join(root, 'build');
const folders = ['src', 'test', 'bench'];

async function sources(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

await rm(out, { recursive: true, force: true });
const files = (await Promise.all(folders.map((f) => sources(join(root, f))))).flat();
await Promise.all(
  files.map(async (file) => {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    const result = await transformWithOxc(await readFile(file, 'utf8'), file, {
      lang: 'ts',
      target: 'es2022',
      sourcemap: true,
    });
    const map = { ...result.map, sources: [relative(dirname(target), file)], file: target.split('/').pop() };
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${result.code}\n//# sourceMappingURL=${map.file}.map\n`);
    await writeFile(`${target}.map`, JSON.stringify(map));
  }),
);
console.log(`transpiled ${files.length} files into build/, ${await writeTestGroups(root)} test entries into build/test-groups/`);
