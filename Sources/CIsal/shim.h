#ifndef GONGXIANG_CISAL_SHIM_H
#define GONGXIANG_CISAL_SHIM_H

#include <string.h>
#include <isa-l/igzip_lib.h>

/* Intel ISA-L's igzip: zlib-format (RFC 1950) deflate and inflate, several times zlib's speed at level 1. */

/* The level buffer a level needs: the "medium" sizes (level 1: 148 KiB) compress as fast and as well as
   the default ones on batch payloads, in half the memory. Level 0 needs none. The sizes are macros of
   macros, which Swift does not import. */
static inline size_t gx_isal_level_buffer_size(int level) {
    switch (level) {
    case 1: return ISAL_DEF_LVL1_MEDIUM;
    case 2: return ISAL_DEF_LVL2_MEDIUM;
    case 3: return ISAL_DEF_LVL3_MEDIUM;
    default: return 0;
    }
}

/* A stream's state zeroed, then initialised (isal_deflate_init leaves some fields as they were). */
static inline void gx_isal_deflate_init(struct isal_zstream *stream) {
    memset(stream, 0, sizeof *stream);
    isal_deflate_init(stream);
}

static inline void gx_isal_inflate_init(struct inflate_state *state) {
    memset(state, 0, sizeof *state);
    isal_inflate_init(state);
}

static inline int gx_isal_deflate_finished(const struct isal_zstream *stream) {
    return stream->internal_state.state == ZSTATE_END;
}

#endif
