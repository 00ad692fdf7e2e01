import { configure, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, renderPage } from "../../test/render";
import { ImportPage } from "./ImportPage";

// antd tables render slowly in jsdom on a busy machine.
configure({ asyncUtilTimeout: 20_000 });

afterEach(() => vi.unstubAllGlobals());

function job(processed: number, finished: boolean) {
  return {
    id: 7,
    created_at: "2026-11-27T08:00:00Z",
    updated_at: "2026-11-27T08:00:01Z",
    finished_at: finished ? "2026-11-27T08:00:05Z" : null,
    dry_run: false,
    format: "csv",
    status: finished ? "completed" : "writing",
    total_rows: 10,
    processed_rows: processed,
    error_rows: 0,
    products_created: finished ? 2 : 0,
    skus_created: finished ? 10 : 0,
    skus_updated: 0,
  };
}

describe("ImportPage", () => {
  it("polls the job list while its import runs, so progress shows", async () => {
    // The server: no job until the upload starts, then a job advancing on each read; the upload
    // answers when the test says the import is over.
    let started = false;
    let processed = 0;
    let finish: (() => void) | undefined;
    let listReads = 0;
    vi.stubGlobal("fetch", async (input: Request) => {
      const path = new URL(input.url).pathname;
      if (input.method === "GET" && path === "/api/v1/catalog/imports") {
        listReads += 1;
        if (!started) return json([]);
        processed = Math.min(processed + 3, 9);
        return json([job(processed, false)]);
      }
      if (input.method === "POST" && path === "/api/v1/catalog/imports") {
        started = true;
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        return json(job(10, true), 201);
      }
      return new Response("not found", { status: 404 });
    });

    const { container } = renderPage(<ImportPage />);
    await waitFor(() => expect(listReads).toBe(1));
    const input = container.querySelector<HTMLInputElement>("input[type=file]");
    if (!input) throw new Error("no file input");
    fireEvent.change(input, {
      target: { files: [new File(["name,price\n"], "products.csv", { type: "text/csv" })] },
    });
    const importButton = await screen.findByRole("button", { name: "导 入" });
    await waitFor(() => expect(importButton.hasAttribute("disabled")).toBe(false));
    fireEvent.click(importButton);

    // The list is read again at the start and then every second while the upload is open:
    // the job's progress advances on screen before the upload answers.
    expect(await screen.findByText("60%", undefined, { timeout: 10_000 })).toBeTruthy();
    expect(finish).toBeDefined();

    finish?.();
    expect(await screen.findByTestId("import-result")).toBeTruthy();
    // Finished and listed finished: the polling stops.
    const reads = listReads;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(listReads).toBeLessThanOrEqual(reads + 1);
  }, 30_000);
});
