// Installs node:crypto (OpenSSL, synchronous) as the Ed25519 that checks signature equations:
// faster than the module's own and without its slow first run. Imported by the Node entry;
// permslip's strict checks still run first (see core.js, "Signature verification").
import { createPublicKey, verify } from "node:crypto";
import { setSyncVerifier } from "./core.js";

setSyncVerifier({
  name: "node:crypto",
  importKey: (raw) =>
    createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
      format: "jwk",
    }),
  verify: (key, message, signature) => verify(null, message, key, signature),
});
