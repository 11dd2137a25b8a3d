#!/usr/bin/env node
/**
 * Builds the optional oneDNN conv addon (native/onednn) with node-gyp, when oneDNN's headers and a C++
 * toolchain are present. Run by `npm install`/`npm ci` (the package's install script) and by
 * `npm run build:native`.
 *
 * As an install script it never fails the install: without oneDNN or a compiler, or if the build fails, it
 * prints one line saying the wasm conv kernels are used and why, and exits 0. With `--required`
 * (`npm run build:native`) a missing prerequisite or failed build exits 1. A build newer than its sources that
 * loads is kept, unless `--force`.
 *
 * node-gyp is npm's own (npm passes its path in npm_config_node_gyp to scripts); Node's headers come from
 * the Node installation (<prefix>/include/node) when present, so nothing is downloaded.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const required = process.argv.includes('--required');
const addonDir = path.resolve(__dirname, '..', 'native', 'onednn');
const addonFile = path.join(addonDir, 'build', 'Release', 'delta_onednn.node');
const logFile = path.join(addonDir, 'build-native.log');
const PACKAGES = 'libdnnl-dev g++ make python3';
const HOW = `to build it: apt-get install -y ${PACKAGES}, then npm run build:native (or npm rebuild delta-sparsity)`;

function finish(ok, message) {
  // A failed rebuild leaves an older build in place, and the library keeps using it.
  if (!ok && fs.existsSync(addonFile)) {
    message = message.replace('wasm (native addon not built', 'onednn (the older native addon build stays in use; not rebuilt');
  }
  process.stdout.write(`delta-sparsity: conv kernels: ${message}\n`);
  process.exit(ok || !required ? 0 : 1);
}

function headerDirs() {
  const fromEnv = (process.env.CPATH || '').split(path.delimiter).filter(Boolean);
  return [...fromEnv, '/usr/include', '/usr/local/include'];
}

function works(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const candidate of candidates) if (candidate && fs.existsSync(candidate)) return candidate;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

if (!fs.existsSync(path.join(addonDir, 'binding.gyp'))) finish(false, 'wasm (native addon sources not shipped)');
// `npm install` runs this script every time: keep a build that is newer than its sources and loads.
function loadedVersion() {
  const probe = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(addonFile)}).version())`], {
    encoding: 'utf8',
  });
  return probe.status === 0 ? { ok: true, version: probe.stdout.trim() } : { ok: false, error: (probe.stderr || '').split('\n')[0] };
}
const sources = [path.join(addonDir, 'binding.gyp'), ...fs.readdirSync(path.join(addonDir, 'src')).map((f) => path.join(addonDir, 'src', f))];
if (!process.argv.includes('--force') && fs.existsSync(addonFile)) {
  const builtAt = fs.statSync(addonFile).mtimeMs;
  const current = loadedVersion();
  if (current.ok && sources.every((file) => fs.statSync(file).mtimeMs <= builtAt)) {
    finish(true, `onednn (native addon up to date, oneDNN ${current.version}; npm run build:native -- --force rebuilds it)`);
  }
}

if (!headerDirs().some((dir) => fs.existsSync(path.join(dir, 'dnnl.hpp')))) {
  finish(false, `wasm (native addon not built: oneDNN headers (dnnl.hpp) not found; ${HOW})`);
}
const missingTools = [['c++', '--version'], ['make', '--version'], ['python3', '--version']]
  .filter(([command, flag]) => !works(command, [flag]))
  .map(([command]) => command);
if (missingTools.length > 0) {
  finish(false, `wasm (native addon not built: ${missingTools.join(', ')} not found; ${HOW})`);
}
const gyp = nodeGyp();
if (gyp == null) finish(false, `wasm (native addon not built: node-gyp not found (it comes with npm); ${HOW})`);

const args = [gyp, 'rebuild'];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const build = spawnSync(process.execPath, args, { cwd: addonDir, encoding: 'utf8', timeout: 600_000 });
fs.writeFileSync(logFile, `${build.stdout || ''}${build.stderr || ''}${build.error ? String(build.error) : ''}`);
if (build.status !== 0 || !fs.existsSync(addonFile)) {
  finish(false, `wasm (native addon build failed, see ${path.relative(process.cwd(), logFile)}; ${HOW})`);
}
// Load it once: a build that links but cannot load (e.g. libdnnl missing at run time) is no addon.
const built = loadedVersion();
if (!built.ok) {
  fs.rmSync(addonFile, { force: true });
  finish(false, `wasm (native addon built but does not load: ${built.error}; ${HOW})`);
}
finish(true, `onednn (native addon built against oneDNN ${built.version})`);
