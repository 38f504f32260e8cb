#!/usr/bin/env python3
"""The HTML report end to end, in headless Chromium: `tcpsim run FILE --html F` opened at
file://F#step=N shows step N's text, explanation, rule and every socket's state (texts
derived from the trace of scenarios/lost_final_ack.json); keys pressed through the DevTools
protocol step, play and move the #step fragment; hostile scenario text stays text; the page
fetches nothing; every bundled scenario makes a report; a lost write exits 4.

Usage: html_report_test.py TCPSIM SOURCE_DIR. Chromium comes from tools/ensure_chromium
(installed when missing and root); exit 77 (skipped) when it cannot be had.
"""
import base64
import hashlib
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile
import time

SKIP = 77
TCPSIM, SRC = sys.argv[1], sys.argv[2]
SCENARIO = os.path.join(SRC, "scenarios", "lost_final_ack.json")
HOSTILE = "<script>alert(1)</script></svg></script><!-- \"q\" 'q' & \x1b[31m red\u2028line\u2029end"
failures = []


def check(ok, what, detail=""):
    if not ok:
        failures.append(what)
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))


def chromium_path():
    result = subprocess.run([os.path.join(SRC, "tools", "ensure_chromium")], capture_output=True, text=True)
    if result.returncode == SKIP:
        print(result.stderr.strip())
        sys.exit(SKIP)
    if result.returncode != 0:
        print(f"FAIL tools/ensure_chromium: {result.stderr.strip()}")
        sys.exit(1)
    return result.stdout.strip()


def chromium_args(profile):
    return ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", "--no-first-run"]


def run_report(scenario, out, *extra):
    return subprocess.run([TCPSIM, "run", scenario, "--html", out, *extra], capture_output=True, text=True)


def data_of(page):
    """The report's JSON block, parsed as the page's script parses it."""
    m = re.search(r'<script type="application/json" id="tcpsim-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


class Dom(html.parser.HTMLParser):
    """The texts of the report's panel as Chromium left them, and which ladder elements
    are marked current."""

    IDS = {"step-number", "step-time", "step-host", "step-kind", "step-text", "step-explanation", "step-rule"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.texts = {}
        self.states = []  # (label, state, changed)
        self.scripts = 0
        self.current = []  # data-step of elements with class "current"
        self._open = []  # (tag, id or None)
        self._li = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if "current" in (a.get("class") or "").split():
            self.current.append(a.get("data-steps") or a.get("data-step"))
        if tag == "li" and any(i == "states" for _, i in self._open):
            self._li = {"label": "", "state": "", "changed": a.get("class") == "changed"}
        cls = a.get("class")
        self._open.append((tag, a.get("id") or (cls if cls in ("band-label", "band-state") else None)))
        if a.get("id") in self.IDS:
            self.texts[a["id"]] = ""

    def handle_endtag(self, tag):
        while self._open:
            t, _ = self._open.pop()
            if t == tag:
                break
        if tag == "li" and self._li is not None:
            self.states.append((self._li["label"], self._li["state"], self._li["changed"]))
            self._li = None

    def handle_data(self, data):
        for _, i in self._open:
            if i in self.IDS:
                self.texts[i] += data
        if self._li is not None and self._open:
            _, i = self._open[-1]
            if i == "band-label":
                self._li["label"] += data
            elif i == "band-state":
                self._li["state"] += data


def dump_dom(chromium, path, fragment, profile):
    url = f"file://{path}#{fragment}"
    out = subprocess.run([chromium, *chromium_args(profile), "--virtual-time-budget=3000", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    return Dom(out.stdout)


class DevTools:
    """Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON)."""

    def __init__(self, chromium, profile):
        to_child, self._send = os.pipe()
        self._recv, from_child = os.pipe()

        def fds():
            # Through spare descriptors, as a pipe end may already be 3 or 4; our own
            # descriptors are close-on-exec, so Chromium gets just these two.
            spare_in, spare_out = os.dup(to_child), os.dup(from_child)
            os.dup2(spare_in, 3)
            os.dup2(spare_out, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen([chromium, *chromium_args(profile), "--remote-debugging-pipe"],
                                     close_fds=False, preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._next = 0
        self._buffer = b""
        self.session = None

    def call(self, method, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._recv, 1 << 16)
                if not chunk:
                    raise RuntimeError(f"chromium closed the pipe during {method}")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, url):
        target = self.call("Target.createTarget", url=url)["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for _ in range(100):
            if self.eval("document.readyState === 'complete' && document.getElementById('step-number').textContent"):
                return
            time.sleep(0.1)
        raise RuntimeError("the report did not load")

    def eval(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    KEYS = {"ArrowRight": 39, "ArrowLeft": 37, " ": 32, "Home": 36, "End": 35}

    def press(self, key):
        code = "Space" if key == " " else key
        vk = self.KEYS[key]
        self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, windowsVirtualKeyCode=vk)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk)

    def where(self):
        return self.eval("[document.getElementById('step-number').textContent, location.hash]")

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        self.proc.wait(timeout=30)
        os.close(self._send)
        os.close(self._recv)


def trace_events(scenario):
    out = subprocess.run([TCPSIM, "run", "--json", scenario], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def step_of(data, **match):
    for i, s in enumerate(data["steps"]):
        if all(s[k] == v for k, v in match.items()):
            return i
    raise KeyError(match)


def check_lost_final_ack(chromium, tmp):
    page_path = os.path.join(tmp, "lfa.html")
    result = run_report(SCENARIO, page_path)
    check(result.returncode == 0, "lost_final_ack --html runs", result.stderr)
    page = open(page_path, encoding="utf-8").read()
    data = data_of(page)
    steps = data["steps"]
    with open(SCENARIO) as f:
        fault = json.load(f)["faults"][0]["description"]

    # Self-contained: the policy forbids fetches and pins the one script by its hash.
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + digest +
              "'; base-uri 'none'; form-action 'none'")
    check(f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in page,
          "the CSP pins the script's hash", f"set kScriptHash to \"sha256-{digest}\" in sim/views/html_report.cpp")
    check(not re.search(r"\b(src|href)\s*=", page), "no src= or href= anywhere")
    check(set(re.findall(r"https?://[^\"' ]+", page)) == {"http://www.w3.org/2000/svg"},
          "no address but the SVG namespace", str(set(re.findall(r"https?://[^\"' ]+", page))))

    # The trace says where the final ACK is lost and when each state changes.
    events = trace_events(SCENARIO)
    drop = next(e for e in events if e["type"] == "segment" and e["event"] == "drop")
    to_time_wait = next(e for e in events if e["type"] == "state" and e.get("to") == "TIME_WAIT")
    closed = [e for e in events if e["type"] == "state" and e.get("to") == "CLOSED"]
    check(drop["host"] == "client" and drop["flags"] == "ACK", "the trace loses the client's ACK", str(drop))

    lose = step_of(data, kind="lose", t_ns=drop["t_ns"])
    dom = dump_dom(chromium, page_path, f"step={lose + 1}", os.path.join(tmp, "p1"))
    check(dom.texts.get("step-number") == f"Step {lose + 1} of {len(steps)}", "#step=N opens step N",
          repr(dom.texts.get("step-number")))
    check(dom.texts.get("step-time") == "1.020 s", "the lost ACK's time", repr(dom.texts.get("step-time")))
    check(dom.texts.get("step-text") == "ACK seq 2 ack 2 from client is lost", "the lost ACK's text",
          repr(dom.texts.get("step-text")))
    check(dom.texts.get("step-explanation") == f'The scenario\'s fault "{fault}" dropped it.',
          "the explanation names the drop and its fault", repr(dom.texts.get("step-explanation")))
    check(dom.texts.get("step-rule") == "", "a loss has no rule", repr(dom.texts.get("step-rule")))
    check(("client c", "TIME_WAIT", False) in dom.states, "the client holds TIME_WAIT as its ACK is lost",
          str(dom.states))
    dropped = re.search(r'<g class="segment dropped"[^>]* data-step="(\d+)" data-steps="([\d ]+)"', page)
    check(dom.current == [dropped.group(2)] and str(lose) in dropped.group(2).split(),
          "the lost segment's arrow, and only it, is highlighted", f"{dom.current} vs {dropped.groups()}")

    tw = step_of(data, kind="state", t_ns=to_time_wait["t_ns"], text="client c: FIN_WAIT_2 -> TIME_WAIT (rcv FIN)")
    dom = dump_dom(chromium, page_path, f"step={tw + 1}", os.path.join(tmp, "p2"))
    check(dom.texts.get("step-rule") == f"Rule: {to_time_wait['clause']}" == "Rule: RFC 9293 3.10.7.4",
          "the state change's rule", repr(dom.texts.get("step-rule")))
    check(dom.texts.get("step-explanation", "").startswith("The peer's FIN arrived:") and
          not dom.texts.get("step-explanation", "").endswith("]"),
          "the explanation without the rule in brackets", repr(dom.texts.get("step-explanation")))
    check(dom.states == [("client c", "TIME_WAIT", True), ("server l", "LISTEN", False),
                         ("server s", "LAST_ACK", False)], "the states as the client enters TIME_WAIT",
          str(dom.states))

    decision = step_of(data, kind="decision")
    dom = dump_dom(chromium, page_path, f"step={decision + 1}", os.path.join(tmp, "p3"))
    check(dom.texts.get("step-explanation") ==
          "The peer sent its FIN again, so our last ACK was lost: TIME-WAIT ACKs it again and restarts 2 MSL. "
          "This is why TIME-WAIT exists.", "the re-ACK's explanation", repr(dom.texts.get("step-explanation")))

    # At the end both connections are CLOSED, the client last, at 62.020 (2MSL after its re-ACK).
    last_closed = closed[-1]
    check(last_closed["host"] == "client" and last_closed["t_ns"] == 62_020_000_000, "the trace's last CLOSED",
          str(last_closed))
    dom = dump_dom(chromium, page_path, f"step={len(steps)}", os.path.join(tmp, "p4"))
    check(dom.texts.get("step-text") == "client c: TIME_WAIT -> CLOSED (TIME-WAIT timeout: 2 x MSL)",
          "the last step", repr(dom.texts.get("step-text")))
    check(dom.texts.get("step-time") == "62.020 s", "the last step's time", repr(dom.texts.get("step-time")))
    check(dom.states == [("client c", "CLOSED", True), ("server l", "LISTEN", False), ("server s", "CLOSED", False)],
          "the states at the end", str(dom.states))
    before = dump_dom(chromium, page_path, f"step={len(steps) - 1}", os.path.join(tmp, "p5"))
    check(("client c", "TIME_WAIT", False) in before.states, "TIME_WAIT just before the end", str(before.states))
    beyond = dump_dom(chromium, page_path, "step=9999", os.path.join(tmp, "p6"))
    check(beyond.texts.get("step-number") == f"Step {len(steps)} of {len(steps)}", "a step past the end shows the last",
          repr(beyond.texts.get("step-number")))

    # Keys, as a user presses them, through the DevTools protocol.
    tools = DevTools(chromium, os.path.join(tmp, "p7"))
    try:
        tools.open(f"file://{page_path}#step=1")
        check(tools.where() == [f"Step 1 of {len(steps)}", "#step=1"], "opens at step 1", str(tools.where()))
        for _ in range(3):
            tools.press("ArrowRight")
        check(tools.where() == [f"Step 4 of {len(steps)}", "#step=4"], "ArrowRight x3 goes to step 4 and says so "
              "in the address", str(tools.where()))
        tools.press("ArrowLeft")
        check(tools.where() == [f"Step 3 of {len(steps)}", "#step=3"], "ArrowLeft goes back", str(tools.where()))
        tools.press("End")
        check(tools.where() == [f"Step {len(steps)} of {len(steps)}", f"#step={len(steps)}"], "End goes to the last",
              str(tools.where()))
        tools.press("ArrowRight")
        check(tools.where()[1] == f"#step={len(steps)}", "no step past the last", str(tools.where()))
        tools.press("Home")
        check(tools.where() == [f"Step 1 of {len(steps)}", "#step=1"], "Home goes to the first", str(tools.where()))
        tools.press(" ")
        time.sleep(2.2)  # a step every 0.9 s
        tools.press(" ")
        played = tools.where()
        time.sleep(1.2)
        check(played[1] in {f"#step={n}" for n in range(2, 6)} and tools.where() == played,
              "Space plays, Space again pauses",
              f"{played} then {tools.where()}")
        tools.eval(f"location.hash = '#step={lose + 1}'")
        time.sleep(0.3)
        check(tools.eval("document.getElementById('step-text').textContent") == "ACK seq 2 ack 2 from client is lost",
              "editing the address's #step moves there")
    finally:
        tools.close()


def check_hostile(chromium, tmp):
    with open(SCENARIO) as f:
        scenario = json.load(f)
    # Host and socket names are letters, digits, '_' and '-' (the loader refuses others);
    # the free texts are where markup can hide.
    scenario["name"] = HOSTILE
    scenario["description"] = HOSTILE
    scenario["faults"][0]["description"] = HOSTILE
    for e in scenario["expect"]:
        if "why" in e:
            e["why"] = HOSTILE
    path = os.path.join(tmp, "hostile.json")
    with open(path, "w") as f:
        json.dump(scenario, f)
    page_path = os.path.join(tmp, "hostile.html")
    result = run_report(path, page_path)
    check(result.returncode == 0, "the hostile scenario makes a report", result.stderr)
    raw = open(page_path, "rb").read()
    check(raw.count(b"<script") == 2 and raw.count(b"</script>") == 2, "two script elements in the file")
    block = re.search(rb'<script type="application/json" id="tcpsim-data">(.*?)</script>', raw, re.S).group(1)
    check(not re.search(rb"[<>&]|\xe2\x80[\xa8\xa9]", block), "no < > & U+2028 U+2029 in the data block")
    check(data_of(raw.decode())["description"] == HOSTILE, "the data holds the description exactly")
    check(not any(b < 0x20 and b != 0x0A for b in raw.replace(block, b"")), "no control characters outside the data")
    lose = step_of(data_of(raw.decode()), kind="lose")
    dom = dump_dom(chromium, page_path, f"step={lose + 1}", os.path.join(tmp, "p8"))
    check(dom.scripts == 2, "no script element added in the page", str(dom.scripts))
    check(dom.texts.get("step-explanation") == f'The scenario\'s fault "{HOSTILE}" dropped it.',
          "the fault description shows literally", repr(dom.texts.get("step-explanation")))
    title = re.search(r"<h1>(.*?)</h1>", open(page_path, encoding="utf-8").read(), re.S).group(1)
    check(html.unescape(title) == HOSTILE.replace("\x1b", ""), "the title is text", repr(title))


def check_every_scenario(tmp):
    folder = os.path.join(SRC, "scenarios")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        out = os.path.join(tmp, name + ".html")
        result = run_report(os.path.join(folder, name), out)
        ok = result.returncode == 0 and result.stderr == ""
        if ok:
            page = open(out, encoding="utf-8").read()
            data = data_of(page)
            ok = page.endswith("</html>\n") and len(data["steps"]) > 0
        check(ok, f"{name} makes a report", result.stderr)


def check_cap_and_filters(tmp):
    out = os.path.join(tmp, "capped.html")
    result = run_report(SCENARIO, out, "--ladder-segments", "3")
    message = "ladder: 9 segments, showing the first 3; narrow it with --socket/--from/--until"
    check(result.returncode == 0 and result.stderr == f"tcpsim: {message}\n", "a capped report says so on stderr",
          result.stderr)
    page = open(out, encoding="utf-8").read()
    check(f'<p class="r-capped">{message}</p>' in page and data_of(page)["capped"] == message,
          "and at the top of the page")
    out = os.path.join(tmp, "window.html")
    result = run_report(SCENARIO, out, "--host", "server", "--from", "2s")
    data = data_of(open(out, encoding="utf-8").read())
    check(result.returncode == 0 and all(s["t_ns"] >= 2_000_000_000 for s in data["steps"]),
          "--from narrows the steps", result.stderr)
    check([(b["label"], b["initial"]) for b in data["bands"]] == [("server s", "LAST_ACK")],
          "a band begun before the window starts in its state then", str(data["bands"]))

    result = run_report(SCENARIO, "/dev/full")
    check(result.returncode == 4 and result.stderr.startswith("tcpsim: cannot write /dev/full"),
          "--html /dev/full exits 4", f"{result.returncode} {result.stderr}")


def main():
    chromium = chromium_path()
    with tempfile.TemporaryDirectory() as tmp:
        check_every_scenario(tmp)
        check_cap_and_filters(tmp)
        check_lost_final_ack(chromium, tmp)
        check_hostile(chromium, tmp)
    print("FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
