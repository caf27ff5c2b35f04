// Boot: initialise the wasm, read the demo manifest and the issuer's public keys, render.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { init, KeySet } from "permslip";
import { App } from "./App.jsx";
import { fetchJson, fetchText } from "./backend.js";
import "./styles.css";

const root = createRoot(document.getElementById("root"));

try {
  const [, manifest, jwks] = await Promise.all([init(), fetchJson("manifest.json"), fetchText("jwks.json")]);
  // Parse the key set once: every snapshot of the session is verified against it.
  const keys = KeySet.parse(jwks);
  root.render(
    <StrictMode>
      <App manifest={manifest} keys={keys} />
    </StrictMode>,
  );
} catch (e) {
  root.render(
    <div className="boot-error" data-testid="boot-error">
      <h1>The console could not start</h1>
      <p>{String(e?.message ?? e)}</p>
      <p>Build it with <code>scripts/demo.sh</code>, which issues the demo snapshots.</p>
    </div>,
  );
}
