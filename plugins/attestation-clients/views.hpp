#pragma once
// The seed's bare JSON bodies (no "data" envelope), built in one place.
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "config.hpp"
#include "store.hpp"

namespace attestation {

boost::json::object service_json(const Service& s);
boost::json::object product_json(const Service& s, const Product& p);
/// `sub` is null while the tenant is on the default plan it never chose.
boost::json::object subscription_json(const Service& s, const Product& plan, const Subscription* sub);
boost::json::object policy_json(const PolicyRow& p);
/// The list and PUT shape: created_at, id, name, product_id, product_name, product_type, service_id, status.
boost::json::object client_summary_json(const Config& config, const ClientRow& c);
/// The POST and GET shape: the summary plus service_offer_name, keys, policy_ids and tags.
boost::json::object client_json(const Config& config, const ClientRow& c, const std::vector<std::string>& keys,
                                const ClientCollections& collections);
/// The answer of POST /management/v1/api-clients/verify.
boost::json::object verified_json(const Config& config, const KeyOwner& owner);
boost::json::array policy_ids_json(const std::vector<std::string>& ids);
boost::json::array tags_json(const Config& config, const std::vector<Tag>& tags);

}  // namespace attestation
