// The page's Content-Security-Policy. The renderer needs no network at all
// (everything goes through window.duplex), so it may load only its own
// scripts, styles and images.

export function contentSecurityPolicy(options: { dev: boolean }): string {
  return [
    "default-src 'self'",
    // The Vite dev server injects an inline module script (React Fast
    // Refresh's preamble); production builds have no inline scripts.
    options.dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    // React and the UI set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
