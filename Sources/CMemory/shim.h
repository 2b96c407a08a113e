#ifndef GONGXIANG_CMEMORY_SHIM_H
#define GONGXIANG_CMEMORY_SHIM_H

/* Swift has no prefetch: a sort that reads its lines in key order, scattered over a large block, asks for
   the next ones ahead so their cache misses overlap instead of coming one after another. */

static inline void gx_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 0);
}

#endif
