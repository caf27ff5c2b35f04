// Vite config of the permslip demo console. `npm run build` writes www/dist/.
import { defineConfig } from "vite";

export default defineConfig({
  // Relative asset URLs: dist/ works from any path on any static server.
  base: "./",
  oxc: { jsx: { runtime: "automatic" } },
  resolve: {
    // permslip/react imports `react` from pkg/, outside this project: use our one copy.
    dedupe: ["react", "react-dom"],
  },
  server: { fs: { allow: [".."] } },
  build: { target: "es2022", chunkSizeWarningLimit: 1024 },
});
