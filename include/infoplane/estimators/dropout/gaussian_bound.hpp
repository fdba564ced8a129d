#pragma once
// Gaussian (maximum-entropy) upper bound: h(Z) <= 1/2 log det(2 pi e Cov Z), hence an upper
// bound on I(X;Z) = h(Z) - h(Z|X) with h(Z|X) exact. With exact zeros the bound is applied per
// zero-pattern group: I = H(pattern) + sum_p P(p) I(X;Z | p), each term bounded separately.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/estimators/dropout/detail/population.hpp"
#include "infoplane/estimators/dropout/detail/rank_local.hpp"
#include "infoplane/detail/math.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane {

enum class covariance_source {
  analytic,  ///< Cov f(X) + s^2 diag E[f(X)^2]: exact for X uniform over the data, no sampling
  sample,    ///< sample covariance of noisy draws (our own, or the caller's)
};

struct dropout_gaussian_bound_options {
  covariance_source source = covariance_source::analytic;
  bool ledoit_wolf = false;                  ///< shrink the sample covariance (sample source only)
  std::size_t noise_draws = 10;              ///< M draws per point for the sample source
  std::uint64_t seed = 0;                    ///< same draws as dropout_mixture with this seed
  std::optional<std::size_t> components{};    ///< K: consistent random subset
};

struct dropout_gaussian_bound_report {
  estimate_result mi;
  double h_z_bound = 0;     ///< Gaussian upper bound on h(Z)
  double h_z_given_x = 0;   ///< analytic h(Z|X)
};

class dropout_gaussian_bound {
 public:
  static constexpr std::string_view name = "dropout-gauss-bound";
  static constexpr bound_kind kind = bound_kind::upper_bound;

  explicit dropout_gaussian_bound(dropout_gaussian_bound_options options = {}) : opt_(options) {
    INFOPLANE_CHECK(opt_.noise_draws >= 1, std::string(name) + ": noise_draws (M) must be >= 1, got 0");
    INFOPLANE_CHECK(!opt_.ledoit_wolf || opt_.source == covariance_source::sample,
                    std::string(name) + ": Ledoit-Wolf shrinkage applies to the sample covariance only");
  }

  /// Gaussian dropout (a bound on h(Z)), or information dropout (on h(log Z); I(X;Z) = I(X;log Z)).
  template <class MF, class Noise>
  [[nodiscard]] estimate_result estimate(const noisy_representation<MF, Noise>& in) const {
    return report(in).mi;
  }

  /// Bound from our own draws (sample source) or from the analytic covariance.
  /// Under an MPI session with rank-local input (mpi::session::set_local_input), in.means may
  /// be this process's rows of a larger representation (docs/scale-out.md): the same bits.
  template <class MF, class Noise>
  [[nodiscard]] dropout_gaussian_bound_report report(const noisy_representation<MF, Noise>& in) const {
    const auto draw = [&](const auto& comp, std::size_t r, const detail::pattern_group& g, double* z) {
      std::vector<double> log_own(opt_.noise_draws);
      detail::draw_components(comp, r, g.dims, opt_.noise_draws, opt_.seed, 0.0, z, log_own.data());
    };
    if constexpr (detail::takes_local_rows<MF, Noise>)
      if (auto* local = detail::local_rows_of(in.means, in.noise)) {
        // Every row is read in member order on every process (collective), from its owner.
        detail::rank_local_input lin(in.means, *local, *detail::active_scale_out());
        lin.validate(in.noise, std::string(name));
        const auto rows = detail::choose_components(lin.rows(), opt_.components, opt_.seed, name.data());
        const auto groups = lin.group(rows, in.noise);
        auto rep = run(detail::components_of(lin.stream(groups), in.noise), groups, rows.size(),
                       [&](std::size_t r, const detail::pattern_group&) { return lin.h_term(r); }, opt_.noise_draws, draw);
        lin.warnings(rep.mi, "means");
        return rep;
      }
    validate(in, std::string(name));
    return run(in, opt_.noise_draws, draw);
  }

  /// Bound from the caller's noisy samples: N*M rows, rows r*M .. r*M+M-1 drawn from point r
  /// (for information dropout, samples of log Z).
  template <class MF, class Noise, SampleMatrix MZ>
  [[nodiscard]] dropout_gaussian_bound_report report(const noisy_representation<MF, Noise>& in, const MZ& samples) const {
    validate(in, std::string(name));
    detail::require_valid_matrix(samples, std::string(name) + ": samples");
    const auto n = in.means.rows();
    INFOPLANE_CHECK(samples.cols() == in.means.cols(),
                    std::string(name) + ": mismatched shapes: samples have " + std::to_string(samples.cols()) +
                        " columns but means have " + std::to_string(in.means.cols()));
    INFOPLANE_CHECK(samples.rows() % n == 0,
                    std::string(name) + ": mismatched shapes: samples have " + std::to_string(samples.rows()) +
                        " rows, not a multiple of N = " + std::to_string(n));
    INFOPLANE_CHECK(opt_.source == covariance_source::sample,
                    std::string(name) + ": caller samples need covariance_source::sample");
    const std::size_t m = static_cast<std::size_t>(samples.rows() / n);
    return run(in, m, [&](const auto&, std::size_t r, const detail::pattern_group& g, double* z) {
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = 0; k < g.dims.size(); ++k)
          z[i * g.dims.size() + k] = static_cast<double>(samples(static_cast<Eigen::Index>(r * m + i), g.dims[k]));
    });
  }

 private:
  using matrix = Eigen::MatrixXd;

  // 1/2 log det(2 pi e S) by Cholesky; nullopt when S is not positive definite.
  static std::optional<double> gaussian_entropy(const matrix& s) {
    Eigen::LLT<matrix> llt(s);
    if (llt.info() != Eigen::Success) return std::nullopt;
    const double logdet = 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
    return 0.5 * (static_cast<double>(s.rows()) * (detail::log_2pi + 1.0) + logdet);
  }

  // Cov of the component means plus the mean component variance (law of total covariance):
  // Cov f(X) + s^2 diag E[f(X)^2] for Gaussian dropout, Cov log f(X) + diag E[alpha^2] for
  // information dropout.
  template <class C>
  matrix analytic_covariance(const C& c, const detail::pattern_group& g) const {
    const auto d = static_cast<Eigen::Index>(g.dims.size());
    matrix x(static_cast<Eigen::Index>(g.members.size()), d), v(x.rows(), d);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index k = 0; k < d; ++k) {
        const std::size_t r = g.members[static_cast<std::size_t>(i)];
        x(i, k) = c.mean(r, g.dims[static_cast<std::size_t>(k)]);
        v(i, k) = c.var(r, g.dims[static_cast<std::size_t>(k)]);
      }
    const Eigen::RowVectorXd mean = x.colwise().mean();
    const matrix centred = x.rowwise() - mean;
    matrix cov = centred.transpose() * centred / static_cast<double>(x.rows());  // population: X uniform
    cov.diagonal() += v.colwise().mean().transpose();
    return cov;
  }

  // Sample covariance of all draws of a group, two streaming passes (mean, then scatter), so
  // memory stays O(M d + d^2) whatever N is.
  template <class Draw>
  matrix sample_covariance(const detail::pattern_group& g, std::size_t m, Draw&& draw) const {
    const auto d = static_cast<Eigen::Index>(g.dims.size());
    std::vector<double> buf(m * static_cast<std::size_t>(d));
    using row_major = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(d);
    for (std::size_t r : g.members) {
      draw(r, g, buf.data());
      mean += Eigen::Map<const row_major>(buf.data(), static_cast<Eigen::Index>(m), d).colwise().sum();
    }
    const double p = static_cast<double>(g.members.size() * m);
    mean /= p;
    matrix scatter = matrix::Zero(d, d);
    double fourth = 0.0;  // sum_i |z_i - mean|^4, for Ledoit-Wolf
    for (std::size_t r : g.members) {
      draw(r, g, buf.data());
      const row_major c = Eigen::Map<const row_major>(buf.data(), static_cast<Eigen::Index>(m), d).rowwise() - mean;
      scatter.noalias() += c.transpose() * c;
      fourth += c.rowwise().squaredNorm().array().square().sum();
    }
    if (!opt_.ledoit_wolf) return scatter / (p - 1.0);
    // Ledoit & Wolf (2004), shrinkage towards (tr S / d) I, as in scikit-learn's ledoit_wolf.
    const matrix s = scatter / p;
    const double mu = s.trace() / static_cast<double>(d);
    const double delta = (s - mu * matrix::Identity(d, d)).squaredNorm();
    const double beta = std::min(std::max((fourth / p - s.squaredNorm()) / p, 0.0), delta);
    const double shrink = delta > 0 ? beta / delta : 0.0;
    matrix out = (1.0 - shrink) * s;
    out.diagonal().array() += shrink * mu;
    return out;
  }

  // One group at a time: analytic, its K x d means and variances and their centred copy, 24 K d
  // bytes, and the d x d covariance, its Cholesky factor and L, 24 d^2; sample, the draws of one
  // point and their centred copy, 16 M d, and the scatter, its scaled copy, factor and L, 32 d^2
  // (Ledoit-Wolf: three more d x d). Refused up front for the largest group.
  void require_group_memory(const std::vector<detail::pattern_group>& groups, std::size_t m) const {
    long double most = 0;
    const detail::pattern_group* worst = nullptr;
    for (const auto& g : groups) {
      const long double k = static_cast<long double>(g.members.size()), d = static_cast<long double>(g.dims.size());
      const long double bytes = opt_.source == covariance_source::analytic
                                    ? 24 * k * d + 24 * d * d
                                    : 16 * static_cast<long double>(m) * d + (opt_.ledoit_wolf ? 56 : 32) * d * d;
      if (g.members.size() > 1 && !g.dims.empty() && bytes > most) most = bytes, worst = &g;
    }
    if (worst)
      detail::require_bytes(most, std::string(name) + ": the " +
                                      (opt_.source == covariance_source::analytic ? "analytic" : "sample") +
                                      " covariance of a zero-pattern group of K = " +
                                      std::to_string(worst->members.size()) + " points, d = " +
                                      std::to_string(worst->dims.size()) + " units" +
                                      (opt_.source == covariance_source::sample ? ", M = " + std::to_string(m) : ""));
  }

  // The whole representation on this process.
  template <class MF, class Noise, class Draw>
  dropout_gaussian_bound_report run(const noisy_representation<MF, Noise>& in, std::size_t m, Draw&& draw) const {
    const auto& f = in.means;
    const auto comp = detail::components_of(f, in.noise);
    const auto rows = detail::choose_components(static_cast<std::size_t>(f.rows()), opt_.components, opt_.seed,
                                                name.data());
    const auto groups = detail::group_by_zero_pattern(f, rows);
    auto rep = run(comp, groups, rows.size(),
                   [&](std::size_t r, const detail::pattern_group& g) { return detail::conditional_entropy_of(comp, r, g.dims); },
                   m, draw);
    detail::representation_warnings(rep.mi, f, "means");
    return rep;
  }

  // The bound over n chosen points in `groups`: h_term(r, g) is row r's h(Z|X) term, draw(comp,
  // r, g, z) its M draws (sample source).
  template <class C, class HTerm, class Draw>
  dropout_gaussian_bound_report run(const C& comp, const std::vector<detail::pattern_group>& groups, std::size_t n,
                                    HTerm&& h_term, std::size_t m, Draw&& draw) const {
    require_group_memory(groups, m);
    const double h_pattern = detail::pattern_entropy(groups, n);

    dropout_gaussian_bound_report rep;
    double h_bound = h_pattern, h_cond_total = 0.0;
    bool singular = false;
    for (const auto& g : groups) {
      const double weight = static_cast<double>(g.members.size()) / static_cast<double>(n);
      double h_cond = 0.0;
      for (std::size_t r : g.members) h_cond += h_term(r, g);
      h_cond /= static_cast<double>(g.members.size());
      h_cond_total += weight * h_cond;
      // A lone component carries no information about X beyond its pattern: the bound is exact.
      if (g.members.size() == 1 || g.dims.empty()) {
        h_bound += weight * h_cond;
        continue;
      }
      if (opt_.source == covariance_source::sample && g.members.size() * m < 2) {
        singular = true;
        continue;
      }
      const matrix cov = opt_.source == covariance_source::analytic ? analytic_covariance(comp, g)
                                                                    : sample_covariance(g, m, [&](std::size_t r, const detail::pattern_group& gr, double* z) { draw(comp, r, gr, z); });
      const auto h = gaussian_entropy(cov);
      if (!h) {
        singular = true;
        continue;
      }
      h_bound += weight * *h;
    }

    rep.h_z_given_x = h_cond_total;
    estimate_result& r = rep.mi;
    r = detail::result_of<dropout_gaussian_bound>();
    r.target = estimate_target::dataset;  // the covariance of X uniform over the points; population: r.population
    r.ceiling = std::log(static_cast<double>(n));
    r.n_samples = n;
    r.n_draws = opt_.source == covariance_source::sample ? n * m : 0;
    if (singular) {
      rep.h_z_bound = std::numeric_limits<double>::infinity();
      r.value = std::numeric_limits<double>::infinity();
      r.status = estimate_status::numerical_issue;  // covariance not positive definite
    } else {
      rep.h_z_bound = h_bound;
      r.value = h_bound - h_cond_total;
      r.status = detail::saturation_status(r.value, r.ceiling, 1.0);  // saturated only at log N itself
    }
    r.upper = r.value;
    // The difference of two entropies of size ~|h|: rounding leaves it that far below 0 at most.
    detail::clamp_to_nonnegative(r, 1e-9 * (1.0 + std::abs(h_bound) + std::abs(h_cond_total)), name);
    // Population: the analytic bound with the covariance's estimation bias removed (the sample
    // source's draws add nothing to it); MI >= 0 is the lower end.
    const auto pop = detail::population_gaussian_bound(comp, groups, n);
    r.population = population_bracket{0.0, pop.value, 0.0, pop.std_error, std::isinf(pop.value) ? "none" : "gaussian"};
    return rep;
  }

  dropout_gaussian_bound_options opt_;
};

}  // namespace infoplane
