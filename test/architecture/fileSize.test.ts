/** Small files, one idea each (issue 15): no source file of lib/ is longer than 400 lines. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = path.resolve(__dirname, '../../lib');
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('lib/ file sizes', () => {
  it(`has no source file over ${MAX_LINES} lines`, () => {
    const files = sources(LIB);
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((file) => ({ file: path.relative(LIB, file), lines: fs.readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
