import { defineConfig } from "vitest/config";

// Plain Preact through esbuild's automatic JSX runtime: no framework plugin needed.
export default defineConfig({
  base: "/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // The message catalogs live with the API's code (services/common/catalog), outside web/.
    fs: { allow: [".", "../services/common/catalog"] },
    // `npm run dev` against a local API: `API=http://127.0.0.1:8080 npm run dev`.
    proxy: { "/graphql": { target: (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.API ?? "http://127.0.0.1:8080", ws: true } },
  },
  test: { environment: "node", include: ["test/**/*.test.ts"] },
});
