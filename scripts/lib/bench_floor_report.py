"""The "Paho's floor" part of scripts/bench-platform's report: the bridge's CPU per message
against Paho MQTT C++ alone on the same stream (chat-paho-floor)."""
import json
import sys
from pathlib import Path


def load(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def watched_us(run, name):
    """µs of CPU per acked message of a watched process in a loadgen run's JSON."""
    figures = (run or {}).get("figures", {})
    for key in (f"{name}_us_per_msg", f"{name}_cpu_us_per_msg"):
        if key in figures:
            return figures[key]
    for item in (run or {}).get("watched", []) or []:
        if item.get("name") == name:
            return item.get("us_per_msg")
    return None


def main(work):
    work = Path(work)
    consume = load(work / "floor_consume.json")
    pub0 = load(work / "floor_publish_qos0.json")
    pub1 = load(work / "floor_publish_qos1.json")
    platform = load(work / "pairs_platform_max.json")
    bridge = watched_us(platform, "bridge")
    print()
    print("**Paho's floor** (`chat-paho-floor`: Paho MQTT C++ set up as the bridge's connections, doing nothing else):")
    print()
    print("| what | µs of CPU per message |")
    print("|---|---|")
    if consume:
        print(f"| receive only (QoS 1 via `$share`, dropped in the callback), {consume['messages']} messages | "
              f"{consume['us_per_message']:.1f} |")
    if pub0:
        print(f"| publish an ack-sized event, QoS 0 ({pub0['per_s']:.0f}/s) | {pub0['us_per_message']:.1f} |")
    if pub1:
        print(f"| publish an ack-sized event, QoS 1 ({pub1['per_s']:.0f}/s) | {pub1['us_per_message']:.1f} |")
    if bridge is not None:
        print(f"| the bridge, hot pairs at max throughput (receive, store, ack) | {bridge:.1f} |")
    print()


if __name__ == "__main__":
    main(sys.argv[1])
