/** `scenescout sources [list] | sources unquarantine <id>`: the health of every (city, source, feed). */
import type { Command } from 'commander';
import type { SourceHealth, UnquarantineResult } from '../../contracts/source-health.js';
import { HttpError } from '../../lib/errors.js';
import { contextOf, print, printJson } from '../context.js';
import { ago, table } from '../format.js';

export function registerSources(program: Command): void {
  const sources = program.command('sources').description('source health: failures, quarantines; un-quarantine a feed');

  const list = async (_opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const rows = await ctx.api.get<SourceHealth[]>('/api/sources');
    if (ctx.json) return printJson(ctx.io, rows);
    print(ctx.io, renderSources(rows));
  };
  sources.command('list', { isDefault: true }).description('every (city, source, feed), worst first').action(list);

  sources
    .command('unquarantine')
    .description('lift a quarantine and clear the failures; the next discovery tries the feed again')
    .argument('<id>', 'the record id, as "scenescout sources" lists it')
    .action(async (id: string, _opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      let result: UnquarantineResult;
      try {
        result = await ctx.api.post(`/api/sources/${encodeURIComponent(id)}/unquarantine`);
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) throw new HttpError(404, `${err.message}; "scenescout sources" lists the ids`);
        throw err;
      }
      if (ctx.json) return printJson(ctx.io, result);
      const h = result.health;
      print(ctx.io, `un-quarantined ${h.source} for ${h.cityId}${h.feed ? ` (${h.feed})` : ''}; the next discovery tries it again`);
    });
}

export function renderSources(rows: SourceHealth[], now = Date.now()): string {
  return table(
    rows,
    [
      { header: 'id', value: (h) => h.id },
      { header: 'city', value: (h) => h.cityId },
      { header: 'source', value: (h) => h.source },
      { header: 'feed', value: (h) => h.feed ?? '-', max: 48 },
      { header: 'state', value: (h) => (h.quarantined ? `quarantined until ${h.quarantinedUntil}` : h.consecutiveFailures > 0 ? 'failing' : 'ok') },
      { header: 'failures', value: (h) => h.consecutiveFailures, align: 'right' },
      { header: 'events', value: (h) => h.eventsLastSeen ?? '-', align: 'right' },
      { header: 'last success', value: (h) => ago(h.lastSuccessAt, now) },
      { header: 'last error', value: (h) => h.lastError ?? '-', max: 60 },
    ],
    'no source health yet: discovery has not run',
  );
}
