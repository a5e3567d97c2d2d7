"""Regional web app of the multi-region DR stack: GET / (HTML) and
GET /health (JSON: region, role, database reachability).
Stdlib only, Python 3.9+; embedded in EC2 user data (keep < 6,000 bytes).
"""
import argparse
import html
import json
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def check_db(host, port, timeout):
    """Resolve host afresh (no caching, so a repointed CNAME applies at
    once), then open a TCP connection; all within `timeout` seconds."""
    t0 = time.monotonic()
    out = {"err": "resolve timed out"}

    def resolve():
        try:
            out["ai"] = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except OSError as e:
            out["err"] = "resolve failed: %s" % e

    # getaddrinfo has no timeout of its own; bound it with a thread.
    t = threading.Thread(target=resolve, daemon=True)
    t.start()
    t.join(timeout)
    err = out["err"]
    for ai in out.get("ai", ()):
        left = max(timeout - (time.monotonic() - t0), 0.001)
        try:
            socket.create_connection(ai[4][:2], left).close()
            ms = round((time.monotonic() - t0) * 1000, 1)
            return {"reachable": True, "latencyMs": ms, "error": None}
        except OSError as e:
            err = "connect failed: %s" % (str(e) or type(e).__name__)
    return {"reachable": False, "latencyMs": None, "error": err}


class Handler(BaseHTTPRequestHandler):
    timeout = 30  # idle/slow clients cannot hold a thread forever

    def health(self):
        a = self.server.args
        db = {"host": a.db_host, "port": a.db_port}
        db.update(check_db(a.db_host, a.db_port, a.db_timeout_seconds))
        return {"status": "ok" if db["reachable"] else "degraded",
                "region": a.region, "role": a.role, "database": db}

    def send(self, code, body, ctype="application/json", **headers):
        body = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(code)
        headers.update({"Content-Type": ctype, "Content-Length": len(body)})
        for k, v in headers.items():
            self.send_header(k, str(v))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # every response
        super().end_headers()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            # Always 200, even when degraded: a database blip must not make
            # the load balancer cycle healthy instances; "status" reports it.
            self.send(200, self.health())
        elif path == "/":
            h = self.health()
            e = lambda v: html.escape(str(v))
            db = h["database"]
            state = "reachable" if db["reachable"] else (
                "unreachable (%s)" % e(db["error"]))
            page = ("<!doctype html><title>%s</title><h1>Served from %s (%s)"
                    "</h1><p>Database %s:%s is %s.</p>\n" % (
                        e(h["status"]), e(h["region"]), e(h["role"]),
                        e(db["host"]), e(db["port"]), state))
            self.send(200, page, "text/html; charset=utf-8")
        else:
            self.send(404, {"error": "not found"})

    def not_allowed(self):  # HTTP/1.0: the connection closes after this
        self.send(405, {"error": "method not allowed"}, Allow="GET")

    def __getattr__(self, name):  # every method but GET -> 405
        if name.startswith("do_"):
            return self.not_allowed
        raise AttributeError(name)

    def log_message(self, fmt, *args):
        print("%s [%s] %s" % (self.address_string(),
                              self.log_date_time_string(), fmt % args),
              flush=True)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            return  # client went away: not worth a stack trace
        super().handle_error(request, client_address)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bind", default="0.0.0.0")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--region", required=True)
    p.add_argument("--role", required=True, choices=["primary", "dr"])
    p.add_argument("--db-host", required=True,
                   help="stable DNS name a failover can repoint")
    p.add_argument("--db-port", type=int, default=5432)
    p.add_argument("--db-timeout-seconds", type=float, default=2.0)
    a = p.parse_args(argv)
    for n, ok in (("port", 0 <= a.port < 65536),
                  ("db-port", 0 < a.db_port < 65536),
                  ("db-timeout-seconds", 0 < a.db_timeout_seconds <= 60)):
        if not ok:
            p.error("argument --%s: out of range" % n)

    if ":" in a.bind:
        Server.address_family = socket.AF_INET6
    srv = Server((a.bind, a.port), Handler)
    srv.args = a

    def stop(*_):  # shutdown() waits for serve_forever: call off-thread
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("listening on %s:%d" % (a.bind, srv.server_address[1]), flush=True)
    srv.serve_forever()
    srv.server_close()
    # Let in-flight requests finish (bounded), then exit.
    end = time.monotonic() + 5
    for t in threading.enumerate():
        if t is not threading.current_thread():
            t.join(max(0, end - time.monotonic()))


if __name__ == "__main__":
    main()
