/**
 * Progress while `discover` waits: a bar on a terminal, a line every few seconds in a log or
 * pipe, and nothing with --json. All of it goes to stderr, so stdout holds only the result.
 */
import cliProgress from 'cli-progress';
import type { OutputStream } from '../context.js';
import { duration } from '../format.js';

export interface ProgressState {
  phase: 'discovery' | 'follow-up';
  done: number;
  total: number;
  failed: number;
}

export interface Progress {
  update(state: ProgressState): void;
  stop(): void;
}

export function createProgress(options: { json: boolean; stream: OutputStream }): Progress {
  const { stream } = options;
  if (options.json) return { update() {}, stop() {} };
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream);
}

const LABEL: Record<ProgressState['phase'], string> = { discovery: 'discovery', 'follow-up': 'ingest/process' };

class BarProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(stream: OutputStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{phase} |{bar}| {value}/{total} tasks, {failed} failed, {duration_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        barsize: 30,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(s: ProgressState): void {
    const payload = { phase: LABEL[s.phase].padEnd(14), failed: s.failed };
    if (!this.started) {
      this.started = true;
      this.bar.start(Math.max(s.total, 1), s.done, payload);
      return;
    }
    this.bar.setTotal(Math.max(s.total, 1));
    this.bar.update(s.done, payload);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

/** One line when something changed, and at least one every `quietMs` while waiting. */
class LineProgress implements Progress {
  private last = '';
  private lastAt = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly stream: OutputStream,
    private readonly minIntervalMs = 1000,
    private readonly quietMs = 5000,
  ) {}

  update(s: ProgressState): void {
    const key = `${s.phase} ${s.done}/${s.total} ${s.failed}`;
    const now = Date.now();
    const changed = key !== this.last;
    if ((changed && now - this.lastAt >= this.minIntervalMs) || now - this.lastAt >= this.quietMs || (changed && s.done === s.total)) {
      this.last = key;
      this.lastAt = now;
      this.stream.write(
        `discover: ${LABEL[s.phase]} ${s.done}/${s.total} tasks done, ${s.failed} failed (${duration(now - this.startedAt)})\n`,
      );
    }
  }

  stop(): void {}
}
