import { useQueryClient } from "@tanstack/react-query";
import { App } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { authorizedFetch } from "../../api/client";
import { afterSaleKeys } from "../aftersales/api";
import { orderKeys } from "./api";

export interface StreamEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * The complete events in `buffer` (text/event-stream: fields on lines, an empty line ends an
 * event; comment lines start with `:`), and what is left of an event still arriving.
 */
export function parseEvents(buffer: string): { events: StreamEvent[]; rest: string } {
  const blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  const events: StreamEvent[] = [];
  for (const block of blocks) {
    const event: StreamEvent = { event: "message", data: "" };
    let hasData = false;
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") event.id = value;
      else if (field === "event") event.event = value;
      else if (field === "data") {
        event.data = hasData ? `${event.data}\n${value}` : value;
        hasData = true;
      }
    }
    if (hasData) events.push(event);
  }
  return { events, rest };
}

/** Follows the merchant's order events while mounted: lists refresh; a new or paid order and an
 * after-sales request are announced. */
export function LiveOrders() {
  const queryClient = useQueryClient();
  const { notification } = App.useApp();
  const { t } = useTranslation();

  useEffect(() => {
    if (typeof TextDecoderStream === "undefined") return;
    const controller = new AbortController();
    let lastId: string | undefined;
    const handle = (e: StreamEvent) => {
      let data: { order_id?: number; order_no?: string; after_sale_id?: number } = {};
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      void queryClient.invalidateQueries({ queryKey: orderKeys.lists });
      if (data.order_id !== undefined) {
        void queryClient.invalidateQueries({ queryKey: orderKeys.order(data.order_id) });
      }
      if (e.event === "after_sale.requested" || e.event === "refund.completed") {
        void queryClient.invalidateQueries({ queryKey: afterSaleKeys.lists });
        if (data.after_sale_id != null) {
          void queryClient.invalidateQueries({ queryKey: afterSaleKeys.one(data.after_sale_id) });
        }
      }
      if (e.event === "after_sale.requested") {
        notification.warning({
          key: `${e.event}:${data.after_sale_id}`,
          message: t("afterSales.newRequest", { no: data.order_no }),
        });
      }
      if (e.event === "order.placed" || e.event === "order.paid") {
        notification.info({
          key: `${e.event}:${data.order_no}`,
          message: t(e.event === "order.placed" ? "orders.newOrder" : "orders.orderPaid", {
            no: data.order_no,
          }),
        });
      }
    };
    const follow = async () => {
      while (!controller.signal.aborted) {
        try {
          const headers: Record<string, string> = lastId ? { "Last-Event-ID": lastId } : {};
          const res = await authorizedFetch(
            new Request(`${window.location.origin}/api/v1/orders/events`, {
              headers,
              signal: controller.signal,
            }),
          );
          if (res.ok && res.body) {
            const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
            let buffer = "";
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              const parsed = parseEvents(buffer + value);
              buffer = parsed.rest;
              for (const e of parsed.events) {
                if (e.id) lastId = e.id;
                handle(e);
              }
            }
          }
        } catch {
          // A dropped connection: try again below.
        }
        if (controller.signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    };
    void follow();
    return () => controller.abort();
  }, [queryClient, notification, t]);

  return null;
}
