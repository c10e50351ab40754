/** `scenescout tasks`: recent tasks, or the dead-lettered ones with their errors. */
import { InvalidArgumentError, type Command } from 'commander';
import type { DeadLetter, TaskSummary } from '../../contracts/status.js';
import { contextOf, print, printJson } from '../context.js';
import { ago, duration, table } from '../format.js';

interface TasksOptions {
  failed?: boolean;
  state?: 'queued' | 'active' | 'failed' | 'all';
  limit: number;
}

const STATES = ['queued', 'active', 'failed', 'all'] as const;

export function registerTasks(program: Command): void {
  program
    .command('tasks')
    .description('list recent tasks; --failed lists dead-lettered tasks with their errors')
    .option('--failed', 'dead-lettered tasks (failed for good) with their errors; retry one with "scenescout retry <task>"')
    .option('--state <state>', `only tasks in this state: ${STATES.join(', ')}`, parseState)
    .option('--limit <n>', 'at most n tasks (1-500)', parseLimit, 50)
    .action(async (opts: TasksOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.failed) {
        const dead = await ctx.api.get<DeadLetter[]>('/api/dead-letters', { limit: opts.limit });
        if (ctx.json) return printJson(ctx.io, dead);
        return print(ctx.io, renderDeadLetters(dead));
      }
      const tasks = await ctx.api.get<TaskSummary[]>('/api/spawn', { action: 'tasks', state: opts.state, limit: opts.limit });
      if (ctx.json) return printJson(ctx.io, tasks);
      print(ctx.io, renderTasks(tasks));
    });
}

function parseState(value: string): TasksOptions['state'] {
  if (!(STATES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${STATES.join(', ')}`);
  return value as TasksOptions['state'];
}

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 500) throw new InvalidArgumentError('must be a whole number from 1 to 500');
  return n;
}

export function renderTasks(tasks: TaskSummary[], now = Date.now()): string {
  return table(
    tasks,
    [
      { header: 'task', value: (t) => t.taskId, max: 56 },
      { header: 'type', value: (t) => t.type },
      { header: 'state', value: (t) => t.state },
      { header: 'prio', value: (t) => t.priority, align: 'right' },
      { header: 'retries', value: (t) => t.retryCount, align: 'right' },
      { header: 'created', value: (t) => ago(t.createdAt, now) },
      { header: 'took', value: (t) => took(t), align: 'right' },
      { header: 'error', value: (t) => t.error, max: 60 },
    ],
    'no tasks',
  );
}

function took(t: TaskSummary): string {
  if (!t.startedAt || !t.completedAt) return '-';
  return duration(Date.parse(t.completedAt) - Date.parse(t.startedAt));
}

export function renderDeadLetters(dead: DeadLetter[], now = Date.now()): string {
  return table(
    dead,
    [
      { header: 'task', value: (d) => d.taskId, max: 56 },
      { header: 'type', value: (d) => d.type },
      { header: 'retries', value: (d) => d.retryCount, align: 'right' },
      { header: 'failed', value: (d) => ago(d.failedAt, now) },
      { header: 'error', value: (d) => d.error, max: 120 },
    ],
    'no failed tasks',
  );
}
