import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

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
      "/trpc": "http://127.0.0.1:3000",
      "/auth": "http://127.0.0.1:3000",
      "/public": "http://127.0.0.1:3000",
      "/events": "http://127.0.0.1:3000",
      "/attachments": "http://127.0.0.1:3000",
      // Only the upload endpoint: /cases/* pages are the UI's own routes.
      "^/cases/[^/]+/attachments$": "http://127.0.0.1:3000",
    },
  },
});
