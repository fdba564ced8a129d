// The registry's neural family (doe, doe_logistic, dv, mine, nwj, infonce), built once for the project's programs and
// tests (INFOPLANE_REGISTRY_PREBUILT in include/infoplane/registry.hpp).
#include "infoplane/registry.hpp"

namespace infoplane::registry {
INFOPLANE_REGISTRY_INSTANCES(, 8)
INFOPLANE_REGISTRY_INSTANCES(, 9)
INFOPLANE_REGISTRY_INSTANCES(, 10)
INFOPLANE_REGISTRY_INSTANCES(, 11)
INFOPLANE_REGISTRY_INSTANCES(, 12)
INFOPLANE_REGISTRY_INSTANCES(, 13)
}  // namespace infoplane::registry
