import type { OrderStatus } from "../../api/types";

/** The colour of each status's tag. */
export const STATUS_COLORS: Record<OrderStatus, string> = {
  pending_payment: "gold",
  paid: "blue",
  shipped: "cyan",
  completed: "green",
  cancelled: "default",
};

/** What staff may do to an order in a status (the server's state table decides in the end). */
export function allowedActions(status: OrderStatus): { cancel: boolean; confirmTransfer: boolean } {
  return {
    cancel: status === "pending_payment" || status === "paid",
    confirmTransfer: status === "pending_payment",
  };
}
