// A probe finger in JSON, shared by enrolment, checks and verification: a minutiae template or an image.
import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import type { FingerProbeInput } from '../fusion/modalities.ts';
import { decodeBase64 } from './base64.ts';
import { Base64Field, StrictObject } from './schemas.ts';

const Position = Type.Integer({ minimum: 0, maximum: 10 });
/** A probe finger: a minutiae template, or an image our extractor reads (exactly one of the two). */
export const FingerProbe = StrictObject({
  template: Type.Optional(Base64Field('base64 ISO/IEC 19794-2 or ANSI INCITS 378 record')),
  image: Type.Optional(Base64Field('base64 fingerprint image: WSQ, JPEG 2000, PNG, TIFF or JPEG')),
  ppi: Type.Optional(Type.Integer({ minimum: 250, maximum: 2000, description: 'scan resolution of the image (default: the WSQ comment, else 500)' })),
  position: Type.Optional(Position),
}, { examples: [{ image: '/6D/qP+oAAJO…', ppi: 500, position: 2 }, { template: 'Rk1SACAyMAAA…', position: 7 }] });

/** One probe finger from its JSON form: exactly one of template and image. */
export function fingerProbeInput(f: Static<typeof FingerProbe>, field: string, max: number): FingerProbeInput {
  if ((f.template === undefined) === (f.image === undefined)) {
    throw new AppError('VALIDATION_FAILED', `${field} needs exactly one of template and image`, { field });
  }
  if (f.image !== undefined) {
    const image = decodeBase64(`${field}.image`, f.image, max);
    return { image, ppi: f.ppi, position: f.position, format: 'image', source: image };
  }
  const record = decodeBase64(`${field}.template`, f.template!, max);
  return { record, position: f.position, format: 'template', source: record };
}
