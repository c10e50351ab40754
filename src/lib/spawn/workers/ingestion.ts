import { BaseWorker, type TaskAssignment } from './base.js';

/** Normalizes raw events into the canonical catalogue. (Task logic: see the catalogue modules.) */
export class IngestionWorker extends BaseWorker {
  protected async initialize(): Promise<void> {}

  protected async processTask(assignment: TaskAssignment): Promise<unknown> {
    return { noop: true, taskId: assignment.taskId };
  }

  protected async shutdown(): Promise<void> {}
}

if (BaseWorker.isEntry(import.meta.url)) new IngestionWorker();
