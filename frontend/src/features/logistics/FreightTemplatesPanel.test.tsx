import { fireEvent, screen, waitFor } from "@testing-library/react";
import { App } from "antd";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FreightTemplate } from "../../api/types";
import { fakeFetch, json, renderPage } from "../../test/render";
import { FreightTemplatesPanel } from "./FreightTemplatesPanel";

// antd forms render slowly in jsdom on a busy machine.
// jsdom has no ResizeObserver; antd's text areas and tables observe their size.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

afterEach(() => vi.unstubAllGlobals());

const template: FreightTemplate = {
  id: 7,
  name: "江浙沪",
  mode: "piece",
  first_units: 1,
  first_price: "8.00",
  additional_units: 1,
  additional_price: "2.00",
  region_overrides: [
    { region_codes: ["330100"], first_price: "5.00", additional_price: "1.00" },
    { region_codes: ["310000"], first_price: "6.00", additional_price: "1.00" },
  ],
  free_shipping_threshold: null,
  restricted_regions: ["650000"],
  is_default: false,
};

const regions = [
  { code: "310000", name: "上海市", cities: [{ code: "310100", name: "市辖区" }] },
  { code: "330000", name: "浙江省", cities: [{ code: "330100", name: "杭州市" }] },
  { code: "650000", name: "新疆维吾尔自治区", cities: [] },
];

describe("FreightTemplatesPanel", () => {
  it("lists templates with their regions by name", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch({
        "GET /api/v1/freight-templates": () => json([template]),
        "GET /api/v1/regions": () => json(regions),
      }).fetch,
    );
    renderPage(
      <App>
        <FreightTemplatesPanel manage />
      </App>,
    );
    expect(await screen.findByText("江浙沪")).toBeTruthy();
    expect(screen.getByText("首 1 件 ¥8.00，续 1 件 ¥2.00")).toBeTruthy();
    expect(screen.getByText("2 组地区运费，1 个不配送地区")).toBeTruthy();
  }, 60_000);

  it("sends the regions as codes and shows the server's errors on the row they concern", async () => {
    const fake = fakeFetch({
      "GET /api/v1/freight-templates": () => json([template]),
      "GET /api/v1/regions": () => json(regions),
      "PUT /api/v1/freight-templates/7": () =>
        json(
          {
            type: "urn:fenxiao:problem:validation_failed",
            title: "请求参数无效",
            status: 422,
            detail: "一个或多个字段无效，详见 errors。",
            code: "validation_failed",
            errors: [
              {
                field: "region_overrides[1].region_codes",
                code: "duplicate_region",
                message: "`310000` 已在其他地区运费中设置。",
              },
              { field: "region_overrides[1].first_price", code: "x", message: "首费不对。" },
            ],
          },
          422,
          "application/problem+json",
        ),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(
      <App>
        <FreightTemplatesPanel manage />
      </App>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "编 辑" }));
    fireEvent.click(await screen.findByRole("button", { name: "保 存" }));
    expect(await screen.findByText("`310000` 已在其他地区运费中设置。")).toBeTruthy();
    expect(screen.getByText("首费不对。")).toBeTruthy();

    const put = fake.requests.find((r) => r.method === "PUT");
    expect(put).toBeTruthy();
    const sent = await put?.json();
    expect(sent.region_overrides).toEqual([
      { region_codes: ["330100"], first_price: "5.00", additional_price: "1.00" },
      { region_codes: ["310000"], first_price: "6.00", additional_price: "1.00" },
    ]);
    expect(sent.restricted_regions).toEqual(["650000"]);
    expect(sent.free_shipping_threshold).toBeNull();
    // Both field errors sit next to their fields: nothing is left for the alert.
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  }, 60_000);
});
