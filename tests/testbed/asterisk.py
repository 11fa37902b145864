"""A real Asterisk 22 for tests: per-run config, start on free ports, CLI, stop by PID.

The Asterisk comes from the Debian unstable root that `tests/testbed/provision` builds. It runs
without chroot, through that root's own dynamic loader (`ld-linux … --library-path …`), so a
process AGI it spawns (`AGI(<project>/.venv/bin/…)`) is an ordinary host process that can run
the project's virtualenv. Every `[directories]` entry points into the root (modules, binaries)
or into the run's own folder (config, data, logs), so several Asterisks can run side by side.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.testbed import ports, sounds

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
TEMPLATES = HERE / "templates"
DIALPLAN = PROJECT / "dialplans" / "pbx-bridge.conf"
PROVISION = HERE / "provision"
DEFAULT_ROOT = PROJECT / ".cache" / "testbed" / "root"
MULTIARCH = "x86_64-linux-gnu"
MODULES = f"usr/lib/{MULTIARCH}/asterisk/modules"


class TestbedUnavailableError(RuntimeError):
    """The testbed cannot be provisioned here (not root, no network, ...)."""

    __test__ = False  # not a pytest test class


class AsteriskError(RuntimeError):
    """Asterisk did not start, or a CLI command failed."""


@dataclass(frozen=True)
class Testbed:
    """The provisioned root and how to run its Asterisk on this host."""

    __test__ = False  # not a pytest test class
    root: Path

    @property
    def loader(self) -> Path:
        for candidate in ("usr/lib64/ld-linux-x86-64.so.2", "lib64/ld-linux-x86-64.so.2"):
            if (self.root / candidate).exists():
                return self.root / candidate
        raise TestbedUnavailableError(f"no dynamic loader in {self.root}")

    def asterisk(self, *args: str) -> list[str]:
        """Command line that runs the root's `asterisk` with the root's libraries."""
        library_path = f"{self.root}/usr/lib/{MULTIARCH}:{self.root}/lib/{MULTIARCH}"
        binary = self.root / "usr/sbin/asterisk"
        return [str(self.loader), "--library-path", library_path, str(binary), *args]

    def version(self) -> str:
        out = subprocess.run(
            self.asterisk("-V"), check=False, capture_output=True, text=True, timeout=30
        )
        return out.stdout.strip()


def provision(root: Path | None = None, timeout: float = 900) -> Testbed:
    """Run `tests/testbed/provision` (quick when the root exists) and return the testbed."""
    root = root or Path(os.environ.get("PBXB_TESTBED_ROOT", DEFAULT_ROOT))
    env = {**os.environ, "PBXB_TESTBED_ROOT": str(root)}
    try:
        done = subprocess.run(
            [str(PROVISION)], check=False, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise TestbedUnavailableError(f"provision took longer than {timeout:.0f}s") from exc
    if done.returncode != 0:
        raise TestbedUnavailableError(
            f"tests/testbed/provision exited {done.returncode}: {done.stderr.strip()[-2000:]}"
        )
    for tool in ("sipp", "sox"):
        if shutil.which(tool) is None:
            raise TestbedUnavailableError(f"{tool} is not installed")
    return Testbed(root)


@dataclass
class AsteriskSettings:
    """What a test run needs from its Asterisk beyond the shipped dialplan."""

    sounds_dir: Path  # holds de/<name>.wav (also the daemon's sounds_dir)
    agent_ports: Mapping[str, int]  # PJSIP endpoint name -> SIPp UAS port, all queue members
    switchboard_port: int  # SIPp UAS that answers closed-hours forwards
    globals: Mapping[str, str] = field(default_factory=dict)  # dialplan [globals]
    member_timeout: int = 3  # seconds an agent's phone rings before the next one is tried
    selftest_sound: str = "servicecenter"
    selftest_queue_timeout: int = 20
    extra_queues: tuple[str, ...] = ()  # queues without members (callers leave by timeout)
    # More phones (endpoint -> SIPp port) in the agents' context, members of no queue unless
    # listed in `member_queues` (queue -> its members), e.g. a transfer target, a REFER agent.
    phones: Mapping[str, int] = field(default_factory=dict)
    member_queues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # queues.conf lines added to a queue's section (queue -> lines), e.g. announcements.
    queue_settings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Config files written over the rendered ones (name -> text), e.g. shipped examples.
    overrides: Mapping[str, str] = field(default_factory=dict)


def _render(template: str, values: Mapping[str, object]) -> str:
    text = (TEMPLATES / template).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    if "@" in text.replace("@127", ""):  # a placeholder left over is a harness bug
        leftover = [line for line in text.splitlines() if "@" in line and "@127" not in line]
        raise AsteriskError(f"unrendered placeholder in {template}: {leftover}")
    return text


class Asterisk:
    """One Asterisk process with its own folder and ports."""

    ami_user = "testbed"
    ami_secret = "testbed-secret"

    def __init__(self, testbed: Testbed, run_dir: Path, settings: AsteriskSettings) -> None:
        self.testbed = testbed
        self.run_dir = run_dir
        self.settings = settings
        self.sip_port = ports.free_port()
        self.ami_port = ports.free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.console_log = run_dir / "console.log"
        self.full_log = run_dir / "log" / "full"
        self.queue_log = run_dir / "log" / "queue_log"

    @property
    def conf(self) -> Path:
        return self.run_dir / "etc" / "asterisk.conf"

    def log_files(self) -> list[tuple[str, Path]]:
        """(title, path) of the logs a failing test prints."""
        return [
            (f"Asterisk full log ({self.full_log})", self.full_log),
            (f"Asterisk console ({self.console_log})", self.console_log),
            (f"Asterisk queue_log ({self.queue_log})", self.queue_log),
        ]

    # ---- configuration ------------------------------------------------------------------

    def render(self) -> None:
        run, root = self.run_dir, self.testbed.root
        for sub in (
            "etc",
            "varlib/keys",
            "spool",
            "run",
            "log/cdr-custom",
            "log/cel-custom",
            "agi-bin",
            "data/sounds",
            "moh",
        ):
            (run / sub).mkdir(parents=True, exist_ok=True)
        self._link_data()
        values: dict[str, object] = {
            "RUN": run,
            "ROOT": root,
            "MODULES": MODULES,
            "SIP_PORT": self.sip_port,
            "AMI_PORT": self.ami_port,
            "AMI_USER": self.ami_user,
            "AMI_SECRET": self.ami_secret,
            "SWITCHBOARD_PORT": self.settings.switchboard_port,
            "MEMBER_TIMEOUT": self.settings.member_timeout,
            "DIALPLAN": DIALPLAN,
            "SELFTEST_SOUND": self.settings.selftest_sound,
            "SELFTEST_QUEUE_TIMEOUT": self.settings.selftest_queue_timeout,
            "AGENTS": "\n".join(
                _agent_section(n, p)
                for n, p in {**self.settings.agent_ports, **self.settings.phones}.items()
            ),
            "MEMBERS": "\n".join(
                [f"member => PJSIP/{n}" for n in self.settings.agent_ports]
                + list(self.settings.queue_settings.get("servicecenter", ()))
            ),
            "EXTRA_QUEUES": "\n".join(
                [
                    f"[{q}](servicecenter-settings)\n" + self._queue_lines(q)
                    for q in self.settings.extra_queues
                ]
                + [
                    f"[{q}](servicecenter-settings)\n"
                    + "".join(f"member => PJSIP/{m}\n" for m in members)
                    + self._queue_lines(q)
                    for q, members in self.settings.member_queues.items()
                ]
            ),
            "GLOBALS": "\n".join(f"{k} = {v}" for k, v in self.settings.globals.items()),
            "NOLOAD": "\n".join(f"noload = {m}" for m in self._noload()),
        }
        etc = run / "etc"
        for template in sorted(p.name for p in TEMPLATES.glob("*.conf")):
            (etc / template).write_text(_render(template, values))
        (etc / "musiconhold.conf").write_text(
            f"[default]\nmode = files\ndirectory = {run / 'moh'}\n"
        )
        sounds.make_tone(run / "moh" / "hold.wav", seconds=2.0, hertz=300)
        for name, text in self.settings.overrides.items():
            (etc / name).write_text(text)

    def _queue_lines(self, queue: str) -> str:
        return "".join(f"{line}\n" for line in self.settings.queue_settings.get(queue, ()))

    def _noload(self) -> list[str]:
        modules = sorted(p.name for p in (self.testbed.root / MODULES).glob("*.so"))
        listed = (TEMPLATES / "noload.txt").read_text().splitlines()
        patterns = [p for line in listed if not line.startswith("#") for p in line.split()]
        return [m for m in modules if any(fnmatch.fnmatch(m, pat) for pat in patterns)]

    def _link_data(self) -> None:
        """astdatadir: the root's data, plus sounds/de/pbx-bridge -> the run's prompts."""
        share = self.testbed.root / "usr/share/asterisk"
        data = self.run_dir / "data"
        for entry in share.iterdir():
            if entry.name != "sounds" and not (data / entry.name).exists():
                (data / entry.name).symlink_to(entry)
        english = share / "sounds" / "en_US_f_Allison"
        if english.is_dir() and not (data / "sounds" / "en").exists():
            (data / "sounds" / "en").symlink_to(english)
        de = data / "sounds" / sounds.LANGUAGE
        de.mkdir(parents=True, exist_ok=True)
        if not (de / "pbx-bridge").exists():
            (de / "pbx-bridge").symlink_to(self.settings.sounds_dir / sounds.LANGUAGE)

    # ---- process ------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> None:
        self.render()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LD_")}
        with self.console_log.open("ab") as console:
            self.process = subprocess.Popen(
                self.testbed.asterisk("-f", "-n", "-vvv", "-C", str(self.conf)),
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                cwd=self.run_dir,
                env=env,
                start_new_session=True,  # its own process group, AGI children included
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AsteriskError(
                    f"Asterisk exited with {self.process.returncode} while starting; "
                    f"see {self.console_log}"
                )
            if (self.run_dir / "run" / "asterisk.ctl").exists():
                done = self._rx(
                    "core waitfullybooted", timeout=max(1.0, deadline - time.monotonic())
                )
                if done.returncode == 0 and "fully booted" in done.stdout:
                    return
            time.sleep(0.1)
        self.stop()
        raise AsteriskError(f"Asterisk not fully booted within {timeout:.0f}s")

    def _rx(self, command: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.testbed.asterisk("-C", str(self.conf), "-rx", command),
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def cli(self, command: str, timeout: float = 20) -> str:
        """Run a CLI command on the running Asterisk and return its output."""
        done = self._rx(command, timeout)
        if done.returncode != 0:
            raise AsteriskError(f"`{command}` failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def stop(self, timeout: float = 10) -> None:
        """Stop Asterisk and every process of its group (AGI scripts included)."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout)
        _signal_group(process.pid, signal.SIGKILL)  # leftovers of the group, if any


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _agent_section(name: str, port: int) -> str:
    return (
        f"[{name}](testbed-endpoint)\ncontext = testbed-agents\naors = {name}\n\n"
        f"[{name}]\ntype = aor\ncontact = sip:{name}@127.0.0.1:{port}\n"
    )
