/**
 * Replica heartbeats: every controller process writes its row in `replicas` every
 * `replicaHeartbeatInterval`, and looks for replicas whose heartbeat is older than 3 of their
 * intervals. The first live replica to find one claims it (`lost`), closes its running
 * attempts as `lost`, marks its workers `gone` and fails those jobs with the retry due at once,
 * so a `kill -9` costs about 3 intervals rather than the whole task timeout pg-boss waits.
 *
 * Never a live replica's attempts: a claim needs the claimer itself to have been heartbeating
 * for 3 intervals in a row (after a database outage every replica looks stale at once), each job
 * is failed only while it still runs as the lost attempt, and a replica that finds itself
 * declared lost re-registers while its late attempt ends are fenced off (finishAttempts,
 * TaskQueue.fail with the attempt's retry count).
 */
import { hostname } from 'node:os';
import {
  beat, claimDeadReplicas, closeExpiredAttempts, closeLostAttempts, markReplicaStopped, markWorkersGone, registerReplica, selectOrphanedJobs,
} from '../db/queries/replicas.js';
import { ReplicaLostError, coerceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from './options.js';
import { serializeError } from './protocol.js';
import { queueSchema, type SpawnRuntime } from './runtime.js';
import type { Emit } from './worker-pool.js';

export const REPLICA_HEARTBEAT_MISSES = 3;

export class ReplicaHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** local time of the first heartbeat of the current unbroken run of successful ones */
  private healthySince: number | null = null;

  constructor(
    private readonly config: ResolvedOptions,
    private readonly runtime: SpawnRuntime,
    private readonly logger: Logger,
    private readonly emit: Emit,
    /** called after a takeover made retries due, so idle workers fetch them now */
    private readonly wake: () => void,
  ) {}

  private get interval(): number {
    return this.config.replicaHeartbeatInterval;
  }

  async start(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => {
      if (!this.inFlight) this.inFlight = this.tick().finally(() => (this.inFlight = undefined));
    }, this.interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    await markReplicaStopped(this.runtime.db, this.config.replicaId).catch((err) =>
      this.logger.warn({ err: coerceError(err).message }, 'could not mark this replica stopped'));
  }

  private async register(): Promise<void> {
    await registerReplica(this.runtime.db, { replicaId: this.config.replicaId, hostname: hostname(), pid: process.pid, heartbeatMs: this.interval });
    this.healthySince = Date.now();
  }

  /** One heartbeat and one look for dead replicas. Never throws. */
  async tick(): Promise<void> {
    const { db } = this.runtime;
    try {
      if (!(await beat(db, this.config.replicaId))) {
        this.logger.error('another replica declared this one lost (no heartbeat for 3 intervals); its running attempts were retried elsewhere');
        await this.register();
      }
      this.healthySince ??= Date.now();
    } catch (err) {
      this.healthySince = null;
      this.logger.warn({ err: coerceError(err).message }, 'replica heartbeat failed');
      return;
    }
    if (Date.now() - this.healthySince < REPLICA_HEARTBEAT_MISSES * this.interval) return;
    try {
      await this.takeOver();
    } catch (err) {
      this.logger.error({ err: coerceError(err).message }, 'taking over a lost replica failed; will try again');
    }
  }

  private async takeOver(): Promise<void> {
    const { db, queue } = this.runtime;
    const me = this.config.replicaId;
    const dead = await claimDeadReplicas(db, me, REPLICA_HEARTBEAT_MISSES);
    let retried = 0;
    for (const replicaId of dead) {
      const error = new ReplicaLostError(`replica ${replicaId} stopped heartbeating; replica ${me} took over its attempts`);
      const message = `${error.code}: ${error.message}`;
      const attempts = await closeLostAttempts(db, [replicaId], message);
      const workersGone = await markWorkersGone(db, [replicaId]);
      let n = 0;
      for (const a of attempts) {
        const outcome = await queue.takeOver(a.taskType, a.jobId, a.retryCount, { ...serializeError(error), message });
        if (outcome === 'retry') n++;
      }
      retried += n;
      this.logger.warn({ lostReplica: replicaId, attempts: attempts.length, retried: n, workersGone }, 'took over a replica that stopped heartbeating');
      this.emit('replica:lost', { replicaId, attempts: attempts.length, retried: n, workersGone });
    }
    // Attempts whose job expired under a replica that is gone without a claim (finding 11).
    const expired = await closeExpiredAttempts(db, queueSchema(this.config.schema), 'ERR_REPLICA_LOST: the attempt\'s replica stopped and its job expired');
    if (expired > 0) this.logger.warn({ attempts: expired }, 'closed attempts of stopped replicas as lost');
    // Jobs a replica fetched but died before recording (its attempts are written in batches):
    // no attempt to close, so retried here by their retry count, as soon as they are older than
    // the misses a lost replica is allowed, instead of when pg-boss expires them.
    const orphans = await selectOrphanedJobs(db, queueSchema(this.config.schema), REPLICA_HEARTBEAT_MISSES * this.interval);
    if (orphans.length > 0) {
      const error = new ReplicaLostError('the job was handed to a replica that stopped before it recorded the attempt');
      const message = `${error.code}: ${error.message}`;
      let n = 0;
      for (const o of orphans) if ((await queue.takeOver(o.taskType, o.jobId, o.retryCount, { ...serializeError(error), message })) === 'retry') n++;
      retried += n;
      this.logger.warn({ jobs: orphans.length, retried: n }, 'retried jobs handed out but never recorded as attempts');
    }
    if (retried > 0) this.wake();
  }
}
