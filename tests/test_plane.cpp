// One information-plane point (plane/information_plane.hpp), against closed forms.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/plane/information_plane.hpp"
#include "infoplane/validation/toy.hpp"
#include "support/label_entropy.hpp"

using namespace infoplane;
using Catch::Matchers::WithinAbs;
using test::label_entropy;

namespace {

// n points, each in its own far-apart spot.
Eigen::MatrixXd separated(std::size_t n, std::size_t d) {
  Eigen::MatrixXd f(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) f(Eigen::Index(i), Eigen::Index(k)) = 1.0 + double((i * (k + 3)) % n) + 0.5 * double(k);
  return f;
}

const gaussian_dropout small_noise(noise_std(1e-3));

}  // namespace

TEST_CASE("plane: well-separated representations give I(X:Z) = log N and I(Z:Y) = H(Y)", "[plane][closed]") {
  const std::size_t n = 120;
  const auto f = separated(n, 3);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = int(i % 4 == 3 ? 2 : i % 2);  // unbalanced: 3 classes
  const auto p = information_plane_point(
      f, y, small_noise, {.noise_draws = 2, .label_estimators = {"mixture", "ksg", "edge", "binning"}});
  const double h_y = label_entropy(y);
  CHECK(std::abs(p.i_xz.value - std::log(double(n))) <= std::max(3.0 * *p.i_xz.std_error, 1e-9));
  CHECK(p.i_xz.status == estimate_status::saturated);
  CHECK(*p.i_xz.ceiling == Approx(std::log(double(n))));
  REQUIRE(p.i_zy_mixture);
  CHECK_THAT(p.i_zy_mixture->value, WithinAbs(h_y, 1e-9));
  CHECK_THAT(p.h_y, WithinAbs(h_y, 1e-12));
  CHECK(p.i_zy_mixture->target == estimate_target::dataset);
  CHECK(p.i_zy_mixture->status == estimate_status::saturated);
  REQUIRE(p.i_zy_ksg);  // one spot per point: KSG's k = 3 neighbours lie in other spots (next test)
  REQUIRE(p.i_zy_edge);
  REQUIRE(p.i_zy_binning);
  CHECK(p.i_zy_binning->value <= h_y + 1e-12);
  REQUIRE(p.i_xz_gauss_bound);
  CHECK(p.i_xz_gauss_bound->value >= p.i_xz.value - 3.0 * *p.i_xz.std_error);
  CHECK(p.n == n);
  CHECK(p.d == 3);
  CHECK(p.m == 2);
  CHECK(p.classes == 3);
  CHECK(p.seconds.count("i_xz"));
  CHECK(p.seconds.count("ksg"));
}

TEST_CASE("plane: one tight cluster per class gives I(Z:Y) = H(Y) for the label estimators", "[plane][closed]") {
  const std::size_t n = 600;
  Eigen::MatrixXd f(static_cast<Eigen::Index>(n), 2);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = int(i % 3);
    auto rng = detail::rng_stream(3, i);
    for (Eigen::Index k = 0; k < 2; ++k) f(Eigen::Index(i), k) = 10.0 * (y[i] + 1) + rng.normal();
  }
  const auto p = information_plane_point(f, y, gaussian_dropout(noise_variance(1e-4)),  // sd 0.01 f: no overlap
                                         {.noise_draws = 2, .label_estimators = {"mixture", "ksg", "edge", "binning"}});
  INFO("mixture " << p.i_zy_mixture->value << ", ksg " << p.i_zy_ksg->value << ", edge " << p.i_zy_edge->value
                  << ", binning " << p.i_zy_binning->value);
  CHECK_THAT(p.i_zy_mixture->value, WithinAbs(std::log(3.0), 1e-9));
  CHECK_THAT(p.i_zy_ksg->value, WithinAbs(std::log(3.0), 0.01));
  CHECK_THAT(p.i_zy_edge->value, WithinAbs(std::log(3.0), 0.05));
  CHECK_THAT(p.i_zy_binning->value, WithinAbs(std::log(3.0), 1e-12));  // 30 bins: no bin spans two clusters
}

TEST_CASE("plane: identical rows give 0 everywhere", "[plane][closed]") {
  const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(80, 4, 0.7);
  std::vector<int> y(80);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 2);
  const auto p = information_plane_point(f, y, gaussian_dropout(noise_variance(0.2)),
                                         {.noise_draws = 3, .label_estimators = {"mixture"}, .bins = {10}});
  CHECK_THAT(p.i_xz.value, WithinAbs(0.0, 1e-12));
  CHECK_THAT(p.i_zy_mixture->value, WithinAbs(0.0, 1e-12));
  CHECK_THAT(p.i_xz_gauss_bound->value, WithinAbs(0.0, 1e-9));
  REQUIRE(p.binning.size() == 1);
  CHECK(p.binning[0].i_xt.value == 0.0);
  CHECK(p.binning[0].i_ty.value == 0.0);
}

TEST_CASE("plane: labels independent of Z give I(Z:Y) near 0 for every label estimator", "[plane][independent]") {
  const std::size_t n = 4000;
  const auto f = make_toy_representation(n, 1, 31);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = int(detail::rng_stream(5, i).below(2));
  const auto p = information_plane_point(
      f, y, gaussian_dropout(noise_variance(0.4)),
      {.noise_draws = 1, .label_estimators = {"mixture", "edge", "ksg", "binning"}, .bins = {30}});
  INFO("mixture " << p.i_zy_mixture->value << " +- " << *p.i_zy_mixture->std_error << ", edge " << p.i_zy_edge->value
                  << ", ksg " << p.i_zy_ksg->value << ", binning " << p.i_zy_binning->value);
  CHECK(std::abs(p.i_zy_mixture->value) < 0.003 + 3.0 * *p.i_zy_mixture->std_error);
  CHECK(std::abs(p.i_zy_ksg->value) < 0.01);
  // EDGE floors every cell at 0.001 nats; binning's plug-in is biased up by about (K - 1)(C - 1) / 2N.
  CHECK(p.i_zy_edge->value < 0.02);
  CHECK(p.i_zy_binning->value >= 0.0);
  CHECK(p.i_zy_binning->value < 0.01);
  for (const auto* r : {&p.i_zy_mixture, &p.i_zy_edge, &p.i_zy_ksg, &p.i_zy_binning})
    CHECK((*r)->status != estimate_status::bound_violated);
}

TEST_CASE("plane: binning plane against hand counts", "[plane][binning]") {
  // Two equal-width bins over [0, 1]: codes 0 0 1 1 1; labels 0 0 1 1 0.
  Eigen::MatrixXd f(5, 1);
  f << 0.0, 0.1, 0.5, 0.9, 1.0;
  const std::vector<int> y = {0, 0, 1, 1, 0};
  const Eigen::MatrixXd g = f.array() + 0.5;  // bins over [0.5, 1.5]: the same codes
  const auto q = information_plane_point(g, y, small_noise, {.gaussian_bound = false, .label_estimators = {}, .bins = {2}});
  const double h_t = -(0.4 * std::log(0.4) + 0.6 * std::log(0.6));
  // I(T;Y) = H(Y) - H(Y|T): T=0 holds y {0,0} (H 0), T=1 holds {1,1,0}.
  const double h_y = -(0.6 * std::log(0.6) + 0.4 * std::log(0.4));
  const double h_y_t = 0.6 * -((2.0 / 3) * std::log(2.0 / 3) + (1.0 / 3) * std::log(1.0 / 3));
  REQUIRE(q.binning.size() == 1);
  CHECK(*q.binning[0].bins == 2);
  CHECK_THAT(q.binning[0].i_xt.value, WithinAbs(h_t, 1e-12));
  CHECK_THAT(q.binning[0].i_ty.value, WithinAbs(h_y - h_y_t, 1e-12));
  CHECK_FALSE(q.i_xz_gauss_bound);
  CHECK_FALSE(q.i_zy_mixture);
  // By size: floor(v / 0.5) of 0.5..1.5 gives 1 1 2 2 3.
  const auto r = information_plane_point(g, y, small_noise, {.label_estimators = {}, .bin_sizes = {0.5}});
  const double h_sz = -(2 * 0.4 * std::log(0.4) + 0.2 * std::log(0.2));
  CHECK_THAT(r.binning[0].i_xt.value, WithinAbs(h_sz, 1e-12));
  CHECK(*r.binning[0].bin_size == 0.5);
}

TEST_CASE("plane: the cross-entropy bound and the held-out bracket", "[plane][bounds]") {
  const auto f = make_toy_representation(300, 2, 3);
  std::vector<int> y(300);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = f(Eigen::Index(i), 0) > 0.5;
  const double h_y = label_entropy(y);
  information_plane_options o{.noise_draws = 2, .cross_entropy = 0.3};
  const auto train = information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)), o);
  REQUIRE(train.i_zy_ce_bound);
  CHECK_THAT(train.i_zy_ce_bound->value, WithinAbs(h_y - 0.3, 1e-12));
  CHECK(train.i_zy_ce_bound->kind == bound_kind::lower_bound);
  CHECK(train.i_zy_ce_bound->target == estimate_target::population);
  CHECK_FALSE(train.i_zy_lower);  // not held out: no population bracket
  CHECK_FALSE(train.i_zy_upper);
  o.held_out = true;
  o.split = "test";
  o.class_entropy = std::log(2.0);
  const auto test = information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)), o);
  CHECK_THAT(*test.i_zy_lower, WithinAbs(std::log(2.0) - 0.3, 1e-12));
  CHECK_THAT(*test.i_zy_upper, WithinAbs(test.i_zy_mixture->value + std::log(2.0) - h_y, 1e-12));
}

TEST_CASE("plane: a value above a data-processing bound is flagged", "[plane][bounds]") {
  // Identical rows: I(X;Z) = 0 (plug-in and leave-one-out), so H(Y) - CE = H(Y) > 0 violates it.
  const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(50, 2, 1.3);
  std::vector<int> y(50);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 2);
  const auto p = information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)),
                                         {.noise_draws = 2, .cross_entropy = 0.0});
  CHECK(p.i_zy_ce_bound->status == estimate_status::bound_violated);
  CHECK(to_string(p.i_zy_ce_bound->status) == "bound_violated");
  CHECK(p.i_zy_mixture->status != estimate_status::bound_violated);
}

TEST_CASE("plane: seeded by (seed, epoch, split), not by the thread count", "[plane][seed]") {
  const auto f = make_toy_representation(400, 3, 8);
  std::vector<int> y(400);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 3);
  auto point = [&](std::uint64_t epoch, std::string split, unsigned threads) {
    return information_plane_point(f, y, gaussian_dropout(noise_variance(0.4)),
                                   {.noise_draws = 2, .seed = 5, .epoch = epoch, .split = split, .threads = threads,
                                    .label_estimators = {"mixture", "ksg", "edge"}});
  };
  const auto a = point(4, "train", 1), b = point(4, "train", 2), c = point(6, "train", 1), e = point(4, "test", 1);
  CHECK(a.i_xz.value == b.i_xz.value);
  CHECK(a.i_zy_mixture->value == b.i_zy_mixture->value);
  CHECK(a.i_zy_ksg->value == b.i_zy_ksg->value);
  CHECK(a.i_zy_edge->value == b.i_zy_edge->value);
  CHECK(a.i_xz.value != c.i_xz.value);
  CHECK(a.i_xz.value != e.i_xz.value);
  CHECK(detail::point_seed(5, 4, "train") != detail::point_seed(5, 4, "test"));
}

TEST_CASE("plane: float, row-major input gives the same point as double column-major", "[plane][layout]") {
  Eigen::MatrixXd f = make_toy_representation(200, 3, 2);
  f = (f * 8).array().round() / 8;  // exact in float
  const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> g = f.cast<float>();
  std::vector<std::int64_t> y(200);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::int64_t(i % 2);
  const information_plane_options o{.noise_draws = 2, .bins = {5}};
  const auto a = information_plane_point(f, y, gaussian_dropout(noise_variance(0.3)), o);
  const auto b = information_plane_point(g, y, gaussian_dropout(noise_variance(0.3)), o);
  CHECK(a.i_xz.value == Approx(b.i_xz.value).epsilon(1e-12));
  CHECK(a.i_zy_mixture->value == Approx(b.i_zy_mixture->value).epsilon(1e-12));
  CHECK(a.binning[0].i_xt.value == b.binning[0].i_xt.value);
}

TEST_CASE("plane: bad options and inputs fail naming the problem", "[plane][errors]") {
  const auto f = make_toy_representation(20, 2, 1);
  const std::vector<int> y(20, 0), short_y(19, 0);
  const gaussian_dropout nz(noise_variance(0.1));
  CHECK_THROWS_WITH(information_plane_point(f, short_y, nz, {}), Catch::Contains("labels has 19 entries"));
  CHECK_THROWS_WITH(information_plane_point(f, y, nz, {.label_estimators = {"mine"}}),
                    Catch::Contains("unknown label estimator 'mine'"));
  CHECK_THROWS_WITH(information_plane_point(f, y, nz, {.bins = {3}, .bin_sizes = {0.1}}), Catch::Contains("not both"));
  Eigen::MatrixXd bad = f;
  bad(3, 1) = std::nan("");
  CHECK_THROWS_WITH(information_plane_point(bad, y, nz, {}), Catch::Contains("row 3, column 1"));
}

TEST_CASE("plane: the progress callback sees every part", "[plane]") {
  const auto f = make_toy_representation(50, 2, 1);
  const std::vector<int> y(50, 1);
  std::vector<std::string> parts;
  information_plane_options o{.label_estimators = {"mixture", "binning"}, .bins = {4}};
  o.progress = [&](std::string_view part, double s) {
    parts.emplace_back(part);
    CHECK(s >= 0);
  };
  (void)information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)), o);
  CHECK(parts == std::vector<std::string>{"i_xz", "gauss_bound", "noisy_draws", "binning", "binning_plane"});
}

// ---- the `infoplane ip` engine (tools/ip_command.hpp) on folders the tests write ----

#include <filesystem>
#include <fstream>
#include <sstream>

#include "infoplane/io/npy.hpp"
#include "ip_command.hpp"

namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("infoplane_ip_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_rep(const fs::path& dir, const std::string& split, int epoch, const Eigen::MatrixXd& f) {
  io::write_npy((dir / ("no_noise_" + split + "_representations_" + std::to_string(epoch) + ".npy")).string(), f);
}

void write_labels(const fs::path& dir, const std::string& split, const std::vector<int>& y) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(y.size()), 1);
  for (std::size_t i = 0; i < y.size(); ++i) m(Eigen::Index(i), 0) = y[i];
  io::write_npy((dir / (split + "_labels.npy")).string(), m);
}

using csv_rows = std::vector<std::map<std::string, std::string>>;

csv_rows read_csv_rows(const fs::path& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  std::vector<std::string> cols;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) cols.push_back(c);
  csv_rows rows;
  while (std::getline(f, line)) {
    std::map<std::string, std::string> r;
    std::size_t start = 0;
    for (const auto& c : cols) {
      const auto end = std::min(line.find(',', start), line.size());
      r[c] = line.substr(start, end - start);
      start = end + 1;
    }
    rows.push_back(r);
  }
  return rows;
}

ip::ip_options base_options(const fs::path& dir, const std::string& out) {
  ip::ip_options o;
  o.dir = dir.string();
  o.out = (dir / out).string();
  o.noise_var = 0.1;
  o.m_train = 2;
  o.m_test = 3;
  o.label_estimators = {"mixture", "ksg"};
  o.bins = {4, 16};
  o.seed = 7;
  o.threads = 1;
  return o;
}

int run_quiet(const ip::ip_options& o, std::string* progress = nullptr) {
  std::ostringstream p, s;
  const int rc = ip::run_ip(o, p, s);
  if (progress) *progress = p.str();
  return rc;
}

// A folder with epochs 0, 2, 5: separated points at 0, identical rows at 2, toy features at 5.
fs::path standard_folder(const std::string& name, std::vector<int>& y_train, std::vector<int>& y_test) {
  const fs::path dir = fresh_dir(name);
  const std::size_t n_train = 90, n_test = 60;
  y_train.resize(n_train);
  y_test.resize(n_test);
  for (std::size_t i = 0; i < n_train; ++i) y_train[i] = int(i % 3);
  for (std::size_t i = 0; i < n_test; ++i) y_test[i] = int(i % 2);
  write_labels(dir, "train", y_train);
  write_labels(dir, "test", y_test);
  write_rep(dir, "train", 0, separated(n_train, 3));
  write_rep(dir, "test", 0, separated(n_test, 3));
  write_rep(dir, "train", 2, Eigen::MatrixXd::Constant(Eigen::Index(n_train), 3, 0.9));
  write_rep(dir, "test", 2, Eigen::MatrixXd::Constant(Eigen::Index(n_test), 3, 0.9));
  write_rep(dir, "train", 5, make_toy_representation(n_train, 3, 1));
  write_rep(dir, "test", 5, make_toy_representation(n_test, 3, 2));
  std::ofstream(dir / "cross_entropy.csv") << "epoch,split,cross_entropy\n0,test,0.1\n5,test,0.5\n5,train,0.4\n";
  return dir;
}

}  // namespace

TEST_CASE("ip: a folder of epochs gives known answers, in numeric epoch order", "[plane][ip]") {
  std::vector<int> yt, ys;
  const auto dir = standard_folder("known", yt, ys);
  auto o = base_options(dir, "out");
  o.noise_var = 1e-6;  // sd 1e-3: the separated points stay apart
  std::string progress;
  REQUIRE(run_quiet(o, &progress) == 0);
  const auto rows = read_csv_rows(dir / "out" / "information_plane.csv");
  REQUIRE(rows.size() == 6);
  CHECK(rows[0].at("epoch") == "0");
  CHECK(rows[2].at("epoch") == "2");
  CHECK(rows[4].at("epoch") == "5");
  CHECK(rows[0].at("split") == "train");
  CHECK(rows[1].at("split") == "test");
  for (int k : {0, 1}) {  // separated: log N and H(Y)
    const double n = std::stod(rows[k].at("n"));
    const auto& y = k == 0 ? yt : ys;
    CHECK(std::abs(std::stod(rows[k].at("i_xz")) - std::log(n)) <= 3 * std::stod(rows[k].at("i_xz_std_error")) + 1e-9);
    CHECK_THAT(std::stod(rows[k].at("i_zy")), WithinAbs(label_entropy(y), 1e-9));
    CHECK_THAT(std::stod(rows[k].at("i_xz_ceiling")), WithinAbs(std::log(n), 1e-12));
    CHECK(rows[k].at("i_xz_status") == "saturated");
  }
  for (int k : {2, 3}) {  // identical rows
    CHECK_THAT(std::stod(rows[k].at("i_xz")), WithinAbs(0.0, 1e-12));
    CHECK_THAT(std::stod(rows[k].at("i_zy")), WithinAbs(0.0, 1e-12));
  }
  // CE only where the file has it; the population bracket only on the held-out split.
  CHECK(rows[0].at("i_zy_ce_bound").empty());
  CHECK_THAT(std::stod(rows[1].at("i_zy_ce_bound")), WithinAbs(std::log(2.0) - 0.1, 1e-12));
  CHECK_THAT(std::stod(rows[1].at("i_zy_lower")), WithinAbs(std::log(2.0) - 0.1, 1e-12));
  CHECK(rows[4].at("i_zy_lower").empty());  // train: not held out
  CHECK_FALSE(rows[5].at("i_zy_upper").empty());
  CHECK(rows[0].at("i_zy_edge").empty());  // not run
  CHECK_FALSE(rows[0].at("i_zy_ksg").empty());
  CHECK(rows[0].at("m") == "2");
  CHECK(rows[1].at("m") == "3");
  const auto bins = read_csv_rows(dir / "out" / "binning_plane.csv");
  CHECK(bins.size() == 12);  // 6 points x 2 bin counts
  std::ifstream jf(dir / "out" / "information_plane.json");
  const auto j = nlohmann::json::parse(jf);
  CHECK(j["points"].size() == 6);
  CHECK(j["points"][1]["i_zy_ce_bound"]["kind"] == "lower_bound");
  CHECK(j["points"][1]["i_zy_mixture"]["target"] == "dataset");
  CHECK(j["options"]["noise_variance"] == 1e-6);
  CHECK(progress.find("epoch 5 (3/3) test") != std::string::npos);
}

TEST_CASE("ip: the CSV holds the library's numbers for the same seed", "[plane][ip]") {
  std::vector<int> yt, ys;
  const auto dir = standard_folder("library", yt, ys);
  auto o = base_options(dir, "out");
  REQUIRE(run_quiet(o) == 0);
  const auto rows = read_csv_rows(dir / "out" / "information_plane.csv");
  const Eigen::MatrixXd f = io::read_npy((dir / "no_noise_test_representations_5.npy").string());
  const auto p = information_plane_point(f, ys, gaussian_dropout(noise_variance(0.1)),
                                         {.noise_draws = 3, .seed = 7, .epoch = 5, .split = "test", .held_out = true,
                                          .label_estimators = {"mixture", "ksg"}, .cross_entropy = 0.5, .bins = {4, 16}});
  const auto& r = rows[5];
  CHECK(std::stod(r.at("i_xz")) == p.i_xz.value);
  CHECK(std::stod(r.at("i_xz_upper")) == *p.i_xz.upper);
  CHECK(std::stod(r.at("i_xz_std_error")) == *p.i_xz.std_error);
  CHECK(std::stod(r.at("i_xz_gauss_bound")) == p.i_xz_gauss_bound->value);
  CHECK(std::stod(r.at("i_zy")) == p.i_zy_mixture->value);
  CHECK(std::stod(r.at("i_zy_ksg")) == p.i_zy_ksg->value);
  CHECK(std::stod(r.at("i_zy_ce_bound")) == p.i_zy_ce_bound->value);
  CHECK(std::stod(r.at("i_zy_upper")) == *p.i_zy_upper);
  // The mixture's own population bracket for I(Z;Y).
  REQUIRE(p.i_zy_mixture->population);
  const auto& zp = *p.i_zy_mixture->population;
  CHECK(std::stod(r.at("i_zy_population_lower")) == zp.lower);
  CHECK(std::stod(r.at("i_zy_population_upper")) == zp.upper);
  CHECK(std::stod(r.at("i_zy_population_lower_std_error")) == zp.lower_std_error);
  CHECK(std::stod(r.at("i_zy_population_upper_std_error")) == zp.upper_std_error);
  CHECK(r.at("i_zy_upper_source") == zp.upper_source);
  // --label-prior-weight reaches the mixture: the lower end is dropout-mc's with that weight.
  o.label_prior_weight = 0.2;
  o.out = (dir / "out_w").string();
  REQUIRE(run_quiet(o) == 0);
  const auto w_rows = read_csv_rows(dir / "out_w" / "information_plane.csv");
  const auto q = dropout_mixture({.noise_draws = 3, .seed = detail::point_seed(7, 5, "test"), .label_prior_weight = 0.2})
                     .report(noisy_representation{f, gaussian_dropout(noise_variance(0.1))}, ys);
  CHECK(std::stod(w_rows[5].at("i_zy_population_lower")) == q.label_mi->population->lower);
  CHECK(std::stod(w_rows[5].at("i_zy_population_lower")) != zp.lower);
}

TEST_CASE("ip: threads, and one epoch alone, change no number", "[plane][ip]") {
  std::vector<int> yt, ys;
  const auto dir = standard_folder("threads", yt, ys);
  auto o1 = base_options(dir, "t1"), o2 = base_options(dir, "t2"), o3 = base_options(dir, "alone");
  o1.label_estimators = o2.label_estimators = o3.label_estimators = {"mixture", "ksg", "edge", "binning"};
  o2.threads = 2;
  o3.epochs = {5};
  REQUIRE(run_quiet(o1) == 0);
  REQUIRE(run_quiet(o2) == 0);
  REQUIRE(run_quiet(o3) == 0);
  auto a = read_csv_rows(dir / "t1" / "information_plane.csv"), b = read_csv_rows(dir / "t2" / "information_plane.csv"),
       c = read_csv_rows(dir / "alone" / "information_plane.csv");
  REQUIRE(a.size() == 6);
  REQUIRE(c.size() == 2);
  for (auto* rows : {&a, &b, &c})
    for (auto& r : *rows) r.erase("seconds"), r.erase("note");
  CHECK(a == b);
  CHECK(c[0] == a[4]);
  CHECK(c[1] == a[5]);
}

TEST_CASE("ip: bad folders and flags fail naming the folder, file or flag", "[plane][ip][errors]") {
  const auto empty = fresh_dir("empty");
  auto o = base_options(empty, "out");
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("no representation files"));
  o.dir = (empty / "absent").string();
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("absent: no such folder"));

  std::vector<int> yt, ys;
  const auto dir = standard_folder("flags", yt, ys);
  o = base_options(dir, "out");
  o.label_estimators = {"mixture", "mine"};
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("--label-estimators: unknown estimator 'mine'"));
  o = base_options(dir, "out");
  o.bin_sizes = {0.5};
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("--bins and --bin-sizes"));
  o = base_options(dir, "out");
  o.noise_std = 0.2;
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("exactly one of --noise-var"));
  o = base_options(dir, "out");
  o.epochs = {3};
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("--epochs: epoch 3"));
  fs::remove(dir / "test_labels.npy");
  o = base_options(dir, "out");
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("test_labels.npy: missing"));
}

TEST_CASE("ip: a NaN or a label count mismatch refuses that epoch only, d may change", "[plane][ip][errors]") {
  std::vector<int> yt, ys;
  const auto dir = standard_folder("partial", yt, ys);
  Eigen::MatrixXd bad = make_toy_representation(90, 3, 4);
  bad(17, 2) = std::nan("");
  write_rep(dir, "train", 2, bad);                                  // NaN in one epoch
  write_rep(dir, "test", 2, make_toy_representation(59, 3, 4));     // one row short of the labels
  write_rep(dir, "train", 5, make_toy_representation(90, 5, 4));    // d 3 -> 5
  std::string progress;
  CHECK(run_quiet(base_options(dir, "out"), &progress) == 1);
  CHECK(progress.find("no_noise_train_representations_2.npy: information_plane: representations: non-finite value "
                      "(NaN or Inf) at row 17, column 2") != std::string::npos);
  CHECK(progress.find("no_noise_test_representations_2.npy: has 59 rows but") != std::string::npos);
  CHECK(progress.find("test_labels.npy has 60 labels") != std::string::npos);
  const auto rows = read_csv_rows(dir / "out" / "information_plane.csv");
  REQUIRE(rows.size() == 4);  // epochs 0 and 5, both splits
  CHECK(rows[2].at("epoch") == "5");
  CHECK(rows[2].at("d") == "5");
  CHECK(rows[2].at("note") == "d = 5 (was 3 at the previous epoch)");
  std::ifstream jf(dir / "out" / "information_plane.json");
  const auto j = nlohmann::json::parse(jf);
  CHECK(j["failed"].size() == 2);
}

TEST_CASE("ip: when no (epoch, split) can be computed it is an error, not an empty plane", "[plane][ip][errors]") {
  std::vector<int> yt, ys;
  const auto dir = standard_folder("all_refused", yt, ys);
  auto o = base_options(dir, "out");
  o.epochs = {0};
  write_rep(dir, "train", 0, make_toy_representation(89, 3, 4));  // one row short of 90 labels
  write_rep(dir, "test", 0, make_toy_representation(61, 3, 4));   // one row over 60
  CHECK_THROWS_AS(run_quiet(o), file_error);
  CHECK_THROWS_WITH(run_quiet(o), Catch::Contains("no (epoch, split) could be computed; the first: epoch 0 train: ") &&
                                      Catch::Contains("has 89 rows but"));
  CHECK_FALSE(fs::exists(dir / "out" / "information_plane.csv"));
}

TEST_CASE("ip: scan_directory reads epochs from names, and refuses clashes", "[plane][ip][scan]") {
  const auto dir = fresh_dir("scan");
  for (const char* name : {"no_noise_train_representations_10.npy", "no_noise_train_representations_9.npy",
                           "no_noise_test_representations_9.npy", "no_noise_train_representations_.npy",
                           "no_noise_train_representations_1a.npy", "no_noise_train_representations_-1.npy",
                           "no_noise_valid_representations_3.npy", "train_labels.npy"})
    std::ofstream(dir / name) << "x";
  const auto in = ip::scan_directory(dir.string());
  REQUIRE(in.epochs.size() == 2);
  CHECK(in.epochs.begin()->first == 9);
  CHECK(in.epochs.rbegin()->first == 10);
  CHECK(in.epochs.at(9).test);
  CHECK_FALSE(in.epochs.at(10).test);
  CHECK(in.train_labels);
  CHECK_FALSE(in.test_labels);
  std::ofstream(dir / "no_noise_train_representations_009.npy") << "x";
  CHECK_THROWS_WITH(ip::scan_directory(dir.string()), Catch::Contains("both hold epoch 9"));
  fs::remove(dir / "no_noise_train_representations_009.npy");
  std::ofstream(dir / "no_noise_train_representations_99999999999999999999999.npy") << "x";
  CHECK_THROWS_WITH(ip::scan_directory(dir.string()), Catch::Contains("out of range"));
}
