// The CPU's CRC-32C instruction, which Swift cannot reach directly: about ten times the speed of the table-driven
// code that remains the fallback (HydrantStream/WAL/CRC32C.swift).
//
// One instruction's result feeds the next, so a single chain waits out the instruction's latency (three cycles on
// x86-64) for every eight bytes. Long buffers are cut into three lanes checksummed side by side, and the lanes'
// registers are joined by shifting each over the bytes after it: the register is linear in its bits, so the
// register after A then B is the register after A, advanced over len(B) zero bytes, xor the register over B from
// zero; advancing over n zero bytes is multiplying by x^(8n) modulo the polynomial.
#include "crc32c.h"

#include <string.h>

// The CRC-32C polynomial, bit-reflected (bit 31 is the coefficient of x^0).
#define CRC32C_REFLECTED_POLYNOMIAL 0x82F63B78u
// Bytes per lane in one round of the three-lane loop.
#define CRC32C_LANE 4096

// The product of a and b modulo the polynomial, both bit-reflected (so x^0 is bit 31).
__attribute__((unused)) static uint32_t crc32c_multiply(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    // Walk a's coefficients from x^0 up while b steps through b * x^k.
    for (int bit = 31; bit >= 0; bit--) {
        if (a & (1u << bit)) product ^= b;
        b = (b & 1u) ? (b >> 1) ^ CRC32C_REFLECTED_POLYNOMIAL : b >> 1;
    }
    return product;
}

// x^(8 * CRC32C_LANE) modulo the polynomial, bit-reflected: the factor that advances a register over one lane.
__attribute__((unused)) static uint32_t crc32c_lane_shift(void) {
    // From x^8 (one byte; bit 31 - 8), each squaring doubles the bytes advanced over, up to CRC32C_LANE.
    uint32_t factor = 1u << (31 - 8);
    for (int lane = 1; lane < CRC32C_LANE; lane <<= 1) factor = crc32c_multiply(factor, factor);
    return factor;
}

#if defined(__x86_64__)
#include <cpuid.h>

int hydrant_crc32c_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

#define CRC32C_TARGET __attribute__((target("sse4.2")))

// The instruction over eight bytes and over one byte (the register's upper half stays zero).
CRC32C_TARGET static inline uint32_t crc32c_word(uint32_t crc, uint64_t word) {
    return (uint32_t)__builtin_ia32_crc32di(crc, word);
}
CRC32C_TARGET static inline uint32_t crc32c_byte(uint32_t crc, unsigned char byte) {
    return __builtin_ia32_crc32qi(crc, byte);
}

#elif defined(__aarch64__) && defined(__linux__)
#include <arm_acle.h>
#include <sys/auxv.h>
#include <asm/hwcap.h>

int hydrant_crc32c_available(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }

#define CRC32C_TARGET __attribute__((target("crc")))

CRC32C_TARGET static inline uint32_t crc32c_word(uint32_t crc, uint64_t word) { return __crc32cd(crc, word); }
CRC32C_TARGET static inline uint32_t crc32c_byte(uint32_t crc, unsigned char byte) { return __crc32cb(crc, byte); }

#else

int hydrant_crc32c_available(void) { return 0; }

uint32_t hydrant_crc32c_update(uint32_t state, const void *bytes, size_t length) {
    (void)bytes;
    (void)length;
    return state;
}

#endif

#ifdef CRC32C_TARGET
CRC32C_TARGET
uint32_t hydrant_crc32c_update(uint32_t state, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    uint32_t crc = state;
    if (length >= 3 * CRC32C_LANE) {
        const uint32_t shift = crc32c_lane_shift();
        while (length >= 3 * CRC32C_LANE) {
            uint32_t second = 0, third = 0;
            for (size_t offset = 0; offset < CRC32C_LANE; offset += 8) {
                uint64_t a, b, c;
                memcpy(&a, p + offset, 8);
                memcpy(&b, p + CRC32C_LANE + offset, 8);
                memcpy(&c, p + 2 * CRC32C_LANE + offset, 8);
                crc = crc32c_word(crc, a);
                second = crc32c_word(second, b);
                third = crc32c_word(third, c);
            }
            crc = crc32c_multiply(crc32c_multiply(crc, shift) ^ second, shift) ^ third;
            p += 3 * CRC32C_LANE;
            length -= 3 * CRC32C_LANE;
        }
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = crc32c_word(crc, word);
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        crc = crc32c_byte(crc, *p);
        p += 1;
        length -= 1;
    }
    return crc;
}
#endif
