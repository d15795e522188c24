"""The HTTP/2 gateway (`bind ... proto h2`, h2c with prior knowledge) seen
from nghttp (nghttp2-client): several streams on one connection, a POST
body, a response larger than every flow-control window, all relayed to a
real HTTP/1.1 server on loopback; and a client that does not send the
preface gets GOAWAY(PROTOCOL_ERROR).

Skipped when nghttp is not installed or the build has no haproxy.cfg
reader."""
import shutil
import socket
import struct
import subprocess

import pytest

import fc
from test_http import Origin, cfg

NGHTTP = shutil.which("nghttp")


@pytest.fixture
def origin():
    o = Origin("a")
    yield o
    o.stop()


@pytest.fixture
def h2lb(daemon, origin):
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    port, h2port = fc.free_port(), fc.free_port()
    daemon(cfg(port, [origin.port], extra="    bind 127.0.0.1:%d proto h2\n" % h2port),
           args=["--format=haproxy"])
    return h2port


def nghttp(*args, timeout=60):
    if not NGHTTP:
        pytest.skip("nghttp is not installed (apt-get install nghttp2-client)")
    return subprocess.run([NGHTTP, "--no-dep", "-t", "30"] + list(args), capture_output=True,
                          timeout=timeout)


def test_several_streams_one_connection(h2lb, origin):
    urls = ["http://127.0.0.1:%d/s%d" % (h2lb, i) for i in range(4)]
    r = nghttp("-v", *urls)
    out = r.stdout.decode("latin-1")
    assert r.returncode == 0, out + r.stderr.decode("latin-1")
    for i in range(4):
        assert "a /s%d" % i in out
    # one connection: streams 1, 3, 5, 7, each answered 200
    for sid in (1, 3, 5, 7):
        assert "recv HEADERS frame <length=" in out and ("stream_id=%d>" % sid) in out
    assert out.count(":status: 200") == 4
    # the server saw HTTP/1.1 requests with the authority as Host
    heads = [h.decode("latin-1").lower() for h in origin.heads]
    assert len(heads) == 4
    assert all(h.startswith("get /s") and "\r\nhost: 127.0.0.1:%d" % h2lb in h for h in heads)


def test_post_body_reaches_server(h2lb, origin, tmp_path):
    body = bytes(range(256)) * 300  # 76800 bytes: over the initial stream window
    f = tmp_path / "body"
    f.write_bytes(body)
    r = nghttp("-d", str(f), "http://127.0.0.1:%d/post" % h2lb)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"a /post"
    assert origin.bodies == [body]
    assert origin.heads[0].lower().startswith(b"post /post http/1.1")


def test_big_response_flow_control(h2lb):
    r = nghttp("http://127.0.0.1:%d/big300000" % h2lb)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"x" * 300000


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def field(name, value):
    """HPACK literal without indexing, new name, no Huffman."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def recv_frames(s, done):
    """Read frames from s until done(frames) or the close (bounded: 1 MiB,
    the socket's timeout).  The frames as (type, flags, stream, payload)."""
    buf, frames = b"", []
    try:
        while not done(frames) and len(buf) < 1 << 20:
            d = s.recv(65536)
            if not d:
                break
            buf += d
            while len(buf) >= 9 and len(buf) >= 9 + int.from_bytes(buf[:3], "big"):
                ln = int.from_bytes(buf[:3], "big")
                frames.append((buf[3], buf[4], int.from_bytes(buf[5:9], "big"), buf[9:9 + ln]))
                buf = buf[9 + ln:]
    except (ConnectionResetError, socket.timeout):
        pass
    return frames


def talk(port, data, want):
    """Send data on a new connection, read frames until one of type `want`."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    frames = recv_frames(s, lambda fr: any(f[0] == want for f in fr))
    s.close()
    return frames


def get(s, sid, path):
    """GET path on stream sid of connection s: the response's DATA bytes."""
    s.sendall(frame(0x1, 0x5, sid, b"\x82\x86" + field(b":path", path) + field(b":authority", b"x")))
    fr = recv_frames(s, lambda fr: any(f[0] in (0x0, 0x3) and f[2] == sid and f[1] & 1 or f[0] == 0x3
                                       for f in fr))
    assert any(f[0] == 0x1 and f[2] == sid for f in fr), fr
    return b"".join(f[3] for f in fr if f[0] == 0x0 and f[2] == sid)


def test_reload_keeps_h2_connection(daemon, origin):
    """SIGHUP with a changed backend: an HTTP/2 connection open across the
    reload goes on, its next stream served by the new configuration."""
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    b = Origin("b")
    try:
        port, h2port = fc.free_port(), fc.free_port()
        extra = "    bind 127.0.0.1:%d proto h2\n" % h2port
        d = daemon(cfg(port, [origin.port], extra=extra), args=["--format=haproxy"])
        s = socket.create_connection(("127.0.0.1", h2port), timeout=10)
        s.sendall(PREFACE + frame(0x4, 0, 0))
        assert get(s, 1, b"/before") == b"a /before"
        d.write_conf(cfg(port, [b.port], extra=extra))
        d.reload()

        def served_by_b():
            p = socket.create_connection(("127.0.0.1", h2port), timeout=10)
            p.sendall(PREFACE + frame(0x4, 0, 0))
            got = get(p, 1, b"/probe")
            p.close()
            return got == b"b /probe"
        fc.wait_until(served_by_b, 15, "the new backend")
        assert get(s, 3, b"/after") == b"b /after"
        s.close()
    finally:
        b.stop()


def test_connection_error_goaway(h2lb):
    # DATA on stream 0: GOAWAY(last stream 0, PROTOCOL_ERROR), after our SETTINGS
    frames = talk(h2lb, PREFACE + frame(0x4, 0, 0) + frame(0x0, 0, 0, b"x"), want=0x7)
    assert frames[0][0] == 0x4
    assert frames[-1][0] == 0x7 and frames[-1][3] == struct.pack(">II", 0, 1)
    # a frame over our SETTINGS_MAX_FRAME_SIZE: FRAME_SIZE_ERROR
    frames = talk(h2lb, PREFACE + frame(0x4, 0, 0) + frame(0x6, 0, 0, b"x" * 16385), want=0x7)
    assert frames[-1][0] == 0x7 and frames[-1][3] == struct.pack(">II", 0, 6)


def test_malformed_request_rst_stream(h2lb, origin):
    # an upper-case field name, and a connection-specific one: RST_STREAM
    # PROTOCOL_ERROR, nothing reaches the server; the connection goes on
    base = b"\x82\x86\x84" + field(b":authority", b"x")
    frames = talk(h2lb, PREFACE + frame(0x4, 0, 0) +
                  frame(0x1, 0x5, 1, base + field(b"X-Up", b"1")) +
                  frame(0x1, 0x5, 3, base + field(b"connection", b"close")) +
                  frame(0x6, 0, 0, b"12345678"), want=0x6)
    rst = [f for f in frames if f[0] == 0x3]
    assert [(f[2], f[3]) for f in rst] == [(1, b"\x00\x00\x00\x01"), (3, b"\x00\x00\x00\x01")]
    assert (0x6, 0x1, 0, b"12345678") in frames  # PING answered
    assert origin.heads == []


def test_http1_client_on_h2_listener(h2lb):
    # not the preface: served as HTTP/1.1 (fulcrum speaks HTTP/1.1 to servers,
    # so a `server ... proto h2` into this bind keeps working)
    s = socket.create_connection(("127.0.0.1", h2lb), timeout=10)
    s.sendall(b"GET /h1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(b"a /h1")


def test_cookies_joined_on_one_line(h2lb, origin):
    # two cookie fields with a field after them: one "cookie: a=1; b=2" line,
    # the next field on its own line (RFC 9113 section 8.2.3)
    s = socket.create_connection(("127.0.0.1", h2lb), timeout=10)
    s.sendall(PREFACE + frame(0x4, 0, 0))
    s.sendall(frame(0x1, 0x5, 1, b"\x82\x86" + field(b":path", b"/c") + field(b":authority", b"x") +
                    field(b"cookie", b"a=1") + field(b"cookie", b"b=2") + field(b"x-after", b"y")))
    fr = recv_frames(s, lambda fr: any(f[0] in (0x0, 0x3) and f[1] & 1 for f in fr))
    s.close()
    assert b"".join(f[3] for f in fr if f[0] == 0x0) == b"a /c"
    lines = origin.heads[0].split(b"\r\n")
    assert b"cookie: a=1; b=2" in lines and b"x-after: y" in lines


def test_answer_before_body_ends_with_rst_no_error(daemon, origin):
    """A POST answered before its body ended (here: denied): the response,
    then RST_STREAM(NO_ERROR), RFC 9113 8.1 -- not an error code, which a
    client (h2load, browsers) counts as a failed request; the body's DATA
    still in flight is ignored, not answered with a reset, and the
    connection serves the next stream."""
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    port, h2port = fc.free_port(), fc.free_port()
    extra = ("    bind 127.0.0.1:%d proto h2\n"
             "    http-request deny if { path /deny }\n" % h2port)
    daemon(cfg(port, [origin.port], extra=extra), args=["--format=haproxy"])
    s = socket.create_connection(("127.0.0.1", h2port), timeout=10)
    post = b"\x83\x86" + field(b":path", b"/deny") + field(b":authority", b"x") + \
        field(b"content-length", b"30000")
    s.sendall(PREFACE + frame(0x4, 0, 0) + frame(0x1, 0x4, 1, post) + frame(0x0, 0, 1, b"a" * 1000))
    fr = recv_frames(s, lambda fr: any(f[0] == 0x3 and f[2] == 1 for f in fr))
    heads = [f for f in fr if f[0] == 0x1 and f[2] == 1]
    rst = [f for f in fr if f[0] == 0x3 and f[2] == 1]
    assert heads and rst, fr
    assert rst[0][3] == b"\x00\x00\x00\x00", "RST_STREAM code %r, want NO_ERROR" % rst[0][3]
    # the rest of the body arrives after the reset: ignored; a PING and a
    # GET on stream 3 are answered, no second reset, no GOAWAY
    s.sendall(frame(0x0, 0, 1, b"b" * 16000) + frame(0x0, 0x1, 1, b"c" * 13000) +
              frame(0x6, 0, 0, b"pingpong"))
    fr = recv_frames(s, lambda fr: any(f[0] == 0x6 and f[1] & 1 for f in fr))
    assert (0x6, 0x1, 0, b"pingpong") in fr, fr
    assert not [f for f in fr if f[0] in (0x3, 0x7)], fr
    assert get(s, 3, b"/next") == b"a /next"
    s.close()
    assert origin.heads == [] or all(b"/deny" not in h for h in origin.heads)
