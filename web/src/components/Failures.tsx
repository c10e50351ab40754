import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type DeadLetter } from '../api.js';
import { ago } from '../format.js';

interface Props {
  failures: DeadLetter[] | undefined;
  error: Error | null;
  loading: boolean;
  token: string;
}

export function Failures({ failures, error, loading, token }: Props) {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['dead-letters'] }),
      queryClient.invalidateQueries({ queryKey: ['status'] }),
    ]);
  const retry = useMutation({ mutationFn: (taskId: string) => api.retry(taskId, token), onSuccess: refresh });
  const dismiss = useMutation({ mutationFn: (taskId: string) => api.dismiss(taskId, token), onSuccess: refresh });

  return (
    <section className="panel" data-testid="failures">
      <h2>
        Recent failures <span className="muted small">{failures ? failures.length : ''}</span>
      </h2>
      {error && <p className="error">Cannot load failures: {error.message}</p>}
      <p className="control-result" role="status" aria-live="polite" data-testid="retry-result">
        {retry.isSuccess && <span className="ok">Requeued {retry.data.taskId}</span>}
        {retry.isError && <span className="error">Retry failed: {retry.error.message}</span>}
        {dismiss.isSuccess && <span className="ok">Dismissed {dismiss.data.taskId}</span>}
        {dismiss.isError && <span className="error">Dismiss failed: {dismiss.error.message}</span>}
      </p>
      {loading && !failures && <p className="muted">Loading…</p>}
      {failures && failures.length === 0 && <p className="muted" data-testid="no-failures">No failed tasks.</p>}
      <ul className="failures">
        {(failures ?? []).map((f) => (
          <li key={f.taskId} className="failure" data-testid="failure-row" data-task-id={f.taskId}>
            <div className="failure-head">
              <code className="failure-id">{f.taskId}</code>
              <span className="chip">{f.type}</span>
              <span className="muted small">
                {f.retryCount} {f.retryCount === 1 ? 'retry' : 'retries'} · failed {ago(f.failedAt)}
              </span>
              <button
                type="button"
                className="button-small"
                disabled={retry.isPending && retry.variables === f.taskId}
                onClick={() => retry.mutate(f.taskId)}
                data-testid="retry-button"
              >
                {retry.isPending && retry.variables === f.taskId ? 'Retrying…' : 'Retry'}
              </button>
              <button
                type="button"
                className="button-small button-secondary"
                disabled={dismiss.isPending && dismiss.variables === f.taskId}
                onClick={() => dismiss.mutate(f.taskId)}
                data-testid="dismiss-button"
              >
                Dismiss
              </button>
            </div>
            <pre className="failure-error">{f.error ?? 'no error message'}</pre>
          </li>
        ))}
      </ul>
    </section>
  );
}
