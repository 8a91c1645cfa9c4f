// A synthetic impression as an ISO/IEC 19794-2:2005 record (the FVC2004 templates' format and header), through
// the service's own codec, so that what the benches load is what an enrolling agency would send.
import type { FingerMinutiae } from '../../../src/finger/types.ts';
import { encodeTemplate, parseTemplate, scaleFor, toFingerMinutiae } from '../../../src/ingest/templates/index.ts';

const PPCM = 197;  // 500 ppi, as the FVC2004 records state it
const ISO_UNITS_PER_TURN = 256;

export function isoTemplate(f: FingerMinutiae, fingerQuality = 0): Uint8Array {
  const scale = scaleFor(PPCM);
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, Math.round(v / scale)));
  return encodeTemplate({
    format: 'iso-19794-2:2005', version: ' 20',
    header: { equipmentCompliance: 0, captureEquipmentId: 0, imageWidth: f.width, imageHeight: f.height, resolutionX: PPCM, resolutionY: PPCM, reserved: 0 },
    views: [{
      position: f.position, viewNumber: 0, impressionType: 0, fingerQuality,
      minutiae: f.minutiae.map((m) => ({
        type: m.type, x: clamp(m.x, f.width - 1), y: clamp(m.y, f.height - 1),
        angle: Math.round((m.angle / (2 * Math.PI)) * ISO_UNITS_PER_TURN) % ISO_UNITS_PER_TURN, quality: m.quality,
      })),
      extended: [],
    }],
    warnings: [],
  });
}

/** What the service reads from such a record. */
export const fromIso = (iso: Uint8Array): FingerMinutiae => toFingerMinutiae(parseTemplate(iso))[0];
