import { BaseWorker, type TaskAssignment } from './base.js';

/** Pulls one (city, source) from a provider into raw_events. (Task logic: see the catalogue modules.) */
export class DiscoveryWorker extends BaseWorker {
  protected async initialize(): Promise<void> {}

  protected async processTask(assignment: TaskAssignment): Promise<unknown> {
    return { noop: true, taskId: assignment.taskId };
  }

  protected async shutdown(): Promise<void> {}
}

if (BaseWorker.isEntry(import.meta.url)) new DiscoveryWorker();
