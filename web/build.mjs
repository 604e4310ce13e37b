// Builds the web app into a directory chat-admin serves at /app (web_dir):
// type-checks with tsc, bundles src/main.ts with esbuild (MQTT.js included:
// nothing is fetched from a CDN at run time), copies index.html and the styles.
//
//   node build.mjs [OUTDIR]     (default: dist)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, 'dist'));

try {
  execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', here], {
    stdio: 'inherit',
  });
} catch {
  console.error('web: the type check failed');
  process.exit(1);
}
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  sourcemap: true,
  outfile: join(outdir, 'app.js'),
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css']) copyFileSync(join(here, 'src', file), join(outdir, file));
console.log(`web: built into ${outdir}`);
