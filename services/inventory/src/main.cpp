// inventory-service: stock levels and reservations over gRPC, with a background sweeper that
// releases expired reservations; configuration from the environment (services/inventory/README.md).
#include "app.h"
#include "shared/service/main.h"

int main() { return storefront::service::Main<storefront::inventory::Config, storefront::inventory::App>("inventory"); }
