// Real minutiae (FVC2004 ISO 19794-2 templates from ../shared/data) carried through ANSI/NIST-ITL
// Type-9 records: as the INCITS 378 block (9.126–9.141) and as an embedded template. The ITL view
// must agree with the template codec's own view of the same minutiae.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  binaryField, extractProbes, parseTransaction, textField, writeTransaction, type ItlTransaction,
} from '../src/ingest/itl/index.ts';
import { parseTemplate, toFingerMinutiae } from '../src/ingest/templates/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.BIOCHECK_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const dir = path.join(shared, 'fingerprints/fvc2004/DB1_B');
const files = existsSync(dir) ? ['101_1', '101_2', '102_1', '103_4', '105_8', '110_3'].map((n) => path.join(dir, `${n}.iso`)) : [];

const TYPE_CODE = { other: 0, ending: 1, bifurcation: 2 } as const;
const angleDiff = (a: number, b: number) => { const d = Math.abs(a - b) % (2 * Math.PI); return Math.min(d, 2 * Math.PI - d); };

describe.skipIf(files.length === 0)('ITL Type-9 with real FVC2004 minutiae (needs ../shared/data; skipped without it)', () => {
  it.each(files)('%s: M1 block and embedded template agree with the template codec', (file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const tpl = parseTemplate(bytes);
    const direct = toFingerMinutiae(tpl)[0];
    const view = tpl.views[0];
    const h = tpl.header;
    const fmd = view.minutiae.map((m, i) => [
      String(i + 1), String(m.x), String(m.y),
      // ISO 1/256 turn → ITL units of 2 degrees.
      String(Math.round((m.angle * 360) / 256 / 2) % 180), String(TYPE_CODE[m.type]), String(m.quality ?? 0),
    ]);
    const t: ItlTransaction = {
      records: [
        { kind: 'tagged', type: 1, fields: [textField(1, 2, '0500'), textField(1, 4, 'CHK')] },
        {
          kind: 'tagged', type: 9, fields: [
            textField(9, 2, '01'), textField(9, 3, String(view.impressionType)), textField(9, 4, 'U'),
            textField(9, 126, [['27', '513', '0']]), textField(9, 128, String(h.imageWidth)), textField(9, 129, String(h.imageHeight)),
            textField(9, 130, '2'), textField(9, 131, String(h.resolutionX)), textField(9, 132, String(h.resolutionY)),
            textField(9, 133, String(view.viewNumber)), textField(9, 134, String(view.position)),
            textField(9, 136, String(fmd.length)), textField(9, 137, fmd),
          ],
        },
        { kind: 'tagged', type: 9, fields: [textField(9, 2, '02'), textField(9, 4, 'U'), binaryField(9, 999, bytes)] },
      ],
      notes: [],
    };
    const probes = extractProbes(parseTransaction(writeTransaction(t)));
    expect(probes.fingers).toHaveLength(2);
    const [m1, embedded] = probes.fingers.map((f) => f.minutiae);
    expect(embedded).toEqual(direct);
    expect(m1.minutiae).toHaveLength(direct.minutiae.length);
    expect(m1.width).toBeCloseTo(direct.width, 9);
    expect(m1.height).toBeCloseTo(direct.height, 9);
    expect(m1.position).toBe(direct.position);
    m1.minutiae.forEach((m, i) => {
      const d = direct.minutiae[i];
      expect(m.x).toBeCloseTo(d.x, 6);
      expect(m.y).toBeCloseTo(d.y, 6);
      expect(m.type).toBe(d.type);
      // 2° units quantise the 1.40625° ISO angle: at most 1° apart.
      expect(angleDiff(m.angle, d.angle)).toBeLessThanOrEqual((1.01 * Math.PI) / 180);
    });
  });
});
