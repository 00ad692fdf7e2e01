import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { reloadWhenChunksAreGone } from "../components/lazyPage";
import { ShopApp } from "./ShopApp";
import "../i18n";

reloadWhenChunksAreGone();

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ShopApp />
    </StrictMode>,
  );
}
