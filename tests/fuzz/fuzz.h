/* SPDX-License-Identifier: MIT */
/* fuzz.h: what every fuzz target shares with libFuzzer and the standalone
 * driver (standalone-main.c), which runs the same targets over the seed
 * corpus and the regression inputs in `make check`. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* libFuzzer's entry point: one input, never kept after the call. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Any GLib critical or warning from libcma is a bug (the library returns
 * GErrors and never logs), so make it a crash the fuzzer reports: abort()
 * rather than GLib's breakpoint trap, which libFuzzer does not catch. */
void fuzz_make_logs_fatal (void);

/* A directory of this process's own for the temporary files a target
 * feeds to a loader, removed with its files at exit. */
const char *fuzz_tmp_dir (void);

/* Write @data to @name in fuzz_tmp_dir(); the returned path is owned by
 * the caller. Aborts on failure: a harness that cannot write tests nothing. */
char *fuzz_write_file (const char *name, const uint8_t *data, size_t size);

G_END_DECLS
