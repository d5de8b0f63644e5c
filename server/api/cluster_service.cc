#include "server/api/cluster_service.h"

#include <string>
#include <vector>

#include "server/api/unary.h"

namespace etcetera::server::api {

using namespace etcdserverpb;

namespace {

using Members = std::vector<MemberInfo>;

template <class Response>
void set_members(const Members& members, Response& response) {
  for (const MemberInfo& m : members)
    *response.add_members() = to_member(m);
}

// etcd refuses a member without peer URLs, or with an empty one, as bad URLs.
bool valid_peer_urls(const google::protobuf::RepeatedPtrField<std::string>& urls) {
  if (urls.empty()) return false;
  for (const std::string& url : urls) {
    if (url.empty()) return false;
  }
  return true;
}

// Waits for a Backend answer of the member list and stores it in `out`.
template <class Response, class Start>
grpc::Status answer_members(grpc::ServerContext& context, const Backend& backend, Response* out,
                            Start&& start) {
  ApiResult<Members> result = ask_backend<Members>(context, std::forward<Start>(start));
  if (!result) return to_status(result.error());
  set_members(*result, *out);
  fill_header(backend, *out);
  return grpc::Status::OK;
}

}  // namespace

Member to_member(const MemberInfo& info) {
  Member m;
  m.set_id(info.id);
  m.set_name(info.name);
  for (const std::string& url : info.peer_urls)
    m.add_peerurls(url);
  for (const std::string& url : info.client_urls)
    m.add_clienturls(url);
  m.set_islearner(info.is_learner);
  return m;
}

grpc::Status ClusterService::MemberAdd(grpc::ServerContext* context,
                                       const MemberAddRequest* request,
                                       MemberAddResponse* response) {
  if (!valid_peer_urls(request->peerurls())) return to_status(bad_member_urls());
  std::vector<std::string> urls(request->peerurls().begin(), request->peerurls().end());
  using Added = std::pair<MemberInfo, Members>;
  ApiResult<Added> result = ask_backend<Added>(*context, [&](auto reply) {
    backend_.member_add(std::move(urls), request->islearner(), std::move(reply));
  });
  if (!result) return to_status(result.error());
  *response->mutable_member() = to_member(result->first);
  set_members(result->second, *response);
  fill_header(backend_, *response);
  return grpc::Status::OK;
}

grpc::Status ClusterService::MemberRemove(grpc::ServerContext* context,
                                          const MemberRemoveRequest* request,
                                          MemberRemoveResponse* response) {
  return answer_members(*context, backend_, response, [&](auto reply) {
    backend_.member_remove(request->id(), std::move(reply));
  });
}

grpc::Status ClusterService::MemberUpdate(grpc::ServerContext* context,
                                          const MemberUpdateRequest* request,
                                          MemberUpdateResponse* response) {
  if (!valid_peer_urls(request->peerurls())) return to_status(bad_member_urls());
  std::vector<std::string> urls(request->peerurls().begin(), request->peerurls().end());
  return answer_members(*context, backend_, response, [&](auto reply) {
    backend_.member_update(request->id(), std::move(urls), std::move(reply));
  });
}

grpc::Status ClusterService::MemberList(grpc::ServerContext* context, const MemberListRequest*,
                                        MemberListResponse* response) {
  return answer_members(*context, backend_, response,
                        [&](auto reply) { backend_.member_list(std::move(reply)); });
}

grpc::Status ClusterService::MemberPromote(grpc::ServerContext* context,
                                           const MemberPromoteRequest* request,
                                           MemberPromoteResponse* response) {
  return answer_members(*context, backend_, response, [&](auto reply) {
    backend_.member_promote(request->id(), std::move(reply));
  });
}

}  // namespace etcetera::server::api
