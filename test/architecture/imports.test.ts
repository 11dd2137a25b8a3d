/**
 * The import graph of lib/ (type-only imports included) has no cycle, and no import runs upward through the
 * layers of CONTRIBUTING.md ("a file imports only from its own layer or below"). dependency-cruiser builds
 * the graph with the TypeScript compiler and checks both rules; LAYERS below is CONTRIBUTING's layer table.
 */
import * as path from 'node:path';
import { cruise, type ICruiseResult, type IFlattenedRuleSet, type IViolation } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** CONTRIBUTING.md's layer table, lowest first: each entry lists the folders (or files) under lib/ on that layer. */
const LAYERS: { layer: string; members: string[] }[] = [
  { layer: '0', members: ['util/'] },
  { layer: '1', members: ['layers/', 'backend/', 'data/', 'hardware/', 'viz/'] },
  { layer: '2', members: ['models/'] },
  { layer: '3', members: ['sparsity/', 'inference/'] },
  { layer: '4', members: ['train/'] },
  { layer: '5', members: ['study/', 'ablation/', 'bench/'] },
  { layer: '5b', members: ['queue/'] },
  { layer: '6', members: ['index.ts'] },
  { layer: '7', members: ['cli/'] },
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const pathPattern = (members: string[]) => `^lib/(${members.map(escape).join('|')})`;

/** One rule per layer: its files may not import a file of any higher layer. */
function layerRules(): IFlattenedRuleSet['forbidden'] {
  return LAYERS.slice(0, -1).map(({ layer, members }, i) => ({
    name: `layer-${layer}-imports-upward`,
    severity: 'error' as const,
    comment: `lib/{${members.join(',')}} is layer ${layer}: it may import only from layer ${layer} or below`,
    from: { path: pathPattern(members) },
    to: { path: pathPattern(LAYERS.slice(i + 1).flatMap((higher) => higher.members)) },
  }));
}

const ruleSet: IFlattenedRuleSet = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', from: { path: '^lib/' }, to: { circular: true } },
    ...(layerRules() ?? []),
    {
      // Figure builders take plain data (CONTRIBUTING.md): viz does not reach into the hardware, data or layers
      // folders beside it on layer 1.
      name: 'viz-takes-plain-data',
      severity: 'error',
      from: { path: '^lib/viz/' },
      to: { path: '^lib/', pathNot: '^lib/(viz|util)/' },
    },
  ],
};

const cycleFiles = (violation: IViolation) => [violation.from, ...(violation.cycle ?? []).map((step) => step.name)];
const describeViolation = (violation: IViolation) =>
  violation.rule.name === 'no-cycle'
    ? `cycle: ${cycleFiles(violation).join(' -> ')}`
    : `${violation.rule.name}: ${violation.from} -> ${violation.to}`;

let result: ICruiseResult;

beforeAll(async () => {
  const reported = await cruise(
    ['lib'],
    {
      baseDir: ROOT,
      validate: true,
      ruleSet,
      // Type-only imports count: a type cycle still ties two modules together.
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '(^lib/.*/wasm/|\\.d\\.ts$)' },
    },
    { extensions: ['.ts', '.js', '.json'] },
    { tsConfig: { fileName: path.join(ROOT, 'tsconfig.json') } },
  );
  result = reported.output as ICruiseResult;
});

describe('the import graph of lib/', () => {
  it('sees every module of lib/ and resolves every relative import', () => {
    const modules = result.modules.filter((module) => module.source.startsWith('lib/') && module.source.endsWith('.ts'));
    // An invariant rather than a count: the graph holds the files that import the layers' index modules.
    expect(modules.map((module) => module.source)).toEqual(expect.arrayContaining(['lib/index.ts', 'lib/cli/main.ts', 'lib/util/errors.ts', 'lib/inference/streaming.ts']));
    const unresolved = modules.flatMap((module) =>
      module.dependencies.filter((dependency) => dependency.module.startsWith('.') && dependency.couldNotResolve).map((dependency) => `${module.source} -> ${dependency.module}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('has no import cycle (type-only imports included)', () => {
    const cycles = (result.summary.violations ?? []).filter((violation) => violation.rule.name === 'no-cycle');
    expect(cycles.map(describeViolation)).toEqual([]);
  });

  it('has no import that runs upward through the layers, and viz imports only viz and util', () => {
    const upward = (result.summary.violations ?? []).filter((violation) => violation.rule.name !== 'no-cycle');
    expect(upward.map(describeViolation)).toEqual([]);
  });

  it('has every file of lib/ on a layer of the table, so that a new folder cannot escape the layer rule', () => {
    const onLayer = new RegExp(pathPattern(LAYERS.flatMap(({ members }) => members)));
    const sources = result.modules.map((module) => module.source).filter((source) => source.startsWith('lib/'));
    expect(sources.filter((source) => !onLayer.test(source))).toEqual([]);
  });
});
