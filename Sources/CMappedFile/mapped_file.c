// The GNU stdio extensions used here (the "m" mode, __fsetlocking, the stream's buffer pointers) are not exposed
// by Swift's Glibc module, hence this shim.
#define _GNU_SOURCE
#include "mapped_file.h"

#include <stdint.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <stdio_ext.h>
#include <sys/mman.h>

FILE *hydrant_open_capture(const char *path) {
    FILE *file = fopen(path, "rbm");
    if (file != NULL) __fsetlocking(file, FSETLOCKING_BYCALLER);
    return file;
}

void hydrant_release_read_pages(FILE *file, size_t file_size, size_t *released) {
    // A mapped stream's buffer is the whole mapping; a stream that fell back to read(2) has a small heap buffer,
    // which must never be touched: only a buffer spanning exactly the file is taken for the mapping.
    char *base = file->_IO_buf_base;
    char *end = file->_IO_buf_end;
    char *position = file->_IO_read_ptr;
    if (base == NULL || end == NULL || position == NULL || file_size < (1u << 20)) return;
    if ((size_t)(end - base) != file_size || position < base || position > end) return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t consumed = (size_t)(position - base) / page * page;
    if (consumed <= *released) return;
    madvise(base + *released, consumed - *released, MADV_DONTNEED);
    *released = consumed;
}

#else

FILE *hydrant_open_capture(const char *path) { return fopen(path, "rb"); }

void hydrant_release_read_pages(FILE *file, size_t file_size, size_t *released) {
    (void)file;
    (void)file_size;
    (void)released;
}

#endif
