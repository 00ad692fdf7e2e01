import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { App } from "antd";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Sku } from "../../api/types";
import { fakeFetch, json, renderPage } from "../../test/render";
import { AuthProvider } from "../auth/AuthContext";
import { saveTokens } from "../auth/tokens";
import { VirtualCodesDialog } from "./VirtualCodesDialog";

// antd modals render slowly in jsdom on a busy machine.
configure({ asyncUtilTimeout: 20_000 });

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

const sku: Sku = {
  id: 41,
  code: "CARD-100",
  kind: "virtual",
  spec_values: { 面值: "100 元" },
  retail_price: "95.00",
  stock: 2,
  presale_quantity: 0,
  presale_sold: 0,
  weight_grams: 0,
  member_prices: [],
  distributor_prices: [],
};

function signedIn(permissions: string[]) {
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
        permissions,
      }),
  };
}

function renderDialog() {
  renderPage(
    <App>
      <AuthProvider>
        <VirtualCodesDialog productName="话费卡" skus={[sku]} onClose={() => {}} />
      </AuthProvider>
    </App>,
  );
}

describe("VirtualCodesDialog", () => {
  it("shows the pool, names the bad lines of a refused import, then imports", async () => {
    let refuse = true;
    const fake = fakeFetch({
      ...signedIn(["catalog.read", "inventory.write"]),
      "GET /api/v1/skus/41/codes/summary": () => json({ sku_id: 41, available: 2, delivered: 5 }),
      "POST /api/v1/skus/41/codes": () =>
        refuse
          ? json(
              {
                type: "about:blank",
                title: "请求无效",
                status: 422,
                detail: "有卡密无效",
                code: "validation_failed",
                errors: [
                  { field: "codes[2]", code: "duplicate", message: "与 codes[0] 重复。" },
                  { field: "codes[1]", code: "exists", message: "已在卡密库中。" },
                ],
              },
              422,
              "application/problem+json",
            )
          : json({ sku_id: 41, imported: 2, available: 4, delivered: 5 }),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderDialog();

    const pool = await screen.findByTestId("codes-summary");
    await waitFor(() => expect(within(pool).getByText("2")).toBeTruthy());
    expect(within(pool).getByText("5")).toBeTruthy();

    // Blank lines are skipped, so the server's indexes are not the textarea's lines.
    const input = await screen.findByLabelText("导入卡密");
    fireEvent.change(input, { target: { value: "AAA-1\n\n BBB-2 \nAAA-1\n" } });
    fireEvent.click(screen.getByRole("button", { name: "导入 3 个" }));
    const errors = await screen.findByTestId("codes-errors");
    expect(within(errors).getByText("有卡密无效")).toBeTruthy();
    expect(within(errors).getByText("第 4 行：与 第 1 行 重复。")).toBeTruthy();
    expect(within(errors).getByText("第 3 行：已在卡密库中。")).toBeTruthy();
    const sent = await fake.requests
      .find((r) => r.method === "POST")
      ?.clone()
      .json();
    expect(sent).toEqual({ codes: ["AAA-1", "BBB-2", "AAA-1"] });

    // Fixed: the pool shows the new counts and the text area empties.
    refuse = false;
    fireEvent.change(input, { target: { value: "AAA-1\nBBB-2\nCCC-3" } });
    fireEvent.click(screen.getByRole("button", { name: "导入 3 个" }));
    await waitFor(() => expect(within(pool).getByText("4")).toBeTruthy());
    expect(screen.queryByTestId("codes-errors")).toBeNull();
    expect((input as HTMLTextAreaElement).value).toBe("");
  }, 30_000);

  it("shows the pool without the import to staff who may not change stock", async () => {
    const fake = fakeFetch({
      ...signedIn(["catalog.read"]),
      "GET /api/v1/skus/41/codes/summary": () => json({ sku_id: 41, available: 0, delivered: 3 }),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderDialog();
    const pool = await screen.findByTestId("codes-summary");
    await waitFor(() => expect(within(pool).getByText("3")).toBeTruthy());
    // Who is signed in is known (the import would show by now if allowed).
    expect(fake.requests.some((r) => new URL(r.url).pathname === "/api/v1/auth/me")).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(screen.queryByLabelText("导入卡密")).toBeNull();
  }, 30_000);
});
