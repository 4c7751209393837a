#!/usr/bin/env python3
"""Synced write bandwidth of a directory's file system, the bound on durable ingest.

Writes WRITERS files in parallel, each in CHUNK-byte writes followed by fdatasync, for SECONDS, the way the
write-ahead log (group commit) and the file destination (an fsync per object) write; prints MB/s in all.
Usage: disk_sync_probe.py DIR [SECONDS] [WRITERS] [CHUNK_MIB]
"""
import os
import sys
import threading
import time

directory = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
writers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
chunk = (int(sys.argv[4]) if len(sys.argv) > 4 else 4) << 20
block = os.urandom(chunk)  # incompressible, as record data may be
written = [0] * writers


def write(index):
    path = os.path.join(directory, f"disk-probe-{os.getpid()}-{index}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            os.write(fd, block)
            os.fdatasync(fd)
            written[index] += chunk
    finally:
        os.close(fd)
        os.unlink(path)


start = time.monotonic()
threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.monotonic() - start
print(f"RESULT mb_per_s={sum(written) / elapsed / 1e6:.1f} writers={writers} chunk_mib={chunk >> 20} seconds={elapsed:.1f}")
