"""The production topology on one machine: `make cluster` (docs/operations.md).

nginx in front of two gunicorn instances, RQ task workers (the periodic chains run on
them), PostgreSQL and Redis (cache and task queue), all under supervisord
(deploy/supervisord.conf), configured only through the environment, as on real machines.

    python bench/cluster.py            prepare, then run in the foreground (Ctrl-C stops all)
    python bench/cluster.py --env      print the environment the processes get

The cluster uses its own database (created if missing) and Redis database; each setting
below can be overridden from the environment (RYADOM_CLUSTER_*).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def setting(name: str, default: str) -> str:
    return os.environ.get(f"RYADOM_CLUSTER_{name}", default)


def run_dir() -> Path:
    var = Path(os.environ.get("RYADOM_VAR_DIR", ROOT / "var"))
    return Path(setting("DIR", str(var / "cluster"))).resolve()


def settings() -> dict[str, str]:
    """What every process of the cluster is given: the settings of a real deployment."""
    port = int(setting("PORT", "8780"))
    host = setting("HOST", "127.0.0.1")
    redis = setting("REDIS_URL", "redis://127.0.0.1:6379/1")
    run = run_dir()
    key_file = run / "secret_key"
    if not key_file.exists():
        run.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return {
        "DATABASE_URL": setting(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ryadom_cluster"
        ),
        "RYADOM_CACHE_URL": redis,  # rate-limit counts shared by every web process
        "RYADOM_REDIS_URL": redis,  # the task queue
        "RYADOM_TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "RYADOM_PRODUCTION": "1",
        "RYADOM_SECRET_KEY": key_file.read_text().strip(),
        # TLS ends in front of nginx in production; here nginx speaks plain HTTP.
        "RYADOM_HTTPS": setting("HTTPS", "0"),
        "RYADOM_TRUSTED_PROXY_COUNT": "1",  # nginx
        "RYADOM_ALLOWED_HOSTS": f"{host},localhost",
        "RYADOM_SITE_URL": f"http://{host}:{port}",
        "RYADOM_EMAIL_HOST": "127.0.0.1",
        "RYADOM_EMAIL_PORT": setting("SMTP_PORT", str(port + 5)),
        # The names deploy/supervisord.conf and deploy/nginx.conf.template read.
        "RYADOM_RUN_DIR": str(run),
        "RYADOM_BIN": str(BIN),
        "RYADOM_WEB1_BIND": f"127.0.0.1:{port + 1}",
        "RYADOM_WEB2_BIND": f"127.0.0.1:{port + 2}",
        "RYADOM_WEB_WORKERS": setting("WEB_WORKERS", "2"),
        "RYADOM_RQ_WORKERS": setting("RQ_WORKERS", "2"),
        "RYADOM_SMTP_SINK": f"127.0.0.1:{setting('SMTP_PORT', str(port + 5))}",
        "RYADOM_NGINX_LISTEN": f"{host}:{port}",
        "RYADOM_NGINX_UPSTREAMS": f"server 127.0.0.1:{port + 1}; server 127.0.0.1:{port + 2};",
        "RYADOM_NGINX_RUN_DIR": str(run / "nginx"),
    }


def environment() -> dict[str, str]:
    return {**os.environ, **settings()}


def database_create(env: dict[str, str]) -> None:
    """Create the cluster's PostgreSQL database unless it exists."""
    import psycopg

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - our own setting
        print(f"created database {name}")


def reset(env: dict[str, str]) -> None:
    """Drop the cluster's database and empty its Redis database: a benchmark starts from the
    small demo alone, not from what an earlier run left (its users, its queued tasks)."""
    import psycopg
    import redis

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # noqa: S608 - our own setting
    for setting_name in ("RYADOM_CACHE_URL", "RYADOM_REDIS_URL"):
        redis.Redis.from_url(env[setting_name]).flushdb()


def nginx_render(env: dict[str, str]) -> None:
    """deploy/nginx.conf.template with this machine's addresses and paths."""
    template = (DEPLOY / "nginx.conf.template").read_text()
    names = [n for n in env if n.startswith("RYADOM_NGINX_")]
    static = str(Path(env.get("RYADOM_VAR_DIR", ROOT / "var")).resolve() / "static") + "/"
    values = {**env, "RYADOM_NGINX_STATIC": static}
    for name in [*names, "RYADOM_NGINX_STATIC"]:
        template = template.replace("${" + name + "}", values[name])
    nginx_dir = Path(env["RYADOM_NGINX_RUN_DIR"])
    nginx_dir.mkdir(parents=True, exist_ok=True)
    (nginx_dir / "nginx.conf").write_text(template)


def static_stale(env: dict[str, str]) -> bool:
    """Whether our static files changed since the last collectstatic (it takes minutes)."""
    manifest = Path(env.get("RYADOM_VAR_DIR", ROOT / "var")) / "static" / "staticfiles.json"
    if not manifest.exists():
        return True
    ours = (ROOT / "src" / "ryadom").glob("*/static/**/*")
    return max(p.stat().st_mtime for p in ours if p.is_file()) > manifest.stat().st_mtime


def prepare(env: dict[str, str], *, demo: bool = True) -> None:
    """Everything the processes expect before they start; safe to run every time."""
    for tool in ("nginx", "redis-cli"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: `make cluster` installs nginx; Redis must be running")
    run = Path(env["RYADOM_RUN_DIR"])
    for sub in ("cur", "new", "tmp"):  # the mail sink's Maildir
        (run / "mail" / sub).mkdir(parents=True, exist_ok=True)
    database_create(env)
    # One process for the Django commands: each start of Django costs seconds.
    command = [sys.executable, __file__, "--setup", *([] if demo else ["--no-demo"])]
    subprocess.run(command, env=env, check=True)
    nginx_render(env)


def setup(*, demo: bool) -> None:
    """The database's schema and data, static files, the periodic chains (in the cluster's
    environment: run by prepare())."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ryadom.config.settings")
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if demo:
        call_command("demo_data", scale="small", if_empty=True)
        call_command("demo_accounts")
    if static_stale(dict(os.environ)):
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command("schedules_start")


def supervisord(env: dict[str, str]) -> list[str]:
    return [str(BIN / "supervisord"), "-c", str(DEPLOY / "supervisord.conf")]


def supervisorctl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "supervisorctl"), "-c", str(DEPLOY / "supervisord.conf"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def base_url(env: dict[str, str]) -> str:
    return env["RYADOM_SITE_URL"]


def wait_healthy(env: dict[str, str], timeout: float = 120) -> float:
    """Wait until /api/v1/health answers 200 from each web instance and through nginx (which
    stops sending to an instance for a while when it refused a connection); the seconds it
    took."""
    started = time.monotonic()
    urls = [f"http://{env[f'RYADOM_WEB{n}_BIND']}" for n in (1, 2)] + [base_url(env)]
    for url in urls:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{url} was not healthy within {timeout:.0f} s")
            time.sleep(0.3)
    return time.monotonic() - started


class Cluster:
    """The cluster as a context: started in the background, stopped however the block ends."""

    def __init__(
        self, *, demo: bool = True, fresh: bool = False, extra_env: dict[str, str] | None = None
    ) -> None:
        self.env = {**environment(), **(extra_env or {})}
        self.demo = demo
        self.fresh = fresh  # start from an empty database and Redis database (reset())
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Cluster:
        if self.fresh:
            reset(self.env)
        prepare(self.env, demo=self.demo)
        log = (Path(self.env["RYADOM_RUN_DIR"]) / "supervisord.out").open("wb")
        self.process = subprocess.Popen(
            supervisord(self.env), env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_healthy(self.env)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def ctl(self, *args: str) -> str:
        return supervisorctl(self.env, *args).stdout

    def pids(self) -> dict[str, int]:
        """Each program's process id: "web:web1", "rqworker:rqworker-0", ..."""
        out = {}
        for line in self.ctl("status").splitlines():
            parts = line.split()
            if len(parts) > 3 and parts[1] == "RUNNING":
                out[parts[0]] = int(parts[3].rstrip(","))
        return out

    def stop(self) -> None:
        """Stop every program (in reverse order of start), then supervisord itself."""
        if self.process is None or self.process.poll() is not None:
            return
        self.ctl("shutdown")
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--env", action="store_true", help="print the environment and stop")
    parser.add_argument("--no-demo", action="store_true", help="do not load the small demo")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        return setup(demo=not args.no_demo)
    env = environment()
    if args.env:
        for name, value in settings().items():
            print(f"{name}={value}")
        return
    prepare(env, demo=not args.no_demo)
    print(
        f"Ryadom cluster at {base_url(env)}/ (nginx → {env['RYADOM_WEB1_BIND']}, "
        f"{env['RYADOM_WEB2_BIND']}); logs in {env['RYADOM_RUN_DIR']}; Ctrl-C stops all"
    )
    os.execve(supervisord(env)[0], supervisord(env), env)


if __name__ == "__main__":
    main()
