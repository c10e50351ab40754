import { NonRetryableError } from '../../errors.js';
import type { DedupeCatalogueResult } from '../../catalogue/dedupe/run.js';
import { BaseWorker, type TaskAssignment } from './base.js';

/** The task's parameters; zod is loaded by the first task, not by an idle thread. */
async function loadParametersSchema() {
  const { z } = await import('zod');
  const instant = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date-time');
  return z.object({
    cityId: z.string().min(1).nullable().optional(),
    from: instant.optional(),
    to: instant.optional(),
    missingAfterHours: z.number().positive().optional(),
  });
}
let parametersSchema: ReturnType<typeof loadParametersSchema> | undefined;
let dedupe: Promise<typeof import('../../catalogue/dedupe/run.js')> | undefined;

/**
 * Cross-source dedupe of one city's catalogue (see src/lib/catalogue/dedupe/run.ts).
 * Parameters: `{ cityId?, from?, to?, missingAfterHours? }`; the default window is every event
 * starting from one day ago, and without `cityId` every city is processed together.
 * The dedupe code and its model are loaded by the first task, so an idle thread does not hold them.
 */
export class ProcessingWorker extends BaseWorker {
  protected async initialize(): Promise<void> {}

  protected async processTask(assignment: TaskAssignment): Promise<DedupeCatalogueResult> {
    const parsed = (await (parametersSchema ??= this.load(loadParametersSchema))).safeParse(assignment.parameters ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new NonRetryableError(`processing task ${assignment.taskId}: parameter ${issue.path.join('.') || '(root)'} ${issue.message}`);
    }
    const p = parsed.data;
    const { dedupeCatalogue } = await (dedupe ??= this.load(() => import('../../catalogue/dedupe/run.js')));
    return dedupeCatalogue(this.db, {
      cityId: p.cityId ?? null,
      from: p.from === undefined ? undefined : new Date(p.from),
      to: p.to === undefined ? null : new Date(p.to),
      missingAfterHours: p.missingAfterHours,
    });
  }

  protected async shutdown(): Promise<void> {}
}

if (BaseWorker.isEntry(import.meta.url)) new ProcessingWorker();
