import type { RouteObject } from "react-router";
import { lazyPage, page } from "../components/lazyPage";

// The shopper's pages: an entry of their own (shop.html), loading none of the console. Each page
// is loaded when first visited.
const JoinPage = lazyPage(() => import("./join/JoinPage"), "JoinPage");
const NotFoundPage = lazyPage(() => import("../components/NotFoundPage"), "NotFoundPage");

export const routes: RouteObject[] = [
  // Where recruit links and their QR codes lead.
  { path: "/shop/:slug/join", element: page(JoinPage) },
  { path: "*", element: page(NotFoundPage) },
];
