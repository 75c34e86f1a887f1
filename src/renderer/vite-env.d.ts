// Vite handles CSS imports and import.meta.env; this tells TypeScript.
/// <reference types="vite/client" />
