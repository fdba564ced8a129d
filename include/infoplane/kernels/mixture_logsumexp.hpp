#pragma once
// The one entry point for mixture evaluation. Estimators call only this, so kernels can be
// swapped while the scalar reference stays the oracle.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "infoplane/detail/math.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/mixture_scalar.hpp"
#include "infoplane/kernels/detail/mixture_tiles.hpp"
#include "infoplane/kernels/kernel_choice.hpp"
#include "infoplane/kernels/mixture_view.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane {

/// The instruction set the SIMD kernels were compiled for, as xsimd names it ("avx512bw",
/// "fma3+avx2", "sse2", ...). It is whatever the including translation unit targets: build
/// with -march=native (or at least -mavx2 -mfma) to get more than the x86-64 baseline, SSE2.
inline std::string_view kernel_instruction_set() noexcept { return xsimd::default_arch::name(); }

/// Evaluates out[s] = log sum_{j != own[s]} exp(log N_j(z_s)) (-inf if no other component)
/// for batches of samples against one fixed mixture. Construction packs the components once
/// (per-component constants, SIMD layout); evaluation never throws, so validate inputs first.
/// The mixture's arrays must outlive the evaluator: the scalar reference and the screen's
/// double log-weights read them.
template <class T>
class mixture_evaluator {
 public:
  mixture_evaluator(const mixture_view<T>& m, mixture_kernel kernel = mixture_kernel::automatic)
      : view_(m), kernel_(choose_mixture_kernel<T>(kernel)) {
    if (kernel_ != mixture_kernel::scalar_reference) simd_.emplace(m);
    if constexpr (std::is_same_v<T, double>)
      if (kernel_ == mixture_kernel::simd_screened) screen_.emplace(m);
  }

  /// `seed`, if given, holds one log-weight per sample (the own component's) that starts the
  /// running maximum. Pruning then drops terms negligible next to it, so only
  /// logaddexp(out[s], seed[s]) is exact; pass nullptr when `out` itself must be exact.
  void operator()(const sample_view<T>& s, double* out, const double* seed = nullptr) const noexcept {
    // The float kernel's form has no slot for a per-sample variance.
    if (kernel_ == mixture_kernel::scalar_reference || (s.extra && !simd_mixture_t::takes_extra)) {
      detail::mixture_lse_scalar(view_, s, out);
      return;
    }
    if constexpr (std::is_same_v<T, double>) {
      if (screen_ && !s.extra) {
        // Groups of samples that find most blocks live go to the double kernel.
        detail::sample_ranges redo;
        screen_->evaluate(s, out, true, seed, &redo);
        for (auto [b, e] : redo) simd_->evaluate(s.slice(b, e), out + b, true, seed ? seed + b : nullptr);
        return;
      }
    }
    simd_->evaluate(s, out, kernel_ != mixture_kernel::simd_brute_force, seed);
  }

  /// The same on `threads` threads (0: all cores); results do not depend on the count.
  void parallel(const sample_view<T>& s, double* out, const double* seed, unsigned threads) const {
    constexpr std::size_t grain = simd_mixture_t::sample_tile;
    static_assert(detail::simd_screen<>::sample_tile == grain);
    detail::parallel_for(s.p, threads, grain, [&](std::size_t b, std::size_t e) {
      (*this)(s.slice(b, e), out + b, seed ? seed + b : nullptr);
    });
  }

  /// Adds to `work` what the pruned kernel does on `s` (with `seed` as in operator()), whatever
  /// kernel this evaluator runs; the outputs are discarded. The pilot of the automatic choice
  /// (choose_mixture_kernel_from_pilot); the scalar reference measures nothing.
  void measure(const sample_view<T>& s, const double* seed, mixture_work& work) const {
    if (!simd_ || (s.extra && !simd_mixture_t::takes_extra)) return;
    std::vector<double> out(s.p);
    simd_->evaluate(s, out.data(), true, seed, nullptr, &work);
  }

  [[nodiscard]] mixture_kernel kernel() const noexcept { return kernel_; }

 private:
  using simd_mixture_t = detail::simd_mixture<T>;

  mixture_view<T> view_;
  mixture_kernel kernel_;
  std::optional<simd_mixture_t> simd_;
  std::optional<detail::simd_screen<>> screen_;  // built from the double mixture, with margins
};

/// One-shot convenience over mixture_evaluator.
template <class T>
void mixture_logsumexp_excluding_own(const mixture_view<T>& m, const sample_view<T>& s, double* out,
                                     mixture_kernel kernel = mixture_kernel::automatic) {
  mixture_evaluator<T>(m, kernel)(s, out);
}

}  // namespace infoplane

INFOPLANE_KERNEL_DIAGNOSTICS_END
