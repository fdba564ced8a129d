#include <catch2/catch.hpp>
#include <limits>

#include "infoplane/inputs/samples.hpp"
#include "infoplane/validation/toy.hpp"

using namespace infoplane;

TEST_CASE("paired samples: shapes and values are validated", "[inputs][bad-input]") {
  const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(10, 2);
  const Eigen::MatrixXd y = Eigen::MatrixXd::Ones(9, 1);
  CHECK_THROWS_WITH(validate(paired_samples{x, y}, "test"), Catch::Contains("mismatched shapes"));
  const Eigen::MatrixXd y_ok = Eigen::MatrixXd::Ones(10, 1);
  CHECK_NOTHROW(validate(paired_samples{x, y_ok}, "test"));
  Eigen::MatrixXd y_nan = y_ok;
  y_nan(4, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(validate(paired_samples{x, y_nan}, "test"), Catch::Contains("y: non-finite"));
  const Eigen::MatrixXd empty(0, 1);
  CHECK_THROWS_WITH(validate(paired_samples{empty, empty}, "test"), Catch::Contains("empty"));
}

TEST_CASE("inputs accept row-major and float matrices without conversion", "[inputs]") {
  using row_major = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const row_major x = row_major::Ones(4, 3);
  const Eigen::MatrixXd y = Eigen::MatrixXd::Ones(4, 1);
  const paired_samples in{x, y};
  CHECK(&in.x == &x);  // held by reference: no copy
  CHECK_NOTHROW(validate(in, "test"));
}

TEST_CASE("toy pairs: x inverts f, z carries multiplicative noise of the given std", "[inputs]") {
  const Eigen::MatrixXd f = make_toy_representation(2000, 2, 3);
  const auto p = make_toy_pairs(f, gaussian_dropout(noise_std(0.3)), 4, 9);
  REQUIRE(p.x.rows() == 8000);
  CHECK(2 * p.x(5, 1) + 0.5 == Approx(f(1, 1)));  // row 5 is point 1's second draw
  const Eigen::ArrayXd eps = (p.z.col(0).array() / (2 * p.x.col(0).array() + 0.5)) - 1.0;
  const double sd = std::sqrt((eps - eps.mean()).square().mean());
  CHECK(eps.mean() == Approx(0.0).margin(0.02));
  CHECK(sd == Approx(0.3).epsilon(0.03));
  CHECK_THROWS_AS(make_toy_pairs(f, gaussian_dropout(noise_std(0.3)), 0, 9), infoplane::invalid_argument);
}
