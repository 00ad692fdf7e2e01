import { useQueryClient } from "@tanstack/react-query";
import { Spin } from "antd";
import { createContext, type ReactNode, useCallback, useContext, useMemo } from "react";
import { Navigate, useLocation } from "react-router";
import type { Me, Permission, TokenPair } from "../../api/types";
import { authKeys, signOut as endSession, useMe } from "./api";
import { clearTokens, saveTokens } from "./tokens";

interface AuthState {
  me: Me | null;
  loading: boolean;
  signedIn: (pair: TokenPair) => Promise<void>;
  signOut: () => Promise<void>;
  can: (permission: Permission) => boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const meQuery = useMe();

  const signedIn = useCallback(
    async (pair: TokenPair) => {
      saveTokens(pair);
      await queryClient.invalidateQueries();
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    await endSession();
    clearTokens();
    queryClient.clear();
    await queryClient.invalidateQueries({ queryKey: authKeys.me });
  }, [queryClient]);

  const value = useMemo<AuthState>(() => {
    const me = meQuery.data ?? null;
    return {
      me,
      loading: meQuery.isPending,
      signedIn,
      signOut,
      can: (permission) =>
        me !== null && !me.mfa_enrolment_required && me.permissions.includes(permission),
    };
  }, [meQuery.data, meQuery.isPending, signedIn, signOut]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}

/** Renders its children for signed-in staff; sends everyone else to the sign-in page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Spin fullscreen />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return children;
}
