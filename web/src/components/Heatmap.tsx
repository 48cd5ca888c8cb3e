import { useEffect, useRef, useState } from "preact/hooks";
import { int, num, pct } from "../format";
import { binRange, cellAt, coarsen, colourAt, css, legendGradient, legendTicks, logScale, moveCell, summarise, type Cell, type Grid } from "../forensics/heatmap";
import { t } from "../strings";

const M = { left: 52, right: 12, top: 12, bottom: 44 };
const MIN_SIDE = 220;
const MAX_SIDE = 520;
const PLOT_BG = "#0f172a";
const BANDS = 10;

/**
 * The election fingerprint on a canvas: turnout across, leader share up, stations per cell on a log
 * colour scale. Focusable: arrow keys move a cursor whose cell is read out in a live region; the text
 * summary describes the canvas and a table of 10-point bands carries the same data in text.
 */
export function Heatmap({ grid, scope }: { grid: Grid; scope: string }) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [cursor, setCursor] = useState<Cell | null>(null);
  const side = Math.max(MIN_SIDE, Math.min(MAX_SIDE, (width || MAX_SIDE + M.left + M.right) - M.left - M.right));
  const summary = summarise(grid);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (c) draw(c, grid, side, cursor);
  });

  const cellText = (cell: Cell) => {
    const [t0, t1] = binRange(cell.turnout, grid.bins);
    const [s0, s1] = binRange(cell.share, grid.bins);
    return t("fpCell", { t0: num(t0, 0), t1: num(t1, 0), s0: num(s0, 0), s1: num(s1, 0), c: int(grid.counts[cell.turnout]?.[cell.share] ?? 0) });
  };
  const fromPointer = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    setCursor(cellAt(e.clientX - r.left - M.left, e.clientY - r.top - M.top, side, grid.bins));
  };
  const onKey = (e: KeyboardEvent) => {
    if (grid.bins === 0) return;
    const next = moveCell(cursor ?? summary.peak ?? { turnout: 0, share: 0 }, e.key, grid.bins, e.shiftKey);
    if (next) {
      e.preventDefault();
      setCursor(next);
    }
  };

  return (
    <div class="heatmap" ref={box}>
      <canvas
        ref={canvas}
        class="heatmap-canvas"
        data-testid="fp-canvas"
        data-total={grid.total}
        data-bins={grid.bins}
        tabIndex={0}
        role="img"
        aria-label={t("fpLabel", { scope, n: int(grid.total) })}
        aria-describedby="fp-summary"
        onMouseMove={fromPointer}
        onMouseLeave={() => setCursor(null)}
        onKeyDown={onKey}
        onFocus={() => setCursor((c) => c ?? summary.peak)}
        onBlur={() => setCursor(null)}
      />
      <p class="fp-readout small" aria-live="polite" data-testid="fp-readout">
        {cursor ? cellText(cursor) : <span class="muted">{t("fpKeys")}</span>}
      </p>
      <Legend max={grid.max} />
      <p id="fp-summary" class="small" data-testid="fp-summary">
        {summary.peak
          ? t("fpSummary", {
              n: int(summary.total),
              t0: num(binRange(summary.peak.turnout, grid.bins)[0], 0),
              t1: num(binRange(summary.peak.turnout, grid.bins)[1], 0),
              s0: num(binRange(summary.peak.share, grid.bins)[0], 0),
              s1: num(binRange(summary.peak.share, grid.bins)[1], 0),
              c: int(summary.peakCount),
              mt: num(summary.meanTurnout, 1),
              ms: num(summary.meanShare, 1),
              hh: int(summary.highHigh),
              hhp: pct((100 * summary.highHigh) / Math.max(1, summary.total), 1),
            })
          : t("fpEmpty")}
      </p>
      <BandTable grid={grid} />
    </div>
  );
}

function Legend({ max }: { max: number }) {
  const ticks = legendTicks(max);
  return (
    <div class="fp-legend" aria-hidden="true">
      <span class="small muted">{t("fpLegend")}</span>
      <div class="fp-legend-bar" style={{ background: legendGradient() }} />
      <div class="fp-legend-ticks small">
        {ticks.map((k) => (
          <span key={k.value} style={{ left: `${(100 * k.at).toFixed(1)}%` }}>
            {int(k.value)}
          </span>
        ))}
      </div>
    </div>
  );
}

function BandTable({ grid }: { grid: Grid }) {
  const bands = coarsen(grid, BANDS);
  const label = (i: number) => `${(100 * i) / BANDS}–${(100 * (i + 1)) / BANDS}`;
  return (
    <details class="fp-table">
      <summary data-testid="fp-table-toggle">{t("fpTable")}</summary>
      <div class="table-wrap">
        <table class="data compact" data-testid="fp-table">
          <caption class="visually-hidden">{t("fpTableCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("fpCorner")}</th>
              {bands.map((_, j) => (
                <th key={j} scope="col" class="num">
                  {label(j)}%
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {bands.map((row, i) => (
              <tr key={i}>
                <th scope="row">{label(i)}%</th>
                {row.map((c, j) => (
                  <td key={j} class={c ? "num" : "num muted"}>
                    {int(c)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function draw(c: HTMLCanvasElement, grid: Grid, side: number, cursor: Cell | null): void {
  const w = side + M.left + M.right;
  const h = side + M.top + M.bottom;
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
  }
  const g = c.getContext("2d");
  if (!g) return;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.fillStyle = PLOT_BG;
  g.fillRect(M.left, M.top, side, side);

  const { bins, counts, max } = grid;
  const edge = (i: number) => Math.round((i * side) / Math.max(1, bins));
  for (let i = 0; i < bins; i++) {
    const x0 = M.left + edge(i);
    const x1 = M.left + edge(i + 1);
    for (let j = 0; j < bins; j++) {
      const at = logScale(counts[i][j], max);
      if (at === null) continue;
      g.fillStyle = css(colourAt(at));
      g.fillRect(x0, M.top + side - edge(j + 1), x1 - x0, edge(j + 1) - edge(j));
    }
  }

  // Grid every 10 points, labels every 20, axis titles.
  g.strokeStyle = "rgba(255, 255, 255, 0.09)";
  g.lineWidth = 1;
  g.fillStyle = "#4b5563";
  g.font = "12px system-ui, 'DejaVu Sans', sans-serif";
  for (let p = 0; p <= 100; p += 10) {
    const x = M.left + Math.round((p / 100) * side) + 0.5;
    const y = M.top + side - Math.round((p / 100) * side) + 0.5;
    if (p > 0 && p < 100) {
      g.beginPath();
      g.moveTo(x, M.top);
      g.lineTo(x, M.top + side);
      g.moveTo(M.left, y);
      g.lineTo(M.left + side, y);
      g.stroke();
    }
    if (p % 20 === 0) {
      g.textAlign = "center";
      g.textBaseline = "top";
      g.fillText(String(p), x, M.top + side + 6);
      g.textAlign = "right";
      g.textBaseline = "middle";
      g.fillText(String(p), M.left - 6, y);
    }
  }
  g.fillStyle = "#111827";
  g.font = "600 12px system-ui, 'DejaVu Sans', sans-serif";
  g.textAlign = "center";
  g.textBaseline = "bottom";
  g.fillText(t("fpAxisTurnout"), M.left + side / 2, h - 4);
  g.save();
  g.translate(14, M.top + side / 2);
  g.rotate(-Math.PI / 2);
  g.textBaseline = "middle";
  g.fillText(t("fpAxisShare"), 0, 0);
  g.restore();

  if (cursor && bins > 0) {
    const x0 = M.left + edge(cursor.turnout);
    const y0 = M.top + side - edge(cursor.share + 1);
    const cw = Math.max(3, edge(cursor.turnout + 1) - edge(cursor.turnout));
    const ch = Math.max(3, edge(cursor.share + 1) - edge(cursor.share));
    g.strokeStyle = "#22d3ee";
    g.lineWidth = 2;
    g.strokeRect(x0 - 1, y0 - 1, cw + 2, ch + 2);
  }
}
