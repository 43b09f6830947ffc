/* LD_PRELOAD shim for tests/test_oracle_startup_race.py: starts Icecast's statistics thread late.
 *
 * Icecast 2.4.4 and 2.5.0 create their global counters ("connections",
 * "source_client_connections", ...) only when the statistics thread first
 * runs; an increment queued before that crashes the server (strdup(NULL) in
 * process_global_event).  Whether that thread runs first is up to the
 * scheduler, so the crash comes in a few starts out of a hundred under load.
 * Holding the thread back for HOLD_STATS_THREAD_MS milliseconds (default 1500)
 * replays, every time, a start in which the scheduler has not run it yet.
 * With HOLD_STATS_THREAD_UNTIL set to a path, the hold ends as soon as that
 * file exists (HOLD_STATS_THREAD_MS is then the longest it lasts): a test
 * that must act during the hold ends it when it is done, not on a timer.
 *
 * The thread is recognised by the name libicethread gives it, not by an
 * address in one build.  Every thread Icecast starts goes through
 * thread_create_c(), whose only pthread_create() call passes a thread_start_t
 * whose third member points to the thread_type whose second member is the
 * name ("Stats Thread", stats.c).  Both releases lay these out the same way:
 *   2.4.4 (xiph/Icecast-Server tag v2.4.4): thread_type in src/thread/thread.h
 *         lines 28-45, thread_start_t in src/thread/thread.c lines 74-84,
 *         name set (line 289) before pthread_create (line 304);
 *   2.5.0 (icecast-2.5.0.tar.gz): thread_type in src/common/thread/thread.h
 *         lines 33-50, thread_start_t in src/common/thread/thread.c lines
 *         81-91, name set (line 295) before pthread_create (line 314).
 * Only the leading members are declared here.  A pthread_create() whose start
 * routine is not in the main program (a library's own thread) is passed on
 * untouched, so its argument is never read as a thread_start_t.
 *
 * It writes one line to stderr when it holds the thread and one when it lets
 * it go, so a test can see that it did (a layout that no longer matches would
 * otherwise just mean no hold).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATS_THREAD_NAME "Stats Thread"

/* libicethread's thread_type, up to the name (both releases: long thread_id; char *name; ...). */
struct ice_thread_head {
    long thread_id;
    char *name;
};

/* libicethread's thread_start_t, up to the thread (both releases: routine, arg, thread, sys_thread). */
struct ice_thread_start_head {
    void *(*start_routine)(void *);
    void *arg;
    struct ice_thread_head *thread;
};

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

struct held {
    void *(*routine)(void *);
    void *arg;
    long ms;
};

struct lookup {
    uintptr_t address;
    int found;
};

/* dl_iterate_phdr lists the main program first: is the address inside one of its loaded segments? */
static int in_first_object(struct dl_phdr_info *info, size_t size, void *data) {
    struct lookup *lookup = data;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && lookup->address >= start && lookup->address < start + ph->p_memsz) {
            lookup->found = 1;
        }
    }
    return 1; /* the main program only */
}

static int in_main_program(void *(*routine)(void *)) {
    struct lookup lookup = {(uintptr_t)routine, 0};
    dl_iterate_phdr(in_first_object, &lookup);
    return lookup.found;
}

static void say(const char *what, long ms) {
    char line[128];
    int n = snprintf(line, sizeof line, "hold_stats_thread: %s the stats thread (%ld ms)\n", what, ms);
    if (n > 0) {
        ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
        (void)ignored;
    }
}

static void *start_late(void *p) {
    struct held h = *(struct held *)p;
    free(p);
    const char *until = getenv("HOLD_STATS_THREAD_UNTIL");
    long waited = 0;
    while (waited < h.ms && (until == NULL || access(until, F_OK) != 0)) {
        struct timespec tick = {0, 10 * 1000000L};
        while (nanosleep(&tick, &tick) != 0) {
        }
        waited += 10;
    }
    say("released", waited);
    return h.routine(h.arg);
}

static int is_stats_thread(void *(*routine)(void *), void *arg) {
    if (arg == NULL || !in_main_program(routine)) {
        return 0;
    }
    const struct ice_thread_start_head *start = arg;
    return start->thread != NULL && start->thread->name != NULL &&
           strcmp(start->thread->name, STATS_THREAD_NAME) == 0;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*routine)(void *), void *arg) {
    static create_fn real;
    if (real == NULL) {
        real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    }
    if (is_stats_thread(routine, arg)) {
        const char *text = getenv("HOLD_STATS_THREAD_MS");
        struct held *h = malloc(sizeof *h);
        if (h != NULL) {
            h->routine = routine;
            h->arg = arg;
            h->ms = text != NULL ? strtol(text, NULL, 10) : 1500;
            say("holding", h->ms);
            int rc = real(thread, attr, start_late, h);
            if (rc != 0) {
                free(h);
            }
            return rc;
        }
    }
    return real(thread, attr, routine, arg);
}
