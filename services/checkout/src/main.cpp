// checkout-service: the checkout saga over gRPC. Configuration comes from the environment
// (see services/checkout/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include "app.h"
#include "shared/service/main.h"

int main() { return storefront::service::Main<storefront::checkout::Config, storefront::checkout::App>("checkout"); }
