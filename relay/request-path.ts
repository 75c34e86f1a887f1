// The path of an HTTP request target. Node passes the target through as the
// client sent it, and `new URL` throws on some (`//[`): an exception in a
// request or upgrade listener would take the process down, so every caller
// goes through here and answers 400 to undefined. Also the last entry of the
// headers a reverse proxy appends to.

export function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://relay').pathname;
  } catch {
    return undefined;
  }
}

/** The last entry of a header a proxy appends to (a list, or repeated). */
export function lastEntry(header: string | string[] | undefined): string | undefined {
  const last = (Array.isArray(header) ? header.at(-1) : header)?.split(',').at(-1)?.trim();
  return last || undefined;
}
