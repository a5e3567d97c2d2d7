"""Regional web app of the multi-region DR stack: GET / (HTML), GET /health
(JSON: region, role, database; answers at once, 200 while the process serves,
the database probed in the background), /metrics on --metrics-port.
Stdlib only, Python 3.9+; EC2 user data (keep < 10,000 bytes).
"""
import argparse
import html
import json
import signal
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Metric families (name, type, help) as in monitoring/appMetrics.ts.
FAMILIES = [f.split(" ", 2) for f in """app_info gauge Always 1; the region \
and deployment role (primary or dr) this instance serves.
app_http_requests_total counter HTTP requests answered, by method, path and \
status code.
app_http_request_errors_total counter HTTP requests answered with a 5xx status.
app_http_request_duration_seconds histogram Time to answer an HTTP request, \
seconds.
app_database_reachable gauge 1 when the last database check connected, else 0.
app_database_check_timestamp_seconds gauge Unix time of the last database \
check.""".splitlines()]
LE = "0.005 0.01 0.025 0.05 0.1 0.25 0.5 1.0 2.5 5.0 +Inf".split()
LOCK, SERIES = threading.Lock(), Counter(  # "name{labels}": value, in order
    app_database_reachable=0, app_database_check_timestamp_seconds=0)
DB = {"reachable": False, "latencyMs": None, "error": "not checked yet",
      "checkedAt": None}  # last check


def observe(m, p, code, secs):  # label values from fixed sets
    m = m if m in "GET HEAD POST PUT DELETE PATCH OPTIONS".split() else "OTHER"
    p = 'path="%s"' % (p if p in ("/", "/health") else "other")
    h = "app_http_request_duration_seconds_"
    with LOCK:
        SERIES['app_http_requests_total{method="%s",%s,code="%d"}' % (
            m, p, code)] += 1
        SERIES["app_http_request_errors_total{%s}" % p] += code >= 500
        for le in LE:
            SERIES['%sbucket{%s,le="%s"}' % (h, p, le)] += secs <= float(le)
        SERIES[h + "sum{%s}" % p] += secs
        SERIES[h + "count{%s}" % p] += 1


def metrics():  # no family name is a prefix of another
    with LOCK:
        return "".join("# HELP %s %s\n# TYPE %s %s\n" % (n, h, n, t) + "".join(
            "%s %r\n" % i for i in SERIES.items() if i[0].startswith(n))
            for n, t, h in FAMILIES)


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


def probe(a):  # every --db-check-interval-seconds, forever
    while True:
        try:
            r = check_db(a.db_host, a.db_port, a.db_timeout_seconds)
        except Exception as e:  # reported, never fatal
            r = {"reachable": False, "latencyMs": None,
                 "error": "check failed: %r" % e}
        r["checkedAt"] = time.time()
        with LOCK:
            DB.update(r)
            SERIES["app_database_reachable"] = int(r["reachable"])
            SERIES["app_database_check_timestamp_seconds"] = r["checkedAt"]
        time.sleep(a.db_check_interval_seconds)


class Handler(BaseHTTPRequestHandler):
    timeout = 30  # idle/slow clients cannot hold a thread forever

    def handle_one_request(self):  # ... counted once parsed, bar scrapes
        self.code, self.headers, t0 = 500, None, time.monotonic()
        try:  # no answer (the handler raised): a 500
            super().handle_one_request()
        finally:
            if self.headers is not None and type(self) is Handler:
                observe(self.command, self.path.split("?")[0], self.code,
                        time.monotonic() - t0)

    def health(self):  # the last check: never waits on the database
        a = self.server.args
        with LOCK:
            db = dict(DB, host=a.db_host, port=a.db_port)
        t = db["checkedAt"]
        db["ageSeconds"] = None if t is None else round(time.time() - t, 1)
        return {"status": "ok" if db["reachable"] else "degraded",
                "region": a.region, "role": a.role, "database": db}

    def send(self, code, body, ctype="application/json", **headers):
        body = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(code)
        self.code = code
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
            # Always 200, even when degraded: a database blip must neither
            # cycle instances nor fail the region over; "status" reports it.
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


class MetricsHandler(Handler):
    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            return self.send(404, {"error": "not found"})
        self.send(200, metrics(), "text/plain; version=0.0.4; charset=utf-8")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            return  # client went away: not worth a stack trace
        super().handle_error(request, client_address)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bind", default="0.0.0.0")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--metrics-port", type=int, default=9464)
    p.add_argument("--region", required=True)
    p.add_argument("--role", required=True, choices=["primary", "dr"])
    p.add_argument("--db-host", required=True,
                   help="stable DNS name a failover can repoint")
    p.add_argument("--db-port", type=int, default=5432)
    p.add_argument("--db-timeout-seconds", type=float, default=2.0)
    p.add_argument("--db-check-interval-seconds", type=float, default=5.0)
    a = p.parse_args(argv)
    for n, ok in (("port", 0 <= a.port < 65536),
                  ("metrics-port", 0 <= a.metrics_port < 65536),
                  ("db-port", 0 < a.db_port < 65536),
                  ("db-timeout-seconds", 0 < a.db_timeout_seconds <= 60),
                  ("db-check-interval-seconds",
                   0 < a.db_check_interval_seconds <= 300)):
        if not ok:
            p.error("argument --%s: out of range" % n)
    if a.metrics_port == a.port != 0:
        p.error("argument --metrics-port: must differ from --port")

    if ":" in a.bind:
        Server.address_family = socket.AF_INET6
    srv = Server((a.bind, a.port), Handler)
    msrv = Server((a.bind, a.metrics_port), MetricsHandler)
    srv.args = a
    r = a.region.translate({92: r"\\", 34: r'\"', 10: r"\n"})  # escaped
    SERIES['app_info{region="%s",role="%s"}' % (r, a.role)] = 1

    def stop(*_):  # shutdown() waits for serve_forever: call off-thread
        for s in srv, msrv:
            threading.Thread(target=s.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=msrv.serve_forever, daemon=True).start()
    pt = threading.Thread(target=probe, args=(a,), daemon=True)
    pt.start()
    print("metrics on %s:%d" % (a.bind, msrv.server_address[1]), flush=True)
    print("listening on %s:%d" % (a.bind, srv.server_address[1]), flush=True)
    srv.serve_forever()
    srv.server_close()
    # Let in-flight requests finish (bounded), then exit.
    end = time.monotonic() + 5
    for t in threading.enumerate():
        if t not in (threading.current_thread(), pt):  # pt never ends
            t.join(max(0, end - time.monotonic()))


if __name__ == "__main__":
    main()
