/**
 * The fast instant readers answer exactly what the readers they stand in front of answer:
 * pg's timestamptz parser (postgres-date) for Postgres's text, `new Date(text)` for the ISO
 * text JSON from Postgres holds. Texts come from Postgres itself (PGlite, several time zones)
 * and from a seeded generator covering fractions, offsets and the forms left to the slow path.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { isoInstant, timestamptzReader } from '../../../src/lib/db/timestamptz.js';
import { closeTestDatabases, pgliteBackend } from '../../helpers/db.js';

after(closeTestDatabases);

/** `sql`'s one text column under each time zone (SET LOCAL: the shared instance keeps its own). */
async function textsIn(zones: readonly string[], sql: string): Promise<string[]> {
  const db = await pgliteBackend.open();
  try {
    const texts: string[] = [];
    for (const zone of zones) {
      texts.push(...(await db.transaction(async (tx) => {
        await tx.query(`SET LOCAL TimeZone = '${zone}'`);
        return (await tx.query<{ t: string }>(sql)).rows.map((r) => r.t);
      })));
    }
    return texts;
  } finally {
    await db.close();
  }
}

// pg's own parser, from where pg-types finds it (connect.ts replaces pg's registered one).
const requireFromPgTypes = createRequire(createRequire(import.meta.url).resolve('pg-types'));
const postgresDate = requireFromPgTypes('postgres-date') as (text: string) => unknown;
const fast = timestamptzReader(postgresDate);

/** Same Date (time value), or the same other answer. */
function sameAnswer(text: string): void {
  const want = postgresDate(text);
  const got = fast(text);
  if (want instanceof Date) {
    assert.ok(got instanceof Date, `${text}: a Date`);
    assert.equal((got as Date).getTime(), want.getTime(), text);
  } else {
    assert.deepEqual(got, want, text);
  }
}

/** Same ISO text, or the same error. */
function sameIso(text: string): void {
  let want: string | Error;
  try {
    want = new Date(text).toISOString();
  } catch (err) {
    want = err as Error;
  }
  if (typeof want === 'string') assert.equal(isoInstant(text), want, text);
  else assert.throws(() => isoInstant(text), RangeError, text);
}

/** A small seeded generator (mulberry32), so a failure names a reproducible text. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const OFFSETS = ['+00', '-03', '+05:30', '-09:30', '+14', '-12', '+00:53:28', '-00:25:21', '+05:45', '+01'];
const ISO_OFFSETS = ['+00:00', '-03:00', '+05:30', '-09:30', '+14:00', 'Z', '+00', '+0530', '+00:53:28'];

function generated(rand: () => number, separator: string, offsets: readonly string[]): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const year = pick([1, 50, 99, 100, 999, 1000, 1970, 1999, 2000, 2026, 2038, 9999]) + (rand() < 0.5 ? 0 : Math.floor(rand() * 3));
  const fractionDigits = pick([0, 0, 1, 2, 3, 4, 5, 6, 7]);
  const fraction = fractionDigits === 0 ? '' : `.${String(Math.floor(rand() * 10 ** fractionDigits)).padStart(fractionDigits, '0')}`;
  return `${pad(Math.min(year, 9999), 4)}-${pad(1 + Math.floor(rand() * 12))}-${pad(1 + Math.floor(rand() * 31))}${separator}`
    + `${pad(Math.floor(rand() * 24))}:${pad(Math.floor(rand() * 60))}:${pad(Math.floor(rand() * 60))}${fraction}${pick(offsets)}`;
}

describe('timestamptz text (pg)', () => {
  test('Postgres text in several time zones reads as pg reads it', async () => {
    const texts = await textsIn(['UTC', 'America/St_Johns', 'Asia/Kathmandu', 'Europe/Amsterdam', 'Pacific/Chatham'],
      `SELECT t::text AS t FROM (
         SELECT TIMESTAMPTZ '2026-06-01 10:00:00+00' + (g * 7919.123457) * INTERVAL '1 second' AS t FROM generate_series(-4000, 4000) g
         UNION ALL SELECT unnest(ARRAY['1900-01-01 00:00:00+00', '0050-03-01 12:00:00+00', '0100-01-01 00:00:00.5+00',
           '0044-03-15 12:00:00+00 BC', 'infinity', '-infinity', '2000-02-29 23:59:59.999999+00']::timestamptz[])) x`);
    assert.ok(texts.some((t) => /:\d\d:\d\d$/.test(t)), 'an offset to the second (LMT) is among them');
    for (const t of texts) sameAnswer(t);
  });

  test('generated texts: fractions of 0 to 7 digits, offsets to the second, early years', () => {
    const rand = random(20261203);
    for (let i = 0; i < 20_000; i++) sameAnswer(generated(rand, ' ', OFFSETS));
  });

  test('odd texts go to the slow reader and come back as it answers them', () => {
    for (const text of ['', 'infinity', '-infinity', '2026-06-01', '2026-06-01 10:00:00', '2026-06-01 10:00:00.+00', '2026-06-01 10:00:00+00 BC',
      '2026-02-30 10:00:00+00', '2026-13-01 10:00:00+00', '2026-06-01 24:00:00+00', '2026-06-01 10:00:00+24', '2026-06-01 10:00:00+0530',
      '12026-06-01 10:00:00+00', '2026-06-01T10:00:00+00', ' 2026-06-01 10:00:00+00']) {
      sameAnswer(text);
    }
  });
});

describe('ISO text from Postgres JSON', () => {
  test('json_build_object text in several time zones gives the ISO text new Date gives', async () => {
    const texts = await textsIn(['UTC', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham', 'Africa/Monrovia'],
      `SELECT json_build_object('t', TIMESTAMPTZ '2026-06-01 10:00:00+00' + (g * 7919.123457) * INTERVAL '1 second')->>'t' AS t
         FROM generate_series(-4000, 4000) g
       UNION ALL SELECT json_build_object('t', TIMESTAMPTZ '1900-01-01 00:00:00+00')->>'t'`);
    for (const t of texts) sameIso(t);
  });

  test('generated texts, odd texts, and Dates', () => {
    const rand = random(7);
    for (let i = 0; i < 20_000; i++) sameIso(generated(rand, 'T', ISO_OFFSETS));
    for (const text of ['', 'not a date', '2026-06-01', '2026-06-01T10:00:00', '2026-06-01T10:00:00.+00:00', '2026-02-30T10:00:00+00:00',
      '2026-06-01 10:00:00+00', '2026-06-01T10:00:00+00:00:00', '2026-01-32T10:00:00+00:00', '2026-06-01T10:00:00.1234567890+05:30']) {
      sameIso(text);
    }
    const d = new Date(Date.UTC(2026, 5, 1, 10, 0, 0, 123));
    assert.equal(isoInstant(d), '2026-06-01T10:00:00.123Z');
  });

  test('Dates: the text toISOString writes, over every four-digit year and past them', () => {
    const rand = random(99);
    const edges = [-62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 0, -1, 951_782_400_000, 8.64e15, -8.64e15];
    const times = [...edges, ...Array.from({ length: 50_000 }, () => Math.floor(-62_200_000_000_000 + rand() * 315_700_000_000_000))];
    assert.equal(new Date(edges[0]!).toISOString(), '0000-01-01T00:00:00.000Z');
    for (const t of times) assert.equal(isoInstant(new Date(t)), new Date(t).toISOString(), String(t));
    assert.throws(() => isoInstant(new Date(NaN)), RangeError);
  });
});
