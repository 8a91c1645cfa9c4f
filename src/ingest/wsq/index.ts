// WSQ (FBI Wavelet Scalar Quantization) grey-scale fingerprint images: decoding only.
export { decodeWsq, isWsq, type WsqImage } from './decode.ts';
