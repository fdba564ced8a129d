// The benchmark engine (tools/benchmark_command.hpp) with fake estimators whose values are
// known, so every number in the CSVs can be checked.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../tools/benchmark_command.hpp"

using namespace infoplane;
using namespace infoplane::cli;

namespace {

std::vector<std::string> lines(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(f, l);) out.push_back(l);
  return out;
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  for (std::string f; std::getline(s, f, ',');) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::vector<benchmark_estimator> fakes(std::vector<double>* limits_seen = nullptr) {
  return {
      // A constant: its relative error is |0.5 - truth| / truth.
      {"const-0.5", [](const Eigen::MatrixXd&, const Eigen::MatrixXd&, std::uint64_t, double) {
         estimate_result r;
         r.value = 0.5;
         return r;
       }},
      // The seed as the value, with a standard error: mean and sd over seeds are known.
      {"seed", [limits_seen](const Eigen::MatrixXd& x, const Eigen::MatrixXd&, std::uint64_t seed, double limit) {
         if (limits_seen) limits_seen->push_back(limit);
         estimate_result r;
         r.value = double(seed) + 0.0 * x(0, 0);
         r.std_error = 0.25;
         r.status = seed == 2 ? estimate_status::not_converged : estimate_status::ok;
         return r;
       }},
      {"throws", [](const Eigen::MatrixXd&, const Eigen::MatrixXd&, std::uint64_t, double) -> estimate_result {
         throw infoplane::invalid_argument("fake failure");
       }},
      // Only on noise-model tasks: the representation's width.
      {"noise-only", {}, [](const Eigen::MatrixXd& f, const gaussian_dropout& noise, std::uint64_t, double) {
         estimate_result r;
         r.value = double(f.cols()) + noise.variance();
         return r;
       }},
  };
}

}  // namespace

TEST_CASE("benchmark: task selection", "[benchmark]") {
  CHECK(select_benchmark_tasks("all").size() == 48);
  CHECK(select_benchmark_tasks("bmi").size() == 40);
  CHECK(select_benchmark_tasks("dropout").size() == 8);
  const auto quick = select_benchmark_tasks("quick");
  CHECK(quick.size() == 8);
  const auto two = select_benchmark_tasks("1v1-normal-0.75,dropout-toy-1-0.4");
  REQUIRE(two.size() == 2);
  CHECK(two[1]->id == "dropout-toy-1-0.4");
  CHECK_THROWS_WITH(select_benchmark_tasks("1v1-normal-0.75,nope"), Catch::Contains("'nope'"));
  CHECK_THROWS_AS(select_benchmark_tasks(","), infoplane::invalid_argument);
}

TEST_CASE("benchmark: CSVs, summary and order with fake estimators, any thread count", "[benchmark]") {
  const auto dir = std::filesystem::temp_directory_path() / "infoplane_benchmark_test";
  std::filesystem::remove_all(dir);
  std::vector<double> limits;
  std::ostringstream progress;
  benchmark_settings s{.tasks = "1v1-normal-0.75,dropout-toy-5-0.1", .n = 200, .seeds = {0, 1, 2}, .out_dir = dir / "one",
                       .threads = 1, .time_limit_s = 7.5, .progress = &progress, .plot = true};
  const auto r = run_benchmark(fakes(&limits), s);
  // 2 tasks x 3 pair estimators x 3 seeds, plus noise-only on the dropout task's 3 seeds.
  REQUIRE(r.rows.size() == 21);
  CHECK(limits == std::vector<double>(6, 7.5));
  const auto csv = lines(dir / "one" / "benchmark.csv");
  REQUIRE(csv.size() == 22);
  CHECK(csv[0] == "task,dim_x,dim_y,truth,estimator,seed,n,value,std_error,status,seconds");
  const auto first = fields(csv[1]);
  CHECK(first[0] == "1v1-normal-0.75");
  CHECK(std::stod(first[3]) == Approx(-0.5 * std::log(1 - 0.75 * 0.75)));
  CHECK(first[4] == "const-0.5");
  CHECK(first[8].empty());  // no standard error
  CHECK(first[9] == "ok");
  CHECK(fields(csv[4])[4] == "seed");
  CHECK(fields(csv[4])[8] == "0.25");
  CHECK(fields(csv[6])[9] == "not_converged");
  CHECK(fields(csv[7])[9] == "error: fake failure");
  CHECK(fields(csv[19])[4] == "noise-only");
  CHECK(std::stod(fields(csv[19])[7]) == Approx(5.1));
  // Summary: one row per (task, estimator) that ran.
  const auto sum = lines(dir / "one" / "summary.csv");
  REQUIRE(sum.size() == 1 + 7);
  CHECK(sum[0] == "task,dim_x,dim_y,truth,estimator,runs,not_ok,mean,sd,min,max,mean_relative_error,mean_seconds");
  const auto c = fields(sum[1]);
  const double truth = -0.5 * std::log(1 - 0.75 * 0.75);
  CHECK(std::stod(c[7]) == Approx(0.5));
  CHECK(std::stod(c[8]) == Approx(0.0));
  CHECK(std::stod(c[11]) == Approx(std::abs(0.5 - truth) / truth));
  const auto sd = fields(sum[2]);  // seed: values 0, 1, 2
  CHECK(sd[5] == "3");
  CHECK(sd[6] == "1");
  CHECK(std::stod(sd[7]) == Approx(1.0));
  CHECK(std::stod(sd[8]) == Approx(1.0));
  CHECK(std::stod(sd[11]) == Approx((truth + (1 - truth) + (2 - truth)) / 3 / truth));
  const auto th = fields(sum[3]);
  CHECK(th[6] == "3");
  CHECK(th[7] == "nan");
  // Progress: one line per estimate, with the ETA.
  const std::string said = progress.str();
  CHECK(std::count(said.begin(), said.end(), '\n') >= 21);
  CHECK_THAT(said, Catch::Contains("ETA") && Catch::Contains("dropout-toy-5-0.1  noise-only"));
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) CHECK(std::filesystem::file_size(dir / "one" / "benchmark.png") > 1000);
  // Three threads: the same rows in the same order (seconds aside).
  s.threads = 3;
  s.out_dir = dir / "three";
  s.plot = false;
  const auto r3 = run_benchmark(fakes(), s);
  REQUIRE(r3.rows.size() == r.rows.size());
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    CHECK(r3.rows[i].task == r.rows[i].task);
    CHECK(r3.rows[i].estimator == r.rows[i].estimator);
    CHECK(r3.rows[i].seed == r.rows[i].seed);
    CHECK((r3.rows[i].value == r.rows[i].value || (std::isnan(r3.rows[i].value) && std::isnan(r.rows[i].value))));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("benchmark: estimators see the task's sample", "[benchmark]") {
  // An estimator returning the sample correlation of the first columns: on the binormal task
  // with n = 4000 it must be 0.75 within 5 standard errors, (1 - rho^2) / sqrt(n).
  const benchmark_estimator corr{"corr", [](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, std::uint64_t, double) {
                                   const Eigen::ArrayXd a = x.col(0).array() - x.col(0).mean(), b = y.col(0).array() - y.col(0).mean();
                                   estimate_result r;
                                   r.value = (a * b).sum() / std::sqrt(a.square().sum() * b.square().sum());
                                   return r;
                                 }};
  const auto dir = std::filesystem::temp_directory_path() / "infoplane_benchmark_corr";
  const auto r = run_benchmark({corr}, {.tasks = "1v1-normal-0.75", .n = 4000, .seeds = {5}, .out_dir = dir, .progress = nullptr,
                                        .plot = false});
  REQUIRE(r.rows.size() == 1);
  CHECK(std::abs(r.rows[0].value - 0.75) < 5 * (1 - 0.75 * 0.75) / std::sqrt(4000.0));
  std::filesystem::remove_all(dir);
  CHECK_THROWS_AS(run_benchmark({}, {}), infoplane::invalid_argument);
}
