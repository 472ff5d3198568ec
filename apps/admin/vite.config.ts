import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

/** The API the dev server forwards to (`pnpm dev` sets it from PORT). */
const api = process.env.ZZ_API_ORIGIN ?? "http://127.0.0.1:3000";

/** Admin UI build: static files in dist/ that the API serves; the dev server proxies the API. */
export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline polyfill: the server's CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      "/trpc": api,
      "/auth": api,
      "/public": api,
      "/events": api,
      "/attachments": api,
      "/healthz": api,
      // Only the upload endpoint: /cases/* pages are the UI's own routes.
      "^/cases/[^/]+/attachments$": api,
    },
  },
});
