// The photos of the UI benchmark's rich conversation: real JPEGs, made by
// Chromium's own encoder (OffscreenCanvas) in a blank page, each different
// (colours, shapes, its number), in three shapes (landscape, portrait,
// square) so that image rows differ in height as in a real chat, each with a
// thumbnail as the app makes one (a small `data:image/jpeg`, at most 12 KB:
// docs/files.md).
import type { BrowserContext } from '@playwright/test';

export interface BenchImage {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
  thumb: string;
}

interface DrawnImage {
  base64: string;
  width: number;
  height: number;
  thumb: string;
}

/** Runs in the page (self-contained: passed to evaluate). */
async function drawImages(count: number): Promise<DrawnImage[]> {
  const shapes = [
    [1024, 768],
    [768, 1024],
    [900, 900],
  ] as const;
  const toBase64 = async (blob: Blob) => {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  };
  const images: DrawnImage[] = [];
  for (let k = 0; k < count; k++) {
    const [width, height] = shapes[k % shapes.length]!;
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d')!;
    const hue = (k * 47) % 360;
    const gradient = g.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, `hsl(${hue} 70% 55%)`);
    gradient.addColorStop(1, `hsl(${(hue + 120) % 360} 60% 35%)`);
    g.fillStyle = gradient;
    g.fillRect(0, 0, width, height);
    for (let c = 0; c < 12; c++) {
      g.fillStyle = `hsl(${(hue + c * 29) % 360} 80% ${40 + (c % 4) * 10}% / 0.6)`;
      g.beginPath();
      g.arc(((k + 1) * (c + 3) * 97) % width, ((k + 2) * (c + 5) * 61) % height, 30 + ((k + c) % 7) * 25, 0, 2 * Math.PI);
      g.fill();
    }
    g.fillStyle = 'white';
    g.font = 'bold 120px sans-serif';
    g.fillText(`#${k + 1}`, 40, height - 60);
    const thumbCanvas = new OffscreenCanvas(Math.round(width / 32), Math.round(height / 32));
    thumbCanvas.getContext('2d')!.drawImage(canvas, 0, 0, thumbCanvas.width, thumbCanvas.height);
    images.push({
      base64: await toBase64(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 })),
      width,
      height,
      thumb: `data:image/jpeg;base64,${await toBase64(await thumbCanvas.convertToBlob({ type: 'image/jpeg', quality: 0.5 }))}`,
    });
  }
  return images;
}

export async function makeImages(context: BrowserContext, count: number): Promise<BenchImage[]> {
  const page = await context.newPage();
  try {
    await page.goto('about:blank');
    const drawn = await page.evaluate(drawImages, count);
    return drawn.map((image, k) => ({
      name: `photo-${k + 1}.jpg`,
      bytes: new Uint8Array(Buffer.from(image.base64, 'base64')),
      width: image.width,
      height: image.height,
      thumb: image.thumb,
    }));
  } finally {
    await page.close();
  }
}
