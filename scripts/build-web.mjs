// Builds the web application (web/) into web/dist during `npm ci` / `npm install`: one bundled ES module, the page
// and the stylesheet. Nothing is fetched; esbuild ships its binary in the npm package.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web');
const out = path.join(web, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(web, 'src/main.tsx')],
  outfile: path.join(out, 'app.js'),
  bundle: true, format: 'esm', target: 'es2020', minify: true, sourcemap: false, legalComments: 'none',
  jsx: 'automatic', jsxImportSource: 'preact', logLevel: 'warning',
});
for (const f of ['index.html', 'styles.css']) copyFileSync(path.join(web, f), path.join(out, f));
console.log(`[build-web] ${path.relative(process.cwd(), out)}: app.js, index.html, styles.css`);
