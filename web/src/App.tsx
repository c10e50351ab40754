/**
 * The Spawn dashboard, polled from the HTTP API: the workers view (status cards, provider
 * budgets, controls, the worker table, recent failures), the cities view and the events
 * explorer, one per URL hash.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, loadToken, refreshInterval } from './api.js';
import { Cities } from './components/Cities.js';
import { SourceHealth } from './components/SourceHealth.js';
import { Controls } from './components/Controls.js';
import { EventsExplorer } from './components/EventsExplorer.js';
import { Failures } from './components/Failures.js';
import { Header } from './components/Header.js';
import { Nav, useView } from './components/Nav.js';
import { ProviderBudgets } from './components/ProviderBudgets.js';
import { ReviewQueue } from './components/ReviewQueue.js';
import { StatusCards } from './components/StatusCards.js';
import { WorkerTable } from './components/WorkerTable.js';

const interval = refreshInterval();

export function App() {
  const [token, setToken] = useState(loadToken);
  const view = useView();
  const onWorkers = view === 'workers';
  const status = useQuery({ queryKey: ['status', token], queryFn: () => api.status(token), refetchInterval: interval });
  const workers = useQuery({ queryKey: ['workers', token], queryFn: () => api.workers(token), refetchInterval: interval, enabled: onWorkers });
  const failures = useQuery({ queryKey: ['dead-letters', token], queryFn: () => api.deadLetters(20, token), refetchInterval: interval, enabled: onWorkers });

  return (
    <>
      <Header status={status.data} updatedAt={status.dataUpdatedAt} error={status.error} token={token} onToken={setToken} />
      <Nav view={view} />
      <main className="page">
        {status.error && (
          <p className="banner banner-error" role="alert" data-testid="status-error">
            Cannot load the status: {status.error.message}
          </p>
        )}
        {onWorkers && (
          <>
            <StatusCards status={status.data} loading={status.isPending} />
            <div className="split">
              <ProviderBudgets providers={status.data?.providers} />
              <Controls token={token} workerTypes={Object.keys(status.data?.workers.byType ?? {})} />
            </div>
            <WorkerTable workers={workers.data} error={workers.error} loading={workers.isPending} />
            <Failures failures={failures.data} error={failures.error} loading={failures.isPending} token={token} />
            <ReviewQueue token={token} refetchInterval={interval} />
          </>
        )}
        {view === 'cities' && (
          <>
            <Cities token={token} interval={interval} providers={status.data?.providers} />
            <SourceHealth token={token} interval={interval} />
          </>
        )}
        {view === 'events' && <EventsExplorer token={token} />}
      </main>
    </>
  );
}
