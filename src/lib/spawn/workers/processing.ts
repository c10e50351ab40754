import { BaseWorker, type TaskAssignment } from './base.js';

/** Merges the same event seen on several sources. (Task logic: see the catalogue modules.) */
export class ProcessingWorker extends BaseWorker {
  protected async initialize(): Promise<void> {}

  protected async processTask(assignment: TaskAssignment): Promise<unknown> {
    return { noop: true, taskId: assignment.taskId };
  }

  protected async shutdown(): Promise<void> {}
}

if (BaseWorker.isEntry(import.meta.url)) new ProcessingWorker();
