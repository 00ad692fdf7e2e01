import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { SessionView } from "../../api/types";

export const securityKeys = {
  sessions: ["sessions"] as const,
};

/** Starts MFA enrolment: the secret and its otpauth URL, confirmed by a first code. */
export async function enrolMfa() {
  const { data, error } = await api.POST("/api/v1/auth/mfa/enrol");
  if (data) return data;
  throw error;
}

/** Confirms the enrolment with a code; the answer holds the recovery codes, shown once. */
export async function confirmMfa(code: string) {
  const { data, error } = await api.POST("/api/v1/auth/mfa/confirm", { body: { code } });
  if (data) return data;
  throw error;
}

export async function disableMfa(code: string): Promise<void> {
  const { error, response } = await api.POST("/api/v1/auth/mfa/disable", { body: { code } });
  if (!response.ok) throw error;
}

/** The staff member's sessions (devices signed in). */
export function useSessions() {
  return useQuery({
    queryKey: securityKeys.sessions,
    queryFn: async (): Promise<SessionView[]> => {
      const { data, error } = await api.GET("/api/v1/auth/sessions");
      if (data) return data;
      throw error;
    },
  });
}

export async function endSession(id: number): Promise<void> {
  await api.DELETE("/api/v1/auth/sessions/{session_id}", {
    params: { path: { session_id: id } },
  });
}

/** Whether every staff member of the merchant must use MFA. */
export async function setStaffMfaPolicy(required: boolean) {
  const { data, error } = await api.PUT("/api/v1/merchant/security-policy", {
    body: { require_staff_mfa: required },
  });
  if (data) return data;
  throw error;
}
