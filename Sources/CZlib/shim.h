#ifndef HYDRANT_CZLIB_SHIM_H
#define HYDRANT_CZLIB_SHIM_H
#include <zlib.h>
#endif
