// Node entry: compiles the .wasm from the package at import, so Node users need no init call,
// and verifies signatures with node:crypto (OpenSSL, synchronous), which is faster than the
// module's own Ed25519 and has no slow first run.
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { initSync, setSyncVerifier } from "./core.js";

initSync({ module: readFileSync(new URL("../dist/permslip_bg.wasm", import.meta.url)) });

setSyncVerifier({
  name: "node:crypto",
  importKey: (raw) =>
    createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
      format: "jwk",
    }),
  verify: (key, message, signature) => verify(null, message, key, signature),
});

// The public names are listed once, in the explicit-init entry.
export * from "./init.js";
