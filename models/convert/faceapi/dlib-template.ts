// The alignment dlib's face descriptor expects: dlib's get_face_chip_details maps its mean
// face shape (landmarks 17..67 of the iBUG 68-point scheme, in unit coordinates) onto a
// size x size chip with `padding` on each side; dlib's face recognition model was trained on
// 150x150 chips with padding 0.25. The 5-point template below is derived from that mean shape.

/** dlib's mean face shape, x then y, for iBUG landmarks 17..67 (index i = landmark 17 + i). */
const MEAN_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124,
  0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
  0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
  0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
  0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721,
  0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
  0.553364, 0.490127, 0.42689,
];
const MEAN_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891,
  0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
  0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
  0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
  0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
  0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
  0.784792, 0.824182, 0.831803, 0.824182,
];

export const DLIB_CHIP_SIZE = 150;
export const DLIB_CHIP_PADDING = 0.25;

/** A landmark of dlib's mean shape in chip pixels (landmarks 17..67 only). */
export function meanShapePoint(landmark: number, size = DLIB_CHIP_SIZE, padding = DLIB_CHIP_PADDING): [number, number] {
  const i = landmark - 17;
  if (i < 0 || i >= MEAN_X.length) throw new Error(`dlib mean shape has no landmark ${landmark}`);
  const map = (v: number) => ((v + padding) / (1 + 2 * padding)) * size;
  return [map(MEAN_X[i]), map(MEAN_Y[i])];
}

function centre(landmarks: number[]): [number, number] {
  const pts = landmarks.map((l) => meanShapePoint(l));
  return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
}

const round3 = (p: [number, number]): [number, number] => [Math.round(p[0] * 1000) / 1000, Math.round(p[1] * 1000) / 1000];

/**
 * 5-point template in the 150x150 chip, image-left first (as ArcFace's template is ordered):
 * eye centres = mean of landmarks 36..41 and 42..47, nose tip = 30, mouth corners = 48 and 54.
 */
export const DLIB_FIVE_POINT_TEMPLATE: [number, number][] = [
  round3(centre([36, 37, 38, 39, 40, 41])),
  round3(centre([42, 43, 44, 45, 46, 47])),
  round3(meanShapePoint(30)),
  round3(meanShapePoint(48)),
  round3(meanShapePoint(54)),
];
