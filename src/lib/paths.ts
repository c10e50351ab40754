import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The package root (the folder with package.json). Compiled code runs from `dist/` in
 * production and from `build/src/` in tests, so paths are found by walking up, not by depth.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'sql'))) return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`scenescout: cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
