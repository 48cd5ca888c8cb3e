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
};
