#!/usr/bin/env python3
"""Turns a bench/authorization.sh results directory into docs/bench/authorization.md
and the "Authorization" section of docs/benchmarks.md.

    authorization_report.py RESULTS REPORT_MD
"""
import glob
import os
import re
import statistics
import sys

from doc_sections import replace_section
from run_stats import (all_runs, benchmarks_page, commands, errors, f2, get, load, load_range, median, ms, n0,
                       paired_ratio, ratio_text, run_info, split_name, write_report)


def proc_figures(results):
    """{config: [{server_s, pg_s, wall_s} of each run]} from CONFIG.RUN.proc.txt."""
    out = {}
    for path in sorted(glob.glob(os.path.join(results, "*.proc.txt"))):
        name = split_name(os.path.basename(path), ".proc.txt")
        if not name:
            continue
        fields = dict(kv.split("=", 1) for kv in open(path).read().split())
        tck = float(fields["clk_tck"])
        out.setdefault(name[0], []).append({"server_s": int(fields["server_ticks"]) / tck,
                                            "pg_s": int(fields["pg_ticks"]) / tck,
                                            "wall_s": float(fields["wall_s"])})
    return out


def rows_written(results, config):
    """Rows each run's writer committed (pgbench transactions x 2 rows)."""
    out = []
    for path in sorted(glob.glob(os.path.join(results, f"{config}.*.writer.txt"))):
        m = re.search(r"number of transactions actually processed: (\d+)", open(path).read())
        out.append(int(m.group(1)) * 2 if m else None)
    return out


def joins(run):
    return (get(run, "connections", "ready") or 0) + (get(run, "connections", "extra_joins") or 0)


def per_1000_joins(runs, procs, key):
    """Median over runs of CPU ms per 1,000 joins answered."""
    values = [p[key] * 1e6 / joins(r) for r, p in zip(runs, procs) if joins(r) > 0]
    return statistics.median(values) if values else None


def storm_configs(data, kind):
    """(config, label) of one storm kind: public first, then the pool sizes in order."""
    pools = sorted((int(c.rsplit("pool", 1)[1]), c) for c in data if c.startswith(f"{kind}-private-pool"))
    return [(f"{kind}-public", "public")] + [(c, f"private, pool {p}") for p, c in pools]


def storm_table(data, procs, kind, lines):
    lines += ["| channels | joins/s (median) | all runs | private / public (median of per-run ratios) | "
              "per-run ratios | join p50 ms | join p99 ms | server CPU % | server CPU ms / 1,000 joins | "
              "PostgreSQL CPU ms / 1,000 joins | errors |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    public = f"{kind}-public"
    for config, label in storm_configs(data, kind):
        runs = data.get(config)
        if not runs:
            continue
        ratio, ratios = paired_ratio(data, config, public, "connections", "joins_per_s")
        pr = procs.get(config, [])
        lines.append(
            f"| {label} | {n0(median(runs, 'connections', 'joins_per_s'))} | "
            f"{all_runs(runs, n0, 'connections', 'joins_per_s')} | "
            f"{'1' if config == public else ratio_text(ratio)} | "
            f"{'' if config == public else ', '.join(ratio_text(x) for x in ratios)} | "
            f"{ms(median(runs, 'join_latency_us', 'p50'))} | {ms(median(runs, 'join_latency_us', 'p99'))} | "
            f"{n0(median(runs, 'server', 'cpu_pct'))} | {n0(per_1000_joins(runs, pr, 'server_s'))} | "
            f"{n0(per_1000_joins(runs, pr, 'pg_s'))} | {errors(runs)} |")


CHANGES = [("changes-open", "open_t, no row level security, authenticated token"),
           ("changes-rls-service", "secure_t, row level security, service_role token (bypasses it)"),
           ("changes-rls-auth", "secure_t, row level security, authenticated token (half the rows its own)")]


def changes_table(results, data, procs, skipped, lines):
    lines += ["| table, token | live subscribers | rows written | rows due per subscriber | "
              "deliveries/s (median) | all runs | / open | p50 ms | p99 ms (all runs) | p99 / open | "
              "drops | duplicates | server CPU % | server CPU µs / delivery | PostgreSQL CPU s | errors |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for config, label in CHANGES:
        runs = data.get(config)
        if not runs:
            if config in skipped:
                lines.append(f"| {label} | skipped: {skipped[config]} |" + " |" * 14)
            continue
        written = [w for w in rows_written(results, config) if w is not None]
        rate, _ = paired_ratio(data, config, "changes-open", "deliveries", "deliveries_per_s")
        p99, _ = paired_ratio(data, config, "changes-open", "latency_us", "p99")
        pg = [p["pg_s"] for p in procs.get(config, [])]
        lines.append(
            f"| {label} | {n0(median(runs, 'changes', 'live_subscribers'))} | "
            f"{n0(statistics.median(written) if written else None)} | "
            f"{n0(median(runs, 'params', 'expect'))} | "
            f"{n0(median(runs, 'deliveries', 'deliveries_per_s'))} | "
            f"{all_runs(runs, n0, 'deliveries', 'deliveries_per_s')} | "
            f"{'1' if config == 'changes-open' else ratio_text(rate)} | "
            f"{ms(median(runs, 'latency_us', 'p50'))} | {ms(median(runs, 'latency_us', 'p99'))} "
            f"({all_runs(runs, ms, 'latency_us', 'p99')}) | "
            f"{'1' if config == 'changes-open' else ratio_text(p99)} | "
            f"{sum(get(r, 'deliveries', 'drops') or 0 for r in runs)} | "
            f"{sum(get(r, 'changes', 'duplicates') or 0 for r in runs)} | "
            f"{n0(median(runs, 'server', 'cpu_pct'))} | {f2(median(runs, 'server', 'cpu_us_per_delivery'))} | "
            f"{f2(statistics.median(pg) if pg else None)} | {errors(runs)} |")


def skipped_variants(results):
    path = os.path.join(results, "skipped.txt")
    if not os.path.exists(path):
        return {}
    out = {}
    for line in open(path):
        config, _, why = line.strip().partition(": ")
        out[config] = why
    return out


def code_block(path, lines):
    if os.path.exists(path):
        lines += ["```", open(path).read().strip(), "```"]


def main():
    results, report = sys.argv[1:3]
    data = load(results)
    procs = proc_figures(results)
    info = run_info(results)
    skipped = skipped_variants(results)
    runs = max((len(v) for v in data.values()), default=0)
    span = load_range(results)
    lines = ["# Authorization: private channels and row-level-checked Postgres changes", "",
             f"Produced by `bench/authorization.sh`, run started {info['started']} at commit "
             f"{info['commit']} ({info.get('dirty_files', '?')} files changed in the work tree); "
             f"{info['machine']}; {info.get('postgres', 'PostgreSQL')}. The generator, the server and "
             f"PostgreSQL share the CPUs"
             + (f", with other work on the machine (1-minute load {span[0]:.1f} to {span[1]:.1f} "
                "before the runs)" if span else "")
             + f". {runs} runs per row, a fresh server for each, every configuration once per run in "
             "turn; medians unless stated. Ratios pair each run with the public run of the same "
             "repetition.", "",
             "Server CPU % is the generator's sample over its measured phase; the CPU per 1,000 joins "
             "comes from /proc before and after the generator (the server process; for PostgreSQL the "
             "postmaster, its live children and the children it reaped), divided by every join "
             "answered ok. The token is the same in the public and the private runs (role "
             "`authenticated` with a `sub`).", "",
             "## Private joins: new sockets, one join each", ""]
    storm_table(data, procs, "storm", lines)
    lines += ["", "## Private joins on open sockets", "",
              "Every socket joined first (not counted), then all of them join their other channels at "
              "once; joins/s runs from the first of those joins to the last answer. The join latency is "
              "the first joins'; the CPU per 1,000 joins counts both phases.", ""]
    storm_table(data, procs, "multi", lines)
    lines += ["", "## Postgres changes under row level security", "",
              "One topic per table, every subscriber with the same binding (INSERT on the table); "
              "the writer commits transactions of two rows, one owned by the subscribers' `sub` and "
              "one by someone else, at a fixed rate (pgbench -R). Latency is commit to client "
              "(the row's `clock_timestamp()` to receipt). Drops are rows due and not received.", ""]
    changes_table(results, data, procs, skipped, lines)
    lines += ["", "## Setup", "", "Run parameters: `" + info.get("params", "") + "`.", ""]
    code_block(os.path.join(results, "setup.sql"), lines)
    lines += ["", "## Commands", "", "Server (the pool size varies, `--authorization-pool-size`):", ""]
    server_cmds = sorted(glob.glob(os.path.join(results, "storm-private-pool*.server.cmd")))
    if server_cmds:
        code_block(server_cmds[0], lines)
    lines += ["", "Generator (`$AUTHENTICATED_TOKEN`: `realtime token --role authenticated --sub ...`, "
              "`$SERVICE_ROLE_TOKEN`: `--role service_role`):", ""]
    commands(results, lines, ".cmd")
    lines += ["", "Writer:", ""]
    commands(results, lines, ".writer.cmd")
    write_report(report, lines)

    page = benchmarks_page(report, "authorization")
    if page:
        write_section(data, skipped, page)


def write_section(data, skipped, benchmarks_md):
    parts = []
    for kind, what in (("storm", "new sockets"), ("multi", "open sockets")):
        public = median(data.get(f"{kind}-public", []), "connections", "joins_per_s")
        pools = []
        for config, label in storm_configs(data, kind)[1:]:
            ratio, _ = paired_ratio(data, config, f"{kind}-public", "connections", "joins_per_s")
            pools.append(f"{n0(median(data[config], 'connections', 'joins_per_s'))} "
                         f"({label.split(', ')[1]}, {ratio_text(ratio)}x)")
        if public is not None:
            parts.append(f"joins on {what}: public {n0(public)}/s, private " + ", ".join(pools))
    for config, label in (("changes-open", "changes, no row level security"),
                          ("changes-rls-service", "row level security bypassed (service_role)"),
                          ("changes-rls-auth", "row level security checked")):
        runs = data.get(config)
        if runs:
            parts.append(f"{label}: {n0(median(runs, 'deliveries', 'deliveries_per_s'))} deliveries/s, "
                         f"p99 {ms(median(runs, 'latency_us', 'p99'))} ms")
        elif config in skipped:
            parts.append(f"{label}: not run ({skipped[config]})")
    replace_section(benchmarks_md, "authorization", "bench/authorization.sh", [
        "## Authorization", "",
        "Private channels and row-level-checked Postgres changes against their public counterparts: "
        "[bench/authorization.md](bench/authorization.md), produced by `bench/authorization.sh`. "
        "Medians of the last run: " + "; ".join(parts) + "."])


if __name__ == "__main__":
    main()
