// Runs worker.js in Node: a tiny adapter from node:http to the worker's fetch(request, env).
//   ORIGIN_URL=http://127.0.0.1:8788 node examples/edge-worker/node.mjs [port]   (default 8787)
// The bindings default to the same files config.capnp embeds, including the published
// TEST-ONLY key set (tests/keys/): never deploy with those.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import worker from "./worker.js";

const repo = (p) => new URL(`../../${p}`, import.meta.url);

/** The worker's bindings, from the environment or the example's defaults. */
export function envFromProcess(e = process.env) {
  return {
    PERMSLIP_JWKS: e.PERMSLIP_JWKS ?? readFileSync(repo("tests/keys/test-jwks.json"), "utf8"),
    PERMSLIP_AUDIENCE: e.PERMSLIP_AUDIENCE ?? "permslip-demo",
    PERMSLIP_CATALOGUE: e.PERMSLIP_CATALOGUE ?? readFileSync(repo("tests/golden/amplify/catalogue.jwt"), "utf8"),
    PERMSLIP_LEEWAY: e.PERMSLIP_LEEWAY,
    ORIGIN_URL: e.ORIGIN_URL ?? "http://127.0.0.1:8788",
  };
}

/** Serves `worker` on 127.0.0.1:`port`; resolves `{ url, close }`. */
export function serve(env, port = 0) {
  const server = createServer(async (req, res) => {
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
      }
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url}`, {
        method: req.method,
        headers,
        body: hasBody ? Readable.toWeb(req) : undefined,
        duplex: "half",
      });
      const response = await worker.fetch(request, env);
      // fetch() decoded any compressed body; the length may have changed with it.
      const out = new Headers(response.headers);
      out.delete("content-encoding");
      out.delete("content-length");
      for (const [k, v] of out) if (k !== "set-cookie") res.setHeader(k, v);
      const cookies = out.getSetCookie();
      if (cookies.length > 0) res.setHeader("set-cookie", cookies);
      res.writeHead(response.status);
      if (response.body) for await (const chunk of response.body) res.write(chunk);
      res.end();
    } catch (e) {
      console.error(e);
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "bad_gateway" }));
    }
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }),
    );
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await serve(envFromProcess(), Number(process.argv[2] ?? 8787));
  console.log(`edge gate on ${s.url}, forwarding to ${envFromProcess().ORIGIN_URL}`);
}
