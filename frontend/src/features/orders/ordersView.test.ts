import { describe, expect, it } from "vitest";
import type { OrderLine } from "../../api/types";
import { allowedActions, leftToShip, STATUS_COLORS } from "./ordersView";

function line(over: Partial<OrderLine>): OrderLine {
  return {
    line_no: 1,
    kind: "physical",
    quantity: 3,
    shipped_quantity: 0,
    cancelled_quantity: 0,
    ...over,
  } as OrderLine;
}

describe("order actions", () => {
  it("offers cancelling until the order is shipped, and a transfer only while unpaid", () => {
    const lines = [line({})];
    expect(allowedActions({ status: "pending_payment", lines, delivery: "express" })).toEqual({
      cancel: true,
      confirmTransfer: true,
      ship: false,
    });
    expect(allowedActions({ status: "paid", lines, delivery: "express" })).toEqual({
      cancel: true,
      confirmTransfer: false,
      ship: true,
    });
    for (const status of ["shipped", "completed", "cancelled"] as const) {
      expect(allowedActions({ status, lines, delivery: "express" })).toEqual({
        cancel: false,
        confirmTransfer: false,
        ship: false,
      });
    }
  });

  it("ships what is neither sent nor refunded, and nothing of virtual goods", () => {
    expect(leftToShip(line({ shipped_quantity: 1, cancelled_quantity: 1 }))).toBe(1);
    expect(leftToShip(line({ kind: "virtual" }))).toBe(0);
    const done = [line({ shipped_quantity: 2, cancelled_quantity: 1 })];
    expect(allowedActions({ status: "paid", lines: done, delivery: "express" }).ship).toBe(false);
  });

  it("never ships a pickup order: it is handed over at the counter", () => {
    const lines = [line({})];
    expect(allowedActions({ status: "paid", lines, delivery: "pickup" }).ship).toBe(false);
  });

  it("has a colour for every status", () => {
    expect(Object.keys(STATUS_COLORS).sort()).toEqual(
      ["cancelled", "completed", "paid", "pending_payment", "shipped"].sort(),
    );
  });
});
