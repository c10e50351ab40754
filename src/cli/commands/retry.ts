/** `scenescout retry <task>`: requeue a dead-lettered task with a fresh retry budget. */
import type { Command } from 'commander';
import { HttpError } from '../../lib/errors.js';
import { contextOf, print, printJson } from '../context.js';

export function registerRetry(program: Command): void {
  program
    .command('retry')
    .description('requeue a dead-lettered task (see "scenescout tasks --failed") with a fresh retry budget')
    .argument('<task>', 'the task id')
    .action(async (taskId: string, _opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      let result: { taskId: string; jobId: string };
      try {
        result = await ctx.api.post(`/api/dead-letters/${encodeURIComponent(taskId)}/retry`);
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) {
          throw new HttpError(404, `${err.message}; "scenescout tasks --failed" lists the tasks that can be retried`);
        }
        throw err;
      }
      if (ctx.json) return printJson(ctx.io, result);
      print(ctx.io, `requeued task ${result.taskId} (job ${result.jobId})`);
    });
}
