// A small static server for www/dist/ on 127.0.0.1 (loopback only): `.wasm` as
// application/wasm (required by WebAssembly.instantiateStreaming), snapshots as text, no
// directory listings, nothing outside dist/. Prints one line saying where to open the console.
//
//   node www/serve.mjs [--port N]     (default: $PORT, else 8080; 0 picks a free port)
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("./dist/", import.meta.url));
const HOST = "127.0.0.1";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jwt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

const flag = process.argv.indexOf("--port");
const port = Number(flag >= 0 ? process.argv[flag + 1] : (process.env.PORT ?? 8080));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve: invalid port \`${flag >= 0 ? process.argv[flag + 1] : process.env.PORT}\``);
  process.exit(2);
}

function resolve(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split("?")[0]);
  } catch {
    return null;
  }
  if (path.endsWith("/")) path += "index.html";
  const file = normalize(join(ROOT, path));
  if (!file.startsWith(ROOT) || file.split(sep).some((part) => part.startsWith(".") && part.length > 1)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

const server = createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const file = resolve(req.url ?? "/");
  if (file === null) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    // Snapshots and the manifest change at every build; hashed assets could be cached, but a
    // demo has no need to.
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
});

server.on("error", (e) => {
  console.error(
    e.code === "EADDRINUSE"
      ? `serve: port ${port} is in use on ${HOST}: set PORT to another one`
      : `serve: ${e.message}`,
  );
  process.exit(1);
});

server.listen(port, HOST, () => {
  console.log(`permslip demo: open http://${HOST}:${server.address().port}/`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
