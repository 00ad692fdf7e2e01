import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, json, renderPage } from "../../test/render";
import { AuthProvider } from "./AuthContext";
import { LoginPage } from "./LoginPage";
import { loadTokens } from "./tokens";

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

const tokens = {
  access_token: "access",
  access_token_expires_at: "2026-11-27T12:15:00Z",
  refresh_token: "refresh",
  session_expires_at: "2026-12-27T12:00:00Z",
  session_id: 3,
  token_type: "Bearer",
};

describe("LoginPage", () => {
  it("asks for the second factor and signs in with it", async () => {
    const fake = fakeFetch({
      "POST /api/v1/auth/sign-in": () =>
        json({ status: "mfa_required", tokens: null, mfa_token: "challenge" }),
      "POST /api/v1/auth/mfa/verify": () => json(tokens),
      "GET /api/v1/auth/me": () => json({ kind: "staff", id: 1, label: "a@b.c", permissions: [] }),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(
      <AuthProvider>
        <LoginPage />
      </AuthProvider>,
      "/login",
    );
    fireEvent.change(screen.getByLabelText("邮箱"), { target: { value: "a@b.c" } });
    fireEvent.change(screen.getByLabelText("密码"), { target: { value: "tea-garden-2026" } });
    fireEvent.click(screen.getByRole("button", { name: "登 录" }));
    fireEvent.change(await screen.findByLabelText("验证码"), { target: { value: "123456" } });
    fireEvent.click(screen.getByRole("button", { name: "验 证" }));
    await waitFor(() => expect(loadTokens()?.accessToken).toBe("access"));
    const verify = fake.requests.find((r) => r.url.endsWith("/mfa/verify"));
    expect(await verify?.json()).toEqual({ mfa_token: "challenge", code: "123456" });
  });

  it("shows why a sign-in was refused", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch({
        "POST /api/v1/auth/sign-in": () =>
          json(
            {
              type: "urn:fenxiao:problem:account_locked",
              title: "认证失败",
              status: 401,
              detail: "登录失败次数过多，账户已锁定。",
              code: "account_locked",
              errors: [],
            },
            401,
            "application/problem+json",
          ),
      }).fetch,
    );
    renderPage(
      <AuthProvider>
        <LoginPage />
      </AuthProvider>,
      "/login",
    );
    fireEvent.change(screen.getByLabelText("邮箱"), { target: { value: "a@b.c" } });
    fireEvent.change(screen.getByLabelText("密码"), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "登 录" }));
    expect(await screen.findByText("登录失败次数过多，账户已锁定。")).toBeTruthy();
  });
});
