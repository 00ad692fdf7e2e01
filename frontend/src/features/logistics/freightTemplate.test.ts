import { describe, expect, it } from "vitest";
import { isProvince, regionCode, regionLabel, regionPath } from "../../api/regions";
import type { FreightTemplate } from "../../api/types";
import { newFreightForm, toFreightForm, toFreightRequest } from "./freightTemplate";

const template: FreightTemplate = {
  id: 7,
  name: "江浙沪包邮",
  mode: "weight",
  first_units: 1000,
  first_price: "8.00",
  additional_units: 500,
  additional_price: "2.50",
  region_overrides: [
    { region_codes: ["330000", "310100"], first_price: "5.00", additional_price: "1.00" },
    { region_codes: ["540100"], first_price: "30.00", additional_price: "10.00" },
  ],
  free_shipping_threshold: "99.00",
  restricted_regions: ["650000", "540200"],
  is_default: true,
};

describe("freight template form", () => {
  it("shows regions as cascader paths and reads them back as codes", () => {
    const form = toFreightForm(template);
    expect(form.region_overrides[0]?.region_codes).toEqual([["330000"], ["310000", "310100"]]);
    expect(form.restricted_regions).toEqual([["650000"], ["540000", "540200"]]);
    const { id: _id, ...request } = template;
    expect(toFreightRequest(form)).toEqual(request);
  });

  it("passes amounts through as the strings typed, never as numbers", () => {
    const form = {
      ...newFreightForm(),
      name: "  普通快递 ",
      first_price: " 0.10 ",
      additional_price: "0.20",
      region_overrides: [
        { region_codes: [["110000"]], first_price: "12345678901234.99", additional_price: "0" },
      ],
      free_shipping_threshold: "1.001",
    };
    const request = toFreightRequest(form);
    expect(request.name).toBe("普通快递");
    expect(request.first_price).toBe("0.10");
    expect(request.region_overrides?.[0]?.first_price).toBe("12345678901234.99");
    // The API refuses it with the field's own message; the form does not round it.
    expect(request.free_shipping_threshold).toBe("1.001");
  });

  it("sends no threshold when the field is empty, and each region once", () => {
    const request = toFreightRequest({
      ...newFreightForm(),
      free_shipping_threshold: "  ",
      restricted_regions: [["650000"], ["650000"], ["540000", "540100"]],
    });
    expect(request.free_shipping_threshold).toBeNull();
    expect(request.restricted_regions).toEqual(["650000", "540100"]);
    expect(request.region_overrides).toEqual([]);
    expect(request.is_default).toBe(false);
  });
});

describe("region codes", () => {
  it("tells provinces from cities and finds their names", () => {
    expect(isProvince("330000")).toBe(true);
    expect(isProvince("330100")).toBe(false);
    expect(regionPath("330100")).toEqual(["330000", "330100"]);
    expect(regionCode(["330000", "330100"])).toBe("330100");
    expect(regionCode([])).toBe("");
    const provinces = [
      { code: "330000", name: "浙江省", cities: [{ code: "330100", name: "杭州市" }] },
    ];
    expect(regionLabel(provinces, "330100")).toBe("浙江省 / 杭州市");
    expect(regionLabel(provinces, "330000")).toBe("浙江省");
    expect(regionLabel(provinces, "330200")).toBe("330200");
    expect(regionLabel(undefined, "110000")).toBe("110000");
  });
});
