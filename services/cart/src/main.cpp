// cart-service: shopping carts over gRPC, priced from the catalog service. Configuration comes
// from the environment (see services/cart/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include "app.h"
#include "shared/service/main.h"

int main() { return storefront::service::Main<storefront::cart::Config, storefront::cart::App>("cart"); }
