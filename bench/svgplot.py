"""Horizontal bar charts as standalone SVG files, for the benchmark report
(bench/bench.py). Standard library only; no scripts, no external styles, no
generated ids: the same input gives the same bytes. Made to be read where
GitHub renders Markdown, as an image: explicit width, height and viewBox, a
white background, sans-serif text.

A figure is a title, a legend and groups (panels); each group has its own
linear axis from zero and one row per tool: a bar for the median with a thin
min-max line, or a text such as "n/a (failed)" when the value is missing.
Floors are drawn hatched grey with a dashed outline; other rows get one colour
per key, the same in every group and in every figure drawn with the same order
of keys.
"""
import math
from xml.sax.saxutils import escape, quoteattr

WIDTH = 800
MARGIN = 16
ROW = 20  # height of one row
BAR = 12  # height of one bar
CHAR = 6.6  # estimated width of a character of 12 px sans-serif
VALUE_ROOM = 84  # right of the axis: the value text of the longest bar
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#843c39"]
FLOOR_STYLE = 'fill="url(#floor)" stroke="#555555" stroke-dasharray="3,2"'
DEFS = ('<defs><pattern id="floor" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eeeeee"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#999999" stroke-width="3"/></pattern></defs>')


class Row:
    """One tool in one group: its median with min-max (lo and hi may be
    None: a single figure), or, when median is None, text says why not."""

    def __init__(self, key, label, text, median=None, lo=None, hi=None, floor=False):
        self.key = key
        self.label = label
        self.text = text
        self.median = median
        self.lo = lo
        self.hi = hi
        self.floor = floor


class Group:
    """One panel: rows on an axis of their own, in the axis' unit."""

    def __init__(self, key, title, axis, rows):
        self.key = key
        self.title = title
        self.axis = axis
        self.rows = rows


def num(x):
    """A coordinate, the same text for the same number."""
    return "%.1f" % x


def text(x, y, s, size=12, anchor="start", extra=""):
    """A <text> element of s (escaped); extra holds further attributes."""
    return '<text x="%s" y="%s" font-size="%d" text-anchor="%s"%s>%s</text>' % (
        num(x), num(y), size, anchor, extra, escape(s))


def nice_axis(top):
    """(step, end) of an axis from 0 covering top: about four steps of 1, 2
    or 5 times a power of ten."""
    if top <= 0:
        return 1.0, 1.0
    raw = top / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return step, step * math.ceil(top / step - 1e-9)


def tick_label(x):
    """An axis value without float noise: 0.6, not 0.6000000000000001."""
    return "%g" % round(x, 9)


def whisker(lo, hi, mid):
    """A min-max line from x lo to x hi at y mid, with end ticks."""
    return '<path d="M%s %sH%sM%s %sV%sM%s %sV%s" stroke="#222222" fill="none"/>' % (
        num(lo), num(mid), num(hi), num(lo), num(mid - 4), num(mid + 4), num(hi), num(mid - 4), num(mid + 4))


def colours(groups, order):
    """{key: fill} of every row that is not a floor, by the key's place in
    order (keys not in it after those, as they appear): a key keeps its
    colour in every figure drawn with the same order."""
    out = {}
    for key in list(order) + [r.key for g in groups for r in g.rows if not r.floor]:
        if key not in out:
            out[key] = 'fill="%s"' % PALETTE[len(out) % len(PALETTE)]
    return out


def legend_entries(groups, fills):
    """[(style, label)] of every key once, floors with their hatching."""
    seen, out = set(), []
    for g in groups:
        for r in g.rows:
            if r.key not in seen:
                seen.add(r.key)
                out.append((FLOOR_STYLE if r.floor else fills[r.key], r.label))
    return out


def draw_legend(out, entries, y):
    """Swatches and labels, wrapped at the figure's width; a style None is
    the min-max line. Returns the y below the legend."""
    x = MARGIN
    for style, label in entries:
        w = 18 + len(label) * CHAR + 16
        if x + w > WIDTH - MARGIN and x > MARGIN:
            x, y = MARGIN, y + 18
        if style is None:
            out.append(whisker(x, x + 12, y - 4))
        else:
            out.append('<rect x="%s" y="%s" width="12" height="12" %s/>' % (num(x), num(y - 10), style))
        out.append(text(x + 18, y, label))
        x += w
    return y + 22


def draw_row(out, g, r, y, x0, width, end, fill):
    """One row: label, then bar, min-max line and value, or the missing text."""
    out.append(text(x0 - 6, y + 14, r.label, anchor="end", extra=' fill="#555555"' if r.floor else ""))
    ids = 'data-group=%s data-key=%s' % (quoteattr(g.key), quoteattr(r.key))
    if r.median is None:
        out.append(text(x0 + 4, y + 14, r.text, extra=' class="na" %s fill="#666666" font-style="italic"' % ids))
        return
    scale = width / end
    bar_end = x0 + r.median * scale
    out.append('<rect class="bar" %s data-value="%.6g" x="%s" y="%s" width="%s" height="%d" %s/>' % (
        ids, r.median, num(x0), num(y + 4), num(r.median * scale), BAR, FLOOR_STYLE if r.floor else fill))
    if r.lo is not None and r.hi is not None and r.hi > r.lo:
        hi = x0 + r.hi * scale
        out.append(whisker(x0 + r.lo * scale, hi, y + 4 + BAR / 2))
        bar_end = max(bar_end, hi)
    out.append(text(bar_end + 4, y + 14, r.text, size=11))


def tick_xs(x0, width, step, end):
    """[(x, value)] of an axis' ticks."""
    n = int(round(end / step))
    return [(x0 + width * i / n, i * step) for i in range(n + 1)]


def draw_axis(out, g, y, ticks):
    """The axis at y under a group's rows: line, ticks, tick labels and the
    axis' name. Returns the y below it."""
    out.append('<path d="M%s %sH%s" stroke="#333333"/>' % (num(ticks[0][0]), num(y), num(ticks[-1][0])))
    for x, v in ticks:
        out.append('<path d="M%s %sV%s" stroke="#333333"/>' % (num(x), num(y), num(y + 4)))
        out.append(text(x, y + 16, tick_label(v), size=11, anchor="middle"))
    out.append(text((ticks[0][0] + ticks[-1][0]) / 2, y + 32, g.axis, anchor="middle"))
    return y + 40


def draw_group(out, g, y, x0, width, fills):
    """A group's title, grid, rows and axis. Returns the y below it."""
    out.append(text(MARGIN, y + 14, g.title, size=13, extra=' font-weight="bold"'))
    y += 20
    top = max([r.hi if r.hi is not None else r.median for r in g.rows if r.median is not None] or [0])
    step, end = nice_axis(top)
    ticks = tick_xs(x0, width, step, end)
    bottom = y + len(g.rows) * ROW + 2
    for x, _ in ticks[1:]:
        out.append('<path d="M%s %sV%s" stroke="#e4e4e4"/>' % (num(x), num(y), num(bottom)))
    for r in g.rows:
        draw_row(out, g, r, y, x0, width, end, fills.get(r.key))
        y += ROW
    return draw_axis(out, g, bottom, ticks) + 12


def svg(title, notes, groups, order=()):
    """The figure as SVG text: title, lines of notes, legend, groups; the
    colours follow order (see colours)."""
    fills = colours(groups, order)
    labels = [r.label for g in groups for r in g.rows]
    x0 = MARGIN + min(300, max(len(s) for s in labels) * CHAR) + 10
    width = WIDTH - x0 - VALUE_ROOM
    body = [text(MARGIN, MARGIN + 16, title, size=16, extra=' font-weight="bold"')]
    y = MARGIN + 24
    for line in notes:
        body.append(text(MARGIN, y + 12, line, extra=' fill="#444444"'))
        y += 16
    entries = legend_entries(groups, fills)
    if any(r.hi is not None for g in groups for r in g.rows):
        entries.append((None, "min–max of the runs"))
    y = draw_legend(body, entries, y + 20)
    for g in groups:
        y = draw_group(body, g, y, x0, width, fills)
    height = int(math.ceil(y + MARGIN - 12))
    head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
            'font-family="sans-serif">' % (WIDTH, height, WIDTH, height))
    return "\n".join([head, "<title>%s</title>" % escape(title), DEFS,
                      '<rect width="100%" height="100%" fill="#ffffff"/>'] + body + ["</svg>"]) + "\n"
