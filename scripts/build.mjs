// `npm run build`: the server (src/cli.ts) and the bench's children as single ESM files in dist/.
//
// Our dependencies are bundled in: Node resolves every file of an external package through its package.json, and
// drizzle-orm's (180 kB, an export map of every file) is parsed anew for each of its ~200 files, so that loading it
// alone grew the heap to 140 MB of which 5 MB stayed live, and the process kept the pages: bundled, the server starts
// with ~25 MB less RSS. Left external: argon2 (a native addon), PGlite (loads its WebAssembly and data files next to
// its own module) and GraphiQL's assets (9 MB of strings, imported only when GRAPHIQL is on). PostGraphile, the
// bench's contender, stays as its packages ship.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  outbase: '.',
  outdir: 'dist',
  sourcemap: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['src/cli.ts', 'bench/server.ts', 'bench/floor.ts'],
  external: ['argon2', '@electric-sql/pglite', '@graphql-yoga/render-graphiql'],
  // CommonJS packages bundled into an ES module still call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
await build({ ...common, entryPoints: ['bench/postgraphile.ts'], packages: 'external' });
