#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "infoplane/inputs/noise.hpp"

using namespace infoplane;

TEST_CASE("noise std and variance are distinct and consistent", "[noise]") {
  const gaussian_dropout a(noise_std(0.5));
  CHECK(a.variance() == Approx(0.25));
  CHECK(a.std() == Approx(0.5));
  const gaussian_dropout b(noise_variance(0.5));
  CHECK(b.variance() == Approx(0.5));
  CHECK(b.std() == Approx(std::sqrt(0.5)));
}

TEST_CASE("drop probability maps to variance p/(1-p) (Srivastava et al.)", "[noise]") {
  CHECK(gaussian_dropout(drop_probability(0.2)).variance() == Approx(0.25));
  CHECK(gaussian_dropout(drop_probability(0.5)).variance() == Approx(1.0));
}

TEST_CASE("non-positive or non-finite noise is rejected", "[noise][bad-input]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(gaussian_dropout(noise_std(0.0)), infoplane::invalid_argument);
  CHECK_THROWS_AS(gaussian_dropout(noise_std(-1.0)), infoplane::invalid_argument);
  CHECK_THROWS_AS(gaussian_dropout(noise_variance(0.0)), infoplane::invalid_argument);
  CHECK_THROWS_AS(gaussian_dropout(noise_variance(-0.1)), infoplane::invalid_argument);
  CHECK_THROWS_AS(gaussian_dropout(noise_variance(nan)), infoplane::invalid_argument);
  CHECK_THROWS_AS(gaussian_dropout(noise_std(inf)), infoplane::invalid_argument);
  CHECK_THROWS_AS(gaussian_dropout(drop_probability(0.0)), infoplane::invalid_argument);
  CHECK_THROWS_AS(gaussian_dropout(drop_probability(1.0)), infoplane::invalid_argument);
  CHECK_THROWS_WITH(gaussian_dropout(noise_variance(-2.0)), Catch::Contains("noise variance"));
}
