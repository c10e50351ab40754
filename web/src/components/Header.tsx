import { useState, type FormEvent } from 'react';
import { saveToken, type SystemStatus } from '../api.js';
import { clock } from '../format.js';

interface Props {
  status: SystemStatus | undefined;
  updatedAt: number;
  error: Error | null;
  token: string;
  onToken(token: string): void;
}

export function Header({ status, updatedAt, error, token, onToken }: Props) {
  const [draft, setDraft] = useState(token);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = draft.trim();
    saveToken(value);
    onToken(value);
  };
  const live = !error && updatedAt > 0;
  return (
    <header className="topbar">
      <div className="brand">
        <h1>
          SceneScout <span>Spawn</span>
        </h1>
        <p className="meta" data-testid="connection">
          <span className={`dot ${live ? 'dot-ok' : error ? 'dot-bad' : 'dot-idle'}`} aria-hidden="true" />
          {live ? `Live · updated ${clock(new Date(updatedAt))}` : error ? 'Offline' : 'Connecting…'}
          {status && (
            <>
              {' · '}replica <code>{status.replicaId}</code> · {status.database}
            </>
          )}
        </p>
      </div>
      <form className="token" onSubmit={submit}>
        <label htmlFor="api-token">API token</label>
        <input
          id="api-token"
          type="password"
          autoComplete="off"
          placeholder="Bearer token for changes"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          data-testid="token-input"
        />
        <button type="submit" className="button-secondary" data-testid="token-save">
          {token && draft.trim() === token ? 'Saved' : 'Save'}
        </button>
      </form>
    </header>
  );
}
