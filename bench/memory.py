"""What a benchmark's process holds: its peak resident memory."""

from __future__ import annotations

import resource


def peak_mb() -> float:
    """This process's peak resident memory: the high-water mark of its own memory map.

    Not ``getrusage``'s ``ru_maxrss`` where ``/proc`` says more: Linux keeps that across
    ``execve``, so a process started (fork, then exec) by one holding much memory — a Dask
    worker by the process holding the city, a benchmark's child by the benchmark — would report
    that memory as its own peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
