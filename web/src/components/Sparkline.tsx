import type { Point } from "../state/series";

/** A tiny inline SVG line (no axes): cheap enough for one per table row. */
export function Sparkline({ points, width = 96, height = 24, label }: { points: Point[]; width?: number; height?: number; label: string }) {
  if (points.length === 0) return <svg class="spark" width={width} height={height} role="img" aria-label={label} />;
  if (points.length === 1) {
    // One point draws no line: a dot at the right end, at its height on a 0..max scale.
    const cy = points[0].v > 0 ? 2 : height - 2;
    return (
      <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <circle cx={width - 3} cy={cy} r="2" fill="currentColor" />
      </svg>
    );
  }
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  let vmax = 0;
  for (const p of points) vmax = Math.max(vmax, p.v);
  vmax = vmax || 1;
  const x = (t: number) => (t1 === t0 ? width : ((t - t0) / (t1 - t0)) * (width - 2) + 1);
  const y = (v: number) => height - 1 - (v / vmax) * (height - 2);
  const d = points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
  return (
    <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}
