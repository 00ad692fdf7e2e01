import { useQuery } from "@tanstack/react-query";
import { memberAuth, shopApi } from "../../api/shopClient";
import type { MyApplication, MyDistributor } from "../../api/types";

// Every call names the shop by its address (`slug`): the API a shopper uses is keyed by it,
// `/api/v1/shops/{slug}/…`, and what a signed-in member does is under `…/me`.
export const joinKeys = {
  shop: (slug: string) => ["public-shop", slug] as const,
  // Keyed by the token: another member signing in in this tab never sees the previous answer.
  standing: (slug: string, token: string) => ["join-standing", slug, token] as const,
  member: (slug: string, token: string) => ["join-member", slug, token] as const,
  form: (slug: string) => ["join-form", slug] as const,
};

/** A member token the server no longer accepts: the shopper signs in again. */
export class SignedOut extends Error {}

/** The shop as shoppers see it; `null` when no shop has this address. */
export function useShop(slug: string) {
  return useQuery({
    queryKey: joinKeys.shop(slug),
    queryFn: async () => {
      const { data, error, response } = await shopApi.GET("/api/v1/shops/{slug}", {
        params: { path: { slug } },
      });
      if (response.status === 404) return null;
      if (error) throw error;
      return data;
    },
  });
}

/** Records a visit through a distributor's link; it only binds. `false` when signed out. */
export async function recordVisit(slug: string, token: string, code: string): Promise<boolean> {
  const { response } = await shopApi.POST("/api/v1/shops/{slug}/me/visits", {
    params: { path: { slug } },
    body: { distributor_code: code },
    headers: memberAuth(token),
  });
  return response.status !== 401;
}

/** Sends a verification code to the phone (or email) a shopper registers with. */
export async function sendVerificationCode(slug: string, recipient: string): Promise<void> {
  const { error } = await shopApi.POST("/api/v1/shops/{slug}/verification-codes", {
    params: { path: { slug } },
    body: { recipient },
  });
  if (error) throw error;
}

/** Registers a member of the shop with the code sent; the answer is their access token. */
export async function registerMember(
  slug: string,
  body: {
    login: string;
    code: string;
    password: string;
    name: string | null;
    distributor_code: string | null;
  },
): Promise<string> {
  const { data, error } = await shopApi.POST("/api/v1/shops/{slug}/members", {
    params: { path: { slug } },
    body,
  });
  if (error) throw error;
  const token = data.tokens?.access_token;
  if (!token) throw new Error("no tokens");
  return token;
}

/** Signs a member in to the shop; the answer is their access token. */
export async function signInMember(
  slug: string,
  body: { login: string; password: string },
): Promise<string> {
  const { data, error } = await shopApi.POST("/api/v1/shops/{slug}/members/sign-in", {
    params: { path: { slug } },
    body,
  });
  if (error) throw error;
  const token = data.tokens?.access_token;
  if (!token) throw new Error("no tokens");
  return token;
}

export type Standing =
  | { kind: "distributor"; distributor: MyDistributor }
  | { kind: "application"; application: MyApplication }
  | { kind: "none" };

/** Where the member stands: a distributor already, an application on file, or neither. */
async function standing(slug: string, token: string): Promise<Standing> {
  const headers = memberAuth(token);
  const params = { path: { slug } };
  const mine = await shopApi.GET("/api/v1/shops/{slug}/me/distributor", { params, headers });
  if (mine.response.status === 401) throw new SignedOut();
  if (mine.data) return { kind: "distributor", distributor: mine.data };
  if (mine.response.status !== 404) throw mine.error;
  // A shop where every member is a distributor (人人分销) makes one of a member who registered
  // before it switched, when asked; any other shop answers 409 and the member applies instead.
  const joined = await shopApi.POST("/api/v1/shops/{slug}/me/distributor", { params, headers });
  if (joined.response.status === 401) throw new SignedOut();
  if (joined.data) return { kind: "distributor", distributor: joined.data };
  if (joined.response.status !== 409 && joined.response.status !== 404) throw joined.error;
  const application = await shopApi.GET("/api/v1/shops/{slug}/me/distributor-application", {
    params,
    headers,
  });
  if (application.response.status === 401) throw new SignedOut();
  if (application.data) return { kind: "application", application: application.data };
  if (application.response.status === 404) return { kind: "none" };
  throw application.error;
}

/** Where the member stands, read afresh each time (it is decided elsewhere too). */
export function useStanding(slug: string, token: string) {
  return useQuery({
    queryKey: joinKeys.standing(slug, token),
    queryFn: () => standing(slug, token),
    staleTime: 0,
    retry: false,
  });
}

/** The signed-in member's own facts; `null` when the server answers none. */
export function useMember(slug: string, token: string) {
  return useQuery({
    queryKey: joinKeys.member(slug, token),
    queryFn: async () => {
      const { data } = await shopApi.GET("/api/v1/shops/{slug}/me", {
        params: { path: { slug } },
        headers: memberAuth(token),
      });
      return data ?? null;
    },
  });
}

/** The merchant's application form and how members become distributors there. */
export function usePublicApplicationForm(slug: string) {
  return useQuery({
    queryKey: joinKeys.form(slug),
    queryFn: async () => {
      const { data, error } = await shopApi.GET(
        "/api/v1/shops/{slug}/distributor-application-form",
        {
          params: { path: { slug } },
        },
      );
      if (error) throw error;
      return data;
    },
  });
}

/** Applies to become a distributor, naming the inviter's code as sponsor. */
export async function applyAsDistributor(
  slug: string,
  token: string,
  answers: Record<string, string>,
  sponsorCode: string | null,
): Promise<MyApplication> {
  const { data, error } = await shopApi.POST("/api/v1/shops/{slug}/me/distributor-application", {
    params: { path: { slug } },
    body: { answers, sponsor_code: sponsorCode },
    headers: memberAuth(token),
  });
  if (error) throw error;
  return data;
}
