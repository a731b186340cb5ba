/*
 * tracer_config.c: the PYMEMCHECK environment variable, and
 * pymemcheck_configure(), which takes the same text.
 *
 * The grammar is ASAN_OPTIONS': key=value entries separated by ':'.  A
 * fail= value may itself name a line, "fail=ext.c:42@3": a segment with no
 * '=' that starts with a digit continues the fail= value before it (no key
 * starts with a digit, so this is never ambiguous).  Every key is
 * documented in docs/tracer.md, the one place; the table below is the
 * list a bad entry's message prints.
 *
 * A bad entry (unknown key, bad value, no '=') is reported, with what is
 * accepted, and skipped: the key keeps the value it had (its default, when
 * read from the environment), every other entry applies, and the tracer
 * runs on.  A diagnostic tool that refuses to start over a typo costs the
 * user a run; one that silently ignores it costs them a wrong conclusion.
 */
#include "tracer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmc_config pmc_config = {
    .report = PMC_REPORT_TEXT,
    .output = "stderr",
    .report_unknown = true,
    .start = PMC_START_FIRST_CALL,
};

struct choice {
    const char *name;
    int value;
};

static const struct choice reports[] = {
    {"text", PMC_REPORT_TEXT}, {"json", PMC_REPORT_JSON}, {"none", PMC_REPORT_NONE}, {0}};
static const struct choice misuses[] = {{"report", 0}, {"abort", 1}, {0}};
static const struct choice untraced[] = {{"report", 1}, {"ignore", 0}, {0}};
static const struct choice starts[] = {{"first_call", PMC_START_FIRST_CALL},
                                       {"load", PMC_START_LOAD},
                                       {"manual", PMC_START_MANUAL},
                                       {0}};

/* ---- Values ---- */

/* Where a bad entry's message goes: the context for every message. */
struct entry {
    const char *origin;
    const char *key;
    const char *value;
    bool *rules_replaced;       /* a fail= of this text has set the rules */
};

static void complain(const struct entry *e, const char *problem, const char *accepted)
{
    fprintf(stderr, "pymemcheck: %s: %s=%s: %s (accepted: %s); ignored, %s keeps "
                    "its value\n",
            e->origin, e->key, e->value, problem, accepted, e->key);
}

static bool parse_choice(const struct entry *e, const struct choice *choices, int *out)
{
    for (const struct choice *c = choices; c->name; c++) {
        if (strcmp(e->value, c->name) == 0) {
            *out = c->value;
            return true;
        }
    }
    char accepted[128] = "";
    for (const struct choice *c = choices; c->name; c++)
        snprintf(accepted + strlen(accepted), sizeof accepted - strlen(accepted),
                 "%s%s", c == choices ? "" : ", ", c->name);
    complain(e, "unknown value", accepted);
    return false;
}

bool pmc_parse_digits(const char *s, unsigned long long max, const char **end,
                      unsigned long long *out)
{
    unsigned long long n = 0;
    const char *c = s;
    for (; *c >= '0' && *c <= '9'; c++) {
        unsigned digit = (unsigned)(*c - '0');
        if (n > (max - digit) / 10)
            return false;
        n = n * 10 + digit;
    }
    *end = c;
    *out = n;
    return c != s;
}

/* Decimal digits alone, up to max; else the complaint, with what is
 * accepted. */
static bool parse_number(const struct entry *e, unsigned long long max, const char *problem,
                         const char *accepted, unsigned long long *out)
{
    const char *end;
    if (pmc_parse_digits(e->value, max, &end, out) && *end == '\0')
        return true;
    complain(e, problem, accepted);
    return false;
}

/* A byte count: decimal digits, optionally followed by k, m or g (KiB,
 * MiB, GiB). */
static bool parse_size(const struct entry *e, size_t *out)
{
    const char *end;
    unsigned long long n;
    bool ok = pmc_parse_digits(e->value, SIZE_MAX, &end, &n);
    unsigned shift = 0;
    if (ok && *end) {
        static const char suffixes[] = "kKmMgG";   /* shifts 10, 10, 20, 20, ... */
        const char *suffix = strchr(suffixes, *end);
        shift = suffix ? 10 * (1 + (unsigned)(suffix - suffixes) / 2) : 0;
        ok = shift && end[1] == '\0' && n <= (SIZE_MAX >> shift);
    }
    if (!ok) {
        complain(e, "not a byte count", "a number of bytes, with an optional k, m or g");
        return false;
    }
    *out = (size_t)(n << shift);
    return true;
}

/* ---- Keys ---- */

static bool set_report(const struct entry *e)
{
    int v;
    if (!parse_choice(e, reports, &v))
        return false;
    pmc_config.report = (enum pmc_report_kind)v;
    return true;
}

static bool set_output(const struct entry *e)
{
    if (*e->value == '\0' || strlen(e->value) >= sizeof pmc_config.output) {
        complain(e, *e->value ? "too long" : "empty", "stderr, stdout or a file path");
        return false;
    }
    strcpy(pmc_config.output, e->value);
    return true;
}

static bool set_min_bytes(const struct entry *e)
{
    return parse_size(e, &pmc_config.min_bytes);
}

/* A number of sites: digits only.  A k would read as 1024 sites, which no
 * one asking for "the top 2k" of a report means. */
static bool set_max_sites(const struct entry *e)
{
    unsigned long long n;
    if (!parse_number(e, SIZE_MAX, "not a count", "a number of sites, 0 for all", &n))
        return false;
    pmc_config.max_sites = (size_t)n;
    return true;
}

static bool set_on_misuse(const struct entry *e)
{
    int v;
    if (!parse_choice(e, misuses, &v))
        return false;
    pmc_config.abort_on_misuse = v;
    return true;
}

static bool set_untraced(const struct entry *e)
{
    int v;
    if (!parse_choice(e, untraced, &v))
        return false;
    pmc_config.report_unknown = v;
    return true;
}

static bool set_start(const struct entry *e)
{
    int v;
    if (!parse_choice(e, starts, &v))
        return false;
    pmc_config.start = (enum pmc_start_kind)v;
    return true;
}

/* The fail= entries of one text replace the rules there were: the first
 * good one replaces them (a bad one leaves them alone), the others add to
 * it, and fail= alone clears them. */
static bool set_fail(const struct entry *e)
{
    const char *why;
    if (*e->value == '\0') {
        pmc_faults_clear();
        *e->rules_replaced = true;
        return true;
    }
    int r = *e->rules_replaced ? pmc_faults_add(e->value, &why)
                               : pmc_faults_replace(e->value, &why);
    if (r == 0) {
        *e->rules_replaced = true;
        return true;
    }
    char problem[128];
    snprintf(problem, sizeof problem, "bad rule: %s", why);
    complain(e, problem, "<file glob>[:<line>][@<nth call>|+<calls to let through>]");
    return false;
}

static bool set_memory_limit(const struct entry *e)
{
    size_t bytes;
    if (!parse_size(e, &bytes))
        return false;
    pmc_mem_set_limit(bytes);
    return true;
}

static bool set_leak_exitcode(const struct entry *e)
{
    unsigned long long code;
    if (!parse_number(e, 255, "not an exit status", "0 to 255", &code))
        return false;
    pmc_config.leak_exitcode = (int)code;
    return true;
}

static const struct {
    const char *key;
    bool (*set)(const struct entry *);
} keys[] = {
    {"report", set_report},
    {"output", set_output},
    {"min_bytes", set_min_bytes},
    {"max_sites", set_max_sites},
    {"on_misuse", set_on_misuse},
    {"untraced", set_untraced},
    {"start", set_start},
    {"fail", set_fail},
    {"tracer_memory_limit", set_memory_limit},
    {"leak_exitcode", set_leak_exitcode},
};
enum { NKEYS = sizeof keys / sizeof keys[0] };

/* The end of a bad entry's message: " (accepted: report, ...); ignored". */
static void accepted_keys(void)
{
    fputs(" (accepted: ", stderr);
    for (int i = 0; i < NKEYS; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", keys[i].key);
    fputs("); ignored\n", stderr);
}

/* ---- Entries ---- */

static bool apply(const char *origin, char *segment, bool *rules_replaced)
{
    char *eq = strchr(segment, '=');
    if (eq == NULL) {
        fprintf(stderr, "pymemcheck: %s: '%s' is not key=value", origin, segment);
        accepted_keys();
        return false;
    }
    *eq = '\0';
    struct entry e = {origin, segment, eq + 1, rules_replaced};
    for (int i = 0; i < NKEYS; i++) {
        if (strcmp(segment, keys[i].key) == 0)
            return keys[i].set(&e);
    }
    fprintf(stderr, "pymemcheck: %s: unknown key '%s'", origin, segment);
    accepted_keys();
    return false;
}

/* The end of the entry starting at s: the next ':' that is not followed
 * by a digit inside a fail= value. */
static size_t entry_length(const char *s)
{
    bool is_fail = strncmp(s, "fail=", 5) == 0;
    size_t n = 0;
    for (;; n++) {
        if (s[n] == '\0')
            return n;
        if (s[n] == ':' && !(is_fail && s[n + 1] >= '0' && s[n + 1] <= '9'))
            return n;
    }
}

int pmc_config_parse(const char *text, const char *origin)
{
    int bad = 0;
    bool rules_replaced = false;
    char segment[4200];
    while (*text) {
        size_t n = entry_length(text);
        if (n >= sizeof segment) {
            fprintf(stderr, "pymemcheck: %s: an entry is longer than %zu characters; "
                            "ignored\n", origin, sizeof segment - 1);
            bad++;
        } else if (n > 0) {
            memcpy(segment, text, n);
            segment[n] = '\0';
            bad += !apply(origin, segment, &rules_replaced);
        }
        text += n + (text[n] == ':');
    }
    return bad;
}

/* Once: the load-time initialisation calls it, and so does the first
 * traced call, which may come first (a C++ static initializer of another
 * object file runs before this library's constructor). */
void pmc_config_from_environment(void)
{
    static atomic_flag done = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&done))
        return;
    const char *text = getenv("PYMEMCHECK");
    if (text != NULL)
        pmc_config_parse(text, "PYMEMCHECK");
}

int pymemcheck_configure(const char *options)
{
    return options ? pmc_config_parse(options, "pymemcheck_configure") : 0;
}
