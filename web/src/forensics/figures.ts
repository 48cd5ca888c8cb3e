/** The integer-percentage figures as the table shows them, and the verdict line above it. */
import type { Forensics, IntegerTest, RegionScreen } from "../api/types";
import { num } from "../format";
import type { StringKey } from "../strings/en";

export interface FigureRow {
  key: "either" | "turnout" | "leaderShare";
  label: StringKey;
  test: IntegerTest;
  /** observed / expected (null when nothing is expected). */
  ratio: number | null;
  /** The row the region alert thresholds. */
  screened: boolean;
}

const ROWS: { key: FigureRow["key"]; label: StringKey }[] = [
  { key: "either", label: "intEither" },
  { key: "turnout", label: "intTurnout" },
  { key: "leaderShare", label: "intShare" },
];

export function figureRows(f: Forensics): FigureRow[] {
  return ROWS.map(({ key, label }) => {
    const test = f.integer[key];
    return { key, label, test, ratio: test.expected > 0 ? test.observed / test.expected : null, screened: key === "either" };
  });
}

export type Verdict = "flagged" | "aboveTooFew" | "tooFew" | "withinChance" | "elevated";

/**
 * What the figures say, in the alert's terms (the API's `screen`, the rule `pollwatch forensics` applies
 * too): flagged (z at or above the threshold with enough protocols tested), aboveTooFew (z at or above
 * the threshold on fewer protocols than the rule needs: shown, not flagged), tooFew (fewer tested, z
 * below), elevated (z at least 2 but below the threshold) or withinChance.
 */
export function verdict(f: Forensics): Verdict {
  if (f.screen === "FLAGGED") return "flagged";
  if (f.screen === "TOO_FEW_TESTED") return "aboveTooFew";
  if (f.tested < f.minStations) return "tooFew";
  return f.integer.either.z >= 2 ? "elevated" : "withinChance";
}

/** The national list split as the command line prints it: flagged regions, then the near misses. */
export function screenLists(f: Forensics): { flagged: RegionScreen[]; tooFew: RegionScreen[] } {
  const regions = f.regionsAboveThreshold ?? [];
  return {
    flagged: regions.filter((r) => r.screen === "FLAGGED"),
    tooFew: regions.filter((r) => r.screen === "TOO_FEW_TESTED"),
  };
}

const P_FLOOR = 1e-15;
const SUPERSCRIPT: Record<string, string> = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

/**
 * A p-value for reading: 0.042, 0.001, 3.2 × 10⁻¹²; "< 10⁻¹⁵" below what the API's tail (1 minus a
 * probability in double precision) can resolve, where it answers 0; "–" when unknown.
 */
export function formatP(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p) || p < 0) return "–";
  if (p >= 0.001) return num(p >= 0.9995 ? 1 : p, 3);
  if (p < P_FLOOR) return "< 10⁻¹⁵";
  let exp = Math.floor(Math.log10(p));
  let mant = p / 10 ** exp;
  if (Number(mant.toFixed(1)) >= 10) {
    mant /= 10;
    exp += 1;
  }
  const sup = String(exp).split("").map((c) => SUPERSCRIPT[c] ?? c).join("");
  return `${num(mant, 1)} × 10${sup}`;
}
