import { describe, expect, it } from "vitest";
import { allowedActions, STATUS_COLORS } from "./ordersView";

describe("order actions", () => {
  it("offers cancelling until the order is shipped, and a transfer only while unpaid", () => {
    expect(allowedActions("pending_payment")).toEqual({ cancel: true, confirmTransfer: true });
    expect(allowedActions("paid")).toEqual({ cancel: true, confirmTransfer: false });
    for (const status of ["shipped", "completed", "cancelled"] as const) {
      expect(allowedActions(status)).toEqual({ cancel: false, confirmTransfer: false });
    }
  });

  it("has a colour for every status", () => {
    expect(Object.keys(STATUS_COLORS).sort()).toEqual(
      ["cancelled", "completed", "paid", "pending_payment", "shipped"].sort(),
    );
  });
});
