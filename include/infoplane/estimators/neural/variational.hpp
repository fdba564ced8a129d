#pragma once
// Variational lower bounds with one learned critic: Donsker-Varadhan (DV), MINE, NWJ and
// InfoNCE (as analysed by McAllester & Stratos 2020; Poole et al. 2019). The critic is
// separable, S_ij = g(x_i) . h(y_j), with g and h tanh MLPs, so a batch of B costs 2B network
// passes and one B x B product instead of B^2 passes.
//
// Value formulas (kept separate from the training surrogates), on a batch with score matrix S:
//   DV      mean_i S_ii - log mean_{i != j} exp S_ij
//   NWJ     mean_i S_ii - e^-1 mean_{i != j} exp S_ij      (critic optimum S* = 1 + log r)
//   InfoNCE log B + mean_i [S_ii - logsumexp_j S_ij]       (never above log B: the ceiling)
//   MINE    the DV value; training follows the DV gradient with the denominator replaced by a
//           moving average kept in log space: log D <- logaddexp(log a + log D, log(1-a) + LME).
// NWJ may instead be trained with the Jensen-Shannon surrogate; its value is then taken at the
// shifted critic S + 1, because the JS optimum is S = log r.
// Estimates are averaged over held-out batches of the training batch size. Training that
// diverges (the smoothed training loss ends well above its best, as MINE can at high d) is
// reported as status not_converged rather than passed off as an estimate.
#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "infoplane/detail/math.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/estimators/neural/detail/mlp.hpp"
#include "infoplane/estimators/neural/training.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane {

enum class variational_bound { dv, mine, nwj, infonce };
enum class nwj_surrogate { nwj, jensen_shannon };

struct critic_options {
  neural::training_options train{};
  std::size_t embedding = 32;                    ///< width of g(x) and h(y)
  double mine_carry = 0.99;                      ///< weight of the past in MINE's moving average
  nwj_surrogate nwj_training = nwj_surrogate::nwj;
};

template <variational_bound B>
class critic_estimator {
 public:
  static constexpr std::string_view name = B == variational_bound::dv     ? "dv"
                                           : B == variational_bound::mine ? "mine"
                                           : B == variational_bound::nwj  ? "nwj"
                                                                          : "infonce";
  static constexpr bound_kind kind = bound_kind::lower_bound;
  using mat = neural::dense_matrix;

  explicit critic_estimator(critic_options options = {}) : opt_(options) {
    neural::check(opt_.train, name.data());
    INFOPLANE_CHECK(opt_.embedding >= 1, std::string(name) + ": embedding must be >= 1");
    INFOPLANE_CHECK(opt_.mine_carry >= 0 && opt_.mine_carry < 1, std::string(name) + ": mine_carry must lie in [0, 1)");
  }

  [[nodiscard]] bool is_fitted() const noexcept { return g_.has_value(); }

  template <class MX, class MY, neural::TrainingCallback... C>
  void fit(const paired_samples<MX, MY>& train, C&&... callbacks) {
    check_memory(train);
    // Named, not a structured binding: the step lambda captures them (clang 15 refuses bindings).
    const auto dense = neural::to_dense(train, name.data());
    const auto& o = opt_.train;
    INFOPLANE_CHECK(dense.first.rows() >= 2, std::string(name) + ": too few samples: need at least 2");
    sx_ = neural::standardizer(dense.first);
    sy_ = neural::standardizer(dense.second);
    const mat x = sx_(dense.first), y = sy_(dense.second);
    g_.emplace(neural::layer_sizes(x.cols(), o, Eigen::Index(opt_.embedding)), o.seed, o.init);
    h_.emplace(neural::layer_sizes(y.cols(), o, Eigen::Index(opt_.embedding)), o.seed + 1, o.init);
    neural::adam opt_g(o.lr), opt_h(o.lr);
    double log_d = -std::numeric_limits<double>::infinity();  // MINE's moving average, in log space
    Eigen::VectorXd grad_g, grad_h;
    double smooth = std::numeric_limits<double>::quiet_NaN(), best = std::numeric_limits<double>::infinity();
    const auto step = [&](std::size_t s_step, const std::vector<std::size_t>& idx) {
      const mat& gx = g_->forward(neural::rows(x, idx));
      const mat& hy = h_->forward(neural::rows(y, idx));
      const mat s = gx * hy.transpose();
      double loss = 0;
      const mat ds = surrogate_gradient(s, log_d, loss);
      g_->backward(ds * hy, grad_g);
      h_->backward(ds.transpose() * gx, grad_h);
      neural::clip_gradients(o.clip, grad_g, grad_h);
      opt_g.step(g_->params(), grad_g);
      opt_h.step(h_->params(), grad_h);
      smooth = std::isnan(smooth) ? loss : 0.95 * smooth + 0.05 * loss;
      if (s_step >= 20) best = std::min(best, smooth);
      return loss;
    };
    neural::run_training(o, std::size_t(x.rows()), step, [](std::size_t) { return std::optional<double>(); },
                         callbacks...);
    diverged_ = !std::isfinite(smooth) || smooth > best + std::max(1.0, 0.5 * std::abs(best));
    dx_ = x.cols();
    dy_ = y.cols();
  }

  template <class MX, class MY>
  [[nodiscard]] estimate_result estimate(const paired_samples<MX, MY>& test) const {
    if (!is_fitted()) infoplane::detail::raise<logic_error>(std::string(name) + ": estimate() before fit()");
    const auto [raw_x, raw_y] = neural::to_dense(test, name.data());
    INFOPLANE_CHECK(raw_x.cols() == dx_ && raw_y.cols() == dy_,
                    std::string(name) + ": mismatched shapes: not the fitted dimensions");
    const mat x = sx_(raw_x), y = sy_(raw_y);
    const std::size_t b = std::min<std::size_t>(opt_.train.batch, std::size_t(x.rows()));
    INFOPLANE_CHECK(b >= 2, std::string(name) + ": too few samples: need at least 2 held-out samples");
    const mat gx = g_->predict(x), hy = h_->predict(y);
    std::vector<double> values;
    for (std::size_t start = 0; start + b <= std::size_t(x.rows()); start += b) {
      const mat s = gx.middleRows(Eigen::Index(start), Eigen::Index(b)) *
                    hy.middleRows(Eigen::Index(start), Eigen::Index(b)).transpose();
      // A JS-trained critic estimates log r; NWJ's optimum is 1 + log r, so shift it.
      const bool shift = B == variational_bound::nwj && opt_.nwj_training == nwj_surrogate::jensen_shannon;
      values.push_back(value(shift ? mat(s.array() + 1.0) : s));
    }
    double mean = 0, sq = 0;
    for (double v : values) mean += v / double(values.size());
    for (double v : values) sq += (v - mean) * (v - mean);
    auto r = infoplane::detail::result_of<critic_estimator>();
    r.value = mean;
    if (values.size() > 1) r.std_error = std::sqrt(sq / double(values.size() - 1) / double(values.size()));
    r.lower = mean;
    r.n_samples = std::size_t(x.rows());
    if constexpr (B == variational_bound::infonce) {
      r.ceiling = std::log(double(b));
      r.status = infoplane::detail::saturation_status(mean, r.ceiling);
    }
    if (diverged_) r.status = estimate_status::not_converged;
    if (!std::isfinite(mean)) r.status = estimate_status::numerical_issue;
    if (sx_.constant() || sy_.constant()) {  // a constant variable: I = 0 exactly, whatever was trained
      r.value = 0;
      r.lower = 0.0;
      r.std_error = 0;
      r.status = estimate_status::ok;
    }
    return r;
  }

  /// True when the last fit() diverged (see the header comment).
  [[nodiscard]] bool diverged() const noexcept { return diverged_; }

  /// Seeded split of `data`: fit on 1 - holdout, estimate on the held-out part; callbacks as
  /// for fit().
  template <class MX, class MY, neural::TrainingCallback... C>
  [[nodiscard]] estimate_result fit_estimate(const paired_samples<MX, MY>& data, C&&... callbacks) {
    check_memory(data);
    const auto [x, y] = neural::to_dense(data, name.data());
    const auto [tr, te] = neural::split(std::size_t(x.rows()), opt_.train.holdout, opt_.train.seed);
    // Without this, N = 2 was refused as "x: empty data (0 samples)", naming no sample count.
    INFOPLANE_CHECK(tr.size() >= 2 && te.size() >= 2,
                    std::string(name) + ": too few samples: N = " + std::to_string(x.rows()) + " splits into " +
                        std::to_string(tr.size()) + " training and " + std::to_string(te.size()) +
                        " held-out samples (holdout " + std::to_string(opt_.train.holdout) + "); each needs at least 2");
    const mat xt = neural::rows(x, tr), yt = neural::rows(y, tr), xs = neural::rows(x, te), ys = neural::rows(y, te);
    fit(paired_samples{xt, yt}, callbacks...);
    auto r = estimate(paired_samples{xs, ys});
    infoplane::detail::representation_warnings(r, x, "x");  // of all the data, not the held-out part
    return r;
  }

  /// The bound's value for one score matrix (rows: x, columns: y; diagonal: joint pairs).
  static double value(const mat& s) {
    const double n = double(s.rows());
    const double diag = s.diagonal().mean();
    if constexpr (B == variational_bound::infonce) {
      double total = 0;
      for (Eigen::Index i = 0; i < s.rows(); ++i) total += s(i, i) - infoplane::detail::log_sum_exp(s.row(i));
      return std::log(n) + total / n;
    } else {
      const double lme = log_mean_exp_off_diagonal(s);
      if constexpr (B == variational_bound::nwj) return diag - std::exp(lme - 1.0);
      return diag - lme;  // DV and MINE
    }
  }

 private:
  // The two critic networks, and the score matrix of a batch with its gradient and a
  // temporary, 24 B^2 bytes.
  template <class MX, class MY>
  void check_memory(const paired_samples<MX, MY>& in) const {
    const auto& o = opt_.train;
    const auto emb = Eigen::Index(opt_.embedding);
    const long double b = static_cast<long double>(std::min<std::size_t>(o.batch, std::size_t(in.x.rows())));
    neural::require_training_memory(name.data(), std::size_t(in.x.rows()), std::size_t(in.x.cols()),
                                    std::size_t(in.y.cols()), o,
                                    {neural::layer_sizes(in.x.cols(), o, emb), neural::layer_sizes(in.y.cols(), o, emb)},
                                    24 * b * b, " and its " + std::to_string(std::size_t(b)) + " x " +
                                                    std::to_string(std::size_t(b)) + " score matrix");
  }

  static double log_mean_exp_off_diagonal(const mat& s) {
    double m = -std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < s.rows(); ++i)
      for (Eigen::Index j = 0; j < s.cols(); ++j)
        if (i != j) m = std::max(m, s(i, j));
    double sum = 0;
    for (Eigen::Index i = 0; i < s.rows(); ++i)
      for (Eigen::Index j = 0; j < s.cols(); ++j)
        if (i != j) sum += std::exp(s(i, j) - m);
    return m + std::log(sum / (double(s.rows()) * double(s.cols() - 1)));
  }
  static double sigmoid(double v) { return v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v)); }
  static double softplus(double v) { return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); }

  // dLoss/dS for the training surrogate (loss = minus the objective), and the loss itself.
  mat surrogate_gradient(const mat& s, double& log_d, double& loss) const {
    const double n = double(s.rows()), off = n * (n - 1);
    mat ds = mat::Zero(s.rows(), s.cols());
    if constexpr (B == variational_bound::infonce) {
      for (Eigen::Index i = 0; i < s.rows(); ++i) {
        const double l = infoplane::detail::log_sum_exp(s.row(i));
        ds.row(i) = (s.row(i).array() - l).exp() / n;
        ds(i, i) -= 1.0 / n;
        loss -= (s(i, i) - l) / n;
      }
      return ds;
    } else if constexpr (B == variational_bound::nwj) {
      if (opt_.nwj_training == nwj_surrogate::jensen_shannon) {
        for (Eigen::Index i = 0; i < s.rows(); ++i)
          for (Eigen::Index j = 0; j < s.cols(); ++j) {
            if (i == j) {
              ds(i, j) = -sigmoid(-s(i, j)) / n;
              loss += softplus(-s(i, j)) / n;
            } else {
              ds(i, j) = sigmoid(s(i, j)) / off;
              loss += softplus(s(i, j)) / off;
            }
          }
        return ds;
      }
      for (Eigen::Index i = 0; i < s.rows(); ++i)
        for (Eigen::Index j = 0; j < s.cols(); ++j) ds(i, j) = i == j ? -1.0 / n : std::exp(s(i, j) - 1.0) / off;
      loss = -value(s);
      return ds;
    } else {
      // DV: d(-DV)/dS_ij = softmax over the off-diagonal; MINE rescales it by exp(LME - log D).
      const double lme = log_mean_exp_off_diagonal(s);
      double scale = 1.0;
      if constexpr (B == variational_bound::mine) {
        const double a = opt_.mine_carry;
        log_d = std::isinf(log_d) ? lme : logaddexp(std::log(a) + log_d, std::log1p(-a) + lme);
        scale = std::exp(lme - log_d);
      }
      for (Eigen::Index i = 0; i < s.rows(); ++i)
        for (Eigen::Index j = 0; j < s.cols(); ++j)
          ds(i, j) = i == j ? -1.0 / n : scale * std::exp(s(i, j) - lme) / off;
      loss = -(s.diagonal().mean() - lme);
      return ds;
    }
  }

  critic_options opt_;
  bool diverged_ = false;
  Eigen::Index dx_ = 0, dy_ = 0;
  neural::standardizer sx_, sy_;  ///< of the training data
  std::optional<neural::mlp> g_, h_;
};

using dv_bound = critic_estimator<variational_bound::dv>;
using mine_bound = critic_estimator<variational_bound::mine>;
using nwj_bound = critic_estimator<variational_bound::nwj>;
using infonce_bound = critic_estimator<variational_bound::infonce>;

}  // namespace infoplane
