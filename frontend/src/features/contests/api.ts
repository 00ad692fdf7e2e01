import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { Contest, ContestPage, ContestRequest, Leaderboard, Standings } from "../../api/types";
import type { LeaderboardParams } from "./contestsView";

export const contestKeys = {
  /** Every contest list. */
  contests: ["contests"] as const,
  /** A contest and everything read about it (its standings). */
  contest: (id: number) => ["contest", id] as const,
  standings: (id: number) => ["contest", id, "standings"] as const,
  leaderboard: (query: LeaderboardParams | null) => ["leaderboard", query] as const,
};

/** The merchant's contests, newest first, in cursor pages. */
export function useContests() {
  return useInfiniteQuery({
    queryKey: contestKeys.contests,
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }): Promise<ContestPage> => {
      const { data, error } = await api.GET("/api/v1/contests", {
        params: { query: { cursor: pageParam, limit: 50 } },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useContest(id: number) {
  return useQuery({
    queryKey: contestKeys.contest(id),
    queryFn: async (): Promise<Contest> => {
      const { data, error } = await api.GET("/api/v1/contests/{contest_id}", {
        params: { path: { contest_id: id } },
      });
      if (data) return data;
      throw error;
    },
  });
}

/** A contest's standings; a running contest's ranking moves, so it is read every 30 s. */
export function useStandings(id: number) {
  return useQuery({
    queryKey: contestKeys.standings(id),
    queryFn: async (): Promise<Standings> => {
      const { data, error } = await api.GET("/api/v1/contests/{contest_id}/standings", {
        params: { path: { contest_id: id } },
      });
      if (data) return data;
      throw error;
    },
    // A final ranking never changes.
    refetchInterval: (q) => (q.state.data?.ranking === "live" ? 30_000 : false),
  });
}

/** Creates a contest (a draft), or changes the one with `id`. */
export async function saveContest(id: number | undefined, body: ContestRequest): Promise<Contest> {
  const { data, error } =
    id !== undefined
      ? await api.PUT("/api/v1/contests/{contest_id}", {
          params: { path: { contest_id: id } },
          body,
        })
      : await api.POST("/api/v1/contests", { body });
  if (data) return data;
  throw error;
}

/** Publishes, cancels (with a reason) or deletes a contest. */
export async function contestAction(
  id: number,
  action: "publish" | "cancel" | "delete",
  reason: string,
): Promise<void> {
  const path = { params: { path: { contest_id: id } } };
  const { error } =
    action === "publish"
      ? await api.POST("/api/v1/contests/{contest_id}/publish", path)
      : action === "cancel"
        ? await api.POST("/api/v1/contests/{contest_id}/cancel", { ...path, body: { reason } })
        : await api.DELETE("/api/v1/contests/{contest_id}", path);
  if (error) throw error;
}

/** Distributors ranked over a period; nothing is read while the period is incomplete. */
export function useLeaderboard(query: LeaderboardParams | null) {
  return useQuery({
    queryKey: contestKeys.leaderboard(query),
    enabled: query !== null,
    queryFn: async (): Promise<Leaderboard> => {
      if (!query) throw new Error("no period");
      const { data, error } = await api.GET("/api/v1/leaderboards", { params: { query } });
      if (data) return data;
      throw error;
    },
  });
}
