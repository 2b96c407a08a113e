#ifndef GONGXIANG_CZLIB_SHIM_H
#define GONGXIANG_CZLIB_SHIM_H

#include <zlib.h>

/* deflateInit / inflateInit are macros (they pass ZLIB_VERSION and sizeof(z_stream)); these wrap them. */

static inline int gx_deflateInit(z_streamp strm, int level) {
    return deflateInit(strm, level);
}

static inline int gx_inflateInit(z_streamp strm) {
    return inflateInit(strm);
}

#endif
