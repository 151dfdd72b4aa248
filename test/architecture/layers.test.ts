import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
}

describe('layers', () => {
  it('layers: runtime/ imports nothing from remoting/ or cluster/', () => {
    const offenders = sourceFiles(join(root, 'runtime')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)(remoting|cluster)(\/|$)/.test(spec))
        .map((spec) => `${relative(root, file)} -> ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('layers: code outside runtime/ enters it only through runtime/index.ts', () => {
    const dirs = ['testkit', 'samples', 'remoting'].map((d) => join(root, d));
    const offenders = dirs.flatMap(sourceFiles).flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)runtime\/(?!index\.ts$)/.test(spec))
        .map((spec) => `${relative(root, file)} -> ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('layers: remoting/ imports nothing from cluster/', () => {
    const offenders = sourceFiles(join(root, 'remoting')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)cluster(\/|$)/.test(spec))
        .map((spec) => `${relative(root, file)} -> ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('layers: samples and the test kit enter remoting/ only through remoting/index.ts', () => {
    const dirs = ['testkit', 'samples'].map((d) => join(root, d));
    const offenders = dirs.flatMap(sourceFiles).flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)remoting\/(?!index\.ts$)/.test(spec))
        .map((spec) => `${relative(root, file)} -> ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('layers: no module uses export *', () => {
    const offenders = ['runtime', 'remoting']
      .flatMap((d) => sourceFiles(join(root, d)))
      .filter((file) => /^\s*export \*/m.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
