import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLanguage } from "../../i18n";
import { fakeFetch, json, renderPage } from "../../test/render";
import { DashboardPage } from "./DashboardPage";

afterEach(() => {
  vi.unstubAllGlobals();
  setLanguage("zh-CN");
});

const meta = {
  name: "Fenxiao",
  version: "9.8.7",
  locales: ["zh-CN", "en"],
  currency: "CNY",
  openapi_url: "/api/openapi.json",
};

describe("DashboardPage", () => {
  it("shows the service information fetched from the API", async () => {
    const fake = fakeFetch({
      "GET /api/v1/meta": () => json(meta),
      "GET /readyz": () => json({ status: "ready", database: "sqlite" }),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<DashboardPage />);
    expect(await screen.findByTestId("service-version")).toHaveProperty("textContent", "9.8.7");
    expect(await screen.findByText(/sqlite · 就绪/)).toBeTruthy();
    expect(fake.requests[0]?.headers.get("accept-language")).toBe("zh-CN");
  });

  it("says so when the database is not ready", async () => {
    setLanguage("en-US");
    const problem = {
      type: "urn:fenxiao:problem:service_unavailable",
      title: "Service unavailable",
      status: 503,
      detail: "x",
      code: "service_unavailable",
      errors: [],
    };
    const fake = fakeFetch({
      "GET /api/v1/meta": () => json(meta),
      "GET /readyz": () => json(problem, 503, "application/problem+json"),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<DashboardPage />);
    expect(await screen.findByText("Unavailable")).toBeTruthy();
    expect(fake.requests[0]?.headers.get("accept-language")).toBe("en");
  });
});
