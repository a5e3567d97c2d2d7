"""Regional web app of the multi-region DR stack: GET / (HTML, a request
row), GET --health-path (JSON, shallow: 200 while the process serves; the
database's TCP reach probed in the background), POST /write (a request row:
201 with its id, 503 when the database is read-only or unreachable), GET
/status (JSON: reachable, writable, the last heartbeat replicated and the lag
it implies, the request rows), /metrics on --metrics-port. Every
--heartbeat-seconds a writable database gets a heartbeat row. Python 3.9
stdlib; the driver (psycopg2, or the mysql client) is loaded when used.
"""
import argparse
import datetime
import html
import importlib
import json
import os
import re
import signal
import socket
import subprocess
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
      "checkedAt": None}  # last TCP check
HB = {"written": 0, "at": None, "error": None}  # the heartbeat thread
CRED, CRED_LOCK, HEALTH = {}, threading.Lock(), ["/health"]
# Error text (SQLSTATE or MySQL code) of a rotated password, a read-only
# database (a standby, a replica) and a table not created yet.
AUTH = re.compile(r"password authentication failed|28P01|1045|Access denied")
READ_ONLY = re.compile(r"read-only|25006|1290|1836")
MISSING = re.compile(r"42P01|1146|does not exist|doesn't exist")
RACE = re.compile(r"^(23505|42P07) ")  # SQLSTATE first, as db() words it
# Per engine: seconds since the epoch of a timestamp, the clock, DDL types.
SQL = {"postgres": ("extract(epoch FROM %s)::float8", "clock_timestamp()",
                    "bigserial", "text", "timestamptz", "RETURNING id, {t}",
                    "SELECT NOT pg_is_in_recovery()"),
       "mysql": ("UNIX_TIMESTAMP(%s)", "NOW(6)", "BIGINT AUTO_INCREMENT",
                 "VARCHAR(100)", "DATETIME(6)",
                 "; SELECT id, {t} FROM app_{table} WHERE id=LAST_INSERT_ID()",
                 "SELECT NOT (@@read_only OR @@innodb_read_only)")}


def observe(m, p, code, secs):  # label values from fixed sets
    m = m if m in "GET HEAD POST PUT DELETE PATCH OPTIONS".split() else "OTHER"
    p = 'path="%s"' % ("/health" if p == HEALTH[0] else p if p == "/"
                       else "other")
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


def creds(a):
    """{"username", "password"}: the file, or this region's copy of the
    secret through the AWS CLI v2 of AL2023; cached until a login fails."""
    with CRED_LOCK:  # one read at a time: the others wait for its answer
        if not CRED:
            load(a)
    return CRED


def load(a):
    if a.database_credentials_file:
        with open(a.database_credentials_file) as f:
            text = f.read()
    else:
        p = subprocess.run(
            ["aws", "secretsmanager", "get-secret-value", "--region",
             a.region, "--secret-id", a.database_credentials_secret,
             "--query", "SecretString", "--output", "text"],
            capture_output=True, text=True, timeout=30,
            env=dict(os.environ, AWS_PAGER=""))
        if p.returncode:
            raise OSError((p.stderr.strip() or "exit %d" % p.returncode
                           ).splitlines()[-1])
        text = p.stdout
    d = json.loads(text)
    CRED.update(u=str(d["username"]), p=str(d["password"]))


def pg(a, c, stmts):
    # sslmode=require encrypts; verify-full would also need the RDS CA bundle
    # and a host name in the certificate, and the stable name is a CNAME.
    k = importlib.import_module("psycopg2").connect(
        host=a.db_host, port=a.db_port, dbname=a.db_name, user=c["u"],
        password=c["p"], sslmode=a.db_sslmode, connect_timeout=max(
            2, round(a.db_timeout_seconds)), options="-c statement_timeout=%d"
        % (a.db_timeout_seconds * 2000), application_name="dr-demo-app")
    try:
        with k, k.cursor() as cur:  # one transaction, committed on success
            for s, p in stmts:
                cur.execute(s, p)
            return cur.fetchall() if cur.description else []
    finally:
        k.close()


def my(a, c, stmts):  # the mysql client of AL2023's mariadb105 package
    def q(v):
        return "'%s'" % str(v).replace("\\", "\\\\").replace("'", "''")
    sql = ";".join(s.replace("%s", "{}").format(*map(q, p or ()))
                   for s, p in stmts)
    t = max(2, round(a.db_timeout_seconds))
    r = subprocess.run(
        ["mysql", "-h", a.db_host, "-P", str(a.db_port), "-u", c["u"], "-D",
         a.db_name, "-N", "-B", "--connect-timeout=%d" % t] + (
            ["--ssl"] if a.db_sslmode == "require" else []) + ["-e", sql],
        capture_output=True, text=True, timeout=t * 5,
        env=dict(os.environ, MYSQL_PWD=c["p"]))
    if r.returncode:
        raise OSError(r.stderr.strip() or "mysql exit %d" % r.returncode)
    return [tuple(None if v == "NULL" else v for v in line.split("\t"))
            for line in r.stdout.splitlines()]


def db(a, stmts, again=True):
    """Runs [(sql, params)] in one session as the app user; the last
    statement's rows. Raises RuntimeError with the reason."""
    if not CRED:
        try:
            creds(a)
        except Exception as e:
            raise RuntimeError("credentials unavailable: %s" % (
                str(e) or type(e).__name__))
    try:
        return (pg if a.engine == "postgres" else my)(a, CRED, stmts)
    except Exception as e:
        m = " ".join(("%s %s" % (getattr(e, "pgcode", "") or "", e)).split())
        if isinstance(e, (ImportError, FileNotFoundError)):
            m = "database driver not installed: " + m
        if again and AUTH.search(m):
            CRED.clear()  # the secret rotated: read it again
            return db(a, stmts, False)
        raise RuntimeError(m or type(e).__name__)


def write(a, table, *values):
    """Inserts a row, creating the tables if absent: (id, unix time)."""
    e = SQL[a.engine]
    cols = "region, role" + (", path" if values else "")
    s = [("INSERT INTO app_%s (%s) VALUES (%s) %s" % (
        table, cols, ", ".join(["%s"] * (2 + len(values))), e[5].format(
            t=e[0] % "written_at", table=table)), (a.region, a.role) + values)]
    try:
        return db(a, s)[0]
    except RuntimeError as x:
        if not MISSING.search(str(x)):
            raise
    try:
        return db(a, [(";".join(
            "CREATE TABLE IF NOT EXISTS app_%s (id %s PRIMARY KEY, region %s "
            "NOT NULL, role %s NOT NULL,%s written_at %s NOT NULL DEFAULT %s)" % (
                t, e[2], e[3], e[3], " path %s NOT NULL," % e[3] if p else "",
                e[4], "CURRENT_TIMESTAMP(6)" if a.engine == "mysql" else e[1])
            for t, p in (("heartbeat", 0), ("request", 1))), None)] + s)[0]
    except RuntimeError as x:
        # Created at the same moment elsewhere (the heartbeat thread, another
        # instance): PostgreSQL refuses one of two concurrent CREATE TABLE IF
        # NOT EXISTS (23505 on pg_type, or 42P07); the tables exist now.
        if not RACE.search(str(x)):
            raise
    return db(a, s)[0]


def iso(t):
    return t and datetime.datetime.fromtimestamp(
        float(t), datetime.timezone.utc).isoformat()


def status(a, beat=False):
    """The database as this app sees it; with beat, writes a heartbeat row
    first when it is writable."""
    out = {"reachable": False, "writable": None, "error": None,
           "lastHeartbeat": None, "replicationLagSeconds": None,
           "requests": None, "checkedAt": time.time()}
    try:
        e = SQL[a.engine]
        out["writable"] = str(db(a, [(e[6], None)])[0][0]) in ("True", "1")
        out["reachable"] = True
        if beat and out["writable"]:
            write(a, "heartbeat")
            out["wroteHeartbeat"] = True
        t, now = e[0] % "h.written_at", e[0] % e[1]
        r = db(a, [(
            "SELECT h.region, h.role, %s, %s - %s, r.n, r.mx FROM (SELECT "
            "count(*) AS n, max(id) AS mx FROM app_request) r LEFT JOIN (SELECT * "
            "FROM app_heartbeat ORDER BY id DESC LIMIT 1) h ON true" % (
                t, now, t), None)])[0]
        if r[0] is not None:
            out["lastHeartbeat"] = {"region": r[0], "role": r[1],
                                    "writtenAt": iso(r[2])}
            out["replicationLagSeconds"] = round(float(r[3]), 3)
        out["requests"] = {"count": int(r[4]),
                           "lastId": r[5] and int(r[5])}
    except Exception as x:  # reported, never fatal
        out["error"] = str(x) or type(x).__name__
    return out


def heartbeat(a):  # every --heartbeat-seconds, forever
    while True:
        s = status(a, True)
        with LOCK:
            HB.update(at=s["checkedAt"], error=s["error"])
            HB["written"] += "wroteHeartbeat" in s
        time.sleep(a.heartbeat_seconds)


class Handler(BaseHTTPRequestHandler):
    timeout = 30  # idle/slow clients cannot hold a thread forever

    def handle_one_request(self):  # ... counted once parsed, bar scrapes
        self.code, self.headers, self.t0 = 500, None, time.monotonic()
        self.observed = False
        try:  # no answer (the handler raised): a 500
            super().handle_one_request()
        finally:
            if self.headers is not None:
                self.observe(self.code)

    def observe(self, code):  # once, before the client can see the answer
        if type(self) is Handler and not self.observed:
            self.observed = True
            observe(self.command, self.path.split("?")[0], code,
                    time.monotonic() - self.t0)

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
        self.observe(code)  # a scrape after this answer counts it
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

    def record(self, path):  # a request row: (id, unix time), or raises
        a = self.server.args
        if not a.credentials:
            raise RuntimeError("no database credentials configured")
        return write(a, "request", path)

    def do_GET(self):
        path, a = self.path.split("?", 1)[0], self.server.args
        if path == HEALTH[0]:
            # Always 200, even when degraded: a database blip must neither
            # cycle instances nor fail the region over; "status" reports it.
            self.send(200, self.health())
        elif path == "/status":
            s = dict(status(a) if a.credentials else {
                "error": "no database credentials configured"},
                region=a.region, role=a.role, engine=a.engine,
                database={"host": a.db_host, "port": a.db_port,
                          "name": a.db_name}, credentials=a.credentials)
            with LOCK:
                s["heartbeat"] = dict(HB, at=iso(HB["at"]))
            self.send(200, s)
        elif path == "/":
            h = self.health()
            e = lambda v: html.escape(str(v))
            db = h["database"]
            state = "reachable" if db["reachable"] else (
                "unreachable (%s)" % e(db["error"]))
            try:
                row = "Request row %d." % int(self.record("/")[0])
            except Exception as x:
                row = "No request row: %s." % e(x)
            page = ("<!doctype html><title>%s</title><h1>Served from %s (%s)"
                    "</h1><p>Database %s:%s is %s. %s</p>\n" % (
                        e(h["status"]), e(h["region"]), e(h["role"]),
                        e(db["host"]), e(db["port"]), state, row))
            self.send(200, page, "text/html; charset=utf-8")
        else:
            self.send(404, {"error": "not found"})

    def do_POST(self):
        if self.path.split("?", 1)[0] != "/write":
            return self.not_allowed()
        try:
            i, t = self.record("/write")
            self.send(201, {"id": int(i), "writtenAt": iso(t)})
        except Exception as x:
            self.send(503, {"error": "%s: %s" % (
                "read-only" if READ_ONLY.search(str(x)) else "unavailable",
                x)})

    def not_allowed(self):  # HTTP/1.0: the connection closes after this
        self.send(405, {"error": "method not allowed"}, Allow="GET")

    def __getattr__(self, name):  # every other method -> 405
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

    do_POST = Handler.not_allowed


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            return  # client went away: not worth a stack trace
        super().handle_error(request, client_address)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    o = p.add_argument
    o("--bind", default="0.0.0.0")
    o("--port", type=int, default=8080)
    o("--metrics-port", type=int, default=9464)
    o("--region", required=True)
    o("--role", required=True, choices=["primary", "dr"])
    o("--db-host", required=True, help="stable name a failover can repoint")
    o("--db-port", type=int, default=5432)
    o("--db-timeout-seconds", type=float, default=2.0)
    o("--db-check-interval-seconds", type=float, default=5.0)
    o("--engine", choices=["postgres", "mysql"], default="postgres")
    o("--db-name", default="app")
    o("--db-sslmode", choices=["require", "disable"], default="require")
    o("--health-path", default="/health")
    o("--heartbeat-seconds", type=float, default=5.0)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--database-credentials-secret", help="its name")
    g.add_argument("--database-credentials-file", help="JSON, no AWS")
    a = p.parse_args(argv)
    for n, ok in (("port", 0 <= a.port < 65536),
                  ("metrics-port", 0 <= a.metrics_port < 65536),
                  ("db-port", 0 < a.db_port < 65536),
                  ("db-timeout-seconds", 0 < a.db_timeout_seconds <= 60),
                  ("db-check-interval-seconds",
                   0 < a.db_check_interval_seconds <= 300),
                  ("heartbeat-seconds", 0 < a.heartbeat_seconds <= 300),
                  ("health-path", re.fullmatch(r"/[\w./-]*", a.health_path)
                   and a.health_path not in ("/status", "/write"))):
        if not ok:
            p.error("argument --%s: out of range" % n)
    if a.metrics_port == a.port != 0:
        p.error("argument --metrics-port: must differ from --port")
    a.credentials = a.database_credentials_secret and "secret" or (
        a.database_credentials_file and "file")
    HEALTH[0] = a.health_path

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
    bg = [threading.Thread(target=f, args=(a,), daemon=True) for f in (
        [probe, heartbeat] if a.credentials else [probe])]
    for t in bg:
        t.start()
    print("metrics on %s:%d" % (a.bind, msrv.server_address[1]), flush=True)
    print("listening on %s:%d" % (a.bind, srv.server_address[1]), flush=True)
    srv.serve_forever()
    srv.server_close()
    # Let in-flight requests finish (bounded), then exit.
    end = time.monotonic() + 5
    for t in threading.enumerate():
        if t is not threading.current_thread() and t not in bg:  # endless
            t.join(max(0, end - time.monotonic()))


if __name__ == "__main__":
    main()
