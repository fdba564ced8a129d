#pragma once
// Noisy draws of the dropout layer, for the sample-pair estimators (I(Z;Y), the paper's Fig. 4
// pairs): the same seeded streams as the dropout estimators, so all see the same noise.
#include <Eigen/Core>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "infoplane/detail/memory.hpp"
#include "infoplane/errors.hpp"
#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/inputs/noise.hpp"

namespace infoplane {

/// N*M x d draws of the dropout layer, rows r*M .. r*M+M-1 from point r: z = f(x_r) * eps,
/// eps ~ N(1, s^2) for Gaussian dropout; log z = log f(x_r) + alpha(x_r) e for information
/// dropout (log Z: what the estimators see, with I(.;Z) = I(.;log Z)).
template <class MF, class Noise>
Eigen::MatrixXd draw_noisy_samples(const Eigen::DenseBase<MF>& f, const Noise& noise, std::size_t m,
                                   std::uint64_t seed) {
  INFOPLANE_CHECK(m >= 1, "draw_noisy_samples: m (draws per point) must be >= 1");
  const auto comp = detail::components_of(f.derived(), noise);
  const auto n = f.rows(), d = f.cols(), mm = static_cast<Eigen::Index>(m);
  // The draws, and the column-major copy returned.
  detail::require_memory({std::uint64_t(n), m, std::uint64_t(d), 2}, sizeof(double),
                         "draw_noisy_samples: N x M x d = " + std::to_string(n) + " x " + std::to_string(m) + " x " +
                             std::to_string(d) + " noisy draws");
  std::vector<Eigen::Index> dims(static_cast<std::size_t>(d));
  std::iota(dims.begin(), dims.end(), Eigen::Index{0});
  using row_major = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  row_major z(n * mm, d);
  std::vector<double> log_own(m);
  for (Eigen::Index r = 0; r < n; ++r)
    detail::draw_components(comp, static_cast<std::size_t>(r), dims, m, seed, 0.0, z.data() + r * mm * d,
                            log_own.data());
  return z;
}

}  // namespace infoplane
