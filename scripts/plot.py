#!/usr/bin/python3
"""Draws the pictures of `systole plot`: per-layer cycles by stall cause, utilisation, roofline,
energy by component, energy by layer and power over time, for one run or several overlaid.

Usage: plot.py SPEC.json

SPEC.json (written by src/cli/plot_command.cpp, which has checked every field):
  {"format": "png" | "svg",
   "outputs": {"cycles_by_cause": path, "utilization": path, "roofline": path,
               "energy_by_component": path, "energy_by_layer": path, "power": path},
   "runs": [{"label", "source", "name", "network", "dataflow", "node": str,
             "rows", "cols", "clock_mhz": number, "dram_kind": str, "dram_peak_gbps": number | null,
             "layers": {"name", "type": [str], "macs", "cycles", "utilization", "dram_bytes": [number],
                        "cycle_breakdown": {cause: [cycles]}, "energy_pj": {component: [pJ]}},
             "total_energy_pj": {component: pJ}, "energy_static_pj": pJ,
             "power": {"begin_us", "end_us", "total_w": [number], "components_w": {component: [W]}},
             "llm": {...} (decoder steps only; scripts/plot_llm.py)}]}

One run: pictures of that run. Several: compare mode (panels per run, or series per run).
Output is deterministic: fixed figure size and DPI, no date or software version in the metadata,
a fixed SVG id salt.

Exit codes: 0 drawn; 4 matplotlib cannot be imported (the caller names the Debian package);
1 anything else, with the reason on stderr.
"""

import json
import math
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    import numpy as np
except ImportError as e:  # the CLI turns exit code 4 into "install python3-matplotlib"
    print(f"cannot import matplotlib: {e}", file=sys.stderr)
    sys.exit(4)

import plot_llm  # scripts/plot_llm.py, beside this file

DPI = 150
FIG_SIZE_IN = (1600 / DPI, 900 / DPI)  # 1600 x 900 px

CAUSES = ["compute", "spatial_underuse", "preload", "fill_drain", "spm_array_port", "bank_conflict",
          "spm_dma_port", "dma_issue", "dram_bandwidth", "dram_latency", "noc", "barrier", "dependency",
          "idle"]
CAUSE_COLOURS = {
    "compute": "#2ca02c",
    "spatial_underuse": "#bcbd22",
    "preload": "#dbdb8d",
    "fill_drain": "#98df8a",
    "spm_array_port": "#c5b0d5",
    "bank_conflict": "#9467bd",
    "spm_dma_port": "#8c564b",
    "dma_issue": "#e377c2",
    "dram_bandwidth": "#d62728",
    "dram_latency": "#ff9896",
    "noc": "#17becf",
    "barrier": "#1f77b4",
    "dependency": "#ff7f0e",
    "idle": "#c7c7c7",
}
COMPONENT_COLOURS = {
    "array": "#1f77b4",
    "scratchpad.ifmap": "#aec7e8",
    "scratchpad.weight": "#9edae5",
    "scratchpad.ofmap": "#17becf",
    "vector": "#bcbd22",
    "control": "#7f7f7f",
    "dram": "#d62728",
    "clock_tree": "#ff7f0e",
}
SPARE_COLOURS = ["#8c564b", "#e377c2", "#c49c94", "#dbdb8d", "#f7b6d2", "#c5b0d5"]
RUN_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
RUN_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<"]
TYPE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]

MAX_LAYER_LABELS = 96  # at most this many layer names on an x axis: every k-th beyond that


def run_colour(i):
    return RUN_COLOURS[i % len(RUN_COLOURS)]


def component_colours(components):
    spare = iter(SPARE_COLOURS)
    return {c: COMPONENT_COLOURS.get(c) or next(spare, "#7f7f7f") for c in components}


def describe(run):
    """'<config.name>, <network>, <dataflow>, <node>': which run a picture shows."""
    parts = [run["name"], run["network"], f"dataflow {run['dataflow']}"]
    if run["node"]:
        parts.append(f"{run['node']} energy")
    return ", ".join(p for p in parts if p)


def figure_title(what, runs, panels=False):
    """'<what>: <label> (<run>)'; in compare mode the labels, and (unless each panel names its
    run) a second line saying which run each label is."""
    if len(runs) == 1:
        return f"{what}: {runs[0]['label']} ({describe(runs[0])})"
    title = f"{what}: " + " vs ".join(r["label"] for r in runs)
    if not panels:
        who = [f"{r['label']} = {describe(r)}" for r in runs]
        title += "\n" + ("; ".join(who) if sum(len(w) + 2 for w in who) <= 150 else "\n".join(who))
    return title


def cycle_unit(peak):
    """A readable unit for a cycle count: (divisor, name)."""
    if peak >= 1e7:
        return 1e6, "Mcycles"
    if peak >= 1e4:
        return 1e3, "kcycles"
    return 1.0, "cycles"


def energy_unit(peak_pj):
    """A readable unit for an energy in pJ: (divisor, name)."""
    for divisor, name in ((1e12, "J"), (1e9, "mJ"), (1e6, "µJ"), (1e3, "nJ")):
        if peak_pj >= divisor:
            return divisor, name
    return 1.0, "pJ"


def number_text(v):
    """Three significant digits, thousands separated: 2,048; 25.6; 0.0123."""
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def same_layers(runs):
    names = [r["layers"]["name"] for r in runs]
    return all(n == names[0] for n in names)


def layer_energy(layers, i):
    return sum(v[i] for v in layers["energy_pj"].values())


def shown_layers(runs):
    """Per run, the indices of the layers drawn on per-layer axes: every layer except those with
    neither cycles nor energy (activations fused into the layer before them) in all runs. Runs
    with the same layer names keep the same indices, so their panels share the x axis."""
    def busy(layers, i):
        return layers["cycles"][i] > 0 or layer_energy(layers, i) > 0

    if same_layers(runs):
        n = len(runs[0]["layers"]["name"])
        keep = [i for i in range(n) if any(busy(r["layers"], i) for r in runs)]
        return [keep] * len(runs)
    return [[i for i in range(len(r["layers"]["name"])) if busy(r["layers"], i)] for r in runs]


def pick(values, idx):
    return np.array([values[i] for i in idx], dtype=float)


def label_layers(ax, names, omitted):
    """Layer names on the x axis, rotated; one every k layers when there are many."""
    n = len(names)
    step = max(1, math.ceil(n / MAX_LAYER_LABELS))
    ticks = list(range(0, n, step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([names[i] for i in ticks], rotation=90, fontsize=7 if n <= 50 else 6)
    ax.set_xlim(-0.6, n - 0.4)
    xlabel = f"layer, in network order ({n} layers"
    if step > 1:
        xlabel += f", every {step} named"
    if omitted:
        xlabel += f"; {omitted} fused layers with no cycles and no energy not shown"
    ax.set_xlabel(xlabel + ")")


def finish_layer_panel(ax, k, runs, run, title, legend_title, shared, names, shown):
    """Title (prefixed by the run in compare mode), the legend on the first panel, and the layer
    names under the last panel (or under every panel when the panels do not share x)."""
    if len(runs) > 1:
        title = f"{run['label']} ({describe(run)}): {title}"
    ax.set_title(title, fontsize=9, loc="left")
    if k == 0:
        legend_outside(ax, title=legend_title)
    if not shared or k == len(runs) - 1:
        label_layers(ax, [names[i] for i in shown], len(names) - len(shown))
    else:
        ax.tick_params(labelbottom=False)


def new_figure(nrows=1, sharex=False, sharey=False):
    fig, axes = plt.subplots(nrows, 1, figsize=FIG_SIZE_IN, dpi=DPI, sharex=sharex, sharey=sharey,
                             squeeze=False, layout="constrained")
    return fig, [row[0] for row in axes]


def legend_outside(ax, handles=None, title=None, fontsize=8):
    kwargs = dict(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=fontsize, frameon=False,
                  borderaxespad=0.0)
    if title:
        kwargs["title"] = title
        kwargs["title_fontsize"] = fontsize + 0.5
    if handles is not None:
        kwargs["handles"] = handles
    leg = ax.legend(**kwargs)
    leg._legend_box.align = "left"
    return leg


def style_axes(ax):
    ax.grid(True, axis="y", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# 1. Cycles by stall cause ------------------------------------------------------------------------


def cause_summary(layers):
    total = sum(sum(layers["cycle_breakdown"][c]) for c in CAUSES)
    compute = sum(layers["cycle_breakdown"]["compute"])
    return total, (100.0 * compute / total if total else 0.0)


def draw_cycles_by_cause(runs):
    shared = same_layers(runs)
    shown = shown_layers(runs)
    fig, axes = new_figure(len(runs), sharex=shared, sharey=shared)
    peak = max(max((sum(r["layers"]["cycle_breakdown"][c][i] for c in CAUSES) for i in idx), default=0)
               for r, idx in zip(runs, shown))
    divisor, unit = cycle_unit(peak)
    for k, (ax, run, idx) in enumerate(zip(axes, runs, shown)):
        layers = run["layers"]
        x = np.arange(len(idx))
        bottom = np.zeros(len(x))
        for cause in CAUSES:
            values = pick(layers["cycle_breakdown"][cause], idx) / divisor
            ax.bar(x, values, bottom=bottom, width=0.8, color=CAUSE_COLOURS[cause], label=cause.replace("_", " "),
                   linewidth=0)
            bottom += values
        style_axes(ax)
        if shared:
            ax.set_ylim(0, max(peak / divisor * 1.05, 1e-9))
        ax.set_ylabel(f"cycles ({unit})")
        total, compute_share = cause_summary(layers)
        title = f"total {number_text(total / divisor)} {unit}, {compute_share:.0f}% of them computing"
        finish_layer_panel(ax, k, runs, run, title, "stall cause", shared, layers["name"], idx)
    fig.suptitle(figure_title("Cycles per layer by stall cause", runs, panels=True), fontsize=11)
    return fig


# 2. Utilisation -----------------------------------------------------------------------------------


def mean_utilization(layers):
    """Cycle-weighted mean, in %: the share of the array's PE-cycles doing useful MACs."""
    cycles = np.array(layers["cycles"], dtype=float)
    util = np.array(layers["utilization"], dtype=float)
    return 100.0 * float((cycles * util).sum() / cycles.sum()) if cycles.sum() > 0 else 0.0


def draw_utilization(runs):
    fig, axes = new_figure(1)
    ax = axes[0]
    style_axes(ax)
    shown = shown_layers(runs)
    width = 0.8 / len(runs)
    for i, (run, idx) in enumerate(zip(runs, shown)):
        util = pick(run["layers"]["utilization"], idx) * 100.0
        x = np.arange(len(idx)) + (i - (len(runs) - 1) / 2.0) * width
        mean = mean_utilization(run["layers"])
        ax.bar(x, util, width=width, color=run_colour(i), linewidth=0, label=f"{run['label']}")
        ax.axhline(mean, color=run_colour(i), ls="--", lw=1.0,
                   label=f"{run['label']}: cycle-weighted mean {mean:.1f}%")
    longest = max(range(len(runs)), key=lambda i: len(shown[i]))
    if same_layers(runs):
        layers = runs[0]["layers"]
        label_layers(ax, [layers["name"][i] for i in shown[0]], len(layers["name"]) - len(shown[0]))
    else:
        ax.set_xlim(-0.6, len(shown[longest]) - 0.4)
        ax.set_xlabel("layer index, in network order (the runs have different layers)")
    ax.set_ylim(0, 105)
    ax.set_ylabel("PE utilisation (%)")
    legend_outside(ax, title="run" if len(runs) > 1 else None)
    fig.suptitle(figure_title("Array utilisation per layer", runs), fontsize=11)
    return fig


# 3. Roofline --------------------------------------------------------------------------------------


def roofline_points(run):
    """(intensity ops/B, GOP/s, type) per layer with MACs, and the count of layers with MACs that
    cannot be placed (no DRAM bytes, or no cycles)."""
    layers = run["layers"]
    points, unplaced = [], 0
    for macs, cycles, dram, kind in zip(layers["macs"], layers["cycles"], layers["dram_bytes"], layers["type"]):
        if macs <= 0:
            continue
        if dram <= 0 or cycles <= 0:
            unplaced += 1
            continue
        ops = 2.0 * macs
        seconds = cycles / (run["clock_mhz"] * 1e6)
        points.append((ops / dram, ops / seconds / 1e9, kind))
    return points, unplaced


def draw_roofline(runs):
    fig, axes = new_figure(1)
    ax = axes[0]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.grid(True, which="major", color="0.88", lw=0.6)
    ax.set_axisbelow(True)

    all_points = [roofline_points(r) for r in runs]
    xs = [p[0] for pts, _ in all_points for p in pts]
    ys = [p[1] for pts, _ in all_points for p in pts]
    peaks = [2.0 * r["rows"] * r["cols"] * r["clock_mhz"] / 1e3 for r in runs]  # GOP/s
    ridges = [peak / r["dram_peak_gbps"] if r["dram_peak_gbps"] else None for peak, r in zip(peaks, runs)]
    x_known = xs + [x for x in ridges if x]
    y_known = ys + peaks
    xlo = 10.0 ** math.floor(math.log10(min(x_known)) - 0.3) if x_known else 0.1
    xhi = 10.0 ** math.ceil(math.log10(max(x_known)) + 0.3) if x_known else 1e4
    ylo = 10.0 ** math.floor(math.log10(min(y_known)) - 0.3)
    yhi = 10.0 ** math.ceil(math.log10(max(y_known)) + 0.15)
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(ylo, yhi)

    handles = []
    styles = ["-", "--", ":", "-."]
    annotated = set()
    for i, (run, peak, ridge) in enumerate(zip(runs, peaks, ridges)):
        colour = "0.15" if len(runs) == 1 else run_colour(i)
        ls = styles[i % len(styles)]
        head = "roofs" if len(runs) == 1 else f"{run['label']} roofs"
        bw = run["dram_peak_gbps"]
        compute = (f"compute {number_text(peak)} GOP/s\n"
                   f"  = 2 x {run['rows']:g}x{run['cols']:g} PEs x {number_text(run['clock_mhz'])} MHz")
        if bw:
            xr = np.logspace(math.log10(xlo), math.log10(xhi), 400)
            ax.plot(xr, np.minimum(peak, bw * xr), color=colour, lw=1.6, ls=ls, zorder=2)
            ax.plot([ridge], [peak], marker="o", ms=7, mfc="white", mec=colour, mew=1.5, zorder=4, ls="none")
            if (ridge, peak) not in annotated:  # identical roofs share one label
                annotated.add((ridge, peak))
                ax.annotate(f"ridge {number_text(ridge)} ops/B", (ridge, peak), xytext=(-8, 6 + 12 * len(annotated) - 12),
                            textcoords="offset points", ha="right", va="bottom", fontsize=8, color=colour, zorder=5)
            handles.append(Line2D([], [], color=colour, ls=ls, lw=1.6,
                                  label=f"{head}: {compute}\n  DRAM {number_text(bw)} GB/s ({run['dram_kind']} model)"))
            handles.append(Line2D([], [], ls="none", marker="o", mfc="white", mec=colour, mew=1.5,
                                  label=f"ridge point {number_text(ridge)} ops/B"))
        else:
            ax.axhline(peak, color=colour, lw=1.6, ls=ls, zorder=2)
            handles.append(Line2D([], [], color=colour, ls=ls, lw=1.6,
                                  label=f"{head}: {compute}\n  no bandwidth roof ({run['dram_kind']} DRAM:\n"
                                        "  unlimited bandwidth)"))

    notes = []
    if len(runs) == 1:
        points, unplaced = all_points[0]
        types = sorted({p[2] for p in points})
        for j, t in enumerate(types):
            sel = [p for p in points if p[2] == t]
            colour = RUN_COLOURS[j % len(RUN_COLOURS)]
            marker = TYPE_MARKERS[j % len(TYPE_MARKERS)]
            ax.scatter([p[0] for p in sel], [p[1] for p in sel], s=22, marker=marker, color=colour, alpha=0.8,
                       edgecolors="white", linewidths=0.4, zorder=3)
            handles.append(Line2D([], [], ls="none", marker=marker, color=colour,
                                  label=f"{t or 'layer'} layers ({len(sel)})"))
        if unplaced:
            notes.append(f"{unplaced} layer{'s' if unplaced != 1 else ''} with MACs but no DRAM traffic "
                         "(or no cycles) cannot be placed on x and {} not drawn.".format(
                             "is" if unplaced == 1 else "are"))
    else:
        for i, (run, (points, unplaced)) in enumerate(zip(runs, all_points)):
            marker = RUN_MARKERS[i % len(RUN_MARKERS)]
            # Hollow markers, so that the runs' points stay visible where they coincide.
            ax.scatter([p[0] for p in points], [p[1] for p in points], s=26, marker=marker, facecolors="none",
                       edgecolors=run_colour(i), linewidths=1.1, zorder=3)
            handles.append(Line2D([], [], ls="none", marker=marker, mfc="none", mec=run_colour(i), mew=1.1,
                                  label=f"{run['label']}: {len(points)} layers"))
            if unplaced:
                notes.append(f"{run['label']}: {unplaced} layer{'s' if unplaced != 1 else ''} with MACs but "
                             "no DRAM traffic (or no cycles) not drawn.")
    ax.set_xlabel("arithmetic intensity (ops per DRAM byte)")
    ax.set_ylabel("achieved throughput (GOP/s)")
    legend_outside(ax, handles=handles, fontsize=7.5)
    notes.insert(0, "One point per layer with MACs: x = 2·MACs / (DRAM read + write bytes), "
                    "y = 2·MACs / (cycles / clock). Roof = min(compute peak, DRAM GB/s × x).")
    ax.set_title("\n".join(notes), fontsize=8, loc="left", color="0.3")
    fig.suptitle(figure_title("Roofline", runs), fontsize=11)
    return fig


# 4. Energy by component ---------------------------------------------------------------------------


def component_tick(c):
    # "scratchpad.ifmap@cores_2-3" (a heterogeneous NPU's class of cores) on three lines.
    return c.replace(".", "\n", 1).replace("@", "\n@", 1)


def draw_energy_by_component(runs):
    fig, axes = new_figure(1)
    ax = axes[0]
    style_axes(ax)
    components = []
    for run in runs:
        components += [c for c in run["total_energy_pj"] if c not in components]
    peak = max(v for r in runs for v in r["total_energy_pj"].values())
    divisor, unit = energy_unit(peak)
    x = np.arange(len(components))
    colours = component_colours(components)
    width = 0.8 / len(runs)
    for i, run in enumerate(runs):
        values = np.array([run["total_energy_pj"].get(c, 0.0) for c in components]) / divisor
        offset = (i - (len(runs) - 1) / 2.0) * width
        total = sum(run["total_energy_pj"].values())
        if len(runs) == 1:
            bars = ax.bar(x, values, width=0.7, color=[colours[c] for c in components], linewidth=0)
        else:
            bars = ax.bar(x + offset, values, width=width, color=run_colour(i), linewidth=0,
                          label=f"{run['label']}: total {number_text(total / divisor)} {unit}")
        for b, v in zip(bars, values):
            share = 100.0 * v * divisor / total if total else 0.0
            if len(runs) == 1:
                ax.annotate(f"{v:#.3g}\n({share:.1f}%)" if v else "0", (b.get_x() + b.get_width() / 2, v),
                            xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7.5)
            else:  # narrow bars: the value runs upwards
                ax.annotate(f"{v:#.3g}" if v else "0", (b.get_x() + b.get_width() / 2, v), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", rotation=90, fontsize=7)
    ax.set_xticks(x)
    ax.set_xticklabels([component_tick(c) for c in components], fontsize=8)
    ax.set_xlabel("component")
    ax.set_ylabel(f"energy ({unit})")
    ax.set_ylim(0, peak / divisor * (1.15 if len(runs) == 1 else 1.2))
    if len(runs) > 1:
        legend_outside(ax, title="run")
    notes = []
    for run in runs:
        total = sum(run["total_energy_pj"].values())
        s = run["energy_static_pj"]
        who = "" if len(runs) == 1 else f"{run['label']}: "
        if s > 0:
            notes.append(f"{who}static (leakage) energy {number_text(s / divisor)} {unit} "
                         f"({100.0 * s / total:.1f}% of the total) is included in the components.")
        elif len(runs) == 1:
            notes.append(f"total {number_text(total / divisor)} {unit}, all dynamic (no static power configured).")
    if notes:
        ax.set_title("\n".join(notes), fontsize=8, loc="left", color="0.3")
    fig.suptitle(figure_title("Energy by component over the whole run", runs), fontsize=11)
    return fig


# 5. Energy by layer -------------------------------------------------------------------------------


def draw_energy_by_layer(runs):
    shared = same_layers(runs)
    shown = shown_layers(runs)
    fig, axes = new_figure(len(runs), sharex=shared, sharey=shared)
    peak = max(max((layer_energy(r["layers"], i) for i in idx), default=0.0) for r, idx in zip(runs, shown))
    divisor, unit = energy_unit(peak)
    for k, (ax, run, idx) in enumerate(zip(axes, runs, shown)):
        layers = run["layers"]
        components = list(layers["energy_pj"])
        colours = component_colours(components)
        x = np.arange(len(idx))
        bottom = np.zeros(len(x))
        for c in components:
            values = pick(layers["energy_pj"][c], idx) / divisor
            ax.bar(x, values, bottom=bottom, width=0.8, color=colours[c], label=c, linewidth=0)
            bottom += values
        style_axes(ax)
        if shared:
            ax.set_ylim(0, max(peak / divisor * 1.05, 1e-9))
        ax.set_ylabel(f"energy ({unit})")
        total = sum(sum(v) for v in layers["energy_pj"].values())
        tdiv, tunit = energy_unit(total)
        title = f"total {number_text(total / tdiv)} {tunit}"
        finish_layer_panel(ax, k, runs, run, title, "component", shared, layers["name"], idx)
    fig.suptitle(figure_title("Energy per layer by component", runs, panels=True), fontsize=11)
    return fig


# 6. Power over time -------------------------------------------------------------------------------


def steps(begin, end, values):
    """Piecewise-constant curve: each window [begin, end) at its value."""
    x = np.empty(2 * len(begin))
    y = np.empty(2 * len(begin))
    x[0::2], x[1::2] = begin, end
    y[0::2], y[1::2] = values, values
    return x, y


def average_power(p):
    begin, end = np.array(p["begin_us"], dtype=float), np.array(p["end_us"], dtype=float)
    widths = end - begin
    total = np.array(p["total_w"], dtype=float)
    return float((total * widths).sum() / widths.sum()) if widths.sum() > 0 else 0.0


def draw_power(runs):
    fig, axes = new_figure(1)
    ax = axes[0]
    style_axes(ax)
    if len(runs) == 1:
        p = runs[0]["power"]
        begin, end = np.array(p["begin_us"], dtype=float), np.array(p["end_us"], dtype=float)
        components = list(p["components_w"])
        colours = component_colours(components)
        ys = []
        for c in components:
            x, y = steps(begin, end, np.array(p["components_w"][c], dtype=float))
            ys.append(y)
        # Edges in the face colour: windows narrower than a pixel still show their colour.
        polys = ax.stackplot(x, ys, colors=[colours[c] for c in components], labels=components, linewidth=0.3)
        for poly in polys:
            poly.set_edgecolor(poly.get_facecolor())
        total = np.array(p["total_w"], dtype=float)
        x, y = steps(begin, end, total)
        avg = average_power(p)
        ax.plot(x, y, color="black", lw=0.6, label="total")
        ax.axhline(avg, color="black", lw=1.0, ls="--", label=f"average {avg:.3g} W")
        ax.set_xlim(begin[0], end[-1])
        legend_outside(ax, title="component")
        window = float(end[0] - begin[0])
        ax.set_title(f"stacked areas: power per component, in windows of {number_text(window)} µs; "
                     f"peak window {float(total.max()):.3g} W", fontsize=8, loc="left", color="0.3")
    else:
        xmax = 0.0
        for i, run in enumerate(runs):
            p = run["power"]
            begin, end = np.array(p["begin_us"], dtype=float), np.array(p["end_us"], dtype=float)
            x, y = steps(begin, end, np.array(p["total_w"], dtype=float))
            avg = average_power(p)
            ax.plot(x, y, color=run_colour(i), lw=0.7, alpha=0.85,
                    label=f"{run['label']}: {number_text(end[-1])} µs")
            ax.axhline(avg, color=run_colour(i), lw=1.4, ls="--", label=f"{run['label']}: average {avg:.3g} W")
            xmax = max(xmax, float(end[-1]))
        ax.set_xlim(0, xmax)
        legend_outside(ax, title="total power per run")
        ax.set_title("each run on its own time axis, from its start", fontsize=8, loc="left", color="0.3")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("time (µs)")
    ax.set_ylabel("power (W)")
    fig.suptitle(figure_title("Power over time", runs), fontsize=11)
    return fig


# 7. NoC link utilization (multi-core runs on a mesh) ------------------------------------------------


def draw_noc_links(runs):
    """Each mesh run in a panel: routers on their grid, each direction of each link an arrow
    coloured by its utilization (flits / NoC cycles of the run), cores and memory controllers
    marked."""
    from matplotlib import cm, colors
    meshes = [r for r in runs if "noc" in r]
    fig, axes = plt.subplots(1, len(meshes), figsize=FIG_SIZE_IN, dpi=DPI, squeeze=False, layout="constrained")
    norm = colors.Normalize(vmin=0.0, vmax=max([l["utilization"] for r in meshes for l in r["noc"]["links"]] + [1e-9]))
    cmap = plt.get_cmap("inferno_r")
    for ax, run in zip(axes[0], meshes):
        noc = run["noc"]
        nx, ny = int(noc["x"]), int(noc["y"])
        pos = lambda n: (int(n) % nx, int(n) // nx)
        for link in sorted(noc["links"], key=lambda l: l["utilization"]):
            (x0, y0), (x1, y1) = pos(link["from"]), pos(link["to"])
            dx, dy = x1 - x0, y1 - y0
            ox, oy = -dy * 0.08, dx * 0.08  # the two directions side by side
            ax.annotate("", xy=(x1 - dx * 0.22 + ox, y1 - dy * 0.22 + oy), xytext=(x0 + dx * 0.22 + ox, y0 + dy * 0.22 + oy),
                        arrowprops=dict(arrowstyle="-|>", lw=3.0, color=cmap(norm(link["utilization"])),
                                        shrinkA=0, shrinkB=0, mutation_scale=12))
        cores = {int(n): i for i, n in enumerate(noc["cores"])}
        memory = {int(n) for n in noc["memory"]}
        for n in range(nx * ny):
            x, y = pos(n)
            label = []
            if n in cores:
                label.append(f"C{cores[n]}")
            if n in memory:
                label.append("MC")
            face = "#d62728" if n in memory else ("#1f77b4" if n in cores else "white")
            ax.add_patch(plt.Rectangle((x - 0.13, y - 0.13), 0.26, 0.26, facecolor=face, edgecolor="0.3", zorder=3))
            ax.text(x, y, "\n".join(label) if label else str(n), ha="center", va="center", fontsize=7,
                    color="white" if label else "0.3", zorder=4)
        ax.set_xlim(-0.5, nx - 0.5)
        ax.set_ylim(ny - 0.5, -0.5)
        ax.set_aspect("equal")
        ax.set_xticks(range(nx))
        ax.set_yticks(range(ny))
        ax.set_xlabel("mesh x")
        ax.set_ylabel("mesh y")
        if len(meshes) > 1:
            ax.set_title(run["label"], fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    bar = fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=list(axes[0]), shrink=0.8)
    bar.set_label("link utilization (flits / NoC cycles)")
    fig.suptitle(figure_title("NoC link utilization (C = core, MC = memory controller)", meshes, panels=True))
    return fig


def peak_of(run):
    return max(sum(c[k] for k in CAUSES) for c in run["cores"])


def draw_cycles_by_core(runs):
    """Each multi-core run in a panel: per core, its cycles over the whole run stacked by cause
    (each bar is the run's total). Under layer pipelining the later cores' barrier share is the
    pipeline's fill and the earlier cores' idle share its drain."""
    multi = [r for r in runs if "cores" in r]
    fig, axes = new_figure(len(multi))
    peak = max(peak_of(r) for r in multi)
    divisor, unit = cycle_unit(peak)
    for k, (ax, run) in enumerate(zip(axes, multi)):
        cores = run["cores"]
        x = np.arange(len(cores))
        bottom = np.zeros(len(x))
        for cause in CAUSES:
            values = np.array([c[cause] for c in cores], dtype=float) / divisor
            ax.bar(x, values, bottom=bottom, width=0.7, color=CAUSE_COLOURS[cause], label=cause.replace("_", " "),
                   linewidth=0)
            bottom += values
        style_axes(ax)
        ax.set_xticks(x)
        ax.set_xticklabels([f"core {i}" for i in range(len(cores))], fontsize=8)
        ax.set_ylabel(f"cycles ({unit})")
        ax.set_ylim(0, max(peak / divisor * 1.05, 1e-9))  # one scale: the panels' totals compare
        computing = [round(100.0 * c["compute"] / max(sum(c[q] for q in CAUSES), 1e-9)) for c in cores]
        share = f"{min(computing)}" if min(computing) == max(computing) else f"{min(computing)}-{max(computing)}"
        ax.set_title(f"{run['label'] + ': ' if len(multi) > 1 else ''}total {number_text(peak_of(run) / divisor)} "
                     f"{unit}; each core computing {share}% of it", fontsize=9, loc="left")
        if k == 0:
            legend_outside(ax, title="stall cause")
    fig.suptitle(figure_title("Cycles per core by stall cause, over the whole run", multi, panels=True), fontsize=11)
    return fig


DRAWINGS = {
    "cycles_by_cause": draw_cycles_by_cause,
    "utilization": draw_utilization,
    "roofline": draw_roofline,
    "energy_by_component": draw_energy_by_component,
    "energy_by_layer": draw_energy_by_layer,
    "power": draw_power,
    "noc_links": draw_noc_links,
    "cycles_by_core": draw_cycles_by_core,
    "llm_batch": lambda runs: plot_llm.draw_llm_batch(runs, FIG_SIZE_IN, RUN_COLOURS, RUN_MARKERS, CAUSE_COLOURS),
}


def save(fig, path, fmt):
    if fmt == "svg":
        fig.savefig(path, format="svg", metadata={"Date": None, "Creator": "systole plot"})
    else:
        fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 1
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    plt.rcParams.update(
        {
            "svg.hashsalt": "systole-plot",
            "svg.fonttype": "none",  # text stays text: labels are searchable in the SVG
            "font.family": "DejaVu Sans",
            "font.size": 9,
        }
    )
    runs = spec["runs"]
    for name, path in spec["outputs"].items():
        save(DRAWINGS[name](runs), path, spec["format"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
