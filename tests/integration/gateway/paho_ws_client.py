#!/usr/bin/python3
"""A stock MQTT-over-WebSocket client for the gateway's tests: Debian's
python3-paho-mqtt with transport="websockets", as a browser-shaped client
would connect. One JSON line per event on stdout; the exit code says how it
went (0 done, 2 refused sign-in, 3 timeout).

usage: paho_ws_client.py URL CLIENT_ID USERNAME PASSWORD [--ca FILE] [--origin ORIGIN]
                         [--subscribe FILTER] [--publish TOPIC PAYLOAD] [--expect N]

Signs in; subscribes (and reports "subscribed"); publishes (QoS 1, waits for
its PUBACK); then waits for N messages on its subscription and reports each.
"""
import argparse
import json
import sys
import threading
import urllib.parse

import paho.mqtt.client as mqtt


def say(**event):
    print(json.dumps(event), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("client_id")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--ca")
    parser.add_argument("--origin")
    parser.add_argument("--subscribe")
    parser.add_argument("--publish", nargs=2, metavar=("TOPIC", "PAYLOAD"))
    parser.add_argument("--expect", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=15)
    args = parser.parse_args()

    url = urllib.parse.urlparse(args.url)
    client = mqtt.Client(client_id=args.client_id, transport="websockets", protocol=mqtt.MQTTv311)
    headers = {"Origin": args.origin} if args.origin else None
    client.ws_set_options(path=url.path or "/mqtt", headers=headers)
    if url.scheme == "wss":
        client.tls_set(ca_certs=args.ca)
    client.username_pw_set(args.username, args.password)

    connected = threading.Event()
    subscribed = threading.Event()
    received = []
    all_received = threading.Event()
    outcome = {}

    def on_connect(_client, _userdata, _flags, rc):
        outcome["rc"] = rc
        connected.set()

    def on_disconnect(_client, _userdata, rc):
        outcome.setdefault("rc", rc if rc else -1)
        connected.set()

    def on_subscribe(_client, _userdata, _mid, granted):
        say(event="subscribed", granted=list(granted))
        subscribed.set()

    def on_message(_client, _userdata, message):
        say(event="message", topic=message.topic, payload=message.payload.decode())
        received.append(message)
        if len(received) >= args.expect:
            all_received.set()

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    try:
        client.connect(url.hostname, url.port, keepalive=30)
    except Exception as error:  # the handshake was refused: no MQTT at all
        say(event="handshake_refused", error=str(error))
        return 4
    client.loop_start()
    try:
        if not connected.wait(args.timeout):
            say(event="timeout", waiting_for="connack")
            return 3
        if outcome["rc"] != 0:
            say(event="refused", rc=outcome["rc"])
            return 2
        say(event="connected")
        if args.subscribe:
            client.subscribe(args.subscribe, qos=1)
            if not subscribed.wait(args.timeout):
                say(event="timeout", waiting_for="suback")
                return 3
        if args.publish:
            info = client.publish(args.publish[0], args.publish[1], qos=1)
            info.wait_for_publish(args.timeout)
            if not info.is_published():
                say(event="timeout", waiting_for="puback")
                return 3
            say(event="published", topic=args.publish[0])
        if args.expect and not all_received.wait(args.timeout):
            say(event="timeout", waiting_for="messages", got=len(received))
            return 3
        client.disconnect()
        return 0
    finally:
        client.loop_stop()


if __name__ == "__main__":
    sys.exit(main())
