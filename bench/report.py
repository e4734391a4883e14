#!/usr/bin/env python3
"""Turns a bench/compare.sh results directory into docs/benchmarks.md and a
latency plot. Usage: report.py RESULTS_DIR OUT_MARKDOWN PLOT_DIR"""

import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from datetime import datetime, timezone

from doc_sections import kept_sections

SYSTEMS = ["realtime", "uws", "nchan", "ws", "sio", "soketi", "mosquitto"]
NAMES = {
    "realtime": "realtime (this server)",
    "uws": "uWebSockets.js",
    "nchan": "nchan + nginx",
    "ws": "ws (Node)",
    "sio": "Socket.IO 4",
    "soketi": "soketi (Pusher)",
    "mosquitto": "mosquitto (MQTT/WS)",
}


def load(results, name):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def command(results, name):
    path = os.path.join(results, name + ".cmd")
    return open(path).read().strip() if os.path.exists(path) else ""


def repeated(results, prefix):
    """Runs named PREFIX.<n> (n a number), in run order."""
    found = []
    for path in glob.glob(os.path.join(results, prefix + ".*.json")):
        tail = os.path.basename(path)[len(prefix) + 1:-5]
        if tail.isdigit():
            found.append((int(tail), json.load(open(path))))
    return [run for _, run in sorted(found, key=lambda f: f[0])]


def median_by(runs, key):
    """The run with the median key, and every run's key in run order."""
    if not runs:
        return None, []
    values = [key(r) for r in runs]
    return sorted(runs, key=key)[len(runs) // 2], values


def rate(run):
    return run["deliveries"]["deliveries_per_s"]


def p99_of(run):
    return run["latency_us"]["p99"]


def median_run(results, who):
    """The max-mode run with the median deliveries/s, and all the rates."""
    return median_by(repeated(results, who + ".max"), rate)


def median_paced(results, prefix):
    """The 20-publishes/s run with the median p99, and every p99."""
    return median_by(repeated(results, prefix + ".paced20"), p99_of)


def ms(us):
    return f"{us / 1000:.1f}"


def kilo(x):
    return f"{x / 1000:,.0f}k"


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem_kib = int(line.split()[1])
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kib / 1048576:.0f} GiB, Linux "
            f"{platform.release()}, Node {node}; the generator and the server share the CPUs")


def git_commit(root):
    out = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def throughput_table(results, lines):
    lines += ["| system | deliveries/s (median) | ours / theirs | all runs | server CPU µs / delivery | "
              "server CPU % | generator CPU % | drops |",
              "|---|---|---|---|---|---|---|---|"]
    best = {}
    for who in SYSTEMS:
        run, rates = median_run(results, who)
        if run:
            best[who] = run
    ours = best.get("realtime")
    for who, run in best.items():
        d, s, g = run["deliveries"], run["server"], run["generator"]
        bound = " (generator-bound)" if run.get("generator_bound") else ""
        ratio = "-" if who == "realtime" or not ours else \
            f"{ours['deliveries']['deliveries_per_s'] / d['deliveries_per_s']:.2f}x"
        _, rates = median_run(results, who)
        lines.append(f"| {NAMES[who]} | {kilo(d['deliveries_per_s'])}{bound} | {ratio} | "
                     f"{', '.join(kilo(r) for r in rates)} | {s['cpu_us_per_delivery']:.2f} | "
                     f"{s['cpu_pct']:.0f} | {g['cpu_pct_of_one_thread']:.0f} | {d['drops']} |")
    return best


def latency_table(results, lines):
    lines += ["| system | p50 ms | p99 ms (all runs) | their p99 / ours | p99.9 ms | max ms | server CPU µs / delivery | "
              "server CPU % | drops |",
              "|---|---|---|---|---|---|---|---|---|"]
    p99 = {}
    runs = {}
    all_p99 = {}
    for who in SYSTEMS:
        run, values = median_paced(results, who)
        if run:
            runs[who] = run
            p99[who] = p99_of(run)
            all_p99[who] = values
    for who, run in runs.items():
        lat = run["latency_us"]
        ratio = "-" if who == "realtime" or "realtime" not in p99 else \
            f"{lat['p99'] / max(p99['realtime'], 1):.2f}"
        lines.append(f"| {NAMES[who]} | {ms(lat['p50'])} | {ms(lat['p99'])} "
                     f"({', '.join(ms(v) for v in all_p99[who])}) | {ratio} | "
                     f"{ms(lat['p999'])} | {ms(lat['max'])} | "
                     f"{run['server']['cpu_us_per_delivery']:.2f} | {run['server']['cpu_pct']:.0f} | "
                     f"{run['deliveries']['drops']} |")
    return p99


def memory_table(results, lines):
    lines += ["| system | RSS before MiB | RSS joined MiB | RSS per joined connection KiB |",
              "|---|---|---|---|"]
    for who in SYSTEMS:
        run = load(results, who + ".idle")
        if run:
            s = run["server"]
            lines.append(f"| {NAMES[who]} | {s['rss_idle_kib'] / 1024:.1f} | "
                         f"{s['rss_joined_kib'] / 1024:.1f} | {s['rss_per_conn_kib']:.1f} |")


def idle_runs(results):
    """The idle runs at scale as (connections, run), fewest connections first."""
    found = []
    for path in glob.glob(os.path.join(results, "realtime.idle[0-9]*.json")):
        run = json.load(open(path))
        found.append((run["connections"]["ready"], run))
    return sorted(found, key=lambda f: f[0])


def idle_at_scale(results):
    """The largest idle run as (connections, run), or (0, None)."""
    runs = idle_runs(results)
    return runs[-1] if runs else (0, None)


def targets(results, best, p99, lines):
    ours = best.get("realtime")
    if not ours:
        return
    rate = ours["deliveries"]["deliveries_per_s"]
    lines += ["| target | measured | met |", "|---|---|---|"]
    if "nchan" in best:
        ratio = rate / best["nchan"]["deliveries"]["deliveries_per_s"]
        lines.append(f"| deliveries/s >= 4x nchan | {ratio:.2f}x | {'yes' if ratio >= 4 else 'no'} |")
    if "uws" in best:
        ratio = best["uws"]["deliveries"]["deliveries_per_s"] / rate
        lines.append(f"| within 1.5x of uWebSockets.js | uWS / ours = {ratio:.2f} | "
                     f"{'yes' if ratio <= 1.5 else 'no'} |")
    cpu = ours["server"]["cpu_us_per_delivery"]
    lines.append(f"| server CPU <= 1.5 µs per delivery at the max | {cpu:.2f} µs | "
                 f"{'yes' if cpu <= 1.5 else 'no'} |")
    if "realtime" in p99 and len(p99) > 1:
        others = {k: v for k, v in p99.items() if k != "realtime"}
        lowest = min(others, key=others.get)
        ok = p99["realtime"] < others[lowest]
        lines.append(f"| p99 at 20 publishes/s lower than every peer | ours {ms(p99['realtime'])} ms, "
                     f"best peer {NAMES[lowest]} {ms(others[lowest])} ms | {'yes' if ok else 'no'} |")
    n, run = idle_at_scale(results)
    if run:
        kib = run["server"]["rss_per_conn_kib"]
        met = "yes" if kib <= 8 else "no"
        if n < 50000:
            met = f"at {n:,} ({met}); 50,000 not runnable here, see below"
        lines.append(f"| <= 8 KiB RSS per idle joined connection at 50,000 | {kib:.2f} KiB at {n:,} | "
                     f"{met} |")
    run, values = median_by(repeated(results, "realtime.joinstorm10"),
                            lambda r: r["connections"]["joins_per_s"])
    if run:
        joins = run["connections"]["joins_per_s"]
        lines.append(f"| >= 20,000 joins/s on public channels | {joins:,.0f} joins/s on open sockets "
                     f"(median; runs {', '.join(f'{v:,.0f}' for v in values)}) | "
                     f"{'yes' if joins >= 20000 else 'no'} |")
    base, slow = load(results, "realtime.slow.0"), load(results, "realtime.slow.0.01")
    if base and slow:
        ratio = slow["latency_us"]["p99"] / max(base["latency_us"]["p99"], 1)
        lines.append(f"| 1% slow consumers: others' p99 within 2x | {ratio:.2f}x | "
                     f"{'yes' if ratio <= 2 else 'no'} |")


def sweep_points(results, who):
    points = []
    for path in glob.glob(os.path.join(results, who + ".sweep.*.json")):
        run = json.load(open(path))
        offered = run["deliveries"]["offered_publish_rate"] * run["params"]["subscribers"]
        points.append((offered, run))
    return sorted(points, key=lambda p: p[0])


def sweep(results, lines, plot_dir):
    series = {who: sweep_points(results, who) for who in SYSTEMS}
    series = {who: pts for who, pts in series.items() if pts}
    if not series:
        return
    lines += ["| system | offered deliveries/s | delivered/s | p50 ms | p99 ms | p99.9 ms | "
              "server CPU % | generator CPU % | drops |",
              "|---|---|---|---|---|---|---|---|---|"]
    for who, points in series.items():
        for offered, run in points:
            lat, d = run["latency_us"], run["deliveries"]
            lines.append(f"| {NAMES[who]} | {kilo(offered)} | {kilo(d['deliveries_per_s'])} | "
                         f"{ms(lat['p50'])} | {ms(lat['p99'])} | {ms(lat['p999'])} | "
                         f"{run['server']['cpu_pct']:.0f} | "
                         f"{run['generator']['cpu_pct_of_one_thread']:.0f} | {d['drops']} |")
    if not shutil.which("gnuplot"):
        lines += ["", "(gnuplot is not installed: no plot.)"]
        return
    os.makedirs(plot_dir, exist_ok=True)
    png = os.path.join(plot_dir, "latency.png")
    plots, blocks = [], []
    for who, points in series.items():
        data = "\n".join(f"{o:.0f} {r['latency_us']['p50'] / 1000} {r['latency_us']['p99'] / 1000}"
                         for o, r in points) + "\ne\n"
        plots.append(f'"-" using 1:3 with linespoints title "{NAMES[who]} p99"')
        blocks.append(data)
        if who == "realtime":
            plots.append(f'"-" using 1:2 with linespoints dashtype 2 title "{NAMES[who]} p50"')
            blocks.append(data)
    script = (f'set terminal png size 900,520; set output "{png}"; '
              'set title "Publish-to-receive latency, 1,000 subscribers on one topic, 100-byte messages"; '
              'set xlabel "offered deliveries/s"; set ylabel "ms"; set logscale y; '
              'set key left top; set grid; plot ' + ", ".join(plots) + "\n")
    subprocess.run(["gnuplot"], input=script + "".join(blocks), text=True, check=True)
    lines += ["", "![latency against offered rate](bench/latency.png)"]


def thread_split(results, lines):
    rows = []
    for split in ("1-1", "2-1", "1-2", "2-2"):
        prefix = "realtime" if split == "1-1" else f"realtime.threads.{split}"
        best, rates = median_by(repeated(results, prefix if split != "1-1" else "realtime.max"), rate)
        paced, p99s = median_paced(results, prefix)
        if best:
            rows.append((split, best, rates, paced, p99s))
    if len(rows) < 2:
        return
    lines += ["| I/O threads - actor threads | deliveries/s (median) | all runs | server CPU µs / delivery | "
              "p99 ms at 20 publishes/s (median) | all runs |", "|---|---|---|---|---|---|"]
    for split, best, rates, paced, p99s in rows:
        lines.append(f"| {split}{' (default)' if split == '1-1' else ''} | {kilo(rate(best))} | "
                     f"{', '.join(kilo(r) for r in rates)} | {best['server']['cpu_us_per_delivery']:.2f} | "
                     f"{ms(p99_of(paced)) if paced else '-'} | {', '.join(ms(v) for v in p99s)} |")


def slow_consumers(results, lines):
    base, slow = load(results, "realtime.slow.0"), load(results, "realtime.slow.0.01")
    if not (base and slow):
        return
    lines += ["| run | stalled subscribers | delivered to the others | p50 ms | p99 ms | p99.9 ms | "
              "server RSS before / peak MiB | slow-consumer closes |", "|---|---|---|---|---|---|---|---|"]
    for name, run in (("no slow consumer", base), ("1% stop reading", slow)):
        lat, d, s = run["latency_us"], run["deliveries"], run["server"]
        log = os.path.join(results, f"realtime.slow.{run['params']['slow_fraction']:g}.log")
        closes = open(log).read().count("closing slow consumer") if os.path.exists(log) else "?"
        lines.append(f"| {name} | {d.get('stalled_receivers', 0)} | {d['received']:,} of {d['expected']:,} | "
                     f"{ms(lat['p50'])} | {ms(lat['p99'])} | {ms(lat['p999'])} | "
                     f"{s['rss_joined_kib'] / 1024:.0f} / {s['rss_peak_kib'] / 1024:.0f} | {closes} |")


def wsfan_runs(results):
    runs = []
    for path in sorted(glob.glob(os.path.join(results, "wsfan.uws.*.json"))):
        try:
            runs.append(json.load(open(path)))
        except (ValueError, OSError):
            pass
    return runs


def generator_ceiling(results, lines):
    ours, _ = median_run(results, "uws")
    theirs = wsfan_runs(results)
    lines += ["| generator against uWebSockets.js (max mode) | deliveries/s | generator CPU % of one thread | "
              "deliveries per generator CPU-second | p99 at 20 publishes/s ms |",
              "|---|---|---|---|---|"]
    if ours:
        d, g = ours["deliveries"], ours["generator"]
        paced, _ = median_paced(results, "uws")
        per_cpu = d["deliveries_per_s"] / max(g["cpu_pct_of_one_thread"] / 100, 1e-9)
        lines.append(f"| realtime-bench (median run) | {kilo(d['deliveries_per_s'])} | "
                     f"{g['cpu_pct_of_one_thread']:.0f} | {kilo(per_cpu)} | "
                     f"{ms(paced['latency_us']['p99']) if paced else '-'} |")
    if theirs:
        theirs.sort(key=lambda r: r["tput"]["deliveries_per_s"])
        run = theirs[len(theirs) // 2]
        t = run["tput"]
        per_cpu = t["deliveries_per_s"] / max(t["gen_cpu_pct"] / 100, 1e-9)
        lines.append(f"| wsfan.c (../shared/bench-peers, median of {len(theirs)}) | "
                     f"{kilo(t['deliveries_per_s'])} | {t['gen_cpu_pct']:.0f} | {kilo(per_cpu)} | "
                     f"{ms(run['fixed']['latency']['p99_us'])} |")


def extras(results, lines):
    lines += ["| run | result |", "|---|---|"]
    for name, what in [("realtime.binary", "binary user broadcasts (kind 3 in, kind 4 out)"),
                       ("realtime.vsn1", "vsn 1.0.0 JSON objects")]:
        run = load(results, name)
        if run:
            d = run["deliveries"]
            lines.append(f"| {what}, max mode | {kilo(d['deliveries_per_s'])} deliveries/s, "
                         f"{run['server']['cpu_us_per_delivery']:.2f} µs/delivery, drops {d['drops']} |")
    run = load(results, "realtime.rooms")
    if run:
        lat = run["latency_us"]
        lines.append(f"| rooms: 100 topics x 10 members, 10 publishes/s per room | "
                     f"{kilo(run['deliveries']['deliveries_per_s'])} deliveries/s, p50 {ms(lat['p50'])} ms, "
                     f"p99 {ms(lat['p99'])} ms, drops {run['deliveries']['drops']} |")
    run = load(results, "realtime.joinstorm")
    if run:
        c, j, p = run["connections"], run["join_latency_us"], run["params"]
        lines.append(f"| join storm: {p['connections']:,} new sockets, one join each | "
                     f"{c['connects_per_s']:,.0f} connects/s, {c['joins_per_s']:,.0f} joins/s, "
                     f"socket ready p50 {ms(j['p50'])} ms, p99 {ms(j['p99'])} ms, "
                     f"server CPU {run['server']['cpu_pct']:.0f}% |")
    run, _ = median_by(repeated(results, "realtime.joinstorm10"),
                       lambda r: r["connections"]["joins_per_s"])
    if run:
        c, p = run["connections"], run["params"]
        lines.append(f"| join storm: {p['connections']:,} new sockets join one channel each "
                     f"({c['connects_per_s']:,.0f}/s), then all of them 9 more channels at once "
                     f"(median of 3) | {c['joins_per_s']:,.0f} joins/s on open sockets, "
                     f"{run['server']['rss_per_conn_kib']:.1f} KiB per socket with 10 channels |")
    for n, run in idle_runs(results):
        s = run["server"]
        lines.append(f"| idle: {n:,} joined sockets | {s['rss_per_conn_kib']:.2f} KiB per connection "
                     f"({s['rss_joined_kib'] / 1024:.0f} MiB joined, {s['rss_idle_kib'] / 1024:.0f} MiB before) |")


def commands(results, lines):
    lines += ["```"]
    for path in sorted(glob.glob(os.path.join(results, "*.cmd"))):
        lines.append(open(path).read().strip().replace(os.path.dirname(path) + "/", ""))
    lines += ["```"]


def main():
    results, out_md, plot_dir = sys.argv[1:4]
    kept = [line for block in kept_sections(out_md) for line in ("", block)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks", "",
             "Produced by `bench/compare.sh` (one command: installs the peers, builds, runs every "
             "system with the same generator, scenario and window, and rewrites this page). "
             "Figures below are from one run; nothing here is edited by hand.", "",
             f"- Run: {when}, commit {git_commit(root)}.",
             f"- Machine: {machine()}.",
             "- Generator: `realtime-bench` (bench/realtime-bench), one epoll thread, 1,000 "
             "subscribers on one topic, one publisher, ~100-byte messages. Latency is publish to "
             "receive inside the generator with one monotonic clock.", "",
             "## Fan-out at the maximum (window 10: at most 10 x subscribers deliveries outstanding)", ""]
    best = throughput_table(results, lines)
    lines += ["", "## Latency at 20 publishes/s (20,000 deliveries/s), median of 3 runs by p99", ""]
    p99 = latency_table(results, lines)
    lines += ["", "## Memory: 1,000 idle joined connections", ""]
    memory_table(results, lines)
    lines += ["", "## Targets", ""]
    targets(results, best, p99, lines)
    lines += ["", "## Latency against offered rate (paced, 4 s per point)", ""]
    sweep(results, lines, plot_dir)
    lines += ["", "## Slow consumers: 1% of 1,000 subscribers stop reading",
              "", "1,000-byte messages at 200 publishes/s for 25 s; the server runs with "
              "`--outbound-queue-bytes 1048576` so that a stalled client reaches its bound within the "
              "run. Latency is the other subscribers'.", ""]
    slow_consumers(results, lines)
    lines += ["", "## Thread split (same server per split, 3 runs of each mode)", ""]
    thread_split(results, lines)
    lines += ["", "## Generator ceiling", "",
              "Both generators against the fastest server. A run is marked generator-bound when the "
              "generator used more than 90% of its thread.", ""]
    generator_ceiling(results, lines)
    lines += ["", "## realtime: other scenarios", ""]
    extras(results, lines)
    nofile = os.path.join(results, "nofile")
    if os.path.exists(nofile):
        limit = open(nofile).read().strip()
        lines += ["", f"The open-files limit of this machine is {limit} per process (hard limit; raising it "
                  "needs CAP_SYS_RESOURCE, which the sandbox does not grant), so the idle run at scale is "
                  "capped below it; both the server and the generator hold one descriptor per connection."]
    lines += ["", "## Commands", "",
              "Peers are started by `bench/peers/peers.sh start PEER DIR` (configs in bench/peers/). "
              "Every generator run of this page, in order of name, with our server's flags where they "
              "differ from the defaults used by `start_realtime` in bench/compare.sh:", ""]
    commands(results, lines)
    lines += kept
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
