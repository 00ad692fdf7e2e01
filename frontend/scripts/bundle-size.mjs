// The JavaScript each HTML entry of the built SPA makes a browser download, read from Vite's
// manifest after `vite build`: the initial JS (the entry chunk and its static imports,
// recursively), and for each page loaded later what it adds. Sizes are raw and gzip (node's
// zlib, as Vite reports them). Fails when
//   - the shop entry (shop.html), or any page it can load, contains a module of the console
//     (src/features/, src/layouts/, the console's entry files), using the module list per chunk
//     that vite.config.ts writes beside the manifest;
//   - an entry's initial JS is over its gzip budget.
// Usage: node scripts/bundle-size.mjs [dist]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = process.argv[2] ?? "dist";
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
const chunkModules = JSON.parse(readFileSync(join(dist, ".vite/chunk-modules.json"), "utf8"));

/**
 * Initial JS budgets (gzip, KB), a little above what the build gives; the console's was 581 KB
 * while the SPA was one chunk. The figures are in docs/performance.md.
 */
const BUDGETS_KB = { "index.html": 340, "shop.html": 260 };

/** Source modules that are the console's: the shop must load none of them. */
const CONSOLE_MODULES = [
  /^src\/features\//,
  /^src\/layouts\//,
  /^src\/(main|App|routes)\.tsx$/,
  /^src\/api\/client\.ts$/,
  /^index\.html$/,
];

const sizes = new Map();
function sizeOf(file) {
  let size = sizes.get(file);
  if (!size) {
    const bytes = readFileSync(join(dist, file));
    size = { raw: bytes.length, gzip: gzipSync(bytes).length };
    sizes.set(file, size);
  }
  return size;
}

/** The chunk `key` and everything it imports statically, recursively (manifest keys). */
function staticClosure(key, into = new Set()) {
  if (into.has(key)) return into;
  into.add(key);
  for (const imported of manifest[key]?.imports ?? []) staticClosure(imported, into);
  return into;
}

/** Everything `key` can ever load: its static closure and, recursively, its dynamic imports. */
function everything(key, into = new Set()) {
  for (const chunk of staticClosure(key)) {
    if (into.has(chunk)) continue;
    into.add(chunk);
    for (const dynamic of manifest[chunk]?.dynamicImports ?? []) everything(dynamic, into);
  }
  return into;
}

function total(keys) {
  let raw = 0;
  let gzip = 0;
  for (const key of keys) {
    const size = sizeOf(manifest[key].file);
    raw += size.raw;
    gzip += size.gzip;
  }
  return { raw, gzip };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const pad = (text, width) => String(text).padEnd(width);

const entries = Object.keys(manifest).filter(
  (key) => manifest[key].isEntry && key.endsWith(".html"),
);
const failures = [];

for (const entry of entries) {
  const initial = staticClosure(entry);
  const size = total(initial);
  console.log(
    `${entry}: initial JS ${kb(size.raw)} (gzip ${kb(size.gzip)}) in ${initial.size} chunks`,
  );
  // What each page loaded on first visit adds to the initial JS.
  const pages = new Set();
  for (const chunk of initial) {
    for (const dynamic of manifest[chunk].dynamicImports ?? []) pages.add(dynamic);
  }
  for (const pageKey of [...pages].sort()) {
    const added = [...staticClosure(pageKey)].filter((chunk) => !initial.has(chunk));
    const extra = total(added);
    console.log(
      `  + ${pad(manifest[pageKey].name ?? pageKey, 26)} ${pad(kb(extra.raw), 10)} gzip ${kb(extra.gzip)}`,
    );
  }
  const budget = BUDGETS_KB[entry];
  if (budget !== undefined && size.gzip > budget * 1024) {
    failures.push(`${entry}: initial JS is ${kb(size.gzip)} gzip, over its budget of ${budget} KB`);
  }
}

const shop = "shop.html";
if (!manifest[shop]) failures.push(`${shop} is not an entry of the build`);
else {
  for (const key of everything(shop)) {
    const file = manifest[key].file;
    const modules = chunkModules[file];
    if (!modules) {
      failures.push(`no module list for ${file}: is vite.config.ts's chunkModules plugin on?`);
      continue;
    }
    for (const id of modules) {
      if (CONSOLE_MODULES.some((pattern) => pattern.test(id))) {
        failures.push(`${shop} can load ${file}, which holds the console's ${id}`);
      }
    }
  }
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`FAIL ${failure}`);
  process.exit(1);
}
console.log(`${shop} loads no console module; every entry is within its budget.`);
