import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A temporary packs folder: write `<pack>/actions/<file>` entries, remove it afterwards. */
export class PacksFixture {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'packs-'));

  /** Writes files of one pack (paths relative to the pack folder) and returns the pack folder. */
  pack(name: string, files: Record<string, string>): string {
    const packPath = path.join(this.dir, name);
    mkdirSync(path.join(packPath, 'actions'), { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(packPath, file)), { recursive: true });
      writeFileSync(path.join(packPath, file), text);
    }
    return packPath;
  }

  /** Path of a file inside a pack. */
  file(pack: string, file: string): string {
    return path.join(this.dir, pack, file);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
