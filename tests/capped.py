"""Memory and CPU caps for tests of hostile input, so that a regression fails instead of eating the machine.

`run_capped(function)` runs a piece of a test in a forked child whose address space and CPU time
are capped (RLIMIT_AS, RLIMIT_CPU): if a change makes the portal build a 10 GB grid or spend
minutes converting one number again, the child dies and the test fails. The child is a fork, so it
sees the test's database as the test left it: on SQLite a copy of the in-memory database, on
PostgreSQL the same session, which the parent leaves alone until the child is done. Use it for
refusals, which write nothing. The `capped_memory` fixture caps the test process itself.
"""
from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Sized
from dataclasses import dataclass

import pytest

# What a refusal may cost on top of what the test process already uses.
MEMORY_HEADROOM = 768 * 1024 * 1024
CPU_SECONDS = 20
# A child that outlives its CPU time by this much is stuck (a native library that ran out of memory
# can hang in its own error handler) and is killed.
GRACE_SECONDS = 30


@dataclass
class Capped:
    value: object  # what the function returned, or the exception it raised
    memory_growth: int  # bytes: peak resident set in the child minus its size at the fork
    seconds: float  # CPU time the child spent

    @property
    def raised(self) -> bool:
        return isinstance(self.value, BaseException)

    def __repr__(self) -> str:
        # Assertion messages show this: never the whole of a result that may hold gigabytes of text.
        if self.raised:
            shown = f"{type(self.value).__name__}: {str(self.value)[:300]}"
        else:
            shown = type(self.value).__name__ + (f" of {len(self.value)}" if isinstance(self.value, Sized) else "")
        return f"Capped({shown}, {self.memory_growth // 1024 // 1024} MB more, {self.seconds:.1f} s of CPU)"


def _status_kilobytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def run_capped(function, *, memory_headroom: int = MEMORY_HEADROOM, cpu_seconds: int = CPU_SECONDS) -> Capped:
    """function() in a child capped at the current address space plus `memory_headroom` and at
    `cpu_seconds` of CPU; fails the test when the child is killed, stuck or out of memory."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: reports through the pipe and never returns
        os.close(read_end)
        os.environ["RUST_BACKTRACE"] = "0"  # a native panic out of memory should not allocate a backtrace
        try:
            limit = _status_kilobytes("VmSize") * 1024 + memory_headroom
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
            started = _status_kilobytes("VmRSS")
            try:
                value = function()
            except Exception as exc:  # noqa: BLE001 - handed to the parent, which asserts on it
                value = exc
            usage = resource.getrusage(resource.RUSAGE_SELF)
            outcome = Capped(value, (_status_kilobytes("VmHWM") - started) * 1024, usage.ru_utime + usage.ru_stime)
            try:
                payload = pickle.dumps(outcome)
            except Exception as exc:  # noqa: BLE001 - an unpicklable result
                payload = pickle.dumps(Capped(RuntimeError(repr(exc)), outcome.memory_growth, outcome.seconds))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except MemoryError:
            os._exit(3)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + cpu_seconds + GRACE_SECONDS
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while (left := deadline - time.monotonic()) > 0:
            if select.select([pipe], [], [], left)[0]:
                if not (chunk := pipe.read(1024 * 1024)):
                    break
                chunks.append(chunk)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"the capped child was stuck after {cpu_seconds + GRACE_SECONDS} s and was killed")
    payload = b"".join(chunks)
    _pid, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        signal_name = signal.Signals(os.WTERMSIG(status)).name
        pytest.fail(f"the capped child was killed by {signal_name} (over {cpu_seconds} s of CPU or out of memory)")
    if not payload:
        pytest.fail(f"the capped child ran out of memory (exit status {os.WEXITSTATUS(status)})")
    outcome = pickle.loads(payload)
    if isinstance(outcome.value, MemoryError):
        pytest.fail("the capped child ran out of memory")
    return outcome



@pytest.fixture
def capped_memory():
    """The test process's own address space capped at its size now plus 2 GB, for the test's duration."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _status_kilobytes("VmSize") * 1024 + 2 * 1024 * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
