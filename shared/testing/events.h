// For tests of event handlers: an envelope as the consumer hands it over, so a handler can be
// called directly inside a test's transaction.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "shared/types/uuid.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::testing {

struct EnvelopeFields {
  std::string aggregate_type = "order";
  std::string producer = "checkout";
  std::string event_id = types::NewUuid();  // a new event; pass the same id again for a redelivery
};

inline storefront::events::v1::EventEnvelope EnvelopeOf(std::string_view event_type,
                                                        const google::protobuf::Message& payload,
                                                        EnvelopeFields fields = {}) {
  storefront::events::v1::EventEnvelope envelope;
  envelope.set_event_id(std::move(fields.event_id));
  envelope.set_event_type(std::string(event_type));
  envelope.set_aggregate_type(std::move(fields.aggregate_type));
  envelope.set_producer(std::move(fields.producer));
  envelope.set_payload(payload.SerializeAsString());
  envelope.set_payload_type(payload.GetDescriptor()->full_name());
  return envelope;
}

}  // namespace storefront::testing
