#pragma once
// The webhook sink: POSTs each bundle as JSON to a configured http:// URL,
//   {"project_id": ..., "function": null | "fn", "secrets": {"NAME": "value", ...}}
// and a reap as {"project_id": ..., "reap": true, "keep": [...]}, with
//   X-Ambit-Signature: sha256=<hex HMAC-SHA-256 of the body under the shared key>
// Any answer but 2xx, or no answer within the timeout, is a failed sync.

#include <chrono>
#include <string>

#include "ambit/sdk/secrets.hpp"

namespace secrets {

class WebhookSink final : public ambit::sdk::SecretSink {
 public:
  WebhookSink(std::string url, std::string key, std::chrono::milliseconds timeout);
  void write(const ambit::sdk::SecretBundle& bundle) override;
  void reap(const std::string& project_id, const std::vector<std::string>& keep) override;

 private:
  void post(const std::string& body);
  std::string host_, port_, target_, key_;
  std::chrono::milliseconds timeout_;
};

}  // namespace secrets
