// `npm run build`: the server (src/cli.ts) and the bench's children as single ESM files in dist/.
//
// Our dependencies are bundled in. Loaded as ~200 separate modules, drizzle-orm alone grew the heap to 140 MB of which
// 5 MB stayed live after a collection (garbage per file; likely its 180 kB package.json export map, read for each),
// and the process kept the pages: bundled, the server starts with ~25 MB less RSS. Left external: argon2 (a native
// addon), PGlite (loads its WebAssembly and data files next to its own module) and GraphiQL's assets (9 MB of
// strings, imported only when GRAPHIQL is on). Bundled code cannot start worker files of its packages: a pino
// transport would not work (src/log.ts writes JSON lines to stderr itself). The source maps name files and lines
// without embedding the sources. PostGraphile, the bench's contender, stays as its packages ship.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  outbase: '.',
  outdir: 'dist',
  sourcemap: true,
  sourcesContent: false,
  // Whitespace and comments out: V8 keeps a script's whole source alive, and a single non-ASCII character (there
  // are a few in our dependencies' comments) stores all of it two bytes a character — the server's 4.5 MB bundle was
  // 8.6 MB of its live heap of 35 MB. Names are kept (stack traces still say which function), and licence comments
  // go to a file of their own beside the bundle.
  minifyWhitespace: true,
  legalComments: 'external',
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
