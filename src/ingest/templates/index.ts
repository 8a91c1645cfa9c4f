// Fingerprint minutiae template codecs: ISO/IEC 19794-2:2005 and :2011, ANSI INCITS 378-2004,
// 378-2009 and 378-2009/AM1. See README.md in this folder for layouts and tolerance decisions.
export type {
  TemplateFormat, ParsedTemplate, ParseOptions, FingerView, RecordHeader, TemplateMinutia, TemplateMinutiaType,
  ExtendedBlock, RidgeCountBlock, RidgeCountEdge, CoreDeltaBlock, CorePoint, DeltaPoint, ZonalQualityBlock, RawBlock,
  RepresentationCapture, CaptureDateTime, QualityRecord, CertificationRecord,
} from './types.ts';
export { detectFormat, parseTemplate, encodeTemplate } from './codec.ts';
export { toFingerMinutiae, scaleFor, angleToRadians, qualityTo100, FALLBACK_PPCM } from './normalise.ts';
