#ifndef HYDRANT_BYTE_SEARCH_H
#define HYDRANT_BYTE_SEARCH_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The offset of the first quote, backslash or control byte (below 0x20) among the 16 bytes at `bytes`, or 16
/// when there is none. All 16 bytes must be readable.
static inline __attribute__((always_inline)) uint32_t hydrant_string_stop16(const uint8_t *bytes) {
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)bytes);
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22));
    __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C));
    /* min(v, 0x1F) == v exactly when v <= 0x1F, compared without sign. */
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    uint32_t mask = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control));
    return mask != 0 ? (uint32_t)__builtin_ctz(mask) : 16;
#else
    for (uint32_t i = 0; i < 16; i++) {
        uint8_t b = bytes[i];
        if (b == 0x22 || b == 0x5C || b < 0x20) return i;
    }
    return 16;
#endif
}

/// Asks the CPU to bring the cache line holding `address` closer before it is read: a hint that never faults,
/// whatever the address, so a caller may name memory it is not sure it will read.
static inline __attribute__((always_inline)) void hydrant_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
