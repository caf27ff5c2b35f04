// Node entry: compiles the .wasm from the package at import, so Node users need no init call,
// and verifies signatures with node:crypto (./node-crypto.js).
import { readFileSync } from "node:fs";
import "./node-crypto.js";
import { initSync } from "./core.js";

initSync({ module: readFileSync(new URL("../dist/permslip_bg.wasm", import.meta.url)) });

// The public names are listed once, in the explicit-init entry.
export * from "./init.js";
