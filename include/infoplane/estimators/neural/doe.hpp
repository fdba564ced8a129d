#pragma once
// Difference-of-entropies estimator (McAllester & Stratos 2020): I = H_q(Y) - H_q(Y|X), with a
// Gaussian or logistic q(Y) and a conditional q(Y|X) whose location and log-scales come from an
// MLP of x, trained jointly by Adam on the sum of the two cross-entropies (their parameters are
// disjoint, so this trains each model on its own loss). The estimate is taken on held-out data.
//
// Correlated coordinates. A factorised q(Y) (the reference karlstratos/doe util.py) has
// H_q(Y) >= H(Y) + TC(Y), Y's total correlation, so on correlated Y the estimate is biased up
// by up to TC(Y) (e.g. 1.24 against 0.593 nats on bmi's dense 5 x 5 multinormal). By default
// both models therefore whiten through a learned unit lower-triangular matrix A before the
// factorised family: w = A (y - mu), -log q(y) = sum_k l(w_k; lambda_k) (det A = 1). For the
// Gaussian this is N(mu, A^-1 diag(e^lambda) A^-T), every covariance (A and lambda are the
// Cholesky factor of the precision, unit-diagonal form, and its log-diagonal). The marginal has
// its own A, mu, lambda, initialised at the training data's mean and covariance; the
// conditional shares one A across x (the residual correlations) while mu(x) and lambda(x)
// come from the MLP. doe_covariance::factorised keeps A = I: the reference, for reproduction.
//
// Model selection never looks at a known MI: with validation data, each model keeps the
// checkpoint of lowest held-out cross-entropy, separately (each cross-entropy upper-bounds its
// entropy, so lower is better for each); select() does the same across hyper-parameter sets.
// The difference of two upper bounds is not a bound: kind = point estimate.
#include <Eigen/Cholesky>
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

enum class doe_family { gaussian, logistic };

/// How each DoE model treats correlations between the coordinates of Y (see the header comment).
enum class doe_covariance {
  full,        ///< learned unit lower-triangular whitening A: full covariance (the default)
  factorised,  ///< A = I, independent coordinates: the reference implementation
};

struct doe_options {
  doe_covariance marginal = doe_covariance::full;     ///< q(Y); full starts at the data's covariance
  doe_covariance conditional = doe_covariance::full;  ///< q(Y|X): one A shared across x
};

template <doe_family F>
class doe_estimator {
 public:
  static constexpr std::string_view name = F == doe_family::gaussian ? "doe" : "doe-logistic";
  static constexpr bound_kind kind = bound_kind::point_estimate;

  explicit doe_estimator(neural::training_options options = {}, doe_options model = {}) : opt_(options), model_(model) {
    neural::check(opt_, name.data());
  }

  [[nodiscard]] bool is_fitted() const noexcept { return cond_.has_value(); }
  [[nodiscard]] const neural::training_options& options() const noexcept { return opt_; }
  [[nodiscard]] const doe_options& model() const noexcept { return model_; }

  /// Trains on `train`; callbacks get on_step(step, loss).
  template <class MX, class MY, neural::TrainingCallback... C>
  void fit(const paired_samples<MX, MY>& train, C&&... callbacks) {
    check_memory(train);
    const auto [x, y] = neural::to_dense(train, name.data());
    standardize_on(x, y);
    run(sx_(x), sy_(y), nullptr, nullptr, callbacks...);
  }

  /// Trains on `train`, keeping for each model the checkpoint of lowest cross-entropy on
  /// `validation`; callbacks also get on_evaluation(step, held-out loss).
  template <class MX, class MY, class VX, class VY, neural::TrainingCallback... C>
  void fit(const paired_samples<MX, MY>& train, const paired_samples<VX, VY>& validation, C&&... callbacks) {
    check_memory(train);
    const auto [x, y] = neural::to_dense(train, name.data());
    const auto [vx, vy] = neural::to_dense(validation, (std::string(name) + ": validation").c_str());
    INFOPLANE_CHECK(vx.cols() == x.cols() && vy.cols() == y.cols(), std::string(name) + ": mismatched shapes: validation columns differ");
    standardize_on(x, y);
    const mat svx = sx_(vx), svy = sy_(vy);
    run(sx_(x), sy_(y), &svx, &svy, callbacks...);
  }

  /// Held-out cross-entropies {H_q(Y), H_q(Y|X)} (nats) of the fitted models on `data`.
  template <class MX, class MY>
  [[nodiscard]] std::pair<double, double> cross_entropies(const paired_samples<MX, MY>& data) const {
    const auto [x, y] = neural::to_dense(data, name.data());
    check_shapes(x, y);
    const auto [hm, hc] = per_sample(sx_(x), sy_(y));
    return {hm.mean() + sy_.log_scale(), hc.mean() + sy_.log_scale()};  // of y in its own units
  }

  template <class MX, class MY>
  [[nodiscard]] estimate_result estimate(const paired_samples<MX, MY>& test) const {
    if (!is_fitted()) infoplane::detail::raise<logic_error>(std::string(name) + ": estimate() before fit()");
    const auto [raw_x, raw_y] = neural::to_dense(test, name.data());
    check_shapes(raw_x, raw_y);
    const auto [hm, hc] = per_sample(sx_(raw_x), sy_(raw_y));
    const Eigen::ArrayXd t = (hm - hc).array();
    auto r = infoplane::detail::result_of<doe_estimator>();
    r.value = t.mean();
    const Eigen::ArrayXd dev2 = (t - t.mean()).square();
    r.std_error = t.size() > 1 ? std::sqrt(dev2.sum() / double(t.size() - 1) / double(t.size()))
                               : std::numeric_limits<double>::quiet_NaN();
    r.n_samples = static_cast<std::size_t>(raw_x.rows());
    // The standard error assumes per-sample terms of finite variance. When one held-out sample
    // carries over a tenth of the sum of squares (Gaussian terms: ~2 ln n / n of it, 5% at
    // n = 200), the terms are heavy-tailed (Cauchy data under Gaussian models) and neither the
    // mean nor its error can be trusted. A value below 0 by more than 3 errors violates MI >= 0.
    if (!std::isfinite(r.value) || (t.size() >= 200 && dev2.maxCoeff() > 0.1 * dev2.sum()))
      r.status = estimate_status::numerical_issue;
    else if (r.value + 3 * *r.std_error < 0)
      r.status = estimate_status::bound_violated;
    if (sx_.constant() || sy_.constant()) {  // a constant variable: I = 0 exactly (DoE gave 0.6 with status ok)
      r.value = 0;
      r.std_error = 0;
      r.status = estimate_status::ok;
    }
    return r;
  }

  /// Splits `data` (seeded) into train / validation / test, fits with checkpoint selection
  /// on validation, and estimates on test (holdout fraction each for validation and test).
  template <class MX, class MY, neural::TrainingCallback... C>
  [[nodiscard]] estimate_result fit_estimate(const paired_samples<MX, MY>& data, C&&... callbacks) {
    check_memory(data);
    const auto [x, y] = neural::to_dense(data, name.data());
    INFOPLANE_CHECK(x.rows() >= 10, std::string(name) + ": too few samples: need at least 10, got " + std::to_string(x.rows()));
    const auto [rest, test] = neural::split(std::size_t(x.rows()), opt_.holdout, opt_.seed);
    const auto [tr, va] = neural::split(rest.size(), opt_.holdout, opt_.seed + 1);
    std::vector<std::size_t> tr_rows, va_rows;
    for (auto i : tr) tr_rows.push_back(rest[i]);
    for (auto i : va) va_rows.push_back(rest[i]);
    const neural::dense_matrix xt = neural::rows(x, tr_rows), yt = neural::rows(y, tr_rows);
    const neural::dense_matrix xv = neural::rows(x, va_rows), yv = neural::rows(y, va_rows);
    const neural::dense_matrix xs = neural::rows(x, test), ys = neural::rows(y, test);
    standardize_on(xt, yt);
    const mat sxv = sx_(xv), syv = sy_(yv);
    run(sx_(xt), sy_(yt), &sxv, &syv, callbacks...);
    auto r = estimate(paired_samples{xs, ys});
    infoplane::detail::representation_warnings(r, x, "x");  // of all the data, not the held-out part
    return r;
  }

  /// Fits one estimator per candidate option set and keeps, separately for q(Y) and q(Y|X),
  /// the model with the lowest cross-entropy on `validation`.
  template <class MX, class MY, class VX, class VY>
  static doe_estimator select(const std::vector<neural::training_options>& candidates,
                              const paired_samples<MX, MY>& train, const paired_samples<VX, VY>& validation,
                              doe_options model = {}) {
    INFOPLANE_CHECK(!candidates.empty(), std::string(name) + ": select() needs at least one candidate");
    std::optional<doe_estimator> best_marginal, best_conditional;
    double hm_best = std::numeric_limits<double>::infinity(), hc_best = hm_best;
    for (const auto& o : candidates) {
      doe_estimator e(o, model);
      e.fit(train, validation);
      const auto [hm, hc] = e.cross_entropies(validation);
      if (hm < hm_best) hm_best = hm, best_marginal = e;
      if (hc < hc_best) hc_best = hc, best_conditional = e;
    }
    doe_estimator out = *best_conditional;
    out.marginal_ = best_marginal->marginal_;
    out.tri_m_ = best_marginal->tri_m_;
    return out;
  }

  using mat = neural::dense_matrix;

  /// d(-log q)/d(parameters) of nll_rows, per row for mu and lambda, summed over rows for A
  /// (strictly lower part; the rest is zero).
  struct nll_gradient {
    mat d_mu, d_lambda, d_a;
  };

  /// -log q(y_i) for each row of y, with location mu, log-scales lambda (one row per y row)
  /// and the unit lower-triangular A: w = A (y - mu), -log q = sum_k l(w_k; 0, lambda_k).
  /// Fills `grad` when given. Public so that tests can check it by finite differences.
  static Eigen::VectorXd nll_rows(const mat& y, const mat& mu, const mat& lambda, const mat& a,
                                  nll_gradient* grad = nullptr) {
    const mat r = y - mu, w = r * a.transpose();  // row i: (A r_i)^T
    Eigen::VectorXd out = Eigen::VectorXd::Zero(y.rows());
    mat g_w(y.rows(), y.cols());
    if (grad) grad->d_lambda.resize(y.rows(), y.cols());
    for (Eigen::Index i = 0; i < y.rows(); ++i)
      for (Eigen::Index k = 0; k < y.cols(); ++k) {
        const nll e = element(w(i, k), 0.0, lambda(i, k));
        out[i] += e.value;
        g_w(i, k) = -e.d_mu;  // d/dw = -d/dmu
        if (grad) grad->d_lambda(i, k) = e.d_lambda;
      }
    if (grad) {
      grad->d_mu = -g_w * a;  // row i: -(A^T g_i)^T
      grad->d_a = (g_w.transpose() * r).template triangularView<Eigen::StrictlyLower>();
    }
    return out;
  }

 private:
  // Per-element negative log-likelihood and its derivatives in (mu, lambda); lambda is the log
  // variance (Gaussian) or the log scale (logistic).
  struct nll {
    double value, d_mu, d_lambda;
  };
  static nll element(double y, double mu, double lambda) noexcept {
    constexpr double half_log_2pi = 0.91893853320467274178;
    if constexpr (F == doe_family::gaussian) {
      const double r = y - mu, inv = std::exp(-lambda);
      return {0.5 * r * r * inv + 0.5 * lambda + half_log_2pi, -r * inv, 0.5 - 0.5 * r * r * inv};
    } else {
      const double inv = std::exp(-lambda), w = (y - mu) * inv;
      const double softplus = w > 0 ? std::log1p(std::exp(-w)) : std::log1p(std::exp(w)) - w;  // log(1 + e^-w)
      const double t = std::tanh(0.5 * w);
      return {w + 2.0 * softplus + lambda, -t * inv, 1.0 - w * t};
    }
  }

  // The conditional network, and the dy x dy matrices (the two A, their checkpoints, gradients
  // and Adam moments, the marginal's covariance and factors: 20 dy^2 doubles) and the
  // per-sample residuals, whitened values, gradients and locations (7 N dy doubles).
  template <class MX, class MY>
  void check_memory(const paired_samples<MX, MY>& in) const {
    const long double n = static_cast<long double>(in.x.rows()), dy = static_cast<long double>(in.y.cols());
    neural::require_training_memory(name.data(), std::size_t(in.x.rows()), std::size_t(in.x.cols()),
                                    std::size_t(in.y.cols()), opt_, {neural::layer_sizes(in.x.cols(), opt_, 2 * in.y.cols())},
                                    160 * dy * dy + 56 * n * dy, " and q(Y)'s dy x dy matrices");
  }

  void standardize_on(const mat& x, const mat& y) {
    INFOPLANE_CHECK(x.rows() >= 2, std::string(name) + ": too few samples: need at least 2");
    sx_ = neural::standardizer(x);
    sy_ = neural::standardizer(y);
  }

  void check_shapes(const mat& x, const mat& y) const {
    INFOPLANE_CHECK(x.cols() == dx_ && y.cols() == dy_,
                    std::string(name) + ": mismatched shapes: fitted on " + std::to_string(dx_) + " x " + std::to_string(dy_) +
                        " dimensions, given " + std::to_string(x.cols()) + " x " + std::to_string(y.cols()));
  }

  mat tri(const Eigen::VectorXd& packed) const { return Eigen::Map<const mat>(packed.data(), dy_, dy_); }
  // The marginal's location and log-scales, one row per sample.
  mat marginal_rows(Eigen::Index n, Eigen::Index offset) const {
    return marginal_.segment(offset, dy_).transpose().replicate(n, 1);
  }

  // Per-sample -log q(y) and -log q(y|x).
  std::pair<Eigen::VectorXd, Eigen::VectorXd> per_sample(const mat& x, const mat& y) const {
    const mat out = cond_->predict(x);
    return {nll_rows(y, marginal_rows(y.rows(), 0), marginal_rows(y.rows(), dy_), tri(tri_m_)),
            nll_rows(y, out.leftCols(dy_), out.rightCols(dy_), tri(tri_c_))};
  }

  // The full marginal starts at the training data's moments: mean mu, and for covariance
  // C C^T (Cholesky), A = (C diag(C)^-1)^-1 with scales from diag(C). The factorised marginal
  // keeps the reference's N(0, 1) start.
  void init_marginal(const mat& y) {
    marginal_ = Eigen::VectorXd::Zero(2 * dy_);  // mu = 0, log scale = 0 (the reference's embedding init aside)
    const mat eye = mat::Identity(dy_, dy_);
    tri_m_ = Eigen::Map<const Eigen::VectorXd>(eye.data(), dy_ * dy_);
    tri_c_ = tri_m_;
    if (model_.marginal != doe_covariance::full || y.rows() < 2) return;
    const Eigen::RowVectorXd mean = y.colwise().mean();
    const mat centred = y.rowwise() - mean;
    const Eigen::LLT<mat> llt(centred.transpose() * centred / double(y.rows() - 1));
    if (llt.info() != Eigen::Success) return;
    const mat c = llt.matrixL();
    const Eigen::VectorXd sd = c.diagonal();
    if ((sd.array() <= 0).any() || !sd.allFinite()) return;
    const mat unit = c * sd.cwiseInverse().asDiagonal();
    const mat a = unit.triangularView<Eigen::UnitLower>().solve(mat::Identity(dy_, dy_));
    tri_m_ = Eigen::Map<const Eigen::VectorXd>(a.data(), dy_ * dy_);
    marginal_.head(dy_) = mean.transpose();
    // Gaussian: lambda is the log variance; logistic: the log scale, sd sqrt(3) / pi.
    marginal_.tail(dy_) = F == doe_family::gaussian ? Eigen::VectorXd(2.0 * sd.array().log())
                                                    : Eigen::VectorXd((sd.array() * (std::sqrt(3.0) / 3.14159265358979323846)).log());
  }

  template <class... C>
  void run(const mat& x, const mat& y, const mat* vx, const mat* vy, C&... callbacks) {
    INFOPLANE_CHECK(x.rows() >= 2, std::string(name) + ": too few samples: need at least 2");
    dx_ = x.cols();
    dy_ = y.cols();
    cond_.emplace(neural::layer_sizes(dx_, opt_, 2 * dy_), opt_.seed, opt_.init);
    init_marginal(y);
    neural::adam opt_m(opt_.lr), opt_c(opt_.lr), opt_tm(opt_.lr), opt_tc(opt_.lr);
    Eigen::VectorXd best_m = marginal_, best_tm = tri_m_, best_c = cond_->params(), best_tc = tri_c_, grad_c;
    double best_hm = std::numeric_limits<double>::infinity(), best_hc = best_hm;
    const bool learn_tm = model_.marginal == doe_covariance::full, learn_tc = model_.conditional == doe_covariance::full;
    const auto step = [&](std::size_t, const std::vector<std::size_t>& idx) {
      const mat xb = neural::rows(x, idx), yb = neural::rows(y, idx);
      const double b = double(idx.size());
      const mat& out = cond_->forward(xb);
      nll_gradient gm, gc;
      const double loss = (nll_rows(yb, marginal_rows(yb.rows(), 0), marginal_rows(yb.rows(), dy_), tri(tri_m_), &gm).sum() +
                           nll_rows(yb, out.leftCols(dy_), out.rightCols(dy_), tri(tri_c_), &gc).sum()) / b;
      Eigen::VectorXd g_m(2 * dy_);
      g_m << gm.d_mu.colwise().sum().transpose() / b, gm.d_lambda.colwise().sum().transpose() / b;
      mat g_out(out.rows(), out.cols());
      g_out << gc.d_mu / b, gc.d_lambda / b;
      // A = I stays fixed for a factorised model: its gradient is dropped.
      Eigen::VectorXd g_tm = Eigen::VectorXd::Zero(dy_ * dy_), g_tc = g_tm;
      if (learn_tm) g_tm = Eigen::Map<const Eigen::VectorXd>(gm.d_a.data(), dy_ * dy_) / b;
      if (learn_tc) g_tc = Eigen::Map<const Eigen::VectorXd>(gc.d_a.data(), dy_ * dy_) / b;
      cond_->backward(g_out, grad_c);
      neural::clip_gradients(opt_.clip, g_m, g_tm, grad_c, g_tc);
      opt_m.step(marginal_, g_m);
      opt_c.step(cond_->params(), grad_c);
      if (learn_tm) opt_tm.step(tri_m_, g_tm);  // zero gradient off the strict lower part: those stay
      if (learn_tc) opt_tc.step(tri_c_, g_tc);
      return loss;
    };
    // Each model keeps its own best checkpoint on the validation data.
    const auto evaluate = [&](std::size_t) -> std::optional<double> {
      if (!vx) return std::nullopt;
      const auto [hm, hc] = per_sample(*vx, *vy);
      const double m = hm.mean(), c = hc.mean();
      if (m < best_hm) best_hm = m, best_m = marginal_, best_tm = tri_m_;
      if (c < best_hc) best_hc = c, best_c = cond_->params(), best_tc = tri_c_;
      return m + c;
    };
    neural::run_training(opt_, std::size_t(x.rows()), step, evaluate, callbacks...);
    if (vx) {
      marginal_ = best_m;
      tri_m_ = best_tm;
      cond_->params() = best_c;
      tri_c_ = best_tc;
    }
  }

  neural::training_options opt_;
  doe_options model_;
  Eigen::Index dx_ = 0, dy_ = 0;
  Eigen::VectorXd marginal_;     ///< mu and lambda of q(Y)
  Eigen::VectorXd tri_m_, tri_c_;  ///< A of q(Y) and of q(Y|X), dy x dy column-major
  neural::standardizer sx_, sy_;   ///< of the training data: the models see standardised x and y
  std::optional<neural::mlp> cond_;
};

using doe = doe_estimator<doe_family::gaussian>;
using doe_logistic = doe_estimator<doe_family::logistic>;

}  // namespace infoplane
