#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// The file output. Renders and writes $CITUS_CONFDIR/pg_worker_list.conf
// atomically (skipping the write when the bytes are the same), then has the
// signaller reload the master when the bytes changed or a reload is owed; a
// reload that fails is retried with back-off, and one owed while a signal is
// under way is sent after it. An apply is answered once the file is written;
// with --once, once the master has been signalled too, and a failed signal
// first puts the file back as it was, so the next run signals the change.
// In --dry-run mode it prints what it would write instead. `reload_first`:
// the first apply reloads even if nothing changed (after a restart of this
// actor, which cannot know whether its predecessor's last write was signalled).
file_writer_actor::behavior_type file_writer(file_writer_actor::pointer self, context_ptr ctx,
                                             signaller_actor signaller, bool reload_first);

} // namespace wlg::actors
