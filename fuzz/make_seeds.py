#!/usr/bin/env python3
"""Writes the curated seed corpora under fuzz/seeds/<target>/ (run from anywhere; overwrites the files
it owns, leaves others alone).

The structure-aware targets decode their inputs by hand (src/fuzzing.rs): the encoders below write the
same layouts, so each seed means what its name says. Generated payloads come from the hookcheck binary
given in $HOOKCHECK (default: target/debug/hookcheck), which `cargo build` makes.
"""
import json
import os
import pathlib
import struct
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
EXAMPLES = ROOT / "examples" / "chatwoot"
FIXTURES = ROOT / "tests" / "fixtures" / "seeds"
HOOKCHECK = os.environ.get("HOOKCHECK", str(ROOT / "target" / "debug" / "hookcheck"))

EVENTS = [  # EventName::ALL order
    "conversation_created", "conversation_updated", "conversation_status_changed",
    "message_created", "message_updated", "webwidget_triggered", "conversation_typing_on",
    "conversation_typing_off", "contact_created", "contact_updated", "inbox_created", "inbox_updated",
]


def write(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


def u8(n):
    return bytes([n & 0xFF])


def u16(n):
    return struct.pack("<H", n & 0xFFFF)


def u64(n):
    return struct.pack("<Q", n)


def short(b, limit=255):
    """A length-prefixed field read by Fields::bytes(max) with max < 256."""
    if isinstance(b, str):
        b = b.encode()
    assert len(b) <= limit
    return u8(len(b)) + b


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()


def example_bodies():
    out = {}
    for p in sorted(EXAMPLES.glob("*.json")):
        v = json.loads(p.read_text())
        if "body" in v:
            out[p.stem] = v["body"]
    return out


def generated(args):
    try:
        r = subprocess.run([HOOKCHECK, "generate", *args], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"skipping generated payloads ({e}); build hookcheck first")
        return []
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def validate_bytes():
    t = "validate_bytes"
    for name, body in example_bodies().items():
        write(t, f"example-{name}.json", compact(body))
    write(t, "example-message_created.pretty.json",
          json.dumps(example_bodies()["message_created.incoming_contact"], indent=2, ensure_ascii=False))
    for p in sorted(FIXTURES.glob("*")):
        if p.suffix in (".json", ".txt"):
            write(t, f"docs-{p.name}", p.read_bytes())
    for v in generated(["--all", "--count", "1", "--seed", "5"]):
        write(t, f"gen-compat-{v['event']}.json", compact(v))
    for v in generated(["--all", "--count", "1", "--seed", "6", "--profile", "v4.15"]):
        write(t, f"gen-v4.15-{v['event']}.json", compact(v))
    for v in generated(["--all", "--count", "1", "--seed", "7", "--invalid"]):
        x = v.pop("_hookcheck_expect", {})
        write(t, f"gen-invalid-{x.get('event', 'payload')}-{x.get('class', 'broken')}.json", compact(v))
    hostile = {
        "hostile-bom.json": b"\xef\xbb\xbf" + b'{"event":"contact_created","id":1,"name":"a"}',
        "hostile-invalid-utf8.json": b'{"event":"contact_created","name":"\xff\xfe"}',
        "hostile-empty.json": b"",
        "hostile-blank.json": b" \n\t\r ",
        "hostile-truncated.json": b'{"event":"message_created","id":1',
        "hostile-deep-array.json": b"[" * 300,
        "hostile-deep-object.json": b'{"event":"contact_created","x":' + b'{"a":' * 140 + b"1" + b"}" * 141,
        "hostile-nan.json": b'{"event":"contact_created","id":NaN,"name":"a"}',
        "hostile-infinity.json": b'{"event":"contact_created","id":Infinity,"x":-Infinity}',
        "hostile-duplicate-keys.json": b'{"event":"contact_created","id":1,"id":"one","name":"a","event":"contact_updated"}',
        "hostile-duplicate-nested.json": b'{"event":"contact_created","id":1,"name":"a","additional_attributes":{"k":{"z":1,"z":2},"k":3}}',
        "hostile-escaped-duplicate.json": b'{"event":"contact_created","id":1,"name":"a","\\u0069d":2}',
        "hostile-u64-overflow.json": b'{"event":"contact_created","id":18446744073709551616,"name":"a"}',
        "hostile-i64-underflow.json": b'{"event":"contact_created","id":-9223372036854775809,"name":"a"}',
        "hostile-float-overflow.json": b'{"event":"contact_created","id":1e400,"name":"a"}',
        "hostile-float-integer.json": b'{"event":"contact_created","id":1.0,"name":"a"}',
        "hostile-long-string.json": b'{"event":"contact_created","id":1,"name":"' + b"x" * 3000 + b'"}',
        "hostile-surrogates.json": b'{"event":"contact_created","id":1,"name":"\\ud83d\\ude00 \\ud800"}',
        "hostile-not-object.json": b"[1,2,3]",
        "hostile-event-number.json": b'{"event":5}',
        "hostile-event-removed.json": b'{"event":"conversation_opened"}',
        "hostile-pointer-escapes.json": b'{"event":"contact_created","id":1,"name":"a","a/b":1,"c~d":{"e/f~":1}}',
        "hostile-control-chars.json": b'{"event":"contact_created","id":1,"name":"\\u0000\\u001f\\b"}',
        "hostile-ndjson-two-lines.json": b'{"event":"contact_created","id":1,"name":"a"}\n{"event":"contact_created"}',
    }
    for name, data in hostile.items():
        write(t, name, data)


def typed_vs_schema():
    t = "typed_vs_schema"
    for i, event in enumerate(EVENTS):
        write(t, f"{event}-valid", u8(i) + u64(1) + u8(0) + u16(0))
        write(t, f"{event}-mutated-0", u8(i) + u64(2) + u8(1) + u16(0))
        write(t, f"{event}-mutated-7", u8(i) + u64(3) + u8(1) + u16(7))


def signature():
    t = "signature"
    vector = json.loads((EXAMPLES / "signature_test_vector.json").read_text())["vector"]

    def enc(secret, timestamp, id_, header, body, flips=(0, 1, 2, 3), masks=(1, 2, 4, 8)):
        digits = bytes(int(c) for c in timestamp)
        return (short(secret) + short(digits) + short(id_) + b"".join(u16(f) for f in flips)
                + bytes(masks) + short(header) + (body.encode() if isinstance(body, str) else body))

    write(t, "chatwoot-test-vector", enc(vector["secret"], vector["timestamp"], "msg_1",
                                          vector["expected_signature"], vector["raw_body"]))
    write(t, "standard-webhooks-list", enc("shhh", "1718620000", "msg_2ab",
                                           "v1a,abc v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=", "{}"))
    write(t, "empty-body-long-timestamp", enc("k", "9999999999999", "", "sha256=", b""))
    write(t, "header-uppercase-hex", enc("s", "1", "id", "sha256=" + "A" * 64, b"x"))
    write(t, "header-unicode-digits", enc("s", "12", "id", "\u0661\u0662\u0663", b"x"))
    write(t, "body-binary", enc("secret", "1718620000", "id", " v1,", bytes(range(256))))


def timestamps():
    t = "timestamps"
    raw = {
        "raw-iso-valid": "2026-06-17T12:34:56.789Z",
        "raw-iso-leap-day": "2024-02-29T23:59:59.999Z",
        "raw-iso-not-leap": "2100-02-29T00:00:00.000Z",
        "raw-iso-leap-second": "2016-12-31T23:59:60.000Z",
        "raw-iso-year-zero": "0000-01-01T00:00:00.000Z",
        "raw-iso-offset": "2026-06-17T12:34:56.789+00:00",
        "raw-iso-rails-utc": "2020-03-03 13:05:57 UTC",
        "raw-js-valid": "Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)",
        "raw-js-no-zone": "Thu Jan 05 2023 19:24:12 GMT-0700",
        "raw-js-wrong-weekday": "Thu Jun 17 2026 18:04:56 GMT+0530",
        "raw-js-docs-seed": "Tue Mar 03 2020 18:37:38 GMT-0700 (Mountain Standard Time)",
        "raw-js-max-offset": "Sat Jan 01 2000 00:00:00 GMT+1400 (Line Islands Time)",
        "raw-js-negative-zero": "Sat Jan 01 2000 00:00:00 GMT-0000",
        "raw-js-unicode-zone": "Mon Jan 01 0001 00:00:00 GMT+0000 (Koordinierte Weltzeit \u00e9)",
    }
    for name, s in raw.items():
        write(t, name, u8(3) + s.encode())
    # iso candidates: selector 0, year-from-list flag, year, wide flag, month, day, hour, minute, second,
    # millis, shape (+ fraction digits for shape 4)
    def iso(year, m, d, h, mi, s, ms, shape=0, extra=b""):
        return u8(0) + u8(0) + u16(year) + u8(0) + bytes([m, d, h, mi, s]) + u16(ms) + u8(shape) + extra
    write(t, "iso-fields-valid", iso(2026, 6, 17, 12, 34, 56, 789))
    write(t, "iso-fields-feb-30", iso(2026, 2, 30, 0, 0, 0, 0))
    write(t, "iso-fields-leap-second", iso(2016, 12, 31, 23, 59, 60, 0))
    write(t, "iso-fields-lowercase-z", iso(2026, 6, 17, 12, 34, 56, 789, 1))
    write(t, "iso-fields-two-fraction-digits", iso(2026, 6, 17, 12, 34, 56, 789, 4, u8(2)))
    # js candidates: selector 1, year-from-list flag, year, month (u16), day, weekday (u16), hour,
    # minute, second, negative, offset-from-list flag, offset (u16), zone kind, [zone], fix-weekday, shape
    def js(year, month0, day, weekday0, h, mi, s, neg, offset, zone_kind=0, zone=b"", fix=1, shape=0):
        return (u8(1) + u8(0) + u16(year) + u16(month0) + u8(day) + u16(weekday0) + bytes([h, mi, s])
                + u8(neg) + u8(0) + u16(offset) + u8(zone_kind) + zone + u8(fix) + u8(shape))
    write(t, "js-fields-valid", js(2026, 5, 17, 0, 18, 4, 56, 0, 530, 1, u16(22)))
    write(t, "js-fields-wrong-weekday", js(2026, 5, 17, 3, 18, 4, 56, 0, 530, fix=0))
    write(t, "js-fields-feb-29-1900", js(1900, 1, 29, 0, 0, 0, 0, 1, 300))
    write(t, "js-fields-zone-parens", js(2000, 0, 1, 0, 0, 0, 0, 0, 0, 2, short("a (b)")))
    # round trips: selector 2, unix seconds offset from 0001-01-01, nanos, offset, zone kind
    write(t, "round-trip-epoch", u8(2) + u64(62_135_596_800) + u64(123_456_789) + u16(1439) + u8(1) + u16(3))
    write(t, "round-trip-year-1", u8(2) + u64(0) + u64(999_999_999) + u16(2879) + u8(0))
    write(t, "round-trip-year-9999", u8(2) + u64(253_402_300_799 + 62_135_596_800) + u64(0) + u16(0) + u8(2) + short("Zone"))


def delivery_request():
    t = "delivery_request"
    vector = json.loads((EXAMPLES / "signature_test_vector.json").read_text())
    headers = vector["example_request_headers"]
    body = vector["vector"]["raw_body"].encode()

    def enc(flags, method_choice, path, hs, body, method=None):
        out = u8(flags) + u8(method_choice) + (short(method) if method_choice == 0 else b"") + short(path)
        out += u8(len(hs))
        for name_choice, name, value in hs:
            out += u16(name_choice)
            if name is not None:
                out += short(name)
            out += u8(1) + short(value)
        return out + body

    names = ["Content-Type", "Accept", "X-Chatwoot-Delivery", "X-Chatwoot-Timestamp", "X-Chatwoot-Signature"]
    real = [(i, None, headers[n].encode()) for i, n in enumerate(names)]
    write(t, "chatwoot-test-vector-request", enc(0, 3, "/", real, body))
    write(t, "chatwoot-signed-now", enc(2, 3, "/hooks", real[:2], body))
    write(t, "chatwoot-signed-example-body", enc(2 | 4, 3, "/", real[:2], u16(3)))
    write(t, "standard-webhooks-signed", enc(1 | 2, 3, "/", real[:2], b'{"event":"contact_created","id":1,"name":"a"}'))
    write(t, "standard-webhooks-unsigned", enc(1, 3, "/", [(5, None, b"msg_1"), (7, None, b"v1,abc")], b"{}"))
    write(t, "get-garbage-headers", enc(0, 1, "/?x=1", [(12, "X-\xff", b"\xff\xfe"), (2, None, b""), (2, None, b"dup")], b"\xff"))
    write(t, "odd-method", enc(0, 0, "", [], b"[]", method="DELETE"))


def ndjson_stream():
    t = "ndjson_stream"
    lines = b'{"event":"contact_created","id":1,"name":"a"}\n\n  \r\n[1]\r\n{"x":"' + b"y" * 40 + b'"}\n{"last":true}'
    # byte 0: layout (bits 0-1: 0 lines, 1 document, 2 sniff) | cap index << 2; byte 1: chunk count - 1
    write(t, "lines-default-cap-chunks-1-2-3", u8(0 | 7 << 2) + u8(2) + bytes([1, 2, 3]) + lines)
    write(t, "lines-cap-16-chunks-7", u8(0 | 4 << 2) + u8(0) + bytes([7]) + lines)
    write(t, "lines-cap-5-crlf", u8(0 | 3 << 2) + u8(1) + bytes([1, 255]) + b"abcd\r\nabcde\r\nabcdef\r\n")
    write(t, "lines-cap-0", u8(0 | 0 << 2) + u8(0) + bytes([3]) + b"\n\n{}\n \n")
    write(t, "document-cap-100", u8(1 | 5 << 2) + u8(1) + bytes([9, 1]) + lines)
    write(t, "document-over-cap-2", u8(1 | 2 << 2) + u8(0) + bytes([1]) + b"[1,2]")
    write(t, "sniff-pretty", u8(2 | 6 << 2) + u8(0) + bytes([5]) + b'\n\n{\n  "event": "contact_created"\n}\n')
    write(t, "sniff-ndjson", u8(2 | 6 << 2) + u8(0) + bytes([2]) + lines)
    write(t, "sniff-oversize-first-line", u8(2 | 4 << 2) + u8(0) + bytes([4]) + b'{"a":"' + b"z" * 30 + b'"}\n{}\n')


if __name__ == "__main__":
    validate_bytes()
    typed_vs_schema()
    signature()
    timestamps()
    delivery_request()
    ndjson_stream()
    for d in sorted(SEEDS.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")
