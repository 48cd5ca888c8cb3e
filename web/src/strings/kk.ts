import type { Strings } from "./en";

/** Kazakh: to be completed by a translator; missing keys fall back to English. */
export const kk: Partial<Strings> = {
  navOverview: "Шолу",
  navRegions: "Өңірлер",
  navStations: "Учаскелер",
  // Forensics: region screen
  verdictAboveTooFew:
    "z = {z} {th} шегіне жетеді, бірақ небәрі {n} хаттама тексерілген: өңір кемінде {min} хаттама тексерілгенде белгіленеді (әрі ол бойынша дабыл көтеріледі), pollwatch forensics-тегі ереже де осы. Көрсетілген, бірақ белгіленбеген.",
  screenTitle: "Өңірлерді тексеру",
  screenSummary:
    "{total} өңірдің {n} белгіленді: z ≥ {th} және кемінде {min} хаттама тексерілген; бұл — өңір дабылының және pollwatch forensics-тің ережесі.",
  screenTooFewHead: "Сондай-ақ z ≥ {th}, бірақ {min}-ден аз хаттама тексерілген (белгіленбеген, дабыл жоқ):",
  screenRegion: "z = {z}, тексерілген хаттамалар: {n}",
};
