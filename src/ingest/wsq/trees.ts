// The WSQ decomposition geometry (IAFIS-IC-0110 Annex A): 20 two-dimensional splits of the image
// and the 64 subbands they leave. A split cuts a region into four quadrants; a line of odd length n
// keeps ceil(n/2) samples for its low-pass half. Quadrants that are high-pass in a direction are
// spectrally inverted in that direction: their high-pass half comes first.

export interface Region { x: number; y: number; w: number; h: number }

export interface SplitNode extends Region {
  /** Row (horizontal) split stores the high-pass half first. */
  invertRows: boolean;
  /** Column (vertical) split stores the high-pass half first. */
  invertColumns: boolean;
}

const TL = 0, TR = 1, BL = 2, BR = 3;

function halves(n: number, highFirst: boolean): [number, number] {
  const lo = (n + 1) >> 1, hi = n >> 1;
  return highFirst ? [hi, lo] : [lo, hi];
}

/** The four quadrants of a split, in the order top-left, top-right, bottom-left, bottom-right. */
export function quadrants(r: SplitNode): Region[] {
  const [w0, w1] = halves(r.w, r.invertRows);
  const [h0, h1] = halves(r.h, r.invertColumns);
  return [
    { x: r.x, y: r.y, w: w0, h: h0 }, { x: r.x + w0, y: r.y, w: w1, h: h0 },
    { x: r.x, y: r.y + h0, w: w0, h: h1 }, { x: r.x + w0, y: r.y + h0, w: w1, h: h1 },
  ];
}

/** A quadrant becomes a split node whose inversions follow from where it sits. */
const asNode = (r: Region, quadrant: number): SplitNode => ({
  ...r, invertRows: quadrant === TR || quadrant === BR, invertColumns: quadrant === BL || quadrant === BR,
});

/** Split nodes 0-19 in the standard's numbering: node = [parent, quadrant]. */
const NODE_PARENTS: ReadonlyArray<readonly [number, number]> = [
  [-1, TL], [0, TL], [0, TR], [0, BL], [1, TR], [1, BL],
  [4, TL], [4, TR], [4, BL], [4, BR], [5, TL], [5, TR], [5, BL], [5, BR],
  [1, TL], [14, TL], [14, TR], [14, BL], [14, BR], [15, TL],
];

export function splitNodes(width: number, height: number): SplitNode[] {
  const nodes: SplitNode[] = [];
  NODE_PARENTS.forEach(([parent, q], i) => {
    nodes[i] = parent < 0
      ? { x: 0, y: 0, w: width, h: height, invertRows: false, invertColumns: false }
      : asNode(quadrants(nodes[parent])[q], q);
  });
  return nodes;
}

/**
 * Subbands 0-63 in the standard's numbering, each the quadrant of a split node:
 * [node, quadrant] lists, in order. 60-63 (the finest diagonal detail) are never coded.
 */
const SUBBAND_SOURCES: ReadonlyArray<readonly [number, number]> = [
  ...[TL, TR, BL, BR].map((q) => [19, q] as const),
  [15, TR], [15, BL], [15, BR],
  ...[16, 17, 18, 6, 7, 8, 9, 10, 11, 12, 13].flatMap((n) => [TL, TR, BL, BR].map((q) => [n, q] as const)),
  [1, BR],
  ...[2, 3].flatMap((n) => [TL, TR, BL, BR].map((q) => [n, q] as const)),
  [0, BR],
];

export function subbands(nodes: readonly SplitNode[]): Region[] {
  const out = SUBBAND_SOURCES.map(([n, q]) => quadrants(nodes[n])[q]);
  // 60-63 are the four quadrants of node 0's bottom-right quadrant; they only need to exist.
  const br = asNode(out.pop()!, BR);
  return [...out, ...quadrants(br)];
}
