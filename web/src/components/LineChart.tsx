import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Point } from "../state/series";

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
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, Math.ceil(max / 10) * 10)] } },
      axes: [
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" } },
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, values: (_u, vals) => vals.map((v) => `${v}%`) },
      ],
      series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, dash: l.dash, points: { show: false } }))],
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

/** uPlot wants one shared x array: the union of all lines' times, values carried forward. */
function toData(lines: Line[]): uPlot.AlignedData {
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
