#pragma once
// Option bindings: one declaration per estimator option (its name, kind, help, and the field of
// the estimator's options struct it sets) from which the command line's flags and help, the
// Python keywords and the defaults shown to users are all derived. Values arrive as text, so
// one parser validates for every front end; errors name the option.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "infoplane/errors.hpp"

namespace infoplane::registry {

/// What an option takes: a switch (present or not), a whole number, a real number, or one of
/// a list of words.
enum class value_kind { flag, integer, real, choice };

constexpr std::string_view to_string(value_kind k) noexcept {
  switch (k) {
    case value_kind::flag: return "flag";
    case value_kind::integer: return "integer";
    case value_kind::real: return "real";
    case value_kind::choice: return "choice";
  }
  return "unknown";
}

/// An option's description, without its binding: what the front ends show.
struct option_info {
  std::string name;                  ///< command line --name; Python name with '-' -> '_'
  value_kind kind = value_kind::real;
  std::string help;
  std::string default_text;          ///< the default as the user would type it ("" for flags off)
  std::vector<std::string> choices;  ///< for value_kind::choice
};

namespace detail {

[[noreturn]] inline void bad_value(const std::string& name, const std::string& text, const std::string& why) {
  infoplane::detail::raise<invalid_argument>("option --" + name + ": '" + text + "' " + why);
}

template <class T>
T parse_number(const std::string& name, const std::string& text) {
  T v{};
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;  // from_chars takes no leading '+'
  const auto [end, ec] = std::from_chars(b, e, v);
  if (ec == std::errc::result_out_of_range) bad_value(name, text, "is out of range");
  if (ec != std::errc{} || end != e || b == e) bad_value(name, text, "is not a valid number");
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(v)) bad_value(name, text, "is not a finite number");
  return v;
}

// Shortest text that reads back to v, for the defaults shown in help.
inline std::string format_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

template <class T>
struct unwrap_optional {
  using type = T;
};
template <class T>
struct unwrap_optional<std::optional<T>> {
  using type = T;
};

}  // namespace detail

/// One option bound to a field of the options struct `O`.
template <class O>
struct option {
  option_info info;
  std::function<void(O&, const std::string&)> set;  ///< parses, checks, assigns; throws naming --name
  std::function<std::string(const O&)> show;        ///< the field's value as text
};

/// The accessor of a data member, usable on const and non-const options alike.
template <class M>
constexpr auto member(M m) {
  return [m](auto& o) -> auto& { return o.*m; };
}

/// A lower bound checked when the option is set.
struct at_least {
  double value;
  bool inclusive = true;
};

/// A numeric option (integer or real, optionally std::optional) bound through `field(o)`, a
/// generic accessor such as member(&options::k) or [](auto& o) -> auto& { return o.train.lr; }.
template <class O, class Get>
option<O> number(std::string name, Get field, std::string help, std::optional<at_least> min = std::nullopt) {
  using stored = std::remove_cvref_t<std::invoke_result_t<Get, O&>>;
  using T = typename detail::unwrap_optional<stored>::type;
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  option<O> o;
  o.info.name = name;
  o.info.kind = std::is_integral_v<T> ? value_kind::integer : value_kind::real;
  o.info.help = std::move(help);
  o.set = [name, field, min](O& opts, const std::string& text) {
    const T v = detail::parse_number<T>(name, text);
    if (min && (min->inclusive ? double(v) < min->value : double(v) <= min->value))
      detail::bad_value(name, text, std::string("must be ") + (min->inclusive ? ">= " : "> ") +
                                        detail::format_number(min->value));
    field(opts) = v;
  };
  o.show = [field](const O& opts) -> std::string {
    const auto& v = field(opts);
    if constexpr (std::is_same_v<stored, std::optional<T>>) {
      if (!v) return "";
      return std::is_integral_v<T> ? std::to_string(*v) : detail::format_number(double(*v));
    } else {
      return std::is_integral_v<T> ? std::to_string(v) : detail::format_number(double(v));
    }
  };
  return o;
}

/// A switch: given, it sets the field to `on` (false for --no-... switches), else leaves `off`.
template <class O, class Get, class V = bool>
option<O> flag(std::string name, Get field, std::string help, V on = true, V off = false) {
  option<O> o;
  o.info.name = name;
  o.info.kind = value_kind::flag;
  o.info.help = std::move(help);
  o.set = [name, field, on, off](O& opts, const std::string& text) {
    if (text == "true" || text == "1" || text.empty()) field(opts) = on;
    else if (text == "false" || text == "0") field(opts) = off;
    else detail::bad_value(name, text, "is not true or false");
  };
  o.show = [field, on](const O& opts) -> std::string { return field(opts) == on ? "on" : ""; };
  return o;
}

/// One of several words, each mapped to a value of the field.
template <class O, class Get, class V>
option<O> choice(std::string name, Get field, std::string help, std::vector<std::pair<std::string, V>> words) {
  option<O> o;
  o.info.name = name;
  o.info.kind = value_kind::choice;
  o.info.help = std::move(help);
  for (const auto& [w, v] : words) o.info.choices.push_back(w);
  o.set = [name, field, words](O& opts, const std::string& text) {
    for (const auto& [w, v] : words)
      if (w == text) {
        field(opts) = v;
        return;
      }
    std::string list;
    for (const auto& [w, v] : words) list += (list.empty() ? "" : "|") + w;
    detail::bad_value(name, text, "is not one of " + list);
  };
  o.show = [field, words](const O& opts) -> std::string {
    for (const auto& [w, v] : words)
      if (field(opts) == v) return w;
    return "";
  };
  return o;
}

/// Fills the default text of each option from a default-constructed options struct.
template <class O>
std::vector<option<O>> with_defaults(std::vector<option<O>> options, const O& defaults = O{}) {
  for (auto& o : options) o.info.default_text = o.show(defaults);
  return options;
}

}  // namespace infoplane::registry
