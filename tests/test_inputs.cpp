#include <catch2/catch.hpp>
#include <limits>

#include "infoplane/inputs/samples.hpp"

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
