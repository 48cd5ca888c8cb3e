import type { Strings } from "./en";

/** Russian: to be completed by a translator; missing keys fall back to English. */
export const ru: Partial<Strings> = {
  navOverview: "Обзор",
  navRegions: "Регионы",
  navStations: "Участки",
  navAlerts: "Оповещения",
  navForensics: "Аналитика",
  connLive: "В эфире",
  connReconnecting: "Переподключение",
  // Forensics: region screen
  verdictAboveTooFew:
    "z = {z} достигает порога {th}, но проверено лишь {n} протоколов: регион отмечается (и по нему поднимается оповещение), когда проверено не меньше {min} протоколов, — то же правило, что в pollwatch forensics. Показано, но не отмечено.",
  screenTitle: "Проверка регионов",
  screenSummary:
    "Отмечено регионов: {n} из {total} — z ≥ {th} и проверено не меньше {min} протоколов; это правило оповещения по региону и pollwatch forensics.",
  screenTooFewHead: "Ещё с z ≥ {th}, но проверено меньше {min} протоколов (не отмечены, оповещения нет):",
  screenRegion: "z = {z}, проверено протоколов: {n}",
};
