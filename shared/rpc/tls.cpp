#include "shared/rpc/tls.h"

#include <google/protobuf/descriptor.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "shared/log/log.h"

namespace storefront::rpc {
namespace {

constexpr std::string_view kPrincipalPrefix = "spiffe://storefront/";

std::string ReadPem(const std::string& path, const char* setting) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  if (!file || text.str().find("-----BEGIN ") == std::string::npos) {
    throw std::runtime_error(std::string(setting) + ": cannot read a PEM file at '" + path + "'");
  }
  return text.str();
}

}  // namespace

std::string Principal(std::string_view name) { return std::string(kPrincipalPrefix) + std::string(name); }

std::string CertificateName(const std::string& certificate_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())),
                                                &BIO_free);
  if (!bio) return "";
  std::unique_ptr<X509, decltype(&X509_free)> certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                          &X509_free);
  if (!certificate) return "";
  std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate.get(), NID_subject_alt_name, nullptr, nullptr)),
      &GENERAL_NAMES_free);
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), ASN1_STRING_length(uri));
    if (text.rfind(kPrincipalPrefix, 0) == 0 && text.size() > kPrincipalPrefix.size()) {
      return text.substr(kPrincipalPrefix.size());
    }
  }
  return "";
}

std::shared_ptr<const Tls> Tls::Load(const config::TlsSettings& settings) {
  if (settings.plaintext && !settings.enabled()) return nullptr;
  if (settings.ca_file.empty() || settings.cert_file.empty() || settings.key_file.empty()) {
    throw std::runtime_error("TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE are required unless GRPC_PLAINTEXT=on");
  }
  return std::make_shared<const Tls>(ReadPem(settings.ca_file, "TLS_CA_FILE"), ReadPem(settings.cert_file, "TLS_CERT_FILE"),
                                     ReadPem(settings.key_file, "TLS_KEY_FILE"));
}

Tls::Tls(std::string ca_pem, std::string certificate_pem, std::string key_pem)
    : ca_pem_(std::move(ca_pem)),
      certificate_pem_(std::move(certificate_pem)),
      key_pem_(std::move(key_pem)),
      name_(CertificateName(certificate_pem_)) {
  if (name_.empty()) {
    throw std::runtime_error("the TLS certificate names no process (no " + std::string(kPrincipalPrefix) +
                             "<name> URI in its subject alternative names)");
  }
}

std::shared_ptr<grpc::ServerCredentials> Tls::ServerCredentials() const {
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ca_pem_;
  options.pem_key_cert_pairs.push_back({key_pem_, certificate_pem_});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> Tls::ChannelCredentials() const {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem_;
  options.pem_private_key = key_pem_;
  options.pem_cert_chain = certificate_pem_;
  return grpc::SslCredentials(options);
}

CallerAuthorization::CallerAuthorization(const std::vector<Grant>& grants, bool reflection) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& grant : grants) {
    const auto* service = pool->FindServiceByName(grant.service);
    if (service == nullptr) throw std::invalid_argument("no service " + grant.service + " to grant " + grant.caller);
    for (const auto& method : grant.methods) {
      if (method == "*") {
        services_["/" + grant.service + "/"].insert(Principal(grant.caller));
      } else if (service->FindMethodByName(method) != nullptr) {
        methods_["/" + grant.service + "/" + method].insert(Principal(grant.caller));
      } else {
        throw std::invalid_argument(grant.service + " has no method " + method + " to grant " + grant.caller);
      }
    }
  }
  open_services_.insert("/grpc.health.v1.Health/");
  services_["/storefront.ops.v1.OpsService/"].insert(Principal("gateway"));
  if (reflection) {
    open_services_.insert("/grpc.reflection.v1alpha.ServerReflection/");
    open_services_.insert("/grpc.reflection.v1.ServerReflection/");
  }
}

bool CallerAuthorization::Allows(std::string_view principal, std::string_view path) const {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  const std::string_view service = path.substr(0, slash + 1);  // "/storefront.payments.v1.PaymentsService/"
  if (open_services_.count(service) > 0) return true;
  if (principal.empty()) return false;
  if (auto it = services_.find(service); it != services_.end() && it->second.count(principal) > 0) return true;
  auto it = methods_.find(path);
  return it != methods_.end() && it->second.count(principal) > 0;
}

grpc::Status CallerAuthorization::Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata*,
                                          OutputMetadata*) {
  std::string_view path;
  if (auto it = metadata.find(":path"); it != metadata.end()) path = std::string_view(it->second.data(), it->second.size());
  std::string_view principal;
  // The server asks for and verifies a certificate of the CA, so a peer here always has one; its
  // SPIFFE id is there when it has exactly one spiffe:// URI.
  auto ids = context->FindPropertyValues(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME);
  if (ids.size() == 1) principal = std::string_view(ids.front().data(), ids.front().size());
  if (Allows(principal, path)) return grpc::Status::OK;
  const std::string caller = principal.empty() ? "a caller with no spiffe:// name" : std::string(principal);
  log::Warn("grpc call refused: the caller may not call this method",
            {{"caller", caller}, {"method", std::string(path.substr(0, 200))}});
  return {grpc::StatusCode::PERMISSION_DENIED, caller + " may not call " + std::string(path.substr(0, 200))};
}

}  // namespace storefront::rpc
