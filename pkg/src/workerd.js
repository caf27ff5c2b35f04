// workerd / Cloudflare Workers entry. There, importing a .wasm file yields a compiled
// WebAssembly.Module and compiling from bytes at run time is forbidden, so the module is
// imported and instantiated synchronously at import: no init call needed.
import wasmModule from "../dist/permslip_bg.wasm";
import { initSync } from "./core.js";

initSync({ module: wasmModule });

// Listed here rather than `export * from "./init.js"` (as the Node entry does): a workerd
// config declares every module it loads, and this keeps the entry's graph to core.js + glue.
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
