#!/usr/bin/python3
"""bench/waterfall.py STRACE JSON: a waterfall of one diagnosis.

STRACE is `strace -f -ttt -yy -x -s 300 -e trace=connect,close,sendto,
recvfrom,write` of one `smtpprobe --format json TARGET` run, JSON its
output.  The wire view (every DNS query and answer, every TCP connect and
close, the moment the report line was written) comes from the trace; the
phases of each main session (connect, greeting, EHLO, STARTTLS, TLS
handshake, EHLO in TLS, QUIT) from the JSON "timings_ms", laid from that
session's connect.  For each session it says what it waited for: the
event that ended just before it started (a DNS answer, or another session
closing, which frees an address slot or gives a follow-up its result).

Standard library only: the benchmark machine has Debian's python3.
"""

import json
import re
import sys

LINE = re.compile(r'^(?:(\d+) +)?(\d+\.\d+) (\w+)\((.*)\) += (-?\d+)')
FD = re.compile(r'^(\d+)<([^>]*(?:>[^,]*)?)>')
V4 = re.compile(r'sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)')
V6 = re.compile(r'sin6_port=htons\((\d+)\).*inet_pton\(AF_INET6, "([^"]+)"')
STR = re.compile(r'"((?:[^"\\]|\\.)*)"')

PHASES = {
    "plain": ["connect", "greeting", "ehlo", "helo", "starttls", "handshake",
              "ehlo_tls", "quit"],
    "tls": ["connect", "handshake", "greeting", "ehlo", "quit"],
}
LETTER = {"connect": "c", "greeting": "g", "ehlo": "e", "helo": "h",
          "starttls": "s", "handshake": "T", "ehlo_tls": "E", "quit": "q"}
QTYPE = {1: "A", 28: "AAAA", 15: "MX", 16: "TXT", 33: "SRV", 52: "TLSA"}


def unescape(s):
    """strace's C-style string (with -x) to bytes."""
    out = bytearray()
    i = 0
    simple = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "\\": 92,
              '"': 34, "'": 39}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("latin-1", "replace")
            i += 1
            continue
        n = s[i + 1]
        if n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif n in simple:
            out.append(simple[n])
            i += 2
        else:  # octal
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(int(m.group(0), 8) & 255)
            i += 1 + len(m.group(0))
    return bytes(out)


def question(buf):
    """(name, type) of a DNS message's first question, or None."""
    if len(buf) < 13:
        return None
    labels, i = [], 12
    while i < len(buf) and buf[i] != 0:
        n = buf[i]
        if n & 0xC0:
            return None
        labels.append(buf[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 3 > len(buf):
        return ".".join(labels), "?"
    qtype = buf[i + 1] << 8 | buf[i + 2]
    return ".".join(labels), QTYPE.get(qtype, str(qtype))


def parse(path):
    t0 = None
    open_tcp = {}  # fd -> session
    sessions, dns, pending_q, writes = [], [], {}, []
    for line in open(path, encoding="latin-1"):
        m = LINE.match(line)
        if m is None:
            continue
        t = float(m.group(2)) * 1000.0
        if t0 is None:
            t0 = t
        t -= t0
        call, args, ret = m.group(3), m.group(4), int(m.group(5))
        fdm = FD.match(args)
        if fdm is None:
            continue
        fd, what = int(fdm.group(1)), fdm.group(2)
        if call == "connect" and what.startswith("TCP"):
            a = V4.search(args) or V6.search(args)
            if a:
                s = {"fd": fd, "port": int(a.group(1)), "addr": a.group(2),
                     "start": t, "end": None}
                open_tcp[fd] = s
                sessions.append(s)
        elif call == "close" and fd in open_tcp:
            open_tcp.pop(fd)["end"] = t
        elif call in ("sendto", "recvfrom") and "UDP" in what and \
                ":53]" in what and ret > 0:
            sm = STR.search(args[fdm.end():])
            q = question(unescape(sm.group(1))) if sm else None
            if q is None:
                continue
            if call == "sendto":
                pending_q.setdefault(q, []).append(t)
            elif pending_q.get(q):
                dns.append({"name": q[0], "type": q[1],
                            "start": pending_q[q].pop(0), "end": t})
        elif call == "write" and fd == 1 and ret > 0:
            writes.append(t)
    for q, starts in pending_q.items():
        for st in starts:
            dns.append({"name": q[0], "type": q[1], "start": st,
                        "end": None})
    return sessions, dns, writes


def label_sessions(sessions, report):
    probes = {(p["address"], p["port"]): p for p in report.get("probes", [])}
    seen = {}
    for s in sessions:
        key = (s["addr"], s["port"])
        n = seen.get(key, 0)
        seen[key] = n + 1
        s["probe"] = None
        if s["port"] == 443 and key not in probes:
            s["kind"] = "control"
        elif n == 0:
            s["kind"] = "main"
            s["probe"] = probes.get(key)
        else:
            s["kind"] = "follow-up %d" % n


def bar(s, scale, width, end_all):
    start, end = s["start"], s["end"] if s["end"] is not None else end_all
    cols = [" "] * width

    def fill(a, b, ch):
        i = int(a / scale)
        j = max(i + 1, int(b / scale + 0.5))
        for k in range(i, min(j, width)):
            cols[k] = ch

    fill(start, end, "=")
    p = s.get("probe")
    if p is not None:
        tm = p.get("timings_ms", {})
        at = start
        for ph in PHASES.get(p.get("spoke"), PHASES["plain"]):
            ms = tm.get(ph)
            if ms is None:
                continue
            fill(at, at + ms, LETTER[ph])
            at += ms
            if ph == "handshake":
                s["handshake_end"] = at
        s["phases_end"] = at
    return "".join(cols).rstrip()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: waterfall.py STRACE JSON")
    sessions, dns, writes = parse(sys.argv[1])
    with open(sys.argv[2]) as f:
        report = json.loads(f.readline())
    label_sessions(sessions, report)
    ends = [s["end"] for s in sessions if s["end"] is not None]
    ends += [d["end"] for d in dns if d["end"] is not None]
    report_at = writes[-1] if writes else max(ends or [0])
    total = max([report_at] + ends)
    scale = next(x for x in (5, 10, 20, 25, 50, 100, 200, 500, 1000, 5000)
                 if total / x <= 64)
    width = int(total / scale) + 2
    name_w = 40

    print("0 ms = the program's start (execve); one column = %d ms." % scale)
    print("Main sessions: c connect, g greeting, e EHLO, h HELO, s STARTTLS,")
    print("T TLS handshake, E EHLO inside TLS, q QUIT (from the JSON timings);")
    print("= the connection open beyond those phases (a follow-up or")
    print("control has only this); '|' the report line written.")
    print()
    axis = ""
    for k in range(0, width, 10):
        axis += ("%-10s" % ("%d" % (k * scale)))
    print("%-*s %s" % (name_w, "ms", axis.rstrip()))
    rows = []
    for d in dns:
        rows.append((d["start"], "DNS %s %s" % (d["type"], d["name"]),
                     bar(d, scale, width, total)))
    for s in sessions:
        rows.append((s["start"], "TCP %s %s %s" % (
            s["addr"], s["port"], s["kind"]), bar(s, scale, width, total)))
    rows.sort(key=lambda r: r[0])
    for _, name, b in rows:
        print("%-*s %s" % (name_w, name[:name_w], b))
    mark = " " * int(report_at / scale) + "|"
    print("%-*s %s" % (name_w, "report line written", mark))
    print()

    # What each session waited for: the last event before its start.
    events = [(d["end"], "DNS %s %s answered" % (d["type"], d["name"]))
              for d in dns if d["end"] is not None]
    events += [(s["end"], "TCP %s %s %s closed" % (s["addr"], s["port"],
                                                   s["kind"]))
               for s in sessions if s["end"] is not None]
    # a main session's handshake, from its JSON phases: the follow-ups of
    # its port start then
    events += [(s["handshake_end"], "the TLS handshake of TCP %s %s %s" % (
        s["addr"], s["port"], s["kind"])) for s in sessions
        if "handshake_end" in s]
    events.sort()
    print("What each session waited for (the last event at most 15 ms before its")
    print("connect; start in ms):")
    print()
    for s in sessions:
        before = [e for e in events if s["start"] - 15 <= e[0] <= s["start"]]
        cause = before[-1][1] if before else "nothing found in the trace"
        same = [e for e in before if e[1].startswith(
            "TCP %s " % s["addr"])]
        if same and "closed" in same[-1][1]:
            cause = same[-1][1]
        if s["kind"].startswith("follow"):
            tls = [e for e in events if "handshake of TCP %s %s " % (
                s["addr"], s["port"]) in e[1] and e[0] <= s["start"] + 2]
            if tls:
                cause = tls[-1][1] + " (at %.0f ms)" % tls[-1][0]
        line = "- %6.0f  TCP %s %s %s: after %s" % (
            s["start"], s["addr"], s["port"], s["kind"], cause)
        if s.get("probe") is not None and s["end"] is not None:
            tail = s["end"] - s.get("phases_end", s["end"])
            line += "; open %.0f ms after its last timed phase" % tail
        print(line)
    print()
    first = min((s["start"] for s in sessions), default=0)
    last = max(ends or [0])
    dns_end = max((d["end"] for d in dns if d["end"] is not None),
                  default=0)
    waves = {}
    for s in sessions:
        waves.setdefault(s["addr"], []).append(s)
    print("Totals: report written at %.0f ms; first connect at %.0f ms "
          "(DNS before it); last DNS answer at %.0f ms; last close at "
          "%.0f ms; %d TCP sessions (%d main, %d follow-ups, %d controls); "
          "%d DNS queries." % (
              report_at, first, dns_end, last, len(sessions),
              sum(1 for s in sessions if s["kind"] == "main"),
              sum(1 for s in sessions if s["kind"].startswith("follow")),
              sum(1 for s in sessions if s["kind"] == "control"), len(dns)))
    for addr, ss in sorted(waves.items()):
        peak = 0
        for s in ss:
            if s["kind"] == "control":
                continue
            at = s["start"]
            n = sum(1 for o in ss if o["kind"] != "control" and
                    o["start"] <= at and (o["end"] is None or o["end"] > at))
            peak = max(peak, n)
        print("- %s: at most %d SMTP sessions open at once" % (addr, peak))


if __name__ == "__main__":
    main()
