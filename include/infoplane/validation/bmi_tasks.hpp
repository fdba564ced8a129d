#pragma once
// Synthetic tasks with known mutual information, for benchmarking every estimator.
//
// bmi_tasks(): the 40 tasks of bmi's BENCHMARK_TASKS_LIST (Czyz et al. 2023, "Beyond Normal";
// src/bmi/benchmark/task_list.py of github.com/cbg-ethz/bmi), in its order and under its task
// ids, so that results compare line by line. The samples are ours (the library's seeded
// streams, not JAX's), the distributions and truths are bmi's:
//   multinormal        I = 1/2 (log det S_xx + log det S_yy - log det S)
//   Student-t          the Gaussian part of the dispersion matrix plus the correction
//                      h_t(dx) + h_t(dy) - h_t(dx + dy) of Arellano-Valle et al. (2013), with
//                      h_t(k) the entropy of a standard k-dimensional t (bmi's SplitStudentT)
//   additive uniform   eps - log(2 eps) for eps <= 1/2, 1 / (4 eps) above
//   transformed        the base task's value: bmi's maps are bijections (the Swiss roll an
//                      injective embedding), under which I is invariant
// dropout_tasks(): the paper's toy problem (validation/toy.hpp) for d in {1, 5, 10, 50} and
// noise variance in {0.1, 0.4}, as (X, Z) pairs with the quadrature truth d I_1; each carries
// its noise model, so the dropout-family estimators can run on its noise-free representation.
#include <Eigen/Core>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "infoplane/errors.hpp"
#include "infoplane/inputs/noise.hpp"
#include "infoplane/validation/detail/bmi_samplers.hpp"
#include "infoplane/validation/toy.hpp"
#include "infoplane/validation/toy_truth.hpp"

namespace infoplane::validation {

/// The toy problem's noise model behind a dropout task: representations f(x) (N x d) and
/// Gaussian dropout on them.
struct dropout_noise_model {
  std::size_t d;
  gaussian_dropout noise;
  /// The noise-free representation of n points, fixed by the seed (the X of the task's pairs).
  [[nodiscard]] Eigen::MatrixXd representation(std::size_t n, std::uint64_t seed) const {
    return make_toy_representation(n, d, seed);
  }
};

struct benchmark_task {
  std::string id;      ///< bmi's task id (ours for the dropout tasks)
  std::string name;    ///< bmi's display name
  std::string family;  ///< "bmi" or "dropout"
  Eigen::Index dim_x = 0, dim_y = 0;
  double mi = 0.0;     ///< exact I(X;Y), nats
  std::function<xy_sample(std::size_t n, std::uint64_t seed)> sampler;
  std::optional<dropout_noise_model> noise_model;  ///< set on the dropout tasks only

  /// n pairs, fixed by the seed.
  [[nodiscard]] xy_sample sample(std::size_t n, std::uint64_t seed) const {
    INFOPLANE_CHECK(n > 0, "benchmark_task: n must be > 0");
    return sampler(n, seed);
  }
};

namespace detail {

inline std::string py_float(double v) {  // Python's str(float) for the values bmi's ids use
  std::ostringstream s;
  s << v;
  std::string out = s.str();
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

/// Entropy of the standard k-dimensional Student-t with `df` degrees of freedom (Eq. 7 of
/// Arellano-Valle, Contreras-Reyes & Genton 2013).
inline double student_entropy(double k, double df) {
  const double h = 0.5 * (df + k);
  return -std::lgamma(h) + std::lgamma(0.5 * df) + 0.5 * k * std::log(df * 3.14159265358979323846) +
         h * (boost::math::digamma(h) - boost::math::digamma(0.5 * df));
}

inline double student_mi_correction(double dim_x, double dim_y, double df) {
  return student_entropy(dim_x, df) + student_entropy(dim_y, df) - student_entropy(dim_x + dim_y, df);
}

inline benchmark_task multinormal_task(std::string id, std::string name, const Eigen::MatrixXd& cov, Eigen::Index dim_x) {
  return {std::move(id), std::move(name), "bmi", dim_x, cov.rows() - dim_x, gaussian_mi(cov, dim_x),
          [cov, dim_x](std::size_t n, std::uint64_t seed) { return multinormal_sample(cov, dim_x, n, seed); }, {}};
}

inline benchmark_task binormal(double rho) {
  Eigen::MatrixXd c(2, 2);
  c << 1, rho, rho, 1;
  return multinormal_task("1v1-normal-" + py_float(rho), "Binormal 1 × 1", c, 1);
}

/// bmi's dense multinormal: unit variances, every correlation `off_diag`.
inline benchmark_task multinormal_dense(Eigen::Index dim_x, Eigen::Index dim_y, double off_diag = 0.5) {
  const Eigen::Index n = dim_x + dim_y;
  const Eigen::MatrixXd c = Eigen::MatrixXd::Constant(n, n, off_diag) + (1 - off_diag) * Eigen::MatrixXd::Identity(n, n);
  return multinormal_task("multinormal-dense-" + std::to_string(dim_x) + "-" + std::to_string(dim_y) + "-" + py_float(off_diag),
                          "Multinormal " + std::to_string(dim_x) + " × " + std::to_string(dim_y) + " (dense)", c, dim_x);
}

/// bmi's 2-pair multinormal: its sparse latent-variable model with alpha = beta = 0 and
/// lambda = eta = strength, i.e. corr(X_i, Y_i) = strength^2 / (1 + strength^2) for i < 2, all
/// other correlations 0.
inline benchmark_task multinormal_2pair(Eigen::Index dim_x, Eigen::Index dim_y, double strength = 2.0) {
  const Eigen::Index n = dim_x + dim_y;
  Eigen::MatrixXd c = Eigen::MatrixXd::Identity(n, n);
  const double rho = strength * strength / (1.0 + strength * strength);
  for (Eigen::Index i = 0; i < 2; ++i) c(i, dim_x + i) = c(dim_x + i, i) = rho;
  return multinormal_task("multinormal-sparse-" + std::to_string(dim_x) + "-" + std::to_string(dim_y) + "-2-" + py_float(strength),
                          "Multinormal " + std::to_string(dim_x) + " × " + std::to_string(dim_y) + " (2-pair)", c, dim_x);
}

/// bmi's Student-t with identity dispersion: the Gaussian part is 0, the correction remains.
inline benchmark_task student_identity(Eigen::Index dim_x, Eigen::Index dim_y, int df) {
  const Eigen::MatrixXd c = Eigen::MatrixXd::Identity(dim_x + dim_y, dim_x + dim_y);
  return {"student-identity-" + std::to_string(dim_x) + "-" + std::to_string(dim_y) + "-" + std::to_string(df),
          "Student-t " + std::to_string(dim_x) + " × " + std::to_string(dim_y) + " (dof=" + std::to_string(df) + ")",
          "bmi", dim_x, dim_y,
          gaussian_mi(c, dim_x) + student_mi_correction(double(dim_x), double(dim_y), double(df)),
          [c, dim_x, df](std::size_t n, std::uint64_t seed) { return multinormal_sample(c, dim_x, n, seed, double(df)); }, {}};
}

inline benchmark_task additive_noise(double epsilon) {
  return {"1v1-additive-" + py_float(epsilon), "Uniform 1 × 1 (additive noise=" + py_float(epsilon) + ")", "bmi", 1, 1,
          epsilon > 0.5 ? 0.25 / epsilon : epsilon - std::log(2.0 * epsilon),
          [epsilon](std::size_t n, std::uint64_t seed) { return additive_uniform_sample(epsilon, n, seed); }, {}};
}

/// The base task pushed through f x g (row-wise maps of X and Y); the MI is the base's.
using row_map = std::function<Eigen::MatrixXd(const Eigen::MatrixXd&)>;
inline benchmark_task transformed(const benchmark_task& base, std::string id_prefix, std::string name, row_map fx,
                                  row_map fy, Eigen::Index add_dim_x = 0) {
  benchmark_task t = base;
  t.id = id_prefix + "-" + base.id;
  t.name = std::move(name);
  t.dim_x = base.dim_x + add_dim_x;
  t.sampler = [s = base.sampler, fx, fy](std::size_t n, std::uint64_t seed) {
    const xy_sample b = s(n, seed);
    return xy_sample{fx(b.x), fy(b.y)};
  };
  return t;
}

template <class F>
row_map entrywise(F f) {
  return [f](const Eigen::MatrixXd& m) { return map_entries(m, f); };
}

inline benchmark_task normal_cdf_task(const benchmark_task& b) {
  return transformed(b, "normal_cdf", "Normal CDF @ " + b.name, entrywise(normal_cdf), entrywise(normal_cdf));
}
inline benchmark_task half_cube_task(const benchmark_task& b) {
  return transformed(b, "half_cube", "Half-cube @ " + b.name, entrywise(half_cube), entrywise(half_cube));
}
inline benchmark_task asinh_task(const benchmark_task& b) {
  auto f = [](double v) { return std::asinh(v); };
  return transformed(b, "asinh", "Asinh @ " + b.name, entrywise(f), entrywise(f));
}
inline benchmark_task wiggly_task(const benchmark_task& b) {
  return transformed(b, "wiggly", "Wiggly @ " + b.name, entrywise(wiggly_x), entrywise(wiggly_y));
}

/// bmi's spiral: the so(dim_x) generator at (0, 1) for X and so(dim_y) at (1, 2) for Y, with
/// speed 1 / dim (bmi's normalize_speed), so the winding does not grow with the dimension.
inline benchmark_task spiral_task(const benchmark_task& b) {
  INFOPLANE_CHECK(b.dim_x >= 2 && b.dim_y >= 3, "spiral_task: needs dim_x >= 2 and dim_y >= 3");
  auto spiral_rows = [](Eigen::Index i, Eigen::Index j, double speed) -> row_map {
    return [=](const Eigen::MatrixXd& m) {
      Eigen::MatrixXd out = m;
      for (Eigen::Index r = 0; r < out.rows(); ++r) {
        Eigen::RowVectorXd row = out.row(r);
        spiral(row, i, j, speed);
        out.row(r) = row;
      }
      return out;
    };
  };
  return transformed(b, "spiral", "Spiral @ " + b.name, spiral_rows(0, 1, 1.0 / double(b.dim_x)),
                     spiral_rows(1, 2, 1.0 / double(b.dim_y)));
}

/// bmi's bimodal task: the uniform (normal-CDF) version of the binormal, pushed through the
/// inverse CDFs of two Gaussian mixtures.
inline benchmark_task bimodal_task(double rho) {
  benchmark_task t = normal_cdf_task(binormal(rho));
  t = transformed(t, "", "Bimodal gaussians 1 × 1",
                  entrywise([](double u) { return invert_cdf(bimodal_cdf_x, u); }),
                  entrywise([](double u) { return invert_cdf(bimodal_cdf_y, u); }));
  t.id = "1v1-bimodal-" + py_float(rho);
  return t;
}

inline benchmark_task swiss_roll_task(const benchmark_task& b) {
  INFOPLANE_CHECK(b.dim_x == 1, "swiss_roll_task: needs dim_x = 1");
  row_map roll = [](const Eigen::MatrixXd& m) {
    Eigen::MatrixXd out(m.rows(), 2);
    for (Eigen::Index r = 0; r < m.rows(); ++r) out.row(r) = swiss_roll(m(r, 0));
    return out;
  };
  return transformed(b, "swissroll_x", "Swiss roll 2 × 1", roll, [](const Eigen::MatrixXd& m) { return m; }, 1);
}

inline benchmark_task toy_dropout_task(std::size_t d, double noise_var, double mi_per_unit) {
  const gaussian_dropout noise{noise_variance{noise_var}};
  benchmark_task t{"dropout-toy-" + std::to_string(d) + "-" + py_float(noise_var),
                   "Toy dropout " + std::to_string(d) + " × " + std::to_string(d) + " (noise variance " + py_float(noise_var) + ")",
                   "dropout", Eigen::Index(d), Eigen::Index(d), double(d) * mi_per_unit, {}, dropout_noise_model{d, noise}};
  // One noisy draw per point (M = 1): the pairs are i.i.d. from the joint of (X, Z).
  t.sampler = [d, noise](std::size_t n, std::uint64_t seed) {
    const toy_pairs p = make_toy_pairs(make_toy_representation(n, d, seed), noise, 1, seed);
    return xy_sample{p.x, p.z};
  };
  return t;
}

}  // namespace detail

/// bmi's BENCHMARK_TASKS_LIST, in its order.
inline const std::vector<benchmark_task>& bmi_tasks() {
  static const std::vector<benchmark_task> tasks = [] {
    using namespace detail;
    const double rho = 0.75;
    const benchmark_task binormal_base = binormal(rho), uniform_base = normal_cdf_task(binormal_base),
                         bistudent = student_identity(1, 1, 1);
    std::vector<benchmark_task> t = {binormal_base,     uniform_base,           additive_noise(0.10), additive_noise(0.75),
                                     bimodal_task(rho), wiggly_task(binormal_base), half_cube_task(binormal_base),
                                     bistudent,         asinh_task(bistudent)};
    t.push_back(swiss_roll_task(uniform_base));
    for (Eigen::Index d : {2, 3, 5, 25, 50}) t.push_back(multinormal_dense(d, d));
    for (Eigen::Index d : {2, 3, 5, 25}) t.push_back(multinormal_2pair(d, d));
    for (auto [d, df] : {std::pair{2, 1}, {2, 2}, {3, 2}, {3, 3}, {5, 2}, {5, 3}}) t.push_back(student_identity(d, d, df));
    const std::vector<benchmark_task> bases = {multinormal_2pair(3, 3), multinormal_2pair(5, 5), multinormal_2pair(25, 25)};
    for (const auto& b : bases) t.push_back(normal_cdf_task(b));
    for (const auto& b : bases) t.push_back(half_cube_task(b));
    for (const auto& b : bases) t.push_back(spiral_task(b));
    for (const auto& b : bases) t.push_back(spiral_task(normal_cdf_task(b)));
    for (auto [d, df] : {std::pair{2, 1}, {3, 2}, {5, 2}}) t.push_back(asinh_task(student_identity(d, d, df)));
    return t;
  }();
  return tasks;
}

/// The paper's toy problem at d in {1, 5, 10, 50} and noise variance in {0.1, 0.4}. The first
/// call computes the two quadrature truths (about a second).
inline const std::vector<benchmark_task>& dropout_tasks() {
  static const std::vector<benchmark_task> tasks = [] {
    std::vector<benchmark_task> t;
    for (double var : {0.1, 0.4}) {
      const double mi1 = toy_truth(gaussian_dropout(noise_variance(var))).mi;
      for (std::size_t d : {1u, 5u, 10u, 50u}) t.push_back(detail::toy_dropout_task(d, var, mi1));
    }
    return t;
  }();
  return tasks;
}

/// bmi's tasks followed by the dropout tasks.
inline std::vector<const benchmark_task*> all_benchmark_tasks() {
  std::vector<const benchmark_task*> out;
  for (const auto& t : bmi_tasks()) out.push_back(&t);
  for (const auto& t : dropout_tasks()) out.push_back(&t);
  return out;
}

/// The task with this id; throws invalid_argument naming the id otherwise.
inline const benchmark_task& find_benchmark_task(const std::string& id) {
  for (const auto* t : all_benchmark_tasks())
    if (t->id == id) return *t;
  infoplane::detail::raise<invalid_argument>("find_benchmark_task: no task with id '" + id + "'");
}

}  // namespace infoplane::validation
