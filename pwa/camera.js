/* A photo from the camera, turned upright and scaled on the phone to ≤ 1600 px JPEG before it
 * is stored: a cheap phone's 12 MP photo would otherwise fill the outbox and the weak uplink. */
const LONG_EDGE = 1600;

async function downscale(file) {
  // createImageBitmap applies the EXIF orientation ('from-image' is its default).
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
  const w = Math.round(bitmap.width * scale), h = Math.round(bitmap.height * scale);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d').drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  return { blob, width: w, height: h };
}

export const Camera = { downscale, LONG_EDGE };
