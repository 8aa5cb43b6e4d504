"""Watch every connect() a command and all its children make (issue 11, item 0; not a test file itself).

Two observers, used together when both work, because CI may run in a container that denies ptrace:

* ``strace -f -e trace=connect`` (Debian's strace): sees every connect() system call of every process,
  including the DNS queries glibc makes inside ``getaddrinfo``. Needs ptrace.
* an ``LD_PRELOAD`` shim compiled with gcc at test time: logs every connect() and sendto() with an address, and
  every ``getaddrinfo``/``gethostbyname`` name, of every dynamically linked process that inherits the
  environment (Voila's and papermill's kernels, the batch's workers, ffmpeg). Needs no ptrace. glibc's own DNS
  queries happen behind an internal connect the shim cannot see, so a name lookup of anything but this machine
  counts as going outside in its log.

Each run starts with a *beacon*: a connect() to 127.0.0.1 on a port chosen for that run, made by the first
process before it executes the command. An observer whose log lacks the beacon did not watch: the test fails
instead of reading an empty log as "stayed home". :func:`observers` finds out once which observers work here
and skips (with both reasons) only when neither does.

Why :func:`teacher_env` drops CI variables: onnxruntime keeps its telemetry quiet when it sees a CI marker
(``CI``, ``GITHUB_ACTIONS``, ``TF_BUILD``, ``JENKINS_URL``...), so a suite run as ``CI=true bash .ci/run``
would otherwise prove nothing — the control would see no call-out, and a missing lock-down would pass.
"""
from __future__ import annotations

import ipaddress
import os
import random
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

STRACE = shutil.which("strace") or "/usr/bin/strace"
GCC = shutil.which("gcc") or shutil.which("cc")
ENV_LOG = "TK_NETWATCH_LOG"
# what continuous-integration services set; onnxruntime (and other SDKs) stay quiet when one is present
CI_MARKERS = ("CI", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "JENKINS_URL",
              "BUILD_ID", "BUILD_NUMBER", "TEAMCITY_VERSION", "TRAVIS", "CIRCLECI", "BUILDKITE", "APPVEYOR",
              "CODEBUILD_BUILD_ID", "BITBUCKET_BUILD_NUMBER", "DRONE", "RUN_ID")

SHIM_C = r"""
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* one write() per line with O_APPEND: lines of threads and processes never interleave */
static void note(const char *line) {
    const char *path = getenv("TK_NETWATCH_LOG");
    int saved = errno, fd;
    if (path && (fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
        ssize_t ignored = write(fd, line, strlen(line));
        (void)ignored;
        close(fd);
    }
    errno = saved;
}

static void clean(char *out, size_t n, const char *in) {
    size_t i = 0;
    for (; in && *in && i + 1 < n; in++)
        out[i++] = (*in == '"' || *in == '\\' || (unsigned char)*in < 32) ? '?' : *in;
    out[i] = 0;
}

/* the address as strace prints it, so one parser reads both logs */
static void address(const char *call, int fd, const struct sockaddr *sa, socklen_t len) {
    char line[400], addr[INET6_ADDRSTRLEN] = "", path[120];
    int pid = getpid();
    if (sa == NULL) return;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
        snprintf(line, sizeof line,
                 "%d %s(%d, {sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"%s\")}, %u)\n",
                 pid, call, fd, ntohs(in->sin_port), addr, (unsigned)len);
    } else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
        snprintf(line, sizeof line, "%d %s(%d, {sa_family=AF_INET6, sin6_port=htons(%u), "
                 "inet_pton(AF_INET6, \"%s\", &sin6_addr)}, %u)\n",
                 pid, call, fd, ntohs(in6->sin6_port), addr, (unsigned)len);
    } else if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const void *)sa;
        clean(path, sizeof path, un->sun_path[0] ? un->sun_path : un->sun_path + 1);
        snprintf(line, sizeof line, "%d %s(%d, {sa_family=AF_UNIX, sun_path=\"%s\"}, %u)\n",
                 pid, call, fd, path, (unsigned)len);
    } else {
        snprintf(line, sizeof line, "%d %s(%d, {sa_family=%d}, %u)\n", pid, call, fd, sa->sa_family, (unsigned)len);
    }
    note(line);
}

static void lookup(const char *call, const char *name) {
    char line[400], host[300];
    clean(host, sizeof host, name ? name : "");
    snprintf(line, sizeof line, "%d %s(\"%s\")\n", getpid(), call, host);
    note(line);
}

#define REAL(name) static __typeof__(name) *real_##name; if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name)

int connect(int fd, const struct sockaddr *sa, socklen_t len) {
    REAL(connect);
    address("connect", fd, sa, len);
    return real_connect(fd, sa, len);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len) {
    REAL(sendto);
    address("sendto", fd, sa, len);
    return real_sendto(fd, buf, n, flags, sa, len);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    REAL(getaddrinfo);
    if (node) lookup("getaddrinfo", node);
    return real_getaddrinfo(node, service, hints, res);
}

struct hostent *gethostbyname(const char *name) {
    REAL(gethostbyname);
    lookup("gethostbyname", name);
    return real_gethostbyname(name);
}
"""

# connect() or sendto() to an IPv4/IPv6 address, as strace (and the shim) print it
_ADDRESS = re.compile(r"(?:connect|sendto)\(\d+, \{sa_family=(AF_INET6?)[^}]*?"
                      r"(?:inet_addr\(\"([^\"]+)\"\)|inet_pton\(AF_INET6, \"([^\"]+)\")")
_LOOKUP = re.compile(r"(?:getaddrinfo|gethostbyname)\(\"([^\"]*)\"\)")
# the beacon: the wrapper's connect to 127.0.0.1:PORT, made before it executes the command
_BEACON = ("import os, socket, sys\n"
           "s = socket.socket(); s.connect_ex(('127.0.0.1', int(sys.argv[1]))); s.close()\n"
           "os.execv(sys.argv[2], sys.argv[2:])\n")


def _is_local_name(name: str) -> bool:
    """A name whose lookup never asks anyone outside: loopback, this machine's own name, a numeric loopback."""
    name = name.strip().lower().rstrip(".")
    if name in ("", "localhost", "ip6-localhost", "ip6-loopback") or name.endswith(".localhost"):
        return True
    if name == socket.gethostname().lower():
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def outside_connects(trace: str) -> list[str]:
    """Every line of a log that reaches outside this machine: a connect()/sendto() to an IPv4/IPv6 address that
    is not loopback (AF_UNIX, AF_UNSPEC and AF_NETLINK are local), a DNS query (port 53) to any address — a
    resolver on 127.0.0.x (Docker's, systemd-resolved's) asks the network in turn — or a name lookup of another
    machine."""
    bad = []
    for line in trace.splitlines():
        if (m := _ADDRESS.search(line)) is not None:
            addr = ipaddress.ip_address(m.group(2) or m.group(3))
            if getattr(addr, "ipv4_mapped", None):
                addr = addr.ipv4_mapped
            if not addr.is_loopback or "htons(53)" in line:
                bad.append(line.strip())
        elif (m := _LOOKUP.search(line)) is not None and not _is_local_name(m.group(1)):
            bad.append(line.strip())
    return bad


def teacher_env(**extra: str) -> dict[str, str]:
    """This environment as a teacher's shell has it: without the lock-down variables and without CI markers."""
    from transkript_kernel import offline  # here, not at the top: the control's probe imports this module

    env = {k: v for k, v in os.environ.items() if k not in offline.TELEMETRY_OFF and k not in CI_MARKERS}
    env.pop(ENV_LOG, None)
    env.pop("LD_PRELOAD", None)
    env.update(extra)
    return env


@dataclass
class Observer:
    """One way of watching: ``strace`` or ``preload`` (the shim at ``shim``)."""

    kind: str
    shim: Path | None = None


@dataclass
class Watched:
    """A finished run: the command's result and each observer's log."""

    done: subprocess.CompletedProcess | None
    logs: dict[str, Path] = field(default_factory=dict)
    port: int = 0

    def text(self, kind: str) -> str:
        path = self.logs[kind]
        return path.read_text(errors="replace") if path.exists() else ""

    def missing_beacon(self) -> list[str]:
        """The observers whose log lacks this run's beacon: they did not watch."""
        mark = f"htons({self.port}), sin_addr=inet_addr(\"127.0.0.1\")"
        return [kind for kind in self.logs if mark not in self.text(kind)]

    def outside(self) -> dict[str, list[str]]:
        return {kind: bad for kind in self.logs if (bad := outside_connects(self.text(kind)))}


class Watch:
    """Prefix and environment that run a command under every observer in ``observers``, logging into ``base``."""

    def __init__(self, observers: list[Observer], base: Path):
        self.observers = observers
        self.port = random.randint(20000, 60000)
        self.logs = {o.kind: Path(f"{base}.{o.kind}.log") for o in observers}
        for log in self.logs.values():
            log.unlink(missing_ok=True)

    def prefix(self) -> list[str]:
        """Put in front of the command (which must start with an absolute executable path)."""
        out = []
        if "strace" in self.logs:
            out += [STRACE, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "-o", str(self.logs["strace"])]
        return [*out, sys.executable, "-c", _BEACON, str(self.port)]

    def env(self, env: dict[str, str]) -> dict[str, str]:
        env = dict(env)
        for o in self.observers:
            if o.kind == "preload":
                env["LD_PRELOAD"] = str(o.shim)
                env[ENV_LOG] = str(self.logs["preload"])
        return env

    def result(self, done: subprocess.CompletedProcess | None) -> Watched:
        return Watched(done, dict(self.logs), self.port)

    def run(self, cmd: list[str], *, env: dict[str, str], timeout: float, cwd=None) -> Watched:
        done = subprocess.run([*self.prefix(), *cmd], env=self.env(env), cwd=cwd, capture_output=True, text=True,
                              timeout=timeout)
        return self.result(done)


def run(observers: list[Observer], cmd: list[str], base: Path, *, env: dict[str, str], timeout: float,
        cwd=None) -> Watched:
    """Run ``cmd`` watched by every observer; ``base`` names the logs (``base.strace.log``, ``base.preload.log``)."""
    return Watch(observers, base).run(cmd, env=env, timeout=timeout, cwd=cwd)


def _try(observer: Observer, where: Path) -> str | None:
    """None when ``observer`` sees the beacon of ``/bin/true`` here, else why not."""
    try:
        watched = run([observer], ["/bin/true"], where / f"probe-{observer.kind}", env=teacher_env(), timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if watched.done.returncode != 0 or watched.missing_beacon():
        return f"exit {watched.done.returncode}, saw no beacon: {watched.done.stderr.strip()[-300:]}"
    return None


def build_shim(where: Path) -> Path:
    src, lib = where / "netwatch.c", where / "netwatch.so"
    src.write_text(SHIM_C, encoding="utf-8")
    subprocess.run([GCC, "-shared", "-fPIC", "-O2", "-Wall", "-o", str(lib), str(src), "-ldl"], check=True,
                   capture_output=True, text=True, timeout=120)
    return lib


def observers(where: Path) -> tuple[list[Observer], dict[str, str]]:
    """The observers that work on this machine (the shim and the probes' logs go into ``where``), and why each
    other one does not."""
    found, why = [], {}
    if not Path(STRACE).exists():
        why["strace"] = "Debian's strace is missing (make setup installs it)"
    elif (reason := _try(Observer("strace"), where)) is None:
        found.append(Observer("strace"))
    else:
        why["strace"] = f"strace cannot trace here (ptrace denied?): {reason}"
    if GCC is None:
        why["preload"] = "no C compiler (gcc) for the LD_PRELOAD shim"
    else:
        try:
            shim = build_shim(where)
        except subprocess.CalledProcessError as exc:
            why["preload"] = f"the shim did not compile: {exc.stderr.strip()[-300:]}"
        else:
            if (reason := _try(Observer("preload", shim), where)) is None:
                found.append(Observer("preload", shim))
            else:
                why["preload"] = f"the LD_PRELOAD shim saw nothing: {reason}"
    return found, why
