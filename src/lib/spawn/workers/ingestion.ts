import { NonRetryableError } from '../../errors.js';
import type { IngestResult } from '../../catalogue/ingest.js';
import { BaseWorker, type TaskAssignment } from './base.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The task's parameters; zod is loaded by the first task, not by an idle thread. */
async function loadParametersSchema() {
  const { z } = await import('zod');
  return z.object({
    source: z.string().min(1).optional(),
    eventIds: z.array(z.string().regex(UUID, 'must be a raw_events id (UUID)')).optional(),
    batchSize: z.number().int().positive().optional(),
  });
}
let parametersSchema: ReturnType<typeof loadParametersSchema> | undefined;
let catalogue: Promise<typeof import('../../catalogue/ingest.js')> | undefined;

/**
 * Normalizes raw events into the canonical catalogue (see src/lib/catalogue/ingest.ts).
 * Parameters: `{ source?, eventIds?, batchSize? }`; without `eventIds` it takes up to
 * `batchSize` (default SCENESCOUT_INGEST_BATCH) unprocessed raw events, of `source` if given.
 * A bad record fails alone (its raw row keeps the error); bad parameters fail the task for good.
 * The catalogue code (normalizers, luxon, the merge) is loaded by the first task, so an idle
 * thread does not hold it.
 */
export class IngestionWorker extends BaseWorker {
  protected async initialize(): Promise<void> {}

  protected async processTask(assignment: TaskAssignment): Promise<IngestResult> {
    const parsed = (await (parametersSchema ??= this.load(loadParametersSchema))).safeParse(assignment.parameters ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new NonRetryableError(`ingestion task ${assignment.taskId}: parameter ${issue.path.join('.') || '(root)'} ${issue.message}`);
    }
    const { source, eventIds, batchSize } = parsed.data;
    const { ingestRawEvents } = await (catalogue ??= this.load(() => import('../../catalogue/ingest.js')));
    const result = await ingestRawEvents(this.db, {
      ids: eventIds,
      source: source ?? null,
      limit: batchSize ?? this.boot.ingestionBatchSize,
    });
    this.report({ kind: 'events-ingested', source: result.source, count: result.inserted + result.updated + result.unchanged });
    return result;
  }

  protected async shutdown(): Promise<void> {}
}

if (BaseWorker.isEntry(import.meta.url)) new IngestionWorker();
