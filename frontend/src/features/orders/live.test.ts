import { describe, expect, it } from "vitest";
import { parseEvents } from "./live";

describe("the order event stream", () => {
  it("reads complete events and keeps the one still arriving", () => {
    const { events, rest } = parseEvents(
      'retry: 2000\n: open\n\nid: 7\nevent: order.placed\ndata: {"order_no":"1"}\n\nid: 8\nevent: order.pa',
    );
    expect(events).toEqual([{ id: "7", event: "order.placed", data: '{"order_no":"1"}' }]);
    expect(rest).toBe("id: 8\nevent: order.pa");
    const next = parseEvents(`${rest}id\ndata: {}\n\n`);
    expect(next.events).toEqual([{ id: "8", event: "order.paid", data: "{}" }]);
  });

  it("skips comments and heartbeats", () => {
    expect(parseEvents(": heartbeat\n\n").events).toEqual([]);
  });
});
