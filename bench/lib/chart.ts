// A PNG bar chart of one results file, drawn by hand: an RGB raster, a 5x7 pixel font for the
// labels, and the PNG container written with node:zlib (deflate and CRC-32), so no dependency.
// Two panels per size D: wall time per phase (one bar per variant) and Consul requests per phase
// (the Consul variants).
import * as zlib from "node:zlib";
import { PHASES, type BenchResults, type VariantId } from "./report";

type Rgb = [number, number, number];

const COLORS: Record<VariantId, Rgb> = {
    a: [31, 119, 180],
    b: [255, 127, 14],
    c: [44, 160, 44],
    d: [148, 103, 189],
    d10: [140, 86, 75],
};
const INK: Rgb = [40, 40, 40];
const GRID: Rgb = [220, 220, 220];

// 5x7 glyphs, one string of 7 rows of 5 bits each (as 0/1), for the characters the labels use.
const FONT: Record<string, string> = {
    A: "01110100011000111111100011000110001",
    B: "11110100011000111110100011000111110",
    C: "01110100011000010000100001000101110",
    D: "11110100011000110001100011000111110",
    E: "11111100001000011110100001000011111",
    F: "11111100001000011110100001000010000",
    G: "01110100011000010111100011000101111",
    H: "10001100011000111111100011000110001",
    I: "01110001000010000100001000010001110",
    K: "10001100101010011000101001001010001",
    L: "10000100001000010000100001000011111",
    M: "10001110111010110101100011000110001",
    N: "10001110011010110011100011000110001",
    O: "01110100011000110001100011000101110",
    P: "11110100011000111110100001000010000",
    Q: "01110100011000110001101011001001101",
    R: "11110100011000111110101001001010001",
    S: "01111100001000001110000010000111110",
    T: "11111001000010000100001000010000100",
    U: "10001100011000110001100011000101110",
    V: "10001100011000110001100010101000100",
    W: "10001100011000110101101011010101010",
    X: "10001100010101000100010101000110001",
    Y: "10001100010101000100001000010000100",
    Z: "11111000010001000100010001000011111",
    "0": "01110100011001110101110011000101110",
    "1": "00100011000010000100001000010001110",
    "2": "01110100010000100010001000100011111",
    "3": "11111000100010000010000011000101110",
    "4": "00010001100101010010111110001000010",
    "5": "11111100001111000001000011000101110",
    "6": "00110010001000011110100011000101110",
    "7": "11111000010001000100010000100001000",
    "8": "01110100011000101110100011000101110",
    "9": "01110100011000101111000010001001100",
    "-": "00000000000000011111000000000000000",
    ".": "00000000000000000000000000110001100",
    "=": "00000000001111100000111110000000000",
    "(": "00010001000100001000010000010000010",
    ")": "01000001000001000010000100010001000",
    "/": "00000000010001000100010001000000000",
    ",": "00000000000000000000001100010001000",
    ":": "00000011000110000000011000110000000",
    " ": "00000000000000000000000000000000000",
};

class Raster {
    readonly pixels: Buffer;
    constructor(
        readonly width: number,
        readonly height: number,
    ) {
        this.pixels = Buffer.alloc(width * height * 3, 255);
    }

    rect(x: number, y: number, w: number, h: number, color: Rgb): void {
        const x0 = Math.max(0, Math.round(x));
        const y0 = Math.max(0, Math.round(y));
        const x1 = Math.min(this.width, Math.round(x + w));
        const y1 = Math.min(this.height, Math.round(y + h));
        for (let yy = y0; yy < y1; yy++) {
            for (let xx = x0; xx < x1; xx++) this.pixels.set(color, (yy * this.width + xx) * 3);
        }
    }

    /** Text at (x, y) (top left), `scale` pixels per font dot; unknown characters are blank. */
    text(x: number, y: number, s: string, color: Rgb = INK, scale = 2): number {
        for (const ch of s.toUpperCase()) {
            const glyph = FONT[ch] ?? FONT[" "];
            for (let i = 0; i < 35; i++) {
                if (glyph[i] === "1") this.rect(x + (i % 5) * scale, y + Math.floor(i / 5) * scale, scale, scale, color);
            }
            x += 6 * scale;
        }
        return x;
    }

    png(): Buffer {
        const raw = Buffer.alloc((this.width * 3 + 1) * this.height);
        for (let y = 0; y < this.height; y++) {
            raw[y * (this.width * 3 + 1)] = 0; // filter: none
            this.pixels.copy(raw, y * (this.width * 3 + 1) + 1, y * this.width * 3, (y + 1) * this.width * 3);
        }
        const chunk = (type: string, data: Buffer) => {
            const len = Buffer.alloc(4);
            len.writeUInt32BE(data.length);
            const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
            const crc = Buffer.alloc(4);
            crc.writeUInt32BE(zlib.crc32(body));
            return Buffer.concat([len, body, crc]);
        };
        const header = Buffer.alloc(13);
        header.writeUInt32BE(this.width, 0);
        header.writeUInt32BE(this.height, 4);
        header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
        return Buffer.concat([
            Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
            chunk("IHDR", header),
            chunk("IDAT", zlib.deflateSync(raw)),
            chunk("IEND", Buffer.alloc(0)),
        ]);
    }
}

/** A round axis maximum at or above `max`. */
function niceMax(max: number): number {
    if (max <= 0) return 1;
    const step = 10 ** Math.floor(Math.log10(max));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
    return 10 * step;
}

const VARIANT_SHORT: Record<VariantId, string> = { a: "(a)", b: "(b)", c: "(c)", d: "(d)", d10: "(d10)" };

/** The chart of a results file as PNG bytes. */
export function renderChart(results: BenchResults): Buffer {
    const sizes = results.options.sizes;
    const variants = results.options.variants.filter((v) => !results.unavailable[v]);
    const consulVariants = variants.filter((v) => v === "a" || v === "b" || v === "c");
    const panelW = 560;
    const panelH = 260;
    const margin = { left: 70, top: 40, bottom: 40 };
    const gap = 70;
    const width = margin.left + 2 * panelW + gap + 20;
    const legendH = 40;
    const height = legendH + sizes.length * (panelH + margin.top + margin.bottom);
    const r = new Raster(width, height);

    let lx = margin.left;
    for (const v of variants) {
        r.rect(lx, 12, 16, 16, COLORS[v]);
        lx = r.text(lx + 22, 13, VARIANT_SHORT[v]) + 18;
    }
    r.text(lx + 10, 13, "LEFT: WALL TIME S, RIGHT: CONSUL REQUESTS");

    sizes.forEach((d, row) => {
        const top = legendH + row * (panelH + margin.top + margin.bottom) + margin.top;
        const run = (v: VariantId) => results.runs.find((x) => x.variant === v && x.d === d && !x.error);
        const panel = (
            px: number,
            title: string,
            vs: VariantId[],
            value: (v: VariantId, p: (typeof PHASES)[number]) => number | undefined,
        ) => {
            r.text(px, top - 26, title);
            const values = vs.flatMap((v) => PHASES.map((p) => value(v, p) ?? 0));
            const max = niceMax(Math.max(0, ...values));
            for (let t = 0; t <= 4; t++) {
                const y = top + panelH - (t / 4) * panelH;
                r.rect(px, y, panelW - 20, 1, GRID);
                const label = String(Number(((max * t) / 4).toFixed(1)));
                r.text(px - 8 - label.length * 12, y - 7, label);
            }
            const groupW = (panelW - 20) / PHASES.length;
            const barW = Math.max(3, Math.floor((groupW - 12) / Math.max(1, vs.length)));
            PHASES.forEach((p, i) => {
                const gx = px + i * groupW + 6;
                vs.forEach((v, j) => {
                    const val = value(v, p);
                    if (val === undefined) return;
                    const h = (val / max) * panelH;
                    r.rect(gx + j * barW, top + panelH - h, barW - 1, h, COLORS[v]);
                });
                const name = p === "up-change" ? "UP-CHG" : p;
                r.text(gx, top + panelH + 8, name, INK, name.length > 7 ? 1 : 2);
            });
            r.rect(px, top + panelH, panelW - 20, 1, INK);
        };
        panel(margin.left, `D=${d} WALL TIME (S)`, variants, (v, p) => {
            const ms = run(v)?.phases[p]?.wallMs;
            return ms === undefined ? undefined : ms / 1000;
        });
        panel(margin.left + panelW + gap, `D=${d} CONSUL REQUESTS`, consulVariants, (v, p) => run(v)?.phases[p]?.requests.total);
    });
    return r.png();
}
