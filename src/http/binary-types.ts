// Binary request bodies: images, minutiae templates, ANSI/NIST-ITL transactions.
export const BINARY_TYPES = [
  'image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/jp2', 'image/jpx', 'image/j2k', 'image/x-wsq', 'image/wsq', 'image/bmp', 'image/x-ms-bmp',
  'application/octet-stream', 'application/vnd.ansi-nist-itl',
] as const;
