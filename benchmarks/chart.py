"""Draw docs/benchmarks.png from the JSON the two benchmarks write.

    .venv/bin/python benchmarks/inprocess.py --json benchmarks/results/inprocess.json
    scripts/bench-load.sh --json benchmarks/results/load.json
    .venv/bin/python benchmarks/chart.py            # -> docs/benchmarks.png

Left: in-process µs per ASGI call (log scale: Starlette's hostile cases cost milliseconds).
Right: requests/s under wrk, relative to the bare app (drawn when the load JSON exists).
``scripts/bench-inprocess.sh --chart`` runs the first and this script in one go.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COLOURS = {"bare": "#9e9e9e", "starlette": "#e07b39", "corskit": "#2b7bba"}
LABELS = {
    "bare": "bare ASGI app",
    "starlette": "Starlette CORSMiddleware 1.10",
    "corskit": "corskit",
}


def _short(case: str) -> str:
    return (
        case.replace("GET, ", "GET\n")
        .replace("preflight, hostile ACRH ", "preflight\nhostile ACRH\n")
        .replace(" + patterns, last matches", "\n+ patterns")
        .replace("1,000 origins", "1,000 origins")
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="draw docs/benchmarks.png")
    ap.add_argument("--inprocess", default=str(ROOT / "benchmarks/results/inprocess.json"))
    ap.add_argument("--load", default=str(ROOT / "benchmarks/results/load.json"))
    ap.add_argument("--out", default=str(ROOT / "docs/benchmarks.png"))
    args = ap.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    inproc_path, load_path = Path(args.inprocess), Path(args.load)
    if not inproc_path.exists():
        print(
            f"error: {inproc_path} not found; run benchmarks/inprocess.py --json {inproc_path}",
            file=sys.stderr,
        )
        return 2
    inproc: dict[str, Any] = json.loads(inproc_path.read_text())
    load: dict[str, Any] | None = json.loads(load_path.read_text()) if load_path.exists() else None

    fig, axes = plt.subplots(1, 2 if load else 1, figsize=(15 if load else 9, 5.6), squeeze=False)
    variants = ("bare", "starlette", "corskit")

    ax = axes[0][0]
    rows = inproc["results"]
    width = 0.27
    for i, v in enumerate(variants):
        xs = [j + (i - 1) * width for j in range(len(rows))]
        meds = [r[v]["median_us"] for r in rows]
        lo = [r[v]["median_us"] - r[v]["q1_us"] for r in rows]
        hi = [r[v]["q3_us"] - r[v]["median_us"] for r in rows]
        ax.bar(xs, meds, width, yerr=[lo, hi], color=COLOURS[v], label=LABELS[v], capsize=2)
    for j, r in enumerate(rows):
        ratio = r["corskit_vs_starlette"]
        ax.annotate(
            f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.3f}x",
            (j + width, r["corskit"]["q3_us"]),
            textcoords="offset points",
            xytext=(0, 4),
            ha="center",
            fontsize=7,
            color=COLOURS["corskit"],
        )
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([_short(r["case"]) for r in rows], fontsize=7)
    ax.set_ylabel("µs per ASGI call (median, IQR bars; log scale)")
    meta = inproc["meta"]
    ax.set_title(
        f"In-process cost per call (labels: corskit / Starlette)\n"
        f"Python {meta['python']}, Starlette {meta['starlette']}, corskit {meta['corskit']}",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(axis="y", alpha=0.3)

    if load:
        ax = axes[0][1]
        cases = load["results"]
        for i, v in enumerate(variants):
            ratios = []
            for c in cases:  # median of the per-repeat ratios, as benchmarks/load.py reports
                ratios.append(
                    statistics.median(
                        run["rps"] / bare["rps"] for run, bare in zip(c[v], c["bare"], strict=True)
                    )
                )
            xs = [j + (i - 1) * width for j in range(len(cases))]
            bars = ax.bar(xs, ratios, width, color=COLOURS[v], label=LABELS[v])
            for bar, ratio in zip(bars, ratios, strict=True):
                ax.annotate(
                    f"{ratio:.2f}",
                    (bar.get_x() + bar.get_width() / 2, ratio),
                    textcoords="offset points",
                    xytext=(0, 2),
                    ha="center",
                    fontsize=7,
                )
        ax.axhline(0.95, color=COLOURS["corskit"], linestyle="--", linewidth=1, label="target 0.95")
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels([_short(c["case"]) for c in cases], fontsize=8)
        ax.set_ylabel("requests/s relative to the bare app (median of per-repeat ratios)")
        lm = load["meta"]
        note = " (UNRELIABLE: machine busy)" if lm.get("unreliable") else ""
        ax.set_title(
            f"uvicorn {lm['uvicorn']} + wrk, 1 worker on 1 CPU{note}\n"
            f"{lm['cpu']}, {lm['duration']} s x {lm['repeats']} runs",
            fontsize=9,
        )
        ax.set_ylim(0, 1.15)
        ax.legend(fontsize=7, loc="lower left")
        ax.grid(axis="y", alpha=0.3)

    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
