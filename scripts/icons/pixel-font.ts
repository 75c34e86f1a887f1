// Text in a 3×5 pixel font of the digits and "+", as SVG rectangles: at
// 16 px a tray badge has room for 5 pixel rows, where outline fonts blur
// (and resvg would need a font file besides). Each font pixel is a whole
// number of device pixels at 1× and 2×, so the digits stay crisp.

// Each glyph is 5 rows of 3 bits, most significant bit leftmost.
const GLYPHS: Record<string, readonly number[]> = {
  '0': [0b111, 0b101, 0b101, 0b101, 0b111],
  '1': [0b010, 0b110, 0b010, 0b010, 0b111],
  '2': [0b111, 0b001, 0b111, 0b100, 0b111],
  '3': [0b111, 0b001, 0b111, 0b001, 0b111],
  '4': [0b101, 0b101, 0b111, 0b001, 0b001],
  '5': [0b111, 0b100, 0b111, 0b001, 0b111],
  '6': [0b111, 0b100, 0b111, 0b101, 0b111],
  '7': [0b111, 0b001, 0b001, 0b001, 0b001],
  '8': [0b111, 0b101, 0b111, 0b101, 0b111],
  '9': [0b111, 0b101, 0b111, 0b001, 0b111],
  '+': [0b000, 0b010, 0b111, 0b010, 0b000],
};
const GLYPH_WIDTH = 3;
const GLYPH_HEIGHT = 5;

/** `text` as `<rect>`s, each font pixel `scale` units square, one font
 * pixel between glyphs, centred on (cx, cy) and snapped to whole units. */
export function pixelText(text: string, cx: number, cy: number, scale: number): string {
  const glyphs = [...text].map((character) => {
    const glyph = GLYPHS[character];
    if (glyph === undefined) throw new Error(`no glyph for ${JSON.stringify(character)}`);
    return glyph;
  });
  const width = (glyphs.length * (GLYPH_WIDTH + 1) - 1) * scale;
  const left = Math.round(cx - width / 2);
  const top = Math.round(cy - (GLYPH_HEIGHT * scale) / 2);
  const rects: string[] = [];
  glyphs.forEach((rows, index) => {
    const glyphLeft = left + index * (GLYPH_WIDTH + 1) * scale;
    rows.forEach((bits, row) => {
      for (let column = 0; column < GLYPH_WIDTH; column++) {
        if ((bits >> (GLYPH_WIDTH - 1 - column)) & 1) {
          const x = glyphLeft + column * scale;
          const y = top + row * scale;
          rects.push(`<rect x="${x}" y="${y}" width="${scale}" height="${scale}"/>`);
        }
      }
    });
  });
  return rects.join('');
}
