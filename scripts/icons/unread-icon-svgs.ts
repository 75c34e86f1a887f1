// The SVGs of the icons that carry the unread count, composed around the
// source icon: the tray icon (the app's tile, with a red badge holding the
// count when there is one) and the badge alone (Windows' taskbar overlay).
// Geometry is in a 16-unit square, the icons' size in points, so that one
// unit is one pixel at 1× and two at 2×.
import type { TrayTheme } from '../../src/main/tray/tray-icon-files.ts';
import { pixelText } from './pixel-font.ts';
import type { SourceIcon } from './source-icon.ts';

const BADGE_COLOUR = '#e53935';
const DIGIT_COLOUR = '#ffffff';

/** Per theme, CSS that overrides the source icon's paint (the source marks
 * what is painted in the tile's colour with the classes tile-fill and
 * tile-stroke). On dark panels the deep teal of the tile has too little
 * contrast, so the tile takes the brighter teal of the UI's dark theme. */
const THEME_STYLES: Record<TrayTheme, string> = {
  light: '',
  dark: '<style>.tile-fill{fill:#00a884}.tile-stroke{stroke:#00a884}</style>',
};

// The badge of the tray icon sits at the top right, large enough for "9+"
// in the pixel font, with a transparent gap around it that sets it off from
// the tile on any panel.
const BADGE = { cx: 11.5, cy: 4.5, radius: 4.5, gap: 1 };

function svg(content: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">${content}</svg>`;
}

function digits(label: string, cx: number, cy: number, scale: number): string {
  return `<g fill="${DIGIT_COLOUR}" shape-rendering="crispEdges">${pixelText(label, cx, cy, scale)}</g>`;
}

export function trayIconSvg(source: SourceIcon, label: string | null, theme: TrayTheme): string {
  const tile = `<svg width="16" height="16" viewBox="${source.trayViewBox}">${source.body}</svg>`;
  if (label === null) return svg(THEME_STYLES[theme] + tile);
  const { cx, cy, radius, gap } = BADGE;
  return svg(
    THEME_STYLES[theme] +
      `<mask id="badge-gap"><rect width="16" height="16" fill="#fff"/><circle cx="${cx}" cy="${cy}" r="${radius + gap}" fill="#000"/></mask>` +
      `<g mask="url(#badge-gap)">${tile}</g>` +
      `<circle cx="${cx}" cy="${cy}" r="${radius}" fill="${BADGE_COLOUR}"/>` +
      digits(label, cx, cy, 1),
  );
}

export function badgeIconSvg(label: string): string {
  // One digit can be drawn twice as large as two glyphs ("9+") can.
  return svg(`<circle cx="8" cy="8" r="8" fill="${BADGE_COLOUR}"/>` + digits(label, 8, 8, label.length === 1 ? 2 : 1));
}
