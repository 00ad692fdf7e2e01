import { useQuery } from "@tanstack/react-query";
import { memberAuth, shopApi } from "../../api/shopClient";
import type { MyApplication, MyDistributor } from "../../api/types";

export const joinKeys = {
  shop: (slug: string) => ["public-shop", slug] as const,
  // Keyed by the token: another member signing in in this tab never sees the previous answer.
  standing: (merchantId: number, token: string) => ["join-standing", merchantId, token] as const,
  member: (merchantId: number, token: string) => ["join-member", merchantId, token] as const,
  form: (merchantId: number) => ["join-form", merchantId] as const,
};

/** A member token the server no longer accepts: the shopper signs in again. */
export class SignedOut extends Error {}

/** The shop as shoppers see it; `null` when no shop has this address. */
export function useShop(slug: string) {
  return useQuery({
    queryKey: joinKeys.shop(slug),
    queryFn: async () => {
      const { data, error, response } = await shopApi.GET("/api/v1/shop/{slug}", {
        params: { path: { slug } },
      });
      if (response.status === 404) return null;
      if (error) throw error;
      return data;
    },
  });
}

/** Records a visit through a distributor's link; it only binds. `false` when signed out. */
export async function recordVisit(token: string, code: string): Promise<boolean> {
  const { response } = await shopApi.POST("/api/v1/members/me/visits", {
    body: { distributor_code: code },
    headers: memberAuth(token),
  });
  return response.status !== 401;
}

/** Sends a verification code to the phone (or email) a shopper registers with. */
export async function sendVerificationCode(merchantId: number, recipient: string): Promise<void> {
  const { error } = await shopApi.POST("/api/v1/shops/{merchant_id}/verification-codes", {
    params: { path: { merchant_id: merchantId } },
    body: { recipient },
  });
  if (error) throw error;
}

/** Registers a member of the shop with the code sent; the answer is their access token. */
export async function registerMember(
  merchantId: number,
  body: {
    login: string;
    code: string;
    password: string;
    name: string | null;
    distributor_code: string | null;
  },
): Promise<string> {
  const { data, error } = await shopApi.POST("/api/v1/shops/{merchant_id}/members", {
    params: { path: { merchant_id: merchantId } },
    body,
  });
  if (error) throw error;
  const token = data.tokens?.access_token;
  if (!token) throw new Error("no tokens");
  return token;
}

/** Signs a member in to the shop; the answer is their access token. */
export async function signInMember(
  merchantId: number,
  body: { login: string; password: string },
): Promise<string> {
  const { data, error } = await shopApi.POST("/api/v1/shops/{merchant_id}/members/sign-in", {
    params: { path: { merchant_id: merchantId } },
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
async function standing(merchantId: number, token: string): Promise<Standing> {
  const headers = memberAuth(token);
  const mine = await shopApi.GET("/api/v1/shops/{merchant_id}/members/me/distributor", {
    params: { path: { merchant_id: merchantId } },
    headers,
  });
  if (mine.response.status === 401) throw new SignedOut();
  if (mine.data) return { kind: "distributor", distributor: mine.data };
  if (mine.response.status !== 404) throw mine.error;
  // A shop where every member is a distributor (人人分销) makes one of a member who registered
  // before it switched, when asked; any other shop answers 409 and the member applies instead.
  const joined = await shopApi.POST("/api/v1/shops/{merchant_id}/members/me/distributor", {
    params: { path: { merchant_id: merchantId } },
    headers,
  });
  if (joined.response.status === 401) throw new SignedOut();
  if (joined.data) return { kind: "distributor", distributor: joined.data };
  if (joined.response.status !== 409 && joined.response.status !== 404) throw joined.error;
  const application = await shopApi.GET("/api/v1/members/me/distributor-application", {
    headers,
  });
  if (application.response.status === 401) throw new SignedOut();
  if (application.data) return { kind: "application", application: application.data };
  if (application.response.status === 404) return { kind: "none" };
  throw application.error;
}

/** Where the member stands, read afresh each time (it is decided elsewhere too). */
export function useStanding(merchantId: number, token: string) {
  return useQuery({
    queryKey: joinKeys.standing(merchantId, token),
    queryFn: () => standing(merchantId, token),
    staleTime: 0,
    retry: false,
  });
}

/** The signed-in member's own facts; `null` when the server answers none. */
export function useMember(merchantId: number, token: string) {
  return useQuery({
    queryKey: joinKeys.member(merchantId, token),
    queryFn: async () => {
      const { data } = await shopApi.GET("/api/v1/shops/{merchant_id}/members/me", {
        params: { path: { merchant_id: merchantId } },
        headers: memberAuth(token),
      });
      return data ?? null;
    },
  });
}

/** The merchant's application form and how members become distributors there. */
export function usePublicApplicationForm(merchantId: number) {
  return useQuery({
    queryKey: joinKeys.form(merchantId),
    queryFn: async () => {
      const { data, error } = await shopApi.GET(
        "/api/v1/shops/{merchant_id}/distributor-application-form",
        { params: { path: { merchant_id: merchantId } } },
      );
      if (error) throw error;
      return data;
    },
  });
}

/** Applies to become a distributor, naming the inviter's code as sponsor. */
export async function applyAsDistributor(
  token: string,
  answers: Record<string, string>,
  sponsorCode: string | null,
): Promise<MyApplication> {
  const { data, error } = await shopApi.POST("/api/v1/members/me/distributor-application", {
    body: { answers, sponsor_code: sponsorCode },
    headers: memberAuth(token),
  });
  if (error) throw error;
  return data;
}
