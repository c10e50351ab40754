/**
 * The Spawn health dashboard: status cards, provider budgets, controls, the worker
 * table and recent failures, each polled from the HTTP API.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, loadToken, refreshInterval } from './api.js';
import { Controls } from './components/Controls.js';
import { Failures } from './components/Failures.js';
import { Header } from './components/Header.js';
import { ProviderBudgets } from './components/ProviderBudgets.js';
import { StatusCards } from './components/StatusCards.js';
import { WorkerTable } from './components/WorkerTable.js';

const interval = refreshInterval();

export function App() {
  const [token, setToken] = useState(loadToken);
  const status = useQuery({ queryKey: ['status', token], queryFn: () => api.status(token), refetchInterval: interval });
  const workers = useQuery({ queryKey: ['workers', token], queryFn: () => api.workers(token), refetchInterval: interval });
  const failures = useQuery({ queryKey: ['dead-letters', token], queryFn: () => api.deadLetters(20, token), refetchInterval: interval });

  return (
    <>
      <Header status={status.data} updatedAt={status.dataUpdatedAt} error={status.error} token={token} onToken={setToken} />
      <main className="page">
        {status.error && (
          <p className="banner banner-error" role="alert" data-testid="status-error">
            Cannot load the status: {status.error.message}
          </p>
        )}
        <StatusCards status={status.data} loading={status.isPending} />
        <div className="split">
          <ProviderBudgets providers={status.data?.providers} />
          <Controls token={token} workerTypes={Object.keys(status.data?.workers.byType ?? {})} />
        </div>
        <WorkerTable workers={workers.data} error={workers.error} loading={workers.isPending} />
        <Failures failures={failures.data} error={failures.error} loading={failures.isPending} token={token} />
      </main>
    </>
  );
}
