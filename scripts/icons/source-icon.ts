// The one source image, resources/icon.svg, as the other icon modules need
// it: the whole document (the app icon) and its inner markup with the frame
// of the tray icon (the view named "tray"), to be drawn inside another SVG.

export interface SourceIcon {
  /** The whole SVG document. */
  svg: string;
  /** What lies between <svg …> and </svg>. */
  body: string;
  /** The viewBox of `<view id="tray">`: the part the tray icons show. */
  trayViewBox: string;
}

export function parseSourceIcon(svg: string): SourceIcon {
  const body = /^\s*<svg\b[^>]*>([\s\S]*)<\/svg>\s*$/.exec(svg)?.[1];
  if (body === undefined) throw new Error('the source icon is not one <svg> element');
  const trayViewBox = /<view\b[^>]*\bid="tray"[^>]*\bviewBox="([^"]+)"/.exec(body)?.[1];
  if (trayViewBox === undefined) throw new Error('the source icon has no <view id="tray" viewBox="…">');
  return { svg, body, trayViewBox };
}
