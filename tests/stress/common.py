"""What the stress parts share: the throwaway server (connect, crash, restart), checks
and threads whose failures are reported with the client's number."""
import os
import subprocess
import threading
import time

import psycopg


class Failure(Exception):
    """An expectation of the stress tests that did not hold."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def say(part, message):
    print(f"stress {part}: {message}", flush=True)


def describe(error):
    """An exception as `SQLSTATE message`, on one line."""
    state = getattr(error, "sqlstate", None)
    text = " ".join(str(error).split())
    return f"{state or type(error).__name__} {text}"


class Server:
    """The server of scripts/server.sh, on 127.0.0.1:PORT with its data in DIR/data."""

    def __init__(self, root, directory, port, bindir, runas):
        self.root, self.dir, self.port, self.bindir, self.runas = root, directory, port, bindir, runas

    def connect(self, dbname, user="postgres", **kwargs):
        return psycopg.connect(host="127.0.0.1", port=self.port, user=user, dbname=dbname,
                               autocommit=True, **kwargs)

    def as_server_user(self, *command):
        if self.runas:
            command = ("runuser", "-u", self.runas, "--") + command
        return subprocess.run(command, capture_output=True, text=True)

    def running(self):
        result = self.as_server_user(f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data", "status")
        return result.returncode == 0

    def stop_immediate(self):
        """pg_ctl stop -m immediate: every process quits at once, nothing is flushed."""
        result = self.as_server_user(f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data",
                                     "-m", "immediate", "-w", "stop")
        check(result.returncode == 0, f"pg_ctl stop -m immediate failed: {result.stderr.strip()}")

    def start(self):
        result = subprocess.run([f"{self.root}/scripts/server.sh", "start", self.dir, str(self.port)],
                                capture_output=True, text=True)
        check(result.returncode == 0, f"server did not start: {result.stderr.strip()}")

    def ensure_running(self):
        if not self.running():
            self.start()

    def wait_ready(self, timeout):
        """Seconds until a connection succeeds (crash recovery refuses them until done)."""
        start = time.monotonic()
        last = None
        while time.monotonic() - start < timeout:
            try:
                with self.connect("postgres") as conn:
                    conn.execute("SELECT 1")
                return time.monotonic() - start
            except psycopg.OperationalError as e:
                last = e
                time.sleep(0.05)
        raise Failure(f"server not accepting connections {timeout} s after the crash: {describe(last)}")

    def log_offset(self):
        try:
            return os.path.getsize(f"{self.dir}/server.log")
        except OSError:
            return 0

    def log_since(self, offset):
        try:
            with open(f"{self.dir}/server.log", errors="replace") as f:
                f.seek(offset)
                return f.read()
        except OSError:
            return ""

    def fresh_database(self, name):
        with self.connect("postgres") as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        with self.connect(name) as conn:
            conn.execute("CREATE EXTENSION pgmem")


def alarming_log_lines(text):
    """Server log lines that mean a backend crashed, an assertion failed or a deadlock."""
    words = ("PANIC", "TRAP:", "terminated by signal", "deadlock detected", "server process (PID")
    return [line for line in text.splitlines() if any(w in line for w in words)]


def run_threads(target, count, *args, timeout=120):
    """target(k, *args) in `count` threads; the failures, one per thread, as text. A
    thread still running after `timeout` seconds is a failure too (a hang)."""
    failures = []

    def wrapped(k):
        try:
            target(k, *args)
        except Exception as e:  # reported by the caller, with the client's number
            failures.append(f"client {k}: {describe(e)}")

    threads = [threading.Thread(target=wrapped, args=(k,), daemon=True) for k in range(count)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for k, t in enumerate(threads):
        t.join(max(0, deadline - time.monotonic()))
        if t.is_alive():
            failures.append(f"client {k}: still running after {timeout} s")
    return failures


def expect_sqlstate(conn, sqlstate, sql, params=None):
    """Runs sql, which must fail with sqlstate; the connection must still work after."""
    try:
        conn.execute(sql, params)
    except psycopg.Error as e:
        check(e.sqlstate == sqlstate, f"{sql}: expected {sqlstate}, got {describe(e)}")
    else:
        raise Failure(f"{sql}: expected {sqlstate}, it succeeded")
    check(conn.execute("SELECT 1").fetchone() == (1,), f"connection usable after: {sql}")
