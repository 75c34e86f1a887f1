// The web client's way of saving bytes it holds (a message's file, the
// user's data export): a download of a blob URL, which the browser saves
// where it saves downloads. The desktop app saves through its native save
// dialog instead (DesktopApi.saveFile, saveMyData).

export function downloadBytes(bytes: Uint8Array, name: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // After the browser has taken the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
