// A tiny origin for the demo and the tests: answers every request with a JSON echo of what it
// received (method, path, X-Permslip-* headers), and remembers the requests.
//   node examples/edge-worker/origin.mjs [port]      (default 8788, on 127.0.0.1)
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

/** Starts the echo origin on 127.0.0.1; resolves `{ url, requests, close }`. */
export function startOrigin(port = 0) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const permslip = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith("x-permslip-")));
      const seen = { method: req.method, url: req.url, permslip, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(seen);
      res.writeHead(200, { "content-type": "application/json", "x-origin": "echo" });
      res.end(JSON.stringify(seen));
    });
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = await startOrigin(Number(process.argv[2] ?? 8788));
  console.log(`echo origin on ${o.url}`);
}
