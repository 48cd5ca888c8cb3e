import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { clock, hourMinute, pct } from "../format";
import { timeAxisRange, type Point } from "../state/series";
import { t } from "../strings";

export interface Line {
  label: string;
  points: Point[];
  color: string;
  dash?: number[];
}

/** Turnout curves (percent over time of day) drawn by uPlot; resizes with its container. */
export function LineChart({ lines, height = 220, label }: { lines: Line[]; height?: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = lines.map((l) => l.label).join("|");

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
      scales: { x: { time: true, range: (u) => timeAxisRange(secondsToMs(u.data[0]), Date.now()) }, y: { range: (_u, _min, max) => [0, Math.max(10, Math.ceil(max / 10) * 10)] } },
      // Times and percentages in the reader's locale (uPlot's own labels are English, 12-hour).
      axes: [
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, values: (_u, vals) => vals.map((v) => hourMinute(v * 1000)) },
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, values: (_u, vals) => vals.map((v) => pct(v, Number.isInteger(v) ? 0 : 1)) },
      ],
      series: [
        { label: t("chartTime"), value: (_u, v) => (v == null ? "–" : clock(v * 1000)) },
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
