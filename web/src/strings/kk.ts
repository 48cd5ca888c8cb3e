import type { Strings } from "./en";

/** Kazakh: to be completed by a translator; missing keys fall back to English. */
export const kk: Partial<Strings> = {
  navOverview: "Шолу",
  navRegions: "Өңірлер",
  navStations: "Учаскелер",
};
