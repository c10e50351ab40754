/** `scenescout workers`: one line per worker thread. */
import type { Command } from 'commander';
import type { WorkerSnapshot } from '../../contracts/status.js';
import { contextOf, print, printJson } from '../context.js';
import { ago, duration, percent, table } from '../format.js';

export function registerWorkers(program: Command): void {
  program
    .command('workers')
    .description('list worker threads: type, status, current task, throughput, health')
    .action(async (_opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const workers = await ctx.api.get<WorkerSnapshot[]>('/api/spawn', { action: 'workers' });
      if (ctx.json) return printJson(ctx.io, workers);
      print(ctx.io, renderWorkers(workers));
    });
}

export function renderWorkers(workers: WorkerSnapshot[], now = Date.now()): string {
  return table(
    workers,
    [
      { header: 'id', value: (w) => w.workerId },
      { header: 'type', value: (w) => w.workerType },
      { header: 'status', value: (w) => w.status },
      { header: 'current task', value: (w) => w.currentTask, max: 48 },
      { header: 'done', value: (w) => w.tasksCompleted, align: 'right' },
      { header: 'avg', value: (w) => duration(w.averageTimeMs), align: 'right' },
      { header: 'error rate', value: (w) => percent(w.errorRate), align: 'right' },
      { header: 'last heartbeat', value: (w) => ago(w.lastHeartbeat, now) },
    ],
    'no workers are running',
  );
}
