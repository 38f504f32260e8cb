#!/usr/bin/env python3
"""End to end: `tcpsim run scenarios/port_exhaustion.json --metrics F.csv --metrics-interval 100ms`
shows what the scenario's own expectations say, and --metrics-svg is well-formed SVG.
Usage: metrics_cli_test.py TCPSIM SOURCE_DIR"""
import csv
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

tcpsim, src = sys.argv[1:3]
failures = []


def check(what, actual, expected):
    if actual != expected:
        failures.append(f"{what}: expected {expected!r}, actual {actual!r}")


with tempfile.TemporaryDirectory() as tmp:
    csv_path = os.path.join(tmp, "m.csv")
    svg_path = os.path.join(tmp, "m.svg")
    run = subprocess.run([tcpsim, "run", os.path.join(src, "scenarios/port_exhaustion.json"),
                          "--metrics", csv_path, "--metrics-svg", svg_path, "--metrics-interval", "100ms"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    check("exit status", run.returncode, 0)
    check("stderr", run.stderr, "")
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    by_t = {r["t_s"]: r for r in rows}

    def at(t, column):
        return int(by_t[f"{t:.9f}"][column])

    # Rows every 100 ms to 121 s, and the end of the run: the client's second TIME_WAIT
    # (from its close at 61.004 s) ends at 121.004 s.
    check("rows", len(rows), 1212)
    check("first row", rows[0]["t_s"], "0.000000000")
    check("last row", rows[-1]["t_s"], "121.004000000")
    # /expect/0: c1 is in TIME_WAIT at 5 s; it holds the one port of the range.
    check("client TIME_WAIT at 5 s", at(5, "client.TIME_WAIT"), 1)
    check("client ports in use at 5 s", at(5, "client.ports_in_use"), 1)
    # /expect/1 and /expect/2: connect() fails with EADDRNOTAVAIL at 5 s and at 30 s; a row at
    # an event's time counts it.
    check("EADDRNOTAVAIL at 4.9 s", at(4.9, "client.connect_EADDRNOTAVAIL"), 0)
    check("EADDRNOTAVAIL at 5 s", at(5, "client.connect_EADDRNOTAVAIL"), 1)
    check("EADDRNOTAVAIL at 29.9 s", at(29.9, "client.connect_EADDRNOTAVAIL"), 1)
    check("EADDRNOTAVAIL at 30 s", at(30, "client.connect_EADDRNOTAVAIL"), 2)
    # /expect/3: TIME_WAIT -> CLOSED at 60.004 s frees the port.
    check("client TIME_WAIT at 60 s", at(60, "client.TIME_WAIT"), 1)
    check("client TIME_WAIT at 60.1 s", at(60.1, "client.TIME_WAIT"), 0)
    check("client ports in use at 60.1 s", at(60.1, "client.ports_in_use"), 0)
    # /expect/4: c4 connects at 61.002 s; no more failures.
    check("client ports in use at 61.1 s", at(61.1, "client.ports_in_use"), 1)
    check("EADDRNOTAVAIL at the end", int(rows[-1]["client.connect_EADDRNOTAVAIL"]), 2)
    check("client TIME_WAIT at the end", int(rows[-1]["client.TIME_WAIT"]), 0)
    check("TIME_WAIT rows on the client", sum(int(r["client.TIME_WAIT"]) for r in rows), 600 + 600)
    check("server LISTEN in every row", {r["server.LISTEN"] for r in rows}, {"1"})
    check("server TIME_WAIT in no row", {r["server.TIME_WAIT"] for r in rows}, {"0"})

    svg = ET.parse(svg_path).getroot()  # raises on malformed XML
    ns = {"s": "http://www.w3.org/2000/svg"}
    check("svg title", svg.find("s:title", ns).text, "port_exhaustion")
    lines = sorted(p.find("s:title", ns).text for p in svg.iter("{http://www.w3.org/2000/svg}polyline"))
    check("svg lines", lines, ["client SYN_SENT", "client TIME_WAIT", "client ports in use", "server LISTEN"])

for f in failures:
    print("FAIL", f)
print(f"metrics end-to-end: {len(failures)} failed")
sys.exit(1 if failures else 0)
