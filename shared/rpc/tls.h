// Mutual TLS between the processes of the store, and who may call what.
//
// Every process has a certificate from the store's CA naming it with a URI SAN,
// spiffe://storefront/<name> (infra/tls/make-certs). A server asks for the caller's certificate
// and refuses a connection without one from the CA; a client presents its own and checks that the
// server's names the upstream it meant to reach ("payments"), wherever it reached it. On top of
// that, each server allows each method only to the callers named for it (Grant): any other caller
// gets PERMISSION_DENIED before the call reaches the service (CallerAuthorization).
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "shared/config/service_settings.h"

namespace storefront::rpc {

// The identity a certificate gives the process `name`: "spiffe://storefront/<name>".
std::string Principal(std::string_view name);

// A process's TLS identity: its certificate and key and the CA, read once at start (a renewed
// certificate is picked up at the next start).
class Tls {
 public:
  // Reads the three files of `settings`; null when they ask for plaintext (GRPC_PLAINTEXT=on).
  // Throws std::runtime_error for settings that give neither (never plaintext by omission), a
  // file it cannot read or a certificate without a name.
  static std::shared_ptr<const Tls> Load(const config::TlsSettings& settings);
  Tls(std::string ca_pem, std::string certificate_pem, std::string key_pem);

  // The name in this process's certificate ("payments").
  const std::string& name() const { return name_; }
  // A server's side: present this certificate, require the caller's, signed by the CA.
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials() const;
  // A client's side: present this certificate; the server's must be signed by the CA.
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;

 private:
  std::string ca_pem_;
  std::string certificate_pem_;
  std::string key_pem_;
  std::string name_;
};

// The name of the process a PEM certificate belongs to: the last segment of its
// spiffe://storefront/ URI SAN; "" when it has none.
std::string CertificateName(const std::string& certificate_pem);

// Who may call a server: the process `caller` may call `methods` ("Authorize"; "*" for all) of the
// service `service` (its full proto name).
struct Grant {
  std::string caller;
  std::string service;
  std::vector<std::string> methods;
};

// The check every call to a server with TLS passes before it reaches a handler: the caller's
// certificate names a process (its spiffe://storefront/ URI) that `grants` allow the call's method,
// or the method is one every server answers: the health service (any caller with a certificate
// of the CA), the ops service (the fault lab: the gateway only) and, when `reflection`, server
// reflection (any such caller). Anything else is PERMISSION_DENIED, logged with the caller and
// the method, and the call never starts. gRPC runs it on the server's credentials
// (ServerCredentials::SetAuthMetadataProcessor) with the call's :path and the peer's certificate.
class CallerAuthorization : public grpc::AuthMetadataProcessor {
 public:
  // Throws std::invalid_argument for a service or method that does not exist (a typo in a grant
  // would otherwise refuse its caller at run time).
  CallerAuthorization(const std::vector<Grant>& grants, bool reflection);

  // The caller (a principal, "spiffe://storefront/checkout"; "" for none) may call `path`
  // ("/storefront.payments.v1.PaymentsService/Authorize").
  bool Allows(std::string_view principal, std::string_view path) const;

  bool IsBlocking() const override { return false; }  // a lookup: runs on gRPC's own thread
  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata* consumed,
                       OutputMetadata* response) override;

 private:
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> methods_;  // path -> principals
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> services_;  // "/service/" -> principals
  std::set<std::string, std::less<>> open_services_;                    // "/service/" any caller
};

}  // namespace storefront::rpc
