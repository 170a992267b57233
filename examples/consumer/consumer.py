#!/usr/bin/env python3
"""A Chatwoot webhook consumer that does it right, in the Python standard library only.

It is the example `hookcheck fire` runs against in CI (see README.md, "Testing your webhook consumer"):

* verifies `X-Chatwoot-Signature` (`sha256=` + lowercase hex HMAC-SHA256 of `"{timestamp}.{raw body}"`, the
  webhook secret as the key) over the raw bytes, in constant time, before parsing anything;
* refuses timestamps more than 5 minutes from now, and delivery ids it has already accepted
  (`X-Chatwoot-Delivery`; Chatwoot never retries an account webhook, so a repeat is a replay);
* answers 400 to a body that is not a JSON object with a string `event`, 413 to one over 4 MiB;
* reads the payload defensively: a key may be absent or `null`, a list may be empty.

Usage:
    WEBHOOK_SECRET=... python3 consumer.py [--port 8787] [--secret-file FILE] [--path /webhooks/chatwoot]

With `--port 0` it picks a free port. The first line on stdout is the URL to send to.

`--naive` swaps in the business logic handlers in the wild often have, to see what `hookcheck fire` reports
about it: `sender.get("email", "").lower()` (a key that is present with `null` is not absent).
"""
import argparse
import collections
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 4 * 1024 * 1024
TOLERANCE_SECS = 300
SEEN_MAX = 100_000


class SeenIds:
    """Delivery ids accepted in the last TOLERANCE_SECS (older ones are refused by their timestamp anyway)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids = collections.OrderedDict()

    def first_time(self, delivery_id, now):
        with self.lock:
            while self.ids and (len(self.ids) >= SEEN_MAX
                                or next(iter(self.ids.values())) < now - 2 * TOLERANCE_SECS):
                self.ids.popitem(last=False)
            if delivery_id in self.ids:
                return False
            self.ids[delivery_id] = now
            return True


def verify(secret, headers, body, now):
    """None when the delivery is genuine, else why not."""
    timestamp = headers.get("X-Chatwoot-Timestamp")
    signature = headers.get("X-Chatwoot-Signature")
    if timestamp is None or signature is None:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return "malformed timestamp"
    if abs(now - int(timestamp)) > TOLERANCE_SECS:
        return "timestamp outside the tolerance"
    expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "signature mismatch"
    return None


def handle(event, payload):
    """The business logic: defensive about absent keys, nulls and empty lists."""
    if event == "message_created":
        sender = payload.get("sender") or {}
        conversation = payload.get("conversation") or {}
        content = payload.get("content") or ""
        return {"message": payload.get("id"), "from": sender.get("name"),
                "conversation": conversation.get("id"), "length": len(content)}
    if event in ("conversation_created", "conversation_updated", "conversation_status_changed"):
        meta = payload.get("meta") or {}
        assignee = meta.get("assignee") or {}
        return {"conversation": payload.get("id"), "status": payload.get("status"),
                "assignee": assignee.get("name")}
    return {"event": event}


def handle_naive(event, payload):
    """What handlers in the wild do: `.get(key, default)` guards an absent key, not a null one."""
    if event == "message_created":
        sender = payload.get("sender", {})
        return {"message": payload["id"], "reply_to": sender.get("email", "").lower()}
    return {"event": event}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep connections alive
    server_version = "example-consumer/1"

    def log_message(self, fmt, *args):  # quiet: one line per refusal only
        pass

    def answer(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")  # so the client does not send more on it
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path.split("?")[0] != self.server.hook_path:
            self.close_connection = True
            return self.answer(404, {"error": "not found"})
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            return self.answer(411, {"error": "Content-Length required"})
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            return self.answer(413, {"error": "body too large"})
        body = self.rfile.read(length)
        now = int(time.time())
        if self.server.secret is not None:
            why = verify(self.server.secret, self.headers, body, now)
            if why:
                return self.answer(401, {"error": why})
        delivery_id = self.headers.get("X-Chatwoot-Delivery")
        if delivery_id is not None and not self.server.seen.first_time(delivery_id, now):
            return self.answer(409, {"error": "delivery already received"})
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return self.answer(400, {"error": "not JSON"})
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
            return self.answer(400, {"error": "not a webhook payload"})
        logic = handle_naive if self.server.naive else handle
        try:
            seen = logic(payload["event"], payload)
        except Exception as e:  # what a web framework does with an exception: a 500
            return self.answer(500, {"error": f"{type(e).__name__}: {e}"})
        return self.answer(200, {"ok": True, "seen": seen})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8787")))
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--path", default="/webhooks/chatwoot")
    parser.add_argument("--secret-file", help="read the secret from this file instead of $WEBHOOK_SECRET")
    parser.add_argument("--naive", action="store_true", help="the business logic of handlers in the wild")
    args = parser.parse_args()
    if args.secret_file:
        with open(args.secret_file, encoding="utf-8") as f:
            secret = f.readline().rstrip("\r\n")
    else:
        secret = os.environ.get("WEBHOOK_SECRET")
    server = ThreadingHTTPServer((args.bind, args.port), Handler)
    server.daemon_threads = True
    server.secret = secret.encode() if secret else None
    server.hook_path = args.path
    server.seen = SeenIds()
    server.naive = args.naive
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}{args.path}", flush=True)
    if secret is None:
        print("warning: no WEBHOOK_SECRET: signatures are not checked", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
