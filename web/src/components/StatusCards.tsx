import type { ReactNode } from 'react';
import type { SystemStatus } from '../api.js';
import { bytes, count, duration } from '../format.js';
import { Sparkline } from './Sparkline.js';

interface CardProps {
  title: string;
  value: ReactNode;
  testId: string;
  children?: ReactNode;
}

function MetricCard({ title, value, testId, children }: CardProps) {
  return (
    <section className="card" data-testid={testId}>
      <h2 className="card-title">{title}</h2>
      <p className="card-value" data-testid={`${testId}-value`}>
        {value}
      </p>
      {children}
    </section>
  );
}

function Breakdown({ entries, testId }: { entries: Array<[string, number]>; testId: string }) {
  if (entries.length === 0) return <p className="muted small">none</p>;
  return (
    <ul className="chips" data-testid={testId}>
      {entries.map(([k, v]) => (
        <li key={k} className="chip">
          {k} <strong>{v}</strong>
        </li>
      ))}
    </ul>
  );
}

function Stat({ label, value, testId }: { label: string; value: ReactNode; testId: string }) {
  return (
    <span className="stat">
      <strong data-testid={testId}>{value}</strong> {label}
    </span>
  );
}

export function StatusCards({ status, loading }: { status: SystemStatus | undefined; loading: boolean }) {
  const s = status;
  const dash = loading ? '…' : '—';
  return (
    <div className="cards">
      <MetricCard title="Active Workers" testId="card-workers" value={s ? count(s.workers.total) : dash}>
        <Breakdown entries={Object.entries(s?.workers.byType ?? {})} testId="workers-by-type" />
        {s && Object.keys(s.workers.byStatus).length > 0 && (
          <p className="muted small">
            {Object.entries(s.workers.byStatus)
              .map(([k, v]) => `${v} ${k}`)
              .join(' · ')}
          </p>
        )}
      </MetricCard>

      <MetricCard title="Task Queue" testId="card-queue" value={s ? count(s.tasks.queued) : dash}>
        <p className="stats">
          <Stat label="active" value={s ? count(s.tasks.active) : dash} testId="tasks-active" />
          <Stat label="completed" value={s ? count(s.tasks.completed) : dash} testId="tasks-completed" />
          <Stat label="failed" value={s ? count(s.tasks.failed) : dash} testId="tasks-failed" />
          <Stat label="avg time" value={s ? duration(s.tasks.averageCompletionTime) : dash} testId="tasks-avg" />
        </p>
      </MetricCard>

      <MetricCard
        title="Discovery Rate"
        testId="card-discovery"
        value={s ? <>{count(s.performance.eventDiscoveryRate)}<small>/hr</small></> : dash}
      >
        <Sparkline points={s?.discoveryHistory ?? []} label="Events discovered per hour" />
      </MetricCard>

      <MetricCard
        title="Ingestion Rate"
        testId="card-ingestion"
        value={s ? <>{count(s.performance.ingestionRate)}<small>/hr</small></> : dash}
      >
        <p className="muted small">raw events merged into canonical events in the last hour</p>
      </MetricCard>

      <MetricCard title="System" testId="card-system" value={s ? <>{s.performance.cpuUsage.toFixed(1)}<small>% CPU</small></> : dash}>
        <p className="stats">
          <Stat label="memory" value={s ? bytes(s.performance.memoryUsage) : dash} testId="system-memory" />
          <Stat label="loop lag" value={s ? `${s.performance.eventLoopLagMs.toFixed(1)} ms` : dash} testId="system-lag" />
        </p>
      </MetricCard>
    </div>
  );
}
