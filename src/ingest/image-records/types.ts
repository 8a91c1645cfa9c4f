// What a finger image record holds once read, whichever edition it came in.
export type ViewCompression = 'raw' | 'wsq' | 'jpeg' | 'jp2' | 'png';

export interface FingerImageView {
  position: number;
  viewNumber: number;
  quality: number;
  impressionType: number;
  width: number;
  height: number;
  /** Image resolution, pixels per inch. */
  ppi: number;
  compression: ViewCompression;
  /** The view's image bytes: width*height grey bytes when raw, else the encoded image. */
  data: Uint8Array;
  offset: number;
}

export type FingerImageStandard = 'ISO/IEC 19794-4:2005' | 'ISO/IEC 19794-4:2011' | 'ANSI/INCITS 381-2004';

export interface FingerImageRecord { standard: FingerImageStandard; views: FingerImageView[] }

/** Views accepted in one record (ten fingers, up to a few views each). */
export const MAX_VIEWS = 40;
export const MAX_SIDE = 16_384;

/** The short name a decoded image's format carries (`iso-19794-4/wsq`). */
export const STANDARD_TAG: Record<FingerImageStandard, string> = {
  'ISO/IEC 19794-4:2005': 'iso-19794-4', 'ISO/IEC 19794-4:2011': 'iso-19794-4-2011', 'ANSI/INCITS 381-2004': 'ansi-381',
};
