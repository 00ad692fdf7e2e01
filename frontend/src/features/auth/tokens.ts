import type { TokenPair } from "../../api/types";

export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  sessionId: number;
}

const KEY = "fenxiao.tokens";

export function loadTokens(): StoredTokens | null {
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as StoredTokens) : null;
  } catch {
    return null;
  }
}

export function saveTokens(pair: TokenPair): StoredTokens {
  const tokens: StoredTokens = {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    sessionId: pair.session_id,
  };
  window.localStorage.setItem(KEY, JSON.stringify(tokens));
  return tokens;
}

export function clearTokens(): void {
  window.localStorage.removeItem(KEY);
}

let refreshing: Promise<StoredTokens | null> | null = null;

/**
 * Trades the refresh token for a new pair, once even when several requests ask at the same
 * time (a refresh token works once; a second use would end the session).
 */
export function refreshTokens(): Promise<StoredTokens | null> {
  if (refreshing) return refreshing;
  const current = loadTokens();
  if (!current) return Promise.resolve(null);
  refreshing = (async () => {
    try {
      const response = await globalThis.fetch(
        new Request(`${window.location.origin}/api/v1/auth/refresh`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: current.refreshToken }),
        }),
      );
      if (!response.ok) {
        clearTokens();
        return null;
      }
      return saveTokens((await response.json()) as TokenPair);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}
