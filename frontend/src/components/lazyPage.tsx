import { Flex, Spin } from "antd";
import { type ComponentType, type LazyExoticComponent, lazy, Suspense } from "react";

/**
 * A page loaded on first visit: `load` is a dynamic `import()` of its module, so each page is a
 * chunk of its own and the entry carries none of it.
 */
export function lazyPage<K extends string>(
  load: () => Promise<{ [P in K]: ComponentType }>,
  name: K,
): LazyExoticComponent<ComponentType> {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}

/** Shown where a page goes while its chunk loads. */
export function PageLoading() {
  return (
    <Flex justify="center" style={{ padding: 48 }} data-testid="page-loading">
      <Spin />
    </Flex>
  );
}

/** The route element of a lazily loaded page. */
export function page(Page: ComponentType) {
  return (
    <Suspense fallback={<PageLoading />}>
      <Page />
    </Suspense>
  );
}

const RELOADED_AT = "fenxiao.reloadedForChunks";

/**
 * After a new release the hashed chunks of the previous one are gone, so a page not loaded yet
 * fails to load in a tab opened before: the app then loads afresh, once (a second failure within
 * a minute is shown as the error it is).
 */
export function reloadWhenChunksAreGone() {
  window.addEventListener("vite:preloadError", (event) => {
    let last = 0;
    try {
      last = Number(window.sessionStorage.getItem(RELOADED_AT) ?? 0);
      if (Date.now() - last < 60_000) return;
      window.sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    } catch {
      // Without storage the loop guard is gone; show the error rather than risk reloading forever.
      return;
    }
    event.preventDefault();
    window.location.reload();
  });
}
