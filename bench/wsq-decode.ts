// WSQ decoding on NIST's reference images: conformance (max grey-level difference from NIST's reference
// decoder, tolerance 1) and decode time per image on one thread, next to sharp/libwebp decoding the
// reference pixels of the same image (a native decoder on the same machine in the same run, for scale).
//   npx tsx bench/wsq-decode.ts            (BIOCHECK_SHARED_DATA overrides ../shared/data)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { decodeWsq } from '../src/ingest/wsq/index.ts';
import { machine, sharedData, writeReport } from './lib/report.ts';

const root = path.join(sharedData, 'fingerprints', 'wsq-nist');
const cpuMs = (f: () => unknown) => { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; };
const rows: string[] = [];
const perSet: Record<string, { files: number; maxDiff: number; msPerMpx: number; webpMsPerMpx: number }> = {};
for (const set of ['75', 'not_7_9']) {
  let maxDiff = 0, ms = 0, webpMs = 0, mpx = 0;
  const files = readdirSync(path.join(root, 'wsq', set)).filter((f) => f.endsWith('.wsq')).sort();
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(path.join(root, 'wsq', set, f)));
    decodeWsq(bytes); // warm
    let img = decodeWsq(bytes);
    const t = Math.min(...[0, 1, 2].map(() => cpuMs(() => { img = decodeWsq(bytes); })));
    const webp = readFileSync(path.join(root, 'wsq_decoded', set, f.replace('.wsq', '.webp')));
    const w0 = performance.now();
    const { data, info } = await sharp(webp).greyscale().raw().toBuffer({ resolveWithObject: true });
    const w = performance.now() - w0;
    let d = 0;
    for (let i = 0; i < img.pixels.length; i++) d = Math.max(d, Math.abs(img.pixels[i] - data[i * info.channels]));
    maxDiff = Math.max(maxDiff, d);
    const m = (img.width * img.height) / 1e6;
    ms += t; webpMs += w; mpx += m;
  }
  perSet[set] = { files: files.length, maxDiff, msPerMpx: +(ms / mpx).toFixed(1), webpMsPerMpx: +(webpMs / mpx).toFixed(1) };
  rows.push(`| ${set} | ${files.length} | ${maxDiff} | ${(ms / mpx).toFixed(1)} | ${(ms / mpx * 0.25).toFixed(1)} | ${(webpMs / mpx).toFixed(1)} | ${(ms / webpMs).toFixed(2)} |`);
  console.log(rows[rows.length - 1]);
}
writeReport({
  name: 'wsq-decode',
  command: 'npx tsx bench/wsq-decode.ts',
  dataset: `${root}: NIST WSQ reference images v2.0 (40 at 0.75 bpp with 7/9 filters, 6 with other filter banks) and the reference decoder's pixels`,
  versions: { decoder: 'src/ingest/wsq (TypeScript)' },
  results: { perSet },
  markdown: [
    '| set | files | max grey-level difference | decode ms per Mpx (CPU, best of 3) | ms for a 500x500 image | sharp WebP decode ms per Mpx (wall) | ratio WSQ/WebP |',
    '|---|---|---|---|---|---|---|',
    ...rows, '',
    'Conformance: NIST allows at most one grey level. A 500 ppi fingerprint (500x500 px, 0.25 Mpx) decodes in the "ms for a 500x500 image" column.',
    `Machine: ${machine().cpu}, shared with other helpers while measured: the WebP column is the same machine in the same run, for scale.`,
  ].join('\n'),
});
