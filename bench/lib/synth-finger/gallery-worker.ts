// Child process of gallery-cache.ts: generates one slice of a synthetic gallery and writes it packed to a file.
import { writeFileSync } from 'node:fs';
import { isoTemplate, syntheticImpression, syntheticMaster } from './index.ts';
import { pack, positionOf, type GalleryRequest } from './gallery-cache.ts';

const req = JSON.parse(process.argv[2]) as GalleryRequest;
const records: Uint8Array[] = [];
for (let i = req.from; i < req.to; i++) {
  const imp = syntheticImpression(syntheticMaster(req.seed, i), req.seed, i, req.impression, positionOf(req, i));
  records.push(isoTemplate(imp.finger, Math.round(imp.quality * 100)));
}
writeFileSync(process.argv[3], pack(records));
