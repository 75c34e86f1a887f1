// The relay's limits the UI checks before it reads a file (a file past them
// would be refused anyway, after being read into memory). The renderer may
// import no values from src/shared, so these restate MAX_UPLOAD_BYTES and
// MAX_THUMB_LENGTH of src/shared/protocol/constants.ts (docs/protocol.md,
// "Files"); test/renderer/format-file.test.ts holds them equal.

/** The largest file the apps send: the relay's default `fileBytes`, 100 MiB. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** The longest `thumb` data URL, in characters. */
export const MAX_THUMB_CHARS = 12 * 1024;
