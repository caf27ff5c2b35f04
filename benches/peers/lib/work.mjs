// Paths of this benchmark: .work/ (what run.sh generates: tokens, payloads, bundles, scaled
// models, results) and the installed packages.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const WORK = fileURLToPath(new URL("../.work", import.meta.url));
const MODULES = fileURLToPath(new URL("../node_modules/", import.meta.url));

/**
 * The permslip npm package measured: `pkg/` of this repository, or the copy run.sh takes
 * (PERMSLIP_PKG), so a rebuild of `pkg/dist` during a run cannot mix two builds.
 */
export const PKG = process.env.PERMSLIP_PKG ?? fileURLToPath(new URL("../../../pkg", import.meta.url));
/** The package's explicit-initialisation entry (`permslip/init`). */
export const PKG_INIT = `${PKG}/src/init.js`;

/** A file inside an installed package. */
export const modulePath = (p) => MODULES + p;

/** The installed version of a package (read from its package.json; not every one exports it). */
export function versionOf(pkg) {
  return JSON.parse(readFileSync(`${MODULES}${pkg}/package.json`, "utf8")).version;
}
