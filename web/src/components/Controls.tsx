import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';

const BUILTIN_TYPES = ['discovery', 'ingestion', 'processing'];

export function Controls({ token, workerTypes }: { token: string; workerTypes: string[] }) {
  const queryClient = useQueryClient();
  const types = [...new Set([...BUILTIN_TYPES, ...workerTypes])];
  const [type, setType] = useState(BUILTIN_TYPES[0]);
  const refresh = () => Promise.all([
    queryClient.invalidateQueries({ queryKey: ['status'] }),
    queryClient.invalidateQueries({ queryKey: ['workers'] }),
  ]);

  const spawn = useMutation({ mutationFn: (t: string) => api.spawnWorker(t, token), onSuccess: refresh });
  const discovery = useMutation({ mutationFn: () => api.runDiscovery(token), onSuccess: refresh });

  const onSpawn = (e: FormEvent) => {
    e.preventDefault();
    discovery.reset();
    spawn.mutate(type);
  };

  return (
    <section className="panel" data-testid="controls">
      <h2>Controls</h2>
      <form className="control-row" onSubmit={onSpawn}>
        <label htmlFor="spawn-type">Spawn worker</label>
        <select id="spawn-type" value={type} onChange={(e) => setType(e.target.value)} data-testid="spawn-type">
          {types.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button type="submit" disabled={spawn.isPending} data-testid="spawn-button">
          {spawn.isPending ? 'Spawning…' : 'Spawn'}
        </button>
      </form>
      <div className="control-row">
        <span className="label">Discovery</span>
        <button
          type="button"
          disabled={discovery.isPending}
          onClick={() => {
            spawn.reset();
            discovery.mutate();
          }}
          data-testid="discovery-button"
        >
          {discovery.isPending ? 'Scheduling…' : 'Run discovery now'}
        </button>
      </div>
      <p className="control-result" role="status" aria-live="polite" data-testid="control-result">
        {spawn.isSuccess && <span className="ok">Spawned {spawn.data.workerId}</span>}
        {spawn.isError && <span className="error">Spawn failed: {spawn.error.message}</span>}
        {discovery.isSuccess && (
          <span className="ok">
            Discovery: {discovery.data.queued.length} task{discovery.data.queued.length === 1 ? '' : 's'} queued
            {discovery.data.skipped.length > 0 && `, ${discovery.data.skipped.length} skipped`}
          </span>
        )}
        {discovery.isError && <span className="error">Discovery failed: {discovery.error.message}</span>}
      </p>
    </section>
  );
}
