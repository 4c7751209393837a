#ifndef HYDRANT_MAPPED_FILE_H
#define HYDRANT_MAPPED_FILE_H
#include <stddef.h>
#include <stdio.h>

/// Opens a capture file for libpcap as a stdio stream read through a memory mapping (glibc's "m" mode): libpcap's
/// freads then copy once, straight from the page cache, with no read(2) calls, no kernel copy and no stream lock
/// (one thread reads a capture). Elsewhere, or when glibc cannot map the file, it is an ordinary stream.
/// Returns NULL with errno set when the file cannot be opened.
FILE *hydrant_open_capture(const char *path);

/// Gives the pages a mapped stream has already read back to the kernel (they stay in the page cache), so that
/// resident memory stays small whatever the file's size. `released` carries the progress between calls (start
/// at 0). Does nothing for a stream that is not mapped over exactly `file_size` bytes.
void hydrant_release_read_pages(FILE *file, size_t file_size, size_t *released);

/// Asks the processor to start loading the cache line at `address` (a hint: never faults, even on a bad address).
/// A replayed file's records are read where they lie in the mapping, each at an offset known only from the one
/// before it; fetching the next record's header while the current frame is decoded hides most of the memory latency.
static inline void hydrant_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
