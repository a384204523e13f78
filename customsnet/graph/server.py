"""The Neo4j runtime: an external server, docker compose, or a local server built from Maven Central.

Which one is used:

1. ``NEO4J_URI`` set (``Settings.external``): that server; nothing is started here.
2. A Docker engine answers (or ``CUSTOMSNET_NEO4J_RUNTIME=docker``): ``docker compose up`` on the
   repository's ``docker-compose.yml``.
3. Otherwise a local Neo4j Community server whose jars Maven resolves from Central into
   ``<cache>/neo4j-<version>/lib`` (once), with its home (conf, data, logs, run) next to it.

A :class:`LocalServer` is one home plus a (possibly shared) jar directory, so tests can run
throwaway instances on free ports that reuse the cached jars (:func:`throwaway_instance`).
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import neo4j
from filelock import FileLock, Timeout

from customsnet.config import NEO4J_BROWSER_VERSION, Settings
from customsnet.graph.connection import GraphError

log = logging.getLogger(__name__)

RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
POM_FILE = RUNTIME_DIR / "pom.xml"
COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_ENTRY_POINT = "org.neo4j.server.startup.Neo4jAdminCommand"
COMPLETE_MARKER = ".complete"
PASSWORD_FILE = "neo4j-password"

# The flags the official bootloader passes to the server JVM (runbook §3.2), minus
# -XX:+AlwaysPreTouch, which only slows the start on a small shared box.
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]

Report = Callable[[str], None]


class ServerError(GraphError):
    """The Neo4j runtime could not be prepared, started or stopped; the message says why."""


class PortInUseError(ServerError):
    """A port the server needs is taken by another program (before or during its start)."""


def _log_report(message: str) -> None:
    log.info(message)


# ------------------------------------------------------------------ small helpers
def find_java() -> str:
    """Path of a Java 17+ ``java`` executable (``JAVA_HOME`` first, then ``PATH``)."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        java: str | None = str(Path(java_home) / "bin" / "java")
    else:
        java = shutil.which("java")
    if not java:
        raise ServerError(
            "Java 17 or 21 is needed to run the local Neo4j server but `java` is not on PATH and "
            "JAVA_HOME is not set; install a JDK (e.g. `apt-get install openjdk-17-jre-headless`), "
            "or use Docker, or point NEO4J_URI at an existing server"
        )
    check_java(java)
    return java


def java_major_version(version_output: str) -> int:
    """Major version from ``java -version`` output (``1.8.0_392`` → 8, ``17.0.15`` → 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        raise ServerError(f"cannot read a Java version from `java -version`: {version_output.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


@lru_cache(maxsize=None)  # `java -version` costs a JVM start; a path's version does not change
def check_java(java: str) -> None:
    """Refuse a Java older than 17 up front (Neo4j 5.26 would fail with a class-version error)."""
    done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    major = java_major_version(done.stderr + done.stdout)
    if major < 17:
        raise ServerError(f"{java} is Java {major}; Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME to one)")
    if major not in (17, 21):
        log.warning("%s is Java %s; Neo4j 5.26 supports Java 17 and 21 only (set JAVA_HOME if it fails)", java, major)


def _java_env(java: str, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Neo4jAdminCommand forks a JVM from $JAVA_HOME; derive it from the java we found.
    env.setdefault("JAVA_HOME", str(Path(os.path.realpath(java)).parents[1]))
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    return env


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` (SO_REUSEADDR ignores TIME_WAIT leftovers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that the kernel considers free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 25) -> str:
    if not path.is_file():
        return f"(no log at {path})"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _process_alive(pid: int) -> bool:
    # Reap it first if it is our own child, so a finished server is not mistaken for a zombie.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        return state != "Z"
    return True


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _argfile_quote(value: str) -> str:
    """``value`` as one double-quoted argument of a picocli ``@argfile`` (backslash escapes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jar_summary(lib: Path) -> tuple[int, int]:
    """Number of jars in ``lib`` and their total size in bytes."""
    jars = list(lib.glob("*.jar"))
    return len(jars), sum(j.stat().st_size for j in jars)


# ------------------------------------------------------------------ jars from Maven Central
@dataclass(frozen=True)
class JarResolution:
    """What :func:`resolve_jars` did: ``cached`` is False when Maven ran (``seconds`` is its time)."""

    lib: Path
    cached: bool
    seconds: float
    jar_count: int
    total_bytes: int

    def describe(self) -> str:
        size = f"{self.jar_count} jars, {self.total_bytes / 1e6:.0f} MB"
        if self.cached:
            return f"Neo4j jars cached in {self.lib} ({size})"
        return f"resolved Neo4j jars from Maven Central in {self.seconds:.1f} s ({size}) into {self.lib}"


def _cached_resolution(lib: Path, version: str) -> JarResolution:
    try:
        recorded = json.loads((lib / COMPLETE_MARKER).read_text())
    except ValueError:
        recorded = None
    found = recorded.get("version") if isinstance(recorded, dict) else None  # hand-made marker: trust it
    if found and found != version:
        raise ServerError(
            f"{lib} holds the jars of Neo4j {found}, not {version}; make CUSTOMSNET_NEO4J_LIB and "
            "CUSTOMSNET_NEO4J_VERSION agree (or unset both)"
        )
    count, size = jar_summary(lib)
    return JarResolution(lib, True, 0.0, count, size)


def resolve_jars(lib: Path, version: str, report: Report = _log_report, timeout: float = 1200) -> JarResolution:
    """Make ``lib`` hold the classpath of Neo4j Community ``version`` plus Neo4j Browser.

    Runs ``mvn dependency:copy-dependencies`` on ``graph/runtime/pom.xml`` unless ``lib/.complete``
    exists; a file lock keeps two processes from resolving into the same directory at once.
    """
    marker = lib / COMPLETE_MARKER
    if marker.is_file():
        return _cached_resolution(lib, version)
    lib.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lib.parent / f".{lib.name}.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise ServerError(f"another process has been resolving Neo4j jars into {lib} for {timeout:.0f} s") from exc
    try:
        if marker.is_file():  # resolved by another process while we waited
            return _cached_resolution(lib, version)
        mvn = shutil.which("mvn")
        if not mvn:
            raise ServerError(
                "Maven (`mvn`) is needed once to fetch the Neo4j jars from Maven Central but is not on "
                "PATH; install it (e.g. `apt-get install maven`), or use Docker, or set NEO4J_URI"
            )
        if lib.exists() and any(lib.iterdir()):
            # may be a folder the user pointed CUSTOMSNET_NEO4J_LIB at: never delete it
            raise ServerError(
                f"{lib} holds files but no {COMPLETE_MARKER} marker (not a finished customsnet jar "
                f"download); delete it, or point CUSTOMSNET_NEO4J_LIB at an empty or complete folder"
            )
        # Maven fills a staging folder that is renamed when complete: an interrupted download
        # never looks finished, and the next attempt simply starts over.
        staging = lib.with_name(lib.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        report(f"resolving Neo4j {version} jars from Maven Central into {lib} ...")
        cmd = [
            mvn, "-B", "-q", "-f", str(POM_FILE), "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", f"-Dneo4j.version={version}",
            f"-Dneo4j.browser.version={NEO4J_BROWSER_VERSION}",
        ]
        started = time.monotonic()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"Maven did not finish resolving Neo4j {version} within {timeout:.0f} s") from exc
        seconds = time.monotonic() - started
        if done.returncode != 0:
            output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
            raise ServerError(
                f"Maven could not resolve org.neo4j:neo4j:{version} (is Maven Central reachable? "
                f"is {version} a published 5.26.x version?):\n{output}"
            )
        count, size = jar_summary(staging)
        if count == 0:
            raise ServerError(f"Maven finished but {staging} holds no jars")
        (staging / COMPLETE_MARKER).write_text(
            json.dumps({"version": version, "seconds": round(seconds, 1), "jars": count, "bytes": size})
        )
        if lib.exists():
            lib.rmdir()  # empty (checked above)
        staging.rename(lib)
        resolution = JarResolution(lib, False, seconds, count, size)
        report(resolution.describe())
        return resolution
    finally:
        lock.release()


# ------------------------------------------------------------------ one local server
@dataclass(frozen=True)
class StartResult:
    """Outcome of :meth:`LocalServer.start`."""

    pid: int
    already_running: bool
    seconds: float
    first_start: bool


@dataclass(frozen=True)
class LocalServer:
    """A Neo4j server home (conf, data, logs, run) running jars from ``lib``.

    ``lib`` may be shared by many homes; everything that changes lives under ``home``.
    """

    home: Path
    lib: Path
    bolt_port: int
    http_port: int
    heap_initial: str = "512m"
    heap_max: str = "1g"
    pagecache: str = "512m"
    # Linux: the server gets SIGTERM when the process that started it dies (throwaway test
    # servers must not outlive a killed pytest); the user's server must outlive `db start`
    die_with_parent: bool = False
    _children: dict = field(default_factory=dict, repr=False, compare=False)

    # -------------------------------------------------------------- paths and addresses
    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "customsnet.pid"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    # -------------------------------------------------------------- configuration
    def neo4j_conf(self) -> str:
        """Text of ``conf/neo4j.conf``: loopback only, auth on, no usage reporting, small memory."""
        lines = [
            "# written by customsnet (customsnet/graph/server.py); rewritten on every start",
            "initial.dbms.default_database=neo4j",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            "server.bolt.enabled=true",
            f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
            # without these the discovery document at / advertises the default 7687/7474
            f"server.bolt.advertised_address=127.0.0.1:{self.bolt_port}",
            "server.http.enabled=true",
            f"server.http.listen_address=127.0.0.1:{self.http_port}",
            f"server.http.advertised_address=127.0.0.1:{self.http_port}",
            "server.https.enabled=false",
            "server.http_enabled_modules=TRANSACTIONAL_ENDPOINTS,UNMANAGED_EXTENSIONS,BROWSER,QUERY_API_ENDPOINTS",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            "client.allow_telemetry=false",
            # the admin tool (set-initial-password) builds its classpath from this setting
            f"server.directories.lib={self.lib}",
            f"server.memory.heap.initial_size={self.heap_initial}",
            f"server.memory.heap.max_size={self.heap_max}",
            f"server.memory.pagecache.size={self.pagecache}",
            "dbms.memory.transaction.total.max=512m",
            "db.tx_log.rotation.retention_policy=1 days 512M",
            # Bolt waits 5 s twice on shutdown for connections that are already gone; a dev
            # server (and every test session) stops in ~3 s instead of ~11 s with these
            "internal.server.bolt.thread_pool_shutdown_wait_time=1s",
            "internal.server.bolt.connection_shutdown_wait_time=1s",
        ]
        return "\n".join(lines) + "\n"

    def prepare(self) -> None:
        """Create the home's directories and write ``conf/neo4j.conf``."""
        for sub in ("conf", "data", "logs", "plugins", "import", "run", "tmp"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "neo4j.conf").write_text(self.neo4j_conf(), encoding="utf-8")

    @property
    def initialised(self) -> bool:
        """True once the system database exists (the initial password can no longer be set)."""
        return (self.home / "data" / "databases" / "system").is_dir()

    def set_initial_password(self, password: str) -> None:
        """``neo4j-admin dbms set-initial-password`` for a home that has never been started.

        The password goes to the admin tool in a picocli ``@argfile`` (mode 0600, deleted right
        after), never on its command line, where any local user could read it from ``ps``.
        """
        if len(password) < 8:
            raise ServerError("the Neo4j password must have at least 8 characters")
        java = find_java()
        (self.home / "run").mkdir(parents=True, exist_ok=True)
        argfile = self.home / "run" / "initial-password.args"
        fd = os.open(argfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                # "--": a password starting with "-" (1 in 64 of token_urlsafe's) is not an option
                out.write(f"-- {_argfile_quote(password)}\n")
            done = subprocess.run(
                [java, "-cp", f"{self.lib}/*", ADMIN_ENTRY_POINT, "dbms", "set-initial-password", f"@{argfile}"],
                env=_java_env(java, self.home), capture_output=True, text=True, timeout=180,
            )
        finally:
            argfile.unlink(missing_ok=True)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).replace(password, "********").strip()
            raise ServerError(f"setting the initial Neo4j password in {self.home} failed:\n{output[-3000:]}")

    # -------------------------------------------------------------- process
    def pid(self) -> int | None:
        """Pid of this home's running server, or None (stale pid files are ignored)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if not _process_alive(pid):
            return None
        cmdline = _cmdline(pid)
        # guard against a recycled pid belonging to some other program
        if cmdline and f"--home-dir={self.home}" not in cmdline:
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self, password: str, timeout: float = 120, report: Report = _log_report) -> StartResult:
        """Start the server in the background and wait until HTTP and Bolt answer.

        Idempotent: a running server is left alone. Raises :class:`ServerError` when a port is
        taken, the JVM exits, or it is not ready within ``timeout`` seconds (then it is stopped).
        """
        self.home.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.home / ".server.lock"), timeout=timeout + 60):
            pid = self.pid()
            if pid is not None:
                return StartResult(pid, True, 0.0, False)
            for port, what, env in ((self.bolt_port, "Bolt", "CUSTOMSNET_BOLT_PORT"),
                                    (self.http_port, "HTTP", "CUSTOMSNET_HTTP_PORT")):
                if not port_is_free(port):
                    raise PortInUseError(
                        f"port {port} on 127.0.0.1 (Neo4j {what}) is already in use by another program; "
                        f"stop it or choose another port with {env}=<port>"
                    )
            if not (self.lib / COMPLETE_MARKER).is_file():
                raise ServerError(f"{self.lib} holds no resolved Neo4j jars (no {COMPLETE_MARKER}); resolve them first")
            java = find_java()
            self.prepare()
            first_start = not self.initialised
            if first_start:
                self.set_initial_password(password)
            started = time.monotonic()
            cmd = [
                java, f"-Xms{self.heap_initial}", f"-Xmx{self.heap_max}", *JVM_FLAGS,
                # Jetty unpacks the Browser into java.io.tmpdir; keep it in the home, not /tmp
                f"-Djava.io.tmpdir={self.home / 'tmp'}",
                "-cp", f"{self.home}/plugins/*:{self.conf_dir}/*:{self.lib}/*",
                ENTRY_POINT, f"--home-dir={self.home}", f"--config-dir={self.conf_dir}", "--console-mode",
            ]
            with open(self.console_log, "ab") as console:
                process = subprocess.Popen(
                    cmd, cwd=self.home, env=_java_env(java, self.home), stdin=subprocess.DEVNULL,
                    stdout=console, stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=_parent_death_signal() if self.die_with_parent else None,
                )
            self._children[process.pid] = process  # keeps the Popen so it is reaped, not leaked
            self.pid_file.write_text(str(process.pid))
            try:
                self._wait_ready(process, password, timeout)
            except BaseException:
                self.stop()
                raise
            seconds = time.monotonic() - started
            report(f"Neo4j started in {seconds:.1f} s (pid {process.pid}, {'first start' if first_start else 'restart'})"
                   f" at {self.bolt_uri}, Browser {self.browser_url}")
            return StartResult(process.pid, False, seconds, first_start)

    def _wait_ready(self, process: subprocess.Popen, password: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        http_ok = False
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = _tail(self.console_log)
                if "Address already in use" in tail:
                    # another program bound the port between our check and the JVM's bind
                    raise PortInUseError(
                        f"Neo4j could not bind port {self.bolt_port} (Bolt) or {self.http_port} (HTTP) on "
                        "127.0.0.1: the address is already in use by another program (taken after the "
                        "free-port check); stop it or choose other ports with CUSTOMSNET_BOLT_PORT / "
                        f"CUSTOMSNET_HTTP_PORT. Last lines of {self.console_log}:\n{tail}"
                    )
                raise ServerError(
                    f"Neo4j exited with code {process.returncode} while starting; last lines of "
                    f"{self.console_log}:\n{tail}"
                )
            if not http_ok:
                http_ok = _discovery(self.http_url) is not None
            if http_ok:
                driver = neo4j.GraphDatabase.driver(self.bolt_uri, auth=("neo4j", password), connection_timeout=5)
                try:
                    driver.verify_connectivity()
                    return
                except neo4j.exceptions.AuthError as exc:
                    raise ServerError(
                        f"Neo4j in {self.home} is up but refuses the stored password ({exc.message}); its data "
                        "was initialised with another password. Set NEO4J_PASSWORD to that one, or delete "
                        f"{self.home / 'data'} to start empty"
                    ) from exc
                except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError):
                    pass
                finally:
                    driver.close()
            time.sleep(0.5)
        raise ServerError(
            f"Neo4j did not answer on {self.http_url} and {self.bolt_uri} within {timeout:.0f} s; "
            f"last lines of {self.console_log}:\n{_tail(self.console_log)}"
        )

    def stop(self, timeout: float = 60) -> bool:
        """SIGTERM the server and wait for it to exit (SIGKILL after ``timeout``). False if not running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        if not _wait_exit(pid, timeout):
            log.warning("Neo4j (pid %s) ignored SIGTERM for %.0f s; killing it", pid, timeout)
            os.kill(pid, signal.SIGKILL)
            if not _wait_exit(pid, 15):
                raise ServerError(f"Neo4j (pid {pid}) survived SIGKILL; check `ps -p {pid}`")
        self._children.pop(pid, None)
        self.pid_file.unlink(missing_ok=True)
        return True


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes Linux SIGTERM the child when this process dies (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork: the child only calls it
    parent = os.getpid()

    def set_pdeathsig() -> None:
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return set_pdeathsig


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _process_alive(pid):
            return True
        time.sleep(0.2)
    return not _process_alive(pid)


def _discovery(http_url: str) -> dict | None:
    """The HTTP discovery document (``neo4j_version``, ``bolt_direct`` ...), or None if nothing answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(http_url, headers={"Accept": "application/json"}),
                                    timeout=3) as response:
            return json.loads(response.read().decode())
    except (urllib.error.URLError, OSError, ValueError):
        return None


# ------------------------------------------------------------------ managed server (CLI)
def local_home(settings: Settings) -> Path:
    """Home of the managed local server: ``<cache>/neo4j-<version>``."""
    return settings.cache / f"neo4j-{settings.neo4j_version}"


def local_lib(settings: Settings) -> Path:
    """Jar directory: ``CUSTOMSNET_NEO4J_LIB`` if set, else ``<home>/lib``."""
    return settings.neo4j_lib or local_home(settings) / "lib"


def local_server(settings: Settings) -> LocalServer:
    """The managed local server described by ``settings`` (ports, cache dir, version)."""
    return LocalServer(local_home(settings), local_lib(settings), settings.bolt_port, settings.http_port,
                       heap_initial="512m", heap_max="1g", pagecache="512m")


def password_file(settings: Settings) -> Path:
    return settings.cache / PASSWORD_FILE


def managed_password(settings: Settings, create: bool = False) -> str | None:
    """Password of the managed server: ``NEO4J_PASSWORD``, else the 0600 file in the cache dir.

    With ``create`` and no file yet (first start), ``NEO4J_PASSWORD`` or a random password is
    stored, so later runs without ``NEO4J_PASSWORD`` still connect.
    """
    path = password_file(settings)
    if create and not path.is_file():
        settings.cache.mkdir(parents=True, exist_ok=True)
        password = settings.password or secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(password + "\n")
        return password
    if settings.password:
        return settings.password
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return None


def managed_connection_info(settings: Settings) -> tuple[str, str]:
    """Bolt URI and password of the managed (docker or local) server, for :meth:`Graph.connect`."""
    password = managed_password(settings)
    if not password:
        raise ServerError(
            f"no Neo4j password: none stored in {password_file(settings)} and NEO4J_PASSWORD is not set; "
            "run `customsnet db start` first (or set NEO4J_URI/NEO4J_PASSWORD for an existing server)"
        )
    return f"bolt://127.0.0.1:{settings.bolt_port}", password


def docker_available() -> bool:
    """True when a Docker engine answers ``docker info`` and the compose plugin is installed."""
    docker = shutil.which("docker")
    if not docker:
        return False
    try:
        return all(
            subprocess.run([docker, *args], capture_output=True, timeout=8).returncode == 0
            for args in (["info"], ["compose", "version"])
        )
    except (subprocess.TimeoutExpired, OSError):
        return False


def runtime_mode(settings: Settings) -> str:
    """``external``, ``docker`` or ``local``."""
    if settings.external:
        return "external"
    if settings.runtime not in ("auto", "local", "docker"):
        raise ServerError(f"CUSTOMSNET_NEO4J_RUNTIME must be auto, local or docker, not {settings.runtime!r}")
    if settings.runtime != "auto":
        return settings.runtime
    return "docker" if docker_available() else "local"


def _compose(settings: Settings, *args: str, password: str | None = None, timeout: float = 300):
    if not COMPOSE_FILE.is_file():
        raise ServerError(f"{COMPOSE_FILE} is missing; run customsnet from a checkout of the repository")
    env = dict(os.environ, CUSTOMSNET_BOLT_PORT=str(settings.bolt_port), CUSTOMSNET_HTTP_PORT=str(settings.http_port),
               CUSTOMSNET_NEO4J_VERSION=settings.neo4j_version)
    if password:
        env["NEO4J_PASSWORD"] = password
    done = subprocess.run(["docker", "compose", "-f", str(COMPOSE_FILE), *args], env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise ServerError(f"`docker compose {' '.join(args)}` failed:\n{(done.stdout + done.stderr).strip()[-3000:]}")
    return done.stdout


@dataclass(frozen=True)
class ServerStatus:
    """Where the graph lives and whether it runs (for ``customsnet db status``)."""

    mode: str
    running: bool
    where: str
    uri: str
    browser_url: str
    pid: int | None = None


def start(settings: Settings, timeout: float = 120, report: Report = _log_report) -> ServerStatus:
    """Start the managed server (docker compose or local); resolves jars first when needed."""
    mode = runtime_mode(settings)
    if mode == "external":
        report(f"NEO4J_URI is set ({settings.uri}); customsnet uses that server and starts nothing")
        return status(settings)
    password = managed_password(settings, create=True)
    assert password is not None
    if mode == "docker":
        report("starting Neo4j with docker compose ...")
        _compose(settings, "up", "-d", "--wait", "--wait-timeout", str(int(timeout)), password=password,
                 timeout=timeout + 600)
        return status(settings)
    server = local_server(settings)
    resolution = resolve_jars(server.lib, settings.neo4j_version, report)
    if resolution.cached:
        report(resolution.describe())
    result = server.start(password, timeout=timeout, report=report)
    if result.already_running:
        report(f"Neo4j is already running (pid {result.pid}) at {server.bolt_uri}")
    return status(settings)


def stop(settings: Settings, timeout: float = 60) -> bool:
    """Stop the managed server; False when it was not running."""
    mode = runtime_mode(settings)
    if mode == "external":
        raise ServerError(f"NEO4J_URI is set ({settings.uri}); customsnet does not stop external servers")
    if mode == "docker":
        _compose(settings, "stop")
        return True
    return local_server(settings).stop(timeout=timeout)


def status(settings: Settings) -> ServerStatus:
    """Where the server runs and whether it answers (no version: see ``Graph.server_info``)."""
    mode = runtime_mode(settings)
    if mode == "external":
        return ServerStatus("external", _bolt_reachable(settings.uri), f"external server {settings.uri}",
                            settings.uri, "")  # type: ignore[arg-type]
    uri = f"bolt://127.0.0.1:{settings.bolt_port}"
    browser = f"http://127.0.0.1:{settings.http_port}/browser/"
    if mode == "docker":
        running = _discovery(f"http://127.0.0.1:{settings.http_port}/") is not None
        return ServerStatus("docker", running, f"docker compose ({COMPOSE_FILE})", uri, browser)
    server = local_server(settings)
    pid = server.pid()
    return ServerStatus("local", pid is not None, f"local server, home {server.home}", uri, browser, pid)


def _bolt_reachable(uri: str) -> bool:
    host, _, port = uri.split("://", 1)[-1].partition(":")
    try:
        with socket.create_connection((host, int(port or 7687)), timeout=3):
            return True
    except (OSError, ValueError):
        return False


# ------------------------------------------------------------------ throwaway instances (tests)
@dataclass(frozen=True)
class Instance:
    """A running throwaway server: how to reach it and how long it took to get there."""

    server: LocalServer
    password: str
    resolution: JarResolution
    start: StartResult

    @property
    def uri(self) -> str:
        return self.server.bolt_uri


@contextmanager
def throwaway_instance(
    settings: Settings | None = None,
    base_dir: Path | None = None,
    timeout: float = 120,
    report: Report = _log_report,
) -> Iterator[Instance]:
    """Start a private server on free ports with a random password; stop it and delete its home after.

    Shares the managed server's jar directory (resolving it once if needed), so parallel test
    runs only share read-only jars, never data.
    """
    settings = settings or Settings.from_env()
    lib = local_lib(settings)
    resolution = resolve_jars(lib, settings.neo4j_version, report)
    home = Path(tempfile.mkdtemp(prefix="customsnet-neo4j-", dir=base_dir))
    try:
        password = secrets.token_urlsafe(18)
        # A free port can be taken between the check and the JVM's bind; retry with new ports then.
        for attempt in range(3):
            server = LocalServer(home, lib, free_port(), free_port(),
                                 heap_initial="256m", heap_max="1g", pagecache="256m", die_with_parent=True)
            try:
                result = server.start(password, timeout=timeout, report=report)
                break
            except PortInUseError:
                if attempt == 2:
                    raise
        try:
            yield Instance(server, password, resolution, result)
        finally:
            server.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)
