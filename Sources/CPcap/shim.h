#ifndef HYDRANT_CPCAP_SHIM_H
#define HYDRANT_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
