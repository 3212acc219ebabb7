#include "policy/file_output_machine.hpp"

#include <utility>

namespace wlg::policy {

file_output_machine::file_output_machine(options opts)
  : options_(std::move(opts)), backoff_(options_.run.backoff_initial, options_.run.backoff_max, options_.run.seed),
    signal_owed_(options_.reload_first) {}

file_output_machine::commands file_output_machine::on_apply(output_request request) {
  commands out;
  writing_ = request;
  out.push_back(write{std::move(request)});
  return out;
}

file_output_machine::commands file_output_machine::on_written(bool changed) {
  if (!writing_)
    return {};
  commands out;
  const auto request = std::move(*writing_);
  writing_.reset();
  workers_ = request.workers.size();
  changed_ = changed_ || changed;
  if (changed || request.reload) {
    signal_owed_ = true;
    if (owed_event_ns_ == 0)
      owed_event_ns_ = request.oldest_event_ns;
  }
  if (options_.run.once && signal_owed_) {
    answer_after_signal_ = true;
    held_changed_ = changed_;
    maybe_signal(out);
    return out;
  }
  const bool signalling_before = signal_in_flight_;
  maybe_signal(out);
  // The reload this write asked for is part of its apply: answered after it,
  // the next fetch does not share the master's engine (and the CPU) with it.
  if (signal_in_flight_ && !signalling_before) {
    answer_after_signal_ = true;
    held_changed_ = changed;
    out.push_back(answer_later{options_.answer_wait, ++held_id_});
    return out;
  }
  out.push_back(answer{output_report{changed, summary()}});
  return out;
}

file_output_machine::commands file_output_machine::on_write_failed(const std::string& why) {
  if (!writing_)
    return {};
  commands out;
  writing_.reset();
  out.push_back(fail{why, false});
  return out;
}

void file_output_machine::maybe_signal(commands& out) {
  if (!signal_owed_ || signal_in_flight_ || retry_armed_)
    return;
  signal_owed_ = false;
  signal_in_flight_ = true;
  signaling_event_ns_ = owed_event_ns_;
  owed_event_ns_ = 0;
  out.push_back(signal{});
}

file_output_machine::commands file_output_machine::on_signalled(std::uint64_t containers) {
  if (!signal_in_flight_)
    return {};
  commands out;
  signal_in_flight_ = false;
  backoff_.reset();
  signalled_ = true;
  containers_signalled_ += containers;
  if (signaling_event_ns_ != 0)
    out.push_back(event_signalled{signaling_event_ns_});
  signaling_event_ns_ = 0;
  if (std::exchange(answer_after_signal_, false))
    out.push_back(answer{output_report{held_changed_, summary()}});
  maybe_signal(out);
  return out;
}

file_output_machine::commands file_output_machine::on_signal_failed(const std::string& why) {
  if (!signal_in_flight_)
    return {};
  commands out;
  signal_in_flight_ = false;
  const auto failure = "signal failed (" + why + ")";
  if (answer_after_signal_ && options_.run.once) {
    answer_after_signal_ = false;
    out.push_back(fail{failure, true});
    return out;
  }
  if (std::exchange(answer_after_signal_, false)) // the file is written; the signal is retried alone
    out.push_back(answer{output_report{held_changed_, summary()}});
  signal_owed_ = true;
  if (owed_event_ns_ == 0)
    owed_event_ns_ = signaling_event_ns_;
  signaling_event_ns_ = 0;
  retry_armed_ = true;
  out.push_back(retry_later{backoff_.next(), failure});
  return out;
}

file_output_machine::commands file_output_machine::on_retry() {
  retry_armed_ = false;
  commands out;
  maybe_signal(out);
  return out;
}

file_output_machine::commands file_output_machine::on_answer_due(std::uint64_t id) {
  if (!answer_after_signal_ || options_.run.once || id != held_id_)
    return {};
  answer_after_signal_ = false; // the signal goes on; its answer answers nothing
  return {answer{output_report{held_changed_, summary()}}};
}

file_output_machine::commands file_output_machine::on_signaller_replaced() {
  if (!signal_in_flight_)
    return {};
  return {signal{}}; // its predecessor may have died without answering
}

std::string file_output_machine::summary() const {
  if (options_.run.rehearse)
    return "dry run: nothing was written or signalled";
  const auto head = std::to_string(workers_) + " worker(s) in " + options_.path + "; ";
  if (!signalled_)
    return head + "unchanged, no signal needed";
  if (containers_signalled_ == 0)
    return head + "no master container is running, so none was signalled";
  return head + "the master was signalled";
}

} // namespace wlg::policy
