// Packs pkg/ with `npm pack` and installs the tarball into a fresh consumer project, as a user
// would; the packaging, browser and workerd suites all test that installed copy.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers.mjs";

const quiet = { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" };

/** `{ consumer, pkgDir, tarball, files, cleanup }`, or `{ skip }` when the wasm is not built. */
export function packAndInstall() {
  if (!existsSync(join(ROOT, "pkg", "dist", "permslip_bg.wasm"))) {
    return { skip: "pkg/dist is missing: run scripts/build-wasm.sh first" };
  }
  const dir = mkdtempSync(join(tmpdir(), "permslip-pack-"));
  const json = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { ...quiet, cwd: join(ROOT, "pkg") });
  const [info] = JSON.parse(json.slice(json.indexOf("[")));
  const tarball = join(dir, info.filename);
  const consumer = join(dir, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", tarball], {
    ...quiet,
    cwd: consumer,
  });
  return {
    consumer,
    pkgDir: join(consumer, "node_modules", "permslip"),
    tarball,
    files: info.files.map((f) => f.path).sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Resolves `subpath` of an installed package through its `exports` map for the given
 * conditions, the way a runtime or bundler does. Returns a path relative to the package.
 */
export function resolveExport(pkgDir, subpath, conditions) {
  const exports = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).exports;
  const pick = (target) => {
    if (typeof target === "string") return target;
    for (const [key, value] of Object.entries(target)) {
      if (key === "default" || conditions.includes(key)) {
        const found = pick(value);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  const target = exports[subpath];
  if (target === undefined) throw new Error(`${subpath} is not exported`);
  return pick(target);
}
