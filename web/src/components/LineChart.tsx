import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { clock, hourMinute, pct } from "../format";
import { timeAxisRange, type Point } from "../state/series";
import { t } from "../strings";
import { NO_ZONES, zoneLabel, zoneOf, type Zones } from "../zones";

export interface Line {
  label: string;
  points: Point[];
  color: string;
  dash?: number[];
}

/**
 * Turnout curves (percent over time of day) drawn by uPlot; resizes with its container. Times read on
 * `region`'s clock (the election's when none), with the zone's offset where the regions' clocks differ.
 */
export function LineChart({ lines, height = 220, label, zones = NO_ZONES, region = null }: { lines: Line[]; height?: number; label: string; zones?: Zones; region?: string | null }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zone = zoneOf(zones, region);
  // Labelled as at the newest point (a replayed day's offset may not be today's).
  const newest = lines.reduce((m, l) => Math.max(m, l.points.at(-1)?.t ?? -Infinity), -Infinity);
  const offset = zoneLabel(zones, Number.isFinite(newest) ? newest : Date.now(), region);
  const shape = `${lines.map((l) => l.label).join("|")}|${zone}|${offset}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: lines.length > 1 },
      cursor: { drag: { x: false, y: false } },
      // uPlot's time scale reads seconds (toData divides our ms); its own range around one or two close
      // points pads by the value's magnitude (years), so the range is the election day's hours instead.
      // Ticks on the zone's whole hours (uPlot places them on the browser's otherwise).
      ...(zone ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), zone) } : {}),
      scales: { x: { time: true, range: (u) => timeAxisRange(secondsToMs(u.data[0]), Date.now()) }, y: { range: (_u, _min, max) => [0, Math.max(10, Math.ceil(max / 10) * 10)] } },
      // Times and percentages in the reader's locale (uPlot's own labels are English, 12-hour).
      axes: [
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, values: (_u, vals) => vals.map((v) => hourMinute(v * 1000, zone)) },
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, values: (_u, vals) => vals.map((v) => pct(v, Number.isInteger(v) ? 0 : 1)) },
      ],
      series: [
        { label: offset ? t("chartTimeInZone", { zone: offset }) : t("chartTime"), value: (_u, v) => (v == null ? "–" : clock(v * 1000, zone)) },
        ...lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 2,
          dash: l.dash,
          points: { show: fewPoints, size: 6, fill: l.color },
          value: (_u: uPlot, v: number | null) => pct(v, 1),
        })),
      ],
    };
    const p = new uPlot(opts, toData(lines), el);
    plot.current = p;
    const ro = new ResizeObserver(() => p.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(toData(lines));
  });

  return <div class="chart" ref={box} role="img" aria-label={label} />;
}

/** Dots on a line while it has few points (one point draws no line at all), not on a dense curve. */
function fewPoints(_u: uPlot, _si: number, i0: number, i1: number): boolean {
  return i1 - i0 < 48;
}

function secondsToMs(xs: ArrayLike<number>): number[] {
  return Array.from(xs, (x) => x * 1000);
}

/** uPlot wants one shared x array: the union of all lines' times, values carried forward. */
export function toData(lines: Line[]): uPlot.AlignedData {
  const times = [...new Set(lines.flatMap((l) => l.points.map((p) => p.t)))].sort((a, b) => a - b);
  const xs = times.map((t) => t / 1000);
  const ys = lines.map((l) => {
    const m = new Map(l.points.map((p) => [p.t, p.v]));
    const first = l.points.length ? l.points[0].t : Infinity;
    let last: number | null = null;
    return times.map((t) => {
      const v = m.get(t);
      if (v !== undefined) last = v;
      return t < first ? null : last;
    });
  });
  return [xs, ...ys] as uPlot.AlignedData;
}
