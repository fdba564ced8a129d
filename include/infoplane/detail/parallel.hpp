#pragma once
// Blocks handed out over std::thread as workers free up. Each index is processed by exactly one
// worker and its result written to its own slot, so output does not depend on the thread count
// or on which worker took which block.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace infoplane::detail {

inline unsigned resolve_threads(unsigned requested) noexcept {
  if (requested != 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1u : hw;
}

/// Calls fn(begin, end) on disjoint chunks of [0, n), blocks of `grain` indices at a time.
template <class Fn>
void parallel_for(std::size_t n, unsigned threads, std::size_t grain, Fn&& fn) {
  if (n == 0) return;
  grain = std::max<std::size_t>(grain, 1);
  const std::size_t blocks = (n + grain - 1) / grain;
  const std::size_t workers = std::min<std::size_t>(resolve_threads(threads), blocks);
  if (workers <= 1) {
    fn(std::size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(workers);
  pool.reserve(workers);
  // The next block to take: a fixed share per worker left one of two cores idle for a third of
  // the dropout estimator's run on real features (blocks cost unevenly, and so do the cores).
  std::atomic<std::size_t> next{0};
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        for (std::size_t b; (b = next.fetch_add(1, std::memory_order_relaxed)) < blocks;)
          fn(b * grain, std::min(n, (b + 1) * grain));
      } catch (...) {
        next.store(blocks, std::memory_order_relaxed);  // the others stop after their current block
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace infoplane::detail
