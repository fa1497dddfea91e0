// Node.js only: a ConfigStorage in one JSON file ({name: value}). node:fs is
// imported when a file is asked for, so a browser bundle never loads it.
import type { ConfigStorage } from './types.js';

/** The part of node:fs/promises used here (the SDK is built without Node's types). */
interface NodeFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
  rm(path: string, options: { force: true }): Promise<void>;
}

// A non-literal specifier: bundlers leave it alone, TypeScript does not look for Node's types.
const FS_MODULE = 'node:fs/promises';
let fsModule: Promise<NodeFs> | undefined;
const loadFs = (): Promise<NodeFs> =>
  (fsModule ??= import(/* webpackIgnore: true */ /* @vite-ignore */ FS_MODULE) as Promise<NodeFs>);

// One instance per path in a process, so clients sharing a file do not overwrite each other's entries.
const byPath = new Map<string, FileStorage>();

export function fileStorage(path: string): ConfigStorage {
  let storage = byPath.get(path);
  if (!storage) {
    storage = new FileStorage(path);
    byPath.set(path, storage);
  }
  return storage;
}

class FileStorage implements ConfigStorage {
  private queue: Promise<unknown> = Promise.resolve(); // writes run one after the other

  constructor(private readonly path: string) {}

  async getItem(name: string): Promise<string | null> {
    const entries = await this.read();
    return Object.hasOwn(entries, name) ? (entries[name] ?? null) : null;
  }

  setItem(name: string, value: string): Promise<void> {
    const write = this.queue.then(async () => {
      const entries = await this.read();
      entries[name] = value;
      await this.writeAtomically(JSON.stringify(entries));
    });
    this.queue = write.catch(() => {});
    return write;
  }

  private async read(): Promise<Record<string, string>> {
    const fs = await loadFs();
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return {};
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, string>)
        : {};
    } catch {
      return {}; // a damaged file is replaced by the next write
    }
  }

  // A reader sees the old file or the new one, never half of one.
  private async writeAtomically(text: string): Promise<void> {
    const fs = await loadFs();
    const slash = Math.max(this.path.lastIndexOf('/'), this.path.lastIndexOf('\\'));
    if (slash > 0) await fs.mkdir(this.path.slice(0, slash), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await fs.writeFile(temp, text, { mode: 0o600 });
      await fs.rename(temp, this.path);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => {});
      throw error;
    }
  }
}
