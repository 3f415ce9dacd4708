// storefront-kafka-acls: makes the broker's ACLs exactly what kafka_acls.h grants, and prints
// what it changed. Run by whoever starts the broker, after it serves and before the store starts
// (infra/local/stack, docker-compose.yml's kafka-acls, the dev overlay's Job); running it again
// changes nothing.
//
//   storefront-kafka-acls           reconcile, as a super user of the broker:
//                                   KAFKA_BOOTSTRAP_SERVERS, and TLS_CA_FILE, TLS_CERT_FILE and
//                                   TLS_KEY_FILE naming the broker's own identity (User:kafka)
//   storefront-kafka-acls --print   the grants as JSON, without a broker (for the manifests' test)
//
// KAFKA_ACLS_WAIT_SECONDS (default 120): how long to wait for a broker that is still starting.
// Exit status 0 when the ACLs are as granted, 1 when the broker refused or never answered, 2 for
// a usage or settings problem.
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/events/internal/kafka.h"
#include "shared/events/kafka_acls.h"

namespace {

namespace events = storefront::events;

int Print() {
  nlohmann::json grants = nlohmann::json::array();
  for (const auto& grant : events::KafkaGrants()) {
    grants.push_back(
        {{"user", grant.user}, {"writes", grant.writes}, {"reads", grant.reads}, {"group_prefix", grant.group_prefix}});
  }
  std::printf("%s\n", grants.dump(2).c_str());
  return 0;
}

std::string Describe(const events::KafkaAcl& acl) {
  return acl.principal + " " + acl.operation + " " + acl.resource + " " + acl.name +
         (acl.pattern == "PREFIXED" ? "*" : "");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--print") == 0) return Print();
  if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--print]\n", argv[0]);
    return 2;
  }
  std::string bootstrap;
  storefront::config::TlsSettings tls;
  std::chrono::seconds wait{120};
  try {
    storefront::config::Env env;
    bootstrap = env.HostPortList("KAFKA_BOOTSTRAP_SERVERS", "");
    if (bootstrap.empty()) env.Problem("KAFKA_BOOTSTRAP_SERVERS is required");
    tls = storefront::config::ReadTlsSettings(env);
    wait = std::chrono::seconds(env.Int("KAFKA_ACLS_WAIT_SECONDS", 120, 1, 3600));
    env.Validate();
    if (!tls.enabled()) throw std::invalid_argument("the ACLs are set over TLS, as the broker's super user");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", argv[0], error.what());
    return 2;
  }

  auto config = events::internal::ClientConfig(bootstrap, tls);
  config["client.id"] = "storefront-kafka-acls";
  rd_kafka_conf_t* conf = events::internal::MakeConf(config);
  char errstr[512];
  rd_kafka_t* admin = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (admin == nullptr) {
    rd_kafka_conf_destroy(conf);
    std::fprintf(stderr, "%s: %s\n", argv[0], errstr);
    return 2;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  int status = 1;
  for (;;) {
    try {
      const auto changes = events::Reconcile(admin, events::AclsOf(events::KafkaGrants()), std::chrono::seconds(10));
      for (const auto& acl : changes.created) std::printf("created %s\n", Describe(acl).c_str());
      for (const auto& acl : changes.deleted) std::printf("deleted %s\n", Describe(acl).c_str());
      std::printf("%zu ACLs as granted (%zu created, %zu deleted)\n", events::AclsOf(events::KafkaGrants()).size(),
                  changes.created.size(), changes.deleted.size());
      status = 0;
      break;
    } catch (const events::AclsRefused& refused) {  // not a super user: waiting will not help
      std::fprintf(stderr, "%s: %s\n", argv[0], refused.what());
      break;
    } catch (const std::exception& error) {
      if (std::chrono::steady_clock::now() >= deadline) {
        std::fprintf(stderr, "%s: %s\n", argv[0], error.what());
        break;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  rd_kafka_destroy(admin);
  return status;
}
