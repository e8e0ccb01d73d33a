#!/usr/bin/python3
"""Draws a NoC's latency-throughput curve from `systole noctest --sweep-rate --plot FILE`: average
and p99 packet latency against offered load (left), accepted against offered load (right), with
the zero-load latency and the highest accepted rate marked.

Usage: noc_curve.py SPEC.json

SPEC.json (written by src/cli/noctest_command.cpp):
  {"out": path, "format": "png" | "svg", "title": str, "zero_load": float,
   "points": [{"offered": float, "accepted": float, "latency_avg": float, "latency_p99": int,
               "drained": bool}, ...]}

Output is deterministic: fixed figure size and DPI, no date or software version in the metadata,
and a fixed SVG id salt.

Exit codes: 0 drawn; 4 matplotlib cannot be imported (the caller names the Debian package);
1 anything else (a bad spec), with the reason on stderr.
"""

import json
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as e:  # the CLI turns exit code 4 into "install python3-matplotlib"
    print(f"cannot import matplotlib: {e}", file=sys.stderr)
    sys.exit(4)


def draw(spec):
    points = spec["points"]
    if not points:
        raise ValueError("no points")
    offered = [p["offered"] for p in points]
    accepted = [p["accepted"] for p in points]
    avg = [p["latency_avg"] for p in points]
    p99 = [p["latency_p99"] for p in points]
    drained = [p["drained"] for p in points]

    matplotlib.rcParams["svg.hashsalt"] = "systole"
    fig, (lat_ax, thr_ax) = plt.subplots(1, 2, figsize=(13, 5.5), dpi=100)
    fig.suptitle(spec["title"], fontsize=11)

    lat_ax.plot(offered, avg, "o-", color="#1f77b4", label="average")
    lat_ax.plot(offered, p99, "s--", color="#ff7f0e", label="p99")
    undrained = [(o, a) for o, a, d in zip(offered, avg, drained) if not d]
    if undrained:
        lat_ax.plot([u[0] for u in undrained], [u[1] for u in undrained], "x", color="#d62728", markersize=10,
                    label="not drained (a lower bound)")
    lat_ax.axhline(spec["zero_load"], color="grey", linestyle=":", label=f"zero-load {spec['zero_load']:.1f}")
    lat_ax.set_yscale("log")
    lat_ax.set_xlabel("offered load (flits/node/cycle)")
    lat_ax.set_ylabel("packet latency (NoC cycles, log)")
    lat_ax.set_title("latency")
    lat_ax.grid(True, which="both", alpha=0.3)
    lat_ax.legend(loc="upper left", fontsize=9)

    top = max(max(offered), max(accepted)) * 1.05
    thr_ax.plot([0, top], [0, top], ":", color="grey", label="accepted = offered")
    thr_ax.plot(offered, accepted, "o-", color="#2ca02c", label="accepted")
    best = max(range(len(accepted)), key=lambda i: accepted[i])
    thr_ax.annotate(f"highest accepted {accepted[best]:.3f}", (offered[best], accepted[best]),
                    textcoords="offset points", xytext=(-40, -60), fontsize=9, ha="center",
                    arrowprops={"arrowstyle": "->", "color": "grey"})
    thr_ax.set_xlim(0, top)
    thr_ax.set_ylim(0, top)
    thr_ax.set_xlabel("offered load (flits/node/cycle)")
    thr_ax.set_ylabel("accepted (flits/node/cycle)")
    thr_ax.set_title("throughput")
    thr_ax.grid(True, alpha=0.3)
    thr_ax.legend(loc="upper left", fontsize=9)

    fig.subplots_adjust(left=0.07, right=0.98, top=0.86, bottom=0.12, wspace=0.22)
    fig.savefig(spec["out"], format=spec["format"], metadata={"Date": None, "Software": None}
                if spec["format"] == "svg" else {"Software": None})
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
