// catalog-service: the product catalog over gRPC. Configuration comes from the environment
// (see services/catalog/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include "app.h"
#include "shared/service/main.h"

int main() { return storefront::service::Main<storefront::catalog::Config, storefront::catalog::App>("catalog"); }
