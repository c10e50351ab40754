/**
 * A separate process acquiring from a Redis-backed limiter, for the cross-process test.
 * Input: a JSON argument. It prints `ready` once connected to Redis, then reads the start
 * instant (epoch ms) from stdin, and prints one JSON line `{ granted, exhausted, aborted }`.
 * Runs only when started by the test (SCENESCOUT_LIMITER_CHILD=1), so a test runner that
 * happens to load this file does nothing.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { BudgetExhaustedError } from '../../../../src/lib/errors.js';
import { createProviderLimiter } from '../../../../src/lib/api/rate-limit.js';

export interface ChildInput {
  redisUrl: string;
  keyPrefix: string;
  ratePerSecond: number;
  dailyBudget: number;
  attempts: number;
  /** epoch ms: all children start acquiring at this instant (sent on stdin after `ready`) */
  startAt: number;
  /** stop waiting this long after startAt */
  windowMs: number;
}

async function main(args: Omit<ChildInput, 'startAt'>): Promise<void> {
  const redis = new Redis(args.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    await redis.ping();
    process.stdout.write('ready\n');
    const [line] = (await once(createInterface({ input: process.stdin }), 'line')) as [string];
    const input: ChildInput = { ...args, startAt: Number(line) };
    if (!(Date.now() < input.startAt)) throw new Error(`started ${Date.now() - input.startAt} ms after the common start instant`);
    const limiter = createProviderLimiter({
      providers: { ticketmaster: { ratePerSecond: input.ratePerSecond, dailyBudget: input.dailyBudget } },
      redis,
      keyPrefix: input.keyPrefix,
    });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, input.startAt - Date.now())));
    const signal = AbortSignal.timeout(Math.max(1, input.startAt + input.windowMs - Date.now()));
    const results = await Promise.allSettled(Array.from({ length: input.attempts }, () => limiter.acquire('ticketmaster', signal)));
    const count = (pred: (r: PromiseSettledResult<void>) => boolean) => results.filter(pred).length;
    process.stdout.write(
      `${JSON.stringify({
        granted: count((r) => r.status === 'fulfilled'),
        exhausted: count((r) => r.status === 'rejected' && r.reason instanceof BudgetExhaustedError),
        aborted: count((r) => r.status === 'rejected' && (r.reason as Error)?.name === 'TimeoutError'),
      })}\n`,
    );
  } finally {
    redis.disconnect();
  }
}

if (process.env.SCENESCOUT_LIMITER_CHILD === '1') {
  main(JSON.parse(process.argv[2] ?? '{}') as Omit<ChildInput, 'startAt'>).catch((err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  });
}
