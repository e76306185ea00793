#include <sqlite3.h>

/// A hint to bring the cache line at `address` in without waiting for it (the label join's id
/// index touches the slot of a lookup a few records ahead; Swift has no prefetch of its own).
static inline void monitor_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
