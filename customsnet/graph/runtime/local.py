"""One local Neo4j server: a home (conf, data, logs, run) running the jars of a ``lib`` folder.

The generated ``neo4j.conf`` keeps the server on loopback with auth on, and LOAD CSV confined:
file URLs are off and confined to ``<home>/import``, outbound URLs blocked, unless the
:class:`LoadPolicy` opts in (docs/security.md).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import neo4j
from filelock import FileLock

from customsnet.graph.errors import PortInUseError, ServerError
from customsnet.graph.runtime.jars import COMPLETE_MARKER
from customsnet.graph.runtime.java import find_java, java_env
from customsnet.graph.runtime.processes import (
    cmdline,
    parent_death_signal,
    port_is_free,
    process_alive,
    tail,
    wait_exit,
)
from customsnet.graph.runtime.progress import Report, log, log_report

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_ENTRY_POINT = "org.neo4j.server.startup.Neo4jAdminCommand"
# every IPv4 and IPv6 address: LOAD CSV FROM 'http://...' may fetch from nowhere
BLOCK_ALL_ADDRESSES = "0.0.0.0/0,::/0"

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


@dataclass(frozen=True)
class LoadPolicy:
    """What ``LOAD CSV`` may read on the server; both off unless the user opts in.

    ``files``: ``file:///`` URLs, always confined to the server's import directory.
    ``urls``: ``http(s)://`` and other URLs (otherwise every address is on the block list).
    """

    files: bool = False
    urls: bool = False

    def conf_lines(self, import_dir: Path) -> list[str]:
        """The ``neo4j.conf`` lines that enforce this policy."""
        lines = [
            # file:///x resolves to <import_dir>/x, never to / (even when file URLs are allowed)
            f"server.directories.import={import_dir}",
            f"dbms.security.allow_csv_import_from_file_urls={'true' if self.files else 'false'}",
        ]
        if not self.urls:
            # internal.* is the 5.26 name of the former unsupported.dbms.cypher_ip_blocklist;
            # checked by LOAD CSV (and APOC's loaders) after resolving the host
            lines.append(f"internal.dbms.cypher_ip_blocklist={BLOCK_ALL_ADDRESSES}")
        return lines


def argfile_quote(value: str) -> str:
    """``value`` as one double-quoted argument of a picocli ``@argfile`` (backslash escapes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


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
    load_policy: LoadPolicy = LoadPolicy()
    _children: dict = field(default_factory=dict, repr=False, compare=False)

    # -------------------------------------------------------------- paths and addresses
    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def import_dir(self) -> Path:
        """The only folder ``LOAD CSV FROM 'file:///...'`` can read (when file URLs are allowed at all)."""
        return self.home / "import"

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
        """Text of ``conf/neo4j.conf``: loopback only, auth on, no usage reporting, small memory, LOAD CSV confined."""
        lines = [
            "# written by customsnet (customsnet/graph/runtime/local.py); rewritten on every start",
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
            *self.load_policy.conf_lines(self.import_dir),
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
                out.write(f"-- {argfile_quote(password)}\n")
            done = subprocess.run(
                [java, "-cp", f"{self.lib}/*", ADMIN_ENTRY_POINT, "dbms", "set-initial-password", f"@{argfile}"],
                check=False,
                env=java_env(java, self.home),
                capture_output=True,
                text=True,
                timeout=180,
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
        if not process_alive(pid):
            return None
        command = cmdline(pid)
        # guard against a recycled pid belonging to some other program
        if command and f"--home-dir={self.home}" not in command:
            return None
        return pid

    def start(self, password: str, timeout: float = 120, report: Report = log_report) -> StartResult:
        """Start the server in the background and wait until HTTP and Bolt answer.

        Idempotent: a running server is left alone. Raises :class:`ServerError` when a port is
        taken, the JVM exits, or it is not ready within ``timeout`` seconds (then it is stopped).
        """
        self.home.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.home / ".server.lock"), timeout=timeout + 60):
            pid = self.pid()
            if pid is not None:
                return StartResult(pid, True, 0.0, False)
            for port, what, env in (
                (self.bolt_port, "Bolt", "CUSTOMSNET_BOLT_PORT"),
                (self.http_port, "HTTP", "CUSTOMSNET_HTTP_PORT"),
            ):
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
                java,
                f"-Xms{self.heap_initial}",
                f"-Xmx{self.heap_max}",
                *JVM_FLAGS,
                # Jetty unpacks the Browser into java.io.tmpdir; keep it in the home, not /tmp
                f"-Djava.io.tmpdir={self.home / 'tmp'}",
                "-cp",
                f"{self.home}/plugins/*:{self.conf_dir}/*:{self.lib}/*",
                ENTRY_POINT,
                f"--home-dir={self.home}",
                f"--config-dir={self.conf_dir}",
                "--console-mode",
            ]
            with open(self.console_log, "ab") as console:
                process = subprocess.Popen(
                    cmd,
                    cwd=self.home,
                    env=java_env(java, self.home),
                    stdin=subprocess.DEVNULL,
                    stdout=console,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    # prctl(PR_SET_PDEATHSIG) must run in the child, between fork and exec
                    preexec_fn=parent_death_signal() if self.die_with_parent else None,  # noqa: PLW1509
                )
            self._children[process.pid] = process  # keeps the Popen so it is reaped, not leaked
            self.pid_file.write_text(str(process.pid))
            try:
                self._wait_ready(process, password, timeout)
            except BaseException:
                self.stop()
                raise
            seconds = time.monotonic() - started
            report(
                f"Neo4j started in {seconds:.1f} s (pid {process.pid}, {'first start' if first_start else 'restart'})"
                f" at {self.bolt_uri}, Browser {self.browser_url}"
            )
            return StartResult(process.pid, False, seconds, first_start)

    def _wait_ready(self, process: subprocess.Popen, password: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        http_ok = False
        while time.monotonic() < deadline:
            if process.poll() is not None:
                last_lines = tail(self.console_log)
                if "Address already in use" in last_lines:
                    # another program bound the port between our check and the JVM's bind
                    raise PortInUseError(
                        f"Neo4j could not bind port {self.bolt_port} (Bolt) or {self.http_port} (HTTP) on "
                        "127.0.0.1: the address is already in use by another program (taken after the "
                        "free-port check); stop it or choose other ports with CUSTOMSNET_BOLT_PORT / "
                        f"CUSTOMSNET_HTTP_PORT. Last lines of {self.console_log}:\n{last_lines}"
                    )
                raise ServerError(
                    f"Neo4j exited with code {process.returncode} while starting; last lines of "
                    f"{self.console_log}:\n{last_lines}"
                )
            if not http_ok:
                http_ok = discovery(self.http_url) is not None
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
            f"last lines of {self.console_log}:\n{tail(self.console_log)}"
        )

    def stop(self, timeout: float = 60) -> bool:
        """SIGTERM the server and wait for it to exit (SIGKILL after ``timeout``). False if not running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        if not wait_exit(pid, timeout):
            log.warning("Neo4j (pid %s) ignored SIGTERM for %.0f s; killing it", pid, timeout)
            os.kill(pid, signal.SIGKILL)
            if not wait_exit(pid, 15):
                raise ServerError(f"Neo4j (pid {pid}) survived SIGKILL; check `ps -p {pid}`")
        self._children.pop(pid, None)
        self.pid_file.unlink(missing_ok=True)
        return True


def discovery(http_url: str) -> dict | None:
    """The HTTP discovery document (``neo4j_version``, ``bolt_direct`` ...), or None if nothing answers."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(http_url, headers={"Accept": "application/json"}), timeout=3
        ) as response:
            return json.loads(response.read().decode())
    except (urllib.error.URLError, OSError, ValueError):
        return None
