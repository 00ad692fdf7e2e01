import createClient, { type Middleware } from "openapi-fetch";
import { loadTokens, refreshTokens } from "../features/auth/tokens";
import { apiLanguage } from "../i18n";
import type { paths } from "./schema";

/** Asks the API for its texts (error messages) in the language the console shows. */
const acceptLanguage: Middleware = {
  onRequest({ request }) {
    request.headers.set("Accept-Language", apiLanguage());
    return request;
  },
};

async function isExpired(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  try {
    const body = (await response.clone().json()) as { code?: string };
    return body.code === "token_expired";
  } catch {
    return false;
  }
}

/**
 * Sends the access token, and on `token_expired` refreshes once and repeats the request. Looks
 * `fetch` up on each call rather than capturing it, so tests can replace it.
 */
export async function authorizedFetch(request: Request): Promise<Response> {
  const tokens = loadTokens();
  if (!tokens || request.headers.has("Authorization")) return globalThis.fetch(request);
  const retry = request.clone();
  request.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
  const response = await globalThis.fetch(request);
  if (!(await isExpired(response))) return response;
  const refreshed = await refreshTokens();
  if (!refreshed) return response;
  retry.headers.set("Authorization", `Bearer ${refreshed.accessToken}`);
  return globalThis.fetch(retry);
}

/** The typed API client: paths, bodies and answers come from openapi/openapi.json. */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  fetch: authorizedFetch,
});
api.use(acceptLanguage);
