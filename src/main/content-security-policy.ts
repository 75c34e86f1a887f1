// The page's Content-Security-Policy. The renderer needs no network at all
// (everything goes through window.duplex), so it may load only its own
// scripts, styles and images, and files' bytes it holds (blob:).

export function contentSecurityPolicy(options: { dev: boolean }): string {
  return [
    "default-src 'self'",
    // The Vite dev server injects an inline module script (React Fast
    // Refresh's preamble); production builds have no inline scripts.
    options.dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    // React and the UI set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    // Files are shown from memory: blob: URLs of bytes the engine fetched
    // (docs/files.md, "The apps' side"), for images and media only.
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
