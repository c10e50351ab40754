import type { WorkerSnapshot } from '../api.js';
import { ago, count, duration, percent } from '../format.js';
import { ScrollTable, type Column } from './ScrollTable.js';

interface Props {
  workers: WorkerSnapshot[] | undefined;
  error: Error | null;
  loading: boolean;
}

const COLUMNS: Column[] = [
  'ID',
  'Type',
  'Status',
  'Current task',
  { label: 'Done', num: true },
  { label: 'Failed', num: true },
  { label: 'Avg time', num: true },
  { label: 'Error rate', num: true },
  'Last heartbeat',
];

export function WorkerTable({ workers, error, loading }: Props) {
  return (
    <section className="panel" data-testid="workers">
      <h2>
        Workers <span className="muted small">{workers ? workers.length : ''}</span>
      </h2>
      {error && <p className="error">Cannot load workers: {error.message}</p>}
      <ScrollTable columns={COLUMNS} testId="worker-table" scrollTestId="worker-table-scroll">
        {(workers ?? []).map((w) => (
          <tr key={w.workerId} data-testid="worker-row" data-worker-id={w.workerId}>
            <td>
              <code>{w.workerId}</code>
            </td>
            <td>{w.workerType}</td>
            <td>
              <span className={`badge badge-${w.status}`}>{w.status}</span>
            </td>
            <td className="task-cell">{w.currentTask ? <code>{w.currentTask}</code> : <span className="muted">—</span>}</td>
            <td className="num">{count(w.tasksCompleted)}</td>
            <td className="num">{count(w.tasksFailed)}</td>
            <td className="num">{duration(w.averageTimeMs)}</td>
            <td className={`num ${w.errorRate >= 0.5 ? 'error' : ''}`}>{percent(w.errorRate)}</td>
            <td title={w.lastHeartbeat ?? ''}>{ago(w.lastHeartbeat)}</td>
          </tr>
        ))}
        {workers && workers.length === 0 && (
          <tr>
            <td colSpan={COLUMNS.length} className="muted empty">
              No workers running. Spawn one above.
            </td>
          </tr>
        )}
        {loading && !workers && (
          <tr>
            <td colSpan={COLUMNS.length} className="muted empty">
              Loading…
            </td>
          </tr>
        )}
      </ScrollTable>
    </section>
  );
}
