/**
 * What a process running several test files (the entries test/groups.mjs writes) opens once for
 * all of them and closes after the last: file-group.ts says so with shareAcrossFiles(). A file
 * run on its own opens and closes such things itself.
 */
let sharing = false;
const closers: Array<() => Promise<void>> = [];

export function shareAcrossFiles(): void {
  sharing = true;
}

export function sharedAcrossFiles(): boolean {
  return sharing;
}

/** Registers what to close after the last file. */
export function closeAfterLastFile(close: () => Promise<void>): void {
  closers.push(close);
}

export async function closeSharedAcrossFiles(): Promise<void> {
  for (const close of closers.splice(0)) await close();
}
