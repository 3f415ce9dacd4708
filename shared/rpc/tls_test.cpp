// Mutual TLS and caller authorization (tls.h) on real servers on loopback, with certificates made
// by infra/tls/make-certs, the script every stack uses.
#include "shared/rpc/tls.h"

#include <gtest/gtest.h>

#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

#include "storefront/ops/v1/ops.grpc.pb.h"
#include "storefront/payments/v1/payments.grpc.pb.h"
#include "shared/rpc/client.h"
#include "shared/rpc/server.h"
#include "shared/testing/process.h"

namespace storefront::rpc {
namespace {

namespace paymentspb = storefront::payments::v1;
namespace opspb = storefront::ops::v1;

constexpr const char* kPayments = "storefront.payments.v1.PaymentsService";
constexpr std::string_view kAuthorize = "/storefront.payments.v1.PaymentsService/Authorize";

TEST(CallerAuthorizationTest, AllowsEachMethodOnlyToTheCallersGrantedIt) {
  CallerAuthorization authorization({{"checkout", kPayments, {"Authorize", "Void"}},
                                     {"gateway", "storefront.ops.v1.OpsService", {"*"}}},
                                    /*reflection=*/false);
  EXPECT_TRUE(authorization.Allows(Principal("checkout"), kAuthorize));
  EXPECT_TRUE(authorization.Allows(Principal("checkout"), "/storefront.payments.v1.PaymentsService/Void"));
  EXPECT_FALSE(authorization.Allows(Principal("cart"), kAuthorize));
  EXPECT_FALSE(authorization.Allows(Principal("checkout"), "/storefront.payments.v1.PaymentsService/Capture"));
  EXPECT_FALSE(authorization.Allows(Principal("checkout"), "/storefront.payments.v1.PaymentsService/AuthorizeX"));
  EXPECT_FALSE(authorization.Allows("", kAuthorize));
  EXPECT_FALSE(authorization.Allows("spiffe://elsewhere/checkout", kAuthorize));
  EXPECT_FALSE(authorization.Allows(Principal("checkout"), "Authorize"));
  // What every server answers: health to anyone with a certificate, the fault lab to the gateway.
  EXPECT_TRUE(authorization.Allows(Principal("cart"), "/grpc.health.v1.Health/Check"));
  EXPECT_TRUE(authorization.Allows(Principal("gateway"), "/storefront.ops.v1.OpsService/SetFault"));
  EXPECT_FALSE(authorization.Allows(Principal("checkout"), "/storefront.ops.v1.OpsService/SetFault"));
  EXPECT_FALSE(authorization.Allows(Principal("checkout"), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
  CallerAuthorization with_reflection({}, /*reflection=*/true);
  EXPECT_TRUE(with_reflection.Allows(Principal("cart"), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
}

TEST(CallerAuthorizationTest, RefusesAGrantOfAServiceOrMethodThatDoesNotExist) {
  EXPECT_THROW(CallerAuthorization({{"checkout", kPayments, {"Authorise"}}}, false), std::invalid_argument);
  EXPECT_THROW(CallerAuthorization({{"checkout", "storefront.payments.v1.Payments", {"*"}}}, false),
               std::invalid_argument);
}

// A payments service that counts the calls that reached it.
class CountingPayments final : public paymentspb::PaymentsService::Service {
 public:
  grpc::Status Authorize(grpc::ServerContext*, const paymentspb::AuthorizeRequest*, paymentspb::Payment*) override {
    ++calls;
    return grpc::Status::OK;
  }
  std::atomic<int> calls{0};
};

class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir("storefront-tls-test"));
    // The store's CA and identities, and a second CA whose "checkout" the store has never met.
    const std::string make = "infra/tls/make-certs ";
    ASSERT_EQ(std::system((make + *dir_ + "/store payments checkout cart gateway inventory").c_str()), 0);
    ASSERT_EQ(std::system((make + *dir_ + "/stranger checkout").c_str()), 0);
  }
  static void TearDownTestSuite() {
    testing::RemoveTree(*dir_);
    delete dir_;
  }

  static std::shared_ptr<const Tls> Identity(const std::string& name, const std::string& ca = "store") {
    const std::string dir = *dir_ + "/" + ca + "/";
    return Tls::Load({.ca_file = dir + "ca.crt", .cert_file = dir + name + ".crt", .key_file = dir + name + ".key"});
  }

  // Starts payments with TLS, allowing checkout to authorize.
  void StartPayments(bool reflection = false) {
    server_ = std::make_unique<Server>(ServerOptions{.listen_address = "127.0.0.1:0",
                                                     .tls = Identity("payments"),
                                                     .callers = {{"checkout", kPayments, {"Authorize"}}},
                                                     .reflection = reflection,
                                                     .shutdown_grace = std::chrono::milliseconds(100)});
    server_->AddService(&payments_);
    address_ = "127.0.0.1:" + std::to_string(server_->Start());
  }

  grpc::Status Authorize(const ChannelSecurity& as) {
    auto stub = paymentspb::PaymentsService::NewStub(MakeChannel(address_, {}, as));
    paymentspb::AuthorizeRequest request;
    paymentspb::Payment payment;
    auto context = NewContext(std::chrono::seconds(5), "");
    return stub->Authorize(context.get(), request, &payment);
  }

  grpc::Status ListFaults(const std::string& as) {
    auto stub = opspb::OpsService::NewStub(MakeChannel(address_, {}, {Identity(as), "payments"}));
    opspb::ListFaultsRequest request;
    opspb::ListFaultsResponse response;
    auto context = NewContext(std::chrono::seconds(5), "");
    return stub->ListFaults(context.get(), request, &response);
  }

  // One ServerReflectionInfo exchange asking for the list of services (field 7, list_services
  // = ""), on gRPC's generic stub (Debian ships no reflection .proto). Returns the status and the
  // answer's bytes.
  std::pair<grpc::Status, std::string> ListServicesByReflection(const ChannelSecurity& as) {
    grpc::GenericStub stub(MakeChannel(address_, {}, as));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::CompletionQueue queue;
    auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
    void* tag = nullptr;
    bool ok = false;
    auto step = [&](std::intptr_t expected) {
      EXPECT_TRUE(queue.Next(&tag, &ok));
      EXPECT_EQ(reinterpret_cast<std::intptr_t>(tag), expected);
      return ok;
    };
    call->StartCall(reinterpret_cast<void*>(1));
    step(1);
    const char list_services[] = {0x3a, 0x00};
    grpc::Slice slice(list_services, sizeof list_services);
    grpc::ByteBuffer request(&slice, 1);
    call->Write(request, reinterpret_cast<void*>(2));
    step(2);
    call->WritesDone(reinterpret_cast<void*>(3));
    step(3);
    grpc::ByteBuffer response;
    call->Read(&response, reinterpret_cast<void*>(4));
    std::string bytes;
    if (step(4)) {
      std::vector<grpc::Slice> slices;
      (void)response.Dump(&slices);
      for (const auto& part : slices) bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
    }
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(5));
    step(5);
    queue.Shutdown();
    while (queue.Next(&tag, &ok)) {
    }
    return {status, bytes};
  }

  static std::string* dir_;
  CountingPayments payments_;
  std::unique_ptr<Server> server_;
  std::string address_;
};

std::string* MutualTlsTest::dir_ = nullptr;

TEST_F(MutualTlsTest, ACallerGrantedTheMethodIsServedAndAnotherIsRefusedBeforeTheHandler) {
  StartPayments();
  EXPECT_TRUE(Authorize({Identity("checkout"), "payments"}).ok());
  EXPECT_EQ(payments_.calls, 1);

  grpc::Status refused = Authorize({Identity("cart"), "payments"});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << refused.error_message();
  EXPECT_EQ(refused.error_message(), "spiffe://storefront/cart may not call " + std::string(kAuthorize));
  EXPECT_EQ(payments_.calls, 1) << "the refused call reached the handler";
}

TEST_F(MutualTlsTest, PlaintextAndCertificatesOfAnotherCaNeverReachTheServer) {
  StartPayments();
  EXPECT_EQ(Authorize({}).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Authorize({Identity("checkout", "stranger"), "payments"}).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(payments_.calls, 0);
}

TEST_F(MutualTlsTest, AClientRefusesAServerWhoseCertificateNamesAnotherProcess) {
  StartPayments();
  // The address is payments', but the caller meant to reach inventory: it never sends the call.
  EXPECT_EQ(Authorize({Identity("checkout"), "inventory"}).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(payments_.calls, 0);
}

TEST_F(MutualTlsTest, HealthIsOpenToEveryIdentityAndTheFaultLabOnlyToTheGateway) {
  StartPayments();
  EXPECT_TRUE(CheckHealth(*MakeChannel(address_, {}, {Identity("cart"), "payments"}), std::chrono::seconds(5)));
  EXPECT_TRUE(ListFaults("gateway").ok());
  EXPECT_EQ(ListFaults("checkout").error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MutualTlsTest, ReflectionAnswersOnlyWhenAskedFor) {
  StartPayments(/*reflection=*/false);
  EXPECT_EQ(ListServicesByReflection({Identity("cart"), "payments"}).first.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  server_.reset();
  // Not served at all, not only refused: a server without TLS (a test's) has no reflection either.
  server_ = std::make_unique<Server>(ServerOptions{.listen_address = "127.0.0.1:0"});
  address_ = "127.0.0.1:" + std::to_string(server_->Start());
  EXPECT_EQ(ListServicesByReflection({}).first.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  server_.reset();

  StartPayments(/*reflection=*/true);
  auto [status, answer] = ListServicesByReflection({Identity("cart"), "payments"});
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(answer.find(kPayments), std::string::npos) << "the services listed: " << answer;
}

TEST_F(MutualTlsTest, LoadsNothingForPlaintextAskedForAndRefusesEverythingElseThatIsNotAnIdentity) {
  EXPECT_EQ(Tls::Load({.plaintext = true}), nullptr);
  // Never plaintext by omission: settings that name no files and do not ask for plaintext.
  EXPECT_THROW(Tls::Load({}), std::runtime_error);
  const std::string store = *dir_ + "/store/";
  EXPECT_THROW(Tls::Load({.ca_file = store + "ca.crt", .cert_file = "/nonexistent/a.crt", .key_file = store + "cart.key"}),
               std::runtime_error);
  // A file that exists but holds no PEM (the key's place given a text file).
  const std::string text = *dir_ + "/not-a-key.txt";
  std::ofstream(text) << "not a key\n";
  EXPECT_THROW(Tls::Load({.ca_file = store + "ca.crt", .cert_file = store + "cart.crt", .key_file = text}),
               std::runtime_error);
  // A certificate that names no process: the CA's own has no spiffe://storefront/ URI.
  EXPECT_THROW(Tls::Load({.ca_file = store + "ca.crt", .cert_file = store + "ca.crt", .key_file = store + "ca.key"}),
               std::runtime_error);
  EXPECT_EQ(Identity("cart")->name(), "cart");
}

}  // namespace
}  // namespace storefront::rpc
