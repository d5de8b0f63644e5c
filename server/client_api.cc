// The daemon's client API: etcd's services (server/api/api_server.h) over the
// member, behind the small interface main.cc starts and stops.
#include "server/client_api.h"

#include "server/api/api_server.h"

namespace etcetera::server {
namespace {

class ServedApi final : public ClientApi {
 public:
  explicit ServedApi(Backend& backend) : server_(backend) {}
  bool start(const std::string& listen) { return server_.start(listen); }
  void shutdown() override { server_.shutdown(); }

 private:
  api::ApiServer server_;
};

}  // namespace

std::expected<std::unique_ptr<ClientApi>, std::string> serve_client_api(Backend& backend,
                                                                        const std::string& listen) {
  auto api = std::make_unique<ServedApi>(backend);
  if (!api->start(listen))
    return std::unexpected("cannot listen for clients on " + listen +
                           ": the address is in use or not this machine's");
  return api;
}

}  // namespace etcetera::server
