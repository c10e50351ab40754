/** `scenescout discover`: find events now, through the running server or in this process. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { localDatabase } from '../../config/index.js';
import type { DiscoveryRequest } from '../../contracts/service.js';
import { SOURCES } from '../../contracts/sources.js';
import { TaskFailedError } from '../../lib/errors.js';
import { contextOf, note, print, printJson } from '../context.js';
import { createProgress } from '../discover/progress.js';
import { discoverViaServer } from '../discover/remote.js';
import type { DiscoverySummary } from '../discover/summary.js';
import { renderSummary } from '../discover/summary.js';

interface DiscoverOptions {
  city?: string[];
  source?: string[];
  wait?: boolean;
  timeout: number;
  inProcess?: boolean;
}

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description('discover events now for some or all cities and sources, and wait for the results')
    .option('--city <id...>', 'only these cities (default: every enabled city)')
    .addOption(new Option('--source <source...>', 'only these sources (default: all)').choices(SOURCES))
    .option('--wait', 'wait until the discovery tasks (and, in-process, the ingestion they chain) finish (default)')
    .option('--no-wait', 'queue the tasks and return at once')
    .option('--timeout <seconds>', 'give up waiting after this many seconds', seconds, 300)
    .option('--in-process', 'run here even if a server answers (embedded database or DATABASE_URL)')
    .addHelpText(
      'after',
      `
Where it runs:
  When a SceneScout server answers at the API URL, the discovery is queued there and this
  command polls its task list. When none answers at the default URL, the service runs in this
  process on the same database "scenescout start" uses (DATABASE_URL, or SCENESCOUT_DATA_DIR,
  default .scenescout/data), waits for discovery and the ingestion/processing it chains, and
  stops. An unreachable --url or SCENESCOUT_URL is an error (exit 3) instead.
  Exit status is 0 when every task succeeded and 1 when any failed or the wait timed out.`,
    )
    .action(async (opts: DiscoverOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const request: DiscoveryRequest = {
        ...(opts.city?.length ? { cityIds: opts.city } : {}),
        ...(opts.source?.length ? { sources: opts.source } : {}),
      };
      const run = { wait: opts.wait !== false, timeoutMs: opts.timeout * 1000, progress: createProgress({ json: ctx.json, stream: ctx.io.stderr }) };
      let summary: DiscoverySummary;
      // A given URL is used as given: its own answer (or refusal) decides, not a short probe that a
      // busy server can miss. Only the default URL is probed, to choose between it and in-process.
      if (!opts.inProcess && (ctx.urlGiven || (await ctx.api.isUp()))) {
        if (!ctx.json) note(ctx.io, `discovering through the server at ${ctx.url}`);
        summary = await discoverViaServer(ctx.api, request, run);
      } else {
        // Loaded only here: the in-process service brings the database and queue libraries.
        const { discoverInProcess } = await import('../discover/in-process.js');
        const db = localDatabase(ctx.io.env);
        if (!ctx.json) note(ctx.io, `${opts.inProcess ? '' : `no server at ${ctx.url}; `}discovering in this process (${db.description})`);
        summary = await discoverInProcess(db, request, run);
      }
      if (ctx.json) printJson(ctx.io, summary);
      else print(ctx.io, renderSummary(summary));
      if (!summary.ok) throw new TaskFailedError(failureMessage(summary, opts.timeout));
    });
}

function failureMessage(s: DiscoverySummary, timeoutSeconds: number): string {
  if (s.timedOut) return `gave up waiting after ${timeoutSeconds} s`;
  const parts: string[] = [];
  const failed = s.pairs.filter((p) => p.status === 'failed').length;
  if (failed) parts.push(`${failed} of ${s.pairs.length} discovery tasks failed`);
  if (s.followUp?.failed) parts.push(`${s.followUp.failed} ingestion/processing task(s) failed`);
  return parts.join('; ') || 'some tasks failed';
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}
