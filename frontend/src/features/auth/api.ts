import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type {
  Me,
  SignInRequest,
  SignInResponse,
  SignupRequest,
  SignupResponse,
  TokenPair,
  VerifyEmailResponse,
} from "../../api/types";
import { clearTokens, loadTokens } from "./tokens";

export const authKeys = {
  me: ["me"] as const,
};

/** The signed-in staff member; `null` without a session or when the server ended it. */
export function useMe() {
  return useQuery({
    queryKey: authKeys.me,
    queryFn: async (): Promise<Me | null> => {
      if (!loadTokens()) return null;
      const { data, response } = await api.GET("/api/v1/auth/me");
      if (response.status === 401) {
        clearTokens();
        return null;
      }
      return data ?? null;
    },
    staleTime: 60_000,
  });
}

export async function signOut(): Promise<void> {
  await api.POST("/api/v1/auth/sign-out");
}

export async function signIn(body: SignInRequest): Promise<SignInResponse> {
  const { data, error } = await api.POST("/api/v1/auth/sign-in", { body });
  if (data) return data;
  throw error;
}

/** The second step of a sign-in with MFA: a TOTP or recovery code. */
export async function verifyMfa(mfaToken: string, code: string): Promise<TokenPair> {
  const { data, error } = await api.POST("/api/v1/auth/mfa/verify", {
    body: { mfa_token: mfaToken, code },
  });
  if (data) return data;
  throw error;
}

export async function signUpMerchant(body: SignupRequest): Promise<SignupResponse> {
  const { data, error } = await api.POST("/api/v1/signup", { body });
  if (data) return data;
  throw error;
}

export async function verifyEmail(token: string): Promise<VerifyEmailResponse> {
  const { data, error } = await api.POST("/api/v1/signup/verify-email", { body: { token } });
  if (data) return data;
  throw error;
}

export async function askPasswordReset(email: string): Promise<void> {
  const { error, response } = await api.POST("/api/v1/auth/password-reset", {
    body: { email },
  });
  if (!response.ok) throw error;
}

/** A new password with a token from an email: a password reset or a staff invitation. */
export async function setPasswordWithToken(
  mode: "reset" | "invitation",
  token: string,
  password: string,
): Promise<void> {
  const { error, response } =
    mode === "reset"
      ? await api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password } })
      : await api.POST("/api/v1/staff/invitations/accept", { body: { token, password } });
  if (!response.ok) throw error;
}
