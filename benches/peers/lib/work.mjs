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
/**
 * What the Node entry adds to it besides compiling the .wasm at import: node:crypto as the
 * Ed25519 for signature equations. Imported with PKG_INIT, so the compile can be timed apart.
 */
export const PKG_NODE_CRYPTO = `${PKG}/src/node-crypto.js`;
/**
 * The lite entry (`permslip/lite`, docs/LITE.md): issuer-compiled tokens, the platform's Ed25519
 * and the small module dist/permslip_lite.wasm. Works on Node as it is (node:crypto).
 */
export const PKG_LITE = `${PKG}/src/lite.js`;

/** A file inside an installed package. */
export const modulePath = (p) => MODULES + p;

/** The installed version of a package (read from its package.json; not every one exports it). */
export function versionOf(pkg) {
  return JSON.parse(readFileSync(`${MODULES}${pkg}/package.json`, "utf8")).version;
}
