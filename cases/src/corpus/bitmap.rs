//! The bitmap set: a 512×512 8-bit greyscale BMP of a synthetic, photo-like scene.

use super::rng::Rng;

/// Image width and height in pixels.
pub(super) const SIDE: usize = 512;
/// File header (14) + BITMAPINFOHEADER (40) + 256-entry palette (1024).
pub(super) const PIXEL_OFFSET: usize = 14 + 40 + 256 * 4;
/// Exact size of the set, as Autobahn's file.
pub(super) const LEN: usize = PIXEL_OFFSET + SIDE * SIDE;

/// A grid of random values, interpolated smoothly between grid points ("value noise").
struct Field {
    cell: i64,
    cols: usize,
    values: Vec<i64>,
}

impl Field {
    /// Values in `-amp..=amp` every `cell` pixels.
    fn new(rng: &mut Rng, cell: i64, amp: i64) -> Self {
        let cols = SIDE / usize::try_from(cell).unwrap_or(1) + 2;
        let values = (0..cols * cols).map(|_| rng.range(-amp, amp)).collect();
        Self { cell, cols, values }
    }

    fn at(&self, col: usize, row: usize) -> i64 {
        self.values.get(row * self.cols + col).copied().unwrap_or(0)
    }

    /// The value at pixel (x, y), with smoothstep weights between the four grid points.
    fn sample(&self, x: i64, y: i64) -> i64 {
        let c = self.cell;
        let (col, fx) = (usize::try_from(x / c).unwrap_or(0), x % c);
        let (row, fy) = (usize::try_from(y / c).unwrap_or(0), y % c);
        // smoothstep(t) = t²(3 - 2t), scaled to 0..=c³.
        let wx = fx * fx * (3 * c - 2 * fx);
        let wy = fy * fy * (3 * c - 2 * fy);
        let full = c * c * c;
        let top = self.at(col, row) * (full - wx) + self.at(col + 1, row) * wx;
        let bottom = self.at(col, row + 1) * (full - wx) + self.at(col + 1, row + 1) * wx;
        (top * (full - wy) + bottom * wy) / (full * full)
    }
}

/// A soft disc: brightness added with a (1 - d²/r²)² fall-off, zero outside.
struct Blob {
    x: i64,
    y: i64,
    r2: i64,
    amp: i64,
}

impl Blob {
    fn sample(&self, x: i64, y: i64) -> i64 {
        let d2 = (x - self.x) * (x - self.x) + (y - self.y) * (y - self.y);
        if d2 >= self.r2 {
            return 0;
        }
        let k = self.r2 - d2;
        self.amp * k / self.r2 * k / self.r2
    }
}

/// A solid disc (an object in front), shaded from its lit side, with a 2-pixel soft edge.
struct Disc {
    x: i64,
    y: i64,
    r: i64,
    level: i64,
}

impl Disc {
    /// Blends the disc over `v`.
    fn over(&self, x: i64, y: i64, v: i64) -> i64 {
        let (dx, dy) = (x - self.x, y - self.y);
        // Signed distance to the rim in half pixels, positive inside.
        let inside = (self.r * self.r - dx * dx - dy * dy) / self.r.max(1);
        let cover = (inside + 2).clamp(0, 4);
        if cover == 0 {
            return v;
        }
        let shade = self.level - (dx + dy) * 28 / self.r.max(1);
        (v * (4 - cover) + shade * cover) / 4
    }
}

/// A straight boundary: `delta` is added on one side of the line a·x + b·y = c, with a
/// 2-pixel transition.
struct Edge {
    a: i64,
    b: i64,
    c: i64,
    delta: i64,
}

impl Edge {
    fn sample(&self, x: i64, y: i64) -> i64 {
        let norm = self.a.abs().max(self.b.abs()).max(1);
        let side = 2 * (self.a * x + self.b * y - self.c) / norm;
        self.delta * (side + 2).clamp(0, 4) / 4
    }
}

/// A triangle wave with period `2 * half` in `0..=half`.
fn triangle(t: i64, half: i64) -> i64 {
    let m = t.rem_euclid(2 * half);
    if m < half { m } else { 2 * half - m }
}

/// The 8-bit pixels, top row first.
fn pixels() -> Vec<u8> {
    let mut rng = Rng::new(0x424d_5035_3132_0001);
    let broad = Field::new(&mut rng, 128, 40);
    let middle = Field::new(&mut rng, 32, 16);
    let fine = Field::new(&mut rng, 8, 8);
    let blobs: Vec<Blob> = (0..12)
        .map(|_| {
            let r = rng.range(28, 150);
            Blob {
                x: rng.range(0, 511),
                y: rng.range(0, 511),
                r2: r * r,
                amp: rng.range(-60, 60),
            }
        })
        .collect();
    let edges: Vec<Edge> = (0..5)
        .map(|_| {
            let (a, b) = (rng.range(-9, 9), rng.range(-9, 9));
            Edge {
                a,
                b,
                c: a * rng.range(64, 448) + b * rng.range(64, 448),
                delta: rng.range(-45, 45),
            }
        })
        .collect();
    let discs: Vec<Disc> = (0..7)
        .map(|_| Disc {
            x: rng.range(0, 511),
            y: rng.range(0, 511),
            r: rng.range(12, 90),
            level: rng.range(40, 220),
        })
        .collect();
    let mut out = Vec::with_capacity(SIDE * SIDE);
    for y in 0..SIDE as i64 {
        for x in 0..SIDE as i64 {
            // A lit backdrop: brighter towards the upper left.
            let mut v = 165 - (x + 2 * y) / 16;
            v += broad.sample(x, y) + middle.sample(x, y);
            v += blobs.iter().map(|b| b.sample(x, y)).sum::<i64>();
            v += edges.iter().map(|e| e.sample(x, y)).sum::<i64>();
            for disc in &discs {
                v = disc.over(x, y, v);
            }
            // Surface texture everywhere, and diagonal fibres (like fabric or feathers) in the
            // lower right.
            v += fine.sample(x, y);
            if x + y > 560 {
                let strength = ((x + y - 560) / 8).min(14);
                v += strength * (triangle(3 * x + 5 * y, 11) - 5) / 11;
            }
            // Sensor grain: the sum of two uniform draws.
            v += rng.range(-4, 4) + rng.range(-4, 4);
            out.push(u8::try_from(v.clamp(0, 255)).unwrap_or(0));
        }
    }
    out
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The BMP file, exactly [`LEN`] bytes.
pub(super) fn generate() -> Vec<u8> {
    let side = u32::try_from(SIDE).unwrap_or(0);
    let mut out = Vec::with_capacity(LEN);
    // BITMAPFILEHEADER
    out.extend_from_slice(b"BM");
    put_u32(&mut out, u32::try_from(LEN).unwrap_or(0));
    put_u32(&mut out, 0); // two reserved u16
    put_u32(&mut out, u32::try_from(PIXEL_OFFSET).unwrap_or(0));
    // BITMAPINFOHEADER
    put_u32(&mut out, 40);
    put_u32(&mut out, side); // width
    put_u32(&mut out, side); // height; positive: rows are stored bottom-up
    put_u16(&mut out, 1); // planes
    put_u16(&mut out, 8); // bits per pixel
    put_u32(&mut out, 0); // BI_RGB, uncompressed
    put_u32(&mut out, side * side); // image size
    put_u32(&mut out, 2835); // 72 dpi, in pixels per metre
    put_u32(&mut out, 2835);
    put_u32(&mut out, 256); // palette entries used
    put_u32(&mut out, 0); // all of them important
    // Greyscale palette: blue, green, red, reserved.
    for i in 0..=255u8 {
        out.extend_from_slice(&[i, i, i, 0]);
    }
    // Rows are 512 bytes, already a multiple of 4: no padding.
    let pixels = pixels();
    for row in pixels.chunks_exact(SIDE).rev() {
        out.extend_from_slice(row);
    }
    out
}
