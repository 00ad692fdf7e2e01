import { afterEach, describe, expect, it, vi } from "vitest";
import { loadTokens, saveTokens } from "../features/auth/tokens";
import { fakeFetch, json } from "../test/render";
import { api } from "./client";

const pair = (access: string, refresh: string) => ({
  access_token: access,
  access_token_expires_at: "2026-11-27T12:15:00Z",
  refresh_token: refresh,
  session_expires_at: "2026-12-27T12:00:00Z",
  session_id: 7,
  token_type: "Bearer",
});

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

describe("the API client", () => {
  it("sends the access token and refreshes it once when it expired", async () => {
    saveTokens(pair("old-access", "old-refresh"));
    let refreshes = 0;
    const fake = fakeFetch({
      "GET /api/v1/auth/me": () => json({}, 200),
      "POST /api/v1/auth/refresh": () => {
        refreshes += 1;
        return json(pair("new-access", "new-refresh"));
      },
    });
    const seen: string[] = [];
    vi.stubGlobal("fetch", async (input: Request) => {
      const auth = input.headers.get("authorization") ?? "";
      if (input.url.endsWith("/api/v1/auth/me")) {
        seen.push(auth);
        if (auth === "Bearer old-access") {
          return json(
            { code: "token_expired", status: 401, title: "x", type: "x", detail: "x", errors: [] },
            401,
            "application/problem+json",
          );
        }
      }
      return fake.fetch(input);
    });
    const { response } = await api.GET("/api/v1/auth/me");
    expect(response.status).toBe(200);
    expect(seen).toEqual(["Bearer old-access", "Bearer new-access"]);
    expect(refreshes).toBe(1);
    expect(loadTokens()?.refreshToken).toBe("new-refresh");
  });

  it("forgets the tokens when the refresh is refused", async () => {
    saveTokens(pair("old-access", "used-refresh"));
    vi.stubGlobal("fetch", async (input: Request) =>
      input.url.endsWith("/refresh")
        ? json({ code: "refresh_token_reused" }, 401, "application/problem+json")
        : json({ code: "token_expired" }, 401, "application/problem+json"),
    );
    const { response } = await api.GET("/api/v1/auth/me");
    expect(response.status).toBe(401);
    expect(loadTokens()).toBeNull();
  });
});
