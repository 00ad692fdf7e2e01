import createClient, { type Middleware } from "openapi-fetch";
import { apiLanguage } from "../i18n";
import type { paths } from "./schema";

/** Asks the API for its texts (error messages) in the language the console shows. */
const acceptLanguage: Middleware = {
  onRequest({ request }) {
    request.headers.set("Accept-Language", apiLanguage());
    return request;
  },
};

/** The typed API client: paths, bodies and answers come from openapi/openapi.json. */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  // Looked up on each call rather than captured once, so tests can replace `fetch`.
  fetch: (request) => globalThis.fetch(request),
});
api.use(acceptLanguage);
