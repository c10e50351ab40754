/** A small inline-SVG area chart of hourly counts, oldest first. */
interface Point {
  hour: string;
  count: number;
}

interface Props {
  points: Point[];
  label: string;
}

const HOUR = 3_600_000;

/**
 * The status lists only hours that had events; the chart needs every hour of the last day,
 * so missing hours count as zero.
 */
export function lastHours(points: Point[], hours = 24, now = Date.now()): Point[] {
  const byHour = new Map<number, number>();
  for (const p of points) {
    const t = Date.parse(p.hour);
    if (!Number.isNaN(t)) byHour.set(Math.floor(t / HOUR), (byHour.get(Math.floor(t / HOUR)) ?? 0) + p.count);
  }
  const current = Math.floor(now / HOUR);
  return Array.from({ length: hours }, (_, i) => {
    const h = current - (hours - 1 - i);
    return { hour: new Date(h * HOUR).toISOString(), count: byHour.get(h) ?? 0 };
  });
}

const W = 240;
const H = 48;

export function Sparkline({ points: raw, label }: Props) {
  const points = lastHours(raw);
  const max = Math.max(1, ...points.map((p) => p.count));
  const step = points.length > 1 ? W / (points.length - 1) : W;
  const xy = points.map((p, i) => [i * step, H - 2 - (p.count / max) * (H - 6)] as const);
  const line = xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const area = `0,${H} ${line} ${W},${H}`;
  const last = xy[xy.length - 1];
  const peak = points.reduce((a, b) => (b.count > a.count ? b : a));
  return (
    <figure className="spark" data-testid="discovery-chart">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={label}>
        <title>{`${label}: peak ${peak.count}/hr`}</title>
        <polygon className="spark-area" points={area} />
        <polyline className="spark-line" points={line} vectorEffect="non-scaling-stroke" />
        {last && <circle className="spark-dot" cx={last[0]} cy={last[1]} r="2.5" />}
      </svg>
      <figcaption className="muted small">
        last 24 h · {peak.count > 0 ? `peak ${peak.count}/hr` : 'no events yet'}
      </figcaption>
    </figure>
  );
}
