// Installs node:crypto (OpenSSL, synchronous) as the Ed25519 that checks signature equations:
// ~106 us against ~148 us in wasm here. Imported by the Node entry; permslip's strict checks
// still run first (see core.js, "Signature verification").
//
// Loading node:crypto costs 2-3 ms in a fresh Node 20 process: as much as ~60 verifications
// save. So "auto" leaves the first DEFER_FOR verifications of a process to the module's own
// Ed25519 (a short-lived process never pays the load) and requires node:crypto only then;
// `verifier: "platform"` requires it at once. Both accept exactly the same signatures.
import { setSyncVerifier } from "./core.js";

const DEFER_FOR = 64;
// process.getBuiltinModule (Node 20.16+) loads a builtin synchronously without importing
// node:module (itself ~1.4 ms here). Without it, node:crypto is not used: wasm verifies.
const getBuiltin = globalThis.process?.getBuiltinModule;
let crypto = null;
const nodeCrypto = () => (crypto ??= getBuiltin("node:crypto"));

if (typeof getBuiltin === "function") {
  setSyncVerifier({
    name: "node:crypto",
    deferFor: DEFER_FOR,
    importKey: (raw) =>
      nodeCrypto().createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
        format: "jwk",
      }),
    verify: (key, message, signature) => nodeCrypto().verify(null, message, key, signature),
  });
}
