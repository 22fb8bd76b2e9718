#!/usr/bin/env python3
"""Render a dumped terminal screen buffer (ratatui TestBackend) to a PNG.

Usage:
    render_screenshot.py IN.json OUT.png [--cell-width N] [--font-size N]
                         [--line-spacing N] [--padding N] [--no-frame] [--title T]

Input JSON (one file = one screen):
    {"width": 80, "height": 24, "default_fg": "#cdd6f4", "default_bg": "#1e1e2e",
     "rows": [[{"s": "x", "fg": "#rrggbb"|null, "bg": "#rrggbb"|null,
                "b": bold, "i": italic, "u": underline, "d": dim,
                "r": reversed, "x": crossed_out}, ... width cells], ... height rows]}

* "s" is one grapheme (possibly several code points); "" marks the trailing
  half of a wide character, which is then drawn across both cells.
* fg/bg null = default colour.  Missing style keys mean false.  Reversed swaps
  fg/bg, dim blends fg 50% toward bg.

Block elements (U+2580-259F), box drawing (U+2500-257F) and braille
(U+2800-28FF) are drawn geometrically so that they tile seamlessly; everything else is drawn with DejaVu Sans Mono (falling back to
DejaVu Sans, then to whatever `fc-match` proposes), clipped to its cell.
Output is deterministic: the same JSON gives a byte-identical PNG.
"""
import argparse
import json
import os
import subprocess
import sys
import unicodedata
from functools import lru_cache

try:
    from PIL import Image, ImageColor, ImageDraw, ImageFont
except ImportError:
    sys.exit("error: Pillow is required: pip install pillow")
try:
    from fontTools.ttLib import TTFont  # optional, for exact glyph coverage
except ImportError:
    TTFont = None

SS = 4  # supersampling factor for anti-aliased geometric shapes

# ---------------------------------------------------------------- fonts ----
FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
             "/usr/share/fonts/TTF", "/usr/local/share/fonts", "/Library/Fonts",
             os.path.expanduser("~/.fonts"), os.path.expanduser("~/.local/share/fonts")]
# (bold, italic) -> (mono file, fc-match style, fallback file)
STYLES = {(False, False): ("DejaVuSansMono.ttf", "Book", "DejaVuSans.ttf"),
          (True, False): ("DejaVuSansMono-Bold.ttf", "Bold", "DejaVuSans-Bold.ttf"),
          (False, True): ("DejaVuSansMono-Oblique.ttf", "Oblique", "DejaVuSans-Oblique.ttf"),
          (True, True): ("DejaVuSansMono-BoldOblique.ttf", "Bold Oblique",
                         "DejaVuSans-BoldOblique.ttf")}


def fc_match(pattern):
    """Font file fontconfig proposes for pattern (it always proposes one), or None."""
    try:
        return subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):  # no fontconfig installed
        return None


def find_font_file(filename, family, style):
    for d in FONT_DIRS:
        path = os.path.join(d, filename)
        if os.path.isfile(path):
            return path
    path = fc_match(f"{family}:style={style}")
    return path if path and os.path.basename(path) == filename else None


@lru_cache(maxsize=None)
def load_font(path, size):
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=None)
def font_cmap(path):
    """Set of code points the font maps (None without fontTools)."""
    if TTFont is not None:
        with TTFont(path, lazy=True, fontNumber=0) as tt:
            return frozenset(tt.getBestCmap() or ())


@lru_cache(maxsize=None)
def has_glyph(path, cp):
    if font_cmap(path) is not None:
        return cp in font_cmap(path)
    # Heuristic without fontTools: a missing glyph renders like .notdef.
    font = load_font(path, 32)
    notdef = font.getmask(chr(0x10FFFD))
    mask = font.getmask(chr(cp))
    return mask.size != notdef.size or bytes(mask) != bytes(notdef)


class Fonts:
    def __init__(self, size):
        self.size = size
        self.mono, self.sans = {}, {}
        for key, (mono, style, sans) in STYLES.items():
            self.mono[key] = find_font_file(mono, "DejaVu Sans Mono", style)
            self.sans[key] = find_font_file(sans, "DejaVu Sans", style)
        if not self.mono[(False, False)]:
            sys.exit("error: DejaVu Sans Mono not found: apt-get install fonts-dejavu-core")
        for table in (self.mono, self.sans):  # missing styles -> regular
            for key in STYLES:
                table[key] = table[key] or table[(False, False)]
        regular = load_font(self.mono[(False, False)], size)
        self.ascent, self.descent = regular.getmetrics()
        self.advance = regular.getlength("M")
        self.x_height = -regular.getbbox("x", anchor="ls")[1]

    def pick(self, cp, bold, italic):
        """Font file to draw cp with: mono, DejaVu Sans, then fontconfig's pick."""
        key = (bold, italic)
        for path in (self.mono[key], self.sans[key], extra_fallback(cp)):
            if path and has_glyph(path, cp):
                return path
        return None


@lru_cache(maxsize=None)
def extra_fallback(cp):
    path = fc_match(f":charset={cp:x}")
    return path if path and path.lower().endswith((".ttf", ".otf", ".ttc", ".otc")) else None


# --------------------------------------------------------------- colours ---
@lru_cache(maxsize=None)
def parse_color(value):
    return ImageColor.getrgb(value)[:3] if value else None


def blend(a, b, t):
    """Mix colour a toward b by fraction t."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def cell_colors(cell, dfg, dbg):
    fg = parse_color(cell.get("fg")) or dfg
    bg = parse_color(cell.get("bg")) or dbg
    if cell.get("r"):
        fg, bg = bg, fg
    if cell.get("d"):
        fg = blend(fg, bg, 0.5)
    return fg, bg


# ------------------------------------------------------- classification ----
WEIGHTS = {"LIGHT": 1, "SINGLE": 1, "HEAVY": 2, "DOUBLE": 3}
DIRS = {"UP": "u", "DOWN": "d", "LEFT": "l", "RIGHT": "r",
        "VERTICAL": "ud", "HORIZONTAL": "lr"}


@lru_cache(maxsize=None)
def box_spec(cp):
    """Parse the Unicode name of a box-drawing char into arm weights.

    e.g. 'BOX DRAWINGS DOWN LIGHT AND RIGHT HEAVY' -> {'d': 1, 'r': 2}.
    A weight word before directions applies to the following ones
    ('LIGHT DOWN AND RIGHT'), after directions to the pending ones.
    Returns (arms, dash_count, is_arc).
    """
    words = unicodedata.name(chr(cp)).split()[2:]
    dashes = 0
    if "DASH" in words:
        dashes = {"DOUBLE": 2, "TRIPLE": 3, "QUADRUPLE": 4}[words[words.index("DASH") - 1]]
        words = [w for w in words if w not in ("DASH", "DOUBLE", "TRIPLE", "QUADRUPLE")]
    arms, pending, prefix = {}, [], None
    for word in words:
        if word in DIRS and prefix:
            arms.update((a, prefix) for a in DIRS[word])
        elif word in DIRS:
            pending += DIRS[word]
        elif word in WEIGHTS:
            if pending:
                arms.update((a, WEIGHTS[word]) for a in pending)
                pending = []
            else:
                prefix = WEIGHTS[word]
    arms.update((a, prefix or 1) for a in pending)
    return arms, dashes, "ARC" in words


def is_geometric(cp):
    return 0x2500 <= cp <= 0x259F or 0x2800 <= cp <= 0x28FF


# ----------------------------------------------------- geometric drawing ---
class Canvas:
    """Supersampled L-mask for one cell; coordinates are in 1x cell pixels."""

    def __init__(self, w, h):
        self.img = Image.new("L", (w * SS, h * SS), 0)
        self.draw = ImageDraw.Draw(self.img)

    def rect(self, x0, y0, x1, y1, alpha=255):
        if x1 > x0 and y1 > y0:
            self.draw.rectangle([round(x0 * SS), round(y0 * SS),
                                 round(x1 * SS) - 1, round(y1 * SS) - 1], fill=alpha)

    def mask(self):
        return self.img.reduce(SS)


def strokes(size, weight, t):
    """Pixel ranges [(a, b), ...] of a line of the given weight, centred."""
    if weight == 3:
        a = (size - 3 * t) // 2
        return [(a, a + t), (a + 2 * t, a + 3 * t)]
    a = (size - weight * t) // 2
    return [(a, a + weight * t)]


def draw_box(c, cp, w, h, t):
    if 0x2571 <= cp <= 0x2573:  # diagonals
        if cp != 0x2572:
            c.draw.line([(w * SS, 0), (0, h * SS)], fill=255, width=t * SS)
        if cp != 0x2571:
            c.draw.line([(0, 0), (w * SS, h * SS)], fill=255, width=t * SS)
        return
    arms, dashes, arc = box_spec(cp)
    hs = strokes(h, max([arms.get("l", 0), arms.get("r", 0)]) or 1, t)
    vs = strokes(w, max([arms.get("u", 0), arms.get("d", 0)]) or 1, t)
    if dashes:  # n equal dashes, gaps split evenly at both cell edges
        horiz = "l" in arms
        size, across = (w, hs) if horiz else (h, vs)
        gap = max(1, round(size / dashes / 3))
        base, extra = divmod(size - dashes * gap, dashes)
        pos = gap // 2
        for k in range(dashes):
            end = pos + base + (k < extra)
            for p, q in across:
                c.rect(pos, p, end, q) if horiz else c.rect(p, pos, q, end)
            pos = end + gap
        return
    if arc:
        sx, sy = (1 if "r" in arms else -1), (1 if "d" in arms else -1)
        cx, cy = vs[0][0] + t / 2, hs[0][0] + t / 2
        r = min(cx, w - cx, cy, h - cy)
        ox, oy = cx + sx * r, cy + sy * r  # centre of the quarter circle
        start = {(1, 1): 180, (-1, 1): 270, (-1, -1): 0, (1, -1): 90}[(sx, sy)]
        rr = r + t / 2
        c.draw.arc([(ox - rr) * SS, (oy - rr) * SS, (ox + rr) * SS - 1, (oy + rr) * SS - 1],
                   start, start + 90, fill=255, width=t * SS)
        c.rect(*((ox, hs[0][0], w, hs[0][1]) if sx > 0 else (0, hs[0][0], ox, hs[0][1])))
        c.rect(*((vs[0][0], oy, vs[0][1], h) if sy > 0 else (vs[0][0], 0, vs[0][1], oy)))
        return
    # Each arm runs from the cell edge to the perpendicular stroke set.  A line
    # stops at the near perpendicular line when that side is "closed" (needed
    # for double-line corners/tees), otherwise it runs to the far one.
    for arm, weight in arms.items():
        horiz = arm in "lr"
        lines = strokes(h if horiz else w, weight, t)
        perp = vs if horiz else hs
        opposite = {"l": "r", "r": "l", "u": "d", "d": "u"}[arm]
        for i, (p, q) in enumerate(lines):
            if len(lines) == 2:
                sides = (("u", "d") if horiz else ("l", "r"))[i]
                closed = sides in arms
            else:
                sides = "ud" if horiz else "lr"
                closed = all(s in arms for s in sides) and opposite not in arms
            if arm in "lu":
                end = perp[0][1] if closed else perp[-1][1]
                c.rect(0, p, end, q) if horiz else c.rect(p, 0, q, end)
            else:
                start = perp[-1][0] if closed else perp[0][0]
                c.rect(start, p, w, q) if horiz else c.rect(p, start, q, h)


def draw_block(c, cp, w, h):
    bx = [round(w * k / 8) for k in range(9)]
    by = [round(h * k / 8) for k in range(9)]
    if cp == 0x2580:
        c.rect(0, 0, w, by[4])
    elif 0x2581 <= cp <= 0x2588:  # lower n eighths
        c.rect(0, by[8 - (cp - 0x2580)], w, h)
    elif 0x2589 <= cp <= 0x258F:  # left n eighths
        c.rect(0, 0, bx[0x2590 - cp], h)
    elif cp == 0x2590:
        c.rect(bx[4], 0, w, h)
    elif 0x2591 <= cp <= 0x2593:  # shades 25/50/75 %
        c.rect(0, 0, w, h, alpha=round(255 * (cp - 0x2590) / 4))
    elif cp == 0x2594:
        c.rect(0, 0, w, by[1])
    elif cp == 0x2595:
        c.rect(bx[7], 0, w, h)
    else:  # quadrants: bits = UL, UR, LL, LR
        bits = {0x2596: 4, 0x2597: 8, 0x2598: 1, 0x2599: 13, 0x259A: 9, 0x259B: 7,
                0x259C: 11, 0x259D: 2, 0x259E: 6, 0x259F: 14}[cp]
        quads = [(0, 0, bx[4], by[4]), (bx[4], 0, w, by[4]),
                 (0, by[4], bx[4], h), (bx[4], by[4], w, h)]
        for k, q in enumerate(quads):
            if bits >> k & 1:
                c.rect(*q)


def draw_braille(c, cp, w, h):
    dots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
    rad = max(0.6, min(w / 2, h / 4) * 0.3)
    for bit, (col, row) in enumerate(dots):
        if (cp - 0x2800) >> bit & 1:
            x, y = w * (col * 2 + 1) / 4, h * (row * 2 + 1) / 8
            c.draw.ellipse([(x - rad) * SS, (y - rad) * SS, (x + rad) * SS, (y + rad) * SS],
                           fill=255)


@lru_cache(maxsize=None)
def geometric_mask(cp, w, h, t):
    c = Canvas(w, h)
    if cp <= 0x257F:
        draw_box(c, cp, w, h, t)
    elif cp <= 0x259F:
        draw_block(c, cp, w, h)
    else:
        draw_braille(c, cp, w, h)
    return c.mask()


# ------------------------------------------------------------- rendering ---
IGNORED = {0xFE0E, 0xFE0F, 0x200D}  # variation selectors / ZWJ


def base_codepoint(text):
    for ch in text:
        if ord(ch) not in IGNORED and not unicodedata.combining(ch):
            return ord(ch)
    return ord(text[0])


def draw_text(img, fonts, x, y, w, h, baseline, text, cell, fg, t):
    cp = base_codepoint(text)
    text = "".join(ch for ch in text if ord(ch) not in IGNORED) or text
    path = fonts.pick(cp, bool(cell.get("b")), bool(cell.get("i")))
    if path is None:  # no font has it: draw a "tofu" box
        ImageDraw.Draw(img).rectangle([x + 1, y + 2, x + w - 2, y + h - 3], outline=fg, width=t)
        return
    font = load_font(path, fonts.size)
    adv = font.getlength(text)
    if adv > w + 0.5:  # too wide for its cell(s): shrink to fit
        font = load_font(path, max(6, int(fonts.size * w / adv)))
        adv = font.getlength(text)
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).text(((w - adv) / 2, baseline), text, font=font, fill=255, anchor="ls")
    img.paste(fg, (x, y, x + w, y + h), mask)


def is_wide(text):
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def render_grid(data, fonts, cw, ch, pad, spacing):
    rows = data["rows"]
    width = max([data.get("width", 0)] + [len(r) for r in rows])
    dfg = parse_color(data.get("default_fg")) or (205, 214, 244)
    dbg = parse_color(data.get("default_bg")) or (30, 30, 46)
    t = max(1, round(cw / 9))
    baseline = spacing // 2 + fonts.ascent
    img = Image.new("RGB", (width * cw + 2 * pad, len(rows) * ch + 2 * pad), dbg)
    draw = ImageDraw.Draw(img)
    # Resolve colours and spans once: (x, y, span, bg_span, cell, fg, bg).
    cells = []
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            text = cell.get("s")
            text = cell["s"] = " " if text is None else text
            if text == "" and c > 0:
                continue  # trailing half of a wide char, covered by its lead cell
            nxt = row[c + 1].get("s", " ") if c + 1 < len(row) else None
            bg_span = 2 if nxt == "" else 1
            span = 2 if bg_span == 2 or (nxt == " " and is_wide(text)) else 1
            fg, bg = cell_colors(cell, dfg, dbg)
            cells.append((pad + c * cw, pad + r * ch, span, bg_span, cell, fg, bg))
    for x, y, span, bg_span, cell, fg, bg in cells:  # 1. backgrounds
        draw.rectangle([x, y, x + cw * bg_span - 1, y + ch - 1], fill=bg)
    for x, y, span, _, cell, fg, bg in cells:  # 2. glyphs
        text = cell["s"]
        if not text.strip():
            continue
        cp = ord(text[0])
        if len(text) == 1 and is_geometric(cp):
            img.paste(fg, (x, y, x + cw, y + ch), geometric_mask(cp, cw, ch, t))
        else:
            draw_text(img, fonts, x, y, cw * span, ch, baseline, text, cell, fg, t)
    for x, y, span, _, cell, fg, bg in cells:  # 3. decorations
        w = cw * span
        if cell.get("u"):
            uy = y + baseline + max(1, round(fonts.descent * 0.4))
            draw.rectangle([x, uy, x + w - 1, uy + t - 1], fill=fg)
        if cell.get("x"):
            sy = y + baseline - round(fonts.x_height / 2)
            draw.rectangle([x, sy, x + w - 1, sy + t - 1], fill=fg)
    return img, dbg, dfg


def add_frame(grid, bg, fg, fonts, title):
    """Wrap the grid in a rounded window with a macOS-style title bar."""
    k = fonts.size / 16  # frame geometry scales with the font
    bar, radius = round(28 * k), round(10 * k)
    w, h = grid.width, grid.height + bar
    img = Image.new("RGBA", (w, h), bg + (255,))
    img.paste(grid, (0, bar))
    bar_color = blend(bg, (0, 0, 0), 0.25)
    ImageDraw.Draw(img).rectangle([0, 0, w - 1, bar - 1], fill=bar_color)
    for i, color in enumerate([(255, 95, 87), (254, 188, 46), (40, 200, 64)]):
        dot = Canvas(w, bar)  # anti-aliased traffic-light dot
        cx, cy, r = (20 + 20 * i) * k, bar / 2, 6 * k
        dot.draw.ellipse([(cx - r) * SS, (cy - r) * SS, (cx + r) * SS, (cy + r) * SS], fill=255)
        img.paste(color, (0, 0, w, bar), dot.mask())
    if title:
        font = load_font(fonts.mono[(False, False)], round(14 * k))
        ImageDraw.Draw(img).text((w / 2, bar / 2), title, font=font, anchor="mm",
                                 fill=blend(fg, bar_color, 0.35))
    corners = Image.new("L", (w * SS, h * SS), 0)
    ImageDraw.Draw(corners).rounded_rectangle([0, 0, w * SS - 1, h * SS - 1],
                                              radius=radius * SS, fill=255)
    img.putalpha(corners.reduce(SS))
    return img


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--font-size", type=int, default=16)
    ap.add_argument("--cell-width", type=int, help="default: advance of 'M'")
    ap.add_argument("--line-spacing", type=int, default=2, help="extra px per row")
    ap.add_argument("--padding", type=int, help="margin in px (default: 0.75 x font size)")
    ap.add_argument("--frame", action=argparse.BooleanOptionalAction, default=True,
                    help="draw a rounded window frame with title bar (default on)")
    ap.add_argument("--title", default="", help="text shown in the title bar")
    args = ap.parse_args(argv)
    with open(args.input, encoding="utf-8") as f:
        data = json.load(f)
    fonts = Fonts(args.font_size)
    cw = args.cell_width or max(1, round(fonts.advance))
    ch = fonts.ascent + fonts.descent + args.line_spacing
    pad = round(args.font_size * 0.75) if args.padding is None else args.padding
    img, bg, fg = render_grid(data, fonts, cw, ch, pad, args.line_spacing)
    if args.frame:
        img = add_frame(img, bg, fg, fonts, args.title)
    img.save(args.output, format="PNG")  # Pillow writes no tIME/text chunks


if __name__ == "__main__":
    main()
