// Information dropout (lognormal_dropout): log Z | x ~ N(log f(x), diag alpha(x)^2), so the
// dropout estimators run on log Z with per-component variances. Truths are computed here:
// quadrature of the 1-D two-component mixture, closed-form Gaussian entropies.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "infoplane/estimators/dropout/gaussian_bound.hpp"
#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/estimators/dropout/noisy_samples.hpp"
#include "infoplane/estimators/dropout/pairwise.hpp"
#include "infoplane/io/npy.hpp"
#include "infoplane/plane/information_plane.hpp"
#include "ip_command.hpp"
#include "support/io_files.hpp"
#include "support/two_component_truth.hpp"

using namespace infoplane;

namespace {
constexpr double pi = 3.14159265358979323846;

// Two data points, one unit: f = (1.0, 1.6), alpha = (0.15, 0.4).
struct two_points {
  Eigen::MatrixXd f{{1.0}, {1.6}};
  Eigen::MatrixXd alpha{{0.15}, {0.4}};
  double truth = test::two_component_mi(std::log(1.0), 0.15, std::log(1.6), 0.4);
};
}  // namespace

TEST_CASE("lognormal dropout: dropout-mc matches quadrature, two points with different alpha", "[dropout][lognormal][threads]") {
  const two_points t;
  const noisy_representation in{t.f, lognormal_dropout(t.alpha)};
  const auto r = dropout_mixture({.noise_draws = 40000, .seed = 5}).report(in);
  INFO("value " << r.mi.value << " se " << *r.mi.std_error << " truth " << t.truth);
  REQUIRE(t.truth > 0.2);  // a case where the alphas matter: not saturated, not near 0
  CHECK(std::abs(r.mi.value - t.truth) < 4.0 * *r.mi.std_error + 1e-12);
  CHECK(*r.mi.std_error < 0.01);
  // h(log Z | X): mean over the points of 1/2 log(2 pi e alpha^2).
  const double h_cond = 0.25 * (std::log(2 * pi * std::exp(1.0) * 0.15 * 0.15) + std::log(2 * pi * std::exp(1.0) * 0.4 * 0.4));
  CHECK_THAT(r.h_z_given_x, Catch::Matchers::WithinAbs(h_cond, 1e-12));
  CHECK(r.mi.kind == bound_kind::point_estimate);
  CHECK_THAT(*r.mi.ceiling, Catch::Matchers::WithinAbs(std::log(2.0), 1e-15));
}

TEST_CASE("lognormal dropout: the Gaussian bound is the closed form in log Z, and above the truth", "[dropout][lognormal][threads]") {
  const two_points t;
  const noisy_representation in{t.f, lognormal_dropout(t.alpha)};
  // Var log Z = Var log f(X) + E alpha^2 for X uniform over the two points.
  const double var = 0.25 * std::log(1.6) * std::log(1.6) + 0.5 * (0.15 * 0.15 + 0.4 * 0.4);
  const double h_cond = 0.25 * (std::log(2 * pi * std::exp(1.0) * 0.15 * 0.15) + std::log(2 * pi * std::exp(1.0) * 0.4 * 0.4));
  const double bound = 0.5 * std::log(2 * pi * std::exp(1.0) * var) - h_cond;
  const auto r = dropout_gaussian_bound().report(in);
  CHECK_THAT(r.mi.value, Catch::Matchers::WithinAbs(bound, 1e-12));
  CHECK(r.mi.value >= t.truth);
  // The sample source estimates the same covariance from draws of log Z.
  const auto s = dropout_gaussian_bound({.source = covariance_source::sample, .noise_draws = 20000, .seed = 2}).report(in);
  CHECK_THAT(s.mi.value, Catch::Matchers::WithinAbs(bound, 0.02));
}

TEST_CASE("lognormal dropout: pairwise bounds bracket the quadrature truth", "[dropout][lognormal][threads]") {
  const two_points t;
  const noisy_representation in{t.f, lognormal_dropout(t.alpha)};
  const double kl = dropout_pairwise_kl().estimate(in).value, bd = dropout_pairwise_bd().estimate(in).value;
  INFO("bd " << bd << " truth " << t.truth << " kl " << kl);
  CHECK(bd <= t.truth);
  CHECK(t.truth <= kl);
}

TEST_CASE("lognormal dropout with constant small alpha agrees with Gaussian dropout (first order)", "[dropout][lognormal][threads]") {
  // log(f (1 + s e)) = log f + s e + O(s^2): with alpha = s the two models coincide to first
  // order, and on the same seed they use the same e.
  const Eigen::Index n = 300;
  Eigen::MatrixXd f(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) {
    f(i, 0) = 1.0 + 0.2 * double(i) / double(n);
    f(i, 1) = 2.0 + 0.3 * std::sin(0.1 * double(i));
  }
  const double s = 0.005;
  const Eigen::MatrixXd alpha = Eigen::MatrixXd::Constant(n, 2, s);
  const dropout_mixture mix({.noise_draws = 20, .seed = 9});
  const auto g = mix.report(noisy_representation{f, gaussian_dropout(noise_std(s))});
  const auto l = mix.report(noisy_representation{f, lognormal_dropout(alpha)});
  INFO("gaussian " << g.mi.value << " lognormal " << l.mi.value);
  REQUIRE(g.mi.value > 1.0);
  REQUIRE(g.mi.value < 0.9 * std::log(double(n)));  // not saturated
  const double small = std::abs(g.mi.value - l.mi.value);
  CHECK(small < 0.002);
  CHECK(std::abs(*g.mi.upper - *l.mi.upper) < 0.002);
  // h(log Z | X) = h(Z | X) - E log f summed over units, exactly.
  const double e_log_f = f.array().log().sum() / double(n);
  CHECK_THAT(l.h_z_given_x, Catch::Matchers::WithinAbs(g.h_z_given_x - e_log_f, 1e-9));
  // A larger alpha is a different noise model: there the two must differ.
  const Eigen::MatrixXd big = Eigen::MatrixXd::Constant(n, 2, 0.5);
  const auto gb = mix.report(noisy_representation{f, gaussian_dropout(noise_std(0.5))});
  const auto lb = mix.report(noisy_representation{f, lognormal_dropout(big)});
  CHECK(std::abs(gb.mi.value - lb.mi.value) > 10 * small);
}

TEST_CASE("lognormal dropout: noisy draws are log Z, mean log f and sd alpha", "[dropout][lognormal][threads]") {
  Eigen::MatrixXd f{{0.5, 3.0}}, alpha{{0.2, 0.05}};
  const Eigen::MatrixXd z = draw_noisy_samples(f, lognormal_dropout(alpha), 40000, 4);
  for (Eigen::Index k = 0; k < 2; ++k) {
    const double mean = z.col(k).mean();
    const double sd = std::sqrt((z.col(k).array() - mean).square().sum() / double(z.rows() - 1));
    CHECK_THAT(mean, Catch::Matchers::WithinAbs(std::log(f(0, k)), 4 * alpha(0, k) / 200.0));
    CHECK_THAT(sd, Catch::Matchers::WithinRel(alpha(0, k), 0.02));
  }
}

TEST_CASE("lognormal dropout: an information-plane point, every part on log Z", "[dropout][lognormal][plane][threads]") {
  const Eigen::Index n = 60;
  Eigen::MatrixXd f(n, 3), alpha(n, 3);
  std::vector<int> y(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    y[std::size_t(i)] = int(i % 3);
    for (Eigen::Index k = 0; k < 3; ++k) {
      f(i, k) = 0.5 + double(y[std::size_t(i)] == k) + 0.01 * double(i);
      alpha(i, k) = 0.1 + 0.05 * double(k);
    }
  }
  const auto p = information_plane_point(f, y, lognormal_dropout(alpha),
                                         {.noise_draws = 4, .seed = 1, .pairwise_bounds = true,
                                          .label_estimators = {"mixture", "binning"}});
  const auto direct = dropout_mixture({.noise_draws = 4, .seed = detail::point_seed(1, 0, "train")})
                          .report(noisy_representation{f, lognormal_dropout(alpha)});
  CHECK_THAT(p.i_xz.value, Catch::Matchers::WithinAbs(direct.mi.value, 1e-9));  // the label pass sums in class order
  REQUIRE(p.i_xz_gauss_bound);
  CHECK(p.i_xz_pairwise_bd->value <= p.i_xz_pairwise_kl->value);
  CHECK(p.i_xz_gauss_bound->value >= p.i_xz.value);
}

TEST_CASE("lognormal dropout: bad input is refused with the row and column", "[dropout][lognormal][bad-input]") {
  Eigen::MatrixXd f{{1.0, 2.0}, {0.5, 1.5}}, alpha{{0.1, 0.1}, {0.1, 0.1}};
  const dropout_mixture mix({.noise_draws = 2});
  auto run = [&](const Eigen::MatrixXd& ff, const Eigen::MatrixXd& aa) {
    return mix.estimate(noisy_representation{ff, lognormal_dropout(aa)});
  };
  Eigen::MatrixXd bad_f = f;
  bad_f(1, 0) = 0.0;
  CHECK_THROWS_WITH(run(bad_f, alpha), Catch::Contains("needs f > 0") && Catch::Contains("row 1, column 0"));
  Eigen::MatrixXd bad_a = alpha;
  bad_a(0, 1) = -0.1;
  CHECK_THROWS_WITH(run(f, bad_a), Catch::Contains("alpha must be finite and > 0") && Catch::Contains("row 0, column 1"));
  bad_a(0, 1) = std::nan("");
  CHECK_THROWS_WITH(run(f, bad_a), Catch::Contains("alpha must be finite and > 0"));
  const Eigen::MatrixXd short_a = alpha.topRows(1);
  CHECK_THROWS_WITH(run(f, short_a), Catch::Contains("mismatched shapes: alpha is 1 x 2 but means are 2 x 2"));
  bad_a = alpha;
  bad_a(1, 1) = 1e-200;  // alpha^2 underflows: refused, not a silent infinity
  CHECK_THROWS_WITH(run(f, bad_a), Catch::Contains("too small"));
  CHECK_THROWS_AS(dropout_gaussian_bound().estimate(noisy_representation{bad_f, lognormal_dropout(alpha)}), invalid_argument);
}

namespace {
// A folder in the seed layout: epoch 0, both splits, with alpha files for the train split
// only unless `both`.
std::string alpha_folder(const std::string& name, bool both, Eigen::MatrixXd& f, Eigen::MatrixXd& alpha) {
  namespace fs = std::filesystem;
  const std::string dir = test::temp_path(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Eigen::Index n = 40;
  f.resize(n, 2);
  alpha.resize(n, 2);
  Eigen::MatrixXd y(n, 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    y(i, 0) = double(i % 2);
    f(i, 0) = 0.5 + 0.05 * double(i);
    f(i, 1) = 1.0 + double(i % 2);
    alpha(i, 0) = 0.2;
    alpha(i, 1) = 0.1 + 0.01 * double(i % 5);
  }
  for (const std::string split : {"train", "test"}) {
    io::write_npy(dir + "/no_noise_" + split + "_representations_0.npy", f);
    io::write_npy(dir + "/" + split + "_labels.npy", y);
    if (split == "train" || both) io::write_npy(dir + "/alpha_" + split + "_0.npy", alpha);
  }
  return dir;
}

int run_ip_quiet(ip::ip_options o, std::string* progress = nullptr) {
  o.quiet = true;
  std::ostringstream p, s;
  const int rc = ip::run_ip(o, p, s);
  if (progress) *progress = p.str();
  return rc;
}
}  // namespace

TEST_CASE("ip: alpha files make a point information dropout, with no noise flag needed", "[plane][ip][lognormal][threads]") {
  Eigen::MatrixXd f, alpha;
  const std::string dir = alpha_folder("alpha_both", true, f, alpha);
  const auto in = ip::scan_directory(dir);
  REQUIRE(in.epochs.at(0).alpha_train);
  REQUIRE(in.epochs.at(0).alpha_test);
  ip::ip_options o;
  o.dir = dir;
  o.seed = 3;
  o.m_train = 2;
  REQUIRE(run_ip_quiet(o) == 0);
  // The train row is the library's lognormal point with the same options.
  std::ifstream csv(dir + "/ip/information_plane.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  std::vector<std::string> cells;
  std::stringstream ss(row);
  for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
  REQUIRE(cells.size() > 5);
  CHECK(cells[1] == "train");
  const auto mix = dropout_mixture({.noise_draws = 2, .seed = detail::point_seed(3, 0, "train")})
                       .report(noisy_representation{f, lognormal_dropout(alpha)});
  CHECK_THAT(std::stod(cells[5]), Catch::Matchers::WithinAbs(mix.mi.value, 1e-9));  // column i_xz
  std::ifstream jf(dir + "/ip/information_plane.json");
  const auto j = nlohmann::json::parse(jf);
  CHECK(j["points"][0]["noise"].get<std::string>().find("information dropout") == 0);
  CHECK(j["options"]["noise_variance"].is_null());
  // Every file has its alpha: a noise flag would change nothing, so it is refused, not ignored.
  o.noise_var = 0.1;
  CHECK_THROWS_WITH(run_ip_quiet(o), Catch::Contains("--noise-var does nothing here: every chosen representation file"));
}

TEST_CASE("ip: alpha problems are refused, naming the file or the flag", "[plane][ip][lognormal][bad-input][threads]") {
  Eigen::MatrixXd f, alpha;
  const std::string dir = alpha_folder("alpha_train_only", false, f, alpha);
  ip::ip_options o;
  o.dir = dir;
  // The test split has no alpha: Gaussian dropout there, so a noise flag is required.
  CHECK_THROWS_WITH(run_ip_quiet(o), Catch::Contains("give exactly one of --noise-var"));
  o.noise_var = 0.25;
  CHECK(run_ip_quiet(o) == 0);
  // A bad alpha refuses that point only, naming the alpha file.
  Eigen::MatrixXd bad = alpha;
  bad(3, 1) = -1.0;
  io::write_npy(dir + "/alpha_train_0.npy", bad);
  std::string progress;
  CHECK(run_ip_quiet(o, &progress) == 1);
  CHECK(progress.find("alpha_train_0.npy: ") != std::string::npos);
  CHECK(progress.find("alpha must be finite and > 0, got -1") != std::string::npos);
  io::write_npy(dir + "/alpha_train_0.npy", Eigen::MatrixXd(bad.topRows(5)));
  CHECK(run_ip_quiet(o, &progress) == 1);
  CHECK(progress.find("alpha_train_0.npy: alpha is 5 x 2 but the representations are 40 x 2") != std::string::npos);
  // An alpha file without its representations is a folder error.
  io::write_npy(dir + "/alpha_test_7.npy", alpha);
  CHECK_THROWS_WITH(ip::scan_directory(dir), Catch::Contains("alpha_test_7.npy: no representation file"));
}
