/**
 * Dedupe's review queue: each pair the matcher was unsure of, both listings side by side as
 * their sources wrote them, the evidence, and the operator's decision (token required). A
 * decision is stored as a constraint every later dedupe run obeys (README, "Correcting dedupe").
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type ReviewItem } from '../api.js';
import { ago } from '../format.js';
import { ScrollTable, type Column } from './ScrollTable.js';

type Listing = ReviewItem['a'];

function localStart(r: Listing): string {
  if (!r.startsAt) return '—';
  const day: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };
  const options: Intl.DateTimeFormatOptions = r.allDay ? day : { ...day, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: r.timezone ?? 'UTC' }).format(new Date(r.startsAt));
  } catch {
    return r.startsAt;
  }
}

function ListingCard({ listing, side }: { listing: Listing; side: 'a' | 'b' }) {
  const place = [listing.venueName, listing.address, listing.city].filter(Boolean).join(', ');
  return (
    <div className="listing" data-testid={`review-listing-${side}`}>
      <div className="listing-head">
        <span className="chip">{listing.source}</span>
        <code className="muted small listing-id">{listing.externalId}</code>
      </div>
      <p className="listing-title" data-testid="listing-title">{listing.title ?? '(no title)'}</p>
      <dl className="listing-fields">
        <dt>Starts</dt>
        <dd>{localStart(listing)}{listing.allDay ? ' (all day)' : ''}</dd>
        <dt>Venue</dt>
        <dd>{place || '—'}</dd>
        <dt>Coordinates</dt>
        <dd>{listing.latitude !== null && listing.longitude !== null ? `${listing.latitude.toFixed(5)}, ${listing.longitude.toFixed(5)}` : 'none'}</dd>
        <dt>Event</dt>
        <dd>{listing.eventId ? <code>{listing.eventId}</code> : '—'}</dd>
      </dl>
      {listing.url && (
        <a className="small" href={listing.url} target="_blank" rel="noreferrer noopener">
          Listing at the source
        </a>
      )}
    </div>
  );
}

const EVIDENCE_COLUMNS: Column[] = ['field', 'level', { label: 'weight', num: true }, 'compared'];

function Evidence({ item }: { item: ReviewItem }) {
  const e = item.evidence;
  return (
    <div className="evidence" data-testid="review-evidence">
      <p className="stats">
        <span className="stat">score <strong>{e.score.toFixed(2)}</strong></span>
        <span className="stat">probability <strong>{(e.probability * 100).toFixed(0)}%</strong></span>
        <span className="stat">model <strong>{e.model}</strong></span>
        <span className="stat">queued <strong>{ago(item.createdAt)}</strong></span>
      </p>
      <ScrollTable columns={EVIDENCE_COLUMNS}>
        {e.fields.map((f, i) => (
          <tr key={`${f.field}-${i}`} data-testid="evidence-row">
            <td>{f.field}</td>
            <td>{f.level}</td>
            <td className="num">{f.weight.toFixed(2)}</td>
            <td className="evidence-detail">{f.detail ?? ''}</td>
          </tr>
        ))}
        {e.fields.length === 0 && (
          <tr><td colSpan={EVIDENCE_COLUMNS.length} className="empty muted">no field comparisons recorded</td></tr>
        )}
      </ScrollTable>
    </div>
  );
}

export function ReviewQueue({ token, refetchInterval }: { token: string; refetchInterval: number }) {
  const queryClient = useQueryClient();
  const review = useQuery({ queryKey: ['review', token], queryFn: () => api.review(50, token), refetchInterval, retry: false });
  const decide = useMutation({
    mutationFn: (v: { pairId: string; decision: 'same' | 'different' }) => api.decideReview(v.pairId, v.decision, token),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['review'] }),
  });
  const unavailable = review.error instanceof ApiError && review.error.status === 501;
  const items = review.data?.items;

  return (
    <section className="panel" data-testid="review-queue">
      <h2>
        Dedupe review <span className="muted small" data-testid="review-count">{items ? items.length : ''}</span>
      </h2>
      {unavailable && <p className="muted">This service has no catalogue to review.</p>}
      {review.error && !unavailable && <p className="error" data-testid="review-error">Cannot load the review queue: {review.error.message}</p>}
      <p className="control-result" role="status" aria-live="polite" data-testid="review-result">
        {decide.isSuccess && (
          <span className="ok">
            Decided {decide.data.decision === 'same' ? 'same event' : 'different events'} ({decide.data.pairId})
          </span>
        )}
        {decide.isError && <span className="error">Decision failed: {decide.error.message}</span>}
      </p>
      {review.isPending && <p className="muted">Loading…</p>}
      {items && items.length === 0 && <p className="muted" data-testid="review-empty">Nothing to review.</p>}
      <ul className="reviews">
        {(items ?? []).map((item) => {
          const busy = decide.isPending && decide.variables?.pairId === item.pairId;
          return (
            <li key={item.pairId} className="review" data-testid="review-item" data-pair-id={item.pairId}>
              <div className="review-pair">
                <ListingCard listing={item.a} side="a" />
                <ListingCard listing={item.b} side="b" />
              </div>
              <Evidence item={item} />
              <div className="review-actions">
                <button type="button" disabled={busy} data-testid="review-same"
                  onClick={() => decide.mutate({ pairId: item.pairId, decision: 'same' })}>
                  Same event
                </button>
                <button type="button" className="button-secondary" disabled={busy} data-testid="review-different"
                  onClick={() => decide.mutate({ pairId: item.pairId, decision: 'different' })}>
                  Different events
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
