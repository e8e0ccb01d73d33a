#!/usr/bin/python3
"""Draws throughput (GOP/s) against power (W) on log-log axes: published accelerators from
data/reference_chips.csv and the simulated designs handed over by `systole chart`.

Usage: chart.py SPEC.json

SPEC.json (written by src/cli/chart_command.cpp):
  {"chips_csv": path, "out": path, "format": "png" | "svg", "title": str,
   "designs": [{"label": str, "gops": float > 0, "power_w": float > 0, "source": str}, ...]}

Output is deterministic: fixed figure size and DPI, fixed axes placement (no tight bbox), no
date or software version in the metadata, and a fixed SVG id salt.

Exit codes: 0 drawn; 4 matplotlib cannot be imported (the caller names the Debian package);
1 anything else (bad spec, unreadable CSV), with the reason on stderr.
"""

import csv
import json
import math
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
except ImportError as e:  # the CLI turns exit code 4 into "install python3-matplotlib"
    print(f"cannot import matplotlib: {e}", file=sys.stderr)
    sys.exit(4)

# Iso-efficiency lines: GOP/s = TOPS/W x 1000 x W.
ISO_TOPS_PER_W = [0.1, 1.0, 10.0, 100.0]

# Fixed colour per known category (matplotlib's tab10); unknown categories take the remaining
# tab10 colours in alphabetical order so the mapping never depends on row order.
CATEGORY_COLOURS = {
    "GPU": "#2ca02c",
    "FPGA": "#ff7f0e",
    "digital ASIC": "#1f77b4",
    "mixed-signal ASIC": "#9467bd",
    "analog CIM": "#8c564b",
    "brain": "#e377c2",
}
SPARE_COLOURS = ["#17becf", "#bcbd22", "#7f7f7f", "#d62728"]
CATEGORY_ORDER = ["GPU", "FPGA", "digital ASIC", "mixed-signal ASIC", "analog CIM", "brain"]

DESIGN_MARKERS = ["*", "D", "P", "X", "p", "h", "^", "v", "s", "<", ">"]
DESIGN_COLOURS = ["#d62728", "#000000"]

FIG_SIZE_IN = (11.0, 7.0)
DPI = 150


def is_verified(source):
    """Only rows whose source starts with 'verified:' were checked against the cited document."""
    return source.strip().lower().startswith("verified")


def gops_text(gops):
    """21000 -> '21,000'; small values keep three significant digits."""
    return f"{gops:,.0f}" if gops >= 100 else f"{gops:.3g}"


def read_chips(path):
    """Returns (plottable rows, number of rows lacking throughput or power)."""
    chips, skipped = [], 0
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                gops = float(row["peak_gops"]) if row["peak_gops"].strip() else None
                power = float(row["power_w"]) if row["power_w"].strip() else None
            except ValueError as e:
                raise SystemExit(f"{path}: row '{row['name']}': {e}")
            if gops is None or power is None or gops <= 0 or power <= 0:
                skipped += 1
                continue
            chips.append(
                {
                    "name": row["name"],
                    "category": row["category"].strip(),
                    "gops": gops,
                    "power_w": power,
                    "verified": is_verified(row["source"]),
                }
            )
    return chips, skipped


def category_colours(categories):
    colours = {}
    spare = iter(SPARE_COLOURS)
    for c in sorted(categories):
        colours[c] = CATEGORY_COLOURS.get(c) or next(spare, "#7f7f7f")
    return colours


def ordered_categories(categories):
    known = [c for c in CATEGORY_ORDER if c in categories]
    return known + sorted(c for c in categories if c not in CATEGORY_ORDER)


def decade_limits(values):
    """Whole decades enclosing all values with at least a quarter decade of margin."""
    lo = math.floor(math.log10(min(values)) - 0.25)
    hi = math.ceil(math.log10(max(values)) + 0.25)
    return 10.0**lo, 10.0**hi


def draw_iso_lines(ax, xlim, ylim):
    """Each line GOP/s = e x 1000 x W, labelled at 80% of its visible part, rotated
    along the line as displayed. Returns the label artists."""
    labels = []
    for e in ISO_TOPS_PER_W:
        k = e * 1000.0
        x_lo, x_hi = max(xlim[0], ylim[0] / k), min(xlim[1], ylim[1] / k)
        if x_lo >= x_hi:
            continue
        ax.plot([x_lo, x_hi], [k * x_lo, k * x_hi], color="0.55", lw=0.8, ls="--", zorder=1)
        # Label at 80% of the visible segment in log space: high-power, high-throughput corner,
        # where the chips are sparse.
        lx = 10.0 ** (math.log10(x_lo) + 0.80 * (math.log10(x_hi) - math.log10(x_lo)))
        p0 = ax.transData.transform((lx, k * lx))
        p1 = ax.transData.transform((lx * 10.0, k * lx * 10.0))
        angle = math.degrees(math.atan2(p1[1] - p0[1], p1[0] - p0[0]))
        text = f"{e:g} TOPS/W"
        label = ax.text(lx, k * lx, text, rotation=angle, rotation_mode="anchor", ha="center", va="bottom",
                        fontsize=8, color="0.35", zorder=2,
                        bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8))
        labels.append(label)
    return labels


class LabelPlacer:
    """Greedy, deterministic label placement in display space. A label goes at the first of sixteen
    offsets around its point (right, left, above, below, the diagonals; near, then farther)
    whose box stays inside the axes and overlaps no marker and no earlier label; if none is free,
    at the offset with the least overlapping area."""

    # A chip marker (s=38 pt^2, edge 1.2 pt) is ~7.4 pt wide: ~7.7 px half-width at 150 dpi.
    MARKER_HALF_PX = 8.0

    def __init__(self, fig, ax, points):
        self.ax = ax
        self.renderer = fig.canvas.get_renderer()
        h = self.MARKER_HALF_PX
        self.boxes = []
        for p in points:
            x, y = ax.transData.transform(p)
            self.boxes.append((x - h, y - h, x + h, y + h))
        self.frame = ax.get_window_extent(self.renderer)

    def add_obstacle(self, artist):
        e = artist.get_window_extent(self.renderer)
        self.boxes.append((e.x0, e.y0, e.x1, e.y1))

    @staticmethod
    def candidates(gap):
        out = []
        for g in (gap, 2.5 * gap):
            out += [((g, 0), "left", "center"), ((-g, 0), "right", "center"), ((0, g), "center", "bottom"),
                    ((0, -g), "center", "top"), ((g, g), "left", "bottom"), ((g, -g), "left", "top"),
                    ((-g, g), "right", "bottom"), ((-g, -g), "right", "top")]
        return out

    def _cost(self, box, own):
        """Overlapping area in px^2 with earlier boxes; infinite outside the axes."""
        x0, y0, x1, y1 = box
        f = self.frame
        if x0 < f.x0 or y0 < f.y0 or x1 > f.x1 or y1 > f.y1:
            return math.inf
        area = 0.0
        for b in self.boxes:
            if b != own:
                area += max(0.0, min(x1, b[2]) - max(x0, b[0])) * max(0.0, min(y1, b[3]) - max(y0, b[1]))
        return area

    def place(self, text, xy, gap, **kwargs):
        px, py = self.ax.transData.transform(xy)
        h = self.MARKER_HALF_PX
        own = (px - h, py - h, px + h, py + h)
        best = None  # (cost, index, box)
        for i, (offset, ha, va) in enumerate(self.candidates(gap)):
            a = self.ax.annotate(text, xy, xytext=offset, textcoords="offset points", ha=ha, va=va, **kwargs)
            e = a.get_window_extent(self.renderer)
            box = (e.x0, e.y0, e.x1, e.y1)
            a.remove()
            cost = self._cost(box, own)
            if best is None or cost < best[0]:
                best = (cost, i, box)
            if cost == 0.0:
                break
        offset, ha, va = self.candidates(gap)[best[1]]
        if best[1] >= 8:  # a far offset: a leader line ties the label to its point
            kwargs = dict(kwargs, arrowprops=dict(arrowstyle="-", lw=0.6, color=kwargs.get("color", "0.3"),
                                                  shrinkA=0, shrinkB=5))
        self.ax.annotate(text, xy, xytext=offset, textcoords="offset points", ha=ha, va=va, **kwargs)
        self.boxes.append(best[2])


def draw(spec):
    chips, skipped = read_chips(spec["chips_csv"])
    designs = spec["designs"]

    plt.rcParams.update(
        {
            "svg.hashsalt": "systole-chart",
            "svg.fonttype": "none",  # text stays text: labels are searchable in the SVG
            "font.family": "DejaVu Sans",
            "font.size": 9,
        }
    )
    fig = plt.figure(figsize=FIG_SIZE_IN, dpi=DPI)
    # Fixed placement instead of bbox_inches="tight", so the image size never depends on labels.
    ax = fig.add_axes([0.07, 0.09, 0.64, 0.83])
    ax.set_xscale("log")
    ax.set_yscale("log")

    xs = [c["power_w"] for c in chips] + [d["power_w"] for d in designs]
    ys = [c["gops"] for c in chips] + [d["gops"] for d in designs]
    xlim, ylim = decade_limits(xs), decade_limits(ys)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.grid(True, which="major", color="0.88", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel("power (W)")
    ax.set_ylabel("throughput (GOP/s, 1 MAC = 2 ops)")
    ax.set_title(spec["title"], fontsize=11)

    iso_labels = draw_iso_lines(ax, xlim, ylim)

    categories = {c["category"] for c in chips}
    colours = category_colours(categories)
    for c in chips:
        colour = colours[c["category"]]
        ax.scatter([c["power_w"]], [c["gops"]], s=38, marker="o", linewidths=1.2, zorder=3,
                   edgecolors=colour, facecolors=colour if c["verified"] else "none")

    design_handles = []
    for i, d in enumerate(designs):
        marker = DESIGN_MARKERS[i % len(DESIGN_MARKERS)]
        colour = DESIGN_COLOURS[(i // len(DESIGN_MARKERS)) % len(DESIGN_COLOURS)]
        ax.scatter([d["power_w"]], [d["gops"]], s=190 if marker == "*" else 80, marker=marker, c=colour,
                   edgecolors="white", linewidths=0.7, zorder=5)
        tops_per_w = d["gops"] / d["power_w"] / 1000.0
        design_handles.append(
            Line2D([], [], ls="none", marker=marker, color=colour, markersize=11 if marker == "*" else 8,
                   label=f"{d['label']}\n{gops_text(d['gops'])} GOP/s, {d['power_w']:.3g} W, {tops_per_w:.3g} TOPS/W")
        )

    # Labels: designs first (they matter most), then chips in CSV order, each at the first
    # candidate offset whose box overlaps no marker and no label placed before it.
    placer = LabelPlacer(fig, ax, [(c["power_w"], c["gops"]) for c in chips] +
                         [(d["power_w"], d["gops"]) for d in designs])
    for label in iso_labels:
        placer.add_obstacle(label)
    for i, d in enumerate(designs):
        colour = DESIGN_COLOURS[(i // len(DESIGN_MARKERS)) % len(DESIGN_COLOURS)]
        placer.place(d["label"], (d["power_w"], d["gops"]), gap=9, fontsize=8.5, fontweight="bold",
                     color=colour, zorder=6,
                     bbox=dict(boxstyle="round,pad=0.2", fc="white", ec=colour, lw=0.6, alpha=0.9))
    for c in chips:
        placer.place(c["name"], (c["power_w"], c["gops"]), gap=4, fontsize=5.5, color="0.3", zorder=4)

    chip_handles = [
        Line2D([], [], ls="none", marker="o", color=colours[c], markersize=7, label=c)
        for c in ordered_categories(categories)
    ]
    status_handles = [
        Line2D([], [], ls="none", marker="o", color="0.3", markersize=7, label="figures verified at source"),
        Line2D([], [], ls="none", marker="o", markerfacecolor="none", markeredgecolor="0.3", markersize=7,
               label="unverified, partial, derived or estimated"),
    ]
    first = fig.legend(handles=chip_handles + status_handles, title="published chips",
                       loc="upper left", bbox_to_anchor=(0.725, 0.92), fontsize=8, title_fontsize=9,
                       frameon=False)
    first._legend_box.align = "left"
    if design_handles:
        second = fig.legend(handles=design_handles, title="simulated designs (Systole)", loc="upper left",
                            bbox_to_anchor=(0.725, 0.50), fontsize=7.5, title_fontsize=9, frameon=False)
        second._legend_box.align = "left"
    note = "Dashed: iso-efficiency lines. Chip data: data/reference_chips.csv (sources per row)."
    if skipped:
        note += f" {skipped} rows without both throughput and power are not drawn."
    fig.text(0.07, 0.015, note, fontsize=7, color="0.4")

    if spec["format"] == "svg":
        fig.savefig(spec["out"], format="svg", metadata={"Date": None, "Creator": "systole chart"})
    else:
        fig.savefig(spec["out"], format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 1
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    draw(spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
