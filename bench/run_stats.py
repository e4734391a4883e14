"""What the report scripts of the repeated benchmark commands share.

Their results directories hold files named CONFIG.RUN.EXT (RUN: the
repetition, from 1): the generator's JSON (CONFIG.RUN.json), its command
(CONFIG.RUN.cmd) and the command's own extras. Figures are medians over the
runs of a configuration.
"""
import glob
import json
import os
import re
import statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def split_name(filename, suffix):
    """("CONFIG", "RUN") of a file named CONFIG.RUN<suffix>, or None."""
    if not filename.endswith(suffix):
        return None
    config, dot, run = filename[: -len(suffix)].rpartition(".")
    if not dot or not run.isdigit():
        return None
    return config, run


def load(results):
    """{config: [the generator's JSON of each run, in run order]}."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, "*.json"))):
        name = split_name(os.path.basename(path), ".json")
        if name:
            runs.setdefault(name[0], []).append(json.load(open(path)))
    return runs


def get(run, *keys):
    value = run
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def median(runs, *keys):
    values = [v for v in (get(r, *keys) for r in runs) if v is not None]
    return statistics.median(values) if values else None


def all_runs(runs, fmt, *keys):
    return ", ".join(fmt(get(r, *keys)) for r in runs if get(r, *keys) is not None)


def n0(x):
    return "-" if x is None else f"{x:,.0f}"


def ms(us):
    return "-" if us is None else f"{us / 1000:.1f}"


def f2(x):
    return "-" if x is None else f"{x:.2f}"


def paired_ratio(data, config, reference, *keys):
    """Median and list of the per-run ratios config / reference (run r against run r)."""
    ratios = []
    for a, b in zip(data.get(config, []), data.get(reference, [])):
        x, y = get(a, *keys), get(b, *keys)
        if x and y:
            ratios.append(x / y)
    return (statistics.median(ratios) if ratios else None), ratios


def ratio_text(r):
    return "-" if r is None else f"{r:.2f}"


def errors(runs):
    return sum(get(r, "errors", "total") or 0 for r in runs)


def generator_bound(runs):
    return sum(1 for r in runs if r.get("generator_bound"))


def run_info(results):
    """What the command recorded when it started (run.txt: key=value)."""
    info = {"commit": "unknown", "started": "unknown", "machine": "unknown machine"}
    path = os.path.join(results, "run.txt")
    if os.path.exists(path):
        for line in open(path):
            key, sep, value = line.strip().partition("=")
            if sep:
                info[key] = value
    return info


def load_range(results):
    """(lowest, highest) 1-minute load recorded before the runs (load.txt), or None."""
    path = os.path.join(results, "load.txt")
    if not os.path.exists(path):
        return None
    loads = [float(m.group(1)) for m in re.finditer(r"load: ([\d.]+)", open(path).read())]
    return (min(loads), max(loads)) if loads else None


def commands(results, lines, suffix=".cmd"):
    """The first run's command of every configuration (files CONFIG.RUN<suffix>),
    as a code block."""
    lines += ["```"]
    seen = set()
    for path in sorted(glob.glob(os.path.join(results, "*" + suffix))):
        name = split_name(os.path.basename(path), suffix)
        if name and name[0] not in seen:
            seen.add(name[0])
            lines.append(open(path).read().strip().replace(os.path.dirname(path) + "/", ""))
    lines += ["```"]


def write_report(report, lines):
    os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
    with open(report, "w") as f:
        f.write("\n".join(lines) + "\n")


def benchmarks_page(report, name):
    """docs/benchmarks.md when the report is the command's own docs/bench/NAME.md
    (its section there follows it), else None (a report written elsewhere
    leaves docs/ alone)."""
    docs = os.path.join(ROOT, "docs")
    if os.path.abspath(report) != os.path.join(docs, "bench", f"{name}.md"):
        return None
    return os.path.join(docs, "benchmarks.md")
