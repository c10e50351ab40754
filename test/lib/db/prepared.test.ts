/**
 * Postgres: long parameterized statements (the searches) go as named prepared statements,
 * short ones and parameterless ones unnamed unless marked GENERIC_PLAN; a pool prepares a bounded number of names, and
 * `preparedStatements: false` (SCENESCOUT_PG_PREPARED=false) sends everything unnamed. Those
 * marked GENERIC_PLAN keep one plan per connection; the others are planned for each run's values.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openDatabase, PREPARE_MAX_NAMES, PREPARE_MIN_LENGTH, preparedStatementName } from '../../../src/lib/db/connect.js';
import { GENERIC_PLAN } from '../../../src/lib/db/types.js';
import { DATABASE_URL, dropSchemas, uniqueSchema } from '../../helpers/db.js';

const schemas: string[] = [];
after(() => (DATABASE_URL ? dropSchemas(DATABASE_URL, schemas) : undefined));

/** A statement over the length limit: one value, padded with a comment. */
const long = (tag: string) => `SELECT $1::int + 1 AS n /* ${tag} ${'x'.repeat(PREPARE_MIN_LENGTH)} */`;

describe('named prepared statements', () => {
  test('only long statements with parameters get a name, the same for the same text, and at most PREPARE_MAX_NAMES', () => {
    const seen = new Set<string>();
    assert.equal(preparedStatementName('SELECT $1::int', true, seen), undefined);
    assert.equal(preparedStatementName(long('a'), false, seen), undefined);
    // Marked GENERIC_PLAN: named however short, with parameters or without (the plan is kept).
    assert.match(preparedStatementName(`${GENERIC_PLAN}SELECT 1`, false, seen) ?? '', /^scenescout_/);
    assert.match(preparedStatementName(`${GENERIC_PLAN}SELECT $1::int`, true, seen) ?? '', /^scenescout_/);
    const a = preparedStatementName(long('a'), true, seen);
    assert.match(a ?? '', /^scenescout_[0-9a-f]{24}$/);
    assert.equal(preparedStatementName(long('a'), true, seen), a);
    assert.notEqual(preparedStatementName(long('b'), true, seen), a);
    for (let i = 0; seen.size < PREPARE_MAX_NAMES; i++) preparedStatementName(long(`fill ${i}`), true, seen);
    assert.equal(preparedStatementName(long('one too many'), true, seen), undefined);
    assert.equal(preparedStatementName(long('a'), true, seen), a, 'a name already given is still used');
  });

  test('on Postgres, a long statement is prepared once per connection and answers with each run\'s values', { skip: !DATABASE_URL && 'no Postgres (SCENESCOUT_TEST_DATABASE_URL)' }, async () => {
    const prepared = async (preparedStatements: boolean) => {
      const schema = uniqueSchema();
      schemas.push(schema);
      const db = await openDatabase({ databaseUrl: DATABASE_URL!, schema, max: 1, preparedStatements });
      try {
        const answers = [];
        for (const n of [1, 2, 3, 4, 5, 6, 7]) answers.push((await db.query<{ n: number }>(long('run'), [n])).rows[0]!.n);
        assert.deepEqual(answers, [2, 3, 4, 5, 6, 7, 8]);
        await db.query('SELECT $1::int AS short', [1]);
        const { rows } = await db.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');
        return rows;
      } finally {
        await db.close();
      }
    };
    const on = await prepared(true);
    assert.equal(on.length, 1);
    assert.equal(on[0]!.name, preparedStatementName(long('run'), true, new Set()));
    assert.equal(on[0]!.statement, long('run'));
    assert.deepEqual(await prepared(false), []);
  });

  test('on Postgres, a statement marked GENERIC_PLAN keeps one plan per connection; the others are planned for each run', { skip: !DATABASE_URL && 'no Postgres (SCENESCOUT_TEST_DATABASE_URL)' }, async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const db = await openDatabase({ databaseUrl: DATABASE_URL!, schema, max: 1 });
    // The statement reports its own connection's plan counts (pg_prepared_statements is per connection).
    const counts = (mark: string) => `${mark}SELECT $1::int + 1 AS n, current_setting('plan_cache_mode') AS mode,
        (SELECT custom_plans FROM pg_prepared_statements WHERE statement = current_query()) AS c
        /* ${'x'.repeat(PREPARE_MIN_LENGTH)} */`;
    try {
      const run = async (mark: string) => {
        let last: { n: number; mode: string; c: number } | undefined;
        for (const n of [1, 2, 3]) last = (await db.query<{ n: number; mode: string; c: number }>(counts(mark), [n])).rows[0]!;
        return last!;
      };
      const generic = await run(GENERIC_PLAN);
      const custom = await run('');
      assert.equal(generic.n, 4);
      assert.equal(generic.mode, 'force_generic_plan');
      assert.equal(custom.n, 4);
      assert.equal(custom.mode, 'force_custom_plan');
      // The counts as the third run sees them (a run counts its plan before executing): the
      // marked statement was never planned for a value, the other one for each of its three runs.
      assert.equal(generic.c, 0);
      assert.equal(custom.c, 3);
      // A short marked statement, without parameters, is prepared on those connections too.
      const short = `${GENERIC_PLAN}SELECT current_setting('plan_cache_mode') AS mode,
          (SELECT count(*) FROM pg_prepared_statements WHERE statement = current_query())::int AS prepared`;
      await db.query(short);
      assert.deepEqual((await db.query<{ mode: string; prepared: number }>(short)).rows[0], { mode: 'force_generic_plan', prepared: 1 });
    } finally {
      await db.close();
    }
  });

  test('on Postgres, the pool opens at most `max` connections (SCENESCOUT_PG_POOL_SIZE), split between the two kinds of plan', { skip: !DATABASE_URL && 'no Postgres (SCENESCOUT_TEST_DATABASE_URL)' }, async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const name = `scenescout-pool-${schema}`.slice(0, 60);
    const db = await openDatabase({ databaseUrl: DATABASE_URL!, schema, max: 4, applicationName: name });
    const peers = await openDatabase({ databaseUrl: DATABASE_URL!, schema, max: 1 });
    try {
      const sleep = (mark: string) => `${mark}SELECT pg_sleep($1::float8) AS slept /* ${'x'.repeat(PREPARE_MIN_LENGTH)} */`;
      // Twelve of each at once, while another connection counts ours.
      const running = Promise.all([...Array(12)].flatMap(() => [db.query(sleep(GENERIC_PLAN), [0.15]), db.query(sleep(''), [0.15])]));
      let most = 0;
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 30));
        const { rows } = await peers.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
        most = Math.max(most, rows[0]!.n);
      }
      await running;
      assert.equal(most, 4, 'four connections at most, and all four used');
    } finally {
      await Promise.all([db.close(), peers.close()]);
    }
  });
});
