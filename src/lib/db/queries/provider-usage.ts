/** Provider calls per UTC day (`provider_usage`): the daily budgets while Redis is down. */
import type { Queryable } from '../types.js';

/**
 * Counts one call against the day's budget, starting from at least `known` (the count Redis gave
 * before it went down). Returns the new count, or null when the budget is used up. One statement,
 * so replicas counting at once never pass the budget together.
 */
export async function consumeDailyUsage(db: Queryable, source: string, day: string, budget: number, known: number): Promise<number | null> {
  const { rows } = await db.query<{ calls: number }>(
    `INSERT INTO provider_usage AS u (source, day, calls) SELECT $1, $2::date, $4::int + 1 WHERE $4::int < $3::int
     ON CONFLICT (source, day) DO UPDATE SET calls = GREATEST(u.calls, $4::int) + 1
       WHERE GREATEST(u.calls, $4::int) < $3::int
     RETURNING calls`,
    [source, day, budget, known],
  );
  return rows[0] ? Number(rows[0].calls) : null;
}

export async function dailyUsage(db: Queryable, source: string, day: string): Promise<number> {
  const { rows } = await db.query<{ calls: number }>('SELECT calls FROM provider_usage WHERE source = $1 AND day = $2::date', [source, day]);
  return Number(rows[0]?.calls ?? 0);
}

/** Raises the day's count to what Redis counted (while Redis is up). */
export async function recordDailyUsage(db: Queryable, source: string, day: string, calls: number): Promise<void> {
  await db.query(
    `INSERT INTO provider_usage AS u (source, day, calls) VALUES ($1, $2::date, $3::int)
     ON CONFLICT (source, day) DO UPDATE SET calls = GREATEST(u.calls, EXCLUDED.calls)`,
    [source, day, calls],
  );
}
