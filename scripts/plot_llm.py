"""The llm_batch picture of `systole plot` (imported by plot.py): decoder steps' tokens/s and
joules per token against batch size, one series per (network, arch, phase, context), each point
marked with what bounds it (report.json llm.bound.cause). It shows where batching stops paying:
tokens/s grows with the batch while the step streams the same weights, until the array (or the KV
cache's traffic) becomes the limit.

Each run's spec carries "llm": {"phase", "batch", "cached_tokens", "new_tokens", "tokens_per_s",
"j_per_token", "bound"} (src/cli/plot_run_reader.cpp, which checked every field).
"""

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

SHORT_CAUSE = {
    "compute": "array",
    "spatial_underuse": "array (under-used)",
    "preload": "preload",
    "fill_drain": "fill/drain",
    "spm_array_port": "SPM port",
    "bank_conflict": "bank conflicts",
    "spm_dma_port": "SPM port (DMA)",
    "dma_issue": "DMA issue",
    "dram_bandwidth": "DRAM bw",
    "dram_latency": "DRAM latency",
    "noc": "NoC",
    "barrier": "barrier",
    "dependency": "dependency",
    "idle": "idle",
}


def series_of(runs):
    """{key: [run, ...] sorted by batch}, keys in first-seen order."""
    out = {}
    for run in runs:
        if "llm" not in run:
            continue
        llm = run["llm"]
        context = (f"{int(llm['new_tokens'])}-token prompt" if llm["phase"] == "prefill"
                   else f"{int(llm['cached_tokens'])} cached tokens")
        key = f"{run['network']} on {run['name']}: {llm['phase']}, {context}"
        out.setdefault(key, []).append(run)
    for key in out:
        out[key].sort(key=lambda r: r["llm"]["batch"])
    return out


def draw_llm_batch(runs, fig_size, colours, markers, cause_colours):
    series = series_of(runs)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=fig_size, sharex=True)
    for k, (key, members) in enumerate(series.items()):
        batch = [r["llm"]["batch"] for r in members]
        tps = [r["llm"]["tokens_per_s"] for r in members]
        jpt = [r["llm"]["j_per_token"] * 1e3 for r in members]
        colour, marker = colours[k % len(colours)], markers[k % len(markers)]
        top.plot(batch, tps, color=colour, marker=marker, label=key)
        bottom.plot(batch, jpt, color=colour, marker=marker, label=key)
        for r, x, y in zip(members, batch, tps):
            cause = r["llm"]["bound"]
            top.annotate(SHORT_CAUSE.get(cause, cause), (x, y), textcoords="offset points", xytext=(4, -10 - 8 * k),
                         fontsize=7, color=cause_colours.get(cause, "#333333"))
    for ax in (top, bottom):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.margins(x=0.08, y=0.12)
        ax.grid(True, which="major", linewidth=0.4, alpha=0.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    top.set_ylabel("tokens / s")
    bottom.set_ylabel("mJ / token")
    bottom.set_xlabel("batch (sequences per step)")
    all_batches = sorted({r["llm"]["batch"] for m in series.values() for r in m})
    bottom.set_xticks(all_batches)
    bottom.set_xticklabels([str(int(b)) for b in all_batches])
    top.legend(fontsize=8, loc="upper left", frameon=False)
    top.set_title("Each point is labelled with the largest cause on its critical path", fontsize=9, loc="left")
    fig.suptitle("LLM steps: tokens/s and energy per token against batch", fontsize=11)
    fig.tight_layout()
    return fig
