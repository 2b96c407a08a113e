#ifndef GONGXIANG_CSQLITESETTINGS_SHIM_H
#define GONGXIANG_CSQLITESETTINGS_SHIM_H

#include <sqlite3.h>

/* Debian's SQLite keeps memory statistics (SQLITE_DEFAULT_MEMSTATUS) and has no lookaside allocator, so
   every small allocation of every statement takes a process-wide mutex. Gongxiang reads no statistics: turn
   them off. sqlite3_config is variadic, which Swift cannot call, and only works before the first connection. */
static inline int gx_sqlite_stop_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
