#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"
#include "policy/file_output_machine.hpp"

namespace wlg::actors {

// The file output. Renders and writes $CITUS_CONFDIR/pg_worker_list.conf
// atomically (skipping the write when the bytes are the same), then has the
// signaller reload the master; when, and what an apply is answered with, is
// policy::file_output_machine's decision. With --once a failed signal first
// puts the file back as it was, so the next run signals the change. With
// --dry-run it prints what it would write instead.
file_writer_actor::behavior_type file_writer(file_writer_actor::pointer self, context_ptr ctx,
                                             signaller_actor signaller,
                                             policy::file_output_machine::options options);

} // namespace wlg::actors
