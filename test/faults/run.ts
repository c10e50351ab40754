/**
 * The fault suite: runs every scenario in this folder (`*.fault.js`, one default-exported
 * FaultScenario or an array of them) one after another, prints each one's figures, and ends
 * with one JSON line `{ ok, scenarios: { name: figures | { error } } }`. Exits 1 when any failed.
 * `--only a,b` runs the named scenarios.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FaultScenario, Figures } from './scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);

const scenarios: FaultScenario[] = [];
for (const file of (await readdir(here)).filter((f) => f.endsWith('.fault.js')).sort()) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: FaultScenario | FaultScenario[] };
  scenarios.push(...[mod.default].flat());
}
const selected = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
if (only && selected.length !== only.length) {
  const known = scenarios.map((s) => s.name);
  console.error(`unknown scenario(s): ${only.filter((n) => !known.includes(n)).join(', ')}; known: ${known.join(', ')}`);
  process.exit(2);
}

const results: Record<string, Figures | { error: string }> = {};
let ok = true;
for (const s of selected) {
  const started = performance.now();
  process.stdout.write(`== ${s.name}\n`);
  try {
    const figures = await s.run();
    figures.seconds = Math.round((performance.now() - started) / 100) / 10;
    results[s.name] = figures;
    process.stdout.write(`   ok ${JSON.stringify(figures)}\n`);
  } catch (err) {
    ok = false;
    const error = err instanceof Error ? err.message : String(err);
    results[s.name] = { error };
    process.stdout.write(`   FAILED ${error}\n`);
  }
}
console.log(JSON.stringify({ ok, scenarios: results }));
process.exit(ok ? 0 : 1);
