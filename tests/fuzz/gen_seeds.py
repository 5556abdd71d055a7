#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses: tests/fuzz/corpus/<name>/.

    tests/fuzz/gen_seeds.py             the synthetic seeds (deterministic)
    tests/fuzz/gen_seeds.py --dnsmasq   also real answers from a dnsmasq
                                        started on 127.0.0.1:5399

Seeds are small on purpose: libFuzzer mutates from them, so one seed per
shape (a real EHLO reply, a null MX, a split TXT record...) is what counts.
Rerunning rewrites the same files; nothing is removed.
"""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- SMTP replies ---------------------------------------------------------

EHLO_POSTFIX = (
    "250-mail.example.test\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-VRFY\r\n"
    "250-ETRN\r\n"
    "250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250-DSN\r\n"
    "250-SMTPUTF8\r\n"
    "250 CHUNKING\r\n"
)
EHLO_EXCHANGE = (
    "250-EX01.contoso.test Hello [198.51.100.7]\r\n"
    "250-SIZE 37748736\r\n"
    "250-PIPELINING\r\n"
    "250-DSN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-STARTTLS\r\n"
    "250-X-ANONYMOUSTLS\r\n"
    "250-AUTH NTLM\r\n"
    "250-X-EXPS GSSAPI NTLM\r\n"
    "250-8BITMIME\r\n"
    "250-BINARYMIME\r\n"
    "250-CHUNKING\r\n"
    "250 XRDST\r\n"
)
EHLO_GMAIL = (
    "250-smtp.gmail.com at your service, [203.0.113.5]\r\n"
    "250-SIZE 35882577\r\n"
    "250-8BITMIME\r\n"
    "250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-PIPELINING\r\n"
    "250-CHUNKING\r\n"
    "250 SMTPUTF8\r\n"
)
# after STARTTLS: no STARTTLS, AUTH in both spellings
EHLO_TLS_AUTH = (
    "250-mail.example.test\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-AUTH PLAIN LOGIN\r\n"
    "250-AUTH=PLAIN LOGIN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250 8BITMIME\r\n"
)
# a middlebox masking STARTTLS (Cisco ASA style)
EHLO_MASKED = "250-mail.example.test\r\n250-XXXXXXXA\r\n250 PIPELINING\r\n"
GREETING = "220 mail.example.test ESMTP Postfix (Debian/GNU)\r\n"
STARTTLS_OK = "220 2.0.0 Ready to start TLS\r\n"
QUIT_OK = "221 2.0.0 Bye\r\n"


def replies():
    # byte 0: how many read sizes follow (0: 4096-byte reads)
    plain = b"\x00"
    write("reply", "greeting", plain + GREETING.encode())
    write("reply", "ehlo-postfix", plain + EHLO_POSTFIX.encode())
    write("reply", "ehlo-exchange", plain + EHLO_EXCHANGE.encode())
    write("reply", "starttls-220", plain + STARTTLS_OK.encode())
    # the whole plain-text session, read 5, 1 and 64 bytes at a time
    session = GREETING + EHLO_POSTFIX + STARTTLS_OK
    write("reply", "session-chunked", b"\x03\x05\x01\x40" + session.encode())
    # one byte per read (a drip-feeding server)
    write("reply", "greeting-drip", b"\x01\x01" + GREETING.encode())
    # a second reply in the same read as the 220 to STARTTLS
    write("reply", "starttls-injection",
          plain + b"220 2.0.0 go ahead\r\n250 injected\r\n")
    write("reply", "greet-421-multiline",
          plain + b"421-4.7.0 mail.example.test busy\r\n"
          b"421 4.7.0 try again later\r\n")
    write("reply", "bare-lf", plain + b"220 bare.example ESMTP\n250-x\n250 y\n")
    write("reply", "bare-code", plain + b"250\r\n354\r\n")
    write("reply", "http", plain + b"HTTP/1.1 400 Bad Request\r\n\r\n")
    write("reply", "mixed-codes", plain + b"250-first\r\n251 second\r\n")
    write("reply", "nonprintable",
          plain + b"220 \x1b[31mred\x1b[0m \\x41 \xff\xfe\x00\r\n")
    write("reply", "long-line", plain + b"220 " + b"A" * 2100 + b"\r\n")
    write("reply", "flood", plain + b"250-x\r\n" * 120)


def caps():
    write("caps", "ehlo-postfix", EHLO_POSTFIX)
    write("caps", "ehlo-exchange", EHLO_EXCHANGE)
    write("caps", "ehlo-gmail", EHLO_GMAIL)
    write("caps", "ehlo-tls-auth", EHLO_TLS_AUTH)
    write("caps", "ehlo-masked", EHLO_MASKED)
    write("caps", "starttls-220", STARTTLS_OK)
    write("caps", "ehlo-502", "502 5.5.2 Error: command not recognized\r\n")
    write("caps", "ehlo-554", "554 5.7.1 <client>: access denied\r\n")
    write("caps", "auth-odd",
          "250-x\r\n250-auth plain  login PLAIN cram-md5 \r\n250-AUTH\r\n"
          "250-AUTH=\r\n250 AUTH " + "X" * 70 + " OK\r\n")
    write("caps", "malformed", "250-x\r\n250STARTTLS\r\n250 PIPELINING\r\n")
    write("caps", "mixed", "250-x\r\n550 STARTTLS\r\n")
    write("caps", "bare-lf-nul",
          b"250-x\n250-STARTTLS\x00junk\n250-starttls\n250 AUTH\tPLAIN\n")


# --- targets, --ports, --dns-server (NUL separates arguments) -----------------

def targets():
    for name, arg in [
        ("host-port", "mail.example.test:587"),
        ("v6-port", "[fd00::1]:25"),
        ("idn", "bücher.example"),
        ("idn-fullwidth", "ＭＡＩＬ．Ｅｘａｍｐｌｅ．test"),
        ("idn-ja", "例え.テスト:465"),
        ("ace", "xn--bcher-kva.example:465"),
        ("v4", "198.51.100.7"),
        ("v6-bare", "fd00:1::53"),
        ("v6-mapped", "[::ffff:192.0.2.1]:2525"),
        ("upper-dot", "MX.Example.TEST."),
        ("srv-name", "_submission._tcp.example.test"),
        ("ports", "25,587,465"),
        ("ports-17", ",".join(str(p) for p in range(1, 18))),
        ("ports-dup", "25,25"),
        ("bad-labels", "a..b\0-bad.example\0bad-.example\0" + "l" * 64 + ".x"),
        ("bad-numbers", "999.1.1.1\0host:0\0host:65536\01.2.3"),
        ("bad-v6", "[::1\0[::1]x\0[]:25\0::1:25:x"),
        ("dns-servers", "192.0.2.53:5353\0[2001:db8::53]:53\0"
         "127.0.0.1\0bücher.example"),
        ("control", "mail\x1b[2J.example\0\x7f\t:25"),
        # fills smtpprobe.c's 1024-byte CSV: "too many --dns-server options"
        ("dns-servers-full", "\0".join(
            "[fd00:%x:ffff:ffff:ffff:ffff:ffff:ffff]:65535" % i
            for i in range(24))),
    ]:
        write("target", name, arg)


def sanitizes():
    write("sanitize", "plain", "220 mail.example.test ESMTP")
    write("sanitize", "escapes", b"\x1b[2J\x1b[31mred\x07\r\n")
    write("sanitize", "backslash", "back\\slash \\x41 \\\\")
    write("sanitize", "binary", b"\x00\x01\x1f\x7f\x80\xfe\xff")
    write("sanitize", "utf8", "bücher.example 例え")


# --- DNS answers ------------------------------------------------------------

T_A, T_CNAME, T_MX, T_TXT, T_AAAA, T_SRV, T_OPT, T_RRSIG, T_TLSA = (
    1, 5, 15, 16, 28, 33, 41, 46, 52)


def name(n):
    """Uncompressed wire form of a dotted name."""
    out = b""
    for label in n.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


class Answer:
    """A response to one question; names after the question may point at
    it (ptr(0) is the question name, at offset 12)."""

    def __init__(self, qname, qtype, flags=0x8180, rcode=0):
        self.flags = flags | rcode
        self.qd = name(qname) + struct.pack(">HH", qtype, 1)
        self.rrs = [[], [], []]

    def rr(self, owner, rtype, rdata, section=0, ttl=300):
        self.rrs[section].append(owner + struct.pack(
            ">HHIH", rtype, 1, ttl, len(rdata)) + rdata)
        return self

    def wire(self):
        an, ns, ar = self.rrs
        head = struct.pack(">HHHHHH", 0x1234, self.flags, 1, len(an),
                           len(ns), len(ar))
        return head + self.qd + b"".join(an + ns + ar)


def ptr(off=12):
    return struct.pack(">H", 0xC000 | off)


def txt(*strings):
    return b"".join(bytes([len(s)]) + s.encode() for s in strings)


SHA256 = bytes(range(0x10, 0x30))  # 32 bytes, stands in for a SPKI hash


def answers():
    # MX: two exchangers under the queried name, out of order, with glue
    a = Answer("example.test", T_MX)
    a.rr(ptr(), T_MX, struct.pack(">H", 20) + b"\x03mx2" + ptr())
    a.rr(ptr(), T_MX, struct.pack(">H", 10) + b"\x03mx1" + ptr())
    a.rr(b"\x03mx1" + ptr(), T_A, bytes([198, 51, 100, 25]), section=2)
    write("records", "mx", a.wire())

    # null MX (RFC 7505): preference 0, "."
    a = Answer("nomail.example.test", T_MX)
    a.rr(ptr(), T_MX, b"\x00\x00\x00")
    write("records", "mx-null", a.wire())

    # SRV for submission, target in another zone, uncompressed
    a = Answer("_submission._tcp.example.test", T_SRV)
    a.rr(ptr(), T_SRV, struct.pack(">HHH", 0, 1, 587) +
         name("smtp.provider.test"))
    a.rr(ptr(), T_SRV, struct.pack(">HHH", 10, 5, 2525) +
         name("backup.provider.test"))
    write("records", "srv", a.wire())

    # SRV ".": service not offered (RFC 2782)
    a = Answer("_submissions._tcp.example.test", T_SRV)
    a.rr(ptr(), T_SRV, struct.pack(">HHH", 0, 0, 0) + b"\x00")
    write("records", "srv-dot", a.wire())

    # TXT: SPF among other records, one split into two strings
    a = Answer("example.test", T_TXT)
    a.rr(ptr(), T_TXT, txt("site-verification=0123abcd"))
    a.rr(ptr(), T_TXT, txt("v=spf1 ip4:192.0.2.0/24 ",
                           "include:_spf.example.test -all"))
    write("records", "txt-spf", a.wire())

    a = Answer("example.test", T_TXT)
    a.rr(ptr(), T_TXT, txt("v=spf1 a -all"))
    a.rr(ptr(), T_TXT, txt("v=spf1 mx -all"))
    a.rr(ptr(), T_TXT, txt("v=spf10 not-spf"))
    write("records", "txt-spf-two", a.wire())

    a = Answer("_dmarc.example.test", T_TXT)
    a.rr(ptr(), T_TXT, txt("v=DMARC1; ", "p=reject; rua=mailto:d@example.test"))
    write("records", "txt-dmarc", a.wire())

    a = Answer("_mta-sts.example.test", T_TXT)
    a.rr(ptr(), T_TXT, txt("v=STSv1; id=20240101T000000;"))
    write("records", "txt-mta-sts", a.wire())

    a = Answer("_smtp._tls.example.test", T_TXT)
    a.rr(ptr(), T_TXT, txt("v=TLSRPTv1;rua=mailto:tls@example.test"))
    write("records", "txt-tlsrpt", a.wire())

    a = Answer("example.test", T_TXT)
    a.rr(ptr(), T_TXT, b"\x00" + txt("\x1b[31mv=spf1\x07", "") + b"\x00")
    write("records", "txt-odd", a.wire())

    # TLSA 3 1 1 with the AD bit, an RRSIG riding along
    a = Answer("_25._tcp.mail.example.test", T_TLSA, flags=0x81A0)
    a.rr(ptr(), T_TLSA, b"\x03\x01\x01" + SHA256)
    a.rr(ptr(), T_RRSIG, struct.pack(">HBBIIIH", T_TLSA, 13, 5, 300,
                                     0x66000000, 0x65000000, 4711) +
         name("example.test") + b"\x55" * 16)
    write("records", "tlsa-ad", a.wire())

    # TLSA through a CNAME; a 2 0 0 full certificate stand-in; EDNS OPT
    a = Answer("_25._tcp.mx2.example.test", T_TLSA)
    a.rr(ptr(), T_CNAME, b"\x04_465" + ptr(12 + 4))
    a.rr(b"\x04_465" + ptr(12 + 4), T_TLSA, b"\x02\x00\x00" + b"\x30\x82" +
         bytes(40))
    a.rr(b"\x00", T_OPT, b"", section=2, ttl=0x8000)
    write("records", "tlsa-cname", a.wire())

    # NXDOMAIN: rcode 3, no answers, an SOA-less authority
    write("records", "nxdomain", Answer("none.example.test", T_MX,
                                        rcode=3).wire())

    # cut in the middle of the second record
    a = Answer("example.test", T_MX)
    a.rr(ptr(), T_MX, struct.pack(">H", 10) + b"\x03mx1" + ptr())
    a.rr(ptr(), T_MX, struct.pack(">H", 20) + b"\x03mx2" + ptr())
    write("records", "mx-truncated", a.wire()[:-5])

    # more records than RECORDS_MAX (64): the SPF one comes too late
    for rtype, rdata in [(T_MX, b"\x00\x0a" + ptr()), (T_TXT, txt("x")),
                         (T_TLSA, b"\x03\x01\x01" + SHA256[:4])]:
        a = Answer("example.test", rtype)
        for i in range(70):
            a.rr(ptr(), rtype, rdata)
        if rtype == T_TXT:
            a.rr(ptr(), T_TXT, txt("v=spf1 -all"))
        write("records", "many-%d" % rtype, a.wire())

    # a compression pointer to itself
    a = Answer("example.test", T_MX)
    a.rr(ptr(), T_MX, struct.pack(">H", 10) + ptr(12 + 14 + 4 + 2 + 10 + 2))
    write("records", "mx-loop", a.wire())


# --- real answers from dnsmasq (optional) ------------------------------------

DNSMASQ_PORT = 5399
DNSMASQ_CONF = """\
port={port}
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
local=/shop.test/
mx-host=shop.test,mx1.shop.test,10
mx-host=shop.test,mx2.shop.test,20
host-record=mx1.shop.test,198.18.1.2,fd00:1::2
cname=smtp.shop.test,relay.shop.test
cname=relay.shop.test,mx1.shop.test
srv-host=_submission._tcp.shop.test,smtp.shop.test,587,0,1
txt-record=shop.test,"site-verification=0123abcd"
txt-record=shop.test,"v=spf1 -all"
txt-record=_dmarc.shop.test,"v=DMARC1; ","p=reject"
dns-rr=_25._tcp.mx1.shop.test,52,030101{tlsa}
dns-rr=nomail.shop.test,15,000000
"""


def query(qname, qtype):
    q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 1) + name(qname) + \
        struct.pack(">HH", qtype, 1) + \
        b"\x00" + struct.pack(">HHIH", T_OPT, 1232, 0, 0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(q, ("127.0.0.1", DNSMASQ_PORT))
        return s.recv(4096)


def dnsmasq():
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "dnsmasq.conf")
        with open(conf, "w") as f:
            f.write(DNSMASQ_CONF.format(port=DNSMASQ_PORT, tlsa=SHA256.hex()))
        proc = subprocess.Popen(["dnsmasq", "--keep-in-foreground",
                                 "--conf-file=" + conf, "--user=root"])
        try:
            time.sleep(0.5)
            for fname, qname, qtype in [
                ("dnsmasq-mx", "shop.test", T_MX),
                ("dnsmasq-mx-null", "nomail.shop.test", T_MX),
                ("dnsmasq-srv-cname", "_submission._tcp.shop.test", T_SRV),
                ("dnsmasq-txt", "shop.test", T_TXT),
                ("dnsmasq-txt-dmarc", "_dmarc.shop.test", T_TXT),
                ("dnsmasq-tlsa", "_25._tcp.mx1.shop.test", T_TLSA),
                ("dnsmasq-nxdomain", "none.shop.test", T_MX),
            ]:
                write("records", fname, query(qname, qtype))
        finally:
            proc.terminate()
            proc.wait()


def main():
    replies()
    caps()
    targets()
    sanitizes()
    answers()
    if "--dnsmasq" in sys.argv[1:]:
        dnsmasq()


if __name__ == "__main__":
    main()
