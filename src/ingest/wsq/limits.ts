// Every size limit of the WSQ decoder, in one place: a stream that passes them decodes in bounded
// time and memory; anything past them is refused before any allocation.

/** Smallest width/height: five levels of splitting must leave every subband at least one pixel. */
export const MIN_WSQ_DIMENSION = 32;
/** Largest width/height (a 1000 ppi four-finger slap is about 3,200 pixels across). */
export const MAX_WSQ_DIMENSION = 16_384;
/** Largest image, pixels (a 1000 ppi ten-print card is about 16 M). */
export const MAX_WSQ_PIXELS = 40_000_000;
/** Longest transmitted analysis filter (the standard uses 7 and 9 taps). */
export const MAX_WSQ_FILTER_TAPS = 31;
/** Huffman tables a stream may define (the standard uses two). */
export const MAX_WSQ_HUFFMAN_TABLES = 8;
