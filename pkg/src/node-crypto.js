// Installs node:crypto (OpenSSL, synchronous) as the Ed25519 that `verifier: "platform"` uses
// on Node. "auto" does not pick it: permslip's own verifier is as fast cold (~110 us) and
// faster warm (~80 us once a key has its fixed-base table, src/token/equation.rs) than
// OpenSSL's ~104 us here, and loading node:crypto costs 2-3 ms in a fresh Node 20 process.
// permslip's strict checks run first either way (see core.js, "Signature verification"), so
// both accept exactly the same signatures.
import { setSyncVerifier } from "./core.js";

// process.getBuiltinModule (Node 20.16+) loads a builtin synchronously without importing
// node:module (itself ~1.4 ms here). Without it, node:crypto is not used: wasm verifies.
const getBuiltin = globalThis.process?.getBuiltinModule;
let crypto = null;
const nodeCrypto = () => (crypto ??= getBuiltin("node:crypto"));

if (typeof getBuiltin === "function") {
  setSyncVerifier({
    name: "node:crypto",
    auto: false,
    importKey: (raw) =>
      nodeCrypto().createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
        format: "jwk",
      }),
    verify: (key, message, signature) => nodeCrypto().verify(null, message, key, signature),
  });
}
