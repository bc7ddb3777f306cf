/**
 * Generates lib/protocol/crc32c_wasm.ts: the CRC-32C WebAssembly module as a
 * byte literal, assembled here by hand (no wasm toolchain needed).
 *
 *     deno run -A scripts/gen_crc32c_wasm.ts && deno fmt lib/protocol/crc32c_wasm.ts
 *
 * Memory (2 pages, exported as "m"; lib/protocol/crc32c.ts fills the tables):
 *
 * - `0 … 16 KiB`: the sixteen slicing tables of the JS code (entry `k*256+b`);
 * - `ZT` (4 KiB): the "append L zero bytes" operator as four byte tables,
 *   `ZT[k*256+b]` = the state `b << 8k` after L zero bytes;
 * - `NIB` (144 B): eight 16-byte swizzle tables, `NIB[16k+v]` = byte k of
 *   `T0[v]`, `NIB[64+16k+v]` = byte k of `T0[v << 4]`, then 16 bytes of 0x0f;
 * - `SCR` (64 B): scratch for the lane states; `BUF` (`CHUNK` bytes): the input.
 *
 * Functions, both `(state, p, n) → state` on the un-inverted CRC register:
 *
 * - `c`: slicing-by-16 over `[p, p+n)`, 32 bytes per iteration, then bytes;
 * - `v`: n blocks of 16·L bytes from p. A block is 16 streams of L contiguous
 *   bytes, one per SIMD lane. The state goes into the block's first 4 bytes (a
 *   CRC register `s` over bytes `b…` equals register 0 over `b ^ s…`), so
 *   every lane starts at 0. Per 16 columns, the 16 rows are loaded and
 *   transposed (4 stages of unpack shuffles), and then per column the 16 lane
 *   registers, held as 4 byte vectors s0…s3, take one byte:
 *   `i = s0 ^ x; s_k = NIBlo_k[i & 15] ^ NIBhi_k[i >> 4] ^ s_{k+1}` (s4 = 0), eight
 *   `i8x16.relaxed_swizzle`s. At the block's end the lanes are combined,
 *   Horner-style: `crc = Z(crc) ^ lane_l` for l = 0…15.
 *
 * Engines without relaxed SIMD get the same bytes with each relaxed swizzle
 * (`fd 80 02`) turned into `i8x16.swizzle` (`fd 8e 00`, the same opcode in a
 * 2-byte LEB): `RELAXED_SWIZZLE_AT` lists the offsets.
 *
 * @module
 */

/** Bytes per stream (lane) in one SIMD block; a block is 16·L bytes. */
const L = 256;
const LAYOUT = { ZT: 16384, NIB: 20480, SCR: 20736, BUF: 32768, CHUNK: 65536 };

const uleb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
};
const sleb = (n: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) return [...o, b];
    o.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// Instructions.
type Code = (number | number[])[];
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32 = (n: number) => [0x41, ...sleb(n)];
const load = (off: number) => [0x28, 2, ...uleb(off)];
const load8 = (off: number) => [0x2d, 0, ...uleb(off)];
const store = (off: number) => [0x36, 2, ...uleb(off)];
const [ADD, SUB, AND, OR, XOR, SHL, SHR_U] = [0x6a, 0x6b, 0x71, 0x72, 0x73, 0x74, 0x76];
const [LT_U, GE_U, EQZ] = [0x49, 0x4f, 0x45];
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = 0x0b;
const br = (d: number) => [0x0c, d], brIf = (d: number) => [0x0d, d];
const simd = (op: number) => [0xfd, ...uleb(op)];
const vload = (off: number) => [...simd(0x00), 4, ...uleb(off)];
const vstore = (off: number) => [...simd(0x0b), 4, ...uleb(off)];
const vzero = [...simd(0x0c), ...new Array(16).fill(0)];
const shuffle = (lanes: number[]) => [...simd(0x0d), ...lanes];
const V_AND = simd(0x4e), V_XOR = simd(0x51), I16X8_SHR_U = simd(0x8d);
const RELAXED_SWIZZLE = [0xfd, 0x80, 0x02];

/** `w`'s byte k as a table offset (byte × 4): two instructions. */
const byteIndex = (w: number, k: number): Code => [
  get(w),
  k === 0 ? [...i32(2), SHL] : [...i32(8 * k - 2), SHR_U],
  i32(1020),
  AND,
];

/** `c(state, p, n)`: slicing-by-16, two 16-byte steps per iteration, then a byte loop. */
function scalarBody(): number[] {
  // params 0 state, 1 p, 2 n (then: end); locals 3…6 the four words of a step
  const c: Code = [get(1), get(2), ADD, set(2)];
  c.push(BLOCK, LOOP, get(2), get(1), SUB, i32(32), LT_U, brIf(1));
  for (let u = 0; u < 2; u++) {
    for (let w = 0; w < 4; w++) {
      c.push(get(1), load(16 * u + 4 * w), w === 0 ? [...get(0), XOR] : [], set(3 + w));
    }
    for (let j = 0; j < 16; j++) {
      c.push(byteIndex(3 + (j >> 2), j & 3), load((15 - j) * 1024), j ? XOR : []);
    }
    c.push(set(0));
  }
  c.push(get(1), i32(32), ADD, set(1), br(0), END, END);
  c.push(BLOCK, LOOP, get(1), get(2), GE_U, brIf(1));
  c.push(get(0), get(1), load8(0), XOR, i32(255), AND, i32(2), SHL, load(0));
  c.push(get(0), i32(8), SHR_U, XOR, set(0), get(1), i32(1), ADD, set(1), br(0), END, END);
  c.push(get(0), END);
  return [...vec([[4, 0x7f]]), ...c.flat(3) as number[]];
}

/** The 16×16 byte transpose as 4 stages of unpack-lo/hi shuffles, simulated to find where rows and columns end up. */
function transpose() {
  type Cell = [row: number, col: number];
  let v: Cell[][] = Array.from(
    { length: 16 },
    (_, r) => Array.from({ length: 16 }, (_, c) => [r, c]),
  );
  const stages: { a: number; b: number; lanes: number[] }[][] = [];
  for (const unit of [1, 2, 4, 8]) {
    const stage = [], next: Cell[][] = [];
    for (let i = 0; i < 8; i++) {
      for (const hi of [0, 1]) {
        const lanes: number[] = [];
        for (let k = 0; k < 8 / unit; k++) {
          const first = (k + hi * (8 / unit)) * unit;
          for (let x = 0; x < unit; x++) lanes.push(first + x);
          for (let x = 0; x < unit; x++) lanes.push(16 + first + x);
        }
        stage.push({ a: i, b: i + 8, lanes });
        next.push(lanes.map((l) => l < 16 ? v[i][l] : v[i + 8][l - 16]));
      }
    }
    stages.push(stage);
    v = next;
  }
  const columnOf = v.map((cells) => cells[0][1]);
  const rowOfLane = v[0].map((cell) => cell[0]);
  for (const [i, cells] of v.entries()) {
    for (const [lane, [row, col]] of cells.entries()) {
      if (col !== columnOf[i] || row !== rowOfLane[lane]) throw new Error("not a transpose");
    }
  }
  return { stages, columnOf, rowOfLane };
}

/** `v(state, p, blocks)`: see the module comment. */
function simdBody(): number[] {
  const { ZT, NIB, SCR } = LAYOUT;
  // i32: 0 state, 1 p, 2 blocks, 3 q, 4 q end, 5 lane; v128: 6…9 s0…s3,
  // 10…17 swizzle tables, 18 i, 19 lo, 20 hi, 21…36 and 37…52 transpose, 53 0x0f
  const S = 6, TAB = 10, I = 18, LO = 19, HI = 20, ROWS = 21, ALT = 37, MASK = 53;
  const c: Code = [];
  for (let k = 0; k < 8; k++) c.push(i32(0), vload(NIB + 16 * k), set(TAB + k));
  c.push(i32(0), vload(NIB + 128), set(MASK));
  c.push(BLOCK, LOOP, get(2), EQZ, brIf(1));
  c.push(get(1), get(1), load(0), get(0), XOR, store(0));
  for (let k = 0; k < 4; k++) c.push(vzero, set(S + k));
  c.push(get(1), set(3), get(1), i32(L), ADD, set(4));
  c.push(LOOP);
  for (let r = 0; r < 16; r++) c.push(get(3), vload(r * L), set(ROWS + r));
  const { stages, columnOf, rowOfLane } = transpose();
  let cur = [...Array(16).keys()].map((i) => ROWS + i), alt = cur.map((_, i) => ALT + i);
  for (const stage of stages) {
    for (const [o, { a, b, lanes }] of stage.entries()) {
      c.push(get(cur[a]), get(cur[b]), shuffle(lanes), set(alt[o]));
    }
    [cur, alt] = [alt, cur];
  }
  for (let col = 0; col < 16; col++) {
    c.push(get(S), get(cur[columnOf.indexOf(col)]), V_XOR, set(I));
    c.push(
      get(I),
      get(MASK),
      V_AND,
      set(LO),
      get(I),
      i32(4),
      I16X8_SHR_U,
      get(MASK),
      V_AND,
      set(HI),
    );
    for (let k = 0; k < 4; k++) {
      c.push(get(TAB + k), get(LO), RELAXED_SWIZZLE, get(TAB + 4 + k), get(HI), RELAXED_SWIZZLE);
      c.push(V_XOR, k < 3 ? [...get(S + k + 1), ...V_XOR] : [], set(S + k));
    }
  }
  c.push(get(3), i32(16), ADD, tee(3), get(4), LT_U, brIf(0), END);
  for (let k = 0; k < 4; k++) c.push(i32(0), get(S + k), vstore(SCR + 16 * k));
  for (let stream = 0; stream < 16; stream++) {
    const lane = rowOfLane.indexOf(stream);
    c.push(i32(0), load8(SCR + lane));
    for (let k = 1; k < 4; k++) c.push(i32(0), load8(SCR + 16 * k + lane), i32(8 * k), SHL, OR);
    if (stream === 0) {
      c.push(set(0));
      continue;
    }
    c.push(set(5));
    for (let k = 0; k < 4; k++) c.push(byteIndex(0, k), load(ZT + 1024 * k), k ? XOR : []);
    c.push(get(5), XOR, set(0));
  }
  c.push(get(1), i32(16 * L), ADD, set(1), get(2), i32(1), SUB, set(2), br(0), END, END);
  c.push(get(0), END);
  return [...vec([[3, 0x7f], [48, 0x7b]]), ...c.flat(3) as number[]];
}

const scalar = scalarBody(), simdCode = simdBody();
const I32X3_TO_I32 = [0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f];
const bytes = [
  ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
  ...section(1, vec([I32X3_TO_I32])),
  ...section(3, vec([[0], [0]])),
  ...section(5, vec([[0x00, 2]])),
  ...section(7, vec([[...name("m"), 2, 0], [...name("c"), 0, 0], [...name("v"), 0, 1]])),
  ...section(
    10,
    vec([[...uleb(scalar.length), ...scalar], [...uleb(simdCode.length), ...simdCode]]),
  ),
];
const at: number[] = [];
for (let i = 0; i + 2 < bytes.length; i++) {
  if (bytes[i] === 0xfd && bytes[i + 1] === 0x80 && bytes[i + 2] === 0x02) at.push(i);
}
if (at.length !== 16 * 8) throw new Error(`expected 128 relaxed swizzles, found ${at.length}`);
if (bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error("not bytes");
new WebAssembly.Module(new Uint8Array(bytes)); // must validate

const hex = (xs: number[]) => xs.map((b) => "0x" + b.toString(16).padStart(2, "0"));
const rows = (xs: string[], per: number) =>
  Array.from(
    { length: Math.ceil(xs.length / per) },
    (_, i) => "  " + xs.slice(i * per, i * per + per).join(", ") + ",",
  )
    .join("\n");
const out = `/**
 * The CRC-32C WebAssembly module (${bytes.length} bytes), generated by
 * scripts/gen_crc32c_wasm.ts, whose comment describes it. Do not edit: change
 * the generator and run it again.
 *
 * @module
 */

/** Bytes per SIMD lane in one block of export \`v\` (a block is 16 × this). */
export const WASM_LANE_BYTES = ${L};
/** Offsets in the module's memory: operator tables, swizzle tables, lane scratch, input buffer and its size. */
export const WASM_LAYOUT = ${
  JSON.stringify(LAYOUT).replaceAll('"', "").replaceAll(",", ", ").replaceAll(":", ": ")
} as const;

/** Where each \`i8x16.relaxed_swizzle\` (\`fd 80 02\`) starts, to turn into \`i8x16.swizzle\` (\`fd 8e 00\`). */
// deno-fmt-ignore
export const RELAXED_SWIZZLE_AT: readonly number[] = [
${rows(at.map(String), 16)}
];

/** The module. */
// deno-fmt-ignore
export const CRC32C_WASM: Uint8Array<ArrayBuffer> = new Uint8Array([
${rows(hex(bytes), 16)}
]);
`;
await Deno.writeTextFile(new URL("../lib/protocol/crc32c_wasm.ts", import.meta.url), out);
console.log(`lib/protocol/crc32c_wasm.ts: ${bytes.length} bytes`);
