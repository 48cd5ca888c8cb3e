/** Queries and mutations over HTTP POST with the session's key in the X-API-Key header. */

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: GraphQLErrorItem[] = [],
  ) {
    super(message);
  }
}

export interface Result<T> {
  data: T;
  /** Field errors that came with partial data (e.g. a field this role may not read). */
  errors: GraphQLErrorItem[];
}

export const ENDPOINT = "/graphql";

/** Whether an error only says the role may not read something (the view then leaves it out). */
export function isForbidden(e: GraphQLErrorItem): boolean {
  const code = e.extensions?.code ?? "";
  return code === "FORBIDDEN" || /requires the \w+ role/.test(e.message);
}

export async function gql<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<Result<T>> {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T | null; errors?: GraphQLErrorItem[] } = {};
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, response.status);
  }
  const errors = body.errors ?? [];
  if (!response.ok && !body.data) {
    throw new ApiError(errors[0]?.message ?? `HTTP ${response.status}`, response.status, errors);
  }
  if (body.data == null) {
    throw new ApiError(errors[0]?.message ?? "no data", response.status, errors);
  }
  const unexpected = errors.filter((e) => !isForbidden(e));
  if (unexpected.length > 0) console.warn("GraphQL errors", unexpected);
  return { data: body.data, errors };
}
