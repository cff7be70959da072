"""A backup streams: writing and reading back 16 MiB or 320 MiB of members costs the same
memory (peak resident size of a process doing only that, measured by the kernel)."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import io, json, os, resource, sys
from sealbox.backup import archive
from sealbox.crypto import Identity

class Noise:
    # Bytes made as they are read: the data never sits in memory whole.
    def __init__(self, size):
        self.left = size
        self.block = os.urandom(1 << 16)
    def read(self, n=-1):
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return (self.block * (n // len(self.block) + 1))[:n]
    def __enter__(self): return self
    def __exit__(self, *a): pass

size = int(sys.argv[1]) << 20
path = sys.argv[2]
key = Identity.generate()
members = (archive.Member(f"blobs/{n:032x}", size // 4, lambda: Noise(size // 4)) for n in range(4))
last = lambda digests: archive.Member("checksums.json", 2, lambda: io.BytesIO(b"{}"))
with open(path, "wb") as sink:
    archive.write(sink, (key.recipient,), members, last)
written = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
total = 0
with open(path, "rb") as source:
    for name, reader in archive.read(source, key):
        while chunk := reader.read(1 << 20):
            total += len(chunk)
os.unlink(path)
print(json.dumps({"bytes": total, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "peak_after_write_kib": written}))
"""


def _peak(size_mib: int, tmp_path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(size_mib), str(tmp_path / f"b{size_mib}.age")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_memory_does_not_grow_with_the_data(tmp_path):
    small, large = _peak(16, tmp_path), _peak(320, tmp_path)
    assert large["bytes"] == (320 << 20) + 2
    grown_kib = large["peak_kib"] - small["peak_kib"]
    assert grown_kib < 24 << 10, f"peak grew by {grown_kib} KiB for 20 times the data"
