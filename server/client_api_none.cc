// Stands in for the client API services until they are linked (see
// client_api.h): the member runs and replicates, but serves no clients.
#include "server/client_api.h"

namespace etcetera::server {

std::expected<std::unique_ptr<ClientApi>, std::string> serve_client_api(Backend&,
                                                                        const std::string& listen) {
  return std::unexpected("the client API is not linked into this build: nothing listens on " +
                         listen + " (the member still runs and replicates)");
}

}  // namespace etcetera::server
