/** Hash routes: #/overview, #/regions, #/findings, #/readiness, #/stations?region=AKM, #/station/AKM-0001, #/alerts, #/review, #/forensics. */
export type RouteName =
  | "overview"
  | "regions"
  | "findings"
  | "readiness"
  | "stations"
  | "station"
  | "alerts"
  | "review"
  | "forensics";

export interface Route {
  name: RouteName;
  id?: string;
  params: URLSearchParams;
}

const NAMES: RouteName[] = ["overview", "regions", "findings", "readiness", "stations", "station", "alerts", "review", "forensics"];

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?", 2);
  const [name, ...rest] = path.split("/");
  const params = new URLSearchParams(query);
  if (!NAMES.includes(name as RouteName)) return { name: "overview", params };
  const id = rest.length ? decodeURIComponent(rest.join("/")) : undefined;
  if (name === "station" && !id) return { name: "stations", params };
  return { name: name as RouteName, id, params };
}

export function href(name: RouteName, id?: string, params?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v) q.set(k, v);
  const qs = q.toString();
  return `#/${name}${id ? `/${encodeURIComponent(id)}` : ""}${qs ? `?${qs}` : ""}`;
}
