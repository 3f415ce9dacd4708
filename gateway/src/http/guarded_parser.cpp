#include "http/guarded_parser.h"

namespace storefront::gateway::http {
namespace {

using Pistache::StreamCursor;
using Pistache::Http::Code;
using Pistache::Http::Private::State;
using Pistache::Http::Private::Step;
using Pistache::Http::Private::StepId;

// Runs Pistache's step; when it still needs more input but the bytes already buffered for
// it exceed `limit`, records a rejection and skips to the end of the request.
class LimitedStep : public Step {
 public:
  LimitedStep(Pistache::Http::Message* message, std::unique_ptr<Step> inner, std::size_t limit, Rejection on_excess,
              std::optional<Rejection>* rejection)
      : Step(message),
        inner_(std::move(inner)),
        limit_(limit),
        on_excess_(std::move(on_excess)),
        rejection_(rejection) {}

  StepId id() const override { return inner_->id(); }

  State apply(StreamCursor& cursor) override {
    if (rejection_->has_value()) return State::Next;
    State state;
    try {
      state = inner_->apply(cursor);
    } catch (const Pistache::Http::HttpError& error) {
      // Pistache would answer a text/plain page; the gateway answers problem+json instead. A
      // method it does not know (QUERY, PROPFIND, ...) is 501, as RFC 9110 §9.1 asks.
      const bool unknown_method = error.reason() == "Unknown HTTP request method";
      *rejection_ = unknown_method ? Rejection{Code::Not_Implemented, "Not Implemented",
                                               "the gateway does not implement this request method"}
                                   : Rejection{Code::Bad_Request, "Bad Request", error.reason()};
      return State::Next;
    }
    if (state == State::Again && cursor.remaining() > limit_) {
      *rejection_ = on_excess_;
      return State::Next;
    }
    return state;
  }

 private:
  std::unique_ptr<Step> inner_;
  std::size_t limit_;
  Rejection on_excess_;
  std::optional<Rejection>* rejection_;
};

// Checks what the headers announce before Pistache's body step reserves anything.
class GuardedBodyStep : public Step {
 public:
  GuardedBodyStep(Pistache::Http::Message* message, std::unique_ptr<Step> inner, std::size_t max_body,
                  std::optional<Rejection>* rejection)
      : Step(message), inner_(std::move(inner)), max_body_(max_body), rejection_(rejection) {}

  StepId id() const override { return inner_->id(); }

  State apply(StreamCursor& cursor) override {
    if (rejection_->has_value()) return State::Done;
    const auto& headers = message->headers();
    if (auto te = headers.tryGetRaw("Transfer-Encoding")) {
      *rejection_ = Rejection{Code::Length_Required, "Length Required",
                              "request bodies must be sent with a Content-Length, not Transfer-Encoding: " +
                                  te->value().substr(0, 64)};
      return State::Done;
    }
    if (auto length = headers.tryGetRaw("Content-Length")) {
      const std::string& text = length->value();
      bool digits = !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) {
        *rejection_ = Rejection{Code::Bad_Request, "Bad Request", "Content-Length must be a decimal number"};
        return State::Done;
      }
      if (std::stoull(text) > max_body_) {
        *rejection_ = Rejection{Code::Request_Entity_Too_Large, "Content Too Large",
                                "request bodies are limited to " + std::to_string(max_body_) + " bytes"};
        return State::Done;
      }
    }
    return inner_->apply(cursor);
  }

 private:
  std::unique_ptr<Step> inner_;
  std::size_t max_body_;
  std::optional<Rejection>* rejection_;
};

}  // namespace

GuardedParser::GuardedParser(std::size_t max_data, const Limits& limits) : Pistache::Http::RequestParser(max_data) {
  allSteps[0] = std::make_unique<LimitedStep>(
      &request, std::move(allSteps[0]), limits.max_request_line,
      Rejection{Code::RequestURI_Too_Long, "URI Too Long",
                "the request line is limited to " + std::to_string(limits.max_request_line) + " bytes"},
      &rejection_);
  allSteps[1] = std::make_unique<LimitedStep>(
      &request, std::move(allSteps[1]), limits.max_header_bytes,
      Rejection{Code::Request_Header_Fields_Too_Large, "Request Header Fields Too Large",
                "the header section is limited to " + std::to_string(limits.max_header_bytes) + " bytes"},
      &rejection_);
  allSteps[2] = std::make_unique<GuardedBodyStep>(&request, std::move(allSteps[2]), limits.max_body_bytes, &rejection_);
}

void GuardedParser::reset() {
  Pistache::Http::RequestParser::reset();
  rejection_.reset();
}

GuardedParser* GuardedParserOf(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  auto parser = Pistache::Http::Handler::getParser(peer);
  return dynamic_cast<GuardedParser*>(parser.get());
}

}  // namespace storefront::gateway::http
