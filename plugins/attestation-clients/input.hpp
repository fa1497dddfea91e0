#pragma once
// Request bodies as the handlers use them. Their shapes (required fields,
// types, lengths, patterns, list sizes) are checked by the kernel against
// the operations' schemas (operations.cpp) before a handler runs; here ids
// are brought to their canonical form and what a schema cannot say is
// checked: 400 INVALID_INPUT naming the field (details.field), e.g.
// "policy_ids[1]". Whether ids exist is the routes' business.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store.hpp"

namespace attestation {

/// The body of POST and PUT .../api-clients.
struct ClientInput {
  std::string name;
  std::string product_id;             ///< canonical UUID
  std::optional<std::string> status;  ///< "Active" | "Inactive" when given
  ClientCollections collections;      ///< absent lists are empty (PUT replaces them entirely)
};

/// 400 for a policy id listed twice (in any letter case).
ClientInput parse_client_input(const boost::json::object& body);

/// The body of POST /management/v1/policies.
struct PolicyInput {
  std::string name;
  std::string service_id;  ///< canonical UUID
  std::string policy;
};

/// 400 for a policy text over `max_policy_bytes` bytes (a schema counts characters).
PolicyInput parse_policy_input(const boost::json::object& body, std::size_t max_policy_bytes);

/// The body of PUT .../subscription: the plan's product id.
std::string parse_subscription_input(const boost::json::object& body);

}  // namespace attestation
