import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";
import "../i18n";

// jsdom lacks the media-query API that antd's responsive components call.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// Nor does it have ResizeObserver, which antd's popups use to place themselves.
if (!window.ResizeObserver) {
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// `findBy…` waits this long for the page to show what the test expects (1 s by default), for the
// same reason as the test timeout in vite.config.ts.
configure({ asyncUtilTimeout: 20_000 });

afterEach(() => cleanup());
