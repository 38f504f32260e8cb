#!/usr/bin/env python3
"""Run teardown experiments against the real Linux kernel and against tcpsim, and compare.

Each experiment runs twice:

* on the real kernel, inside two network namespaces this script creates (client
  10.77.0.1 and server 10.77.0.2 joined by a veth pair), with small socket programs
  (this same file, re-invoked with --role inside a namespace), nftables rules for the
  faults, and tcpdump capturing both veth ends plus NFLOG for the packets nft drops;
* in tcpsim, with the counterpart scenario tools/kernel/scenarios/<experiment>.json
  (profile `linux`), read from `tcpsim run --json`.

The same feature extraction runs on both observations and the script prints one table
per experiment: aspect | kernel | tcpsim | verdict. See tools/kernel/README.md.

Standard library only. Must run as root (namespaces, nft, tcpdump, sysctls).
"""

import argparse
import errno
import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_TCPSIM = REPO / "build" / "tcpsim"
SCENARIOS = HERE / "scenarios"
KNOWN_FILE = HERE / "known_differences.json"

NS_PREFIX = "tcpsimk-"
NS = {"client": NS_PREFIX + "client", "server": NS_PREFIX + "server"}
VETH = {"client": "tsk-c0", "server": "tsk-s0"}
IP = {"client": "10.77.0.1", "server": "10.77.0.2"}
PREFIX_LEN = 24
PORT = 80
NFLOG_GROUP = {"client": 77, "server": 78}
NFT_TABLE = "tcpsimk"
LOCK_FILE = "/run/lock/tcpsimk.lock" if os.path.isdir("/run/lock") else "/tmp/tcpsimk.lock"
PACKAGES = ["tcpdump", "nftables", "iproute2", "python3"]

TIME_TOLERANCE_REL = 0.20   # a timing agrees within +-20% of the kernel value ...
TIME_TOLERANCE_ABS = 0.050  # ... or +-50 ms, whichever is larger

SKIP = 77

# The server closes this long after it reads end-of-stream. Linux delays the ACK of a FIN
# (one jiffy when no data was received yet, 40 ms after data): a close() within that time
# carries the ACK on the FIN, a later one sends ACK then FIN. Waiting 100 ms makes the
# kernel's segments deterministic (always ACK, then FIN); the scenarios say "after": "100ms".
CLOSE_DELAY = 0.1


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Role side: the socket programs that run inside a namespace.
# ---------------------------------------------------------------------------------------

TCP_STATES = {
    1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECEIVED", 4: "FIN_WAIT_1", 5: "FIN_WAIT_2",
    6: "TIME_WAIT", 7: "CLOSED", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING",
    12: "SYN_RECEIVED",  # TCP_NEW_SYN_RECV (request socket)
}


def proc_net_tcp():
    """Sockets of the current network namespace, from /proc/net/tcp (LISTEN excluded)."""
    hz = os.sysconf("SC_CLK_TCK")
    out = []
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if len(fields) < 6:
                continue

            def addr(s):
                h, p = s.split(":")
                return "%s:%d" % (socket.inet_ntoa(struct.pack("<I", int(h, 16))), int(p, 16))

            state = TCP_STATES.get(int(fields[3], 16), fields[3])
            if state == "LISTEN":
                continue
            timer, when = fields[5].split(":")
            entry = {"local": addr(fields[1]), "remote": addr(fields[2]), "state": state}
            if int(timer, 16) == 3:  # TIME_WAIT timer, jiffies_delta_to_clock_t
                entry["tw_left"] = int(when, 16) / hz
            out.append(entry)
    return out


def nft(script):
    r = subprocess.run(["nft", "-f", "-"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("nft failed: %s" % r.stderr.strip())


def nft_counter():
    """Packets counted by the counters of our nft table (summed)."""
    r = subprocess.run(["nft", "list", "table", "inet", NFT_TABLE], text=True,
                       capture_output=True)
    total = 0
    for part in r.stdout.split("counter packets ")[1:]:
        total += int(part.split()[0])
    return total


class Recorder:
    """Timestamps socket calls and state samples of one role; prints them as JSON."""

    def __init__(self, host, t0):
        self.host = host
        self.t0 = t0
        self.calls = []
        self.samples = []
        self.notes = {}

    def at(self, rel):
        delay = self.t0 + rel - time.time()
        if delay > 0:
            time.sleep(delay)

    def call(self, sock, call, fn, obj=None):
        t = time.time()
        try:
            r = fn()
            if isinstance(r, (bytes, bytearray)):
                res = str(len(r))
            elif isinstance(r, int):
                res = str(r)
            else:
                res = "0"
        except OSError as e:
            if e.errno:
                res = errno.errorcode.get(e.errno, "errno %d" % e.errno)
            else:
                res = "no result (%s)" % (e,)
        entry = {"host": self.host, "sock": sock, "call": call, "t": t, "t_end": time.time(),
                 "result": res}
        if obj is not None and call == "connect" and res == "0":
            try:
                entry["local"] = "%s:%d" % obj.getsockname()
            except OSError:
                pass
        self.calls.append(entry)
        return res

    def sampler(self, schedule):
        for label, rel in schedule:
            self.at(rel)
            self.samples.append({"host": self.host, "label": label, "t": time.time(),
                                 "sockets": proc_net_tcp()})

    def result(self):
        return {"calls": self.calls, "samples": self.samples, "notes": self.notes}


def listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((IP["server"], PORT))
    sock.listen(16)
    return sock


def accept_one(rec, lsock, name, timeout=5.0):
    lsock.settimeout(timeout)
    conn, _ = lsock.accept()
    rec.calls.append({"host": rec.host, "sock": name, "call": "accept", "t": time.time(),
                      "t_end": time.time(), "result": "0"})
    return conn


def client_socket(timeout=5.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    return sock


def connect(rec, name, sock):
    return rec.call(name, "connect", lambda: sock.connect((IP["server"], PORT)), sock)


DROP_ONE_ACK = """
table inet %(t)s {
  set acked { type ipv4_addr; flags dynamic; }
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr @acked accept
    ip daddr %(dst)s tcp dport %(port)d tcp flags == ack add @acked { ip daddr } counter log group %(g)d queue-threshold 1 drop
  }
}
"""

DROP_ALL_OUTPUT = """
table inet %(t)s {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr %(dst)s counter log group %(g)d queue-threshold 1 drop
  }
}
"""


# --- 1. lost_final_ack -----------------------------------------------------------------

def lfa_client(rec, p):
    c = client_socket()
    rec.at(0)
    connect(rec, "c", c)
    rec.at(0.95)
    # Drop exactly one packet: the first pure ACK to the server from now on adds the
    # server's address to the dynamic set `acked` and is dropped (and logged to NFLOG);
    # the rule before it accepts everything to an address already in the set.
    nft(DROP_ONE_ACK % {"t": NFT_TABLE, "dst": IP["server"], "port": PORT,
                        "g": NFLOG_GROUP["client"]})
    rec.notes["nft rule installed"] = time.time()
    rec.at(1.0)
    rec.call("c", "close", c.close)
    rec.at(3.0)
    rec.notes["nft packets dropped"] = nft_counter()


def lfa_server(rec, p):
    lsock = listener()
    s = accept_one(rec, lsock, "s")
    s.settimeout(10)
    rec.call("s", "recv", lambda: s.recv(1000))
    time.sleep(CLOSE_DELAY)
    rec.call("s", "close", s.close)


# --- 2. port_exhaustion ----------------------------------------------------------------

def pe_client(rec, p):
    c1 = client_socket()
    rec.at(0)
    if connect(rec, "c1", c1) == "0":
        rec.call("c1", "send", lambda: c1.send(b"hello"))
        rec.call("c1", "recv", lambda: c1.recv(1000))
    rec.at(0.5)
    rec.call("c1", "close", c1.close)  # TIME_WAIT begins with the server's FIN at 0.6 s
    rec.at(0.7)
    c2 = client_socket()
    connect(rec, "c2", c2)
    c2.close()
    rec.at(1.8)
    c3 = client_socket()
    connect(rec, "c3", c3)
    rec.at(2.1)
    rec.call("c3", "close", c3.close)


def pe_server(rec, p):
    lsock = listener()
    lsock.settimeout(0.1)
    n = 0
    while time.time() < rec.t0 + 2.4:
        try:
            conn, _ = lsock.accept()
        except TimeoutError as e:
            if e.errno:
                raise
            continue
        n += 1
        name = "s" if n == 1 else "s.%d" % n
        rec.calls.append({"host": rec.host, "sock": name, "call": "accept", "t": time.time(),
                          "t_end": time.time(), "result": "0"})
        conn.settimeout(3)
        while True:
            res = rec.call(name, "recv", lambda: conn.recv(1000))
            if res == "0" or not res.isdigit():
                break
            rec.call(name, "send", lambda: conn.send(b"world"))
        time.sleep(CLOSE_DELAY)
        rec.call(name, "close", conn.close)


# --- 3. so_linger_rst ------------------------------------------------------------------

def linger_client(rec, p):
    c = client_socket()
    rec.at(0)
    connect(rec, "c", c)
    rec.at(1.0)
    rec.call("c", "setsockopt",
             lambda: c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)))
    rec.call("c", "close", c.close)


def linger_server(rec, p):
    lsock = listener()
    s = accept_one(rec, lsock, "s")
    s.settimeout(5)
    rec.call("s", "recv", lambda: s.recv(1000))
    rec.call("s", "close", s.close)


# --- 4. keepalive_dead_peer ------------------------------------------------------------

def ka_client(rec, p):
    c = client_socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 3)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 2)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 4)
    rec.at(0)
    connect(rec, "c", c)
    c.settimeout(20)
    rec.call("c", "recv", lambda: c.recv(1000))
    rec.call("c", "close", c.close)


def ka_server(rec, p):
    lsock = listener()
    s = accept_one(rec, lsock, "s")
    rec.at(1.0)
    # The server goes dark: everything it sends to the client is dropped (and logged).
    nft(DROP_ALL_OUTPUT % {"t": NFT_TABLE, "dst": IP["client"], "g": NFLOG_GROUP["server"]})
    rec.notes["nft rule installed"] = time.time()
    s.settimeout(20)
    rec.call("s", "recv", lambda: s.recv(1000))
    rec.call("s", "close", s.close)
    rec.notes["nft packets dropped"] = nft_counter()


# --- 5. crafted SYNs to a TIME_WAIT socket ------------------------------------------------

CRAFTED_PORT = 40000

# The client's kernel would answer the server's replies to the raw socket's SYNs with RST
# (it has no connection on that 4-tuple any more) and so kill TIME_WAIT: drop its RSTs,
# as tcpsim's raw socket keeps the replies from the client's stack.
DROP_CLIENT_RSTS = """
table inet %(t)s {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr %(dst)s tcp sport %(port)d tcp flags & rst == rst counter drop
  }
}
"""


class Sniffer:
    """The client's own TCP segments on the veth (AF_PACKET), to learn its SND.NXT."""

    def __init__(self, iface, ip, port):
        # ETH_P_ALL: packets the host sends reach only such taps (dev_queue_xmit_nit).
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.sock.bind((iface, 0))
        self.sock.settimeout(0.2)
        self.ip, self.port = socket.inet_aton(ip), port
        self.snd_nxt = None
        self.stop = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop:
            try:
                frame = self.sock.recv(65536)
            except socket.timeout:
                continue
            ip = frame[14:]
            if frame[12:14] != b"\x08\x00" or len(ip) < 40 or ip[9] != 6 or ip[12:16] != self.ip:
                continue
            ihl = (ip[0] & 0x0F) * 4
            tcp = ip[ihl:]
            sport, _, seq = struct.unpack("!HHI", tcp[:8])
            if sport != self.port:
                continue
            doff = (tcp[12] >> 4) * 4
            flags = tcp[13]
            total = struct.unpack("!H", ip[2:4])[0]
            length = total - ihl - doff + (1 if flags & 0x03 else 0) + (1 if flags & 0x02 and flags & 0x01 else 0)
            self.snd_nxt = (seq + length) & 0xFFFFFFFF


def tcp_checksum(src, dst, segment):
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(segment))
    data = pseudo + segment + (b"\0" if len(segment) % 2 else b"")
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def raw_syn(seq):
    """A SYN with an MSS option from the client's old port, built by hand."""
    options = struct.pack("!BBH", 2, 4, 1460)
    header = struct.pack("!HHIIBBHHH", CRAFTED_PORT, PORT, seq, 0, (5 + len(options) // 4) << 4,
                         0x02, 65535, 0, 0) + options
    checksum = tcp_checksum(IP["client"], IP["server"], header)
    return header[:16] + struct.pack("!H", checksum) + header[18:]


def crafted_client(rec, p):
    sniffer = Sniffer(VETH["client"], IP["client"], CRAFTED_PORT)
    c = client_socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((IP["client"], CRAFTED_PORT))
    rec.at(0)
    connect(rec, "c", c)
    c.settimeout(5)
    rec.call("c", "recv", lambda: c.recv(1000))
    time.sleep(CLOSE_DELAY)  # so that the ACK of the server's FIN goes alone, as in tcpsim
    rec.call("c", "close", c.close)
    rec.at(1.0)
    if p["drop_rsts"]:
        nft(DROP_CLIENT_RSTS % {"t": NFT_TABLE, "dst": IP["server"], "port": CRAFTED_PORT})
    sniffer.stop = True
    rcv_nxt = sniffer.snd_nxt  # the server's RCV.NXT: after the client's FIN
    if rcv_nxt is None:
        raise RuntimeError("the sniffer saw none of the client's segments")
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    for at, offset in p["syns"]:
        rec.at(at)
        raw.sendto(raw_syn((rcv_nxt + offset) & 0xFFFFFFFF), (IP["server"], 0))
    rec.at(3.8)
    if p["drop_rsts"]:
        rec.notes["client RSTs dropped by nft"] = nft_counter()


def crafted_server(rec, p):
    lsock = listener()
    s = accept_one(rec, lsock, "s")
    time.sleep(CLOSE_DELAY)
    rec.call("s", "close", s.close)  # the server closes first: TIME_WAIT is its own
    rec.at(3.8)
    lsock.close()


# --- 6. teardown variants --------------------------------------------------------------

def tsc_client(rec, p):
    """three_segment_close: the client closes first at 1 s."""
    c = client_socket()
    rec.at(0)
    connect(rec, "c", c)
    rec.at(1.0)
    rec.call("c", "close", c.close)


def tsc_server(rec, p):
    """The server closes as soon as it reads end-of-stream."""
    lsock = listener()
    s = accept_one(rec, lsock, "s")
    s.settimeout(5)
    rec.call("s", "recv", lambda: s.recv(1000))
    rec.call("s", "close", s.close)


def hc_client(rec, p):
    """half_close: a request, shutdown(SHUT_WR), then the response is read to the end."""
    c = client_socket()
    rec.at(0)
    connect(rec, "c", c)
    rec.at(0.5)
    rec.call("c", "send", lambda: c.send(b"request"))
    rec.at(1.0)
    rec.call("c", "shutdown", lambda: c.shutdown(socket.SHUT_WR))
    c.settimeout(5)
    rec.call("c", "recv", lambda: c.recv(1000))
    rec.call("c", "recv", lambda: c.recv(1000))
    time.sleep(CLOSE_DELAY)
    rec.call("c", "close", c.close)


def hc_server(rec, p):
    lsock = listener()
    s = accept_one(rec, lsock, "s")
    s.settimeout(5)
    rec.call("s", "recv", lambda: s.recv(1000))
    rec.call("s", "recv", lambda: s.recv(1000))  # end-of-stream
    rec.at(1.5)
    rec.call("s", "send", lambda: s.send(b"response"))
    rec.at(2.0)
    rec.call("s", "close", s.close)


def cud_client(rec, p):
    """close_unread_data: 5 bytes the server never reads."""
    c = client_socket()
    rec.at(0)
    connect(rec, "c", c)
    rec.at(0.5)
    rec.call("c", "send", lambda: c.send(b"hello"))
    c.settimeout(5)
    rec.call("c", "recv", lambda: c.recv(1000))


def cud_server(rec, p):
    lsock = listener()
    s = accept_one(rec, lsock, "s")
    rec.at(1.0)
    rec.call("s", "close", s.close)


def ofw_client(rec, p):
    """orphan_fin_wait_2: c1 only shuts down writing (still owned), c2 closes (an orphan)."""
    c1, c2 = client_socket(), client_socket()
    rec.at(0)
    connect(rec, "c1", c1)
    rec.at(0.1)
    connect(rec, "c2", c2)
    rec.at(1.0)
    rec.call("c1", "shutdown", lambda: c1.shutdown(socket.SHUT_WR))
    rec.call("c2", "close", c2.close)
    rec.at(5.0)
    rec.call("c1", "close", c1.close)


def ofw_server(rec, p):
    """Writes to c2's peer at 4 s, after the orphan is gone; closes both at 5.5 s."""
    lsock = listener()
    s1 = accept_one(rec, lsock, "s")
    s2 = accept_one(rec, lsock, "s.2")
    rec.at(4.0)
    rec.call("s.2", "send", lambda: s2.send(b"late"))
    rec.at(5.5)
    s1.close()
    s2.close()


ROLE_FUNCS = {
    ("lost_final_ack", "client"): lfa_client,
    ("lost_final_ack", "server"): lfa_server,
    ("port_exhaustion", "client"): pe_client,
    ("port_exhaustion", "server"): pe_server,
    ("so_linger_rst", "client"): linger_client,
    ("so_linger_rst", "server"): linger_server,
    ("keepalive_dead_peer", "client"): ka_client,
    ("keepalive_dead_peer", "server"): ka_server,
    ("three_segment_close", "client"): tsc_client,
    ("three_segment_close", "server"): tsc_server,
    ("half_close", "client"): hc_client,
    ("half_close", "server"): hc_server,
    ("close_unread_data", "client"): cud_client,
    ("close_unread_data", "server"): cud_server,
    ("orphan_fin_wait_2", "client"): ofw_client,
    ("orphan_fin_wait_2", "server"): ofw_server,
    ("crafted_syn_time_wait", "client"): crafted_client,
    ("crafted_syn_time_wait", "server"): crafted_server,
}


def role_main(spec_json):
    spec = json.loads(spec_json)
    rec = Recorder(spec["host"], spec["t0"])
    if time.time() > spec["t0"]:
        rec.notes["late start"] = time.time() - spec["t0"]
    out = {}
    try:
        sampler = threading.Thread(target=rec.sampler, args=(spec["samples"],), daemon=True)
        sampler.start()
        ROLE_FUNCS[(spec["program"], spec["host"])](rec, spec.get("params", {}))
        sampler.join(timeout=30)
    except Exception:  # reported to the orchestrator, which prints it
        out["error"] = traceback.format_exc()
    out.update(rec.result())
    print(json.dumps(out), flush=True)
    return 0


# ---------------------------------------------------------------------------------------
# Observations: segments, calls, state samples, in one shape for kernel and tcpsim.
# ---------------------------------------------------------------------------------------

FLAG_BITS = [("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10),
             ("URG", 0x20)]


class Seg:
    """One segment as seen by one host ("view"): sent by it (">") or received ("<")."""

    def __init__(self, t, view, sender, flags, seq, ack, length, cport, dropped=False):
        self.t = t
        self.view = view
        self.sender = sender
        self.dir = ">" if sender == view else "<"
        self.flags = frozenset(flags)
        self.seq = seq
        self.ack = ack
        self.len = length
        self.cport = cport  # the client's port: with the server's fixed, names the 4-tuple
        self.dropped = dropped
        self.conn = None    # incarnation number, 1-based, in order of client SYNs
        self.rseq = seq
        self.rack = ack

    def flagstr(self):
        # tcpdump/packetdrill style; PSH is left out on purpose (tcpsim never sets it).
        s = "".join(c for c, n in (("S", "SYN"), ("F", "FIN"), ("R", "RST"), ("U", "URG"))
                    if n in self.flags)
        if "ACK" in self.flags:
            s += "."
        return s or "none"

    def fmt(self):
        s = "%s %s %d:%d" % (self.dir, self.flagstr(), self.rseq, self.rseq + self.len)
        if "ACK" in self.flags:
            s += " ack %d" % self.rack
        if self.dropped:
            s += " (dropped)"
        return s


def signed32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= (1 << 31) else v


def number_segments(segs):
    """Assign incarnations and sequence numbers relative to each side's ISN, per view."""
    for view in ("client", "server"):
        current = {}  # cport -> {"conn": k, "isn": {"client": x, "server": y}}
        count = 0
        for s in sorted((s for s in segs if s.view == view), key=lambda s: s.t):
            inc = current.get(s.cport)
            if s.sender == "client" and "SYN" in s.flags and "ACK" not in s.flags:
                if inc is None or inc["isn"].get("client") != s.seq:
                    count += 1
                    inc = {"conn": count, "isn": {"client": s.seq}}
                    current[s.cport] = inc
            if s.sender == "server" and "SYN" in s.flags and "ACK" in s.flags and inc is not None:
                inc["isn"]["server"] = s.seq
            if inc is None:
                continue
            s.conn = inc["conn"]
            other = "server" if s.sender == "client" else "client"
            if s.sender in inc["isn"]:
                s.rseq = signed32(s.seq - inc["isn"][s.sender])
            if other in inc["isn"] and "ACK" in s.flags:
                s.rack = signed32(s.ack - inc["isn"][other])


class Obs:
    def __init__(self):
        self.segs = []
        self.calls = []     # host, sock, call, t, t_end, result, local
        self.samples = {}   # (host, label) -> list of sockets {local, remote, state, tw_left}
        self.errors = []    # host, sock, t, error (tcpsim: errors reported by state changes)
        self.notes = {}

    # segments
    def view(self, view, conn=None):
        return sorted((s for s in self.segs if s.view == view and
                       (conn is None or s.conn == conn)), key=lambda s: s.t)

    def sent(self, host, pred=lambda s: True):
        return [s for s in self.view(host) if s.dir == ">" and pred(s)]

    def received(self, host, pred=lambda s: True):
        return [s for s in self.view(host) if s.dir == "<" and pred(s)]

    def seglist(self, view, conn=None):
        segs = self.view(view, conn)
        return " / ".join(s.fmt() for s in segs) if segs else "none"

    def conns(self):
        return sorted({s.conn for s in self.segs if s.conn is not None})

    # calls
    def call(self, host, sock, call, nth=1):
        found = [c for c in self.calls if c["host"] == host and c["sock"] == sock and
                 c["call"] == call]
        return found[nth - 1] if len(found) >= nth else None

    def result(self, host, sock, call, nth=1):
        c = self.call(host, sock, call, nth)
        return c["result"] if c else "not called"

    def failure(self, host, sock):
        """The first error a socket reported: an errno from recv/send, else from a state change."""
        for c in self.calls:
            if c["host"] == host and c["sock"] == sock and c["call"] in ("recv", "send") \
                    and not c["result"].lstrip("-").isdigit():
                return c["result"], c["t_end"]
        for e in self.errors:
            if e["host"] == host and e["sock"] == sock:
                return e["error"], e["t"]
        return "none", None

    # states
    def states(self, host, label):
        socks = self.samples.get((host, label))
        if socks is None:
            return "not sampled"
        peer = "%s:%d" % (IP["server"], PORT)
        mine = [s for s in socks if (s["remote"] == peer if host == "client"
                                     else s["local"] == peer)]
        return "+".join(sorted(s["state"] for s in mine)) or "CLOSED"

    def tw_left(self, host, label):
        socks = self.samples.get((host, label)) or []
        left = [s["tw_left"] for s in socks if s["state"] == "TIME_WAIT" and
                s.get("tw_left") is not None]
        return max(left) if left else None


# --- pcap ---------------------------------------------------------------------------------

def read_pcap(path):
    """TCP/IPv4 packets of a pcap file: Ethernet, Linux cooked (v1, v2), raw IP or NFLOG."""
    data = Path(path).read_bytes() if Path(path).exists() else b""
    if len(data) < 24:
        return []
    magic = data[:4]
    formats = {b"\xd4\xc3\xb2\xa1": ("<", 1e6), b"\xa1\xb2\xc3\xd4": (">", 1e6),
               b"\x4d\x3c\xb2\xa1": ("<", 1e9), b"\xa1\xb2\x3c\x4d": (">", 1e9)}
    if magic not in formats:
        raise ValueError("%s: not a pcap file" % path)
    end, frac_unit = formats[magic]
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    packets = []
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        ip = l3_payload(linktype, frame)
        pkt = parse_ipv4_tcp(ip) if ip else None
        if pkt:
            pkt["t"] = sec + frac / frac_unit
            packets.append(pkt)
    return packets


def l3_payload(linktype, frame):
    if linktype == 1:  # Ethernet
        etype, off = struct.unpack(">H", frame[12:14])[0], 14
        while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
            etype, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
        return frame[off:] if etype == 0x0800 else None
    if linktype == 113:  # Linux cooked v1
        return frame[16:] if struct.unpack(">H", frame[14:16])[0] == 0x0800 else None
    if linktype == 276:  # Linux cooked v2
        return frame[20:] if struct.unpack(">H", frame[0:2])[0] == 0x0800 else None
    if linktype in (12, 101, 228):  # raw IP
        return frame
    if linktype == 239:  # NFLOG: 4-byte header, then TLVs (little-endian length, type)
        if len(frame) < 4 or frame[0] != socket.AF_INET:
            return None
        off = 4
        while off + 4 <= len(frame):
            tlv_len, tlv_type = struct.unpack("<HH", frame[off:off + 4])
            if tlv_len < 4:
                break
            if tlv_type & 0x7FFF == 9:  # NFULA_PAYLOAD
                return frame[off + 4:off + tlv_len]
            off += (tlv_len + 3) & ~3
    return None


def parse_ipv4_tcp(ip):
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        return None
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack(">H", ip[2:4])[0]
    tcp = ip[ihl:]
    if len(tcp) < 20:
        return None
    sport, dport, seq, ack = struct.unpack(">HHII", tcp[:12])
    doff = (tcp[12] >> 4) * 4
    bits = tcp[13]
    return {"src": socket.inet_ntoa(ip[12:16]), "dst": socket.inet_ntoa(ip[16:20]),
            "sport": sport, "dport": dport, "seq": seq, "ack": ack,
            "flags": [n for n, b in FLAG_BITS if bits & b], "len": total - ihl - doff}


def kernel_segments(pcaps):
    """pcaps: {(view, "wire"|"dropped"): path}. Returns Seg list."""
    host_of = {v: k for k, v in IP.items()}
    segs = []
    for (view, kind), path in pcaps.items():
        for p in read_pcap(path):
            sender, receiver = host_of.get(p["src"]), host_of.get(p["dst"])
            if sender is None or receiver is None or sender == receiver:
                continue
            if kind == "dropped" and sender != view:
                continue
            cport = p["sport"] if sender == "client" else p["dport"]
            segs.append(Seg(p["t"], view, sender, p["flags"], p["seq"], p["ack"], p["len"],
                            cport, dropped=(kind == "dropped")))
    return segs


# ---------------------------------------------------------------------------------------
# Experiments: features computed identically from the kernel's and tcpsim's observations.
# ---------------------------------------------------------------------------------------

def T(v):
    return ("time", v)


def X(v):
    return ("exact", v)


def first(seq):
    return seq[0] if seq else None


def t_of(seg):
    return seg.t if seg is not None else None


def call_rows(o, rows, host, sock, call, label, nth=1, with_time=False):
    c = o.call(host, sock, call, nth)
    rows.append((label, X(c["result"] if c else "not called")))
    if with_time:
        rows.append((label + " returns at", T(c["t_end"] if c else None)))


def seg_rows(o, rows, views=("client", "server"), conns=None):
    """One row per view with every segment; with conns, one row per view and incarnation."""
    for view in views:
        if conns is None:
            rows.append(("segments (%s view)" % view, X(o.seglist(view))))
        else:
            for k in conns:
                rows.append(("segments conn %d (%s view)" % (k, view), X(o.seglist(view, k))))


def feat_lost_final_ack(o):
    rows = []
    call_rows(o, rows, "client", "c", "connect", "client connect()")
    seg_rows(o, rows)
    fins_c = o.sent("client", lambda s: "FIN" in s.flags)
    fins_s = o.sent("server", lambda s: "FIN" in s.flags)
    rows.append(("client FIN sent at", T(t_of(first(fins_c)))))
    fin_c = first(o.received("server", lambda s: "FIN" in s.flags))
    ack_c = first(o.sent("server", lambda s: fin_c is not None and s.t >= fin_c.t and
                         s.rack == fin_c.rseq + 1))
    rows.append(("server ACKs client FIN", X(ack_c.fmt() if ack_c else "none")))
    rows.append(("server ACKs client FIN after", T(ack_c.t - fin_c.t if ack_c else None)))
    rows.append(("server FIN sent at", T(t_of(first(fins_s)))))
    dropped = o.sent("client", lambda s: s.dropped)
    rows.append(("client segments dropped", X(" / ".join(s.fmt() for s in dropped) or "none")))
    rows.append(("server FIN transmissions", X(str(len(fins_s)))))
    rows.append(("server FIN retransmitted after",
                 T(fins_s[1].t - fins_s[0].t if len(fins_s) > 1 else None)))
    # The client's answer to the retransmitted FIN, as the client sees it.
    fin2 = [s for s in o.received("client", lambda s: "FIN" in s.flags)][1:2]
    reack = None
    if fin2:
        reack = first(o.sent("client", lambda s: s.t >= fin2[0].t and not s.dropped))
        rows.append(("client answer to retransmitted FIN", X(reack.fmt() if reack else "none")))
        rows.append(("client answers retransmitted FIN after",
                     T(reack.t - fin2[0].t if reack else None)))
    else:
        rows.append(("client answer to retransmitted FIN", X("no retransmitted FIN arrived")))
    # When the server's FIN is acknowledged (LAST_ACK -> CLOSED).
    fin_end = (fins_s[0].rseq + 1) if fins_s else None
    acked = first(o.received("server", lambda s: "ACK" in s.flags and s.rack == fin_end
                             and "RST" not in s.flags and fin_end is not None
                             and s.t > fins_s[0].t))
    rows.append(("server FIN acknowledged at (LAST_ACK ends)", T(t_of(acked))))
    call_rows(o, rows, "server", "s", "recv", "server recv() (EOF = 0)", with_time=True)
    call_rows(o, rows, "client", "c", "close", "client close()")
    for host in ("client", "server"):
        for label in ("1.05s", "1.2s", "3s"):
            rows.append(("%s state at %s" % (host, label), X(o.states(host, label))))
    rows.append(("client TIME_WAIT time left at 3s", T(o.tw_left("client", "3s"))))
    return rows


def feat_port_exhaustion(o):
    rows = []
    call_rows(o, rows, "client", "c1", "connect", "client connect #1 at 0s")
    c1 = o.call("client", "c1", "connect")
    rows.append(("connect #1 local port", X(c1.get("local", "-").split(":")[-1] if c1 else "-")))
    rows.append(("client TIME_WAIT began at",
                 T(t_of(first(o.received("client", lambda s: "FIN" in s.flags and s.conn == 1))))))
    rows.append(("client state at 0.65s (before connect #2)", X(o.states("client", "0.65s"))))
    call_rows(o, rows, "client", "c2", "connect", "client connect #2 at 0.7s")
    call_rows(o, rows, "client", "c3", "connect", "client connect #3 at 1.8s")
    c3 = o.call("client", "c3", "connect")
    rows.append(("connect #3 local port",
                 X(c3.get("local", "-").split(":")[-1] if c3 and c3["result"] == "0" else "-")))
    rows.append(("client state at 1.9s", X(o.states("client", "1.9s"))))
    # The ISN a reused TIME_WAIT 4-tuple starts from (L-REUSE-4: old SND.NXT + 65537).
    syns = o.sent("client", lambda s: "SYN" in s.flags and "ACK" not in s.flags)
    fins = o.sent("client", lambda s: "FIN" in s.flags and s.conn == 1)
    isns = []
    for s in syns:
        if not isns or isns[-1].conn != s.conn:
            isns.append(s)
    if len(isns) > 1 and fins:
        delta = str(signed32(isns[1].seq - (fins[0].seq + fins[0].len + 1)))
    else:
        delta = "-" if len(isns) <= 1 else "no FIN on conn 1"
    rows.append(("conn 2 ISN - conn 1 final SND.NXT", X(delta)))
    seg_rows(o, rows, views=("client",), conns=(1, 2))
    return rows


def feat_so_linger_rst(o):
    rows = []
    call_rows(o, rows, "client", "c", "connect", "client connect()")
    seg_rows(o, rows)
    call_rows(o, rows, "client", "c", "setsockopt", "client setsockopt(SO_LINGER {1, 0})")
    call_rows(o, rows, "client", "c", "close", "client close()")
    late = o.sent("client", lambda s: s.t > 0.5)
    rows.append(("client segments after close", X(" / ".join(s.fmt() for s in late) or "none")))
    rst = first(o.sent("client", lambda s: "RST" in s.flags))
    rows.append(("client RST sent at", T(t_of(rst))))
    rows.append(("client FIN segments", X(str(len(o.sent("client", lambda s: "FIN" in s.flags))))))
    rows.append(("client state at 1.5s", X(o.states("client", "1.5s"))))
    err, t = o.failure("server", "s")
    rows.append(("server sees error", X(err)))
    rows.append(("server sees error at", T(t)))
    rows.append(("server state at 1.5s", X(o.states("server", "1.5s"))))
    return rows


def feat_keepalive_dead_peer(o):
    rows = []
    call_rows(o, rows, "client", "c", "connect", "client connect()")
    seg_rows(o, rows)
    probes = o.sent("client", lambda s: s.t > 1.5 and s.len == 0 and
                    s.flags == frozenset(["ACK"]))
    rows.append(("keepalive probes sent", X(str(len(probes)))))
    rows.append(("keepalive probe form", X(probes[0].fmt() if probes else "none")))
    for k in range(max(4, len(probes))):
        rows.append(("keepalive probe %d at" % (k + 1), T(probes[k].t if k < len(probes) else None)))
    rst = first(o.sent("client", lambda s: "RST" in s.flags))
    rows.append(("client RST", X(rst.fmt() if rst else "none")))
    rows.append(("client RST sent at", T(t_of(rst))))
    err, t = o.failure("client", "c")
    rows.append(("client sees error", X(err)))
    rows.append(("client sees error at", T(t)))
    err, t = o.failure("server", "s")
    rows.append(("server sees error", X(err)))
    rows.append(("server sees error at", T(t)))
    dropped = o.sent("server", lambda s: s.dropped)
    rows.append(("server segments dropped", X(str(len(dropped)))))
    rows.append(("client state at 2s", X(o.states("client", "2s"))))
    rows.append(("client state at 12s", X(o.states("client", "12s"))))
    rows.append(("server state at 12s", X(o.states("server", "12s"))))
    return rows


# The raw socket's SYNs: (time, offset from the server's RCV.NXT).
CRAFTED_SYNS = [(2.0, -1000), (2.2, -1000), (3.0, 1000)]
# One SYN below RCV.NXT; the client's kernel answers the server's ACK with a RST.
CRAFTED_SYN_RST = [(2.0, -1000)]


def feat_crafted_syn(o, syns=CRAFTED_SYNS):
    rows = []
    syn = first(o.received("server", lambda s: s.flags == frozenset({"SYN"})))
    synack = first(o.sent("server", lambda s: s.flags == frozenset({"SYN", "ACK"})))
    if not syn or not synack:
        return [("handshake", X("none seen"))]
    cisn, sisn = syn.seq, synack.seq
    rcv_nxt = (cisn + 2) & 0xFFFFFFFF  # the client's SYN and FIN
    fins = o.sent("server", lambda s: "FIN" in s.flags)
    snd_nxt = (fins[0].seq + 1) & 0xFFFFFFFF if fins else None
    crafted = o.received("server", lambda s: s.flags == frozenset({"SYN"}) and s.t > 1.0)
    rows.append(("crafted SYNs reaching the server", X(str(len(crafted)))))
    for at, offset in syns:
        name = "SYN at %gs (RCV.NXT%+d)" % (at, offset)
        got = first([s for s in crafted if abs(s.t - at) < 0.05])
        if not got:
            rows.append((name + ": server's answer", X("SYN not seen")))
            continue
        rows.append((name + ": seq vs RCV.NXT", X("%+d" % signed32(got.seq - rcv_nxt))))
        reply = first(o.sent("server", lambda s, got=got: got.t <= s.t < got.t + 0.15))
        if not reply:
            rows.append((name + ": server's answer", X("none")))
            continue
        if "SYN" in reply.flags:
            text = "%s ISN = old SND.NXT%+d ack = SYN+1%+d" % (
                reply.flagstr(), signed32(reply.seq - snd_nxt), signed32(reply.ack - got.seq - 1))
        else:
            text = "%s seq = SND.NXT%+d ack = RCV.NXT%+d" % (
                reply.flagstr(), signed32(reply.seq - snd_nxt), signed32(reply.ack - rcv_nxt))
        rows.append((name + ": server's answer", X(text)))
        rows.append((name + ": answered after", T(reply.t - got.t)))
    rsts = o.sent("client", lambda s: "RST" in s.flags and s.t > 1.0)
    rows.append(("client RSTs after 1s", X(" / ".join(
        "%s seq = RCV.NXT%+d" % (r.flagstr(), signed32(r.seq - rcv_nxt)) for r in rsts) or "none")))
    for label_ in ("2.5s", "3.5s"):
        rows.append(("server state at %s" % label_, X(o.states("server", label_))))
    return rows


def feat_crafted_syn_rst(o):
    return feat_crafted_syn(o, CRAFTED_SYN_RST)


def feat_segments_and_states(calls, failures=()):
    """Every segment per view and incarnation, the named calls' results, the errors the named
    sockets report, the sampled states."""
    def features(o):
        rows = []
        seg_rows(o, rows, conns=o.conns())
        for host, sock, call, nth in calls:
            call_rows(o, rows, host, sock, call, "%s %s %s() #%d" % (host, sock, call, nth), nth)
        for host, sock in failures:
            err, t = o.failure(host, sock)
            rows.append(("%s %s sees error" % (host, sock), X(err)))
            rows.append(("%s %s sees error at" % (host, sock), T(t)))
        for (host, label_) in sorted(o.samples):
            rows.append(("%s states at %s" % (host, label_), X(o.states(host, label_))))
        return rows
    return features


class Experiment:
    def __init__(self, name, program, features, samples, sysctl=None, params=None, timeout=20,
                 describe=""):
        self.name = name
        self.program = program
        self.features = features
        self.samples = samples          # [(host, rel time)]
        self.sysctl = sysctl or {}      # host -> {key: value}
        self.params = params or {}
        self.timeout = timeout
        self.describe = describe
        self.scenario = SCENARIOS / (name + ".json")


def label(t):
    return "%gs" % t


def pe_sysctl(reuse):
    return {"client": {"net.ipv4.ip_local_port_range": "40000 40000",
                       "net.ipv4.tcp_timestamps": "1", "net.ipv4.tcp_tw_reuse": str(reuse)},
            "server": {"net.ipv4.tcp_timestamps": "1"}}


EXPERIMENTS = [
    Experiment("lost_final_ack", "lost_final_ack", feat_lost_final_ack,
               [("client", 1.05), ("client", 1.2), ("client", 3.0),
                ("server", 1.05), ("server", 1.2), ("server", 3.0)],
               describe="client closes first at 1 s; its ACK of the server's FIN is dropped once"),
    Experiment("port_exhaustion_reuse0", "port_exhaustion", feat_port_exhaustion,
               [("client", 0.65), ("client", 1.9)], sysctl=pe_sysctl(0),
               describe="one ephemeral port, tcp_tw_reuse=0: connects while it is in TIME_WAIT"),
    Experiment("port_exhaustion_reuse1", "port_exhaustion", feat_port_exhaustion,
               [("client", 0.65), ("client", 1.9)], sysctl=pe_sysctl(1),
               describe="one ephemeral port, tcp_tw_reuse=1: reuse only after 1 s of TIME_WAIT"),
    Experiment("so_linger_rst", "so_linger_rst", feat_so_linger_rst,
               [("client", 1.5), ("server", 1.5)],
               describe="SO_LINGER {1, 0} then close(): RST, no TIME_WAIT"),
    Experiment("keepalive_dead_peer", "keepalive_dead_peer", feat_keepalive_dead_peer,
               [("client", 2.0), ("client", 12.0), ("server", 12.0)], timeout=30,
               describe="keepalive 3 s / 2 s / 4 probes against a peer that went dark at 1 s"),
    Experiment("three_segment_close", "three_segment_close",
               feat_segments_and_states([("server", "s", "recv", 1)]),
               [("client", 1.5), ("server", 1.5)],
               describe="the client closes at 1 s; the server closes as soon as it reads end-of-stream"),
    Experiment("half_close", "half_close",
               feat_segments_and_states([("server", "s", "recv", 1), ("server", "s", "recv", 2),
                                         ("client", "c", "recv", 1), ("client", "c", "recv", 2)]),
               [("client", 1.2), ("server", 1.2), ("client", 2.5), ("server", 2.5)],
               describe="a 7-byte request, shutdown(SHUT_WR) at 1 s, the 8-byte response at 1.5 s, "
                        "the server closes at 2 s"),
    Experiment("close_unread_data", "close_unread_data",
               feat_segments_and_states([], failures=[("client", "c")]),
               [("client", 1.5), ("server", 1.5)],
               describe="5 bytes the server never reads; its close() at 1 s resets (RFC 2525 2.17)"),
    Experiment("orphan_fin_wait_2", "orphan_fin_wait_2",
               feat_segments_and_states([("server", "s.2", "send", 1)]),
               [("client", 2.0), ("client", 3.5), ("client", 4.5), ("server", 4.5), ("client", 5.8)],
               sysctl={"client": {"net.ipv4.tcp_fin_timeout": "2"}},
               describe="tcp_fin_timeout = 2: c2 closes (orphaned FIN_WAIT_2 freed 2 s later), c1 "
                        "only shuts down writing (FIN_WAIT_2 for as long as it is held); the server "
                        "writes to c2's peer at 4 s and closes both at 5.5 s", timeout=25),
    Experiment("crafted_syn_time_wait", "crafted_syn_time_wait", feat_crafted_syn,
               [("server", 2.5), ("server", 3.5)], params={"syns": CRAFTED_SYNS, "drop_rsts": True},
               describe="raw-socket SYNs to the server's TIME_WAIT: 1000 below RCV.NXT at 2 s and "
                        "2.2 s, 1000 above at 3 s"),
    Experiment("crafted_syn_rst_rfc1337_0", "crafted_syn_time_wait", feat_crafted_syn_rst,
               [("server", 2.5), ("server", 3.5)], params={"syns": CRAFTED_SYN_RST, "drop_rsts": False},
               sysctl={"server": {"net.ipv4.tcp_rfc1337": "0"}},
               describe="a raw-socket SYN below RCV.NXT; the client kernel's RST answers TIME_WAIT's "
                        "ACK; tcp_rfc1337=0"),
    Experiment("crafted_syn_rst_rfc1337_1", "crafted_syn_time_wait", feat_crafted_syn_rst,
               [("server", 2.5), ("server", 3.5)], params={"syns": CRAFTED_SYN_RST, "drop_rsts": False},
               sysctl={"server": {"net.ipv4.tcp_rfc1337": "1"}},
               describe="as crafted_syn_rst_rfc1337_0 with tcp_rfc1337=1"),
]


# ---------------------------------------------------------------------------------------
# Kernel side: namespaces, captures, roles.
# ---------------------------------------------------------------------------------------

def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, text=True, capture_output=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), r.returncode,
                                                         (r.stderr or r.stdout).strip()))
    return r


def netns_list():
    r = run(["ip", "netns", "list"], check=False)
    return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]


def netns_remove(name):
    """Stop the processes this script left in its own namespace, then delete it."""
    r = run(["ip", "netns", "pids", name], check=False)
    for pid in r.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    for _ in range(50):
        if not run(["ip", "netns", "pids", name], check=False).stdout.split():
            break
        time.sleep(0.05)
    run(["ip", "netns", "del", name], check=False)


def cleanup_namespaces():
    for name in netns_list():
        if name.startswith(NS_PREFIX):
            netns_remove(name)


def set_sysctl(host, key, value):
    path = "/proc/sys/" + key.replace(".", "/")
    run(["ip", "netns", "exec", NS[host], "tee", path], input=str(value))


def setup_namespaces(exp):
    for host in ("client", "server"):
        run(["ip", "netns", "add", NS[host]])
        run(["ip", "-n", NS[host], "link", "set", "lo", "up"])
        for key in ("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"):
            set_sysctl(host, key, 1)
        for key, value in exp.sysctl.get(host, {}).items():
            set_sysctl(host, key, value)
    run(["ip", "link", "add", "name", VETH["client"], "netns", NS["client"], "type", "veth",
         "peer", "name", VETH["server"], "netns", NS["server"]])
    for host in ("client", "server"):
        run(["ip", "-n", NS[host], "addr", "add", "%s/%d" % (IP[host], PREFIX_LEN),
             "dev", VETH[host]])
        run(["ip", "-n", NS[host], "link", "set", VETH[host], "up"])


class Capture:
    def __init__(self, host, iface, path, optional=False):
        self.path = path
        self.optional = optional
        self.err = Path(str(path) + ".err")
        self.errf = open(self.err, "w")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS[host], "tcpdump", "-i", iface, "-n", "-U", "--immediate-mode", "-s", "256",
             "-Z", "root", "-w", str(path)],
            stdout=subprocess.DEVNULL, stderr=self.errf)

    def ready(self):
        return "listening on" in self.err.read_text()

    def failed(self):
        return self.proc.poll() is not None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.errf.close()


def run_kernel(exp, workdir):
    """Runs one experiment on the real kernel; returns an Obs (times relative to first SYN)."""
    caps, roles = [], []
    notes_extra = {}
    try:
        cleanup_namespaces()
        setup_namespaces(exp)
        pcaps = {}
        for host in ("client", "server"):
            for kind, iface in (("wire", VETH[host]), ("dropped", "nflog:%d" % NFLOG_GROUP[host])):
                path = workdir / ("%s-%s-%s.pcap" % (exp.name, host, kind))
                caps.append(Capture(host, iface, path, optional=(kind == "dropped")))
                pcaps[(host, kind)] = path
        deadline = time.time() + 10
        while not all(c.ready() or (c.optional and c.failed()) for c in caps):
            bad = [c for c in caps if c.failed() and not c.optional]
            if bad or time.time() > deadline:
                msg = (bad or caps)[0].err.read_text().strip()
                raise RuntimeError("tcpdump did not start: %s" % (msg or "timeout"))
            time.sleep(0.05)
        for c in caps:
            if c.optional and c.failed():
                # Without NFLOG the segments nft drops are simply not shown.
                notes_extra["NFLOG capture unavailable"] = c.err.read_text().strip()[-200:]
        t0 = time.time() + 0.8
        for host in ("server", "client"):
            spec = {"program": exp.program, "host": host, "t0": t0, "params": exp.params,
                    "samples": [(label(t), t) for h, t in exp.samples if h == host]}
            errf = open(workdir / ("%s-%s.stderr" % (exp.name, host)), "w")
            roles.append((host, errf, subprocess.Popen(
                ["ip", "netns", "exec", NS[host], sys.executable, "-u", str(Path(__file__).resolve()),
                 "--role", json.dumps(spec)], stdout=subprocess.PIPE, stderr=errf, text=True)))
        outputs = {}
        for host, errf, proc in roles:
            try:
                out, _ = proc.communicate(timeout=max(1.0, t0 + exp.timeout - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
                raise RuntimeError("the %s program did not finish within %d s" % (host, exp.timeout))
            (workdir / ("%s-%s.json" % (exp.name, host))).write_text(out)
            try:
                outputs[host] = json.loads(out.strip().splitlines()[-1])
            except (ValueError, IndexError):
                raise RuntimeError("the %s program printed no result (exit %s): %s" % (
                    host, proc.returncode,
                    (workdir / ("%s-%s.stderr" % (exp.name, host))).read_text().strip()[-500:]))
            if "error" in outputs[host]:
                raise RuntimeError("the %s program failed: %s" % (host, outputs[host]["error"]))
        time.sleep(0.5)  # let the last segments reach the captures
    finally:
        for c in caps:
            c.stop()
        for host, errf, proc in roles:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            errf.close()
        cleanup_namespaces()

    o = Obs()
    o.segs = kernel_segments(pcaps)
    syns = [s.t for s in o.segs if s.sender == "client" and "SYN" in s.flags and
            "ACK" not in s.flags]
    base = min(syns) if syns else t0
    for s in o.segs:
        s.t -= base
    number_segments(o.segs)
    for host, out in outputs.items():
        for c in out["calls"]:
            c["t"] -= base
            c["t_end"] -= base
            o.calls.append(c)
        for smp in out["samples"]:
            o.samples[(host, smp["label"])] = smp["sockets"]
        for k, v in out["notes"].items():
            o.notes["%s: %s" % (host, k)] = v - base if k in ("nft rule installed",) else v
    o.calls.sort(key=lambda c: c["t"])
    o.notes.update(notes_extra)
    syn = first(o.sent("client", lambda s: "SYN" in s.flags))
    synack = first(o.received("client", lambda s: "SYN" in s.flags and "ACK" in s.flags))
    if syn and synack:
        o.notes["handshake RTT on the veth"] = "%.0fus" % ((synack.t - syn.t) * 1e6)
    return o


# ---------------------------------------------------------------------------------------
# tcpsim side.
# ---------------------------------------------------------------------------------------

class TcpsimUnavailable(Exception):
    pass


def run_tcpsim(exp, tcpsim):
    if not Path(tcpsim).exists():
        raise TcpsimUnavailable("tcpsim binary not found at %s (build it: ninja -C build tcpsim)"
                                % tcpsim)
    r = subprocess.run([str(tcpsim), "run", "--json", str(exp.scenario)], text=True,
                       capture_output=True, timeout=120)
    if r.returncode != 0:
        msg = (r.stderr.strip() or r.stdout.strip() or "exit %d" % r.returncode).splitlines()
        first_line = msg[0] if msg else ""
        if first_line.startswith("tcpsim: "):
            first_line = first_line[len("tcpsim: "):]
        raise TcpsimUnavailable("tcpsim cannot run this yet: %s" % first_line)
    events = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    return tcpsim_obs(exp, events)


def conn_ports(conn):
    """'ip:port-ip:port' (local first) -> (local, remote) strings."""
    local, remote = conn.split("-")
    return local, remote


def tcpsim_obs(exp, events):
    o = Obs()
    host_ip = {}
    for ev in events:
        if ev.get("type") == "run" and ev.get("event") == "start":
            host_ip = {h["name"]: h["ip"] for h in ev.get("hosts", [])}
    other = {"client": "server", "server": "client"}
    pending = {}  # (host, sock) -> call entry of an EINPROGRESS connect
    history = {}  # (host, sock) -> {"conn": str, "states": [(t, state)], "tw": [(t, expires)]}
    for ev in events:
        t = ev["t_ns"] / 1e9
        typ, host, sock = ev.get("type"), ev.get("host"), ev.get("socket")
        conn = ev.get("conn")
        if typ == "segment" and host in other:
            flags = [f for f in ev.get("flags", "").split("|") if f and f != "NONE"]
            kind = ev.get("event")
            if kind in ("send", "deliver"):
                sender = host if kind == "send" else other[host]
                local, remote = conn_ports(conn) if conn else ("0:0", "0:0")
                cport = int((local if host == "client" else remote).split(":")[1])
                o.segs.append(Seg(t, host, sender, flags, ev["seq"], ev["ack"], ev["len"], cport))
            elif kind == "drop":
                # mark the segment that the link or a fault dropped, in its sender's view
                for s in reversed(o.segs):
                    if s.dir == ">" and not s.dropped and \
                            s.seq == ev["seq"] and s.ack == ev["ack"] and \
                            s.flags == frozenset(flags) and s.len == ev["len"]:
                        s.dropped = True
                        break
        elif typ == "call":
            res = ev.get("result")
            res = str(res) if res is not None else "?"
            key = (host, sock)
            entry = {"host": host, "sock": sock, "call": ev.get("call"), "t": t, "t_end": t,
                     "result": res}
            if conn:
                entry["local"] = conn_ports(conn)[0]
            if ev.get("call") == "connect" and key in pending:
                pending.pop(key).update({"t_end": t, "result": res,
                                         "local": entry.get("local", "-")})
                continue
            if ev.get("call") == "connect" and res == "EINPROGRESS":
                pending[key] = entry
            o.calls.append(entry)
        elif typ == "state" and sock is not None:
            h = history.setdefault((host, sock), {"conn": conn, "states": [], "tw": []})
            h["conn"] = conn or h["conn"]
            h["states"].append((t, ev.get("to")))
            if ev.get("error"):
                o.errors.append({"host": host, "sock": sock, "t": t, "error": ev["error"]})
        elif typ == "timer" and ev.get("timer") == "time_wait" and sock is not None:
            h = history.setdefault((host, sock), {"conn": conn, "states": [], "tw": []})
            if ev.get("action") in ("set", "restart"):
                h["tw"].append((t, ev.get("expires_ns", 0) / 1e9))
    for entry in pending.values():
        entry["result"] = "EINPROGRESS (never completed)"
    number_segments(o.segs)
    o.calls.sort(key=lambda c: c["t"])
    for host, t in exp.samples:
        socks = []
        for (h, sock), hist in history.items():
            if h != host or not hist["conn"]:
                continue
            states = [s for ts, s in hist["states"] if ts <= t + 1e-9]
            if not states or states[-1] in ("CLOSED", "LISTEN"):
                continue
            local, remote = conn_ports(hist["conn"])
            entry = {"local": local, "remote": remote, "state": states[-1]}
            tws = [exp_t for ts, exp_t in hist["tw"] if ts <= t + 1e-9]
            if states[-1] == "TIME_WAIT" and tws:
                entry["tw_left"] = tws[-1] - t
            socks.append(entry)
        o.samples[(host, label(t))] = socks
    return o


# ---------------------------------------------------------------------------------------
# Comparison and report.
# ---------------------------------------------------------------------------------------

def fmt_value(v):
    kind, x = v
    if kind == "time":
        return "none" if x is None else "%.3fs" % x
    return str(x)


def agree(kv, tv):
    kind, k = kv
    _, t = tv
    if kind == "time":
        if k is None or t is None:
            return k is None and t is None
        return abs(k - t) <= max(TIME_TOLERANCE_REL * abs(k), TIME_TOLERANCE_ABS)
    return k == t


def compare(exp, kobs, kerr, tobs, terr, known):
    """Rows: dicts aspect, kernel, tcpsim, verdict (agree|known|DIFFER|-), why."""
    rows = []

    def add(aspect, kval, tval, verdict):
        key = "%s/%s" % (exp.name, aspect)
        why = ""
        if verdict == "DIFFER" and key in known:
            verdict, why = "known", known[key]
        row = {"experiment": exp.name, "aspect": aspect, "kernel": kval, "tcpsim": tval,
               "verdict": verdict, "why": why}
        if verdict in ("DIFFER", "known") and (" / " in kval or " / " in tval):
            ks, ts = kval.split(" / "), tval.split(" / ")
            i = next((i for i, (a, b) in enumerate(zip(ks, ts)) if a != b), min(len(ks), len(ts)))
            row["first_difference"] = i + 1
        rows.append(row)

    if kerr:
        add("kernel run", "failed: %s" % kerr, "-", "DIFFER")
    if terr:
        add("tcpsim run", "ok" if not kerr else "-", terr, "DIFFER")
    kfeat = exp.features(kobs) if kobs else []
    tfeat = exp.features(tobs) if tobs else []
    tmap = dict(tfeat)
    kmap = dict(kfeat)
    order = [a for a, _ in kfeat] + [a for a, _ in tfeat if a not in kmap]
    for aspect in order:
        kv, tv = kmap.get(aspect), tmap.get(aspect)
        kstr = fmt_value(kv) if kv else "-"
        tstr = fmt_value(tv) if tv else "-"
        if kv is None or tv is None:
            verdict = "-" if (kerr or terr) else "DIFFER"
        else:
            verdict = "agree" if agree(kv, tv) else "DIFFER"
        add(aspect, kstr, tstr, verdict)
    return rows


def print_table(exp, rows, out=sys.stdout):
    print("\n== %s: %s" % (exp.name, exp.describe), file=out)
    print("   scenario: %s" % os.path.relpath(exp.scenario, Path.cwd()), file=out)
    aw = min(46, max([len(r["aspect"]) for r in rows] + [6]))
    vw = 16
    print("   %-*s | %-*s | %-*s | %s" % (aw, "aspect", vw, "kernel", vw, "tcpsim", "verdict"),
          file=out)
    print("   " + "-" * (aw + 2 * vw + 18), file=out)
    for r in rows:
        if len(r["kernel"]) <= vw and len(r["tcpsim"]) <= vw and len(r["aspect"]) <= aw:
            print("   %-*s | %-*s | %-*s | %s" % (aw, r["aspect"], vw, r["kernel"], vw,
                                                  r["tcpsim"], r["verdict"]), file=out)
        else:
            print("   %-*s | %-*s | %-*s | %s" % (aw, r["aspect"], vw, "(below)", vw, "(below)",
                                                  r["verdict"]), file=out)
            print("       kernel: %s" % r["kernel"], file=out)
            print("       tcpsim: %s" % r["tcpsim"], file=out)
            if "first_difference" in r:
                print("       first difference: segment %d" % r["first_difference"], file=out)
        if r["why"]:
            print("       known: %s" % r["why"], file=out)


def load_known():
    if not KNOWN_FILE.exists():
        return {}
    with open(KNOWN_FILE) as f:
        data = json.load(f)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise SystemExit("%s: expected an object {\"experiment/aspect\": \"why\"}" % KNOWN_FILE)
    return data


def dpkg_installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], text=True,
                       capture_output=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def ensure_packages():
    """Installs missing Debian packages; returns None or the reason they are unavailable."""
    if shutil.which("dpkg-query") is None:
        missing = [t for t in ("tcpdump", "nft", "ip") if shutil.which(t) is None]
        return ("not a Debian system and missing %s" % ", ".join(missing)) if missing else None
    missing = [p for p in PACKAGES if not dpkg_installed(p)]
    if not missing:
        return None
    log("compare.py: installing %s" % " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, text=True)
    if r.returncode == 0:
        r = subprocess.run(["apt-get", "install", "-y", "-qq"] + PACKAGES, env=env,
                           capture_output=True, text=True)
    if r.returncode != 0:
        return "apt-get failed: %s" % (r.stderr.strip().splitlines() or ["?"])[-1]
    still = [p for p in PACKAGES if not dpkg_installed(p)]
    return ("could not install %s" % ", ".join(still)) if still else None


def netns_probe():
    """None if we can create a network namespace with a veth pair, else the reason."""
    name = NS_PREFIX + "probe"
    try:
        r = run(["ip", "netns", "add", name], check=False)
        if r.returncode != 0:
            return "ip netns add: %s" % r.stderr.strip()
        r = run(["ip", "-n", name, "link", "add", "name", "tsk-p0", "type", "veth", "peer",
                 "name", "tsk-p1"], check=False)
        if r.returncode != 0:
            return "veth: %s" % r.stderr.strip()
        return None
    except OSError as e:
        return str(e)
    finally:
        run(["ip", "netns", "del", name], check=False)


def skip(reason):
    print("SKIPPED: network namespaces unavailable (%s)" % reason, flush=True)
    return SKIP


def select(only):
    if not only:
        return EXPERIMENTS
    chosen = []
    for name in only:
        hit = [e for e in EXPERIMENTS if e.name == name] or \
              [e for e in EXPERIMENTS if e.name.startswith(name)]
        if not hit:
            raise SystemExit("unknown experiment %r; known: %s" % (
                name, ", ".join(e.name for e in EXPERIMENTS)))
        chosen += [e for e in hit if e not in chosen]
    return chosen


def on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Run teardown experiments on the real Linux kernel (in network namespaces) "
                    "and in tcpsim's linux profile, and compare them.")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this experiment (or experiments starting with NAME); repeatable")
    ap.add_argument("--json", metavar="FILE", help="write every row to FILE as JSON")
    ap.add_argument("--ctest", action="store_true",
                    help="exit 1 on an unexpected difference, 77 when namespaces are unavailable")
    ap.add_argument("--tcpsim", default=str(DEFAULT_TCPSIM), help="tcpsim binary (default: %(default)s)")
    ap.add_argument("--workdir", metavar="DIR",
                    help="keep the captures (pcap) and role outputs in DIR")
    ap.add_argument("--list", action="store_true", help="list the experiments and exit")
    ap.add_argument("--role", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.role:
        return role_main(args.role)
    if args.list:
        for e in EXPERIMENTS:
            print("%-24s %s" % (e.name, e.describe))
        return 0
    experiments = select(args.only)
    known = load_known()

    if os.geteuid() != 0:
        return skip("not root")
    if shutil.which("ip") is None and shutil.which("dpkg-query") is None:
        return skip("the ip command is missing")
    reason = ensure_packages()
    if reason:
        print("SKIPPED: required packages unavailable (%s)" % reason, flush=True)
        return SKIP
    signal.signal(signal.SIGTERM, on_sigterm)
    # One run at a time on this machine: runs share the namespace names.
    lock = open(LOCK_FILE, "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    cleanup_namespaces()  # stale namespaces of an interrupted earlier run
    reason = netns_probe()
    if reason:
        return skip(reason)

    tmp = None
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="tcpsimk-")
        workdir = Path(tmp)
    all_rows = []
    used_known = set()
    try:
        for exp in experiments:
            started = time.time()
            kobs = tobs = kerr = terr = None
            try:
                kobs = run_kernel(exp, workdir)
            except (RuntimeError, OSError, ValueError) as e:
                kerr = str(e)
            try:
                tobs = run_tcpsim(exp, args.tcpsim)
            except TcpsimUnavailable as e:
                terr = str(e)
            except (OSError, ValueError, subprocess.TimeoutExpired) as e:
                terr = "tcpsim failed: %s" % e
            rows = compare(exp, kobs, kerr, tobs, terr, known)
            print_table(exp, rows)
            if kobs and kobs.notes:
                print("   kernel notes: " + "; ".join(
                    "%s = %s" % (k, ("%.3fs" % v) if isinstance(v, float) else v)
                    for k, v in sorted(kobs.notes.items())))
            print("   (%.1f s)" % (time.time() - started), flush=True)
            all_rows += rows
            used_known |= {"%s/%s" % (r["experiment"], r["aspect"]) for r in rows}
    finally:
        cleanup_namespaces()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    n_agree = sum(r["verdict"] == "agree" for r in all_rows)
    n_known = sum(r["verdict"] == "known" for r in all_rows)
    n_diff = sum(r["verdict"] == "DIFFER" for r in all_rows)
    n_na = sum(r["verdict"] == "-" for r in all_rows)
    stale = sorted(k for k in known if k in used_known and not any(
        "%s/%s" % (r["experiment"], r["aspect"]) == k and r["verdict"] == "known"
        for r in all_rows))
    if stale:
        print("\nknown differences that no longer differ (remove them from %s):" %
              KNOWN_FILE.name)
        for k in stale:
            print("   " + k)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": all_rows, "summary": {"agree": n_agree, "known": n_known,
                                                     "unexpected": n_diff, "not_compared": n_na}},
                      f, indent=1)
    extra = " (%d rows not compared)" % n_na if n_na else ""
    print("\n%d agree, %d known differences, %d unexpected differences%s" %
          (n_agree, n_known, n_diff, extra), flush=True)
    if args.ctest and n_diff:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
