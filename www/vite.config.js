// Vite config of the permslip demo console. `npm run build` writes www/dist/.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const pkg = (path) => fileURLToPath(new URL(`../pkg/${path}`, import.meta.url));

export default defineConfig({
  // Relative asset URLs: dist/ works from any path on any static server.
  base: "./",
  oxc: { jsx: { runtime: "automatic" } },
  resolve: {
    // permslip/react imports `react` from pkg/, outside this project: use our one copy.
    dedupe: ["react", "react-dom"],
    // Until pkg/package.json lists these entries in `exports`, point at the files directly.
    alias: {
      "permslip/react": pkg("src/react.js"),
      "permslip/session": pkg("src/session.js"),
    },
  },
  server: { fs: { allow: [".."] } },
  build: { target: "es2022", chunkSizeWarningLimit: 1024 },
});
