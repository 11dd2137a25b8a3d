/**
 * Hardware descriptions: the plain-number `HardwareSpec` the cost model uses, and the versioned JSON file
 * format (`data/hardware/presets/*.json`) in which every number carries its source. Both are validated with
 * zod; a bad file gives an error naming the file and the field (`mac.activeEnergyPj.value`).
 *
 * The memory hierarchy is fixed (it keeps the cost model simple and its formulas short):
 *   DRAM  ->  global buffer (SRAM, shared)  ->  per-MAC scratchpads (one for input activations, one for weights)
 * Accumulation happens in a register inside the MAC unit (its energy is part of the MAC energy).
 */
import * as z from 'zod';
import { DeltaSparsityError, invalidArgument, withArticle } from '../util/errors';

/**
 * What the hardware does with a zero operand (the Sparseloop distinction):
 * - `none`: the MAC is done as if the value were non-zero;
 * - `gate`: the MAC and its operand reads are clock-gated: energy is saved, the cycle is not;
 * - `skip`: the MAC is never issued and the zero is never moved: energy and cycles are saved.
 */
export type ZeroPolicy = 'none' | 'gate' | 'skip';
export const ZERO_POLICIES: readonly ZeroPolicy[] = ['none', 'gate', 'skip'];

/** One on-chip memory level. Energies are per access of `accessBits` bits. */
export interface MemoryLevelSpec {
  /** Capacity in bytes (the global buffer's decides what stays on chip between frames). */
  capacityBytes: number;
  /** Width of one access in bits; a value of b bits costs energy·b/accessBits. */
  accessBits: number;
  /** Energy of one read access, pJ. */
  readEnergyPj: number;
  /** Energy of one write access, pJ. */
  writeEnergyPj: number;
}

/** Off-chip DRAM: unbounded capacity, per-access energy and a bandwidth. */
export interface DramSpec {
  accessBits: number;
  readEnergyPj: number;
  writeEnergyPj: number;
  /** Sustained bandwidth in bytes per clock cycle (bounds the cycles of DRAM-heavy layers). */
  bytesPerCycle: number;
}

/** A hardware description as plain numbers (what `loadHardware` returns and `estimateCost` takes). */
export interface HardwareSpec {
  name: string;
  /** Version of this description (bump it when a number changes). */
  version: string;
  description: string;
  /** Bits of one activation, delta or weight. */
  dataWidthBits: number;
  /** Bits of one accumulator (delta execution keeps one per output between frames). */
  accumulatorWidthBits: number;
  /** Number of MAC units working in parallel. */
  macUnits: number;
  /** Clock frequency, Hz. */
  clockHz: number;
  mac: {
    /** Energy of one multiply-accumulate with non-zero operands, pJ. */
    activeEnergyPj: number;
    /** Energy of one MAC that is gated or skipped (zero operand), pJ; must not exceed `activeEnergyPj`. */
    idleEnergyPj: number;
  };
  /** Per operand: what the hardware does with zeros. `inputs` means activations, or deltas in delta mode. */
  zeros: { inputs: ZeroPolicy; weights: ZeroPolicy };
  memory: {
    inputSpad: MemoryLevelSpec;
    weightSpad: MemoryLevelSpec;
    globalBuffer: MemoryLevelSpec;
    dram: DramSpec;
  };
  /** The file it was loaded from, if any. */
  file?: string;
}

// ---------------------------------------------------------------------------------------------------------
// zod schemas

const nonNegative = z.number().min(0, 'a finite number >= 0');
const positive = z.number().positive('a finite number > 0');
const positiveInteger = z.number().int('an integer >= 1').min(1, 'an integer >= 1');
const policy = z.enum(['none', 'gate', 'skip'], 'one of "none", "gate", "skip"');

/** A number in a data file: its value, where it comes from, and whether it is an assumption. */
function quantity<T extends z.ZodType>(value: T) {
  return z.strictObject({
    value,
    source: z.string().min(1, 'a non-empty source (paper, table, or the reason for an assumption)'),
    assumed: z.boolean().optional(),
    note: z.string().optional(),
  });
}

function levelSchema<T extends z.ZodType>(wrap: (inner: z.ZodNumber) => T) {
  return z.strictObject({
    capacityBytes: wrap(positive),
    accessBits: wrap(positive),
    readEnergyPj: wrap(nonNegative),
    writeEnergyPj: wrap(nonNegative),
    note: z.string().optional(),
  });
}

function dramSchema<T extends z.ZodType>(wrap: (inner: z.ZodNumber) => T) {
  return z.strictObject({
    accessBits: wrap(positive),
    readEnergyPj: wrap(nonNegative),
    writeEnergyPj: wrap(nonNegative),
    bytesPerCycle: wrap(positive),
    note: z.string().optional(),
  });
}

const plain = (inner: z.ZodNumber) => inner;
const sourced = (inner: z.ZodNumber) => quantity(inner);

/** Schema of a `HardwareSpec` given in code (plain numbers). */
const specSchema = z.strictObject({
  name: z.string().min(1, 'a non-empty name'),
  version: z.string().min(1, 'a non-empty version'),
  description: z.string(),
  dataWidthBits: positiveInteger,
  accumulatorWidthBits: positiveInteger,
  macUnits: positiveInteger,
  clockHz: positive,
  mac: z.strictObject({ activeEnergyPj: nonNegative, idleEnergyPj: nonNegative }),
  zeros: z.strictObject({ inputs: policy, weights: policy }),
  memory: z.strictObject({
    inputSpad: levelSchema(plain),
    weightSpad: levelSchema(plain),
    globalBuffer: levelSchema(plain),
    dram: dramSchema(plain),
  }),
  file: z.string().optional(),
});

/** Current version of the JSON file format. */
export const HARDWARE_FORMAT_VERSION = 1;

/** Schema of a hardware JSON file: every number is `{ value, source, assumed?, note? }`. */
const fileSchema = z.strictObject({
  $comment: z.string().optional(),
  format: z.literal('delta-sparsity/hardware', 'the string "delta-sparsity/hardware"'),
  formatVersion: z.literal(HARDWARE_FORMAT_VERSION, `the number ${HARDWARE_FORMAT_VERSION}`),
  name: z.string().min(1, 'a non-empty name'),
  version: z.string().min(1, 'a non-empty version'),
  description: z.string(),
  references: z.record(z.string(), z.string()).optional(),
  dataWidthBits: quantity(positiveInteger),
  accumulatorWidthBits: quantity(positiveInteger),
  macUnits: quantity(positiveInteger),
  clockHz: quantity(positive),
  mac: z.strictObject({ activeEnergyPj: quantity(nonNegative), idleEnergyPj: quantity(nonNegative) }),
  zeros: z.strictObject({ inputs: quantity(policy), weights: quantity(policy) }),
  memory: z.strictObject({
    inputSpad: levelSchema(sourced),
    weightSpad: levelSchema(sourced),
    globalBuffer: levelSchema(sourced),
    dram: dramSchema(sourced),
  }),
});

type HardwareFile = z.infer<typeof fileSchema>;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Turns the first zod issue into our standard error, prefixed with `where` (a file path or a label). */
function issueError(where: string, root: unknown, error: z.ZodError): DeltaSparsityError {
  const issue = error.issues[0];
  const path = issue.path.map(String).join('.') || '(root)';
  let expected = issue.message;
  if (issue.code === 'invalid_type') {
    const received = valueAt(root, issue.path);
    expected = `${withArticle(String(issue.expected))}${received === undefined ? ' (required field missing)' : ''}`;
  } else if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return new DeltaSparsityError(`${where}: ${path}: unknown field(s) ${keys} (misspelt?)`);
  }
  const inner = invalidArgument(path, expected, valueAt(root, issue.path));
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return new DeltaSparsityError(`${where}: ${inner.message}${more}`);
}

function checkIdleBelowActive(where: string, spec: HardwareSpec, field: string): void {
  if (spec.mac.idleEnergyPj > spec.mac.activeEnergyPj) {
    const inner = invalidArgument(field, `at most mac.activeEnergyPj (${spec.mac.activeEnergyPj})`, spec.mac.idleEnergyPj);
    throw new DeltaSparsityError(`${where}: ${inner.message}`);
  }
}

/** Checks a hardware description given in code; throws naming the field. Returns a copy. */
export function validateHardwareSpec(spec: unknown, label = 'hardware'): HardwareSpec {
  const parsed = specSchema.safeParse(spec);
  if (!parsed.success) throw issueError(label, spec, parsed.error);
  const result: HardwareSpec = structuredClone(parsed.data);
  checkIdleBelowActive(label, result, 'mac.idleEnergyPj');
  return result;
}

function unwrapLevel(level: HardwareFile['memory']['inputSpad']): MemoryLevelSpec {
  return {
    capacityBytes: level.capacityBytes.value,
    accessBits: level.accessBits.value,
    readEnergyPj: level.readEnergyPj.value,
    writeEnergyPj: level.writeEnergyPj.value,
  };
}

/** Parses the contents of a hardware JSON file (already JSON-decoded); `file` names it in errors. */
export function parseHardwareFile(content: unknown, file: string): HardwareSpec {
  const parsed = fileSchema.safeParse(content);
  if (!parsed.success) throw issueError(file, content, parsed.error);
  const f = parsed.data;
  const spec: HardwareSpec = {
    name: f.name,
    version: f.version,
    description: f.description,
    dataWidthBits: f.dataWidthBits.value,
    accumulatorWidthBits: f.accumulatorWidthBits.value,
    macUnits: f.macUnits.value,
    clockHz: f.clockHz.value,
    mac: { activeEnergyPj: f.mac.activeEnergyPj.value, idleEnergyPj: f.mac.idleEnergyPj.value },
    zeros: { inputs: f.zeros.inputs.value, weights: f.zeros.weights.value },
    memory: {
      inputSpad: unwrapLevel(f.memory.inputSpad),
      weightSpad: unwrapLevel(f.memory.weightSpad),
      globalBuffer: unwrapLevel(f.memory.globalBuffer),
      dram: {
        accessBits: f.memory.dram.accessBits.value,
        readEnergyPj: f.memory.dram.readEnergyPj.value,
        writeEnergyPj: f.memory.dram.writeEnergyPj.value,
        bytesPerCycle: f.memory.dram.bytesPerCycle.value,
      },
    },
    file,
  };
  checkIdleBelowActive(file, spec, 'mac.idleEnergyPj.value');
  return spec;
}
