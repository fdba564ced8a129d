// The registry's dropout family (dropout_mixture, dropout_gaussian_bound, dropout_pairwise_kl, dropout_pairwise_bd), built once for the project's programs and
// tests (INFOPLANE_REGISTRY_PREBUILT in include/infoplane/registry.hpp).
#include "infoplane/registry.hpp"

namespace infoplane::registry {
INFOPLANE_REGISTRY_INSTANCES(, 0)
INFOPLANE_REGISTRY_INSTANCES(, 1)
INFOPLANE_REGISTRY_INSTANCES(, 2)
INFOPLANE_REGISTRY_INSTANCES(, 3)
}  // namespace infoplane::registry
