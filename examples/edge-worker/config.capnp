# workerd configuration for the edge gate example (worker.js + routes.json) in front of the
# origin at $ORIGIN_URL. From the repository root, after scripts/build-wasm.sh:
#
#   node examples/edge-worker/origin.mjs &          # a demo echo origin on 127.0.0.1:8788
#   ORIGIN_URL=http://127.0.0.1:8788 \
#     node_modules/@cloudflare/workerd-linux-64/bin/workerd serve examples/edge-worker/config.capnp
#
# The package is loaded from this repository's pkg/ under the module names an installed copy
# would have (node_modules/permslip/...); "permslip" and "permslip/edge" are the two specifiers
# the worker imports. With wrangler, a bundler resolves those instead and none of this is needed.
#
# TEST ONLY: the key set and catalogue bundle below are the published test fixtures
# (tests/keys/, tests/golden/amplify/). Never deploy with them.

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "gate", worker = .gate),
    # Allowed requests leave through this service: loopback and private addresses only.
    (name = "origin-network", network = (allow = ["local", "private"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "gate"),
  ],
);

const gate :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "routes.json", json = embed "routes.json"),
    (name = "permslip", esModule = "export * from \"node_modules/permslip/src/workerd.js\";"),
    (name = "permslip/edge", esModule = "export * from \"../node_modules/permslip/src/edge.js\";"),
    (name = "node_modules/permslip/src/workerd.js", esModule = embed "../../pkg/src/workerd.js"),
    (name = "node_modules/permslip/src/core.js", esModule = embed "../../pkg/src/core.js"),
    (name = "node_modules/permslip/src/edge.js", esModule = embed "../../pkg/src/edge.js"),
    (name = "node_modules/permslip/src/error.js", esModule = embed "../../pkg/src/error.js"),
    (name = "node_modules/permslip/src/facts.js", esModule = embed "../../pkg/src/facts.js"),
    (name = "node_modules/permslip/src/options.js", esModule = embed "../../pkg/src/options.js"),
    (name = "node_modules/permslip/dist/permslip.js", esModule = embed "../../pkg/dist/permslip.js"),
    (name = "node_modules/permslip/dist/permslip_bg.wasm", wasm = embed "../../pkg/dist/permslip_bg.wasm"),
  ],
  bindings = [
    (name = "PERMSLIP_JWKS", text = embed "../../tests/keys/test-jwks.json"),
    (name = "PERMSLIP_AUDIENCE", text = "permslip-demo"),
    (name = "PERMSLIP_CATALOGUE", text = embed "../../tests/golden/amplify/catalogue.jwt"),
    (name = "PERMSLIP_LEEWAY", fromEnvironment = "PERMSLIP_LEEWAY"),
    (name = "ORIGIN_URL", fromEnvironment = "ORIGIN_URL"),
  ],
  globalOutbound = "origin-network",
  compatibilityDate = "2025-01-01",
);
