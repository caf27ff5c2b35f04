// Node entry: compiles the .wasm from the package at import, so Node users need no init call.
import { readFileSync } from "node:fs";
import { initSync } from "./core.js";

initSync({ module: readFileSync(new URL("../dist/permslip_bg.wasm", import.meta.url)) });

export {
  Catalogue,
  HANDLE_DENY,
  init,
  initSync,
  isInitialized,
  KeySet,
  Permslip,
  PermslipError,
} from "./core.js";
