// The file output against a mock signaller, on the deterministic scheduler:
// what it writes, when it has the master reloaded, and what a failed reload
// leaves behind.
#define CAF_SUITE file_writer

#include "actors/file_writer.hpp"
#include "protocol/worker_list.hpp"
#include "actors/roles.hpp"
#include "test/actors/fixture.hpp"

using namespace wlg::test;

namespace {

struct fixture : actor_fixture {
  using actor_fixture::actor_fixture;

  std::string list_path() const { return ctx->config.worker_list_path(); }

  // `restarted`: as the supervisor spawns a writer that replaces one that died.
  template <class Signaller>
  file_writer_actor spawn_writer(const Signaller& signaller, bool restarted = false) {
    return sys.spawn(file_writer, ctx, caf::actor_cast<signaller_actor>(signaller),
                     file_output_options(ctx->config, restarted));
  }
  std::string rendered(const protocol::worker_set& set) const { return protocol::render_worker_list(set, 5432); }

  // --once: asks for {"new"} with a signal that fails, and steps the
  // trace up to the failed signal.
  void apply_with_failing_signal() {
    signals->failures = 1;
    auto signaller = sys.spawn(counting_signaller, signals);
    writer = spawn_writer(signaller);
    policy::output_request request;
    request.workers = workers({"new"});
    self->request(writer, caf::infinite, apply_atom::value, request);
    expect((atom_value, policy::output_request), from(self).to(writer).with(apply_atom::value, _));
    expect((atom_value), from(writer).to(signaller).with(signal_atom::value));
    expect((caf::error), from(signaller).to(writer).with(_));
  }

  std::shared_ptr<signal_log> signals = std::make_shared<signal_log>();
  file_writer_actor writer;
};

policy::output_request request_for(protocol::worker_set set, bool reload = false) {
  policy::output_request request;
  request.workers = std::move(set);
  request.reload = reload;
  return request;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(file_writer_tests, fixture)

CAF_TEST(a changed list is written and the master signalled before the apply is answered) {
  auto signaller = sys.spawn(counting_signaller, signals);
  auto writer = spawn_writer(signaller);
  self->request(writer, caf::infinite, apply_atom::value, request_for(workers({"a"})));
  expect((atom_value, policy::output_request), from(self).to(writer).with(apply_atom::value, _));
  expect((atom_value), from(writer).to(signaller).with(signal_atom::value));
  disallow((policy::output_report), from(writer).to(self)); // not while the master is being signalled
  expect((signal_report), from(signaller).to(writer).with(_));
  expect((policy::output_report), from(writer).to(self).with(_));
  CAF_CHECK(read_file(list_path()) == rendered(workers({"a"})));
  CAF_CHECK_EQUAL(signals->signals, 1);
  CAF_CHECK_EQUAL(metrics.file_writes.load(), 1u);
}

CAF_TEST(an unchanged list is neither written nor signalled unless a reload is owed) {
  write_file(list_path(), rendered(workers({"a"})));
  auto signaller = sys.spawn(counting_signaller, signals);
  auto writer = spawn_writer(signaller);
  inject((atom_value, policy::output_request), from(self).to(writer).with(apply_atom::value, request_for(workers({"a"}))));
  disallow((atom_value), from(writer).to(signaller));
  CAF_CHECK_EQUAL(metrics.file_unchanged.load(), 1u);
  inject((atom_value, policy::output_request),
         from(self).to(writer).with(apply_atom::value, request_for(workers({"a"}), true)));
  expect((atom_value), from(writer).to(signaller).with(signal_atom::value));
}

CAF_TEST(a restarted writer signals after its first write even when the bytes are the same) {
  write_file(list_path(), rendered(workers({"a"})));
  auto signaller = sys.spawn(counting_signaller, signals);
  auto writer = spawn_writer(signaller, true);
  inject((atom_value, policy::output_request), from(self).to(writer).with(apply_atom::value, request_for(workers({"a"}))));
  expect((atom_value), from(writer).to(signaller).with(signal_atom::value));
}

CAF_TEST(a failed signal answers the apply and keeps the file and is retried after the back-off) {
  signals->failures = 1;
  auto signaller = sys.spawn(counting_signaller, signals);
  auto writer = spawn_writer(signaller);
  self->request(writer, caf::infinite, apply_atom::value, request_for(workers({"b"})));
  expect((atom_value, policy::output_request), from(self).to(writer).with(apply_atom::value, _));
  expect((atom_value), from(writer).to(signaller).with(signal_atom::value));
  disallow((policy::output_report), from(writer).to(self));
  expect((caf::error), from(signaller).to(writer).with(_));
  expect((policy::output_report), from(writer).to(self).with(_)); // the file is written
  CAF_CHECK(read_file(list_path()) == rendered(workers({"b"})));
  advance_time(std::chrono::seconds(1));
  // The apply's wait for its signal ends with nothing left to answer.
  expect((atom_value, atom_value, std::uint64_t), from(writer).to(writer).with(internal_atom::value, tick_atom::value, _));
  disallow((policy::output_report), from(writer).to(self));
  expect((atom_value, atom_value), from(writer).to(writer).with(internal_atom::value, retry_atom::value));
  expect((atom_value), from(writer).to(signaller).with(signal_atom::value));
  expect((signal_report), from(signaller).to(writer).with(_));
  CAF_CHECK_EQUAL(signals->signals, 2);
}

CAF_TEST(a signaller that does not answer holds the apply for answer_wait and no longer) {
  auto slow = sys.spawn(silent_signaller, promises_held<signal_report>());
  auto writer = spawn_writer(slow);
  self->request(writer, caf::infinite, apply_atom::value, request_for(workers({"d"})));
  expect((atom_value, policy::output_request), from(self).to(writer).with(apply_atom::value, _));
  expect((atom_value), from(writer).to(slow).with(signal_atom::value));
  disallow((policy::output_report), from(writer).to(self));
  advance_time(file_output_options(ctx->config, false).answer_wait);
  expect((atom_value, atom_value, std::uint64_t), from(writer).to(writer).with(internal_atom::value, tick_atom::value, _));
  expect((policy::output_report), from(writer).to(self).with(_));
  CAF_CHECK(read_file(list_path()) == rendered(workers({"d"})));
  anon_send_exit(slow, caf::exit_reason::user_shutdown); // it holds the writer through its promise
}

CAF_TEST(peers re-sends the signal in flight to the new signaller) {
  auto lost = sys.spawn(silent_signaller, promises_held<signal_report>());
  auto replacement = sys.spawn(counting_signaller, signals);
  auto writer = spawn_writer(lost);
  inject((atom_value, policy::output_request), from(self).to(writer).with(apply_atom::value, request_for(workers({"c"}))));
  expect((atom_value), from(writer).to(lost).with(signal_atom::value));
  inject((atom_value, signaller_actor),
         from(self).to(writer).with(peers_atom::value, caf::actor_cast<signaller_actor>(replacement)));
  expect((atom_value), from(writer).to(replacement).with(signal_atom::value));
  anon_send_exit(lost, caf::exit_reason::user_shutdown); // it holds the writer through its promise
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(file_writer_once_tests, with_once<fixture>)

CAF_TEST(once: a failed signal puts the file back as it was and answers with an error) {
  write_file(list_path(), rendered(workers({"old"})));
  apply_with_failing_signal();
  expect((caf::error), from(writer).to(self).with(_));
  CAF_CHECK(read_file(list_path()) == rendered(workers({"old"})));
}

CAF_TEST(once: a failed signal after the first write removes the file) {
  apply_with_failing_signal();
  CAF_CHECK(!read_file(list_path()).has_value());
}

CAF_TEST_FIXTURE_SCOPE_END()
