#!/usr/bin/env python3
"""Turns a bench/presence.sh results directory into docs/bench/presence.md and
the short "Presence" section of docs/benchmarks.md.

    presence_report.py RESULTS REPORT_MD
"""
import sys

from doc_sections import replace_section
from run_stats import (all_runs, benchmarks_page, commands, f2, generator_bound, get, load, median, ms, n0,
                       run_info, write_report)

CONFIGS = [
    ("paced-50", "update churn, 50 tracks/s"),
    ("paced-200", "update churn, 200 tracks/s"),
    ("paced-1000", "update churn, 1,000 tracks/s"),
    ("paced-5000", "update churn, 5,000 tracks/s offered"),
    ("untrack-1000", "track/untrack churn, 1,000 messages/s"),
    ("max-10", "max: re-track on reply, window 10"),
    ("max-50", "max: re-track on reply, window 50"),
]
REFERENCES = [("bcast-200", "broadcast, 200 messages/s"), ("bcast-1000", "broadcast, 1,000 messages/s")]


def drops(runs):
    total = 0
    for r in runs:
        total += (get(r, "deliveries", "drops") or 0) + (get(r, "presence", "tracker_drops") or 0)
    return total


def presence_table(data, lines):
    lines += ["| run | tracks/s acknowledged (median) | all runs | diff deliveries/s to observers "
              "(median) | all deliveries/s incl. trackers | p50 ms | p99 ms (all runs) | p99.9 ms | "
              "reply p50 ms | server CPU % | server CPU µs / delivery | generator-bound runs | drops |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for config, label in CONFIGS:
        runs = data.get(config)
        if not runs:
            continue
        lines.append(
            f"| {label} | {n0(median(runs, 'presence', 'track_acks_per_s'))} | "
            f"{all_runs(runs, n0, 'presence', 'track_acks_per_s')} | "
            f"{n0(median(runs, 'presence', 'observer_diffs_per_s'))} | "
            f"{n0(median(runs, 'presence', 'all_diffs_per_s'))} | "
            f"{ms(median(runs, 'latency_us', 'p50'))} | {ms(median(runs, 'latency_us', 'p99'))} "
            f"({all_runs(runs, ms, 'latency_us', 'p99')}) | {ms(median(runs, 'latency_us', 'p999'))} | "
            f"{ms(median(runs, 'answer_latency_us', 'p50'))} | {n0(median(runs, 'server', 'cpu_pct'))} | "
            f"{f2(median(runs, 'server', 'cpu_us_per_delivery'))} | {generator_bound(runs)} of {len(runs)} | "
            f"{drops(runs)} |")


def reference_table(data, lines):
    lines += ["| run | deliveries/s (median) | p50 ms | p99 ms | server CPU % | server CPU µs / delivery | "
              "presence_diff µs / delivery at the same rate | diff / broadcast |",
              "|---|---|---|---|---|---|---|---|"]
    pairs = {"bcast-200": "paced-200", "bcast-1000": "paced-1000"}
    ratios = {}
    for config, label in REFERENCES:
        runs = data.get(config)
        if not runs:
            continue
        ref = median(runs, "server", "cpu_us_per_delivery")
        diff = median(data.get(pairs[config], []), "server", "cpu_us_per_delivery")
        ratio = diff / ref if diff and ref else None
        ratios[config] = ratio
        lines.append(
            f"| {label} | {n0(median(runs, 'deliveries', 'deliveries_per_s'))} | "
            f"{ms(median(runs, 'latency_us', 'p50'))} | {ms(median(runs, 'latency_us', 'p99'))} | "
            f"{n0(median(runs, 'server', 'cpu_pct'))} | {f2(ref)} | {f2(diff)} | "
            f"{'-' if ratio is None else f'{ratio:.2f}x'} |")
    return ratios


def main():
    results, report = sys.argv[1:3]
    data = load(results)
    info = run_info(results)
    runs = max((len(v) for v in data.values()), default=0)
    lines = ["# Presence churn", "",
             f"Produced by `bench/presence.sh`, run started {info['started']} at commit {info['commit']}; "
             f"{info['machine']}; the generator and the server share the CPUs. "
             f"{runs} runs per row, a fresh server for each; medians unless stated.", "",
             "1,000 observers and 50 trackers join one `realtime:` topic with presence enabled; the "
             "trackers churn and every change sends one `presence_diff` to all 1,050 channels (the "
             "tracker's own included). Latency runs from the track leaving the generator to the diff "
             "reaching an observer, on one clock; the reply latency is the track's ok reply at its "
             "tracker. A run is generator-bound when the generator used over 90% of its thread.", "",
             "## Churn", ""]
    presence_table(data, lines)
    lines += ["", "## Against a broadcast of the same size to the same channels", ""]
    ratios = reference_table(data, lines)
    lines += ["", "## Commands", ""]
    commands(results, lines)
    write_report(report, lines)

    page = benchmarks_page(report, "presence")
    if not page:
        return
    parts = []
    for config, label in (("paced-1000", "1,000 tracks/s"), ("max-50", "tracks as fast as replies come")):
        rs = data.get(config)
        if rs:
            parts.append(f"{label}: {n0(median(rs, 'presence', 'track_acks_per_s'))} tracks/s acknowledged, "
                         f"{n0(median(rs, 'presence', 'all_diffs_per_s'))} diff deliveries/s, p99 "
                         f"{ms(median(rs, 'latency_us', 'p99'))} ms, drops {drops(rs)}")
    if ratios.get("bcast-1000"):
        parts.append(f"server CPU per diff delivery {ratios['bcast-1000']:.2f}x a broadcast delivery's at the "
                     "same rate (the server near one core in both, so this does not isolate the tracker's cost)")
    replace_section(page, "presence", "bench/presence.sh", [
        "## Presence churn", "",
        "1,000 observers and 50 trackers on one topic: [bench/presence.md](bench/presence.md), produced by "
        "`bench/presence.sh`. Medians of the last run: " + "; ".join(parts) + "."])


if __name__ == "__main__":
    main()
