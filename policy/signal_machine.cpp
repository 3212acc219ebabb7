#include "policy/signal_machine.hpp"

namespace wlg::policy {

signal_machine::signal_machine(options opts)
  : options_(opts), backoff_(opts.backoff_initial, opts.backoff_max, opts.seed) {}

signal_machine::commands signal_machine::on_request() {
  commands out;
  ++waiting_;
  if (at_ == stage::idle && !retry_armed_)
    begin(out);
  return out;
}

signal_machine::commands signal_machine::on_retry() {
  commands out;
  retry_armed_ = false;
  if (at_ == stage::idle && waiting_ > 0)
    begin(out);
  return out;
}

void signal_machine::begin(commands& out) {
  at_ = stage::listing;
  targets_.clear();
  next_ = 0;
  delivered_ = 0;
  out.push_back(list{});
}

signal_machine::commands signal_machine::on_listed(std::vector<signal_target> targets) {
  if (at_ != stage::listing)
    return {};
  commands out;
  targets_ = std::move(targets);
  if (targets_.empty()) {
    out.push_back(nothing_to_signal{});
  } else if (options_.rehearse) {
    out.push_back(show{targets_});
  } else {
    at_ = stage::signalling;
    out.push_back(signal_one{targets_.front()});
    return out;
  }
  complete(out);
  return out;
}

signal_machine::commands signal_machine::on_signalled(signal_result result) {
  if (at_ != stage::signalling)
    return {};
  commands out;
  const auto& target = targets_[next_];
  if (result == signal_result::delivered) {
    ++delivered_;
    out.push_back(delivered_to{target});
  } else {
    out.push_back(skipped{target, result});
  }
  next(out);
  return out;
}

void signal_machine::next(commands& out) {
  if (++next_ < targets_.size()) {
    out.push_back(signal_one{targets_[next_]});
    return;
  }
  complete(out);
}

void signal_machine::complete(commands& out) {
  at_ = stage::idle;
  backoff_.reset();
  waiting_ = 0;
  out.push_back(answer{delivered_});
}

signal_machine::commands signal_machine::on_failed(const std::string& why) {
  if (at_ == stage::idle)
    return {};
  commands out;
  at_ = stage::idle;
  if (options_.once) {
    waiting_ = 0;
    out.push_back(fail{why});
    return out;
  }
  retry_armed_ = true;
  out.push_back(retry_later{backoff_.next(), why});
  return out;
}

} // namespace wlg::policy
