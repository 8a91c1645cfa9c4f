// ANSI/NIST-ITL 1-2011 (Update 2013/2015) traditional-encoding codec: the public API.
export { parseTransaction } from './parse.ts';
export { writeTransaction } from './write.ts';
export { extractProbes } from './probes.ts';
export type { ItlProbes, ItlFingerProbe, ItlFaceProbe, ItlFingerImageProbe } from './probes.ts';
export { buildCheckResponseTransaction, RESPONSE_FIELDS } from './response.ts';
export type { CheckResponseInput, CheckResponseCandidate } from './response.ts';
export { itlType9ToFingerMinutiae } from './type9-minutiae.ts';
export { readType9 } from './type9.ts';
export type { ItlType9, M1Block, M1Minutia, LegacyBlock, LegacyMinutia } from './type9.ts';
export { readImageRecord, matchesFormat } from './image.ts';
export type { ItlImage, ImageFormat } from './image.ts';
export { type1Info } from './type1.ts';
export type { Type1Info } from './type1.ts';
export { readType4Header } from './binary-read.ts';
export { textField, binaryField, fieldText, findField, splitItems, joinItems, textOf, bytesOf } from './fields.ts';
export { findEmbeddedTemplate } from './embedded-template.ts';
export type { ItlTransaction, ItlRecord, ItlTaggedRecord, ItlBinaryRecord, ItlField, ItlContentEntry } from './types.ts';
export * as ItlLimits from './limits.ts';

/** Media type of traditional-encoding transactions. */
export const ITL_CONTENT_TYPE = 'application/vnd.ansi-nist-itl';
