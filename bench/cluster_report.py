#!/usr/bin/env python3
"""Turns a bench/cluster.sh results directory into docs/bench/cluster.md and
the "Cross-node broadcast" section of docs/benchmarks.md.

    cluster_report.py RESULTS REPORT_MD
"""
import re
import statistics
import sys

from doc_sections import replace_section
from run_stats import (all_runs, benchmarks_page, commands, errors, f2, generator_bound, get, load, load_range,
                       median, ms, n0, paired_ratio, ratio_text, run_info, write_report)

SETUPS = [("single", "single node"), ("cluster3", "3 nodes, subscribers spread, publisher on node 1")]


def drops(runs):
    return sum(get(r, "deliveries", "drops") or 0 for r in runs)


def not_completed(runs):
    return sum(1 for r in runs if r.get("status") != "completed")


def busy(runs):
    """Median over runs of server CPU % + generator CPU % (100 = one CPU)."""
    values = [get(r, "server", "cpu_pct") + get(r, "generator", "cpu_pct_of_one_thread") for r in runs
              if get(r, "server", "cpu_pct") is not None and get(r, "generator", "cpu_pct_of_one_thread") is not None]
    return statistics.median(values) if values else None


def node_cpu(runs):
    """Median CPU seconds of each node over the runs ("a / b / c"), or "-"."""
    each = [get(r, "server", "cpu_s_each") for r in runs]
    each = [e for e in each if e]
    if not each:
        return "-"
    return " / ".join(f"{statistics.median(e[i] for e in each):.2f}" for i in range(len(each[0])))


def per_node_share(runs):
    """Deliveries to each node's subscribers as a share of all, summed over the runs."""
    sums = None
    for r in runs:
        per = get(r, "deliveries", "received_per_port")
        if not per:
            continue
        sums = per if sums is None else [a + b for a, b in zip(sums, per)]
    if not sums or not sum(sums):
        return "-"
    return " / ".join(f"{100 * s / sum(sums):.1f}%" for s in sums)


def setup_rows(data, mode, *keys):
    """(setup, label, runs, ratio, ratios) of each setup run in MODE (max or paced);
    the ratios of KEYS against the single node's, paired by run."""
    for setup, label in SETUPS:
        runs = data.get(f"{mode}-{setup}")
        if runs:
            yield (setup, label, runs) + paired_ratio(data, f"{mode}-{setup}", f"{mode}-single", *keys)


def max_table(data, lines):
    lines += ["| setup | deliveries/s (median) | all runs | cluster3 / single (median of per-run ratios) | "
              "per-run ratios | p50 ms | p99 ms | server CPU % (all nodes) | server CPU µs / delivery | "
              "CPU s per node (median) | generator CPU % | server + generator CPU % | "
              "generator-bound runs | drops | errors |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for setup, label, runs, ratio, ratios in setup_rows(data, "max", "deliveries", "deliveries_per_s"):
        single = setup == "single"
        lines.append(
            f"| {label} | {n0(median(runs, 'deliveries', 'deliveries_per_s'))} | "
            f"{all_runs(runs, n0, 'deliveries', 'deliveries_per_s')} | "
            f"{'1' if single else ratio_text(ratio)} | "
            f"{'' if single else ', '.join(ratio_text(x) for x in ratios)} | "
            f"{ms(median(runs, 'latency_us', 'p50'))} | {ms(median(runs, 'latency_us', 'p99'))} | "
            f"{n0(median(runs, 'server', 'cpu_pct'))} | {f2(median(runs, 'server', 'cpu_us_per_delivery'))} | "
            f"{node_cpu(runs)} | {n0(median(runs, 'generator', 'cpu_pct_of_one_thread'))} | "
            f"{n0(busy(runs))} | {generator_bound(runs)} of {len(runs)} | {drops(runs)} | {errors(runs)} |")


def paced_table(data, lines):
    lines += ["| setup | deliveries/s (median) | p50 ms | p99 ms (all runs) | cluster3 / single p99 "
              "(median of per-run ratios) | p99.9 ms | max ms | server CPU % (all nodes) | "
              "server CPU µs / delivery | CPU s per node (median) | drops | errors |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for setup, label, runs, ratio, _ in setup_rows(data, "paced", "latency_us", "p99"):
        lines.append(
            f"| {label} | {n0(median(runs, 'deliveries', 'deliveries_per_s'))} | "
            f"{ms(median(runs, 'latency_us', 'p50'))} | {ms(median(runs, 'latency_us', 'p99'))} "
            f"({all_runs(runs, ms, 'latency_us', 'p99')}) | "
            f"{'1' if setup == 'single' else ratio_text(ratio)} | "
            f"{ms(median(runs, 'latency_us', 'p999'))} | {ms(median(runs, 'latency_us', 'max'))} | "
            f"{n0(median(runs, 'server', 'cpu_pct'))} | {f2(median(runs, 'server', 'cpu_us_per_delivery'))} | "
            f"{node_cpu(runs)} | {drops(runs)} | {errors(runs)} |")


def cpus_count(info):
    m = re.match(r"(\d+) CPUs", info.get("machine", ""))
    return int(m.group(1)) if m else 0


def cpus(info):
    m = re.match(r"(\d+) CPUs", info.get("machine", ""))
    return f"{m.group(1)} CPUs" if m else "the CPUs"


def main():
    results, report = sys.argv[1:3]
    data = load(results)
    info = run_info(results)
    runs = max((len(v) for v in data.values()), default=0)
    span = load_range(results)
    first = next(iter(data.values()), [{}])[0]
    subscribers = get(first, "params", "subscribers") or 0
    msgs = get(data.get("max-single", [{}])[0], "params", "msgs")
    window = get(data.get("max-single", [{}])[0], "params", "window")
    paced = data.get("paced-single", [{}])[0]
    rate, duration = get(paced, "params", "rate"), get(paced, "params", "duration")
    incomplete = sum(not_completed(v) for v in data.values())
    lines = ["# Cross-node broadcast: 3 local nodes beside one", "",
             f"Produced by `bench/cluster.sh`, run started {info['started']} at commit {info['commit']} "
             f"(server binary built {info.get('server_built', '?')}); "
             f"{info['machine']}. The generator and every node share these {cpus(info)}: the three nodes "
             "and the generator compete for them, so the cluster figures show what one small machine "
             "does with a cluster's extra work, not what three machines would do"
             + (f"; 1-minute load {span[0]:.1f} to {span[1]:.1f} before the runs" if span else "")
             + f". {runs} runs per row, a fresh node or cluster for each, both setups in turn within "
             "each repetition; medians unless stated. Ratios pair each cluster run with the single-node "
             "run of the same repetition."
             + (f" {incomplete} run(s) did not complete (see their JSON)." if incomplete else ""), "",
             f"One topic, {subscribers:,} subscribers and one publisher, ~100-byte broadcasts. "
             "**single**: every socket on one node. **cluster3**: three nodes on loopback, each seeding "
             "all three, started and waited for until each node's `/metrics` showed "
             "`realtime_cluster_members 2`; subscriber i joins node i mod 3, the publisher node 1. "
             "A broadcast on node 1 goes once to each of the two other nodes, which fan it out to "
             "their own subscribers. Latency is publish to receive in the generator, on one clock.", "",
             "Server CPU is the sum over every node (`--server-pid` once per node), in % of one CPU; "
             "the per-node column gives each node's CPU seconds in the measured phase (node 1 first). "
             f"Server + generator near {cpus_count(info) * 100}% means the machine itself was the "
             "limit. A run is generator-bound when the generator used over 90% of its thread.", "",
             f"## At the maximum ({msgs:,} broadcasts, window {window}: at most {window} x subscribers "
             "deliveries outstanding)", ""]
    max_table(data, lines)
    share = per_node_share(data.get("max-cluster3", []))
    lines += ["", "In max mode the rate is about the deliveries outstanding (up to window x subscribers) "
              "divided by the publish-to-receive time, so whatever lengthens that time (waiting for a "
              "CPU, one more hop through another node) lowers it.",
              "", f"Deliveries to the subscribers of nodes 1 / 2 / 3 in the cluster runs: {share}.", "",
              f"## Latency at {rate:g} broadcasts/s ({rate * subscribers:,.0f} deliveries/s) for "
              f"{duration:g} s" if rate and duration else "## Paced", ""]
    paced_table(data, lines)
    lines += ["", "## Commands", "", "Each run's nodes (`# node K:`) and generator; the cluster ports "
              "and client ports change from run to run.", ""]
    commands(results, lines)
    write_report(report, lines)

    page = benchmarks_page(report, "cluster")
    if not page:
        return
    parts = []
    single, cluster = data.get("max-single"), data.get("max-cluster3")
    if single and cluster:
        ratio, _ = paired_ratio(data, "max-cluster3", "max-single", "deliveries", "deliveries_per_s")
        parts.append(f"at the maximum (window {window}) {n0(median(cluster, 'deliveries', 'deliveries_per_s'))} "
                     f"deliveries/s over 3 nodes against {n0(median(single, 'deliveries', 'deliveries_per_s'))} "
                     f"on one ({ratio_text(ratio)}x), server CPU "
                     f"{f2(median(cluster, 'server', 'cpu_us_per_delivery'))} against "
                     f"{f2(median(single, 'server', 'cpu_us_per_delivery'))} µs per delivery (all nodes summed)")
    ps, pc = data.get("paced-single"), data.get("paced-cluster3")
    if ps and pc:
        parts.append(f"at {rate:g} broadcasts/s p50 / p99 {ms(median(pc, 'latency_us', 'p50'))} / "
                     f"{ms(median(pc, 'latency_us', 'p99'))} ms over 3 nodes against "
                     f"{ms(median(ps, 'latency_us', 'p50'))} / {ms(median(ps, 'latency_us', 'p99'))} ms on one")
    all_runs_ = [r for v in data.values() for r in v]
    parts.append(f"drops {drops(all_runs_)}")
    replace_section(page, "cluster", "bench/cluster.sh", [
        "## Cross-node broadcast", "",
        f"{subscribers:,} subscribers on one topic, spread over 3 local nodes, one publisher on node 1, "
        "beside the same load on one node: [bench/cluster.md](bench/cluster.md), produced by "
        f"`bench/cluster.sh`; the generator and the three nodes share {cpus(info)}. Medians of the last run: "
        + "; ".join(parts) + "."])


if __name__ == "__main__":
    main()
