#ifndef HYDRANT_CSNAPPY_SHIM_H
#define HYDRANT_CSNAPPY_SHIM_H
#include <snappy-c.h>
#endif
