#include "emulator/emulator_state.hpp"

#include "protocol/json_text.hpp"
#include "protocol/engine_api.hpp"
#include "protocol/json_document.hpp"

#include <charconv>
#include <chrono>

namespace wlg::emulator {

using protocol::json_quote;

namespace {

std::int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

int query_int(const request& req, const std::string& key, int fallback) {
  auto it = req.query.find(key);
  if (it == req.query.end())
    return fallback;
  int value = fallback;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return value;
}

std::string query_text(const request& req, const std::string& key, std::string fallback = {}) {
  auto it = req.query.find(key);
  return it == req.query.end() ? fallback : it->second;
}

std::optional<std::vector<std::string>> parse_string_array(const std::string& body) {
  protocol::json_reader reader{16 * 1024 * 1024};
  auto doc = reader.open(body);
  if (!doc)
    return std::nullopt;
  simdjson::ondemand::value value;
  std::vector<std::string> out;
  if (doc->get_value().get(value) || protocol::is_null(value) || protocol::read_string_array(value, out))
    return std::nullopt;
  return out;
}

// {"label":["k=v",...],"health":[...]} from the Engine API's filters
// parameter: the labels, and the health states asked for (none: any).
struct container_filter {
  std::vector<std::string> labels;
  std::vector<std::string> health;
};

std::optional<container_filter> parse_container_filter(const std::string& filters) {
  if (filters.empty())
    return container_filter{};
  protocol::json_reader reader{1024 * 1024};
  container_filter out;
  auto error = reader.read_object(filters, "filters", [&](std::string_view key, simdjson::ondemand::value value) {
    if (key == "label")
      return protocol::read_string_array(value, out.labels);
    return key == "health" ? protocol::read_string_array(value, out.health) : simdjson::SUCCESS;
  });
  if (error)
    return std::nullopt;
  return out;
}

std::string engine_error(const std::string& message) {
  return "{\"message\":" + json_quote(message) + "}";
}

} // namespace

void split_target(const std::string& target, std::string& path,
                  std::map<std::string, std::string>& query) {
  const auto q = target.find('?');
  path = target.substr(0, q);
  if (q == std::string::npos)
    return;
  std::string_view rest{target};
  rest.remove_prefix(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    query[percent_decode(std::string{pair.substr(0, eq)})] =
      eq == std::string_view::npos ? "" : percent_decode(std::string{pair.substr(eq + 1)});
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
  }
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int value = 0;
      auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (ec == std::errc{} && end == text.data() + i + 3) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i] == '+' ? ' ' : text[i]);
  }
  return out;
}

response json_response(unsigned status, std::string body) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

emulator_state::emulator_state(emulator_options options)
  : options_(std::move(options)), model_(options_.model) {
  for (int i = 1; i <= options_.masters; ++i)
    masters_.push_back({"c1705a" + std::string(54, '0') + std::to_string(1000 + i), // 64 hex digits
                        options_.model.stack_name + "_master_" + std::to_string(i), true});
}

// --- REST ---------------------------------------------------------------------

response emulator_state::handle_rest(const request& req) {
  ++rest_requests_;
  if (req.authorization != options_.authorization) {
    ++rest_refused_;
    return json_response(401, R"({"detail": "Authentication credentials were not provided."})");
  }
  ++rest_authorized_;
  response out;
  if (rest_fault_.active()) {
    rest_fault_.use();
    if (rest_fault_.mode == "status")
      return json_response(rest_fault_.status, R"({"error": "injected by the emulator"})");
    if (rest_fault_.mode == "timeout") {
      out.how = response::delivery::hang;
      return out;
    }
    if (rest_fault_.mode == "notjson") {
      out.content_type = "text/html";
      out.body = "<html><body>502 Bad Gateway</body></html>";
      return out;
    }
    if (rest_fault_.mode == "huge") {
      // A document that would empty the list if it were accepted.
      out.body = R"({"linked_to_container": [], "padding": ")" + std::string(5 * 1024 * 1024, 'x') + "\"}";
      return out;
    }
    if (rest_fault_.mode == "truncated")
      out.how = response::delivery::truncated;
  }
  auto document = model_.document_at(req.path);
  if (!document)
    return json_response(404, R"({"detail": "Not found."})");
  out.body = std::move(*document);
  out.delay = rest_delay_;
  return out;
}

// --- event stream -------------------------------------------------------------

emulator_state::upgrade_decision emulator_state::on_upgrade(const request& req) {
  ++upgrades_;
  if (upgrade_ns_.size() == 64)
    upgrade_ns_.erase(upgrade_ns_.begin());
  upgrade_ns_.push_back(monotonic_ns());
  if (req.path != model_.events_path())
    return {false, 404};
  if (req.authorization != options_.authorization) {
    ++upgrades_refused_;
    return {false, 401};
  }
  ++upgrades_authorized_;
  if (upgrade_refusal_.active()) {
    upgrade_refusal_.use();
    return {false, upgrade_refusal_.status};
  }
  return {true, 101};
}

void emulator_state::on_channel_open(std::weak_ptr<event_channel> channel) {
  ++channels_open_;
  ++frames_sent_; // the auth frame a channel sends first
  channels_.push_back(std::move(channel));
}

void emulator_state::on_channel_closed() {
  if (channels_open_ > 0)
    --channels_open_;
}

void emulator_state::on_queue_drained() {
  last_drained_ns_ = monotonic_ns();
}

std::string emulator_state::auth_frame() const {
  return R"({"type": "auth", "state": "Success", "message": "authenticated"})";
}

void emulator_state::broadcast(const std::vector<std::string>& frames, int first_relevant,
                               change_record* record, bool binary) {
  std::erase_if(channels_, [](const auto& c) { return c.expired(); });
  const auto change = record ? static_cast<std::size_t>(record - changes_.data()) : 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    event_channel::frame frame{std::make_shared<const std::string>(frames[i]), binary, {}};
    // The change's first relevant event "leaves" when it starts being written.
    if (record && static_cast<int>(i) == first_relevant)
      frame.on_write_start = [this, change] {
        if (changes_[change].relevant_sent_ns == 0)
          changes_[change].relevant_sent_ns = monotonic_ns();
      };
    for (auto& weak : channels_)
      if (auto channel = weak.lock()) {
        channel->send(frame);
        ++frames_sent_;
      }
  }
}

// --- Docker Engine API ----------------------------------------------------------

response emulator_state::handle_engine(const request& req) {
  ++engine_requests_;
  if (req.path == "/_ping") {
    response r;
    r.content_type = "text/plain";
    r.body = "OK";
    return r;
  }
  if (req.path == "/version")
    return json_response(200, R"({"Version":"emulated","ApiVersion":"1.47","MinAPIVersion":"1.24","Os":"linux","Arch":"amd64"})");
  // Versioned paths: /v1.NN/...
  if (req.path.rfind("/v", 0) != 0)
    return json_response(404, engine_error("page not found"));
  const auto slash = req.path.find('/', 1);
  const auto version_text = req.path.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
  const auto version = protocol::parse_api_version(version_text);
  if (!version)
    return json_response(404, engine_error("page not found"));
  if (*version < protocol::api_version{1, 24})
    return json_response(400, engine_error("client version " + version_text
                                           + " is too old. Minimum supported API version is 1.24, "
                                             "please upgrade your client to a newer version"));
  if (protocol::api_version{1, 47} < *version)
    return json_response(400, engine_error("client version " + version_text
                                           + " is too new. Maximum supported API version is 1.47"));
  if (engine_fault_.active()) {
    engine_fault_.use();
    return json_response(engine_fault_.status, engine_error("injected by the emulator"));
  }
  const std::string rest = slash == std::string::npos ? "" : req.path.substr(slash);
  response out = json_response(404, engine_error("page not found"));
  if (req.method == "GET" && rest == "/containers/json")
    out = engine_list(req, version_text);
  constexpr std::string_view prefix = "/containers/";
  constexpr std::string_view suffix = "/kill";
  if (req.method == "POST" && rest.rfind(prefix, 0) == 0 && rest.size() > prefix.size() + suffix.size()
      && rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0) {
    if (kill_fault_.active()) {
      kill_fault_.use();
      out = json_response(kill_fault_.status, engine_error("injected by the emulator"));
    } else {
      out = engine_kill(rest.substr(prefix.size(), rest.size() - prefix.size() - suffix.size()), req);
    }
  }
  out.delay = engine_delay_;
  return out;
}

response emulator_state::engine_list(const request& req, const std::string&) {
  const auto filter = parse_container_filter(query_text(req, "filters"));
  if (!filter)
    return json_response(400, engine_error("invalid filter"));
  const auto* labels = &filter->labels;
  // The masters have no healthcheck: their health is "none".
  const bool health_matches = filter->health.empty() || std::ranges::count(filter->health, "none") > 0;
  const std::string project = "com.docker.compose.project=" + options_.model.stack_name;
  const std::string service = "com.docker.compose.service=master";
  std::string body = "[";
  bool first = true;
  for (const auto& m : masters_) {
    if (!m.running || !health_matches)
      continue;
    bool matches = true;
    for (const auto& l : *labels)
      matches = matches && (l == project || l == service || l == "com.docker.compose.project"
                            || l == "com.docker.compose.service");
    if (!matches)
      continue;
    body += std::string{first ? "" : ","} + "{\"Id\":" + json_quote(m.id) + ",\"Names\":["
            + json_quote("/" + m.name) + "],\"Image\":\"citusdata/citus:5.2\",\"Labels\":{"
            + json_quote("com.docker.compose.project") + ":" + json_quote(options_.model.stack_name)
            + "," + json_quote("com.docker.compose.service") + ":\"master\"},\"State\":\"running\","
            + "\"Status\":\"Up 5 minutes\"}";
    first = false;
  }
  return json_response(200, body + "]");
}

response emulator_state::engine_kill(const std::string& id, const request& req) {
  for (const auto& m : masters_) {
    if (m.id != id)
      continue;
    if (vanish_on_kill_ > 0) {
      --vanish_on_kill_;
      return json_response(404, engine_error("No such container: " + id));
    }
    if (!m.running)
      return json_response(409, engine_error("Container " + id + " is not running"));
    signals_.push_back({m.name, query_text(req, "signal", "SIGKILL"), monotonic_ns()});
    response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  return json_response(404, engine_error("No such container: " + id));
}

// --- control API ----------------------------------------------------------------

response emulator_state::handle_control(const request& req) {
  const auto ok = [](std::string extra = {}) {
    return json_response(200, "{\"ok\":true" + extra + "}");
  };
  if (req.method == "GET" && req.path == "/state")
    return json_response(200, state_json(query_text(req, "workers") != "no"));
  if (req.method != "POST")
    return json_response(404, R"({"ok":false,"error":"unknown control"})");
  if (req.path == "/scale") {
    const int workers = query_int(req, "workers", -1);
    if (workers < 0 || workers > 100000)
      return json_response(400, R"({"ok":false,"error":"workers=N needed"})");
    auto change = model_.scale_to(workers);
    changes_.push_back({"scale", workers, 0});
    broadcast(change.events, change.first_relevant, &changes_.back());
    return ok(",\"events\":" + std::to_string(change.events.size()));
  }
  if (req.path == "/burst") {
    // `count` relevant events with one change of the link set in the middle,
    // all sent as fast as the connection takes them.
    const int count = query_int(req, "count", 1000);
    const int workers = query_int(req, "workers", -1);
    if (workers < 0)
      return json_response(400, R"({"ok":false,"error":"workers=N needed"})");
    auto events = model_.unrelated_events(count / 2);
    auto change = model_.scale_to(workers);
    const int first_relevant = static_cast<int>(events.size()) + change.first_relevant;
    events.insert(events.end(), change.events.begin(), change.events.end());
    auto tail = model_.unrelated_events(count - count / 2);
    events.insert(events.end(), tail.begin(), tail.end());
    changes_.push_back({"burst", workers, 0});
    burst_started_ns_ = monotonic_ns();
    broadcast(events, first_relevant, &changes_.back());
    return ok(",\"events\":" + std::to_string(events.size()));
  }
  if (req.path == "/redeploy") {
    auto change = model_.redeploy();
    changes_.push_back({"redeploy", static_cast<int>(model_.worker_names().size()), 0});
    broadcast(change.events);
    return ok(",\"events\":" + std::to_string(change.events.size()));
  }
  if (req.path == "/emit") {
    const auto kind = query_text(req, "kind");
    const int count = query_int(req, "count", 1);
    std::vector<std::string> events;
    if (kind == "unrelated")
      events = model_.unrelated_events(count);
    else if (kind == "transient")
      events = model_.transient_events(count);
    else if (kind == "other")
      events = model_.other_type_events(count);
    else
      return json_response(400, R"({"ok":false,"error":"kind=unrelated|transient|other"})");
    broadcast(events);
    return ok(",\"events\":" + std::to_string(events.size()));
  }
  if (req.path == "/stream/send") {
    const int count = query_int(req, "count", 1);
    broadcast(std::vector<std::string>(static_cast<std::size_t>(count), req.body), -1, nullptr,
              query_text(req, "binary") == "1");
    return ok();
  }
  if (req.path == "/stream/drop") {
    const auto mode_text = query_text(req, "mode", "close");
    auto mode = event_channel::drop_mode::close;
    if (mode_text == "midframe")
      mode = event_channel::drop_mode::midframe;
    else if (mode_text == "silent")
      mode = event_channel::drop_mode::silent;
    for (auto& weak : channels_)
      if (auto channel = weak.lock())
        channel->drop(mode);
    return ok();
  }
  if (req.path == "/stream/refuse") {
    upgrade_refusal_ = {"status", static_cast<unsigned>(query_int(req, "status", 401)),
                        query_int(req, "count", -1)};
    return ok();
  }
  if (req.path == "/rest/fault") {
    rest_fault_ = {query_text(req, "mode", "status"), static_cast<unsigned>(query_int(req, "status", 500)),
                   query_int(req, "count", -1)};
    if (rest_fault_.mode == "none")
      rest_fault_.remaining = 0;
    return ok();
  }
  if (req.path == "/rest/delay") {
    rest_delay_ = std::chrono::milliseconds{query_int(req, "ms", 0)};
    return ok();
  }
  if (req.path == "/rest/links") {
    if (query_text(req, "reset") == "1") {
      model_.override_link_names(std::nullopt);
      return ok();
    }
    auto names = parse_string_array(req.body);
    if (!names)
      return json_response(400, R"({"ok":false,"error":"body must be a JSON array of strings"})");
    model_.override_link_names(std::move(*names));
    return ok();
  }
  if (req.path == "/engine/fault") {
    countdown_fault fault{"status", static_cast<unsigned>(query_int(req, "status", 500)),
                          query_int(req, "count", -1)};
    (query_text(req, "on") == "kill" ? kill_fault_ : engine_fault_) = fault;
    return ok();
  }
  if (req.path == "/engine/delay") {
    engine_delay_ = std::chrono::milliseconds{query_int(req, "ms", 0)};
    return ok();
  }
  if (req.path == "/engine/vanish") {
    vanish_on_kill_ = query_int(req, "count", 1);
    return ok();
  }
  if (req.path == "/engine/down" || req.path == "/engine/up") {
    engine_listening_ = req.path == "/engine/up";
    if (set_engine_listening)
      set_engine_listening(engine_listening_);
    return ok();
  }
  if (req.path == "/engine/master") {
    const bool running = query_text(req, "running", "true") != "false";
    for (auto& m : masters_)
      m.running = running;
    return ok();
  }
  return json_response(404, R"({"ok":false,"error":"unknown control"})");
}

std::string emulator_state::state_json(bool with_workers) const {
  std::string workers = "[";
  if (with_workers) {
    const auto names = model_.worker_names();
    for (std::size_t i = 0; i < names.size(); ++i)
      workers += (i ? "," : "") + json_quote(names[i]);
  }
  workers += "]";
  std::string signals = "[";
  for (std::size_t i = 0; i < signals_.size(); ++i)
    signals += std::string{i ? "," : ""} + "{\"container\":" + json_quote(signals_[i].container)
               + ",\"signal\":" + json_quote(signals_[i].signal)
               + ",\"at_ns\":" + std::to_string(signals_[i].at_ns) + "}";
  signals += "]";
  std::string upgrade_times = "[";
  for (std::size_t i = 0; i < upgrade_ns_.size(); ++i)
    upgrade_times += (i ? "," : "") + std::to_string(upgrade_ns_[i]);
  upgrade_times += "]";
  std::string changes = "[";
  for (std::size_t i = 0; i < changes_.size(); ++i)
    changes += std::string{i ? "," : ""} + "{\"kind\":" + json_quote(changes_[i].kind)
               + ",\"workers\":" + std::to_string(changes_[i].workers)
               + ",\"relevant_sent_ns\":" + std::to_string(changes_[i].relevant_sent_ns) + "}";
  changes += "]";
  return "{\"workers\":" + workers + ",\"rest_requests\":" + std::to_string(rest_requests_)
         + ",\"rest_authorized\":" + std::to_string(rest_authorized_)
         + ",\"rest_refused\":" + std::to_string(rest_refused_)
         + ",\"stream_upgrades\":" + std::to_string(upgrades_)
         + ",\"stream_upgrade_ns\":" + upgrade_times
         + ",\"stream_authorized\":" + std::to_string(upgrades_authorized_)
         + ",\"stream_refused\":" + std::to_string(upgrades_refused_)
         + ",\"stream_open\":" + std::to_string(channels_open_)
         + ",\"frames_sent\":" + std::to_string(frames_sent_)
         + ",\"engine_requests\":" + std::to_string(engine_requests_)
         + ",\"engine_listening\":" + (engine_listening_ ? "true" : "false")
         + ",\"burst_started_ns\":" + std::to_string(burst_started_ns_)
         + ",\"last_drained_ns\":" + std::to_string(last_drained_ns_)
         + ",\"signals\":" + signals + ",\"changes\":" + changes + "}";
}

} // namespace wlg::emulator
