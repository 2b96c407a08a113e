#ifndef GONGXIANG_CMEMORY_SHIM_H
#define GONGXIANG_CMEMORY_SHIM_H

/* Swift has no prefetch: a sort that reads its lines in key order, scattered over a large block, asks for
   the next ones ahead so their cache misses overlap instead of coming one after another. */

static inline void gx_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 0);
}

/* glibc's mallopt(M_ARENA_MAX, n): how many malloc arenas threads share (Swift's Glibc module lacks
   <malloc.h>). Elsewhere nothing. */
#ifdef __GLIBC__
#include <malloc.h>
static inline int gx_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}
#else
static inline int gx_limit_malloc_arenas(int count) {
    (void)count;
    return 0;
}
#endif

#endif
