#!/usr/bin/env python3
"""Synced write bandwidth of a directory's file system, the bound on durable ingest.

Writes WRITERS files in parallel, each in CHUNK-byte writes followed by fdatasync, for SECONDS, the way the
write-ahead log (group commit) and the file destination (an fsync per object) write; prints MB/s in all. The
writes go past the page cache (O_DIRECT from page-aligned memory), as the server's do, unless DIRECT is 0 or the
file system refuses them.
Usage: disk_sync_probe.py DIR [SECONDS] [WRITERS] [CHUNK_MIB] [DIRECT]
"""
import mmap
import os
import sys
import threading
import time

directory = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
writers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
chunk = (int(sys.argv[4]) if len(sys.argv) > 4 else 4) << 20
direct = (int(sys.argv[5]) if len(sys.argv) > 5 else 1) != 0 and hasattr(os, "O_DIRECT")
block = mmap.mmap(-1, chunk)  # page-aligned, as direct writes need
block.write(os.urandom(chunk))  # incompressible, as record data may be
written = [0] * writers
used_direct = [False] * writers


def write(index):
    path = os.path.join(directory, f"disk-probe-{os.getpid()}-{index}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags | (os.O_DIRECT if direct else 0), 0o600)
    used_direct[index] = direct
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                os.write(fd, block)
            except OSError:
                if not used_direct[index]:
                    raise
                # The file system refuses direct writes (tmpfs): write through the page cache instead.
                os.close(fd)
                fd = os.open(path, flags, 0o600)
                used_direct[index] = False
                continue
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
print(f"RESULT mb_per_s={sum(written) / elapsed / 1e6:.1f} writers={writers} chunk_mib={chunk >> 20} "
      f"direct={int(all(used_direct))} seconds={elapsed:.1f}")
