#!/usr/bin/env python3
"""Turns a bench/cdc.sh results directory into docs/bench/cdc.md and refreshes
the short "Postgres Changes" section at the end of docs/benchmarks.md (between
the markers below; bench/report.py keeps that section when it rewrites the
page). Usage: cdc_report.py RESULTS_DIR OUT_MARKDOWN [BENCHMARKS_MD]"""

import glob
import json
import os
import re
import statistics
import sys

from doc_sections import replace_section
from run_stats import n0


NAMES = {
    "ours": "realtime (this server), 1 subscriber",
    "recvlogical": "pg_recvlogical, pgoutput proto 1",
    "polling": "Supabase-style polling (wal2json, 100 per call)",
    "notify": "trigger + LISTEN/NOTIFY",
    "none": "writer alone",
}
WORKLOADS = {
    "W1": "100k single-row transactions, pgbench -c 2 -j 2, max rate, async commit",
    "W1s": "100k single-row transactions, pgbench -c 4 -j 2, max rate, synchronous commit (PostgreSQL's default)",
    "W2": "one 100k-row transaction, async commit",
    "W3": "5,000 rows/s for 10 s, single-row transactions, async commit (default WAL writer)",
    "W3f": "W3 with wal_writer_delay = 1ms, wal_writer_flush_after = 0",
    "W3s": "W3 with synchronous_commit = on (pgbench -c 8)",
}
RATE_TARGET = 5000


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def ticks(path):
    """CPU seconds and context switches from a sampler file (ticks vol nonvol)."""
    try:
        parts = open(path).read().split()
        return int(parts[0]) / 100.0, int(parts[1]) + int(parts[2])
    except (OSError, ValueError, IndexError):
        return None, None


def measurement(results, name):
    """One measurement (consumer + writer + CPU samples) as a flat dict."""
    _, contender, mode, workload = name.split(".")
    base = os.path.join(results, name)
    m = {"name": name, "contender": contender, "mode": mode, "workload": workload}
    w = load_json(base + ".writer.json")
    if w:
        m.update(writer_tps=w["tps"], writer_rows=w["rows"], writer_s=w["seconds"],
                 writer_end=w["end_unix_us"], writer_start=w["start_unix_us"],
                 writer_status=w["status"])
    c = load_json(base + ".json")
    if c is None:
        return m
    dec_cpu, dec_cs = ticks(base + ".walsender.final")
    con_cpu, con_cs = ticks(base + ".consumer.final")
    if contender == "ours":
        ch = c["changes"]
        m.update(status=c["status"], stop=ch["stop_reason"], rows=ch["frames"],
                 unique=ch["unique_rows"], dups=ch["duplicates"],
                 rate_start=ch["rows_per_s_from_join"], rate_fl=ch["rows_per_s_first_last"],
                 first_to_last=ch["first_to_last_s"], start_to_last=ch["join_to_last_s"],
                 first=ch["first_unix_us"], last=ch["last_unix_us"],
                 lat=c["latency_us"], consumer_cpu=c["server"]["cpu_s"],
                 consumer_cpu_note="server process", errors=c["errors"]["total"])
    else:
        m.update(status="completed", stop=c["stop_reason"], rows=c["rows"],
                 unique=c["unique_rows"], dups=c["duplicates"],
                 rate_start=c["rows_per_s_from_start"], rate_fl=c["rows_per_s_first_last"],
                 first_to_last=c["first_to_last_s"], start_to_last=c["start_to_last_s"],
                 first=c["first_unix_us"], last=c["last_unix_us"], lat=c["latency_us"],
                 errors=0)
        own = c.get("self_cpu_s", 0.0)
        if contender == "recvlogical":
            m["consumer_cpu"] = (con_cpu or 0.0) + own
            m["consumer_cpu_note"] = "pg_recvlogical + decoding sink"
        else:
            m["consumer_cpu"] = (con_cpu if con_cpu is not None else own)
            m["consumer_cpu_note"] = "client process"
        if contender == "polling":
            m["calls"] = c.get("calls")
    if dec_cpu is not None:
        m["decoder_cpu"] = dec_cpu
        m["decoder_cs"] = dec_cs
    wall = load_json(base + ".wall.json")
    if wall:
        m["wall_s"] = wall["wall_s"]
    expected = m.get("writer_rows") or 0
    m["missing"] = max(expected - m["unique"], 0) if expected else None
    if mode == "live" and "writer_end" in m and m.get("last"):
        m["lag_s"] = (m["last"] - m["writer_end"]) / 1e6
    if m.get("rows"):
        m["cpu_per_row"] = m["consumer_cpu"] * 1e6 / m["rows"] if m.get("consumer_cpu") is not None else None
        if "decoder_cpu" in m:
            m["decoder_per_row"] = m["decoder_cpu"] * 1e6 / m["rows"]
    if workload.startswith("W3") and m.get("writer_s"):
        m["offered"] = m.get("writer_tps")
    return m


def collect(results):
    names = set()
    for path in glob.glob(os.path.join(results, "r*.*.*.*.writer.json")):
        names.add(os.path.basename(path)[: -len(".writer.json")])
    for path in glob.glob(os.path.join(results, "r*.*.*.*.json")):
        base = os.path.basename(path)[:-5]
        if base.count(".") == 3 and not base.endswith((".writer", ".wall")):
            names.add(base)
    runs = {}
    for name in names:
        m = measurement(results, name)
        key = (m["contender"], m["mode"], m["workload"])
        run = int(name.split(".")[0][1:])
        runs.setdefault(key, []).append((run, m))
    return {k: [m for _, m in sorted(v, key=lambda x: x[0])] for k, v in runs.items()}


def values(ms, key, sub=None):
    out = []
    for m in ms:
        v = m.get(key)
        if sub is not None and isinstance(v, dict):
            v = v.get(sub)
        if v is not None:
            out.append(v)
    return out


def med(ms, key, sub=None):
    v = values(ms, key, sub)
    return statistics.median(v) if v else None


def k(x):
    return "-" if x is None else f"{x / 1000:,.1f}k"


def f1(x):
    return "-" if x is None else f"{x:,.1f}"


def f2(x):
    return "-" if x is None else f"{x:,.2f}"


def ms_(us):
    return "-" if us is None else f"{us / 1000:,.1f}"


def runs_list(ms, key, fmt, sub=None):
    return ", ".join(fmt(v) for v in values(ms, key, sub))


def machine(results):
    info = {}
    path = os.path.join(results, "machine.txt")
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                key, _, value = line.strip().partition("=")
                info[key] = value
    return info


def loads(results):
    path = os.path.join(results, "load.txt")
    if not os.path.exists(path):
        return []
    return [float(m.group(1)) for m in re.finditer(r"load: ([0-9.]+)", open(path).read())]


def verdict(ok):
    return "met" if ok else "**MISSED**"


def ratio(a, b):
    return a / b if a is not None and b else None


def paired(data, key_a, key_b, metric):
    """Per-repetition ratios a/b (same run number), in run order."""
    b_by_run = {m["name"].split(".")[0]: m.get(metric) for m in data.get(key_b, [])}
    out = []
    for m in data.get(key_a, []):
        b = b_by_run.get(m["name"].split(".")[0])
        if b and m.get(metric) is not None:
            out.append(m[metric] / b)
    return out


def writer_alone(data, w):
    return data.get(("none", "live", w), []) + data.get(("none2", "live", w), [])


def writer_target(data, w, lines, summary):
    base = values(writer_alone(data, w), "writer_tps")
    ours_tps = med(data.get(("ours", "live", w), []), "writer_tps")
    if not base or not ours_tps:
        return
    b = statistics.median(base)
    change = ours_tps / b - 1
    # The noise band is the range of the writer-alone runs (first and last
    # measurement of every repetition): within it, no effect is shown.
    ok = min(base) <= ours_tps <= max(base)
    others = "; ".join(f"{NAMES[c]} {med(data.get((c, 'live', w), []), 'writer_tps') / b - 1:+.0%}"
                       for c in ("recvlogical", "notify") if data.get((c, "live", w)))
    lines.append(f"| writer throughput unchanged within noise while we stream | {w} | {n0(ours_tps)} tps with us vs "
                 f"{n0(b)} alone ({change:+.0%}); noise band = the {len(base)} writer-alone runs, "
                 f"{n0(min(base))} to {n0(max(base))} tps; for comparison {others} | {verdict(ok)} |")
    summary[f"writer_{w}"] = (change, ok)


def targets(data, lines):
    ours_b1 = med(data.get(("ours", "backlog", "W1"), []), "rate_start")
    rl_b1 = med(data.get(("recvlogical", "backlog", "W1"), []), "rate_start")
    ours_b2 = med(data.get(("ours", "backlog", "W2"), []), "rate_start")
    rl_b2 = med(data.get(("recvlogical", "backlog", "W2"), []), "rate_start")
    poll_b1 = med(data.get(("polling", "backlog", "W1"), []), "rate_start")
    poll_b2 = med(data.get(("polling", "backlog", "W2"), []), "rate_start")
    ours_l1 = med(data.get(("ours", "live", "W1"), []), "rate_fl")
    rl_l1 = med(data.get(("recvlogical", "live", "W1"), []), "rate_fl")
    lines += ["| target | workload | measured (medians) | verdict |", "|---|---|---|---|"]
    summary = {}
    for w, ours, rl in (("W1", ours_b1, rl_b1), ("W2", ours_b2, rl_b2)):
        r = ratio(ours, rl)
        if r is not None:
            per_run = paired(data, ("ours", "backlog", w), ("recvlogical", "backlog", w), "rate_start")
            lines.append(f"| rows/s delivered >= 80% of pg_recvlogical (backlog drain, start to last row) | {w} | "
                         f"{n0(ours)} vs {n0(rl)} rows/s = **{r:.0%}** (per repetition: "
                         f"{', '.join(f'{x:.0%}' for x in per_run)}) | {verdict(r >= 0.8)} |")
            summary[f"recvlogical_{w}"] = (r, r >= 0.8)
    r = ratio(ours_l1, rl_l1)
    if r is not None:
        lines.append(f"| (for information) the same while streaming live | W1 | {n0(ours_l1)} vs {n0(rl_l1)} "
                     f"rows/s first to last = {r:.0%} | {verdict(r >= 0.8)} |")
    for w, ours, poll in (("W1", ours_b1, poll_b1), ("W2", ours_b2, poll_b2)):
        r = ratio(ours, poll)
        if r is not None:
            per_run = paired(data, ("ours", "backlog", w), ("polling", "backlog", w), "rate_start")
            lines.append(f"| >= 10x the polling approach (backlog drain) | {w} | {n0(ours)} vs {n0(poll)} rows/s = "
                         f"**{r:.1f}x** (per repetition: {', '.join(f'{x:.1f}x' for x in per_run)}) | "
                         f"{verdict(r >= 10)} |")
            summary[f"polling_{w}"] = (r, r >= 10)
    for w in ("W1", "W1s"):
        writer_target(data, w, lines, summary)
    for w in ("W3", "W3f", "W3s"):
        ms = data.get(("ours", "live", w), [])
        p99 = med(ms, "lat", "p99")
        rate = med(ms, "offered")
        if p99 is None:
            continue
        at_rate = rate is not None and rate >= 0.95 * RATE_TARGET
        rl = med(data.get(("recvlogical", "live", w), []), "lat", "p99")
        ok = p99 < 10000 and at_rate
        note = "" if at_rate else f" (the writer reached only {n0(rate)} rows/s, so not a test at 5,000)"
        lines.append(f"| p99 commit-to-client < 10 ms at 5,000 rows/s | {w} | p99 {ms_(p99)} ms at {n0(rate)} rows/s "
                     f"offered; pg_recvlogical p99 {ms_(rl)} ms{note} | {verdict(ok)} |")
        summary[f"p99_{w}"] = (p99, ok, rate)
    return summary


def backlog_table(data, lines):
    lines += ["| contender | workload | rows/s, start to last row (median) | all runs | rows/s, first to last row | "
              "consumer CPU µs/row | decoder CPU µs/row (walsender or backend) | missing / duplicates |",
              "|---|---|---|---|---|---|---|---|"]
    for contender in ("ours", "recvlogical", "polling"):
        for w in ("W1", "W2"):
            ms = data.get((contender, "backlog", w), [])
            if not ms:
                continue
            lines.append(f"| {NAMES[contender]} | {w} | **{n0(med(ms, 'rate_start'))}** | "
                         f"{runs_list(ms, 'rate_start', n0)} | {n0(med(ms, 'rate_fl'))} | "
                         f"{f1(med(ms, 'cpu_per_row'))} | {f1(med(ms, 'decoder_per_row'))} | "
                         f"{sum(values(ms, 'missing'))} / {sum(values(ms, 'dups'))} |")


def live_table(data, lines):
    lines += ["| contender | W1 writer tps | W1 rows/s first to last | W1 last row after the writer ended, s | "
              "W2 last row after the commit, s | consumer CPU µs/row (W1) | missing / duplicates (all live runs) |",
              "|---|---|---|---|---|---|---|"]
    for contender in ("ours", "recvlogical", "notify"):
        w1 = data.get((contender, "live", "W1"), [])
        w2 = data.get((contender, "live", "W2"), [])
        every = [m for (c, mode, _), ms in data.items() if c == contender and mode == "live" for m in ms]
        lines.append(f"| {NAMES[contender]} | {n0(med(w1, 'writer_tps'))} | {n0(med(w1, 'rate_fl'))} | "
                     f"{f2(med(w1, 'lag_s'))} | {f2(med(w2, 'lag_s'))} | {f1(med(w1, 'cpu_per_row'))} | "
                     f"{sum(values(every, 'missing'))} / {sum(values(every, 'dups'))} |")


def latency_table(data, lines):
    lines += ["| workload | contender | rows/s offered (writer) | rows received | p50 ms | p99 ms (all runs) | max ms | "
              "last row after the writer ended, s |", "|---|---|---|---|---|---|---|---|"]
    for w in ("W3", "W3f", "W3s"):
        for contender in ("ours", "recvlogical", "polling", "notify"):
            ms = data.get((contender, "live", w), [])
            if not ms:
                continue
            lines.append(f"| {w} | {NAMES[contender]} | {n0(med(ms, 'offered'))} | {n0(med(ms, 'rows'))} | "
                         f"{ms_(med(ms, 'lat', 'p50'))} | **{ms_(med(ms, 'lat', 'p99'))}** "
                         f"({runs_list(ms, 'lat', ms_, 'p99')}) | {ms_(med(ms, 'lat', 'max'))} | "
                         f"{f2(med(ms, 'lag_s'))} |")


def writer_table(data, lines):
    lines += ["| workload | consumer while pgbench runs | writer tps (median) | all runs | vs writer alone |",
              "|---|---|---|---|---|"]
    for w in ("W1", "W1s"):
        none = writer_alone(data, w)
        base = statistics.median(values(none, "writer_tps")) if none else None
        rows = [("writer alone (first and last of each run)", none)]
        for contender in ("ours", "recvlogical", "notify"):
            rows.append((NAMES[contender] + " streaming", data.get((contender, "live", w), [])))
        for label, ms in rows:
            tps = med(ms, "writer_tps")
            rel = "-" if tps is None or not base or label.startswith("writer alone") else f"{tps / base - 1:+.0%}"
            lines.append(f"| {w} | {label} | {n0(tps)} | {runs_list(ms, 'writer_tps', n0)} | {rel} |")


def thread_table(results, data, lines):
    ms = data.get(("ours", "backlog", "W1"), [])
    if not ms:
        return
    lines += ["| run | rows | server thread | CPU s | CPU µs/row | context switches | switches/row |",
              "|---|---|---|---|---|---|---|"]
    for m in ms:
        base = os.path.join(results, m["name"])
        try:
            before = {l.split()[0]: l.split() for l in open(base + ".threads.before") if l.strip()}
            after = [l.split() for l in open(base + ".threads.after") if l.strip()]
        except OSError:
            continue
        rows = m.get("rows") or 1
        for tid, comm, t, v, nv in after:
            b = before.get(tid, [tid, comm, "0", "0", "0"])
            cpu = (int(t) - int(b[2])) / 100.0
            cs = int(v) + int(nv) - int(b[3]) - int(b[4])
            if cpu < 0.05 and cs < 1000:
                continue
            lines.append(f"| {m['name'].split('.')[0]} | {rows:,} | {tid} {comm}{' (new: WAL reader)' if tid not in before else ''} | "
                         f"{cpu:.2f} | {cpu * 1e6 / rows:.1f} | {cs:,} | {cs / rows:.2f} |")
        dec = m.get("decoder_cpu")
        if dec is not None:
            lines.append(f"| {m['name'].split('.')[0]} | {rows:,} | walsender (PostgreSQL) | {dec:.2f} | "
                         f"{dec * 1e6 / rows:.1f} | - | - |")
    rl = data.get(("recvlogical", "backlog", "W1"), [])
    for m in rl:
        if m.get("consumer_cpu") is not None:
            lines.append(f"| {m['name'].split('.')[0]} | {m.get('rows', 0):,} | for comparison: pg_recvlogical + sink | "
                         f"{m['consumer_cpu']:.2f} | {m.get('cpu_per_row') or 0:.1f} | - | - |")
        if m.get("decoder_cpu") is not None:
            lines.append(f"| {m['name'].split('.')[0]} | {m.get('rows', 0):,} | for comparison: its walsender | "
                         f"{m['decoder_cpu']:.2f} | {m.get('decoder_per_row') or 0:.1f} | - | - |")


def all_runs(data, lines):
    lines += ["| measurement | writer tps | rows | unique | missing | dups | stop | rows/s start→last | rows/s first→last | "
              "p50 ms | p99 ms | max ms | lag s | consumer CPU s | decoder CPU s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    every = sorted((m for ms in data.values() for m in ms),
                   key=lambda m: (m["contender"], m["mode"], m["workload"], m["name"]))
    for m in every:
        lat = m.get("lat") or {}
        lines.append(f"| {m['name']} | {n0(m.get('writer_tps'))} | {n0(m.get('rows'))} | {n0(m.get('unique'))} | "
                     f"{n0(m.get('missing'))} | {n0(m.get('dups'))} | {m.get('stop', '-')} | "
                     f"{n0(m.get('rate_start'))} | {n0(m.get('rate_fl'))} | {ms_(lat.get('p50'))} | "
                     f"{ms_(lat.get('p99'))} | {ms_(lat.get('max'))} | {f2(m.get('lag_s'))} | "
                     f"{f2(m.get('consumer_cpu'))} | {f2(m.get('decoder_cpu'))} |")


def tidy_command(text, results):
    """Paths relative to the results directory; quotes around the arguments that
    older runs recorded unquoted (a libpq conninfo, a psql -c statement)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for prefix in (os.path.abspath(results) + "/", os.path.relpath(os.path.abspath(results), root) + "/"):
        text = text.replace(prefix, "")
    text = re.sub(r"--conninfo (host=\S+ port=\S+ user=\S+ dbname=\S+)", r"--conninfo '\1'", text)
    text = re.sub(r"-c (insert into .* g)$", r'-c "\1"', text)
    return text


def commands(results, lines):
    lines.append("```")
    for pattern in ("r1.*.writer.cmd", "r1.*[0-9a-z].cmd"):
        for path in sorted(glob.glob(os.path.join(results, pattern))):
            if pattern.endswith("[0-9a-z].cmd") and path.endswith(".writer.cmd"):
                continue
            lines.append(f"# {os.path.basename(path)[:-4]}")
            lines.append(tidy_command(open(path).read().strip(), results))
    lines.append("```")


def write_section(benchmarks_md, summary, report_rel):
    parts = []
    for key, label in (("recvlogical_W1", "of pg_recvlogical's drain rate, 100k single-row transactions"),
                       ("recvlogical_W2", "of pg_recvlogical's drain rate, one 100k-row transaction")):
        if key in summary:
            r, ok = summary[key]
            parts.append(f"{r:.0%} {label} ({'met' if ok else 'MISSED'}, target 80%)")
    for key, label in (("polling_W1", "the polling approach, single-row transactions"),):
        if key in summary:
            r, ok = summary[key]
            parts.append(f"{r:.1f}x {label} ({'met' if ok else 'MISSED'}, target 10x)")
    for w, commit in (("W1", "asynchronous"), ("W1s", "synchronous")):
        if f"writer_{w}" in summary:
            c, ok = summary[f"writer_{w}"]
            parts.append(f"writer throughput {c:+.0%} while we stream, {commit} commit "
                         f"({'within noise' if ok else 'MISSED: outside the writer-alone range'})")
    for w in ("W3", "W3f", "W3s"):
        if f"p99_{w}" in summary:
            p99, ok, rate = summary[f"p99_{w}"]
            parts.append(f"p99 {p99 / 1000:.1f} ms in {w} at {rate:,.0f} rows/s ({'met' if ok else 'MISSED'})")
    replace_section(benchmarks_md, "cdc", "bench/cdc.sh", [
        "## Postgres Changes", "",
        "Logical replication to WebSocket subscribers against pg_recvlogical, Supabase-style polling "
        f"and trigger + NOTIFY on the same workloads: [{report_rel}]({report_rel}), produced by "
        "`bench/cdc.sh`. Medians of the last run: " + "; ".join(parts) + "."])


def main():
    results, out_md = sys.argv[1:3]
    benchmarks_md = sys.argv[3] if len(sys.argv) > 3 else None
    data = collect(results)
    info = machine(results)
    load = loads(results)
    settings = open(os.path.join(results, "pg-settings.txt")).read().split("\n") \
        if os.path.exists(os.path.join(results, "pg-settings.txt")) else []
    runs = max((len(v) for v in data.values()), default=0)
    lines = ["# Postgres Changes: end-to-end rows/s and commit-to-client latency", "",
             "Produced by `bench/cdc.sh` (one command: installs wal2json if missing, starts its own PostgreSQL, runs "
             "every contender on the same workloads, writes this page with `bench/cdc_report.py`). "
             "Every figure is generated; only the last section, an analysis of this run, is written by hand "
             "(docs/bench/cdc-analysis.md, included only with the run it names).", "",
             f"- Run: {info.get('date_utc', '?')} to {info.get('finished_utc', '?')}, commit {info.get('commit', '?')} "
             f"({info.get('dirty_files', '?')} files modified in the working tree; the server binary was built "
             f"{info.get('server_binary_mtime', '?')}, sha256 {info.get('server_binary_sha256', '?')}…, and copied "
             "before the run).",
             f"- Machine: {info.get('cpus', '?')} vCPUs ({info.get('cpu_model', '?')}), {info.get('mem_gib', '?')} GiB, "
             f"Linux {info.get('kernel', '?')}; {info.get('postgres', '?')}, wal2json {info.get('wal2json', '?')}.",
             "- **The machine is shared.** PostgreSQL, the writer (pgbench), the consumer and our server all run on "
             "the same 2 vCPUs, beside whatever else the machine ran (load.txt lists the busiest processes at each "
             "sample): the 1-minute load average, the benchmark's own processes included, was "
             + (f"{min(load):.1f} to {max(load):.1f} at the sampled points (see load.txt)" if load else "not sampled")
             + ". Absolute figures are therefore noisy. Within a repetition the contenders ran each workload back to "
             "back, in an order rotated from one repetition to the next, so the ratios (also given per repetition) "
             "are the more robust result.",
             f"- {runs} repetitions; every table shows the median (of each figure separately) and the runs.",
             f"- Settings: {'; '.join(s for s in settings if s)}"
             + (" (shared_buffers and wal_writer_flush_after in 8 kB pages, the max_*_size settings in MB, wal_writer_delay in ms)"
                if any(re.fullmatch(r"shared_buffers = \d+", x) for x in settings) else "")
             + ". synchronous_commit is the server's default; every writer sets its own per session "
             "(see the workloads).", "",
             "Workloads (table `t(id bigserial primary key, a int, b text, c timestamptz default clock_timestamp())`, "
             "rows of about 40 bytes of text, one publication `supabase_realtime` with `t`):", ""]
    for w, text in WORKLOADS.items():
        lines.append(f"- **{w}**: {text}.")
    lines += ["",
              "Latency is commit-to-client as every client sees it: CLOCK_REALTIME when the row is received minus "
              "its `c` column (clock_timestamp() when the row was inserted, a few µs before its commit), same "
              "machine, same clock. With asynchronous commit (W1, W2, W3) a logical walsender sends a transaction "
              "only after the WAL writer has flushed it (every `wal_writer_delay` = 200 ms), so every WAL-based "
              "contender has a floor of up to 200 ms there; NOTIFY is delivered at commit and has no such floor. "
              "W3f (flush every 1 ms) and W3s (synchronous commit) show the latency without that floor.", "",
              "Contenders: **realtime**: `build/server/realtime` streaming the slot (pgoutput, permanent slot "
              "`rt_bench`) to one `realtime-bench --scenario changes` subscriber over WebSocket (vsn 2 text "
              "frames); **pg_recvlogical**: `pg_recvlogical -o proto_version=1 -o publication_names=...` into "
              "`cdc-pgoutput-sink`, which decodes the pgoutput stream and times every insert like our subscriber "
              "does; **polling**: `cdc-slot-poller`, one connection calling `pg_logical_slot_get_changes` on a "
              "wal2json slot with Supabase Realtime's options and `max_changes = 100` (its default "
              "`poll_max_changes`), sleeping 100 ms after an empty call in live mode (Realtime's per-row `apply_rls` "
              "step is not reproduced: it only adds cost); **NOTIFY**: an `AFTER INSERT FOR EACH ROW` trigger "
              "calling `pg_notify('bench', row_to_json(NEW)::text)` and `cdc-notify-listener` on `LISTEN bench`. "
              "Backlog: the slot is created before the workload and the consumer started after it (our server is "
              "started then too; its time includes its WAL reader's start, as pg_recvlogical's includes its own). "
              "Live: the consumer is connected first.", "",
              "## Targets", ""]
    summary = targets(data, lines)
    lines += ["", "## Backlog drain (slot created before the workload, consumer started after it)", "",
              "\"start\" is the subscriber's join (ours) or the process start (the others). Consumer CPU: our whole "
              "server process; pg_recvlogical plus the sink; the poller client. Decoder CPU: the walsender, or for "
              "polling the backend running `pg_logical_slot_get_changes` (from /proc/PID/stat every 50 ms: up to 0.05 s "
              "low for a process that ends by itself, as pg_recvlogical and its walsender do at --endpos).", ""]
    backlog_table(data, lines)
    lines += ["", "## Streaming live (consumer connected before the workload)", "",
              "\"After the writer ended\" is measured from the moment the writer process exited; a negative value "
              "means the last row arrived before pgbench or psql had exited.", ""]
    live_table(data, lines)
    lines += ["", "## Commit-to-client latency at 5,000 rows/s offered", "",
              "pgbench -R 5000 -T 10 (W3s: -c 8); \"offered\" is the rows the writer actually committed per second "
              "of its run, which falls short of 5,000 when the machine cannot commit that fast.", ""]
    latency_table(data, lines)
    lines += ["", "## Writer throughput while a consumer streams (W1 asynchronous, W1s synchronous commit)", ""]
    writer_table(data, lines)
    lines += ["", "## Where our server's time goes (backlog drain of W1)", "",
              "Per-thread CPU and context switches of the server process from /proc/PID/task/*/{stat,status}, "
              "read before the subscriber joins and after its last row (threads with under 0.05 s of CPU and "
              "1,000 switches left out), next to PostgreSQL's walsender and to pg_recvlogical's figures for the "
              "same backlog.", ""]
    thread_table(results, data, lines)
    lines += ["", "## Every measurement", ""]
    all_runs(data, lines)
    lines += ["", "## Commands", "",
              "The whole run: `bench/cdc.sh` (RUNS=3, ROWS=100000, RATE=5000, PACED_SECONDS=10, CDC_PG_PORT=55433). "
              "What it does, in the order it does it:", "",
              "```",
              "bash scripts/pg.sh start $WORK/pg 55433      # wal_level=logical, loopback only, as root: as user postgres",
              "psql -c \"alter system set output_plugin_libraries = pgoutput, test_decoding, wal2json\"  # 15.19 and later",
              "psql -c \"alter system set shared_buffers = '512MB'\" -c \"alter system set max_wal_size = '4GB'\"",
              "bash scripts/pg.sh stop $WORK/pg; bash scripts/pg.sh start $WORK/pg 55433",
              "psql -c \"create table t (id bigserial primary key, a int not null, b text not null,",
              "                          c timestamptz not null default clock_timestamp())\" \\",
              "     -c \"alter publication supabase_realtime add table t\" \\",
              "     -c \"create function notify_row() returns trigger language plpgsql as",
              "         \\$\\$ begin perform pg_notify('bench', row_to_json(NEW)::text); return NEW; end \\$\\$\"",
              "# before every measurement: drop every slot and the trigger, truncate t restart identity, checkpoint;",
              "# then the slot of the contender: pg_create_logical_replication_slot('rt_bench' | 'rl_bench', 'pgoutput')",
              "# or ('w2j_bench', 'wal2json'); for NOTIFY: create trigger t_notify after insert on t for each row",
              "# execute function notify_row(). After every writer: wait until pg_current_wal_flush_lsn() reaches",
              "# pg_current_wal_insert_lsn(). Our server, started for each measurement (a copy of build/server/realtime):",
              "realtime --bind 127.0.0.1 --port 0 --jwt-secret bench-secret-at-least-32-bytes-long!! --db-host 127.0.0.1 \\",
              "  --db-port 55433 --db-name postgres --db-user postgres --slot-name rt_bench \\",
              "  --publication supabase_realtime --log-level info",
              "```", "",
              "Run 1's consumer and writer commands, as bench/cdc.sh ran them (file names relative to the results "
              "directory; every repetition is the same):", ""]
    commands(results, lines)
    # The hand-written analysis names the results directory it was written for
    # on its first line; it is only included with those figures.
    analysis = os.path.join(os.path.dirname(os.path.abspath(out_md)), "cdc-analysis.md")
    run_id = os.path.basename(os.path.abspath(results))
    if os.path.exists(analysis):
        text = open(analysis).read()
        if run_id in text.split("\n", 1)[0]:
            lines += ["", text.split("\n", 1)[1].strip()]
        else:
            lines += ["", f"(The analysis in docs/bench/cdc-analysis.md was written for another run than {run_id}; "
                          "it is not included.)"]
    os.makedirs(os.path.dirname(os.path.abspath(out_md)), exist_ok=True)
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")
    if benchmarks_md:
        rel = os.path.relpath(os.path.abspath(out_md), os.path.dirname(os.path.abspath(benchmarks_md)))
        write_section(benchmarks_md, summary, rel)


if __name__ == "__main__":
    main()
