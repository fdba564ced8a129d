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

/// The keys every estimate prints, in a fixed order.
inline json result_json(std::string_view estimator, const estimate_result& r, double seconds) {
  json j;
  j["estimator"] = estimator;
  j["value"] = json_number(r.value);
  j["std_error"] = json_number(r.std_error);
  j["lower"] = json_number(r.lower);
  j["upper"] = json_number(r.upper);
  j["ceiling"] = json_number(r.ceiling);
  j["kind"] = to_string(r.kind);
  j["n_samples"] = r.n_samples;
  j["seconds"] = seconds;
  j["status"] = to_string(r.status);
  j["warnings"] = r.warnings;
  return j;
}

}  // namespace infoplane::cli
