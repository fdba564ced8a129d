#pragma once
// The program's allocator settings (never the library's: they are the process's). glibc maps
// each buffer above 128 KiB afresh and unmaps it when freed, so every estimator's large
// buffers fault their pages in again: a tenth of `ip`'s time on the FC features went to page
// faults. Served from the heap and kept there, freed memory is reused.
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace infoplane::cli {

inline void keep_freed_memory() noexcept {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // the most glibc accepts on 64 bits; larger buffers are still mapped
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace infoplane::cli
