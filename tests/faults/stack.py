"""Private, real processes for the fault drills: a PostgreSQL cluster, a Redis server, a
gunicorn web instance and an RQ task worker, each on a free port of the loopback, in a
temporary directory of its own, so a drill may kill any of them without touching the
machine's shared PostgreSQL or Redis, or another test running beside it."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.notifications.fakes import free_port

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
# A process of ours starts Django from scratch; on a busy two-core machine that has taken
# tens of seconds. The waits are bounds, not sleeps: a quick start returns at once.
START_BOUND = 120.0


def wait_for(
    condition: Callable[[], Any], what: str | Callable[[], str], timeout: float = START_BOUND
) -> Any:
    """Poll until `condition()` is true-ish; its value. `what` may be a function, to say how
    things stood when the wait ran out."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {said}")
        time.sleep(0.1)


def postgres_bin() -> Path:
    """The newest PostgreSQL server's tools: Debian keeps initdb and pg_ctl out of PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("initdb not found: install Debian's postgresql package")
    return Path(initdb).parent


def _major(path: str) -> int:
    return int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0


def children(pid: int) -> list[tuple[int, int]]:
    """(pid, process group) of each live child of `pid`, read from /proc."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.append((int(Path(stat).parent.name), int(fields[2])))
    return out


class Postgres:
    """A PostgreSQL cluster of its own (initdb), started and stopped with pg_ctl. PostgreSQL
    refuses to run as root, so under root its files and processes belong to `postgres`."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "pg"
        self.port = free_port()
        self.bin = postgres_bin()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/ryadom"

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own tools, our arguments
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            user=self.user,
            cwd="/",
        )

    def create(self) -> None:
        self.dir.mkdir()
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.dir), "-U", "postgres", "-A", "trust", "--no-sync")
        settings = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.dir}'",
            "max_connections": 40,
            "shared_buffers": "'32MB'",
            # Durable as far as PostgreSQL knows (a commit is in the WAL before it answers);
            # only the machine's own crash is not covered, which no drill here causes.
            "fsync": "off",
            "full_page_writes": "off",
        }
        with (self.dir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "ryadom")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-l", str(self.dir / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-m", mode, "-w", "stop")

    def restart_abruptly(self) -> None:
        """Stop without a checkpoint or goodbye to clients (as a crash does), then start: the
        server recovers from its WAL."""
        self.stop("immediate")
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")


class Redis:
    """A redis-server of its own, with an append-only file as production has (docs)."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server not found: install Debian's redis-server package")
        command = [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "yes", "--dir", str(self.dir), "--daemonize", "no"]
        with (self.dir / "log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        wait_for(self.ping, "redis-server to answer", timeout=30)

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Program:
    """One of our programs (gunicorn, an RQ worker) in a session of its own, so it and every
    process it forks can be signalled together."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.earlier: list[int] = []  # sessions of runs that died, for what they left behind

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        if self.process is not None:
            self.earlier.append(self.process.pid)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own programs
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=ROOT,
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        # Whatever it forked and left behind (a work horse, the RQ scheduler of a worker
        # that was killed and started again) goes with it.
        for group in [*self.earlier, self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


class Stack:
    """The four parts, wired by the environment as on real machines (docs/operations.md)."""

    def __init__(self, root: Path, smtp_port: int) -> None:
        self.root = root
        self.postgres = Postgres(root)
        self.redis = Redis(root)
        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ryadom.config.settings",
            "DATABASE_URL": self.postgres.url,
            "RYADOM_CACHE_URL": self.redis.url,
            "RYADOM_REDIS_URL": self.redis.url,
            "RYADOM_TASKS_BACKEND": "django_tasks_rq.RQBackend",
            "RYADOM_VAR_DIR": str(root / "var"),
            "RYADOM_SECRET_KEY": "fault-drills-" + "x" * 40,
            "RYADOM_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "RYADOM_RATE_INTAKE": "100000/h",  # the drills ask often, as one relative
            "RYADOM_EMAIL_HOST": "127.0.0.1",
            "RYADOM_EMAIL_PORT": str(smtp_port),
            "RYADOM_EMAIL_TIMEOUT": "60",  # a worker held by the mail server waits, not fails
            # Short leases: a message whose worker died is taken over within seconds.
            "RYADOM_NOTIFICATIONS_LEASE": "2",
            "RYADOM_LOG_LEVEL": "WARNING",
        }
        self.web = Program(
            "web",
            [str(BIN / "gunicorn"), "ryadom.config.wsgi", "--bind", f"127.0.0.1:{self.web_port}"]
            + ["--workers", "2", "--preload", "--timeout", "60", "--graceful-timeout", "2"]
            + ["--log-level", "warning"],
            self.env,
            root / "web.log",
        )
        self.worker = Program(
            "worker",
            [str(BIN / "ryadom"), "rqworker", "--job-class", "django_tasks_rq.Job"]
            + ["--worker-class", "ryadom.core.worker.Worker"]
            + ["--with-scheduler", "urgent", "default"],
            self.env,
            root / "worker.log",
        )
        self.seed: dict[str, Any] = {}

    def start(self) -> None:
        self.postgres.create()
        self.redis.start()
        # Each start of Django costs seconds: the web instance and the worker start while
        # the database is migrated and seeded (they touch it only when asked something).
        seed = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "tests.faults.seed"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.web.start()
        self.worker.start()
        out, err = seed.communicate(timeout=START_BOUND * 2)
        if seed.returncode != 0:
            raise RuntimeError(f"seeding the drills' database failed:\n{err[-3000:]}")
        self.seed = json.loads(out.strip().splitlines()[-1])
        self.web_wait()

    def web_wait(self, timeout: float = START_BOUND) -> None:
        wait_for(lambda: self.get("/api/v1/health")[0] in (200, 503), "the web instance", timeout)

    def web_workers(self) -> list[int]:
        """The gunicorn worker processes (the master's children)."""
        return [pid for pid, _group in children(self.web.pid)]

    def job_process(self) -> int | None:
        """The process running the job in hand: the worker itself, as deploy/supervisord.conf
        runs it (its worker class runs jobs in its own process, no fork per job)."""
        return self.worker.pid if self.worker.running() else None

    def scheduler_running(self) -> bool:
        """Whether the worker's RQ scheduler process (in the worker's own group) is alive."""
        return any(group == self.worker.pid for _pid, group in children(self.worker.pid))

    def queued(self) -> int:
        """Jobs waiting in the RQ queues."""
        import redis

        connection = redis.Redis.from_url(self.redis.url)
        return sum(int(connection.llen(f"rq:queue:{name}")) for name in ("urgent", "default"))

    def get(self, path: str) -> tuple[int, Any]:
        return self.call("GET", path)

    def call(
        self, method: str, path: str, body: Any = None, timeout: float = 30, **headers: str
    ) -> tuple[int, Any]:
        """(status, JSON body); status 0 when the connection broke or timed out."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own address
            self.base + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.seed.get('token', '')}",
                "Content-Type": "application/json",
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return 0, None

    def stop(self) -> None:
        for program in (self.web, self.worker):
            program.stop()
        self.redis.stop()
        self.postgres.destroy()


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw[:200].decode(errors="replace")


@contextlib.contextmanager
def stack_running(root: Path, smtp_port: int) -> Iterator[Stack]:
    stack = Stack(root, smtp_port)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
