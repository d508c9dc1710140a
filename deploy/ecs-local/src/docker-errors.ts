/**
 * Rethrows anything but Docker's answer that something else removed the
 * object first (404) or is removing it right now (409 "already in progress"):
 * for a removal, gone is gone, whoever did it.
 */
export function ignoreGone(error: { statusCode?: number; message?: string }): void {
  if (error.statusCode === 404 || (error.statusCode === 409 && /already in progress/.test(error.message ?? ''))) return;
  throw error;
}
