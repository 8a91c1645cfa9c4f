// The standards' printed example records (compared field by field with fingerprintio-java's JSON
// dumps), the truncated records, and the 320 FVC2004 ISO 2005 templates from ../shared/data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import {
  detectFormat, encodeTemplate, parseTemplate, toFingerMinutiae, type FingerView, type ParsedTemplate, type TemplateFormat,
} from '../src/ingest/templates/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.BIOCHECK_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const fingerprints = path.join(shared, 'fingerprints');
const present = existsSync(fingerprints);
if (!present) console.warn(`templates-shared-data: skipped, no shared data at ${fingerprints} (set BIOCHECK_SHARED_DATA)`);
const read = (p: string) => new Uint8Array(readFileSync(p));

const POSITIONS = ['UNKNOWN', 'RIGHT_THUMB', 'RIGHT_INDEX', 'RIGHT_MIDDLE', 'RIGHT_RING', 'RIGHT_LITTLE',
  'LEFT_THUMB', 'LEFT_INDEX', 'LEFT_MIDDLE', 'LEFT_RING', 'LEFT_LITTLE'];
const MINUTIA_TYPES: Record<string, string> = { ENDING: 'ending', BIFURCATION: 'bifurcation', OTHER: 'other', EITHER: 'other' };
const SCAN_TYPES: Record<string, number> = { LIVE_PLAIN: 0 };
const COUNT_TYPES: Record<string, number> = { QUADRANTS: 1, OCTANTS: 2 };

interface JsonMinutia { type: string; positionX: number; positionY: number; angle: number; quality: number }
interface JsonFingerprint {
  position: string; view: number; scanType: string; quality?: number; qualityVendorId?: number; qualityAlgorithmId?: number;
  width?: number; height?: number; resolutionX?: number; resolutionY?: number; minutiae: JsonMinutia[];
  counts: { type: string; edges: { from: number; to: number; count: number }[] } | null; coredelta: unknown;
  extensions: { type: number; data: string }[];
  datetime?: Record<string, number>; sensorType?: string; sensorVendor?: number; sensorId?: number;
  qrecords?: { quality: number; vendor: number; algorithm: number }[]; certificates?: unknown[]; endingType?: string;
}
interface JsonTemplate {
  vendorId?: number; subformat?: number; sensorCertified?: boolean; sensorId?: number;
  width?: number; height?: number; resolutionX?: number; resolutionY?: number; fingerprints: JsonFingerprint[];
}

/** Field-by-field comparison of our parse with fingerprintio-java's dump of the same record. */
function compareWithJson(t: ParsedTemplate, j: JsonTemplate) {
  const h = t.header;
  if (j.vendorId !== undefined) expect(h.cbeffOwner).toBe(j.vendorId);
  if (j.subformat !== undefined) expect(h.cbeffType).toBe(j.subformat);
  if (j.sensorCertified !== undefined) expect((h.equipmentCompliance ?? 0) & (t.format.startsWith('ansi-378:2009') ? 0x80 : 0x8)).toBe(j.sensorCertified ? 1 : 0);
  if (j.sensorId !== undefined) expect(h.captureEquipmentId).toBe(j.sensorId);
  for (const k of ['width', 'height'] as const) if (j[k] !== undefined) expect(h[k === 'width' ? 'imageWidth' : 'imageHeight']).toBe(j[k]);
  if (j.resolutionX !== undefined) expect([h.resolutionX, h.resolutionY]).toEqual([j.resolutionX, j.resolutionY]);
  expect(t.views).toHaveLength(j.fingerprints.length);
  j.fingerprints.forEach((jf, i) => compareView(t, t.views[i], jf));
}

function compareView(t: ParsedTemplate, v: FingerView, jf: JsonFingerprint) {
  expect(v.position).toBe(POSITIONS.indexOf(jf.position));
  expect(v.viewNumber).toBe(jf.view);
  expect(v.impressionType).toBe(SCAN_TYPES[jf.scanType]);
  if (jf.quality !== undefined) expect(v.fingerQuality).toBe(jf.quality);
  if (jf.qualityVendorId !== undefined) expect([v.qualityVendorId, v.qualityAlgorithmId]).toEqual([jf.qualityVendorId, jf.qualityAlgorithmId]);
  if (jf.width !== undefined) expect([v.imageWidth, v.imageHeight]).toEqual([jf.width, jf.height]);
  if (jf.resolutionX !== undefined) expect([v.resolutionX, v.resolutionY]).toEqual([jf.resolutionX, jf.resolutionY]);
  expect(v.minutiae.map((m) => [m.type, m.x, m.y, m.angle, m.quality]))
    .toEqual(jf.minutiae.map((m) => [MINUTIA_TYPES[m.type], m.positionX, m.positionY, m.angle, m.quality]));
  const counts = v.extended.find((b) => b.kind === 'ridge-counts');
  if (jf.counts) {
    expect(counts).toMatchObject({ method: COUNT_TYPES[jf.counts.type], edges: jf.counts.edges });
  } else {
    expect(counts).toBeUndefined();
  }
  expect(jf.coredelta).toBeNull();
  expect(v.extended.filter((b) => b.kind === 'core-delta')).toHaveLength(0);
  const raws = v.extended.filter((b) => b.kind === 'raw');
  expect(raws.map((b) => [b.typeCode, Buffer.from(b.data).toString('base64')])).toEqual(jf.extensions.map((e) => [e.type, e.data]));
  if (t.format === 'iso-19794-2:2011') {
    const c = v.capture!;
    expect(c.dateTime).toEqual(jf.datetime);
    expect(c.deviceTechnology).toBe(0); // "UNKNOWN"
    expect(jf.sensorType).toBe('UNKNOWN');
    expect([c.deviceVendorId, c.deviceTypeId]).toEqual([jf.sensorVendor, jf.sensorId]);
    expect(c.qualityRecords).toEqual(jf.qrecords!.map((q) => ({ score: q.quality, vendorId: q.vendor, algorithmId: q.algorithm })));
    expect(c.certifications ?? []).toEqual(jf.certificates);
    expect(v.ridgeEndingType).toBe(jf.endingType === 'VALLEY_SKELETON_BIFURCATION' ? 0 : 1);
  }
}

const SAMPLES: { file: string; format: TemplateFormat; strictError?: string }[] = [
  // Printed with a record length 2 bytes short, angles above 179 and a misaligned ridge count block.
  { file: 'ansi378v2004-sample', format: 'ansi-378:2004', strictError: 'TEMPLATE_LENGTH_MISMATCH' },
  // Printed with a record length 1 byte short.
  { file: 'ansi378v2009-sample', format: 'ansi-378:2009', strictError: 'TEMPLATE_LENGTH_MISMATCH' },
  { file: 'ansi378v2009am1-sample', format: 'ansi-378:2009am1' },
  { file: 'iso19794p2v2005-sample', format: 'iso-19794-2:2005' },
  { file: 'iso19794p2v2011-sample', format: 'iso-19794-2:2011' },
];

describe.skipIf(!present)('standards example records (format-samples)', () => {
  const dir = path.join(fingerprints, 'format-samples');
  it.each(SAMPLES)('$file: detected, parsed, equal to the JSON dump, round-tripped', ({ file, format, strictError }) => {
    const buf = read(path.join(dir, `${file}.dat`));
    const json = JSON.parse(readFileSync(path.join(dir, `${file}.json`), 'utf8')) as JsonTemplate;
    expect(detectFormat(buf)).toBe(format);
    if (strictError) {
      let err: unknown;
      try { parseTemplate(buf); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(strictError);
      expect((err as AppError).details).toMatchObject({ offset: 8, field: 'record length' });
    } else {
      expect(parseTemplate(buf).warnings).toEqual([]);
    }
    const t = parseTemplate(buf, { lenient: true });
    expect(t.format).toBe(format);
    expect(t.warnings.length > 0).toBe(strictError !== undefined);
    compareWithJson(t, json);
    expect(Buffer.from(encodeTemplate(t)).equals(Buffer.from(buf))).toBe(true);
    const fingers = toFingerMinutiae(t);
    expect(fingers.map((f) => f.minutiae.length)).toEqual(json.fingerprints.map((f) => f.minutiae.length));
  });
});

describe.skipIf(!present)('truncated records (invalid)', () => {
  const dir = path.join(fingerprints, 'invalid');
  const files = present ? walk(dir) : [];
  it('finds the truncated records', () => expect(files.length).toBeGreaterThanOrEqual(3));
  it.each(files)('%s is rejected naming the byte offset', (file) => {
    const buf = read(file);
    for (const lenient of [false, true]) {
      let err: unknown;
      try { parseTemplate(buf, { lenient }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(['TEMPLATE_TRUNCATED', 'TEMPLATE_LENGTH_MISMATCH']).toContain(e.code);
      expect(e.details?.offset).toBe(buf.length);
      expect(e.message).toMatch(/offset \d+/);
    }
  });
});

describe.skipIf(!present)('FVC2004 ISO 19794-2:2005 templates', () => {
  const dir = path.join(fingerprints, 'fvc2004');
  const files = present ? walk(dir).filter((f) => f.endsWith('.iso')) : [];
  it('parses all 320 strictly, round-trips each byte for byte, and normalises them', () => {
    expect(files).toHaveLength(320);
    for (const file of files) {
      const buf = read(file);
      const t = parseTemplate(buf);
      expect(t.format, file).toBe('iso-19794-2:2005');
      expect(t.header).toMatchObject({ imageWidth: 300, imageHeight: 400, resolutionX: 197, resolutionY: 197 });
      expect(t.views).toHaveLength(1);
      expect(Buffer.from(encodeTemplate(t)).equals(Buffer.from(buf)), file).toBe(true);
      const [finger] = toFingerMinutiae(t);
      expect(finger.minutiae.length).toBeGreaterThanOrEqual(6);
      for (const m of finger.minutiae) {
        expect(m.x).toBeGreaterThanOrEqual(0);
        expect(m.x).toBeLessThanOrEqual(finger.width);
        expect(m.angle).toBeGreaterThanOrEqual(0);
        expect(m.angle).toBeLessThan(2 * Math.PI);
      }
    }
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]).sort();
}
