// The demo's "backend": static files written by scripts/demo.sh. A real app fetches the
// snapshot from its API (which issues it for the signed-in user) the same way.
const BASE = new URL("demo/", document.baseURI);

async function get(path, signal) {
  const res = await fetch(new URL(path, BASE), { signal, cache: "no-store" });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${res.statusText}`);
  return res;
}

export const fetchText = async (path, signal) => (await get(path, signal)).text();
export const fetchJson = async (path, signal) => (await get(path, signal)).json();

/** The snapshot of one entry of the switcher, with the example's catalogue bundle if any. */
export async function fetchSnapshot(example, entry, signal) {
  const [token, catalogue] = await Promise.all([
    fetchText(entry.file, signal),
    example.catalogue ? fetchText(example.catalogue, signal) : null,
  ]);
  return catalogue === null ? token : { token, catalogue: catalogue.trim() };
}
