/**
 * [slow: about a minute] The packed package installs into another project where only the local npm cache
 * is reachable (issue 13, item 14): danfojs-node (whose xlsx comes from a CDN) is an optional peer
 * dependency, so it is not installed, `require` and `import` work, and the DataFrame helpers say how to get
 * it. A subpath (`delta-sparsity/hardware`) resolves there too. Runs in `npm test` (which builds dist/ first).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateCost, loadExampleWorkload, listExampleWorkloads } from '../../lib/hardware';
import { consumerLockfile } from './lockfile';

const root = path.resolve(__dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('[slow] the packed package in another project, offline', () => {
  it('installs from the npm cache alone, without danfojs-node, and require/import and a cost estimate work', () => {
    expect(fs.existsSync(path.join(root, 'dist/index.js')), 'run `npm run build` first (npm test does)').toBe(true);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
    const packed = run(npm, ['pack', '--pack-destination', folder, '--json'], root);
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = path.join(folder, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);

    const project = path.join(folder, 'project');
    fs.mkdirSync(project);
    const spec = `file:${tarball}`;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { 'delta-sparsity': spec } }));
    const repositoryLock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Parameters<typeof consumerLockfile>[0];
    fs.writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify(consumerLockfile(repositoryLock, spec, tarball, 'consumer'), null, 2));

    // --offline: any request that the cache cannot answer fails instead of reaching a network.
    const installed = run(npm, ['ci', '--offline', '--no-audit', '--no-fund'], project);
    expect(installed.status, installed.stderr).toBe(0);
    expect(fs.existsSync(path.join(project, 'node_modules/delta-sparsity/dist/index.js'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'node_modules/danfojs-node'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'node_modules/xlsx'))).toBe(false);

    const workloadName = listExampleWorkloads()[0];
    const script = `
      const ds = require('delta-sparsity');
      const { loadExampleWorkload } = require('delta-sparsity/hardware');
      const cost = ds.estimateCost(loadExampleWorkload(${JSON.stringify(workloadName)}), 'eyeriss-v2-like');
      let dataFrameError = null;
      try { ds.dataFrameOf(ds.costToRows(cost)); } catch (error) { dataFrameError = { name: error.name, message: error.message }; }
      console.log(JSON.stringify({ denseEnergyPj: cost.totals.dense.energyPj.total, dataFrameError }));
    `;
    const required = run(process.execPath, ['-e', script], project);
    expect(required.status, required.stderr).toBe(0);
    const output = JSON.parse(required.stdout.trim().split('\n').pop() as string) as { denseEnergyPj: number; dataFrameError: { name: string; message: string } | null };
    // The same estimate as this repository's own code gives.
    expect(output.denseEnergyPj).toBe(estimateCost(loadExampleWorkload(workloadName), 'eyeriss-v2-like').totals.dense.energyPj.total);
    expect(output.dataFrameError?.name).toBe('DeltaSparsityError');
    expect(output.dataFrameError?.message).toContain('npm install danfojs-node@1.2.0');

    const imported = run(process.execPath, ['--input-type=module', '-e', "import * as ds from 'delta-sparsity'; console.log(typeof ds.train, typeof ds.estimateCost);"], project);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout.trim().split('\n').pop()).toBe('function function');

    // A subpath of package.json `exports` resolves in the installed package, for require and import, to the same
    // module as the root (one copy of the library), and a module deeper than a folder index stays internal.
    const subpath = run(
      process.execPath,
      ['-e', "const hw = require('delta-sparsity/hardware'); console.log(require.resolve('delta-sparsity/hardware'), hw.estimateCost === require('delta-sparsity').estimateCost, typeof hw.formatCostTable);"],
      project,
    );
    expect(subpath.status, subpath.stderr).toBe(0);
    expect(subpath.stdout.trim().split('\n').pop()).toBe(`${path.join(fs.realpathSync(project), 'node_modules/delta-sparsity/dist/hardware/index.js')} true function`);
    const subpathImport = run(process.execPath, ['--input-type=module', '-e', "import { formatCostTable } from 'delta-sparsity/hardware'; console.log(typeof formatCostTable);"], project);
    expect(subpathImport.status, subpathImport.stderr).toBe(0);
    expect(subpathImport.stdout.trim().split('\n').pop()).toBe('function');
    const internal = run(process.execPath, ['-e', "require('delta-sparsity/hardware/cost')"], project);
    expect(internal.status).not.toBe(0);
    expect(internal.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    fs.rmSync(folder, { recursive: true, force: true });
  }, 600_000);
});
