#pragma once
// Shared by the file readers: errors that name the file, text helpers.
#include <string>
#include <string_view>

#include "infoplane/errors.hpp"

namespace infoplane::io::detail {

[[noreturn]] inline void fail(const std::string& name, const std::string& what) {
  infoplane::detail::raise<file_error>(name + ": " + what);
}

inline std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Text for messages: at most 40 characters of possibly hostile input.
inline std::string excerpt(const std::string& s) {
  return s.size() <= 40 ? s : s.substr(0, 37) + "...";
}

}  // namespace infoplane::io::detail
