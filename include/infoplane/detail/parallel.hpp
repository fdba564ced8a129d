#pragma once
// Static block partition over std::thread. Each index is processed by exactly one worker and
// its result written to its own slot, so output does not depend on the thread count.
#include <algorithm>
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
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        // Interleaved blocks balance work when cost varies along the index range.
        for (std::size_t b = w; b < blocks; b += workers) fn(b * grain, std::min(n, (b + 1) * grain));
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace infoplane::detail
