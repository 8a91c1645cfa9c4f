// The parsed form of a finger minutiae record: every field in its raw unit, so that
// encodeTemplate(parseTemplate(buf)) gives back buf byte for byte. Normalisation to the matcher's
// units happens in normalise.ts, never here.

export type TemplateFormat =
  | 'iso-19794-2:2005'
  | 'iso-19794-2:2011'
  | 'ansi-378:2004'
  | 'ansi-378:2009'
  | 'ansi-378:2009am1';

export type TemplateMinutiaType = 'other' | 'ending' | 'bifurcation';

export interface TemplateMinutia {
  type: TemplateMinutiaType;
  /** Pixels in the record's own resolution, 14 bits. */
  x: number;
  y: number;
  /** Raw unit: ISO 19794-2 1/256 of a turn (0..255); ANSI 378 2 degrees (0..179). */
  angle: number;
  /** Raw quality; absent when an ISO 2011 view uses 5-byte minutiae (no quality byte). */
  quality?: number;
  /** The two reserved bits above y, kept for byte-identical round trips (omitted when 0). */
  yReserved?: number;
}

export interface RidgeCountEdge {
  from: number;
  to: number;
  count: number;
}

/** Extended data type 0x0001. */
export interface RidgeCountBlock {
  kind: 'ridge-counts';
  /** Extraction method: 0 non-specific, 1 four-neighbour (quadrants), 2 eight-neighbour (octants). */
  method: number;
  edges: RidgeCountEdge[];
  /** Bytes after the last whole 3-byte edge (only accepted by the lenient parser). */
  trailing?: Uint8Array;
}

export interface CorePoint {
  x: number;
  y: number;
  /** Raw angle in the format's unit, when the record carries one. */
  angle?: number;
  /** ANSI only: the reserved two bits above x (ISO uses them as the angle flag). */
  xReserved?: number;
  yReserved?: number;
}

export interface DeltaPoint {
  x: number;
  y: number;
  /** The three raw delta angles, when the record carries them. */
  angles?: [number, number, number];
  xReserved?: number;
  yReserved?: number;
}

/** Extended data type 0x0002. */
export interface CoreDeltaBlock {
  kind: 'core-delta';
  cores: CorePoint[];
  deltas: DeltaPoint[];
  /** Reserved bits of the core / delta count bytes, kept for round trips (omitted when 0). */
  coreInfoReserved?: number;
  deltaInfoReserved?: number;
}

/** ISO 19794-2 extended data type 0x0003: zone qualities packed bitsPerZone bits each. */
export interface ZonalQualityBlock {
  kind: 'zonal-quality';
  zoneWidth: number;
  zoneHeight: number;
  bitsPerZone: number;
  packed: Uint8Array;
}

/** Vendor-defined (or, from the lenient parser, undecodable) extended data, kept as bytes. */
export interface RawBlock {
  kind: 'raw';
  typeCode: number;
  data: Uint8Array;
}

export type ExtendedBlock = RidgeCountBlock | CoreDeltaBlock | ZonalQualityBlock | RawBlock;

export interface CaptureDateTime {
  /** 0xffff / 0xff fields mean "not given", as ISO/IEC 19794-1:2011 defines. */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export interface QualityRecord {
  score: number;
  vendorId: number;
  algorithmId: number;
}

export interface CertificationRecord {
  authorityId: number;
  schemeId: number;
}

/** ISO 19794-2:2011 per-representation header fields. */
export interface RepresentationCapture {
  dateTime: CaptureDateTime;
  deviceTechnology: number;
  deviceVendorId: number;
  deviceTypeId: number;
  qualityRecords: QualityRecord[];
  /** Present exactly when the record header's certification flag is set. */
  certifications?: CertificationRecord[];
}

export interface FingerView {
  /** Finger position code (0 unknown, 1..10 fingers; 2011 and 2009/AM1 add multi-finger codes). */
  position: number;
  viewNumber: number;
  impressionType: number;
  /** Finger quality (absent in ISO 2011, which carries quality records instead). */
  fingerQuality?: number;
  /** ANSI 378-2009 and AM1. */
  qualityVendorId?: number;
  qualityAlgorithmId?: number;
  /** Per-view image size and resolution (pixels per cm): ANSI 378-2009/AM1 and ISO 2011. */
  imageWidth?: number;
  imageHeight?: number;
  resolutionX?: number;
  resolutionY?: number;
  /** ISO 2011. */
  capture?: RepresentationCapture;
  minutiaRecordSize?: 5 | 6;
  ridgeEndingType?: number;
  minutiae: TemplateMinutia[];
  extended: ExtendedBlock[];
}

export interface RecordHeader {
  /** ISO 2005 / ANSI 2004: the 4-bit compliance nibble; ANSI 2009: the certification byte. */
  equipmentCompliance?: number;
  /** Capture equipment / device type ID (12 bits in 2004/2005, 16 in 2009). */
  captureEquipmentId?: number;
  /** ANSI: CBEFF product identifier owner and type. */
  cbeffOwner?: number;
  cbeffType?: number;
  /** ISO 2005 / ANSI 2004: record-wide image size and resolution (pixels per cm). */
  imageWidth?: number;
  imageHeight?: number;
  resolutionX?: number;
  resolutionY?: number;
  /** The reserved byte after the view count (2004, 2005, 2009), kept for round trips. */
  reserved?: number;
  /** ISO 2011: 0, or 1 when every representation carries certification records. */
  certificationFlag?: number;
}

export interface ParsedTemplate {
  format: TemplateFormat;
  /** The three version characters as found, e.g. " 20", "020", "030", "035". */
  version: string;
  header: RecordHeader;
  views: FingerView[];
  /** ANSI 2004 only: width of the record length field as found (2, or 6 when the first 2 are 0). */
  lengthFieldBytes?: 2 | 6;
  /**
   * Only set by the lenient parser when the record length field disagreed with the record's real
   * length; the encoder writes it back so the round trip stays byte-identical.
   */
  declaredRecordLength?: number;
  /** Nonconformities the lenient parser tolerated (always empty from the strict parser). */
  warnings: string[];
}

export interface ParseOptions {
  /**
   * Tolerate the minor nonconformities listed in README.md (as the standards' own printed examples
   * have), recording each in `warnings`. Structural damage is rejected either way.
   */
  lenient?: boolean;
}
