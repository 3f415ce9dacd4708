// payments-service: card payments (authorize, capture, void, refund) over gRPC. Configuration
// comes from the environment (see services/payments/README.md); SIGTERM or SIGINT shuts it down
// gracefully.
#include "app.h"
#include "shared/service/main.h"

int main() { return storefront::service::Main<storefront::payments::Config, storefront::payments::App>("payments"); }
