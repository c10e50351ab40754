/**
 * A replica's memory budget (src/config/memory-budget.ts) against the memory the deploy files
 * give its pod: the default configuration, with the manifest's own environment entries, must fit
 * deploy/k8s/deployment.yaml's memory limit with headroom, and the README must state that budget.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadSpawnConfig, memoryBudget, parseMemoryLimit, type MemoryBudget } from '../../src/config/index.js';
import { packageRoot } from '../../src/lib/paths.js';

/** Share of the pod limit the budget may take: the rest is for what no cap bounds (allocator slack, native buffers). */
const MAX_SHARE = 0.9;

interface Container {
  name: string;
  resources: { limits: { memory: string } };
  env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
}

function manifestContainer(): Container {
  const text = readFileSync(path.join(packageRoot(), 'deploy/k8s/deployment.yaml'), 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } });
  const deployment = docs.find((d) => d.kind === 'Deployment');
  const container = deployment?.spec?.template?.spec?.containers?.find((c) => c.name === 'spawn-controller');
  assert.ok(container, 'deployment.yaml has a Deployment with a spawn-controller container');
  return container;
}

/** A Kubernetes memory quantity (`2Gi`, `1536Mi`, `2G`, bytes) in MiB. */
function quantityMb(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q.trim());
  assert.ok(m, `a memory quantity: ${q}`);
  const factor: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return (Number(m[1]) * (m[2] ? factor[m[2]]! : 1)) / 1024 ** 2;
}

/** The manifest's environment: its literal values, and a Postgres URL where DATABASE_URL comes from a secret. */
function manifestEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.name === 'DATABASE_URL') env[e.name] = 'postgres://secret@db/scenescout';
  }
  return env;
}

const show = (b: MemoryBudget) => b.lines.map((l) => `${l.part}: ${l.count} × ${l.eachMb} MB`).join(', ');

test('quantities and memory limits parse as Kubernetes and the config write them', () => {
  assert.equal(quantityMb('2Gi'), 2048);
  assert.equal(quantityMb('1536Mi'), 1536);
  assert.equal(Math.round(quantityMb('2G')), 1907);
  assert.equal(parseMemoryLimit('1.5GB'), 1536);
  assert.equal(parseMemoryLimit('256MB'), 256);
});

test('the default configuration fits the pod memory limit in deploy/k8s/deployment.yaml with headroom', () => {
  const c = manifestContainer();
  const limitMb = quantityMb(c.resources.limits.memory);
  const config = loadSpawnConfig(manifestEnv(c));
  assert.ok(config.databaseUrl, 'the pods run on Postgres');
  const budget = memoryBudget(config);
  assert.ok(
    budget.totalMb <= limitMb * MAX_SHARE,
    `budget ${budget.totalMb} MB > ${MAX_SHARE * 100}% of the pod limit ${limitMb} MB (${show(budget)})`,
  );
});

test('the budget counts every thread at its caps, and one body per discovery thread', () => {
  const c = manifestContainer();
  const limitMb = quantityMb(c.resources.limits.memory);
  const base = loadSpawnConfig(manifestEnv(c));
  // The defaults before the budget: five ingestion threads under a 2 GB cap alone exceed any pod we ship.
  const old = memoryBudget({ ...base, workerTypes: { ...base.workerTypes, ingestion: { maxConcurrency: 5, memoryLimit: '2GB', cpuLimit: 0.3, youngGenerationMb: 192 } } });
  assert.ok(old.totalMb > limitMb, `the old ingestion caps (${old.totalMb} MB) do not fit ${limitMb} MB`);
  const ingestion = old.lines.find((l) => l.part === 'ingestion threads')!;
  assert.equal(ingestion.count, 5);
  assert.equal(ingestion.eachMb, 2048 + 192 + 16);
  // SPAWN_MAX_WORKERS bounds the threads: the costliest ones are counted first.
  const one = memoryBudget({ ...base, maxWorkers: 1 });
  assert.equal(one.lines.filter((l) => l.part.endsWith('threads')).reduce((n, l) => n + l.count, 0), 1);
  // Larger bodies, larger budget.
  const bodies = (b: MemoryBudget) => b.lines.find((l) => l.part === 'discovery bodies')!;
  const bigger = memoryBudget(loadSpawnConfig({ ...manifestEnv(c), SCENESCOUT_FEED_MAX_MB: '200' }));
  assert.equal(bodies(bigger).eachMb, 200);
  assert.equal(bodies(bigger).count, base.workerTypes.discovery!.maxConcurrency);
  // The embedded database is counted only without DATABASE_URL.
  assert.ok(memoryBudget({ ...base, databaseUrl: undefined }).lines.some((l) => l.part.startsWith('embedded database')));
  assert.ok(!memoryBudget(base).lines.some((l) => l.part.startsWith('embedded database')));
});

test("the README states the pods' budget as memoryBudget computes it", () => {
  const c = manifestContainer();
  const budget = memoryBudget(loadSpawnConfig(manifestEnv(c)));
  const readme = readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
  for (const l of budget.lines) {
    assert.match(readme, new RegExp(`\\| ${l.part} \\| ${l.count} \\| ${l.eachMb} MB \\| ${l.totalMb} MB \\|`), `README budget row for ${l.part}`);
  }
  assert.match(readme, new RegExp(`\\| \\*\\*total\\*\\* \\| \\| \\| \\*\\*${budget.totalMb} MB\\*\\* \\|`), 'README budget total');
  assert.match(readme, new RegExp(`pod limit \\(\`${c.resources.limits.memory}\`\\)`), 'README names the pod limit');
});
