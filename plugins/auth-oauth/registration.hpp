#pragma once
// RFC 7591 client metadata: checked and turned into a client record.
#include <boost/json.hpp>

#include <stdexcept>
#include <string>

#include "ambit/sdk/identity.hpp"
#include "redirect_uri.hpp"
#include "store.hpp"

namespace oauth {

/// An RFC 7591 error: invalid_redirect_uri or invalid_client_metadata.
struct RegistrationError : std::runtime_error {
  RegistrationError(std::string error_code, const std::string& description)
      : std::runtime_error(description), code(std::move(error_code)) {}
  std::string code;
};

/// The metadata as a client record (id, secret and times left empty).
ClientRecord parse_registration(const boost::json::value& body, ambit::sdk::Identity& identity);
/// The registration response: the metadata as registered.
boost::json::object client_metadata_json(const ClientRecord& c);

}  // namespace oauth
