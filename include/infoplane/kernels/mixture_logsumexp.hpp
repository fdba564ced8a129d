#pragma once
// The one entry point for mixture evaluation. Estimators call only this, so kernels can be
// swapped while the scalar reference stays the oracle.
#include "infoplane/kernels/detail/mixture_scalar.hpp"
#include "infoplane/kernels/mixture_view.hpp"

namespace infoplane {

/// out[s] = log sum_{j != own[s]} exp(log N_j(z_s)) for every sample s (-inf if K == 1).
/// Inputs must already be validated: kernels do not throw.
template <class T>
void mixture_logsumexp_excluding_own(const mixture_view<T>& m, const sample_view<T>& s, double* out,
                                     mixture_kernel kernel = mixture_kernel::automatic) noexcept {
  switch (kernel) {
    case mixture_kernel::automatic:
    case mixture_kernel::scalar_reference:
      detail::mixture_lse_scalar(m, s, out);
      return;
  }
}

}  // namespace infoplane
