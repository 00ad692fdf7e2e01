import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { App } from "antd";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, json, renderPage } from "../../test/render";
import { AuthProvider } from "../auth/AuthContext";
import { saveTokens } from "../auth/tokens";
import { DistributionSettingsPage } from "./DistributionSettingsPage";

// antd forms render slowly in jsdom on a busy machine.
afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

const settings = {
  entry_mode: "application",
  application_review: "manual",
  spend_threshold: null,
  commission_depth: 2,
  depth3_acknowledged_at: null,
  depth3_acknowledged_by: null,
  self_purchase_commission: false,
  binding_mode: "first_touch",
  binding_days: null,
  protection_days: 0,
  default_sponsor_id: null,
  updated_at: null,
};

function signedInManager() {
  saveTokens({
    access_token: "access",
    access_token_expires_at: "2026-11-27T12:15:00Z",
    refresh_token: "refresh",
    session_expires_at: "2026-12-27T12:00:00Z",
    session_id: 3,
    token_type: "Bearer",
  });
  return {
    "GET /api/v1/auth/me": () =>
      json({
        kind: "staff",
        id: 1,
        label: "owner@example.com",
        mfa_enabled: false,
        mfa_enrolment_required: false,
        permissions: ["distributors.read", "distributors.manage"],
      }),
    "GET /api/v1/distribution/settings": () => json(settings),
  };
}

function render() {
  renderPage(
    <App>
      <AuthProvider>
        <DistributionSettingsPage />
      </AuthProvider>
    </App>,
  );
}

describe("DistributionSettingsPage", () => {
  it("sends depth 3 only with the ticked compliance statement", async () => {
    const fake = fakeFetch({
      ...signedInManager(),
      "PUT /api/v1/distribution/settings": () =>
        json({ ...settings, commission_depth: 3, depth3_acknowledged_by: 1 }),
    });
    vi.stubGlobal("fetch", fake.fetch);
    render();
    fireEvent.click(await screen.findByLabelText("三级（需合规确认）"));
    const dialog = await screen.findByRole("dialog");
    const confirm = within(dialog).getByRole("button", { name: "确认并选择三级" });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(dialog).getByTestId("depth3-tick"));
    await waitFor(() => expect((confirm as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(confirm);

    fireEvent.click(screen.getByRole("button", { name: "保 存" }));
    await waitFor(() => expect(fake.requests.some((r) => r.method === "PUT")).toBe(true));
    const sent = await fake.requests.find((r) => r.method === "PUT")?.json();
    expect(sent).toMatchObject({ commission_depth: 3, acknowledge_depth3_compliance: true });
  }, 60_000);

  it("goes back to the previous depth when the statement is declined", async () => {
    vi.stubGlobal("fetch", fakeFetch(signedInManager()).fetch);
    render();
    fireEvent.click(await screen.findByLabelText("三级（需合规确认）"));
    const dialog = await screen.findByRole("dialog");
    fireEvent.click(within(dialog).getByRole("button", { name: "暂不选择三级" }));
    await waitFor(() =>
      expect((screen.getByLabelText("二级（推荐）") as HTMLInputElement).checked).toBe(true),
    );
  }, 60_000);

  it("shows the server's refusal next to the field it names", async () => {
    const fake = fakeFetch({
      ...signedInManager(),
      "PUT /api/v1/distribution/settings": () =>
        json(
          {
            type: "urn:fenxiao:problem:validation_failed",
            title: "请求参数无效",
            status: 422,
            detail: "一个或多个字段无效，详见 errors。",
            code: "validation_failed",
            errors: [
              {
                field: "protection_days",
                code: "protection_exceeds_validity",
                message: "不能超过绑定有效期（binding_days）。",
              },
            ],
          },
          422,
          "application/problem+json",
        ),
    });
    vi.stubGlobal("fetch", fake.fetch);
    render();
    fireEvent.click(await screen.findByRole("button", { name: "保 存" }));
    expect(await screen.findByText("不能超过绑定有效期（binding_days）。")).toBeTruthy();
    expect(screen.queryByTestId("distribution-settings-error")).toBeNull();
  }, 60_000);
});
