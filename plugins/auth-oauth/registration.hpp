#pragma once
// RFC 7591 client metadata: checked and turned into a client record.
#include <boost/json.hpp>

#include <stdexcept>
#include <string>

#include "ambit/sdk/identity.hpp"
#include "store.hpp"

namespace oauth {

/// An RFC 7591 error: invalid_redirect_uri or invalid_client_metadata.
struct RegistrationError : std::runtime_error {
  RegistrationError(std::string error_code, const std::string& description)
      : std::runtime_error(description), code(std::move(error_code)) {}
  std::string code;
};

/// Redirect URIs: https, or http on localhost / 127.0.0.1 / [::1] with any
/// port (development, as the seed allows); absolute, no fragment.
bool allowed_redirect_uri(const std::string& uri);
/// `requested` is `registered`, or both are http loopback URIs that differ
/// only in the port (RFC 8252 7.3: native apps pick a free port at run time).
bool redirect_matches(const std::string& registered, const std::string& requested);
/// The metadata as a client record (id, secret and times left empty).
ClientRecord parse_registration(const boost::json::value& body, ambit::sdk::Identity& identity);
/// The registration response: the metadata as registered.
boost::json::object client_metadata_json(const ClientRecord& c);

}  // namespace oauth
