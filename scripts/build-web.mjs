// Builds the dashboard (src/web/app) into dist/web/public: one bundled, minified script and one
// stylesheet with content hashes in their names, and index.html pointing at them. Each file is
// written whole (temp file, then rename) and the old hashed files are removed last, so a server
// starting meanwhile (another test, say) reads either the old build or the new one.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const source = 'src/web/app';
const out = 'dist/web/public';
const assets = path.join(out, 'assets');

function writeWhole(file, contents) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, file);
}

mkdirSync(assets, { recursive: true });
const result = await build({
  entryPoints: { app: path.join(source, 'main.ts'), styles: path.join(source, 'styles.css') },
  outdir: assets,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  metafile: true,
  write: false,
  tsconfig: 'src/web/tsconfig.json',
  logLevel: 'warning',
});

for (const file of result.outputFiles) writeWhole(file.path, file.contents);

const outputFor = (entry) => {
  const found = Object.entries(result.metafile.outputs).find(
    ([, output]) => output.entryPoint === path.join(source, entry),
  );
  if (!found) throw new Error(`esbuild wrote no output for ${entry}`);
  return path.basename(found[0]);
};
const html = readFileSync(path.join(source, 'index.html'), 'utf8')
  .replace('%SCRIPT%', outputFor('main.ts'))
  .replace('%STYLES%', outputFor('styles.css'));
writeWhole(path.join(out, 'index.html'), html);

const current = new Set(result.outputFiles.map((file) => path.basename(file.path)));
for (const name of readdirSync(assets)) {
  if (!current.has(name) && !name.endsWith('.tmp')) rmSync(path.join(assets, name), { force: true });
}

const sizes = result.outputFiles
  .filter((file) => !file.path.endsWith('.map'))
  .map((file) => `${path.basename(file.path)} ${(file.contents.byteLength / 1024).toFixed(1)} KiB`);
console.log(`dashboard built into ${out}: ${sizes.join(', ')}`);
