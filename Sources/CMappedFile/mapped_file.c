// fopencookie is a GNU extension; this shim exists because Swift's Glibc module does not expose it.
#define _GNU_SOURCE
#include "mapped_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__linux__)

// Read pages are given back once this many bytes lie behind the reader.
#define RELEASE_STEP (8u << 20)

struct mapped {
    unsigned char *base;
    size_t size;
    size_t offset;
    size_t released;
    size_t page;
};

static ssize_t mapped_read(void *cookie, char *buffer, size_t count) {
    struct mapped *m = cookie;
    size_t available = m->size - m->offset;
    size_t length = count < available ? count : available;
    if (length == 0) return 0;
    memcpy(buffer, m->base + m->offset, length);
    m->offset += length;
    size_t behind = m->offset - m->released;
    if (behind >= RELEASE_STEP) {
        size_t release = behind / m->page * m->page;
        madvise(m->base + m->released, release, MADV_DONTNEED);
        m->released += release;
    }
    return (ssize_t)length;
}

static int mapped_seek(void *cookie, off64_t *position, int whence) {
    struct mapped *m = cookie;
    int64_t origin;
    switch (whence) {
    case SEEK_SET: origin = 0; break;
    case SEEK_CUR: origin = (int64_t)m->offset; break;
    case SEEK_END: origin = (int64_t)m->size; break;
    default: errno = EINVAL; return -1;
    }
    int64_t target;
    if (__builtin_add_overflow(origin, (int64_t)*position, &target) || target < 0 || (uint64_t)target > m->size) {
        errno = EINVAL;
        return -1;
    }
    m->offset = (size_t)target;
    // Going back into released pages is fine: touching them maps them again.
    if (m->released > m->offset) m->released = m->offset / m->page * m->page;
    *position = target;
    return 0;
}

static int mapped_close(void *cookie) {
    struct mapped *m = cookie;
    munmap(m->base, m->size);
    free(m);
    return 0;
}

FILE *hydrant_open_mapped(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat info;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size <= 0) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    size_t size = (size_t)info.st_size;
    void *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return NULL;
    madvise(base, size, MADV_SEQUENTIAL);
    struct mapped *m = malloc(sizeof *m);
    if (m == NULL) {
        munmap(base, size);
        return NULL;
    }
    *m = (struct mapped){ .base = base, .size = size, .offset = 0, .released = 0, .page = (size_t)sysconf(_SC_PAGESIZE) };
    cookie_io_functions_t functions = { .read = mapped_read, .write = NULL, .seek = mapped_seek, .close = mapped_close };
    FILE *file = fopencookie(m, "rb", functions);
    if (file == NULL) {
        mapped_close(m);
        return NULL;
    }
    // A large stdio buffer: an unbuffered cookie stream makes glibc fetch byte by byte.
    setvbuf(file, NULL, _IOFBF, 1u << 18);
    // One thread reads a capture; without this every fread (two per packet in libpcap) takes the stream's lock.
    __fsetlocking(file, FSETLOCKING_BYCALLER);
    return file;
}

#else

FILE *hydrant_open_mapped(const char *path) {
    (void)path;
    errno = ENOTSUP;
    return NULL;
}

#endif
