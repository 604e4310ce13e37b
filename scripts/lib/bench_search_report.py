#!/usr/bin/env python3
"""The figures of scripts/bench-search as the markdown block it writes between the search-bench
markers of docs/benchmarks.md.

usage: bench_search_report.py WORK ROUNDS INDEX_COST(0|1)

WORK holds, per round N: offN.json and onN.json (chat-loadgen --json: without the search indexer
and with it), onN.catchup ("seconds postgres_cpu_s bridge_cpu_s" from the run's end until every
stored message was indexed) and onN.unindexed (messages stored and not yet indexed at the run's
end); and search.txt, chat-search-bench's output.
"""
import json
import re
import statistics
import sys


def figures(path):
    return json.load(open(path))["figures"]


def cost_rows(work, rounds):
    rows = []
    for n in range(1, rounds + 1):
        on, off = figures(f"{work}/on{n}.json"), figures(f"{work}/off{n}.json")
        catch_s, catch_pg_s, catch_bridge_s = map(float, open(f"{work}/on{n}.catchup").read().split())
        acked = on["acked"]
        run_s = acked / on["msgs_per_s"] if on["msgs_per_s"] > 0 else 0
        per = 1e6 / acked if acked > 0 else 0
        rows.append({
            "round": n,
            "on": on["msgs_per_s"],
            "off": off["msgs_per_s"],
            # The indexing the run left undone counted in: the run's messages over the run and
            # the catch-up after it (the rate the machine sustains with the index kept current).
            "on_kept": acked / (run_s + catch_s) if run_s + catch_s > 0 else 0,
            "pg_on": on["postgres_us_per_msg"],
            "pg_on_total": on["postgres_us_per_msg"] + catch_pg_s * per,
            "pg_off": off["postgres_us_per_msg"],
            "bridge_on": on["bridge_us_per_msg"],
            "bridge_on_total": on["bridge_us_per_msg"] + catch_bridge_s * per,
            "bridge_off": off["bridge_us_per_msg"],
            "unindexed": int(open(f"{work}/on{n}.unindexed").read()),
            "acked": int(acked),
            "catch_s": catch_s,
            "loadgen_on": on["loadgen_us_per_msg"],
            "loadgen_off": off["loadgen_us_per_msg"],
        })
    return rows


def ratio(a, b):
    return a / b if b > 0 else 0


def print_cost(rows):
    print("**What search indexing costs the message path** (acked msg/s and CPU µs per acked message; "
          "\"+ catch-up\" adds what the indexer did after the run for the run's messages):")
    print()
    print("| round | msg/s with indexer | without | with / without | with, catch-up counted | / without "
          "| PostgreSQL µs/msg with (run / + catch-up) / without | bridge µs/msg with (run / + catch-up) / without "
          "| unindexed at the run's end / acked | catch-up (indexer lag) | chat-loadgen µs/msg with / without |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['round']} | {r['on']:.0f} | {r['off']:.0f} | {ratio(r['on'], r['off']):.3f} "
              f"| {r['on_kept']:.0f} | {ratio(r['on_kept'], r['off']):.3f} "
              f"| {r['pg_on']:.1f} / {r['pg_on_total']:.1f} / {r['pg_off']:.1f} "
              f"| {r['bridge_on']:.1f} / {r['bridge_on_total']:.1f} / {r['bridge_off']:.1f} "
              f"| {r['unindexed']} / {r['acked']} | {r['catch_s']:.1f} s "
              f"| {r['loadgen_on']:.1f} / {r['loadgen_off']:.1f} |")
    print()
    median = statistics.median(ratio(r["on"], r["off"]) for r in rows)
    kept = statistics.median(ratio(r["on_kept"], r["off"]) for r in rows)
    pg = statistics.median(ratio(r["pg_on_total"], r["pg_off"]) for r in rows)
    print(f"- with / without, median of {len(rows)}: **{median:.3f}** "
          f"(goal >= 0.90: {'met' if median >= 0.90 else 'NOT met'}); with the catch-up counted: **{kept:.3f}**")
    print(f"- PostgreSQL's CPU per message, with the catch-up counted / without, median: {pg:.2f}")
    print(f"- the indexer's lag at the end of a saturated run, median: "
          f"{statistics.median(r['catch_s'] for r in rows):.1f} s "
          f"({statistics.median(r['unindexed'] for r in rows):.0f} messages unindexed)")
    print()


LINE = re.compile(r"^(?P<label>.+?)\s+(?P<n>\d+) searches\s+p50\s+(?P<p50>[\d.]+) ms\s+p99\s+(?P<p99>[\d.]+) ms")


def print_search(path):
    text = open(path).read()
    by_kind = text.split("by kind of query (whole run):", 1)
    print("**Search latency** (chat-search-bench: p50 / p99 per kind of query, whole run):")
    print()
    if len(by_kind) < 2:
        print("chat-search-bench printed no figures:")
        print("```")
        print(text.rstrip())
        print("```")
        return
    windows = [m for m in map(LINE.match, by_kind[0].splitlines()) if m]
    print("| kind of query | searches | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    overall = None
    for m in filter(None, map(LINE.match, by_kind[1].splitlines())):
        if m["label"].strip() == "all searches":
            overall = m
            continue
        print(f"| {m['label'].strip()} | {m['n']} | {m['p50']} | {m['p99']} |")
    print()
    if overall:
        p99 = float(overall["p99"])
        print(f"- all {overall['n']} searches: p50 {overall['p50']} ms, p99 **{overall['p99']} ms** "
              f"(goal <= 50 ms: {'met' if p99 <= 50 else 'NOT met'})")
    if windows:
        print("- p99 per window: " + ", ".join(f"{m['p99']} ms" for m in windows))
    cpu = re.search(r"chat-search-bench's own CPU: (.*)", text)
    if cpu:
        print(f"- chat-search-bench's own CPU: {cpu.group(1)}")
    queries = re.search(r"queries: (.*)", text)
    if queries:
        print(f"- queries: {queries.group(1).rstrip(';')}")


def main():
    work, rounds, index_cost = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    if index_cost:
        print_cost(cost_rows(work, rounds))
    print_search(f"{work}/search.txt")


if __name__ == "__main__":
    main()
