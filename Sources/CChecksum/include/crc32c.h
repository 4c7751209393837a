#ifndef HYDRANT_CRC32C_H
#define HYDRANT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Nonzero when this CPU has a CRC-32C instruction (SSE 4.2 on x86-64, the CRC extension on AArch64).
int hydrant_crc32c_available(void);

/// Advances a CRC-32C register (the inverted running value) over `length` bytes with the CPU's instruction.
/// Call only when `hydrant_crc32c_available()` is nonzero.
uint32_t hydrant_crc32c_update(uint32_t state, const void *bytes, size_t length);

#endif
