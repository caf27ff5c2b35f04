// Explicit initialisation entry (`permslip/init`), also the browser and default entry:
// nothing happens at import; call `await init()` (fetches the .wasm next to the glue, resolved
// from import.meta.url) or `init(urlOrResponse)` / `initSync({ module })` before loading.
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
