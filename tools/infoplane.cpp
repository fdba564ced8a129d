// The infoplane command-line program (tools/infoplane_app.hpp). Subcommands declare their own
// flags; the estimators and their options come from the registry (include/infoplane/registry.hpp).
#include <iostream>

#include "infoplane_app.hpp"
#include "keep_heap.hpp"

int main(int argc, char** argv) {
  infoplane::cli::keep_freed_memory();
  return infoplane::cli::app::run_infoplane(argc, argv, {std::cout, std::cerr});
}
