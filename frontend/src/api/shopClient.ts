import createClient, { type Middleware } from "openapi-fetch";
import { apiLanguage } from "../i18n";
import type { paths } from "./schema";

const acceptLanguage: Middleware = {
  onRequest({ request }) {
    request.headers.set("Accept-Language", apiLanguage());
    return request;
  },
};

/**
 * The client of the shopper-facing pages. Unlike `api` it never sends the staff console's token:
 * requests carry only the member token the caller passes (`headers: memberAuth(token)`). Looks
 * `fetch` up on each call so tests can replace it.
 */
export const shopApi = createClient<paths>({
  baseUrl: window.location.origin,
  fetch: (request: Request) => globalThis.fetch(request),
});
shopApi.use(acceptLanguage);

export function memberAuth(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
