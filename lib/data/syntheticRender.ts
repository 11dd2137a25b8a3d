/**
 * Rendering of the synthetic action set's videos: a checker-textured object moving over a textured static
 * background with Gaussian sensor noise, and (with the appearance cue) a look per class. The dataset around it
 * is `synthetic.ts`.
 */
import { SeededRandom } from '../util/random';

/** The motions the synthetic set can contain, each one class. */
export const SYNTHETIC_MOTIONS = [
  'move-right',
  'move-left',
  'move-up',
  'move-down',
  'rotate',
  'scale',
  'oscillate',
  'still',
] as const;
export type SyntheticMotion = (typeof SYNTHETIC_MOTIONS)[number];

const NOISE_TABLE_SIZE = 1 << 16;
const NOISE_MASK = NOISE_TABLE_SIZE - 1;

/** What single frames of a class show when `appearanceCue` is on (see SyntheticDatasetOptions.appearanceCue). */
interface ClassLook {
  /** Centre of the background hue family, degrees. The object takes about the opposite hue, for contrast. */
  hue: number;
  /** Object shape; an arrowhead points along the motion (right, left, up or down). */
  shape: ObjectShape;
  /**
   * Direction of the background's dominant stripes, as the angle of their wave vector (radians, image x right,
   * y down). `undefined`: vertical or horizontal stripes at random, a distribution a horizontal flip keeps.
   */
  stripes?: number;
}

type ObjectShape = 'square' | 'disc' | 'diamond' | 'arrow';

/**
 * The default classes take five hue families 72 degrees apart; move-left and move-right share one (a colour
 * cannot say left from right once clips may be mirrored) and differ in arrow direction and in stripes tilted
 * mirror-wise (pi/4 vs 3pi/4). The two extra motions sit between families and have their own shapes.
 */
const CLASS_LOOKS: Record<SyntheticMotion, ClassLook> = {
  'move-right': { hue: 0, shape: 'arrow', stripes: Math.PI / 4 },
  'move-left': { hue: 0, shape: 'arrow', stripes: (3 * Math.PI) / 4 },
  'move-up': { hue: 72, shape: 'arrow' },
  'move-down': { hue: 144, shape: 'arrow' },
  rotate: { hue: 216, shape: 'square' },
  scale: { hue: 288, shape: 'disc' },
  oscillate: { hue: 36, shape: 'diamond' },
  still: { hue: 252, shape: 'diamond' },
};

/** Per-video jitter of the look: uniform +- this many degrees of hue (families are 72 degrees apart). */
const HUE_JITTER = 20;
/** Per-video jitter of the stripe and arrow directions, uniform +- radians. */
const DIRECTION_JITTER = 0.35;

/** The direction an arrowhead points for a motion (radians, image x right, y down), or undefined. */
function arrowDirection(motion: SyntheticMotion): number | undefined {
  switch (motion) {
    case 'move-right':
      return 0;
    case 'move-left':
      return Math.PI;
    case 'move-down':
      return Math.PI / 2;
    case 'move-up':
      return -Math.PI / 2;
    default:
      return undefined;
  }
}

/** RGB in 0..255 of a hue (degrees), saturation and value (0..1). */
function hsvToRgb(hue: number, saturation: number, value: number): number[] {
  const h = (((hue % 360) + 360) % 360) / 60;
  const chroma = value * saturation;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [chroma, x, 0] : h < 2 ? [x, chroma, 0] : h < 3 ? [0, chroma, x] : h < 4 ? [0, x, chroma] : h < 5 ? [x, 0, chroma] : [chroma, 0, x];
  const m = value - chroma;
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

/** The class look of one video, drawn from its class family. */
interface BackgroundLook {
  /** Mean colour, 0..255. */
  base: number[];
  /** Wave-vector angle of the dominant luminance stripes, radians. */
  stripes: number;
}

/**
 * Static textured background [H, W, 3] in 0..255: a few coloured gratings plus soft blobs. With a `look`, its
 * mean colour and one dominant luminance grating come from the class; without, the base colour is random
 * (and the random draws are the same as before the looks existed, so old seeds give the old videos).
 */
function renderBackground(height: number, width: number, random: SeededRandom, look?: BackgroundLook): Float32Array {
  const out = new Float32Array(height * width * 3);
  const base = look?.base ?? [random.uniform(70, 170), random.uniform(70, 170), random.uniform(70, 170)];
  const gratings = Array.from({ length: 3 }, () => {
    const angle = random.uniform(0, Math.PI);
    const cycles = random.uniform(0.7, 3.5);
    return {
      fx: (Math.cos(angle) * cycles * 2 * Math.PI) / width,
      fy: (Math.sin(angle) * cycles * 2 * Math.PI) / height,
      phase: random.uniform(0, 2 * Math.PI),
      amplitude: [random.uniform(-25, 25), random.uniform(-25, 25), random.uniform(-25, 25)],
    };
  });
  if (look) {
    // Same sign in all channels: light and dark stripes whatever the hue.
    const cycles = random.uniform(1.5, 3);
    const strength = random.uniform(25, 40);
    gratings.push({
      fx: (Math.cos(look.stripes) * cycles * 2 * Math.PI) / width,
      fy: (Math.sin(look.stripes) * cycles * 2 * Math.PI) / height,
      phase: random.uniform(0, 2 * Math.PI),
      amplitude: [strength, strength, strength],
    });
  }
  const blobs = Array.from({ length: 3 }, () => ({
    x: random.uniform(0, width),
    y: random.uniform(0, height),
    inverseSpread: 1 / (2 * (random.uniform(0.1, 0.3) * width) ** 2),
    amplitude: [random.uniform(-40, 40), random.uniform(-40, 40), random.uniform(-40, 40)],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[i + c] = base[c];
      for (const g of gratings) {
        const s = Math.sin(g.fx * x + g.fy * y + g.phase);
        for (let c = 0; c < 3; c++) out[i + c] += g.amplitude[c] * s;
      }
      for (const b of blobs) {
        const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) * b.inverseSpread);
        for (let c = 0; c < 3; c++) out[i + c] += b.amplitude[c] * w;
      }
    }
  }
  return out;
}

/** Where the object is in frame t: centre, half-size, rotation angle. */
interface Pose {
  x: number;
  y: number;
  radius: number;
  angle: number;
}

/** The trajectory of one video's object for its motion class, kept inside the frame where possible. */
function trajectory(motion: SyntheticMotion, frames: number, height: number, width: number, random: SeededRandom): Pose[] {
  const side = Math.min(height, width);
  const radius0 = random.uniform(0.16, 0.24) * side;
  const speed = random.uniform(0.6, 1.3) * (side / 32); // pixels per frame
  const travel = speed * (frames - 1);
  const angle0 = random.uniform(0, 2 * Math.PI);
  const place = (low: number, high: number): number => (high > low ? random.uniform(low, high) : (low + high) / 2);
  // A slight drift across the main motion, as a hand-held object would have.
  const drift = random.uniform(-0.15, 0.15) * speed;
  const poses: Pose[] = [];
  switch (motion) {
    case 'move-right':
    case 'move-left': {
      const sign = motion === 'move-right' ? 1 : -1;
      const start = place(radius0, width - radius0 - travel);
      const x0 = sign > 0 ? start : width - start;
      const y0 = place(radius0, height - radius0);
      for (let t = 0; t < frames; t++) poses.push({ x: x0 + sign * speed * t, y: y0 + drift * t, radius: radius0, angle: angle0 });
      break;
    }
    case 'move-up':
    case 'move-down': {
      const sign = motion === 'move-down' ? 1 : -1;
      const start = place(radius0, height - radius0 - travel);
      const y0 = sign > 0 ? start : height - start;
      const x0 = place(radius0, width - radius0);
      for (let t = 0; t < frames; t++) poses.push({ x: x0 + drift * t, y: y0 + sign * speed * t, radius: radius0, angle: angle0 });
      break;
    }
    case 'rotate': {
      const omega = (random.next() < 0.5 ? -1 : 1) * random.uniform(0.1, 0.2); // radians per frame
      const radius = radius0 * 1.15;
      const x0 = place(radius, width - radius);
      const y0 = place(radius, height - radius);
      for (let t = 0; t < frames; t++) poses.push({ x: x0, y: y0, radius, angle: angle0 + omega * t });
      break;
    }
    case 'scale': {
      const grow = random.next() < 0.5;
      const rate = random.uniform(0.035, 0.06);
      const factor = grow ? 1 + rate : 1 / (1 + rate);
      const largest = radius0 * 1.1;
      const first = grow ? largest / factor ** (frames - 1) : largest;
      const x0 = place(largest, width - largest);
      const y0 = place(largest, height - largest);
      for (let t = 0; t < frames; t++) poses.push({ x: x0, y: y0, radius: first * factor ** t, angle: angle0 });
      break;
    }
    case 'oscillate': {
      const amplitude = random.uniform(0.12, 0.2) * width;
      const period = random.uniform(6, 10);
      const phase = random.uniform(0, 2 * Math.PI);
      const x0 = place(radius0 + amplitude, width - radius0 - amplitude);
      const y0 = place(radius0, height - radius0);
      for (let t = 0; t < frames; t++) {
        poses.push({ x: x0 + amplitude * Math.sin((2 * Math.PI * t) / period + phase), y: y0, radius: radius0, angle: angle0 });
      }
      break;
    }
    case 'still': {
      const x0 = place(radius0, width - radius0);
      const y0 = place(radius0, height - radius0);
      for (let t = 0; t < frames; t++) poses.push({ x: x0, y: y0, radius: radius0, angle: angle0 });
      break;
    }
  }
  return poses;
}

/** Options of `renderSyntheticVideo`. */
export interface RenderSyntheticOptions {
  /** Standard normal samples the sensor noise reads from. Default: a new table drawn from `random`. */
  noiseTable?: Float32Array;
  /** The class look of SyntheticDatasetOptions.appearanceCue. Default true. */
  appearanceCue?: boolean;
}

/**
 * Renders one synthetic video [frames, H, W, 3] uint8. Exported for notebooks and tests; the dataset calls it
 * with a generator derived from (seed, split, index). The last argument is an options object, or (as before
 * the options existed) the noise table.
 */
export function renderSyntheticVideo(
  motion: SyntheticMotion,
  frames: number,
  height: number,
  width: number,
  noise: number,
  random: SeededRandom,
  options: RenderSyntheticOptions | Float32Array = {},
): Uint8Array {
  const { noiseTable = makeNoiseTable(random), appearanceCue = true } = options instanceof Float32Array ? { noiseTable: options } : options;
  let background: Float32Array;
  let shape: ObjectShape;
  let colorA: number[];
  let pointing: number | undefined;
  if (appearanceCue) {
    const look = CLASS_LOOKS[motion];
    const hue = look.hue + random.uniform(-HUE_JITTER, HUE_JITTER);
    const base = hsvToRgb(hue, random.uniform(0.25, 0.5), random.uniform(0.45, 0.7));
    const stripes = (look.stripes ?? (random.next() < 0.5 ? 0 : Math.PI / 2)) + random.uniform(-DIRECTION_JITTER, DIRECTION_JITTER);
    background = renderBackground(height, width, random, { base, stripes });
    shape = look.shape;
    colorA = hsvToRgb(hue + 180 + random.uniform(-HUE_JITTER, HUE_JITTER), random.uniform(0.45, 0.85), random.uniform(0.55, 0.95));
    const direction = arrowDirection(motion);
    pointing = direction === undefined ? undefined : direction + random.uniform(-DIRECTION_JITTER, DIRECTION_JITTER);
  } else {
    background = renderBackground(height, width, random);
    shape = (['square', 'disc', 'diamond'] as const)[random.int(3)];
    colorA = [random.uniform(0, 255), random.uniform(0, 255), random.uniform(0, 255)];
  }
  // The second texture colour contrasts with the first, so the checker pattern (and rotation) is visible.
  const contrast = random.uniform(45, 75) * (random.next() < 0.5 ? -1 : 1);
  const colorB = colorA.map((value) => {
    const shifted = value + contrast;
    return shifted < 0 || shifted > 255 ? value - contrast : shifted;
  });
  const poses = trajectory(motion, frames, height, width, random);
  if (pointing !== undefined) for (const pose of poses) pose.angle = pointing;
  const out = new Uint8Array(frames * height * width * 3);
  // Writes through a clamped view round and clip to 0..255 in one step.
  const clamped = new Uint8ClampedArray(out.buffer);
  const frameSize = height * width * 3;
  for (let t = 0; t < frames; t++) {
    const { x: cx, y: cy, radius, angle } = poses[t];
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Covers the rotated square's corners (1.42 r) and the arrowhead's base corners (1.6 r).
    const reach = radius * (shape === 'arrow' ? 1.65 : 1.45);
    const x0 = Math.max(0, Math.floor(cx - reach));
    const x1 = Math.min(width - 1, Math.ceil(cx + reach));
    const y0 = Math.max(0, Math.floor(cy - reach));
    const y1 = Math.min(height - 1, Math.ceil(cy + reach));
    const cell = radius / 2;
    const base = t * frameSize;
    // Noisy background first (one flat pass), then the object's pixels inside its bounding box.
    let k = random.int(NOISE_TABLE_SIZE);
    for (let i = 0; i < frameSize; i++) {
      k = (k + 1) & NOISE_MASK;
      clamped[base + i] = background[i] + noise * noiseTable[k];
    }
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x <= x1; x++) {
        // Object coordinates: undo translation and rotation (pixel centres at +0.5); u points along `angle`.
        const dx = x + 0.5 - cx;
        const u = cos * dx + sin * dy;
        const v = -sin * dx + cos * dy;
        if (!insideShape(shape, u, v, radius)) continue;
        const color = (Math.floor(u / cell) + Math.floor(v / cell)) & 1 ? colorA : colorB;
        const p = base + (y * width + x) * 3;
        for (let c = 0; c < 3; c++) {
          k = (k + 1) & NOISE_MASK;
          clamped[p + c] = color[c] + noise * noiseTable[k];
        }
      }
    }
  }
  return out;
}

/** Whether object coordinates (u, v) lie inside a shape of half-size `radius`. Areas: 4, 3.77, 3.38, 3.13 r^2. */
function insideShape(shape: ObjectShape, u: number, v: number, radius: number): boolean {
  switch (shape) {
    case 'square':
      return Math.abs(u) <= radius && Math.abs(v) <= radius;
    case 'disc':
      return u * u + v * v <= radius * radius * 1.2;
    case 'diamond':
      return Math.abs(u) + Math.abs(v) <= radius * 1.3;
    case 'arrow':
      // Isosceles triangle, tip at u = 1.5 r, base at u = -r with half-width 1.25 r.
      return u >= -radius && Math.abs(v) <= (1.5 * radius - u) * 0.5;
  }
}

/** Standard normal samples; frames read it from random starting points (cheaper than Box-Muller per pixel). */
export function makeNoiseTable(random: SeededRandom): Float32Array {
  const table = new Float32Array(NOISE_TABLE_SIZE);
  for (let i = 0; i < table.length; i++) table[i] = random.normal();
  return table;
}
