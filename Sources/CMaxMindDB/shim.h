#ifndef HYDRANT_CMAXMINDDB_SHIM_H
#define HYDRANT_CMAXMINDDB_SHIM_H
#include <maxminddb.h>
#endif
