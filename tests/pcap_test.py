#!/usr/bin/env python3
"""The captures of `tcpsim run --pcap` / `--pcap-dir`, read back by tshark: no malformed
packets and no expert errors, good IPv4 and TCP checksums, and per host the same segments
as the trace (its send and deliver events, in order) with the same addresses, flags,
raw seq/ack, length, window, options and nanosecond times; each SYN's options in its
sender's order (Linux mss,sackOK,TS,nop,wscale; FreeBSD mss,nop,wscale,sackOK,TS);
Wireshark's TCP analysis marks the retransmitted FIN of lost_final_ack as a retransmission.

Usage: pcap_test.py TCPSIM SOURCE_DIR. Installs tshark when missing and root; exit 77
(skipped) when it cannot.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
TCPSIM, SRC = sys.argv[1], sys.argv[2]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"FAIL {what}")


def ensure_tshark():
    if shutil.which("tshark"):
        return
    if os.geteuid() != 0:
        print("SKIP: tshark is missing and installing it needs root (apt-get install tshark)")
        sys.exit(SKIP)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # wireshark-common asks whether non-root users may capture: answer no, without asking.
    subprocess.run(["debconf-set-selections"], input="wireshark-common wireshark-common/install-setuid boolean false\n",
                   text=True, check=False)
    install = ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", "tshark"]
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    if subprocess.run(install, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], **quiet)
        subprocess.run(install, **quiet)
    if not shutil.which("tshark"):
        print("SKIP: tshark could not be installed (apt-get install tshark failed)")
        sys.exit(SKIP)


def tshark(pcap, *args):
    cmd = ["tshark", "-r", pcap, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


FLAG_BITS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10, "URG": 0x20}


def trace_segments(scenario):
    """Every host's send and deliver events, in trace order, as the capture should hold them."""
    out = subprocess.run([TCPSIM, "run", "--json", scenario], check=True, capture_output=True, text=True).stdout
    per_host = {}
    for line in out.splitlines():
        e = json.loads(line)
        if e["type"] != "segment" or e["event"] not in ("send", "deliver"):
            continue
        local, remote = e["conn"].split("-")
        src, dst = (local, remote) if e["event"] == "send" else (remote, local)
        flags = sum(FLAG_BITS[f] for f in e["flags"].split("|") if f)
        t = e["t_ns"]
        per_host.setdefault(e["host"], []).append({
            "time": f"{t // 10**9}.{t % 10**9:09d}",
            "src": src, "dst": dst, "flags": flags, "seq": e["seq"], "ack": e["ack"], "len": e["len"],
            "win": e["win"], "mss": e.get("mss"), "wscale": e.get("wscale"),
            "sack_permitted": e.get("sack_permitted", False), "tsval": e.get("tsval"), "tsecr": e.get("tsecr"),
        })
    return per_host


FIELDS = ["frame.time_epoch", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.flags", "tcp.seq_raw",
          "tcp.ack_raw", "tcp.len", "tcp.window_size_value", "tcp.options.mss_val", "tcp.options.wscale.shift",
          "tcp.options.sack_perm", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
          "ip.checksum.status", "tcp.checksum.status", "tcp.option_kind"]


def capture_segments(pcap):
    out = tshark(pcap, "-T", "fields", "-E", "separator=;", *sum((["-e", f] for f in FIELDS), []))
    packets = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split(";")))
        opt = lambda k: int(v[k]) if v[k] else None
        packets.append({
            "packet": {
                "time": v["frame.time_epoch"],
                "src": f"{v['ip.src']}:{v['tcp.srcport']}", "dst": f"{v['ip.dst']}:{v['tcp.dstport']}",
                "flags": int(v["tcp.flags"], 16), "seq": int(v["tcp.seq_raw"]), "ack": int(v["tcp.ack_raw"]),
                "len": int(v["tcp.len"]), "win": int(v["tcp.window_size_value"]), "mss": opt("tcp.options.mss_val"),
                "wscale": opt("tcp.options.wscale.shift"), "sack_permitted": bool(v["tcp.options.sack_perm"]),
                "tsval": opt("tcp.options.timestamp.tsval"), "tsecr": opt("tcp.options.timestamp.tsecr"),
            },
            # option kinds on the wire, NOPs (1) and EOL (0) included
            "kinds": v["tcp.option_kind"],
            # 1 is "Good" (0 bad, 2 unverified)
            "checksums": (v["ip.checksum.status"], v["tcp.checksum.status"]),
        })
    return packets


def check_capture(name, pcap, expected):
    check(os.path.exists(pcap), f"{name}: {pcap} written")
    if not os.path.exists(pcap):
        return
    packets = capture_segments(pcap)
    check(len(packets) == len(expected),
          f"{name}: {len(packets)} packets in the capture, {len(expected)} send/deliver events in the trace")
    for i, (p, want) in enumerate(zip(packets, expected), 1):
        check(p["packet"] == want, f"{name}: packet {i} is {p['packet']}, the trace says {want}")
        check(p["checksums"] == ("1", "1"), f"{name}: packet {i} checksums (ip, tcp) status {p['checksums']}, want good")
    malformed = tshark(pcap, "-Y", "_ws.malformed", "-T", "fields", "-e", "frame.number").split()
    check(not malformed, f"{name}: malformed packets {malformed}")
    expert = tshark(pcap, "-q", "-z", "expert,error")
    check("Errors (" not in expert, f"{name}: expert errors:\n{expert}")


def main():
    ensure_tshark()
    tmp = tempfile.mkdtemp()
    try:
        # lost_final_ack (rfc793): the single-file capture, at the server and at the client.
        lfa = os.path.join(SRC, "scenarios", "lost_final_ack.json")
        trace = trace_segments(lfa)
        for host in ("server", "client"):
            pcap = os.path.join(tmp, f"lfa_{host}.pcap")
            subprocess.run([TCPSIM, "run", lfa, "--pcap", pcap, "--pcap-host", host], check=True,
                           stdout=subprocess.DEVNULL)
            check_capture(f"lost_final_ack at {host}", pcap, trace[host])
        # The server's second FIN (its retransmission after the lost final ACK) is the one
        # retransmission Wireshark finds in the server's capture.
        retrans = tshark(os.path.join(tmp, "lfa_server.pcap"), "-Y", "tcp.analysis.retransmission", "-T", "fields",
                         "-e", "ip.src", "-e", "tcp.flags").splitlines()
        check(retrans == ["10.0.0.2\t0x0011"], f"lost_final_ack: retransmissions {retrans}, want the server's FIN|ACK")
        fins = [p for p in trace["server"] if p["flags"] & FLAG_BITS["FIN"] and p["src"].startswith("10.0.0.2:")]
        check(len(fins) == 2 and fins[0]["seq"] == fins[1]["seq"], "lost_final_ack: the server sends its FIN twice")

        # --pcap with no --pcap-host: the first host of the scenario.
        first = os.path.join(tmp, "lfa_first.pcap")
        subprocess.run([TCPSIM, "run", lfa, "--pcap", first], check=True, stdout=subprocess.DEVNULL)
        check_capture("lost_final_ack, default host", first, trace["client"])

        # Timestamps, and a NAT between the hosts (time_wait_syn_timestamps); data with
        # timestamps and a RST (close_wait_leak, linux): --pcap-dir, every host.
        for scenario in ("time_wait_syn_timestamps", "close_wait_leak"):
            path = os.path.join(SRC, "scenarios", f"{scenario}.json")
            trace = trace_segments(path)
            out_dir = os.path.join(tmp, scenario, "captures")  # created by tcpsim
            subprocess.run([TCPSIM, "run", path, "--pcap-dir", out_dir], check=True, stdout=subprocess.DEVNULL)
            hosts = [h["name"] for h in json.loads(subprocess.run(
                [TCPSIM, "run", "--json", path], check=True, capture_output=True, text=True).stdout.splitlines()[0])["hosts"]]
            check(sorted(os.listdir(out_dir)) == sorted(f"{h}.pcap" for h in hosts),
                  f"{scenario}: one capture per host in {out_dir}: {os.listdir(out_dir)}")
            for host in hosts:
                check_capture(f"{scenario} at {host}", os.path.join(out_dir, f"{host}.pcap"), trace.get(host, []))
        data = [p for p in trace["server"] if p["len"] > 0]
        check(len(data) > 0, "close_wait_leak: the server's capture holds data segments")

        # Each stack's SYN options in its own order (L-SYN-1, B-SYN-1): a Linux client's
        # SYN, the Linux and FreeBSD servers' SYN,ACKs (time_wait_syn_higher_isn_accepted).
        # The client runs without timestamps, so the SYN,ACKs carry none either.
        scenario = "time_wait_syn_higher_isn_accepted"
        path = os.path.join(SRC, "scenarios", f"{scenario}.json")
        out_dir = os.path.join(tmp, scenario, "captures")
        subprocess.run([TCPSIM, "run", path, "--pcap-dir", out_dir], check=True, stdout=subprocess.DEVNULL)
        want = {("client", 0x02): "2,1,1,4,1,3",       # mss, nop, nop, sackOK, nop, wscale
                ("linux_srv", 0x12): "2,1,1,4,1,3",
                ("bsd_srv", 0x12): "2,1,3,4,0,0"}      # mss, nop, wscale, sackOK, eol, eol
        for (host, flags), kinds in want.items():
            packets = capture_segments(os.path.join(out_dir, f"{host}.pcap"))
            sent = [p for p in packets if p["packet"]["flags"] == flags]
            check(bool(sent) and sent[0]["kinds"] == kinds,
                  f"{scenario}: {host}'s first segment with flags {flags:#x} has option kinds "
                  f"{sent[0]['kinds'] if sent else None}, want {kinds}")
    finally:
        shutil.rmtree(tmp)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
