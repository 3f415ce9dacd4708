// shipping-service: shipping quotes and shipments over gRPC, moved along by checkout's order events
// and a progression ticker; configuration from the environment (services/shipping/README.md).
#include "app.h"
#include "shared/service/main.h"

int main() { return storefront::service::Main<storefront::shipping::Config, storefront::shipping::App>("shipping"); }
