import fs from 'node:fs';
import path from 'node:path';

export interface RotatingFileOptions {
  /** Rotate once the current file would grow past this many bytes. */
  maxBytes?: number;
  /** How many rotated files (name.1.log … name.N.log) are kept beside the current one. */
  keep?: number;
}

/**
 * A synchronous, size-rotating append-only file: scripthut.log, then scripthut.1.log (newest) … scripthut.N.log.
 * Synchronous so the last lines before a crash are on disk; the engine logs little, so the cost does not matter.
 */
export class RotatingFile {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private size: number;
  private fd: number;

  constructor(file: string, opts: RotatingFileOptions = {}) {
    this.file = file;
    this.maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
    this.keep = opts.keep ?? 5;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    fs.writeSync(this.fd, chunk);
    this.size += bytes;
    return true;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  rotatedName(n: number): string {
    const ext = path.extname(this.file);
    return `${this.file.slice(0, this.file.length - ext.length)}.${n}${ext}`;
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.rotatedName(this.keep), { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      if (fs.existsSync(this.rotatedName(n))) fs.renameSync(this.rotatedName(n), this.rotatedName(n + 1));
    }
    if (this.keep > 0) fs.renameSync(this.file, this.rotatedName(1));
    else fs.rmSync(this.file, { force: true });
    this.fd = fs.openSync(this.file, 'a');
    this.size = 0;
  }
}
