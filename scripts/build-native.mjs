// Builds the native addon in native/ with node-gyp during `npm ci` / `npm install`.
// Node's headers come from the local Node install (npm's `nodedir`, or /usr), never downloaded.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const nativeDir = path.join(root, 'native');
if (!existsSync(path.join(nativeDir, 'binding.gyp'))) {
  console.log('[build-native] no native/binding.gyp, nothing to build');
  process.exit(0);
}
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const args = [gyp, 'rebuild', `--directory=${nativeDir}`, `--jobs=max`];
const nodedir = process.env.npm_config_nodedir
  || (existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
if (nodedir) args.push(`--nodedir=${nodedir}`);
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('[build-native] node-gyp failed: the fingerprint matcher cannot run without it');
  process.exit(r.status ?? 1);
}
