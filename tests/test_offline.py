"""Nothing leaves the machine (issue 11, item 0).

Quick tests: every way a process of ours starts ends up with usage reporting switched off before onnxruntime
can load. Slow tests: ``transcribe``, ``process``, the app (start and one page load) and a small batch run in a
teacher's environment (no lock-down variables, no CI markers) under every observer that works here
(:mod:`netwatch`: ``strace -f -e trace=connect``, which needs ptrace, and an LD_PRELOAD shim, which does not),
and fail on any connect() outside 127.0.0.0/8 and ::1, any DNS query, or a lookup of another machine's name.
A control runs faster-whisper's VAD without the lock-down and shows every observer does catch onnxruntime
calling out; each run also proves its observers watched (a beacon connect made before the command starts).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
import warnings
from pathlib import Path

import pytest

import netwatch
from conftest import EVAL, ROOT, ffmpeg
from netwatch import outside_connects, teacher_env
from transkript_kernel import cli, offline

M4A = EVAL / "audio" / "pub01-lezen-groep5.m4a"


# --- quick: who sets the environment ------------------------------------------------------------------------
def test_the_table_switches_off_onnxruntime_and_huggingface():
    off = offline.TELEMETRY_OFF
    assert off["ORT_DISABLE_TELEMETRY"] == "1" and off["DO_NOT_TRACK"] == "1"
    assert off["HF_HUB_OFFLINE"] == "1" and off["HF_HUB_DISABLE_TELEMETRY"] == "1"
    assert off["TRANSFORMERS_OFFLINE"] == "1"


def test_lock_down_sets_every_variable_and_overrides_a_shell_that_says_otherwise():
    env = {"ORT_DISABLE_TELEMETRY": "0", "HF_HUB_OFFLINE": "0", "PATH": "/bin"}
    assert not offline.is_locked_down(env)
    out = offline.lock_down_environment(env)
    assert out is env and offline.is_locked_down(env) and env["PATH"] == "/bin"
    assert env["ORT_DISABLE_TELEMETRY"] == "1" and env["HF_HUB_OFFLINE"] == "1"


def test_importing_the_engine_locks_the_environment_down_before_onnxruntime():
    """A kernel or notebook that imports the engine is covered even when we did not start it."""
    code = ("import os, sys, transkript_kernel\n"
            "from transkript_kernel import offline\n"
            "assert 'onnxruntime' not in sys.modules\n"
            "print(offline.is_locked_down(), os.environ['ORT_DISABLE_TELEMETRY'])\n")
    env = teacher_env(ORT_DISABLE_TELEMETRY="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "1"]


def test_the_cli_entry_locks_down_first(monkeypatch, capsys):
    for name in offline.TELEMETRY_OFF:
        monkeypatch.delenv(name, raising=False)
    assert not offline.is_locked_down()
    cli.main([])  # prints help, exits 2 — but the environment is set before anything else
    capsys.readouterr()
    assert offline.is_locked_down()


def test_voila_and_its_kernels_get_the_locked_down_environment(monkeypatch):
    from transkript_kernel.commands import app

    for name in offline.TELEMETRY_OFF:
        monkeypatch.delenv(name, raising=False)
    assert offline.is_locked_down(app.voila_env("t" * 43))


def test_batch_workers_lock_down_even_when_started_from_a_clean_environment(monkeypatch):
    """``batch._init_worker`` runs in each spawned worker; papermill's kernels inherit the worker's env."""
    from transkript_kernel import batch

    for name in offline.TELEMETRY_OFF:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    batch._init_worker(1)
    assert offline.is_locked_down()


# --- the observers ----------------------------------------------------------------------------------------------
def test_the_parser_sees_outside_addresses_dns_and_lookups_and_ignores_local_ones():
    log = "\n".join([
        '7425  connect(8, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
        '7425  connect(8, {sa_family=AF_INET, sin_port=htons(8866), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '12 connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH',
        '12 connect(3, {sa_family=AF_INET6, sin6_port=htons(1), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '12 connect(3, {sa_family=AF_INET6, sin6_port=htons(1), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '12 connect(4, {sa_family=AF_UNIX, sun_path="/run/x.sock"}, 110) = 0',
        '12 connect(4, {sa_family=AF_UNSPEC, sa_data="\\0\\0"}, 16) = 0',
        '13 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.11")}, 16)',  # a resolver
        '13 sendto(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("192.0.2.7")}, 16)',
        '13 getaddrinfo("mobile.events.data.microsoft.com")',
        '13 getaddrinfo("localhost")',
        '13 getaddrinfo("127.0.0.1")',
    ])
    bad = outside_connects(log)
    assert len(bad) == 5, bad
    assert ["10.255.255.53" in bad[0], "2603:1030::1" in bad[1], "127.0.0.11" in bad[2], "192.0.2.7" in bad[3],
            "microsoft" in bad[4]] == [True] * 5


def test_a_teachers_shell_has_no_lock_down_and_no_ci_marker(monkeypatch):
    """onnxruntime stays quiet when it sees CI=true (as `.ci/run` is started): the teacher's shell has none."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    offline.lock_down_environment()
    env = teacher_env(EXTRA="1")
    assert not any(k in env for k in (*offline.TELEMETRY_OFF, *netwatch.CI_MARKERS)) and env["EXTRA"] == "1"
    assert env["PATH"] == os.environ["PATH"]


@pytest.fixture(scope="session")
def observers(tmp_path_factory) -> list[netwatch.Observer]:
    """Every observer that works on this machine (each one proved on a beacon); skips only when none does."""
    found, why = netwatch.observers(tmp_path_factory.mktemp("netwatch"))
    if not found:
        pytest.skip("nothing can watch connect() on this machine: " + "; ".join(why.values()))
    for reason in why.values():  # one observer is enough, but say why the other one is missing
        warnings.warn(f"netwatch: {reason}", stacklevel=1)
    return found


def test_the_observers_see_an_outside_connect_of_a_child_process(tmp_path, observers):
    """A child process's connect() to a documentation address (TEST-NET-1; a UDP connect sends nothing) shows in
    every observer's log; the same run to loopback shows nothing outside."""
    child = ("import socket, sys\n"
             "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect_ex((sys.argv[1], 9))\n")
    parent = ("import subprocess, sys\n"
              "subprocess.run([sys.executable, '-c', sys.argv[1], sys.argv[2]], check=True)\n")
    for address, outside in (("192.0.2.1", True), ("127.0.0.1", False)):
        watched = netwatch.run(observers, [sys.executable, "-c", parent, child, address], tmp_path / address,
                               env=teacher_env(), timeout=120)
        assert watched.done.returncode == 0, watched.done.stderr
        assert watched.missing_beacon() == []
        seen = watched.outside()
        assert (set(seen) == {o.kind for o in observers}) if outside else seen == {}, seen


def assert_stayed_home(watched: netwatch.Watched) -> None:
    assert watched.missing_beacon() == [], f"these observers did not watch the run: {watched.missing_beacon()}"
    bad = watched.outside()
    assert bad == {}, "outside this machine:\n" + "\n".join(f"{k}: {line}" for k, v in bad.items() for line in v[:10])


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """40 seconds of a public Dutch recording: long enough for onnxruntime's upload thread to wake up."""
    path = tmp_path_factory.mktemp("offline") / "gesprek.m4a"
    ffmpeg("-i", M4A, "-t", "40", "-c:a", "aac", path)
    return path


# the VAD alone, then wait until every observer's log shows the call-out (or give up after two minutes);
# netwatch does not import the engine, whose import would lock this process down
CONTROL_PROBE = """\
import sys, time
import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps
import netwatch

get_speech_timestamps(np.zeros(48000, dtype=np.float32), VadOptions())
deadline = time.monotonic() + 120
def seen(path):
    try:
        return netwatch.outside_connects(open(path, errors="replace").read())
    except OSError:
        return []
while time.monotonic() < deadline and not all(seen(p) for p in sys.argv[1:]):
    time.sleep(0.5)
"""


@pytest.mark.slow
def test_control_every_observer_catches_onnxruntime_without_the_lock_down(tmp_path, observers):
    """faster-whisper's VAD on its own, in a teacher's shell: onnxruntime looks up its telemetry host about ten
    seconds after it starts. If an observer stops seeing that, the tests below prove nothing."""
    watch = netwatch.Watch(observers, tmp_path / "control")
    watched = watch.run([sys.executable, "-c", CONTROL_PROBE, *map(str, watch.logs.values())],
                        env=teacher_env(PYTHONPATH=str(Path(__file__).parent)), timeout=300)
    assert watched.done.returncode == 0, watched.done.stderr
    assert watched.missing_beacon() == []
    seen = watched.outside()
    assert set(seen) == {o.kind for o in observers}, \
        f"onnxruntime did not call out without the lock-down, or an observer missed it: {seen}"
    assert all("htons(53)" in "".join(lines) or "microsoft" in "".join(lines) for lines in seen.values()), seen


@pytest.mark.slow
def test_transcribe_stays_on_this_machine(tmp_path, clip, observers):
    watched = netwatch.run(observers, [sys.executable, "-m", "transkript_kernel", "transcribe", str(clip), "--format",
                                       "txt", "-o", str(tmp_path / "out.txt")], tmp_path / "transcribe",
                           env=teacher_env(), timeout=1200)
    assert watched.done.returncode == 0, watched.done.stderr
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").strip()
    assert_stayed_home(watched)


@pytest.mark.slow
def test_process_stays_on_this_machine(tmp_path, clip, isolated_data, observers):
    from casefile_helpers import new_conversation, open_archive

    archive = open_archive()
    conv = new_conversation(archive, pupil="Daan Testkind", language="nl")
    archive.import_recording(conv.id, clip)
    archive.close()
    watched = netwatch.run(observers, [sys.executable, "-m", "transkript_kernel", "process", conv.id, "--speakers",
                                       "auto"], tmp_path / "process",
                           env=teacher_env(TRANSKRIPT_DATA=str(isolated_data)), timeout=1800)
    assert watched.done.returncode == 0, watched.done.stderr
    from transkript_kernel.casefile.archive import Archive

    with Archive(isolated_data) as archive:
        assert archive.transcript(conv.id) is not None and archive.summary(conv.id) is not None
    assert_stayed_home(watched)


@pytest.mark.slow
def test_the_app_stays_on_this_machine(tmp_path, observers):
    """Voila and the kernel it starts for one page load (Voila runs the notebook when the page is asked for)."""
    from app_server import AppServer

    watch = netwatch.Watch(observers, tmp_path / "app")
    teacher = teacher_env()
    saved = dict(os.environ)
    os.environ.clear()  # AppServer starts from this process's environment: a teacher's, for the moment
    os.environ.update(watch.env(teacher))
    try:
        app = AppServer(tmp_path / "data", timeout=180, prefix=watch.prefix())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        with urllib.request.urlopen(app.url, timeout=300) as resp:
            page = resp.read().decode("utf-8", "replace")
        assert resp.status == 200 and "kernelId" in page and "tk-app" in page
    finally:
        app.stop()
    assert_stayed_home(watch.result(None))


@pytest.mark.slow
def test_a_small_batch_stays_on_this_machine(tmp_path, clip, observers):
    src = tmp_path / "avond"
    src.mkdir()
    shutil.copy(clip, src / "gesprek.m4a")
    manifest = tmp_path / "manifest.csv"
    from test_batch import MANIFEST_HEADER

    manifest.write_text(MANIFEST_HEADER + "gesprek.m4a,Daan Testkind,5a,oudergesprek,2026-03-12,nl,given,8-12\n",
                        encoding="utf-8")
    watched = netwatch.run(observers, [sys.executable, "-m", "transkript_kernel", "batch", str(src), "--out",
                                       str(tmp_path / "uit"), "--manifest", str(manifest), "--workers", "1"],
                           tmp_path / "batch", env=teacher_env(TRANSKRIPT_DATA=str(tmp_path / "data")), cwd=ROOT,
                           timeout=2400)
    assert watched.done.returncode == 0, watched.done.stdout + watched.done.stderr
    assert (tmp_path / "uit" / "gesprek.pdf").is_file()
    assert_stayed_home(watched)
