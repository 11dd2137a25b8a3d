import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaSparsityError } from '../../lib/util/errors';
import {
  hardwareDataDir,
  listExampleWorkloads,
  listHardwarePresets,
  loadExampleWorkload,
  loadHardware,
  readWorkloadFile,
} from '../../lib/hardware';

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-hardware-'));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));

// Raw preset JSON, edited field by field to make bad files: its shape is what is under test, so it stays untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function presetJson(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(hardwareDataDir(), 'presets', `${name}.json`), 'utf8'));
}

function writeTemp(name: string, content: unknown): string {
  const file = path.join(temporary, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('presets', () => {
  it('lists and loads every shipped preset', () => {
    const names = listHardwarePresets().map((p) => p.name);
    expect(names).toEqual(['eyeriss-v2-like', 'horowitz-45nm-fp32', 'horowitz-45nm-int8']);
    for (const name of names) expect(loadHardware(name).name).toBe(name);
  });

  it('carries the published numbers', () => {
    // Horowitz, ISSCC 2014 (45 nm): 8-bit int multiply 0.2 + add 0.03 pJ; fp32 multiply 3.7 + add 0.9 pJ;
    // 64-bit reads: 8 KB 10 pJ, 1 MB 100 pJ; DRAM 1.3-2.6 nJ per 64 bits (midpoint 1.95 nJ used).
    const int8 = loadHardware('horowitz-45nm-int8');
    expect(int8.mac.activeEnergyPj).toBeCloseTo(0.2 + 0.03, 12);
    expect(int8.memory.inputSpad).toMatchObject({ capacityBytes: 8192, accessBits: 64, readEnergyPj: 10 });
    expect(int8.memory.globalBuffer).toMatchObject({ capacityBytes: 1048576, accessBits: 64, readEnergyPj: 100 });
    expect(int8.memory.dram.readEnergyPj).toBeCloseTo((1300 + 2600) / 2, 9);
    expect(loadHardware('horowitz-45nm-fp32').mac.activeEnergyPj).toBeCloseTo(3.7 + 0.9, 12);
    // Sparseloop (MICRO 2022) artifact, Eyeriss v2: MAC 0.561 / 0.018 pJ, iact spad 0.130 pJ, weight spad 0.477 pJ.
    const eyeriss = loadHardware('eyeriss-v2-like');
    expect(eyeriss.mac).toEqual({ activeEnergyPj: 0.561, idleEnergyPj: 0.018 });
    expect(eyeriss.memory.inputSpad.readEnergyPj).toBe(0.13);
    expect(eyeriss.memory.weightSpad.readEnergyPj).toBe(0.477);
    expect(eyeriss.zeros).toEqual({ inputs: 'skip', weights: 'skip' });
  });

  it('gives every number a source, and flags assumptions', () => {
    const raw = presetJson('eyeriss-v2-like');
    expect(raw.clockHz.assumed).toBe(true);
    expect(raw.mac.activeEnergyPj.assumed).toBeUndefined();
    expect(raw.mac.activeEnergyPj.source).toMatch(/sparseloop/i);
  });

  it('loads a hardware file by path', () => {
    const file = writeTemp('copy.json', presetJson('horowitz-45nm-int8'));
    expect(loadHardware(file).file).toBe(file);
  });

  it('suggests the closest preset for a misspelt name', () => {
    expect(() => loadHardware('eyeriss-v2')).toThrow(/closest: eyeriss-v2-like/);
  });
});

describe('bad hardware files', () => {
  it('a missing field: names the field and the file', () => {
    const raw = presetJson('eyeriss-v2-like');
    delete raw.mac.activeEnergyPj;
    const file = writeTemp('missing.json', raw);
    expect(() => loadHardware(file)).toThrow(DeltaSparsityError);
    expect(() => loadHardware(file)).toThrow(file);
    expect(() => loadHardware(file)).toThrow(/mac\.activeEnergyPj: expected an? object \(required field missing\)/);
  });

  it('a negative energy: names the field, the value and the file', () => {
    const raw = presetJson('horowitz-45nm-int8');
    raw.memory.dram.readEnergyPj.value = -1950;
    const file = writeTemp('negative.json', raw);
    expect(() => loadHardware(file)).toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: memory\\.dram\\.readEnergyPj\\.value: expected a finite number >= 0\\. Received: .*=-1950`),
    );
  });

  it('a number without a source, a misspelt field, an unknown zero policy, idle above active, bad JSON', () => {
    const noSource = presetJson('eyeriss-v2-like');
    delete noSource.macUnits.source;
    expect(() => loadHardware(writeTemp('nosource.json', noSource))).toThrow(/macUnits\.source/);

    const typo = presetJson('eyeriss-v2-like');
    typo.clockHertz = typo.clockHz;
    expect(() => loadHardware(writeTemp('typo.json', typo))).toThrow(/unknown field\(s\) clockHertz/);

    const policy = presetJson('eyeriss-v2-like');
    policy.zeros.inputs.value = 'compress';
    expect(() => loadHardware(writeTemp('policy.json', policy))).toThrow(/zeros\.inputs\.value: expected one of "none", "gate", "skip"/);

    const idle = presetJson('eyeriss-v2-like');
    idle.mac.idleEnergyPj.value = 1;
    expect(() => loadHardware(writeTemp('idle.json', idle))).toThrow(/idle\.json: mac\.idleEnergyPj\.value: expected at most/);

    expect(() => loadHardware(writeTemp('broken.json', '{ "format": '))).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadHardware(path.join(temporary, 'absent.json'))).toThrow(/absent\.json/);
  });
});

describe('workload files', () => {
  it('reads the example network', () => {
    expect(listExampleWorkloads()).toContain('example-video-cnn');
    const layers = loadExampleWorkload('example-video-cnn');
    expect(layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc1', 'fc2']);
    // conv2: 32x32x16 input, 3x3 conv with 32 filters: fanOut = 9·32 = 288, weights = 9·16·32 = 4608
    expect(layers[1]).toMatchObject({ inputActivations: 32 * 32 * 16, fanOut: 288, weights: 4608, outputs: 32 * 32 * 32 });
  });

  it('names the file, the layer and the value for a bad density', () => {
    const file = writeTemp('workload.json', {
      layers: [{ name: 'c1', kind: 'conv', inputActivations: 4, fanOut: 2, weights: 2, outputs: 4, spatialDensity: 0.5, temporalDensity: -0.25 }],
    });
    expect(() => readWorkloadFile(file)).toThrow(/workload\.json: temporalDensity of layer "c1": expected a density in \[0, 1\]\. Received: .*=-0\.25/);
  });
});
