#ifndef HYDRANT_CZSTD_SHIM_H
#define HYDRANT_CZSTD_SHIM_H
#include <zstd.h>
#endif
