import type { OrderDetail, OrderLine, OrderStatus } from "../../api/types";

/** The colour of each status's tag. */
export const STATUS_COLORS: Record<OrderStatus, string> = {
  pending_payment: "gold",
  paid: "blue",
  shipped: "cyan",
  completed: "green",
  cancelled: "default",
};

/** Units of a line still to send: neither shipped nor refunded before they left. */
export function leftToShip(line: OrderLine): number {
  if (line.kind !== "physical") return 0;
  return line.quantity - line.shipped_quantity - line.cancelled_quantity;
}

/** What staff may do to an order (the server's state table decides in the end). */
export function allowedActions(order: Pick<OrderDetail, "status" | "lines" | "delivery">): {
  cancel: boolean;
  confirmTransfer: boolean;
  ship: boolean;
} {
  const { status } = order;
  return {
    cancel: status === "pending_payment" || status === "paid",
    confirmTransfer: status === "pending_payment",
    // A pickup order is handed over at the counter, never shipped.
    ship:
      status === "paid" &&
      order.delivery !== "pickup" &&
      order.lines.some((l) => leftToShip(l) > 0),
  };
}
