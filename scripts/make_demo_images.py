"""Draw the demo site's illustrations (run once by a developer; the WebP files are committed in the package).

Not part of feedstation: it needs Pillow and numpy, which feedstation does not depend on.
Every picture is drawn from code with a fixed seed, so running it again gives the same files:

    python scripts/make_demo_images.py src/feedstation/demo/theme/static/demo
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

W, H = 640, 400


def gradient(top: tuple, bottom: tuple, height: int = H, width: int = W) -> np.ndarray:
    t = np.linspace(0, 1, height)[:, None, None]
    return (np.array(top, float) * (1 - t) + np.array(bottom, float) * t).repeat(width, axis=1)


def ridge(rng: np.random.Generator, width: int, base: float, rough: float, octaves: int = 7) -> np.ndarray:
    """A 1-D fractal line (sum of smoothed noise octaves): mountain ridges, skylines of trees."""
    line = np.zeros(width)
    for octave in range(octaves):
        points = 2 ** (octave + 2)
        knots = rng.normal(0, rough / (1.8 ** octave), points + 1)
        line += np.interp(np.linspace(0, points, width), np.arange(points + 1), knots)
    return base + line


def finish(img: Image.Image, rng: np.random.Generator, grain: float = 6, vignette: float = 0.35) -> Image.Image:
    """Film grain and a soft vignette: what makes flat shapes read as a photograph or a painting."""
    a = np.asarray(img.convert("RGB"), float)
    a += rng.normal(0, grain, a.shape[:2])[..., None]
    y, x = np.mgrid[0:a.shape[0], 0:a.shape[1]]
    r = np.hypot((x - a.shape[1] / 2) / (a.shape[1] / 2), (y - a.shape[0] / 2) / (a.shape[0] / 2))
    a *= (1 - vignette * np.clip(r - 0.45, 0, None) ** 1.5)[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def glow(a: np.ndarray, cx: float, cy: float, radius: float, color: tuple, strength: float) -> None:
    y, x = np.mgrid[0:a.shape[0], 0:a.shape[1]]
    d = np.hypot(x - cx, y - cy) / radius
    a += np.exp(-d ** 2)[..., None] * np.array(color, float) * strength


def dusk_city(rng):
    a = gradient((22, 30, 72), (250, 150, 90), height=260)
    a = np.concatenate([a, gradient((60, 50, 70), (20, 22, 40), height=H - 260)])
    glow(a, 420, 250, 120, (255, 190, 120), 0.6)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    x = -10
    while x < W:
        w = int(rng.integers(26, 70))
        top = int(260 - rng.integers(30, 190) * (0.5 + 0.5 * np.sin(x / 90) ** 2))
        shade = int(rng.integers(18, 40))
        d.rectangle([x, top, x + w, 262], fill=(shade, shade + 4, shade + 22))
        for wy in range(top + 8, 255, 9):
            for wx in range(x + 5, x + w - 5, 8):
                if rng.random() < 0.33:
                    warm = int(rng.integers(180, 255))
                    d.rectangle([wx, wy, wx + 3, wy + 4], fill=(warm, int(warm * 0.8), 110))
        x += w + int(rng.integers(0, 6))
    reflection = img.crop((0, 150, W, 262)).transpose(Image.Transpose.FLIP_TOP_BOTTOM).filter(ImageFilter.GaussianBlur(3))
    water = np.asarray(reflection, float) * 0.45
    rows = np.arange(water.shape[0])
    shift = (np.sin(rows / 2.2) * 4).astype(int)
    water = np.stack([np.roll(water[i], shift[i], axis=0) for i in rows])
    base = np.asarray(img, float)
    base[262:262 + water.shape[0]] = base[262:262 + water.shape[0]] * 0.55 + water
    return finish(Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)), rng)


def mountain_lake(rng):
    a = gradient((120, 165, 215), (235, 225, 210), height=H)
    glow(a, 180, 120, 90, (255, 240, 200), 0.5)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    layers = [((150, 170, 195), 170, 60), ((105, 130, 160), 200, 45), ((70, 95, 115), 230, 35), ((40, 60, 62), 255, 25)]
    for color, base, rough in layers:
        line = ridge(rng, W, base, rough)
        d.polygon([(0, H), *[(x, float(line[x])) for x in range(W)], (W, H)], fill=color)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    a = np.asarray(img, float)
    lake_top = 275
    reflected = a[lake_top - (H - lake_top):lake_top][::-1] * 0.7 + np.array((40, 60, 80)) * 0.3
    ripple = (np.sin(np.arange(H - lake_top) ** 1.3 / 3) * 3).astype(int)
    a[lake_top:] = np.stack([np.roll(reflected[i], ripple[i], axis=0) for i in range(H - lake_top)])
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(26):  # pines on the near shore
        x, h = int(rng.integers(0, W)), int(rng.integers(30, 80))
        if 170 < x < 470:
            continue
        for k in range(6):
            half = (6 - k) * h / 16
            y0 = lake_top - k * h / 7
            d.polygon([(x - half, y0), (x + half, y0), (x, y0 - h / 3)], fill=(22, 38, 30))
    mist = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mist).rectangle([0, 230, W, 280], fill=90)
    img = Image.composite(Image.new("RGB", (W, H), (235, 238, 240)), img, mist.filter(ImageFilter.GaussianBlur(18)))
    return finish(img, rng, grain=4)


def server_racks(rng):
    a = gradient((8, 14, 28), (18, 26, 44))
    img = Image.fromarray(a.astype(np.uint8))
    d = ImageDraw.Draw(img)
    vx, vy = W / 2, H * 0.45
    for side in (-1, 1):
        for i in range(9):
            near = 1 - i / 10
            x0 = vx + side * (40 + 260 * near)
            x1 = vx + side * (40 + 260 * (1 - (i + 1) / 10))
            top0, bot0 = vy - 190 * near, vy + 200 * near
            top1, bot1 = vy - 190 * (1 - (i + 1) / 10), vy + 200 * (1 - (i + 1) / 10)
            shade = int(30 + 25 * near)
            d.polygon([(x0, top0), (x1, top1), (x1, bot1), (x0, bot0)], fill=(shade - 10, shade - 4, shade + 12),
                      outline=(shade + 20, shade + 26, shade + 44))
            for unit in range(1, 16):  # rack units: a seam across the face, a few status LEDs on each
                f = unit / 16
                ya, yb = top0 + (bot0 - top0) * f, top1 + (bot1 - top1) * f
                d.line([x0, ya, x1, yb], fill=(shade - 18, shade - 12, shade), width=1)
                for _ in range(int(rng.integers(0, 4))):
                    t = 0.1 + 0.25 * rng.random()
                    lx, ly = x0 + (x1 - x0) * t, ya + (yb - ya) * t + 4 * near
                    color = [(80, 255, 140), (90, 170, 255), (255, 180, 60)][int(rng.integers(0, 3))]
                    r = 0.8 + 1.6 * near
                    d.ellipse([lx - r, ly - r, lx + r, ly + r], fill=color)
    a = np.asarray(img, float)
    blurred = np.asarray(img.filter(ImageFilter.GaussianBlur(6)), float)
    a = a + blurred * 0.9  # the LEDs bloom
    floor = a[int(vy):].copy()
    a[int(vy) + 120:] = a[int(vy) + 120:] * 0.6 + floor[: H - int(vy) - 120][::-1] * 0.25
    glow(a, vx, vy, 60, (120, 170, 255), 0.4)
    return finish(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), rng, grain=5)


def desk_laptop(rng):
    y, x = np.mgrid[0:H, 0:W]
    grain = np.sin(x / 7 + 3 * np.sin(y / 40) + rng.normal(0, 0.2, (H, W))) * 10
    a = np.stack([150 + grain, 105 + grain * 0.8, 70 + grain * 0.6], axis=-1)
    glow(a, 120, 60, 300, (255, 230, 190), 0.25)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([150, 70, 500, 300], 14, fill=(60, 62, 68))  # shadow
    d.rounded_rectangle([140, 60, 490, 290], 14, fill=(200, 203, 208))
    d.rounded_rectangle([155, 75, 475, 250], 6, fill=(24, 28, 38))
    for row in range(13):  # code on the screen
        indent = [0, 1, 1, 2, 2, 1, 0, 1, 2, 3, 2, 1, 0][row]
        xx = 170 + indent * 14
        for _ in range(int(rng.integers(1, 5))):
            w = int(rng.integers(14, 60))
            color = [(120, 200, 255), (240, 170, 90), (160, 220, 140), (210, 210, 220)][int(rng.integers(0, 4))]
            if xx + w < 465:
                d.rounded_rectangle([xx, 85 + row * 12, xx + w, 90 + row * 12], 2, fill=color)
            xx += w + 6
    d.rounded_rectangle([160, 258, 470, 282], 4, fill=(178, 181, 188))  # keyboard edge
    d.ellipse([532, 232, 612, 312], fill=(70, 45, 30))  # coffee: shadow, cup, coffee, crema
    d.ellipse([525, 222, 605, 302], fill=(240, 238, 232))
    d.ellipse([535, 232, 595, 292], fill=(92, 56, 32))
    d.ellipse([548, 245, 575, 270], fill=(150, 100, 60))
    d.rounded_rectangle([30, 250, 120, 370], 4, fill=(235, 228, 210))  # notebook and pen
    for line in range(262, 362, 10):
        d.line([40, line, 110, line], fill=(180, 190, 210))
    d.line([60, 300, 130, 390], fill=(30, 60, 130), width=5)
    for _ in range(7):  # a plant's leaves in the corner
        cx, cy = 560 + rng.normal(0, 20), 70 + rng.normal(0, 20)
        d.ellipse([cx - 34, cy - 12, cx + 34, cy + 12], fill=(40 + int(rng.integers(0, 30)), 120, 60))
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    return finish(img, rng, grain=5, vignette=0.45)


def terraces(rng):
    a = gradient((196, 212, 224), (226, 230, 226), height=H)
    y, x = np.mgrid[0:H, 0:W]
    horizon = 95 + 25 * np.sin(x / 150)
    below = np.clip(y - horizon, 0, None)
    depth = (below / (H - 95)) ** 0.6 * 26  # terraces crowd together towards the far hillside
    phase = depth + 0.9 * np.sin(x / 95 + depth / 3) + 0.4 * np.sin(x / 31)
    frac = phase % 1
    field = np.stack([70 + 60 * frac, 125 + 55 * frac, 45 + 25 * frac], axis=-1)
    wall = frac > 0.9  # the earth wall at the lip of each terrace
    field[wall] = np.array((92, 78, 52))
    flooded = (np.floor(phase) % 3 == 0) & ~wall
    field[flooded] = field[flooded] * 0.25 + np.array((205, 220, 232)) * 0.75
    land = (y > horizon)[..., None]
    a = np.where(land, field, a)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    far = ridge(rng, W, 92, 18, octaves=5)
    d.polygon([(0, 130), *[(xx, float(far[xx])) for xx in range(W)], (W, 130)], fill=(120, 150, 130))
    img = img.filter(ImageFilter.GaussianBlur(0.9))
    mist = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mist).ellipse([-120, 60, 520, 200], fill=120)
    img = Image.composite(Image.new("RGB", (W, H), (236, 240, 238)), img, mist.filter(ImageFilter.GaussianBlur(30)))
    return finish(img, rng, grain=5)


def circuit(rng):
    a = gradient((12, 60, 40), (8, 40, 30))
    img = Image.fromarray(a.astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(120):  # copper traces: orthogonal runs with a 45° bend
        x, y = float(rng.integers(0, W)), float(rng.integers(0, H))
        points = [(x, y)]
        for _ in range(int(rng.integers(2, 5))):
            if rng.random() < 0.5:
                x += float(rng.integers(-160, 160))
            else:
                y += float(rng.integers(-120, 120))
            points.append((x, y))
        d.line(points, fill=(190, 150, 70), width=int(rng.integers(1, 4)), joint="curve")
        d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=(220, 190, 110))
    d.rectangle([230, 120, 410, 290], fill=(28, 30, 34))
    for i in range(14):
        for side in ((218, 130 + i * 11, 228, 134 + i * 11), (412, 130 + i * 11, 422, 134 + i * 11),
                     (240 + i * 11, 108, 244 + i * 11, 118), (240 + i * 11, 292, 244 + i * 11, 302)):
            d.rectangle(side, fill=(200, 200, 205))
    d.rectangle([250, 140, 390, 270], outline=(60, 62, 70), width=2)
    a = np.asarray(img.filter(ImageFilter.GaussianBlur(0.7)), float)
    y, x = np.mgrid[0:H, 0:W]
    depth = np.clip(np.abs(y - 205) / 200, 0, 1)[..., None]  # shallow depth of field, like a macro lens
    a = a * (1 - depth) + np.asarray(img.filter(ImageFilter.GaussianBlur(5)), float) * depth
    for _ in range(12):
        glow(a, rng.integers(0, W), rng.integers(0, H), rng.integers(8, 22), (255, 230, 170), 0.5)
    glow(a, 320, 205, 260, (80, 200, 255), 0.12)
    return finish(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), rng, grain=5)


def bookshelf(rng):
    a = gradient((70, 44, 28), (40, 24, 16))
    img = Image.fromarray(a.astype(np.uint8))
    d = ImageDraw.Draw(img)
    palette = [(150, 40, 40), (40, 70, 120), (200, 170, 90), (60, 110, 80), (120, 60, 110), (220, 210, 190),
               (30, 30, 35), (180, 90, 50)]
    for shelf_y in (130, 260, 390):
        x = 20
        while x < W - 20:
            w = int(rng.integers(14, 34))
            h = int(rng.integers(80, 118))
            color = np.array(palette[int(rng.integers(0, len(palette)))]) * rng.uniform(0.75, 1.1)
            top = shelf_y - h
            if rng.random() < 0.08:  # a book leaning on its neighbour
                d.polygon([(x, shelf_y), (x + w, shelf_y), (x + w + 20, top + 6), (x + 20, top)], fill=tuple(color.astype(int)))
                x += w + 22
                continue
            d.rectangle([x, top, x + w, shelf_y], fill=tuple(np.clip(color, 0, 255).astype(int)))
            d.rectangle([x + 3, top + 14, x + w - 3, top + 18], fill=(225, 200, 120))
            d.rectangle([x + 3, shelf_y - 22, x + w - 3, shelf_y - 19], fill=(225, 200, 120))
            x += w + int(rng.integers(0, 3))
        d.rectangle([0, shelf_y, W, shelf_y + 12], fill=(105, 70, 42))
        d.rectangle([0, shelf_y + 12, W, shelf_y + 16], fill=(50, 30, 18))
    a = np.asarray(img, float)
    glow(a, 140, 40, 260, (255, 210, 150), 0.35)
    return finish(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5)), rng,
                  grain=6, vignette=0.5)


def rail_dusk(rng):
    a = gradient((40, 50, 90), (240, 170, 120), height=230)
    a = np.concatenate([a, gradient((70, 62, 60), (45, 40, 40), height=H - 230)])
    glow(a, 320, 228, 90, (255, 200, 140), 0.7)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    line = ridge(rng, W, 222, 6, octaves=5)  # far hills
    d.polygon([(0, 232), *[(x, float(line[x])) for x in range(W)], (W, 232)], fill=(60, 52, 70))
    vx, vy = 320, 230
    for i in range(40):  # sleepers, closer together towards the horizon
        t = (i / 40) ** 2
        yy = vy + (H - vy) * t
        half = 12 + 300 * t
        d.line([vx - half, yy, vx + half, yy], fill=(80, 60, 45), width=max(1, int(8 * t)))
    for offset in (-1, 1):
        for rail in (0.55, 0.75):
            d.line([vx + offset * 3, vy, vx + offset * 300 * rail, H], fill=(190, 180, 175), width=3)
    for i in range(6):  # catenary masts
        t = ((i + 1) / 7) ** 2
        mx = vx - 30 - 330 * t
        d.line([mx, vy + 20 * t, mx, vy - 230 * t - 8], fill=(30, 28, 35), width=max(1, int(5 * t)))
        d.line([mx, vy - 200 * t - 8, vx, vy - 20], fill=(30, 28, 35), width=1)
    return finish(img.filter(ImageFilter.GaussianBlur(0.6)), rng, grain=6)


SCENES = {
    "dusk-city": dusk_city, "mountain-lake": mountain_lake, "server-racks": server_racks, "desk": desk_laptop,
    "terraces": terraces, "circuit": circuit, "bookshelf": bookshelf, "rail-dusk": rail_dusk,
}


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, (name, draw) in enumerate(SCENES.items()):
        image = draw(np.random.default_rng(1200 + n))
        image.save(folder / f"{name}.webp", "WEBP", quality=62, method=6)
        print(f"{name}.webp: {(folder / f'{name}.webp').stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
