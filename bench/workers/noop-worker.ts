/** The benchmark's worker type: does nothing but say when it started. */
import { BaseWorker, type TaskAssignment } from '../../src/lib/spawn/workers/base.js';

class NoopWorker extends BaseWorker {
  protected async initialize(): Promise<void> {}
  protected async processTask(_a: TaskAssignment): Promise<unknown> {
    return { startedAt: performance.timeOrigin + performance.now() };
  }
  protected async shutdown(): Promise<void> {}
}
new NoopWorker();
