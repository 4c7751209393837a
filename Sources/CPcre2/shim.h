#ifndef HYDRANT_CPCRE2_SHIM_H
#define HYDRANT_CPCRE2_SHIM_H
/* Sigma patterns are byte strings matched as UTF-8: the 8-bit code unit library. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
