#include "server/api/kv_service.h"

#include "server/api/unary.h"

namespace etcetera::server::api {

using namespace etcdserverpb;

grpc::Status KvService::Range(grpc::ServerContext* context, const RangeRequest* request,
                              RangeResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.range(*request, std::move(reply)); });
}

grpc::Status KvService::Put(grpc::ServerContext* context, const PutRequest* request,
                            PutResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.put(*request, std::move(reply)); });
}

grpc::Status KvService::DeleteRange(grpc::ServerContext* context, const DeleteRangeRequest* request,
                                    DeleteRangeResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.delete_range(*request, std::move(reply)); });
}

grpc::Status KvService::Txn(grpc::ServerContext* context, const TxnRequest* request,
                            TxnResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.txn(*request, std::move(reply)); });
}

grpc::Status KvService::Compact(grpc::ServerContext* context, const CompactionRequest* request,
                                CompactionResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.compact(*request, std::move(reply)); });
}

}  // namespace etcetera::server::api
