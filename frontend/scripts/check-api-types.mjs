// Fails when src/api/schema.d.ts is not what openapi-typescript makes of openapi/openapi.json,
// i.e. when the API changed and `npm run gen:api` (or `make openapi`) was not run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "fenxiao-api-types-"));
const fresh = join(dir, "schema.d.ts");
try {
  execFileSync(
    "node_modules/.bin/openapi-typescript",
    ["../openapi/openapi.json", "-o", fresh, "--silent"],
    { stdio: "inherit" },
  );
  const committed = readFileSync("src/api/schema.d.ts", "utf8");
  if (readFileSync(fresh, "utf8") !== committed) {
    console.error(
      "src/api/schema.d.ts is stale: run `make openapi` (or `npm run gen:api`) and commit it.",
    );
    process.exit(1);
  }
  console.log("API types are up to date with openapi/openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
