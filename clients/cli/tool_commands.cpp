#include "tool_commands.hpp"

#include <ctime>
#include <iostream>
#include <regex>

#include "exit_codes.hpp"
#include "json_text.hpp"
#include "output.hpp"
#include "terminal.hpp"
#include "tool_request.hpp"
#include "waiter.hpp"

namespace json = boost::json;

namespace ambit::cli {
namespace {


/// The schema's types, but null ("string", "null" -> {"string"}); nullable set when null is one.
std::vector<std::string> types_of(const json::object& schema, bool* nullable = nullptr) {
  std::vector<std::string> out;
  auto add = [&](const json::value& t) {
    if (!t.is_string()) return;
    if (t.as_string() == "null") {
      if (nullable) *nullable = true;
    } else {
      out.emplace_back(t.as_string());
    }
  };
  if (auto* t = schema.if_contains("type")) {
    if (t->is_array())
      for (auto& one : t->as_array()) add(one);
    else
      add(*t);
  }
  return out;
}

const char* const kServerGroup = "Commands from the server";

CLI::App* child(CLI::App& parent, const std::string& name) {
  try {
    return parent.get_subcommand(name);
  } catch (const CLI::OptionNotFound&) {
    auto* sub = parent.add_subcommand(name, name + ": its commands are listed by ambit " + name + " --help");
    sub->require_subcommand(1);
    sub->group(kServerGroup);
    return sub;
  }
}

/// RFC 3339, or a time relative to now: "30m", "1h", "7d" ago, "+30d" ahead.
std::string time_value(const std::string& flag, const std::string& text) {
  static const std::regex relative(R"(([+-]?)(\d{1,6})([smhdw]))");
  std::smatch m;
  if (!std::regex_match(text, m, relative)) {
    static const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
    if (!std::regex_match(text, rfc3339))
      throw CliError(kUsage, flag + ": not a time: \"" + text + "\" (RFC 3339, or 30m, 1h, 7d ago, +30d ahead)");
    return text;
  }
  long long unit = m[3] == "s" ? 1 : m[3] == "m" ? 60 : m[3] == "h" ? 3600 : m[3] == "d" ? 86400 : 7 * 86400;
  long long offset = std::stoll(m[2]) * unit * (m[1] == "+" ? 1 : -1);
  std::time_t at = std::time(nullptr) + static_cast<std::time_t>(offset);
  std::tm utc{};
  gmtime_r(&at, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

std::string help_of(const json::object& schema) {
  std::string help = text_of(schema, "description");
  if (auto* e = schema.if_contains("enum"); e && e->is_array()) {
    std::string values;
    for (auto& v : e->as_array())
      if (!v.is_null()) values += (values.empty() ? "" : ", ") + (v.is_string() ? std::string(v.as_string()) : json::serialize(v));
    help += (help.empty() ? "" : "; ") + std::string("one of: ") + values;
  }
  if (auto* d = schema.if_contains("default"))
    help += (help.empty() ? "" : "; ") + std::string("default ") + (d->is_string() ? std::string(d->as_string()) : json::serialize(*d));
  return help;
}

}  // namespace

std::string flag_name(const std::string& input) {
  if (input == "projectId") return "--project";
  std::string out = "--";
  for (char c : input) {
    if (c == '_') {
      out += '-';
    } else if (c >= 'A' && c <= 'Z') {  // serviceId -> --service-id
      out += '-';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

json::value typed_value(const std::string& flag, const json::object& schema, const std::string& text) {
  bool nullable = false;
  auto types = types_of(schema, &nullable);
  if (nullable && text == "null") return nullptr;
  if (types.size() == 1) {
    const std::string& t = types.front();
    if (t == "string") return text_of(schema, "format") == "date-time" ? json::value(time_value(flag, text)) : json::value(text);
    try {
      std::size_t used = 0;
      if (t == "integer") {
        long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
      } else if (t == "number") {
        double v = std::stod(text, &used);
        if (used == text.size()) return v;
      } else if (t == "boolean") {
        if (text == "true" || text == "false") return text == "true";
      }
    } catch (const std::exception&) {
    }
    if (t == "integer" || t == "number" || t == "boolean")
      throw CliError(kUsage, flag + ": \"" + text + "\" is not " + (t == "integer" ? "an " : "a ") + t);
  }
  // Objects, arrays and values of any type: JSON when the text is JSON, else the text itself.
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(text) : v;
}

ToolCommands::ToolCommands(CLI::App& app, const ToolCatalog& catalog) : catalog_(catalog) {
  for (auto& t : catalog.tools())
    if (t.is_object()) add(app, t.as_object());
}

void ToolCommands::add(CLI::App& root, const json::object& tool) {
  auto words = command_words(tool);
  if (words.empty()) return;
  CLI::App* parent = &root;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) parent = child(*parent, words[i]);
  try {
    parent->get_subcommand(words.back());
    return;  // a built-in command of that name wins
  } catch (const CLI::OptionNotFound&) {
  }
  Command& c = commands_.emplace_back();
  c.tool = &tool;
  std::string summary = text_of(tool, "title");
  c.app = parent->add_subcommand(words.back(), summary);
  c.app->footer("\n" + text_of(tool, "description") + "\n\nOperation " + text_of(tool, "id") +
                (text_of(tool, "scope").empty() ? "" : ", scope " + text_of(tool, "scope")) + ": " +
                text_of(tool, "method") + " " + text_of(tool, "path"));
  c.app->group(kServerGroup);

  const auto& input = tool.at("input_schema").as_object();
  std::set<std::string> required;
  if (auto* r = input.if_contains("required"); r && r->is_array())
    for (auto& n : r->as_array()) required.emplace(n.as_string());
  std::vector<std::string> positional;
  if (auto* cli = tool.if_contains("cli"); cli && cli->is_object())
    for (auto& p : cli->as_object().at("positional").as_array()) positional.emplace_back(p.as_string());

  auto add_input = [&](const std::string& name, const json::object& schema, bool as_positional) {
    if (schema.if_contains("deprecated") && schema.at("deprecated") == json::value(true)) return;
    Input& in = c.inputs.emplace_back();
    in.name = name;
    in.schema = schema;
    in.positional = as_positional;
    in.secret = schema.if_contains("writeOnly") && schema.at("writeOnly") == json::value(true);
    auto types = types_of(schema);
    in.boolean = types.size() == 1 && types.front() == "boolean" && !as_positional;
    std::string help = help_of(schema);
    if (in.secret) help += (help.empty() ? "" : "; ") + std::string("- or left out: read from stdin, never echoed");
    if (as_positional) {
      std::string shown = name;  // NAME in usage lines
      for (char& ch : shown) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
      in.option = c.app->add_option(shown, in.single, help)->type_name("");
      if (required.count(name) && !in.secret) in.option->required();
      return;
    }
    std::string flag = flag_name(name);
    if (in.boolean) {
      in.option = c.app->add_flag(flag + ",!--no-" + flag.substr(2), in.flag_value, help);
      return;
    }
    bool array = types.size() == 1 && types.front() == "array";
    std::string names = flag;
    if (array && flag.size() > 3 && flag.back() == 's') names += "," + flag.substr(0, flag.size() - 1);  // --scope
    in.option = c.app->add_option(names, in.texts, help)->expected(1);
    if (array) {
      in.option->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      if (auto* items = schema.if_contains("items"); items && items->is_object()) in.schema = items->as_object();
      in.option->type_name("VALUE ...");
    } else {
      in.option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
      auto t = types.size() == 1 ? types.front() : std::string("VALUE");
      in.option->type_name(t == "string" && text_of(schema, "format") == "date-time" ? "TIME" : t == "string" ? "TEXT" : t);
    }
    // projectId may come from `ambit use project`; secrets from stdin: both checked when run.
    if (required.count(name) && name != "projectId" && !in.secret) in.option->required();
  };
  const auto& props = input.at("properties").as_object();
  for (auto& p : positional)
    if (auto* s = props.if_contains(p); s && s->is_object()) add_input(p, s->as_object(), true);
  for (auto& [name, schema] : props)
    if (std::find(positional.begin(), positional.end(), std::string(name)) == positional.end() && schema.is_object())
      add_input(std::string(name), schema.as_object(), false);

  if (tool.contains("completion")) {
    c.app->add_flag("--wait", c.wait, "wait until the work this starts is done, showing progress");
    c.app->add_option("--wait-timeout", c.wait_seconds, "seconds --wait waits at most")->default_val(600);
  }
}

json::object ToolCommands::arguments(Command& command, Session& session) const {
  json::object args;
  std::string first_positional;
  for (auto& in : command.inputs) {
    std::string flag = in.positional ? in.name : flag_name(in.name);
    if (in.positional && in.option->count() > 0) in.texts = {in.single};
    if (in.boolean) {
      if (in.option->count() > 0) args[in.name] = in.flag_value;
      continue;
    }
    if (in.secret && (in.texts.empty() || in.texts.front() == "-")) {
      std::string label = first_positional.empty() ? in.name : first_positional;
      args[in.name] = read_secret("Value for " + label + ": ");
      continue;
    }
    if (in.texts.empty()) {
      if (in.name == "projectId") {
        if (!session.default_project().empty()) {
          args[in.name] = session.default_project();
        } else if (auto* r = command.tool->at("input_schema").as_object().if_contains("required");
                   r && r->is_array() && std::find(r->as_array().begin(), r->as_array().end(), json::value("projectId")) != r->as_array().end()) {
          throw CliError(kUsage, "--project is required (or set a default: ambit use project PROJECT_ID)");
        }
      }
      continue;
    }
    if (in.positional && first_positional.empty()) first_positional = in.texts.front();
    auto types = types_of(in.schema);
    bool array = in.option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
    if (array) {
      json::array values;
      for (auto& t : in.texts) values.push_back(typed_value(flag, in.schema, t));
      args[in.name] = std::move(values);
    } else {
      args[in.name] = typed_value(flag, in.schema, in.texts.back());
    }
  }
  return args;
}

std::optional<int> ToolCommands::run(Session& session, const OutputOptions& output) {
  for (auto& command : commands_) {
    if (!command.app->parsed()) continue;
    json::object args = arguments(command, session);
    auto response = call_tool(session, *command.tool, args);
    if (response.status < 200 || response.status > 299) throw api_error(response);
    print_response(response, output.format);
    if (command.wait) {
      auto* completion = command.tool->if_contains("completion");
      return wait_for_completion(session, catalog_, completion->as_object(), args, response, command.wait_seconds);
    }
    return kOk;
  }
  return std::nullopt;
}

}  // namespace ambit::cli
