#pragma once
// Contract violations throw these; numerical outcomes go in estimate_result::status instead.
#include <stdexcept>
#include <string>

namespace infoplane {

/// Bad argument: NaN/Inf, empty data, mismatched shapes, non-positive noise, too few samples.
struct invalid_argument : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// A request for more working memory than the budget allows (detail/memory.hpp), refused before
/// anything is allocated.
struct memory_error : invalid_argument {
  using invalid_argument::invalid_argument;
};

/// A file that cannot be read, or whose contents are malformed or unsupported.
struct file_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Misuse of an object's protocol, e.g. estimate() before fit().
struct logic_error : std::logic_error {
  using std::logic_error::logic_error;
};

namespace detail {
// Cold and out of line so that checks on hot paths stay cheap.
template <class E>
[[noreturn, gnu::cold, gnu::noinline]] inline void raise(const std::string& what) {
  throw E(what);
}
}  // namespace detail

}  // namespace infoplane

/// Always-on precondition check that throws infoplane::invalid_argument with a message.
#define INFOPLANE_CHECK(cond, msg)                                          \
  do {                                                                      \
    if (!(cond)) ::infoplane::detail::raise<::infoplane::invalid_argument>(msg); \
  } while (false)
