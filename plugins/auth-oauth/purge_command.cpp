#include "purge_command.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <ostream>
#include <variant>

#include "revocation.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace oauth {
namespace {

constexpr const char* kUsage =
    "usage: ambit command auth-oauth.purge-clients [--anonymous] [--never-authorized] [--idle-days N]\n"
    "         [--client ID]... [--dry-run] --config F\n"
    "Deletes the OAuth clients that match every option given (at least one), with their grants and\n"
    "tokens, as DELETE /v1/oauth_clients/:clientId does. Prints {\"purged\": N, ...} as JSON.\n"
    "  --anonymous         clients bound to no tenant (registered without a credential)\n"
    "  --never-authorized  clients no user ever approved (no grant was ever issued)\n"
    "  --idle-days N       clients to which no token was issued for N days (never used: since registration)\n"
    "  --client ID         this client (repeatable)\n"
    "  --dry-run           list what would be deleted, delete nothing\n";

constexpr std::size_t kBatch = 200;  ///< clients deleted per transaction

struct Options {
  ClientFilter filter;
  std::optional<long long> idle_days;
  bool dry_run = false;
  bool help = false;
};

/// The options, or the problem with them.
std::variant<Options, std::string> parse(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--anonymous") {
      o.filter.anonymous = true;
    } else if (a == "--never-authorized") {
      o.filter.never_authorized = true;
    } else if (a == "--dry-run") {
      o.dry_run = true;
    } else if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--idle-days") {
      auto v = value();
      long long days = -1;
      if (!v || std::from_chars(v->data(), v->data() + v->size(), days).ptr != v->data() + v->size() || days < 0 ||
          days > 36500)
        return std::string("--idle-days needs a number of days from 0 to 36500");
      o.idle_days = days;
    } else if (a == "--client") {
      auto v = value();
      if (!v || v->empty()) return std::string("--client needs a client id");
      o.filter.ids.push_back(*v);
    } else {
      return "unknown argument " + a;
    }
  }
  return o;
}

}  // namespace

sdk::Command purge_command(sdk::Context& ctx, Store& store) {
  sdk::Command c;
  c.name = kPurgeCommand;
  c.summary = "delete OAuth clients (anonymous, never authorized, idle, or named) with their grants and tokens";
  c.run = [&ctx, &store](const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    auto parsed = parse(args);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
      err << *problem << "\n" << kUsage;
      return 2;
    }
    auto& o = std::get<Options>(parsed);
    if (o.help) {
      out << kUsage;
      return 0;
    }
    if (o.idle_days) o.filter.unused_before = ctx.clock().now_ms() - *o.idle_days * 24 * 3600 * 1000LL;
    if (!o.filter.selects_any()) {  // never "everything" by omission
      err << "name what to purge: --anonymous, --never-authorized, --idle-days N or --client ID\n" << kUsage;
      return 2;
    }
    auto matched = store.matching_clients(*ctx.database().session(), o.filter);
    json::array purged;
    if (o.dry_run) {
      for (auto& id : matched) purged.emplace_back(id);
    } else {
      for (std::size_t at = 0; at < matched.size(); at += kBatch) {
        std::vector<std::string> batch;
        ctx.database().transaction([&](soci::session& tx) {
          batch.clear();  // a retried transaction starts over
          for (std::size_t i = at; i < std::min(at + kBatch, matched.size()); ++i)
            // Checked again in the DELETE: a client approved meanwhile is no longer "never authorized".
            if (revoke_client(ctx, store, tx, matched[i], o.filter)) batch.push_back(matched[i]);
        });
        for (auto& id : batch) purged.emplace_back(id);
      }
      ctx.logger().info("OAuth clients purged", {{"clients", static_cast<std::int64_t>(purged.size())}});
    }
    std::int64_t n = static_cast<std::int64_t>(purged.size());
    out << json::serialize(json::object{{"purged", o.dry_run ? 0 : n},
                                        {"matched", static_cast<std::int64_t>(matched.size())},
                                        {"dry_run", o.dry_run},
                                        {"clients", std::move(purged)}})
        << "\n";
    return 0;
  };
  return c;
}

}  // namespace oauth
