// The reference face pipelines a user would otherwise pick, each run as its own package runs it: encoded image in,
// one face's descriptor out (or none when it finds no face), and its own comparison of two descriptors.
// - face-api 1.7.15: detectSingleFace (SSD MobileNet v1, default options) + 68 landmarks + faceRecognitionNet.
// - human 3.3.6: its default face detector (BlazeFace) + face mesh + faceres description, the first face.
// Both on tfjs's WASM backend (tfjs-node cannot be installed here), models from the packages' own folders.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { FaceApiReference } from '../../test/lib/faceapi-reference.ts';
import { packageVersion, repoRoot } from './report.ts';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface ReferencePipeline {
  name: string;
  /** How it is run, for the report. */
  describe: string;
  /** The descriptor of the face it picks, or null when it finds none. */
  embed(image: Uint8Array): Promise<Float32Array | null>;
  /** Higher = more alike (its own distance, negated). */
  similarity(a: Float32Array, b: Float32Array): number;
}

/** Encoded image → RGB pixels (height x width x 3), the decode both references get. */
async function rgb(image: Uint8Array) {
  const { data, info } = await sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Int32Array(data), height: info.height, width: info.width };
}

export async function faceApiPipeline(): Promise<ReferencePipeline> {
  const ref = await FaceApiReference.load('wasm', ['ssd', 'landmark68', 'dlib']);
  const { faceapi, tf } = ref;
  const options = new faceapi.SsdMobilenetv1Options();
  return {
    name: 'face-api',
    describe: `@vladmandic/face-api ${packageVersion('@vladmandic/face-api')} (tfjs ${ref.backend}): detectSingleFace with SsdMobilenetv1Options() defaults (minConfidence ${options.minConfidence}), .withFaceLandmarks() (68 points), .withFaceDescriptor() (faceRecognitionNet, 128-d); compared by faceapi.euclideanDistance`,
    async embed(image) {
      const px = await rgb(image);
      const x = tf.tensor3d(px.data, [px.height, px.width, 3], 'int32');
      try {
        const r = await faceapi.detectSingleFace(x, options).withFaceLandmarks().withFaceDescriptor();
        return r?.descriptor ? Float32Array.from(r.descriptor) : null;
      } finally { x.dispose(); }
    },
    similarity: (a, b) => -faceapi.euclideanDistance(a, b),
  };
}

/** human's model loader fetches its model files; Node's fetch has no file: scheme, so those are read from disk. */
function fetchFileUrls(): void {
  const original = globalThis.fetch;
  if ((original as Any).readsFileUrls) return;
  const withFiles = async (url: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const u = String(url instanceof Request ? url.url : url);
    return u.startsWith('file:') ? new Response(readFileSync(new URL(u))) : original(url, init);
  };
  globalThis.fetch = Object.assign(withFiles, { readsFileUrls: true }) as typeof fetch;
}

export async function humanPipeline(): Promise<ReferencePipeline> {
  fetchFileUrls();
  require('@tensorflow/tfjs-backend-wasm');
  const modules = path.join(repoRoot, 'node_modules');
  // By file: the package's `exports` names this build without the leading "./", which Node does not resolve.
  const { Human } = require(path.join(modules, '@vladmandic', 'human', 'dist', 'human.node-wasm.js'));
  const human = new Human({
    backend: 'wasm', debug: false,
    wasmPath: `${pathToFileURL(path.join(modules, '@tensorflow', 'tfjs-backend-wasm', 'dist')).pathname}/`,
    modelBasePath: `${pathToFileURL(path.join(modules, '@vladmandic', 'human', 'models')).href}/`,
    // Still images, not video: no result reused from the previous call.
    cacheSensitivity: 0,
    face: {
      enabled: true, detector: { skipFrames: 0, skipTime: 0 }, mesh: { enabled: true }, description: { enabled: true, skipFrames: 0, skipTime: 0 },
      iris: { enabled: false }, emotion: { enabled: false }, antispoof: { enabled: false }, liveness: { enabled: false },
    },
    body: { enabled: false }, hand: { enabled: false }, object: { enabled: false }, gesture: { enabled: false }, segmentation: { enabled: false },
  });
  await human.load();
  return {
    name: 'human',
    describe: `@vladmandic/human ${packageVersion('@vladmandic/human')} (tfjs ${human.tf.getBackend()}): human.detect with its default face detector and mesh, description (faceres, 1024-d) of result.face[0]; body, hands, iris, emotion and liveness off, no frame caching; compared by human.match.distance`,
    async embed(image) {
      const px = await rgb(image);
      const x = human.tf.tensor4d(px.data, [1, px.height, px.width, 3], 'int32');
      try {
        const r = await human.detect(x);
        const e = r.face[0]?.embedding;
        return e?.length ? Float32Array.from(e) : null;
      } finally { x.dispose(); }
    },
    similarity: (a, b) => -human.match.distance(Array.from(a), Array.from(b)),
  };
}
