// The search is a static inline function in the header, so that Swift code inlines it into its loops; this file
// exists because SwiftPM builds a C target only from at least one source file.
#include "byte_search.h"
