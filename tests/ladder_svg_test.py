#!/usr/bin/env python3
"""The ladder end to end: `tcpsim run FILE --svg F` writes a well-formed SVG with an arrow
per segment and a cross per lost one, and scenario text stays text (in the SVG and in
`--ladder`). Usage: ladder_svg_test.py TCPSIM SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(\"x\")</script></svg><!-- 'single' & \u0001\u001b[31m -->"

failures = []


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"FAIL {name}" + (f": {detail}" if detail else ""))


def classes(element):
    return element.get("class", "").split()


def run_svg(tcpsim, scenario, svg):
    result = subprocess.run([tcpsim, "run", scenario, "--svg", svg], capture_output=True)
    check(f"{scenario} runs", result.returncode == 0, result.stderr.decode(errors="replace"))
    return ET.parse(svg).getroot()  # raises on a malformed SVG


def main():
    tcpsim, src = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        # The lost final ACK: 9 segments (handshake 3, FINs and ACKs 4, the retransmitted
        # FIN and its ACK), one of them lost.
        root = run_svg(tcpsim, os.path.join(src, "scenarios", "lost_final_ack.json"), os.path.join(tmp, "lfa.svg"))
        check("the root is an svg element", root.tag == NS + "svg", root.tag)
        groups = list(root.iter(NS + "g"))
        segments = [g for g in groups if "segment" in classes(g)]
        check("one arrow per segment", len(segments) == 9, str(len(segments)))
        dropped = [g for g in segments if g.get("data-fate") == "dropped"]
        check("one lost segment", len(dropped) == 1, str(len(dropped)))
        crosses = [p for p in root.iter(NS + "path") if "cross" in classes(p)]
        check("one cross", len(crosses) == 1, str(len(crosses)))
        texts = ["".join(t.itertext()) for t in root.iter(NS + "text")]
        check("TIME_WAIT is drawn with its length", "TIME_WAIT 60s" in texts)
        check("the loss names its fault", any(t.startswith("lost (fault: lose the client's final ACK") for t in texts))
        stepped = [g for g in groups if g.get("data-step") is not None]
        check("every step element has a tooltip", stepped and all(g.find(NS + "title") is not None for g in stepped))
        check("no script anywhere", not list(root.iter(NS + "script")))

        # Scenario text full of markup, quotes and control characters.
        with open(os.path.join(src, "scenarios", "lost_final_ack.json")) as f:
            scenario = json.load(f)
        scenario["name"] = "<svg onload=\"alert(1)\">"
        scenario["description"] = HOSTILE
        scenario["faults"][0]["description"] = HOSTILE
        hostile = os.path.join(tmp, "hostile.json")
        with open(hostile, "w") as f:
            json.dump(scenario, f)
        svg = os.path.join(tmp, "hostile.svg")
        root = run_svg(tcpsim, hostile, svg)
        raw = open(svg, "rb").read()
        check("one svg element", raw.count(b"<svg") == 1 and raw.count(b"</svg>") == 1)
        check("no script", b"<script" not in raw and not list(root.iter(NS + "script")))
        check("no control characters", not any(b < 0x20 and b not in (0x0A,) for b in raw))
        texts = ["".join(t.itertext()) for t in root.iter(NS + "text")]
        visible = "<script>alert(\"x\")</script></svg><!-- 'single' & [31m -->"
        check("the title is text", "<svg onload=\"alert(1)\">" in texts, repr(texts[:2]))
        check("the description is text", any(visible in t for t in texts), repr(texts[:3]))
        fate = " ".join("".join(t.itertext()) for t in root.iter(NS + "text") if "fate" in classes(t))
        check("the fault description is text", fate.startswith("lost (fault: <script>alert(\"x\")</script>"), fate)

        ladder = subprocess.run([tcpsim, "run", hostile, "--ladder"], capture_output=True)
        out = ladder.stdout
        check("--ladder runs", ladder.returncode == 0, ladder.stderr.decode(errors="replace"))
        check("--ladder writes no control characters", not any(b < 0x20 and b != 0x0A for b in out))
        check("--ladder shows them escaped", b"\\x01\\x1b[31m" in out)

    for f in failures:
        print(f)
    print(f"{'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
