/** `scenescout status`: the system at a glance. */
import type { Command } from 'commander';
import type { SystemStatus } from '../../contracts/status.js';
import { contextOf, print, printJson } from '../context.js';
import { bytes, counts, duration, table } from '../format.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show workers, task counts, rates and provider budgets')
    .action(async (_opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const status = await ctx.api.get<SystemStatus>('/api/spawn', { action: 'status' });
      if (ctx.json) return printJson(ctx.io, status);
      print(ctx.io, renderStatus(status, ctx.url));
    });
}

export function renderStatus(s: SystemStatus, url: string): string {
  const t = s.tasks;
  return [
    `SceneScout at ${url} (replica ${s.replicaId}, ${s.database})`,
    '',
    `Workers: ${s.workers.total}`,
    `  by type:    ${counts(s.workers.byType)}`,
    `  by status:  ${counts(s.workers.byStatus)}`,
    '',
    'Tasks:',
    `  queued ${t.queued}  active ${t.active}  completed ${t.completed}  failed ${t.failed}  avg time ${duration(t.averageCompletionTime || null)}`,
    '',
    'Rates (last hour):',
    `  discovered ${s.performance.eventDiscoveryRate} events, ingested ${s.performance.ingestionRate} events`,
    `  cpu ${s.performance.cpuUsage}%  memory ${bytes(s.performance.memoryUsage)}  event-loop lag ${s.performance.eventLoopLagMs} ms`,
    '',
    'Provider budgets (today):',
    indent(
      table(s.providers, [
        { header: 'source', value: (p) => p.source },
        { header: 'enabled', value: (p) => (p.enabled ? 'yes' : 'no') },
        { header: 'used', value: (p) => p.used, align: 'right' },
        { header: 'budget', value: (p) => p.budget, align: 'right' },
        { header: 'remaining', value: (p) => p.remaining, align: 'right' },
      ]),
    ),
  ].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
