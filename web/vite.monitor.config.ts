import { defineConfig } from "vite";

// The monitor app (monitor/): its own entry point, built into dist-monitor/ which ingest serves
// at /m/ (services/ingest/monitor_app.py). The service worker is built to a fixed name, sw.js,
// beside the page, so that its scope is /m/.
export default defineConfig({
  root: "monitor",
  base: "/m/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "../dist-monitor",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      input: { index: "monitor/index.html", sw: "monitor/src/sw.ts" },
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
});
