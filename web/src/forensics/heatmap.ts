/**
 * The fingerprint heatmap's data and colours, free of the DOM: the API's matrix checked and summed,
 * a logarithmic colour scale, legend ticks, coarse bands for the table view and the cell under a point.
 *
 * The matrix is counts[turnout bin][leader-share bin]; cell i of `bins` spans [100 i / bins, 100 (i+1) / bins) %.
 * Drawn as the classic election fingerprint: turnout across (x), leader share up (y).
 */

export interface Grid {
  bins: number;
  /** counts[turnout bin][share bin], every row `bins` long, non-negative whole numbers. */
  counts: number[][];
  total: number;
  max: number;
}

/** The API's fingerprint as a square grid: short or missing rows padded with zeros, bad values as zero. */
export function toGrid(fp: { bins: number; counts: number[][] } | null | undefined): Grid {
  const bins = Math.max(0, Math.floor(fp?.bins ?? 0));
  const counts: number[][] = [];
  let total = 0;
  let max = 0;
  for (let i = 0; i < bins; i++) {
    const src = fp?.counts?.[i] ?? [];
    const row = new Array<number>(bins);
    for (let j = 0; j < bins; j++) {
      const v = Number(src[j]);
      const c = Number.isFinite(v) && v > 0 ? Math.round(v) : 0;
      row[j] = c;
      total += c;
      if (c > max) max = c;
    }
    counts.push(row);
  }
  return { bins, counts, total, max };
}

/**
 * Where a count sits on the colour scale, 0..1, logarithmically: 1 station at 0, the densest cell at 1;
 * null for an empty cell (drawn as background, so a single station always shows).
 */
export function logScale(count: number, max: number): number | null {
  if (!(count > 0) || !(max > 0)) return null;
  if (max <= 1) return 1;
  return Math.min(1, Math.max(0, Math.log(count) / Math.log(max)));
}

/** Magma (matplotlib), from dark purple to pale yellow: perceptually uniform and readable in grey. */
const MAGMA: [number, number, number][] = [
  [0x3b, 0x0f, 0x70],
  [0x64, 0x1a, 0x80],
  [0x8c, 0x29, 0x81],
  [0xb7, 0x37, 0x79],
  [0xde, 0x49, 0x68],
  [0xf7, 0x70, 0x5c],
  [0xfe, 0x9f, 0x6d],
  [0xfe, 0xcf, 0x92],
  [0xfc, 0xfd, 0xbf],
];

/** The colour of scale position `t` (0..1, clamped) as [r, g, b]. */
export function colourAt(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (MAGMA.length - 1);
  const i = Math.min(MAGMA.length - 2, Math.floor(x));
  const f = x - i;
  const a = MAGMA[i];
  const b = MAGMA[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

export function css([r, g, b]: [number, number, number]): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/** A CSS linear gradient of the whole scale (the legend bar). */
export function legendGradient(steps = 8): string {
  const stops = Array.from({ length: steps + 1 }, (_, i) => `${css(colourAt(i / steps))} ${((100 * i) / steps).toFixed(1)}%`);
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

/** Legend ticks for a log scale up to `max`: 1, then 10, 100, ... well below max, then max itself. */
export function legendTicks(max: number): { value: number; at: number }[] {
  if (!(max >= 1)) return [];
  const values = [1];
  // Powers of ten, leaving room for the label of max at the end of the bar.
  for (let v = 10; v < max; v *= 10) if ((logScale(v, max) ?? 1) <= 0.85) values.push(v);
  if (max > 1) values.push(Math.round(max));
  return values.map((value) => ({ value, at: logScale(value, max) ?? 0 }));
}

/** Cell i's range in percent, e.g. bins 50, i 30 → [60, 62]. */
export function binRange(i: number, bins: number): [number, number] {
  return [(100 * i) / bins, (100 * (i + 1)) / bins];
}

/** The grid summed into `bands` x `bands` coarser bands (bins must divide evenly; otherwise by rounding down). */
export function coarsen(grid: Grid, bands: number): number[][] {
  const out = Array.from({ length: bands }, () => new Array<number>(bands).fill(0));
  if (grid.bins === 0) return out;
  for (let i = 0; i < grid.bins; i++) {
    const bi = Math.min(bands - 1, Math.floor((i * bands) / grid.bins));
    for (let j = 0; j < grid.bins; j++) {
      const c = grid.counts[i][j];
      if (c) out[bi][Math.min(bands - 1, Math.floor((j * bands) / grid.bins))] += c;
    }
  }
  return out;
}

export interface Cell {
  turnout: number;
  share: number;
}

/**
 * The cell under a point of the plot area (x from its left edge, y from its top edge, `side` pixels
 * square); null outside. Turnout grows to the right, leader share upwards.
 */
export function cellAt(x: number, y: number, side: number, bins: number): Cell | null {
  if (bins <= 0 || side <= 0 || x < 0 || y < 0 || x >= side || y >= side) return null;
  const turnout = Math.min(bins - 1, Math.floor((x / side) * bins));
  const share = Math.min(bins - 1, Math.floor(((side - y) / side) * bins));
  return { turnout, share };
}

/** The cursor moved by a key (arrows; with `big` by 5 cells), kept inside the grid; null for other keys. */
export function moveCell(cell: Cell, key: string, bins: number, big = false): Cell | null {
  const step = big ? 5 : 1;
  const clamp = (v: number) => Math.min(bins - 1, Math.max(0, v));
  switch (key) {
    case "ArrowRight":
      return { ...cell, turnout: clamp(cell.turnout + step) };
    case "ArrowLeft":
      return { ...cell, turnout: clamp(cell.turnout - step) };
    case "ArrowUp":
      return { ...cell, share: clamp(cell.share + step) };
    case "ArrowDown":
      return { ...cell, share: clamp(cell.share - step) };
    case "Home":
      return { turnout: 0, share: 0 };
    case "End":
      return { turnout: bins - 1, share: bins - 1 };
    default:
      return null;
  }
}

export interface Summary {
  total: number;
  /** The densest cell and its count (the first in row order on ties). */
  peak: Cell | null;
  peakCount: number;
  /** Station-weighted mean of the cells' centres, in percent. */
  meanTurnout: number | null;
  meanShare: number | null;
  /** Stations in cells at or above 80 % turnout and 80 % leader share. */
  highHigh: number;
}

/** What the text summary says about the heatmap. */
export function summarise(grid: Grid): Summary {
  let peak: Cell | null = null;
  let peakCount = 0;
  let st = 0;
  let ss = 0;
  let highHigh = 0;
  const { bins, counts, total } = grid;
  for (let i = 0; i < bins; i++) {
    for (let j = 0; j < bins; j++) {
      const c = counts[i][j];
      if (!c) continue;
      if (c > peakCount) {
        peakCount = c;
        peak = { turnout: i, share: j };
      }
      st += c * ((100 * (i + 0.5)) / bins);
      ss += c * ((100 * (j + 0.5)) / bins);
      if ((100 * i) / bins >= 80 && (100 * j) / bins >= 80) highHigh += c;
    }
  }
  return {
    total,
    peak,
    peakCount,
    meanTurnout: total ? st / total : null,
    meanShare: total ? ss / total : null,
    highHigh,
  };
}
