// The path of an HTTP request target. Node passes the target through as the
// client sent it, and `new URL` throws on some (`//[`): an exception in a
// request or upgrade listener would take the process down, so every caller
// goes through here and answers 400 to undefined.

export function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://relay').pathname;
  } catch {
    return undefined;
  }
}
