#pragma once
// JSON output through nlohmann/json (strings escaped properly), printed as one object per line
// with ", " and ": " between fields, as the program always has. Keys that do not apply are
// null; `warnings` is a list of sentences, empty when there are none; JSON has no Inf or NaN, so those are the strings "inf", "-inf" and "nan" (an infinite
// upper bound: these data cannot bound the quantity).
#include <nlohmann/json.hpp>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "infoplane/results/confidence.hpp"
#include "infoplane/results/estimate_result.hpp"

namespace infoplane::cli {

using json = nlohmann::ordered_json;

/// null: does not apply; a number; or "inf", "-inf", "nan" for the non-finite values.
inline json json_number(std::optional<double> v) {
  if (!v) return nullptr;
  if (std::isnan(*v)) return "nan";
  if (std::isinf(*v)) return *v > 0 ? "inf" : "-inf";
  return *v;
}

/// One line: {"a": 1, "b": "x"}; nested values compact.
inline std::string one_line(const json& j) {
  if (!j.is_object()) return j.dump();
  std::string out = "{";
  for (auto it = j.begin(); it != j.end(); ++it)
    out += (it == j.begin() ? "" : ", ") + json(it.key()).dump() + ": " + it.value().dump();
  return out + "}";
}

/// The population bracket's keys (null where the estimator gives none): population_lower and
/// population_upper with their standard errors, and upper_source.
template <class J>
void population_json(J& j, const estimate_result& r) {
  const auto& p = r.population;
  j["population_lower"] = json_number(p ? std::optional(p->lower) : std::nullopt);
  j["population_upper"] = json_number(p ? std::optional(p->upper) : std::nullopt);
  j["population_lower_std_error"] = json_number(p ? std::optional(p->lower_std_error) : std::nullopt);
  j["population_upper_std_error"] = json_number(p ? std::optional(p->upper_std_error) : std::nullopt);
  j["upper_source"] = p ? J(p->upper_source) : J(nullptr);
}

/// The keys every estimate prints, in a fixed order. value, std_error, lower and upper are the
/// dataset view, as before; target names what `value` is about.
inline json result_json(std::string_view estimator, const estimate_result& r, double seconds) {
  json j;
  j["estimator"] = estimator;
  j["value"] = json_number(r.value);
  j["std_error"] = json_number(r.std_error);
  j["lower"] = json_number(r.lower);
  j["upper"] = json_number(r.upper);
  j["ceiling"] = json_number(r.ceiling);
  j["kind"] = to_string(r.kind);
  j["target"] = to_string(r.target);
  population_json(j, r);
  j["n_samples"] = r.n_samples;
  j["seconds"] = seconds;
  j["status"] = to_string(r.status);
  j["warnings"] = r.warnings;
  return j;
}

/// --confidence C: `confidence`, and `dataset_interval` / `population_interval` ([lower, upper],
/// results/confidence.hpp), null where the result has no such interval.
inline void confidence_json(json& j, const estimate_result& r, double confidence) {
  auto of = [&](estimate_target t) -> json {
    const bool has = t == estimate_target::dataset ? r.target == t && r.std_error.has_value() : r.population.has_value();
    if (!has) return nullptr;
    const auto ci = interval_of(r, t, confidence);
    return json::array({json_number(ci.lower), json_number(ci.upper)});
  };
  j["confidence"] = confidence;
  j["dataset_interval"] = of(estimate_target::dataset);
  j["population_interval"] = of(estimate_target::population);
}

}  // namespace infoplane::cli
