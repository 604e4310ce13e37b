"""The report of scripts/bench-platform: chat-loadgen's JSON of every run -> markdown tables.

usage: bench_platform_report.py WORK RATE40 CAPACITY NORMAL LONG_S
Every figure is set against plain Mosquitto's with the same shape and client; the goals of
issue #12 are named next to the figures they judge, and nothing here decides whether they are met
beyond printing the comparison.
"""
import json
import sys

work = sys.argv[1]
rate40, capacity, normal_rate, long_s = (float(v) for v in sys.argv[2:6])


def load(name):
    with open(f"{work}/{name}.json") as f:
        return json.load(f)


def fig(name, key):
    return load(name)["figures"].get(key)


def num(v, fmt="{:.0f}"):
    return "–" if v is None else fmt.format(v)


def ratio(plain, platform):
    return "–" if not plain or platform is None else f"{platform / plain:.2f}"


def row(cells):
    print("| " + " | ".join(cells) + " |")


def bound(name):
    """What limited a plain closed-loop run, in words: the loadgen's own verdict (chat-loadgen's note)."""
    for note in load(name).get("notes", []):
        if note.startswith("NOT broker-bound"):
            return "**" + note + "**"
        if note.startswith("broker-bound"):
            return note
    broker, loadgen = fig(name, "broker_cpu_pct"), fig(name, "loadgen_cpu_pct")
    return f"broker {num(broker)} % of a core, loadgen {num(loadgen)} %"


def windows(name):
    return load(name).get("windows", [])


def pg_samples(name):
    """scripts/bench-platform's 1-s samples of PostgreSQL during a platform run, as (seconds since the run's
    window 0, checkpoints begun so far, WAL bytes, full-page images, autovacuum workers); [] when absent."""
    start = fig(name, "start_unix_s")
    out = []
    try:
        with open(f"{work}/{name}.pg") as f:
            for line in f:
                v = line.split()
                if len(v) == 6 and start:
                    out.append((float(v[0]) - start, int(v[1]) + int(v[2]), int(v[3]), int(v[4]), int(v[5])))
    except FileNotFoundError:
        pass
    return out


def pg_span(samples, t_from, t_to):
    """Checkpoints begun, WAL MB/s, the share of full-page images and whether autovacuum ran, in [t_from, t_to)."""
    inside = [s for s in samples if t_from <= s[0] < t_to]
    before = [s for s in samples if s[0] < t_from]
    if not inside:
        return None
    a, b = (before[-1] if before else inside[0]), inside[-1]
    secs = max(b[0] - a[0], 1e-9)
    return (b[1] - a[1], (b[2] - a[2]) / secs / 1e6, any(s[4] > 0 for s in inside))


# ------------------------------------------------------------------ the figures, as ratios to plain
print("| figure | plain (stock mosquitto) | platform (plugin + bridge + PostgreSQL) | platform / plain |")
print("|---|---|---|---|")
for shape, label in (("pairs", "hot pairs"), ("crowd", "crowd")):
    p, q = f"{shape}_plain_max", f"{shape}_platform_max"
    row([f"{label}, as fast as acks come: msg/s acked (goal: ratio ≥ 0.5)", num(fig(p, "msgs_per_s")),
         f"**{num(fig(q, 'msgs_per_s'))}**", f"**{ratio(fig(p, 'msgs_per_s'), fig(q, 'msgs_per_s'))}**"])
    row(["— send→ack p50 / p99 (ms)", f"{num(fig(p, 'ack_p50_ms'), '{:.1f}')} / {num(fig(p, 'ack_p99_ms'), '{:.1f}')}",
         f"{num(fig(q, 'ack_p50_ms'), '{:.1f}')} / {num(fig(q, 'ack_p99_ms'), '{:.1f}')}",
         ratio(fig(p, "ack_p99_ms"), fig(q, "ack_p99_ms"))])
    row(["— what limited plain", bound(p), "", ""])
    if shape == "crowd":
        row(["— (closed loop: with every user's window full, latency is in-flight ÷ rate, Little's law)", "", "", ""])

p, q = "pairs_plain_rate40", "pairs_platform_rate40"
row([f"hot pairs at {rate40:.0f} msg/s (40 % of plain's max), {long_s:.0f} s: msg/s acked",
     num(fig(p, "msgs_per_s")), num(fig(q, "msgs_per_s")), ratio(fig(p, "msgs_per_s"), fig(q, "msgs_per_s"))])
row(["— send→ack p99 (ms), whole run", num(fig(p, "ack_p99_ms"), "{:.1f}"), f"**{num(fig(q, 'ack_p99_ms'), '{:.1f}')}**",
     ratio(fig(p, "ack_p99_ms"), fig(q, "ack_p99_ms"))])
row(["— sender→recipient p99 (ms), whole run", num(fig(p, "e2e_p99_ms"), "{:.1f}"), num(fig(q, "e2e_p99_ms"), "{:.1f}"),
     ratio(fig(p, "e2e_p99_ms"), fig(q, "e2e_p99_ms"))])
row(["— of which waiting in the senders' outbox (due → publish), p50 / p99 (ms)",
     f"{num(fig(p, 'outbox_wait_p50_ms'), '{:.1f}')} / {num(fig(p, 'outbox_wait_p99_ms'), '{:.1f}')}",
     f"{num(fig(q, 'outbox_wait_p50_ms'), '{:.1f}')} / {num(fig(q, 'outbox_wait_p99_ms'), '{:.1f}')}", ""])
row(["— publish→ack p99 (ms), whole run (from the hand-over to the broker)", num(fig(p, "publish_ack_p99_ms"), "{:.1f}"),
     num(fig(q, "publish_ack_p99_ms"), "{:.1f}"), ratio(fig(p, "publish_ack_p99_ms"), fig(q, "publish_ack_p99_ms"))])
wp, wq = windows(p), windows(q)
worst_ack = max((w["ack_p99_ms"] for w in wq), default=None)
worst_e2e_ratio = max((b["e2e_p99_ms"] / a["e2e_p99_ms"] for a, b in zip(wp, wq) if a["e2e_p99_ms"] > 0), default=None)
row(["— worst 10-s window: send→ack p99 (ms; goal ≤ 20) / sender→recipient p99 ratio (goal ≤ 2)",
     num(max((w["ack_p99_ms"] for w in wp), default=None), "{:.1f}"), f"**{num(worst_ack, '{:.1f}')}**",
     f"**{num(worst_e2e_ratio, '{:.2f}')}** (e2e)"])

o = "pairs_platform_overload"
ow = windows(o)
first = int(long_s)
during = [w for w in ow[:first]]
mean_acked = sum(w["acked_per_s"] for w in during) / len(during) if during else None
# "Normal" latency: the bound for send->ack p99 under normal load (at 40 % of plain's max).
normal = 20.0


def back_to_normal(key):
    """Seconds after the overload until every later 1-s window (of the normal-rate phase) with acks has
    its `key` p99 within the bound; None when that never happens within the run."""
    for i in range(first, len(ow)):
        tail = [w for w in ow[i:int(2 * long_s)] if w["sent_per_s"] > 0]
        if tail and all(w["acked_per_s"] > 0 and w[key] <= normal for w in tail):
            return i - first
    return None


recovered = back_to_normal("ack_p99_ms")               # intended -> ack: what a user sees
broker_recovered = back_to_normal("pub_ack_p99_ms")    # publish -> ack: broker + bridge + database
# The senders' backlog when the overload ends (due and not acked: held in their outboxes, or in
# flight), and the rate it drains at: the acked rate after the overload minus the normal offered rate.
backlog = ow[first - 1]["unacked_end"] if 0 < first <= len(ow) and "unacked_end" in ow[first - 1] else None
after = ow[first:first + (recovered if recovered else int(long_s))]
mean_after = sum(w["acked_per_s"] for w in after) / len(after) if after else None
drain_rate = mean_after - normal_rate if mean_after is not None else None
predicted = backlog / drain_rate if backlog is not None and drain_rate and drain_rate > 0 else None
row([f"overload: offered {2 * capacity:.0f} msg/s (2× the platform's {capacity:.0f}) for {long_s:.0f} s: "
     "mean acked msg/s (goal ≥ 0.9 × capacity)", "", f"**{num(mean_acked)}**",
     f"**{num(mean_acked / capacity if mean_acked is not None and capacity else None, '{:.2f}')}** of capacity"])
row(["— worst 1-s window publish→ack p99 during the overload (ms: the broker, bridge and database; must stay bounded)",
     "", f"**{num(max((w.get('pub_ack_p99_ms', 0) for w in during), default=None), '{:.1f}')}**", ""])
row([f"— publish→ack back to normal (every later 1-s window's p99 ≤ {normal:.0f} ms) after the overload (goal ≤ 5 s)",
     "", f"**{num(broker_recovered)} s**" if broker_recovered is not None else "**not within the run**", ""])
row(["— worst 1-s window intended→ack p99 during the overload (ms: includes the wait in the senders' outbox)", "",
     num(max((w["ack_p99_ms"] for w in during), default=None), "{:.1f}"), ""])
row([f"— senders' backlog when the overload ends (due, not acked) and its drain at {num(mean_after)} acked/s − "
     f"{normal_rate:.0f} offered/s", "",
     f"{num(backlog)} msgs ÷ {num(drain_rate)}/s ≈ {num(predicted)} s" if predicted is not None
     else f"{num(backlog)} msgs: no net drain", ""])
row([f"— intended→ack back to normal at {normal_rate:.0f} msg/s (every later 1-s window's p99 ≤ {normal:.0f} ms) after "
     "the overload (bounded by that drain)", "",
     f"{num(recovered)} s" if recovered is not None else "not within the run", ""])
during_pg = pg_span(pg_samples(o), 0, first)
if during_pg is not None:
    row(["— PostgreSQL during the overload: checkpoints begun / WAL MB/s / autovacuum ran", "",
         f"{during_pg[0]} / {during_pg[1]:.1f} / {'yes' if during_pg[2] else 'no'}", ""])

p, q = "fanout_plain_max", "fanout_platform_max"
row(["fan-out (one sender, 200 members online): deliveries/s", num(fig(p, "deliveries_per_s")),
     num(fig(q, "deliveries_per_s")), ratio(fig(p, "deliveries_per_s"), fig(q, "deliveries_per_s"))])
row(["— sender→recipient p99 (ms)", num(fig(p, "e2e_p99_ms"), "{:.1f}"), num(fig(q, "e2e_p99_ms"), "{:.1f}"),
     ratio(fig(p, "e2e_p99_ms"), fig(q, "e2e_p99_ms"))])

b, g, k, start, end, hz, drained, backlog = open(f"{work}/drain.cpu").read().split()
wall = float(end) - float(start)
drain_rate = int(backlog) / wall
plain_max = fig("pairs_plain_max", "msgs_per_s")
row([f"the storing side alone: a backlog of {backlog} drained by a thawed bridge, msg/s stored (goal ≥ 1.0 × plain's "
     "hot-pairs max)", num(plain_max), f"**{drain_rate:.0f}**" + ("" if drained == "1" else " (did not finish)"),
     f"**{ratio(plain_max, drain_rate)}**"])
per = 1e6 / int(backlog) / int(hz)
row(["— CPU per stored message (µs) bridge / PostgreSQL / broker", "",
     f"{int(b) * per:.1f} / {int(g) * per:.1f} / {int(k) * per:.1f}", ""])
lost = sum(fig(n, "lost") or 0 for n in ("pairs_platform_max", "crowd_platform_max", "pairs_platform_rate40",
                                         "pairs_platform_overload", "fanout_platform_max"))
db_lost = sum(fig(n, "db_lost") or 0 for n in ("pairs_platform_max", "crowd_platform_max", "pairs_platform_rate40",
                                               "pairs_platform_overload", "fanout_platform_max"))
try:
    with open(f"{work}/strict-failed.txt") as f:
        failed = ", ".join(f"`{line.strip()}`" for line in f if line.strip())
except FileNotFoundError:
    failed = ""
undrained = ", ".join(f"`{n}`" for n in ("pairs_platform_max", "crowd_platform_max", "pairs_platform_rate40",
                                          "pairs_platform_overload", "fanout_platform_max") if not fig(n, "drained"))
row(["platform runs: deliveries lost / messages missing in the database", "", f"{lost:.0f} / {db_lost:.0f}", ""])
if failed:
    row(["— runs whose `--strict` check failed (lost, stored twice or a gap)", "", failed, ""])
if undrained:
    row(["— runs not drained within their `--drain-timeout` (figures include what was still missing)", "", undrained, ""])

# ------------------------------------------------------------------ CPU per message
print()
print("CPU of each process, µs per acked message (% of a core):")
print()
print("| run | loadgen | broker | bridge | PostgreSQL |")
print("|---|---|---|---|---|")
for name in ("pairs_plain_max", "pairs_platform_max", "crowd_plain_max", "crowd_platform_max", "pairs_plain_rate40",
             "pairs_platform_rate40", "pairs_platform_overload", "fanout_plain_max", "fanout_platform_max"):
    cells = [f"`{name}`"]
    for proc in ("loadgen", "broker", "bridge", "postgres"):
        us, pct = fig(name, f"{proc}_us_per_msg"), fig(name, f"{proc}_cpu_pct")
        cells.append("–" if us is None else f"{us:.1f} ({pct:.0f} %)")
    row(cells)

# ------------------------------------------------------------------ per window
print()
print(f"Hot pairs at {rate40:.0f} msg/s, per 10-s window (ms):")
print()
print("| window (s) | acked/s plain / platform | send→ack p99 plain / platform | publish→ack p99 plain / platform "
      "| outbox wait p99 plain / platform | sender→recipient p99 plain / platform | e2e p99 ratio |")
print("|---|---|---|---|---|---|---|")
for a, c in zip(wp, wq):
    row([f"{a['t_s']:.0f}", f"{a['acked_per_s']:.0f} / {c['acked_per_s']:.0f}",
         f"{a['ack_p99_ms']:.1f} / {c['ack_p99_ms']:.1f}",
         f"{a.get('pub_ack_p99_ms', 0):.1f} / {c.get('pub_ack_p99_ms', 0):.1f}",
         f"{a.get('wait_p99_ms', 0):.1f} / {c.get('wait_p99_ms', 0):.1f}",
         f"{a['e2e_p99_ms']:.1f} / {c['e2e_p99_ms']:.1f}", ratio(a["e2e_p99_ms"], c["e2e_p99_ms"])])

print()
step = max(1, int(long_s) // 12)
print(f"Overload, per {step}-s span of 1-s windows (offered {2 * capacity:.0f} msg/s until {long_s:.0f} s, then "
      f"{normal_rate:.0f}):")
print()
print("| from (s) | offered/s | acked/s | publish→ack p99, worst 1-s window (ms) | intended→ack p99, worst 1-s window (ms) "
      "| senders' backlog at the span's end (due, not acked) | PostgreSQL: checkpoints begun / WAL MB/s / autovacuum |")
print("|---|---|---|---|---|---|---|")
pg = pg_samples(o)
for i in range(0, len(ow), step):
    span = ow[i:i + step]
    p_span = pg_span(pg, i, i + step)
    row([f"{i}", f"{sum(w['sent_per_s'] for w in span) / len(span):.0f}",
         f"{sum(w['acked_per_s'] for w in span) / len(span):.0f}",
         f"{max(w.get('pub_ack_p99_ms', 0) for w in span):.1f}", f"{max(w['ack_p99_ms'] for w in span):.1f}",
         num(span[-1].get("unacked_end")),
         "–" if p_span is None else f"{p_span[0]} / {p_span[1]:.1f} / {'yes' if p_span[2] else 'no'}"])
