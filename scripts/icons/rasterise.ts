// SVG to pixels with resvg compiled to WebAssembly: no native module, and
// the same bytes on every machine, which the up-to-date test relies on.
import { readFile } from 'node:fs/promises';
import { initWasm, Resvg } from '@resvg/resvg-wasm';

export interface Raster {
  size: number;
  png: Buffer;
  /** RGBA premultiplied by alpha (as resvg renders), rows top to bottom. */
  premultipliedRgba: Uint8Array;
}

let ready: Promise<void> | undefined;

/** Renders a square SVG at `size` × `size` pixels. */
export async function rasterise(svg: string, size: number): Promise<Raster> {
  ready ??= readFile(new URL(import.meta.resolve('@resvg/resvg-wasm/index_bg.wasm'))).then(initWasm);
  await ready;
  const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } });
  const image = resvg.render();
  try {
    if (image.width !== size || image.height !== size) {
      throw new Error(`rendered ${image.width}×${image.height}, expected ${size}×${size}: the SVG is not square`);
    }
    return { size, png: Buffer.from(image.asPng()), premultipliedRgba: image.pixels };
  } finally {
    image.free();
    resvg.free();
  }
}
