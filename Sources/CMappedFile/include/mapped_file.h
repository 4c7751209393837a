#ifndef HYDRANT_MAPPED_FILE_H
#define HYDRANT_MAPPED_FILE_H
#include <stdio.h>

/// Opens a regular file as a stdio stream that reads through mmap: no read(2) calls and no kernel-to-user copy, which
/// were about a quarter of a replay's time; pages behind the reader are dropped from the mapping, so resident memory
/// stays small whatever the file's size. Returns NULL (errno set) when the file cannot be opened or mapped; the caller then
/// falls back to fopen. Truncating the file while it is read ends the process with SIGBUS, as with any mapping.
FILE *hydrant_open_mapped(const char *path);

#endif
