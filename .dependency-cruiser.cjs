/**
 * Module graph rules (`pnpm lint` runs them): no import cycle anywhere, within a package or across
 * packages. Type-only imports count too, except where the UI takes the API's types.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: split the shared part into its own module (see ARCHITECTURE.md).",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|\\.data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["types", "import", "default"],
      extensions: [".ts", ".tsx", ".js", ".mjs"],
      mainFields: ["module", "main", "types"],
    },
    combinedDependencies: true,
  },
};
